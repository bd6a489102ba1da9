package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// APIListSharedLinks lists the shared links the caller may manage: label,
// kind, year, scope, dates and the first characters of the token, never
// the token or its hash.
func (h *Handler) APIListSharedLinks(c *fiber.Ctx) error {
	links, err := models.ListSharedLinks(c.UserContext(), h.DB, currentUser(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"shared_links": links})
}

// APICreateSharedLink is POST /api/v1/shared-links: "label" (required),
// "kind" ("annual" when empty, or "monitor"), "year" (this year when 0),
// "org_id" (admins and auditors: one buyer organisation; 0 every buyer) and
// "expires_on" (YYYY-MM-DD in the caller's zone, optional). The answer
// holds the link's address, the only time it is shown.
func (h *Handler) APICreateSharedLink(c *fiber.Ctx) error {
	var body struct {
		sharedLinkForm
		Year  int  `json:"year"`
		OrgID uint `json:"org_id"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	form := body.sharedLinkForm
	if body.Year != 0 {
		form.Year = strconv.Itoa(body.Year)
	}
	if body.OrgID != 0 {
		form.Org = strconv.FormatUint(uint64(body.OrgID), 10)
	}
	in, err := form.input(h.now(), localeOf(c).Zone)
	if err != nil {
		return err
	}
	l, token, err := models.CreateSharedLink(c.UserContext(), h.DB, currentUser(c), in, h.now())
	if err != nil {
		return err
	}
	h.Log.Info("shared link created", "link", l.ID, "user", currentUser(c).ID)
	url := h.sharedLinkURL(c, token)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"shared_link": l, "url": url,
		"files": sharedFiles(url, l.Kind)})
}

// sharedFiles are the addresses of a link's files: {kind}.csv, .json and
// .pdf, and for the monitor its further tables and the workbook.
func sharedFiles(url, kind string) fiber.Map {
	files := fiber.Map{"csv": url + "/" + kind + ".csv", "json": url + "/" + kind + ".json", "pdf": url + "/" + kind + ".pdf"}
	if kind == "monitor" {
		files["xlsx"] = url + "/monitor.xlsx"
		files["standards_csv"] = url + "/monitor-standards.csv"
		files["explanations_csv"] = url + "/monitor-explanations.csv"
	}
	return files
}

// APIRevokeSharedLink takes a link down at once (204); a link of another
// organisation is 404.
func (h *Handler) APIRevokeSharedLink(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := models.RevokeSharedLink(c.UserContext(), h.DB, currentUser(c), id, h.now()); err != nil {
		return err
	}
	h.Log.Info("shared link revoked", "link", id, "user", currentUser(c).ID)
	return c.SendStatus(fiber.StatusNoContent)
}
