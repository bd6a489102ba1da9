package handlers

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/metrics"
	"tenderprobe/models"
)

// Cookie names. The session cookie holds the session token; the pre-login
// CSRF cookie ties the login form to the browser that loaded it.
const (
	sessionCookie = "tp_session"
	csrfCookie    = "tp_csrf"
	// freshCookie marks a browser whose request wrote, for freshFor: its
	// requests then find their session in the database, not in the change
	// feed, so a page served by another process shows the write even if
	// that process has not yet heard of it.
	freshCookie = "tp_fresh"
	csrfField   = "_csrf"
	csrfHeader  = "X-CSRF-Token"
)

// ContentSecurityPolicy allows only this site's own scripts, styles, images
// and forms, and no framing. It passes internet.nl's CSP rules: default-src
// and base-uri set, frame-ancestors and form-action present, no
// unsafe-inline, no wildcard or scheme-only sources.
const ContentSecurityPolicy = "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"

// SetSecurityHeaders adds the headers every response carries; HSTS only
// when the connection is TLS, as browsers ignore it over plain HTTP anyway
// and it would pin a development host.
func SetSecurityHeaders(c *fiber.Ctx, tls bool) {
	c.Set(fiber.HeaderContentSecurityPolicy, ContentSecurityPolicy)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	if tls || c.Protocol() == "https" {
		c.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000")
	}
}

// SecurityHeaders is the middleware form of SetSecurityHeaders.
//
// An answer whose handler did not say how to cache it is not stored:
// pages and API answers show one person's tenders, answers and tokens,
// which a shared or back-button cache must not keep. Static files and
// stored documents (revalidated by their ETag) say so themselves.
func (h *Handler) SecurityHeaders(c *fiber.Ctx) error {
	SetSecurityHeaders(c, h.SecureCookies)
	err := c.Next()
	if len(c.Response().Header.Peek(fiber.HeaderCacheControl)) == 0 {
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	return err
}

func (h *Handler) secure(c *fiber.Ctx) bool {
	return h.SecureCookies || c.Protocol() == "https"
}

// LoadSession finds the logged-in user from the session cookie and sets the
// CSRF token forms must carry: the session's own token, or for visitors
// without a session a random token in a cookie (double submit), so that
// the login form is protected too.
//
// With a change feed (PostgreSQL), the session and the page stamp come
// from the feed when it knows them, and a request that wrote tells the
// feed and marks the browser fresh (freshCookie).
func (h *Handler) LoadSession(c *fiber.Ctx) error {
	if h.Feed == nil {
		return h.loadSession(c)
	}
	ctx, wrote := models.TrackWrites(c.UserContext())
	c.SetUserContext(ctx)
	err := h.loadSession(c)
	if wrote() {
		h.Feed.Invalidate()
		c.Cookie(&fiber.Cookie{Name: freshCookie, Value: "1", Path: "/", MaxAge: int(freshFor / time.Second),
			HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.secure(c)})
	}
	return err
}

// freshFor is how long a browser that wrote reads from the database: longer
// than a change feed trusts a stamp (models.FeedFresh), so by the time the
// cookie is gone every process's stamp includes the write. Whole seconds,
// as a cookie's Max-Age counts them.
const freshFor = 2 * models.FeedFresh

func (h *Handler) loadSession(c *fiber.Ctx) error {
	if token := c.Cookies(sessionCookie); token != "" {
		var s *models.Session
		var err error
		if h.Feed != nil && c.Cookies(freshCookie) == "" {
			var cached bool
			s, cached, err = h.Feed.FindSession(c.UserContext(), token, h.now())
			metrics.SessionFound(cached)
		} else {
			s, err = models.FindSession(c.UserContext(), h.DB, token, h.now())
		}
		switch {
		case err == nil:
			c.Locals(localSession, s)
			c.Locals(localUser, &s.User)
			c.Locals(localCSRF, s.CSRFToken)
			return c.Next()
		case !errors.Is(err, models.ErrNotFound):
			return err
		}
		h.clearCookie(c, sessionCookie)
	}
	token := c.Cookies(csrfCookie)
	if len(token) < 32 {
		var err error
		if token, err = models.NewToken(); err != nil {
			return err
		}
		c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: token, Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.secure(c)})
	}
	c.Locals(localCSRF, token)
	return c.Next()
}

// CSRF refuses any state-changing request whose form field or header does
// not carry the token set by LoadSession.
// The API has no CSRF check: it authenticates with bearer tokens, which
// browsers never attach on their own.
func (h *Handler) CSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	want := csrfToken(c)
	got := c.FormValue(csrfField)
	if got == "" {
		got = c.Get(csrfHeader)
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		h.Log.Warn("csrf token refused", "path", c.Path(), "ip", c.IP())
		return refuse(fiber.StatusForbidden, "request.csrf")
	}
	return c.Next()
}

// RequireLogin sends visitors without a session to the login page.
func (h *Handler) RequireLogin(c *fiber.Ctx) error {
	if currentUser(c) == nil {
		if c.Method() == fiber.MethodGet {
			return c.Redirect("/login?next="+url.QueryEscape(safeNext(c.OriginalURL())), fiber.StatusSeeOther)
		}
		return refuse(fiber.StatusUnauthorized, "auth.login_required")
	}
	return c.Next()
}

// RequireRole lets through only users with one of roles; it runs after
// RequireLogin or the API's bearer check.
func RequireRole(roles ...string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := currentUser(c)
		if u == nil {
			return refuse(fiber.StatusUnauthorized, "auth.login_required")
		}
		if !slices.Contains(roles, u.Role) {
			return refuse(fiber.StatusForbidden, "forbidden.route_role", "role", u.Role)
		}
		return c.Next()
	}
}

// clearCookie tells the browser to delete cookie name at once. Fasthttp
// writes no Max-Age for a negative MaxAge, which left an empty cookie alive
// until the browser closed; net/http's form carries both an Expires in the
// past and Max-Age=0, and replaces any cookie of that name set before.
func (h *Handler) clearCookie(c *fiber.Ctx, name string) {
	gone := http.Cookie{
		Name: name, Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
		HttpOnly: true, Secure: h.secure(c), SameSite: http.SameSiteLaxMode,
	}
	c.Response().Header.DelCookie(name)
	c.Response().Header.Add(fiber.HeaderSetCookie, gone.String())
}
