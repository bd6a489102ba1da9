// Package handlers holds the thin Fiber handlers of the web UI and the JSON
// API: each parses the request, checks who may do it, calls one models
// function and renders or redirects. Middleware for sessions, CSRF, roles and
// security headers lives here too because it shares the session model.
package handlers

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

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
	LoginFailuresPerIP      int
	LoginWindow             time.Duration
	// Profiles are the preset requirement sets officers can apply.
	Profiles []models.Profile
	// Now tells the time; tests fix it so PDFs are reproducible.
	Now func() time.Time
	// Attest holds the attestation pages' evidence store, mailer and limits.
	Attest AttestSettings
	// Verify connects the handlers to the verification queue.
	Verify VerifySettings
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
// needs (user, CSRF token, flash message) added to data.
func (h *Handler) render(c *fiber.Ctx, status int, page, title string, data fiber.Map) error {
	if data == nil {
		data = fiber.Map{}
	}
	data["Title"] = title
	data["User"] = currentUser(c)
	data["CSRF"] = csrfToken(c)
	data["Path"] = c.Path()
	if _, ok := data["Flash"]; !ok {
		data["Flash"] = flashFrom(c)
	}
	if _, ok := data["Errors"]; !ok {
		data["Errors"] = map[string]string{}
	}
	c.Status(status)
	return c.Render(page, data, "layouts/main")
}

// paramID parses the route parameter name as a positive id; anything else
// is a 404 because no such record can exist.
func paramID(c *fiber.Ctx, name string) (uint, error) {
	n, err := strconv.ParseUint(c.Params(name), 10, 32)
	if err != nil || n == 0 {
		return 0, fiber.NewError(fiber.StatusNotFound, "No such page.")
	}
	return uint(n), nil
}

// fieldErrors turns a validation error into the map the templates show next
// to each field; ok is false for any other error.
func fieldErrors(err error) (map[string]string, bool) {
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		return nil, false
	}
	field := ve.Field
	if field == "" {
		field = "form"
	}
	return map[string]string{field: ve.Message}, true
}

// statusOf maps an error from models or Fiber to the HTTP status and the
// message shown to the user. It is the one place not-found becomes 404.
func statusOf(err error) (int, string) {
	var fe *fiber.Error
	var ve *models.ValidationError
	switch {
	case errors.As(err, &fe) && fe == fiber.ErrNotFound:
		return fe.Code, "There is no page at this address."
	case errors.As(err, &fe):
		return fe.Code, fe.Message
	case errors.As(err, &ve):
		return fiber.StatusUnprocessableEntity, ve.Error()
	case errors.Is(err, models.ErrNotFound):
		return fiber.StatusNotFound, "Not found."
	case errors.Is(err, models.ErrLocked):
		return fiber.StatusConflict, "This tender is published and can no longer change. Amend it to make a new revision."
	case errors.Is(err, models.ErrConflict):
		return fiber.StatusConflict, "This clashes with existing data: " + lastPart(err)
	case errors.Is(err, models.ErrForbidden):
		return fiber.StatusForbidden, "Your role does not allow this."
	case errors.Is(err, models.ErrInvalidCredentials):
		return fiber.StatusUnauthorized, models.ErrInvalidCredentials.Error()
	}
	return fiber.StatusInternalServerError, "Something went wrong on our side. It has been logged."
}

// lastPart keeps the human part of a wrapped models error
// ("models: create org \"x\": conflict" -> "create org \"x\"").
func lastPart(err error) string {
	msg := strings.TrimPrefix(err.Error(), "models: ")
	if i := strings.LastIndex(msg, ": "); i > 0 {
		msg = msg[:i]
	}
	return msg
}

// isAPI reports whether the request is for the JSON API, whose errors are JSON.
func isAPI(c *fiber.Ctx) bool {
	return strings.HasPrefix(c.Path(), "/api/")
}

// ErrorHandler is the app's single Fiber ErrorHandler: it renders an HTML
// error page or a JSON error, and logs server errors.
func (h *Handler) ErrorHandler(c *fiber.Ctx, err error) error {
	status, msg := statusOf(err)
	if status == fiber.StatusRequestEntityTooLarge {
		msg = fmt.Sprintf("The request body is larger than the limit of %d bytes.", h.BodyLimit)
	}
	if status >= 500 {
		h.Log.Error("request failed", "method", c.Method(), "path", c.Path(), "status", status, "err", err)
	}
	SetSecurityHeaders(c, h.SecureCookies)
	closeUnreadBody(c)
	if isAPI(c) {
		return c.Status(status).JSON(fiber.Map{"error": msg})
	}
	if status == fiber.StatusUnauthorized && currentUser(c) == nil && c.Method() == fiber.MethodGet {
		return c.Redirect("/login?next="+url.QueryEscape(safeNext(c.OriginalURL())), fiber.StatusSeeOther)
	}
	rerr := h.render(c, status, "errors/error", statusTitle(status), fiber.Map{"Status": status, "Message": msg})
	if rerr != nil {
		h.Log.Error("render error page", "err", rerr)
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.Status(status).SendString(msg)
	}
	return nil
}

func statusTitle(status int) string {
	switch status {
	case fiber.StatusNotFound:
		return "Not found"
	case fiber.StatusForbidden:
		return "Not allowed"
	case fiber.StatusConflict:
		return "Cannot change"
	case fiber.StatusTooManyRequests:
		return "Too many attempts"
	case fiber.StatusRequestEntityTooLarge:
		return "Too large"
	}
	if status >= 500 {
		return "Server error"
	}
	return "Request refused"
}

// safeNext keeps a post-login redirect on this site: an absolute path of
// this site, parsed and written out again, or else "/". A scheme, host or
// user info, a path not starting with exactly one "/", and backslashes,
// control characters or blanks (raw or percent-encoded) are refused, as
// browsers read some of them as another host ("/%09/evil.example") and
// line breaks would add headers to the response.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	query, err := url.PathUnescape(u.RawQuery)
	if err != nil || strings.ContainsFunc(next, nonASCII) ||
		strings.ContainsFunc(u.Path+query+u.Fragment, unsafeInNext) {
		return "/"
	}
	if !strings.HasPrefix(u.Path, "/") || strings.Contains(u.Path, "//") {
		return "/"
	}
	clean := url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery, Fragment: u.Fragment}
	return clean.String()
}
