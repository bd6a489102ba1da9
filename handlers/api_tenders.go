package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// APIListTenders lists the tenders the caller may see.
func (h *Handler) APIListTenders(c *fiber.Ctx) error {
	tenders, err := models.ListTenders(c.UserContext(), h.DB, currentUser(c))
	if err != nil {
		return err
	}
	out := make([]tenderJSON, len(tenders))
	for i := range tenders {
		out[i] = tenderOf(&tenders[i], false, currentUser(c))
	}
	return c.JSON(fiber.Map{"tenders": out})
}

// APIShowTender returns one tender with its requirements.
func (h *Handler) APIShowTender(c *fiber.Ctx) error {
	t, err := h.tenderFor(c)
	if err != nil {
		return err
	}
	return c.JSON(tenderOf(t, true, currentUser(c)))
}

// APICreateTender creates a draft tender. Its "deadline" is a day
// (YYYY-MM-DD: 23:59 in the tender's zone) or an RFC 3339 instant;
// "deadline_zone", an IANA name, is the tender's zone, by default the
// buyer's.
func (h *Handler) APICreateTender(c *fiber.Ctx) error {
	var in struct {
		Title               string   `json:"title"`
		Reference           string   `json:"reference"`
		Description         string   `json:"description"`
		Deadline            string   `json:"deadline"`
		DeadlineZone        string   `json:"deadline_zone"`
		EstimatedValueCents int64    `json:"estimated_value_cents"`
		Currency            string   `json:"currency"`
		ScopeTags           []string `json:"scope_tags"`
		BuyerOrgID          uint     `json:"buyer_org_id"`
		Language            string   `json:"language"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	// A deadline it cannot read is reported with the other fields'
	// problems (Unreadable), so the answer lists them all; the models
	// refuse an empty title.
	deadline, day, deadlineErr := parseDeadline(in.Deadline)
	ctx := c.UserContext()
	t, err := models.CreateTender(ctx, h.DB, currentUser(c), models.TenderInput{
		BuyerOrgID: in.BuyerOrgID, Title: in.Title, Reference: in.Reference, Description: in.Description,
		EstimatedValueCents: in.EstimatedValueCents, Currency: in.Currency, ScopeTags: in.ScopeTags,
		Deadline: deadline, DeadlineDate: day, DeadlineZone: in.DeadlineZone, Language: in.Language, Unreadable: deadlineErr,
	}, h.now())
	if err != nil {
		return err
	}
	if t, err = models.FindTender(ctx, h.DB, t.ID); err != nil {
		return err
	}
	c.Location(fmt.Sprintf("/api/v1/tenders/%d", t.ID))
	return c.Status(fiber.StatusCreated).JSON(tenderOf(t, true, currentUser(c)))
}

// APIAddRequirement adds a catalogue standard to a draft tender's sheet.
func (h *Handler) APIAddRequirement(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	var in struct {
		Standard     string `json:"standard"`
		Level        string `json:"level"`
		CustomClause string `json:"custom_clause"`
		Note         string `json:"note"`
		NotePublic   bool   `json:"note_public"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := required([2]string{"standard", in.Standard}, [2]string{"level", in.Level}); err != nil {
		return err
	}
	r, err := models.AddRequirement(c.UserContext(), h.DB, currentUser(c), t.ID, models.RequirementInput{
		Standard: in.Standard, Level: in.Level, CustomClause: in.CustomClause, Note: in.Note, NotePublic: in.NotePublic,
	}, h.now())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(requirementOf(r, t.Language, currentUser(c)))
}

// APIPublishTender publishes a draft tender, freezing its sheet.
func (h *Handler) APIPublishTender(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	t, err = models.PublishTender(c.UserContext(), h.DB, currentUser(c), t.ID, h.now())
	if err != nil {
		return err
	}
	return c.JSON(tenderOf(t, true, currentUser(c)))
}
