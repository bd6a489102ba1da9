// Package handlers holds the thin Fiber handlers of the web UI and the JSON
// API: each parses the request, checks who may do it, calls one models
// function and renders or redirects. Middleware for sessions, CSRF, roles and
// security headers lives here too because it shares the session model.
package handlers

import (
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"tenderprobe/app/pagecache"
	"tenderprobe/models"
)

// Handler carries the dependencies every handler needs; app wires one.
type Handler struct {
	// DB is the database every request works on.
	DB *gorm.DB
	// Log receives 5xx errors and security events.
	Log *slog.Logger
	// SecureCookies marks cookies Secure; set when the app serves TLS.
	SecureCookies bool
	// SessionTTL is how long a login session lasts.
	SessionTTL time.Duration
	// APITokenTTL is how long an API token stays valid.
	APITokenTTL time.Duration
	// BodyLimit is the request body limit, named in 413 answers.
	BodyLimit int
	// LoginFailuresPerAccount, LoginFailuresPerIP and LoginWindow make the
	// login rate limit.
	LoginFailuresPerAccount int
	// LoginFailuresPerAccountTotal bounds an account's failures from all
	// networks together (LoginFailuresPerAccount counts per network).
	LoginFailuresPerAccountTotal int
	LoginFailuresPerIP           int
	LoginWindow                  time.Duration
	// RequireSecondFactor makes every officer and admin enrol a second
	// factor, whatever their organisation says.
	RequireSecondFactor bool
	// Profiles are the preset requirement sets officers can apply.
	Profiles []models.Profile
	// Now tells the time; tests fix it so PDFs are reproducible.
	Now func() time.Time
	// Attest holds the attestation pages' evidence store, mailer and limits.
	Attest AttestSettings
	// Verify connects the handlers to the verification queue.
	Verify VerifySettings
	// Metrics serves GET /metrics when the app enables it.
	Metrics MetricsSettings
	// SSO signs people in through their organisation's identity provider.
	SSO SSOSettings
	// SBOM holds the OSV export that SBOM pages list vulnerabilities from.
	SBOM SBOMSettings
	// Pages keeps the rendered bodies of the dashboard, the tender page
	// and the review matrix (cachedPage); nil renders every request.
	Pages *pagecache.Cache
	// Feed, on PostgreSQL, knows the page stamp and the sessions without a
	// query (models.ChangeFeed); nil asks the database on every request.
	Feed *models.ChangeFeed
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// Keys of c.Locals set by the middleware.
const (
	localUser    = "tp.user"
	localSession = "tp.session"
	localCSRF    = "tp.csrf"
	// localTokenHash is the hash of the API token a request came with.
	localTokenHash = "tp.token_hash"
)

// currentUser returns the logged-in user (web session or API token), or nil.
func currentUser(c *fiber.Ctx) *models.User {
	u, _ := c.Locals(localUser).(*models.User)
	return u
}

// csrfToken returns the token forms of this request must carry.
func csrfToken(c *fiber.Ctx) string {
	s, _ := c.Locals(localCSRF).(string)
	return s
}

// render renders page inside the main layout with the values every page
// needs (reader's locale, user, CSRF token, flash message) added to data.
func (h *Handler) render(c *fiber.Ctx, status int, page, title string, data fiber.Map) error {
	if data == nil {
		data = fiber.Map{}
	}
	// A title is a message key ("title.tenders"), or a record's own name
	// (a tender's title), shown as it is.
	if hasMessage(title) {
		title = tr(c, title, nil)
	}
	data["Title"] = title
	data["Locale"] = localeOf(c)
	data["User"] = currentUser(c)
	data["CSRF"] = csrfToken(c)
	data["Path"] = c.Path()
	// The language switch comes back to this page; after a refused POST
	// that is the page's own address without the form.
	data["Here"] = c.OriginalURL()
	if c.Method() != fiber.MethodGet {
		data["Here"] = c.Path()
	}
	if _, ok := data["Flash"]; !ok {
		data["Flash"] = flashFrom(c)
	}
	if _, ok := data["Errors"]; !ok {
		data["Errors"] = map[string]string{}
	}
	c.Status(status)
	return c.Render(page, data, "layouts/main")
}

// paramID parses the route parameter name as a positive id. Anything else
// (a word, 0, a sign, more digits than an id has) is a malformed address:
// 400 saying what an id looks like, as for an id in the query (queryID).
// A well-formed id of no record the caller may see is the handler's 404.
func paramID(c *fiber.Ctx, name string) (uint, error) {
	n, err := strconv.ParseUint(c.Params(name), 10, 32)
	if err != nil || n == 0 {
		return 0, refuse(fiber.StatusBadRequest, "request.bad_id", "name", name)
	}
	return uint(n), nil
}

// tenderOfPath is the id of the tender a /tenders/{id}/… path is about.
func tenderOfPath(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/tenders/")
	if !ok {
		return "", false
	}
	id, _, _ := strings.Cut(rest, "/")
	if n, err := strconv.ParseUint(id, 10, 32); err != nil || n == 0 {
		return "", false
	}
	return id, true
}

// refererPath is the path and query of the page a form was sent from, when
// the Referer names this site; "" otherwise (safeNext makes that "/").
func refererPath(c *fiber.Ctx) string {
	u, err := url.Parse(c.Get(fiber.HeaderReferer))
	if err != nil || u.Host != "" && u.Host != c.Hostname() {
		return ""
	}
	return u.RequestURI()
}

// isAPI reports whether the request is for the JSON API, whose errors are JSON.
func isAPI(c *fiber.Ctx) bool {
	return strings.HasPrefix(c.Path(), "/api/")
}

// ErrorHandler is the app's single Fiber ErrorHandler: it renders an HTML
// error page or a JSON error with the words of the error's message key
// (problemOf), and logs server errors.
func (h *Handler) ErrorHandler(c *fiber.Ctx, err error) error {
	p := problemOf(err)
	if p.Key == "http.413" {
		// The server's own limit, before any route ran.
		p.Key, p.Params = "request.too_large", map[string]any{"limit": h.BodyLimit}
	}
	if p.Status >= 500 {
		h.Log.Error("request failed", "method", c.Method(), "path", c.Path(), "status", p.Status, "err", err)
	}
	SetSecurityHeaders(c, h.SecureCookies)
	closeUnreadBody(c)
	// A page's script (autosave) asks for JSON: it gets the words to show
	// beside the field, not an HTML page it cannot read.
	if isAPI(c) || wantsJSON(c) {
		return c.Status(p.Status).JSON(p.json(localeOf(c).Lang))
	}
	if p.Status == fiber.StatusUnauthorized && currentUser(c) == nil && c.Method() == fiber.MethodGet {
		return c.Redirect("/login?next="+url.QueryEscape(safeNext(c.OriginalURL())), fiber.StatusSeeOther)
	}
	// A change to a sheet published meanwhile (in another tab, by a
	// colleague): back to the tender, which now says it is published and
	// offers the amendment, with a note that the change was not made.
	if id, ok := tenderOfPath(c.Path()); ok && p.Key == "state.tender_locked" && c.Method() == fiber.MethodPost {
		return c.Redirect("/tenders/"+id+"?flash=not_changed_published", fiber.StatusSeeOther)
	}
	lang := localeOf(c).Lang
	msg := p.text(lang)
	data := fiber.Map{"Status": p.Status, "Message": msg}
	switch {
	case currentUser(c) != nil:
	case p.Status == fiber.StatusUnauthorized:
		// A form sent after the session ended: back to the page it came
		// from, once logged in again.
		data["LoginURL"] = "/login?next=" + url.QueryEscape(safeNext(refererPath(c)))
		data["LoginNote"], data["LoginText"] = tr(c, "page.session_ended", nil), tr(c, "page.log_in_again", nil)
	case p.Key == "shared.gone":
		// A shared link's reader has no dashboard to go back to.
		data["NoBack"] = true
	case p.Key == "invitation.closed" || p.Key == "invitation.unknown":
		// Whoever set their password with the link logs in instead.
		data["LoginURL"], data["LoginText"] = "/login", tr(c, "title.login", nil)
	}
	rerr := h.render(c, p.Status, "errors/error", statusTitle(lang, p.Status), data)
	if rerr != nil {
		h.Log.Error("render error page", "err", rerr)
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.Status(p.Status).SendString(msg)
	}
	return nil
}
