package handlers

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ShowAccount is the signed-in user's own settings: the interface
// language and the time zone times are shown in.
func (h *Handler) ShowAccount(c *fiber.Ctx) error {
	u := currentUser(c)
	return h.renderAccount(c, fiber.StatusOK, fiber.Map{"Language": u.Language, "TimeZone": u.TimeZone})
}

// SaveAccountPreferences stores the language and time zone the user chose.
func (h *Handler) SaveAccountPreferences(c *fiber.Ctx) error {
	// Both fields are on the form; a request without them is not the
	// form (an empty value is a choice: follow the browser).
	if !formHas(c, "language") || !formHas(c, "time_zone") {
		return invalidInput("form", "incomplete_form")
	}
	lang, zone := c.FormValue("language"), c.FormValue("time_zone")
	u, err := models.SetPreferences(c.UserContext(), h.DB, currentUser(c), lang, zone, h.now())
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderAccount(c, fiber.StatusUnprocessableEntity, fiber.Map{"Language": lang, "TimeZone": zone, "Errors": errs})
	}
	if err != nil {
		return err
	}
	// The reader changed: the next page is in the new language and zone.
	c.Locals(localUser, u)
	c.Locals(localLocale, nil)
	return c.Redirect("/account?flash=preferences_saved", fiber.StatusSeeOther)
}

func (h *Handler) renderAccount(c *fiber.Ctx, status int, data fiber.Map) error {
	if err := h.secondFactorData(c, data); err != nil {
		return err
	}
	data["Languages"] = languageChoices()
	data["Zones"] = timeZones()
	data["BrowserLang"] = messages.Negotiate(c.Get(fiber.HeaderAcceptLanguage))
	data["BrowserZone"] = browserZone(c)
	if _, ok := data["Flash"]; !ok {
		data["Flash"] = flashOf(c, "")
	}
	return h.render(c, status, "account/show", "title.account", data)
}

// timeZones are the zone names offered on the account page: the
// canonical IANA zones, from the zone database built into the binary.
func timeZones() []string { return models.TimeZones() }

// formHas reports whether the form sent field at all, even empty.
func formHas(c *fiber.Ctx, field string) bool {
	if c.Request().PostArgs().Has(field) {
		return true
	}
	if f, err := c.MultipartForm(); err == nil {
		_, ok := f.Value[field]
		return ok
	}
	return false
}

// secondFactorData adds the state of the user's second factor to the
// account page: off, being set up (the secret for manual entry, in groups
// of four), or on (how many recovery codes are left).
func (h *Handler) secondFactorData(c *fiber.Ctx, data fiber.Map) error {
	u := currentUser(c)
	if _, ok := data["Language"]; !ok {
		data["Language"], data["TimeZone"] = u.Language, u.TimeZone
	}
	for _, k := range []string{"TOTPErrors", "DisableErrors"} {
		if _, ok := data[k]; !ok {
			data[k] = map[string]string{}
		}
	}
	data["SecondFactor"] = u.HasTOTP()
	data["MustEnrol"] = u.MustEnrol(h.RequireSecondFactor)
	if u.TOTPPending != "" {
		data["TOTPSecret"] = groupsOf(u.TOTPPending, 4)
	}
	if u.HasTOTP() {
		n, err := models.RecoveryCodesLeft(c.UserContext(), h.DB, u)
		if err != nil {
			return err
		}
		data["RecoveryLeft"] = n
	}
	return h.passkeyData(c, data)
}

// groupsOf writes s in groups of n characters, for reading aloud or typing.
func groupsOf(s string, n int) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%n == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
