package handlers

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/i18n"
	"tenderprobe/models"
)

// Cookies of a visitor's language and time zone. tp_lang is set by the
// language switch; tp_tz by app.js from the browser's own zone, so a
// reader without an account setting sees times in the zone of their
// device.
const (
	langCookie = "tp_lang"
	zoneCookie = "tp_tz"
)

const localLocale = "tp.locale"

// Locale is who reads a page: the language words are written in and the
// time zone times are shown in.
type Locale struct {
	Lang string
	Zone *time.Location
}

// ZoneName is the IANA name of the reader's zone, for the page footer.
func (l Locale) ZoneName() string { return l.Zone.String() }

// localeOf is the reader of this request: a signed-in user's chosen
// language and zone, else the language switch's cookie, else the
// browser's Accept-Language and zone (cookie set by app.js), else English
// and UTC. Computed once per request.
func localeOf(c *fiber.Ctx) Locale {
	if l, ok := c.Locals(localLocale).(Locale); ok {
		return l
	}
	var userLang, userZone string
	if u := currentUser(c); u != nil {
		userLang, userZone = u.Language, u.TimeZone
	}
	l := Locale{
		Lang: messages.Negotiate(c.Get(fiber.HeaderAcceptLanguage), userLang, c.Cookies(langCookie)),
		Zone: time.UTC,
	}
	for _, z := range []string{userZone, browserZone(c)} {
		if loc, ok := models.Zone(z); ok {
			l.Zone = loc
			break
		}
	}
	c.Locals(localLocale, l)
	return l
}

// tr is the message key in the reader's language.
func tr(c *fiber.Ctx, key string, params map[string]any) string {
	return messages.Text(localeOf(c).Lang, key, params)
}

// languageChoice is one entry of the language switch: the tag and the
// language's name in its own words.
type languageChoice struct {
	Tag, Name string
}

// languageChoices are the languages there are, each named in itself.
func languageChoices() []languageChoice {
	out := []languageChoice{}
	for _, tag := range messages.Languages() {
		out = append(out, languageChoice{Tag: tag, Name: messages.Text(tag, "language.name", nil)})
	}
	return out
}

// SwitchLanguage is the language switch of every page: it remembers the
// choice in a cookie, and for a signed-in user as their account setting,
// then goes back to the page the reader was on.
func (h *Handler) SwitchLanguage(c *fiber.Ctx) error {
	lang := c.FormValue("lang")
	if !messages.Supported(lang) {
		return refuse(fiber.StatusUnprocessableEntity, "language.unknown", "value", lang)
	}
	if u := currentUser(c); u != nil {
		if _, err := models.SetPreferences(c.UserContext(), h.DB, u, lang, u.TimeZone, h.now()); err != nil {
			return err
		}
		u.Language = lang
	}
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.secure(c)})
	return c.Redirect(safeNext(c.FormValue("next")), fiber.StatusSeeOther)
}

// messages is every language's message catalogue, embedded.
var messages = i18n.Messages()

// browserZone is the zone app.js read from the browser (tp_tz), which it
// writes URL-encoded: "Europe/Amsterdam" arrives as "Europe%2FAmsterdam".
func browserZone(c *fiber.Ctx) string {
	raw := c.Cookies(zoneCookie)
	if z, err := url.PathUnescape(raw); err == nil {
		return z
	}
	return raw
}
