package handlers

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// MetricsSettings connects the handlers to GET /metrics, which is served
// only when the app enables it.
type MetricsSettings struct {
	// Serve writes the metrics in the Prometheus text format; nil when
	// metrics are off, and then the route does not exist.
	Serve fiber.Handler
	// Token, when set, lets a scraper in with "Authorization: Bearer
	// Token"; without it only a signed-in admin may read the metrics.
	Token string
}

// metricsChallenge is the WWW-Authenticate header of a refused scrape.
const metricsChallenge = `Bearer realm="tenderprobe metrics"`

// MetricsAccess lets through a request carrying the configured metrics
// token, compared in constant time, or a signed-in admin's session. A
// request with an Authorization header is judged by it alone: a wrong
// token is 401 even with a session cookie. Without either, the answer is
// 401 with a bearer challenge, not the login page, because the caller is
// most likely a scraper; a signed-in user who is not an admin gets 403.
func (h *Handler) MetricsAccess(c *fiber.Ctx) error {
	if auth := c.Get(fiber.HeaderAuthorization); auth != "" {
		scheme, token, _ := strings.Cut(auth, " ")
		token = strings.TrimSpace(token)
		if h.Metrics.Token == "" || !strings.EqualFold(scheme, "Bearer") || !sameToken(token, h.Metrics.Token) {
			return h.refuseScrape(c, metricsChallenge+`, error="invalid_token"`)
		}
		return c.Next()
	}
	cookie := c.Cookies(sessionCookie)
	if cookie == "" {
		return h.refuseScrape(c, metricsChallenge)
	}
	s, err := models.FindSession(c.UserContext(), h.DB, cookie, h.now())
	switch {
	case errors.Is(err, models.ErrNotFound):
		return h.refuseScrape(c, metricsChallenge)
	case err != nil:
		return err
	}
	c.Locals(localSession, s)
	c.Locals(localUser, &s.User)
	c.Locals(localCSRF, s.CSRFToken)
	if s.User.Role != models.RoleAdmin {
		return refuse(fiber.StatusForbidden, "forbidden.route_role", "role", s.User.Role)
	}
	// An admin who must enrol a second factor first reads no page, this
	// one included (RequireEnrolment for the others).
	if s.User.MustEnrol(h.RequireSecondFactor) {
		return refuse(fiber.StatusForbidden, "totp.enrol_required")
	}
	return c.Next()
}

// sameToken compares the SHA-256 of both tokens in constant time, so that
// neither the position of the first wrong character nor the token's length
// shows in the time of the answer.
func sameToken(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// refuseScrape answers 401 in plain text with a bearer challenge. It
// writes the answer itself: the error handler would send a browser
// without a session to the login page.
func (h *Handler) refuseScrape(c *fiber.Ctx, challenge string) error {
	c.Set(fiber.HeaderWWWAuthenticate, challenge)
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.Status(fiber.StatusUnauthorized).SendString(tr(c, "metrics.unauthorized", nil) + "\n")
}

// ShowMetrics writes the app's metrics in the Prometheus text format.
func (h *Handler) ShowMetrics(c *fiber.Ctx) error {
	if h.Metrics.Serve == nil {
		return fiber.ErrNotFound
	}
	// The answer is for the admins and the scraper only: no cache keeps it.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return h.Metrics.Serve(c)
}
