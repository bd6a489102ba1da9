package handlers

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/pagecache"
	"tenderprobe/models"
)

// pageMaxAge bounds how long a cached page body is kept even when nothing
// it shows has changed and no deadline is near: a bound on the harm of a
// clock dependence the horizon does not know of.
const pageMaxAge = 5 * time.Minute

// csrfMark stands for the CSRF token in a cached body: the body is shared
// by a reader's sessions, the token is each session's own. Random per
// process, letters and digits only, so escaping leaves it as it is.
var csrfMark = func() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "csrf" + hex.EncodeToString(b)
}()

// contentMark stands for the page body in the layout of a cached page.
var contentMark = func() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "content" + hex.EncodeToString(b)
}()

// pageBuilder loads what a page shows and returns its title (a message
// key or a record's own name, as for render) and its data.
type pageBuilder func() (title string, data fiber.Map, err error)

// cachedPage renders page inside the main layout like render, keeping the
// page body in h.Pages under a key of everything the body can depend on:
// the page, the reader (user id, role, organisation), language and zone,
// the address with its query, and models.PageStamp, which changes with
// every committed write to any table a page shows, by any process. An
// entry is true from its render until the next instant at which a tender
// deadline changes what a page says (pageHorizon). On a hit the only
// query is the session's, which reads the stamp; the layout (title, user,
// flash, CSRF token) is rendered per request. Without h.Pages each request
// renders the page, kept by nobody; for anything but GET or a visitor it
// is build and render.
func (h *Handler) cachedPage(c *fiber.Ctx, page string, build pageBuilder) error {
	if c.Method() != fiber.MethodGet || currentUser(c) == nil {
		title, data, err := build()
		if err != nil {
			return err
		}
		return h.render(c, fiber.StatusOK, page, title, data)
	}
	now := h.now()
	if h.Pages == nil {
		e, err := h.renderPage(c, page, build, now)
		if err != nil {
			return err
		}
		return h.sendPage(c, e)
	}
	u, loc := currentUser(c), localeOf(c)
	stamp, err := h.pageStamp(c)
	if err != nil {
		return err
	}
	var org uint
	if u.OrgID != nil {
		org = *u.OrgID
	}
	key := fmt.Sprintf("%s\x00%d\x00%s\x00%d\x00%s\x00%s\x00%s\x00%d", page, u.ID, u.Role, org, loc.Lang, loc.Zone, c.OriginalURL(), stamp)
	e, ok := h.Pages.Get(key, now)
	if !ok {
		e, err = h.Pages.Fill(key, func() (*pagecache.Entry, error) { return h.renderPage(c, page, build, now) })
		if err != nil {
			return err
		}
		if !e.ValidAt(now) {
			// Shared from a render at another clock reading.
			if e, err = h.renderPage(c, page, build, now); err != nil {
				return err
			}
		}
	}
	return h.sendPage(c, e)
}

// sendPage answers with e's body inside the layout, rendered for this
// request (title, user, flash, CSRF token). A large body goes compressed
// to a browser that takes gzip, from the entry's kept compressed parts.
func (h *Handler) sendPage(c *fiber.Ctx, e *pagecache.Entry) error {
	flash := e.Flash
	if flash == "" {
		flash = flashFrom(c)
	}
	token := csrfToken(c)
	data := fiber.Map{
		"Title": e.Title, "Locale": localeOf(c), "User": currentUser(c), "CSRF": token, "Path": c.Path(), "Here": c.OriginalURL(),
		"Flash": flash, "Errors": map[string]string{}, "Content": template.HTML(contentMark), //nolint:gosec // a constant
	}
	var layout bytes.Buffer
	if err := c.App().Config().Views.Render(&layout, "layouts/main", data); err != nil {
		return err
	}
	head, tail, ok := strings.Cut(layout.String(), contentMark)
	if !ok {
		return fmt.Errorf("handlers: the layout does not show the page's content")
	}
	c.Status(fiber.StatusOK)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	if e.Compressed() {
		c.Vary(fiber.HeaderAcceptEncoding)
		// No Accept-Encoding means any encoding to Fiber (RFC 9110), but a
		// client that names none is not sent gzip.
		if c.Get(fiber.HeaderAcceptEncoding) != "" && c.AcceptsEncodings("gzip") == "gzip" {
			c.Set(fiber.HeaderContentEncoding, "gzip")
			return c.Send(e.AppendGzip(make([]byte, 0, e.GzipLen(len(head), len(token), len(tail))), head, token, tail))
		}
	}
	// The answer is assembled in one buffer of its final size: a review
	// matrix is megabytes, and passing it through the layout template
	// copied it several times per request.
	out := make([]byte, 0, len(head)+e.Len(len(token))+len(tail))
	out = append(out, head...)
	out = e.AppendBody(out, token)
	out = append(out, tail...)
	return c.Send(out)
}

// pageStamp is the stamp the session's query read, or a query of its own
// for a request without a session.
func (h *Handler) pageStamp(c *fiber.Ctx) (int64, error) {
	if s, ok := c.Locals(localSession).(*models.Session); ok && s != nil {
		return s.PageStamp, nil
	}
	return models.PageStamp(c.UserContext(), h.DB)
}

// renderPage builds and renders page's body, with csrfMark for the token;
// the body is true until its horizon when h.Pages keeps it.
func (h *Handler) renderPage(c *fiber.Ctx, page string, build pageBuilder, now time.Time) (*pagecache.Entry, error) {
	title, data, err := build()
	if err != nil {
		return nil, err
	}
	until := now
	if h.Pages != nil {
		deadlines, err := models.FutureDeadlines(c.UserContext(), h.DB, now)
		if err != nil {
			return nil, err
		}
		until = pageHorizon(now, deadlines, h.reminderWindow())
	}
	if hasMessage(title) {
		title = tr(c, title, nil)
	}
	flash, _ := data["Flash"].(string)
	data["Title"] = title
	data["Locale"] = localeOf(c)
	data["User"] = currentUser(c)
	data["CSRF"] = csrfMark
	data["Path"] = c.Path()
	data["Here"] = c.OriginalURL()
	data["Flash"] = flash
	if _, ok := data["Errors"]; !ok {
		data["Errors"] = map[string]string{}
	}
	var body bytes.Buffer
	if err := c.App().Config().Views.Render(&body, page, data); err != nil {
		return nil, err
	}
	e := &pagecache.Entry{
		Parts: strings.Split(body.String(), csrfMark),
		Title: title, Flash: flash,
		From: now, Until: until,
	}
	if body.Len() >= pagecache.MinCompress {
		if err := e.Compress(); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// pageHorizon is the first instant after now at which a page rendered at
// now may read differently without any write: the pages compare tender
// deadlines with the clock (a deadline passed, a reminder within window
// of it, "due in 5 hours" and "in 3 days", which change on the whole
// hours before a deadline), so every such instant of every future
// deadline ends the page's truth, and none lasts beyond pageMaxAge. Each
// instant counts twice, at it and a nanosecond after, since some
// comparisons change at the instant and others just after it.
func pageHorizon(now time.Time, deadlines []time.Time, window time.Duration) time.Time {
	until := now.Add(pageMaxAge)
	consider := func(t time.Time) {
		for _, u := range []time.Time{t, t.Add(time.Nanosecond)} {
			if u.After(now) && u.Before(until) {
				until = u
			}
		}
	}
	for _, d := range deadlines {
		if d.Before(now) {
			continue
		}
		consider(d.Add(-window))
		// The whole hour before d next reached, at or after now.
		consider(d.Add(-d.Sub(now).Truncate(time.Hour)))
	}
	return until
}
