package handlers

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/i18n"
	"tenderprobe/app/sharing"
	"tenderprobe/models"
)

// sharedLinkForm is the form (or JSON body) of a new shared link: a label,
// the kind of view (the annual report when empty), its year (this year
// when empty) and an optional last day, a date in the creator's zone.
type sharedLinkForm struct {
	Kind      string `json:"kind"`
	Label     string `json:"label"`
	Year      string `json:"-"`
	ExpiresOn string `json:"expires_on"`
	// Org is one buyer organisation's id (admins and auditors), "" for
	// every buyer; an officer's link is always of their own.
	Org string `json:"-"`
}

// input checks the form and turns it into what the models store. The
// link answers until the end of ExpiresOn in zone.
func (f sharedLinkForm) input(now time.Time, zone *time.Location) (models.SharedLinkInput, error) {
	in := models.SharedLinkInput{Kind: strings.TrimSpace(f.Kind), Label: f.Label, Year: now.In(zone).Year()}
	if in.Kind == "" {
		in.Kind = sharing.Codes()[0]
	}
	if _, ok := sharing.Lookup(in.Kind); !ok {
		return in, invalidInput("kind", "not_one_of", "value", in.Kind, "allowed", strings.Join(sharing.Codes(), ", "))
	}
	if y := strings.TrimSpace(f.Year); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || len(y) != 4 {
			return in, invalidInput("year", "out_of_range", "min", 1900, "max", 9999)
		}
		in.Year = n
	}
	if o := strings.TrimSpace(f.Org); o != "" {
		n, err := strconv.ParseUint(o, 10, 32)
		if err != nil || n == 0 {
			return in, invalidInput("org", "not_a_choice")
		}
		id := uint(n)
		in.OrgID = &id
	}
	if d := strings.TrimSpace(f.ExpiresOn); d != "" {
		day, err := time.ParseInLocation(time.DateOnly, d, zone)
		if err != nil {
			return in, invalidInput("expires_on", "not_a_date", "value", d)
		}
		end := day.AddDate(0, 0, 1)
		if !end.After(now) {
			return in, invalidInput("expires_on", "in_the_past", "value", i18n.Day(d))
		}
		in.ExpiresAt = &end
	}
	return in, nil
}

// sharedLinkURL is the public address of a link's token: under the
// configured public address, else under the one the creator is using.
func (h *Handler) sharedLinkURL(c *fiber.Ctx, token string) string {
	base := h.Attest.BaseURL
	if base == "" {
		base = c.BaseURL()
	}
	return base + "/shared/" + token
}

// ListSharedLinks shows the shared links the caller may manage, with the
// form to make one.
func (h *Handler) ListSharedLinks(c *fiber.Ctx) error {
	return h.renderSharedLinks(c, fiber.StatusOK, fiber.Map{"Flash": flashOf(c, "shared_")})
}

func (h *Handler) renderSharedLinks(c *fiber.Ctx, status int, data fiber.Map) error {
	u := currentUser(c)
	links, err := models.ListSharedLinks(c.UserContext(), h.DB, u)
	if err != nil {
		return err
	}
	scope, err := models.SharingScope(u)
	if err != nil {
		return err
	}
	data["Links"], data["Now"], data["AllBuyers"] = links, h.now(), scope == nil
	data["Kinds"] = sharing.Codes()
	if scope == nil {
		orgs, err := models.ListBuyerOrgs(c.UserContext(), h.DB)
		if err != nil {
			return err
		}
		data["Orgs"] = orgs
	}
	if _, ok := data["Form"]; !ok {
		data["Form"] = sharedLinkForm{Kind: sharing.Codes()[0], Year: strconv.Itoa(h.now().In(localeOf(c).Zone).Year())}
	}
	return h.render(c, status, "shared/links", "title.shared_links", data)
}

// CreateSharedLink makes a shared link and shows its address once: only
// the hash of its token is stored.
func (h *Handler) CreateSharedLink(c *fiber.Ctx) error {
	form := sharedLinkForm{Kind: c.FormValue("kind"), Label: c.FormValue("label"), Year: c.FormValue("year"), ExpiresOn: c.FormValue("expires_on"),
		Org: c.FormValue("org")}
	in, err := form.input(h.now(), localeOf(c).Zone)
	if err == nil {
		var l *models.SharedLink
		var token string
		l, token, err = models.CreateSharedLink(c.UserContext(), h.DB, currentUser(c), in, h.now())
		if err == nil {
			h.Log.Info("shared link created", "link", l.ID, "user", currentUser(c).ID)
			return h.renderSharedLinks(c, fiber.StatusCreated, fiber.Map{"Created": l, "Link": h.sharedLinkURL(c, token)})
		}
	}
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderSharedLinks(c, fiber.StatusUnprocessableEntity, fiber.Map{"Errors": errs, "Form": form})
	}
	return err
}

// RevokeSharedLink takes a link down at once; a link of another
// organisation is 404.
func (h *Handler) RevokeSharedLink(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := models.RevokeSharedLink(c.UserContext(), h.DB, currentUser(c), id, h.now()); err != nil {
		return err
	}
	h.Log.Info("shared link revoked", "link", id, "user", currentUser(c).ID)
	return c.Redirect("/shared-links?flash=revoked", fiber.StatusSeeOther)
}
