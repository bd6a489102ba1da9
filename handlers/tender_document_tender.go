package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

func itoaID(id uint) string { return strconv.FormatUint(uint64(id), 10) }

// StartTenderFromDocument creates a draft tender in Tenderprobe whose
// sheet demands the relevant standards the analysed document misses (for
// the kinds of ICT the page showed), and opens it.
func (h *Handler) StartTenderFromDocument(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	u := currentUser(c)
	d, err := models.FindTenderDocument(c.UserContext(), h.DB, u, id)
	if err != nil {
		return err
	}
	res, err := documentResult(d)
	if err != nil {
		return err
	}
	e, _, err := h.documentEngine(c)
	if err != nil {
		return err
	}
	opt, err := h.documentOptions(c)
	if err != nil {
		return err
	}
	if c.FormValue("kinds") == "chosen" {
		e.SetKinds(res, opt.Profiles)
	}
	in := models.TenderInput{
		Title:       tr(c, "docanalysis.tender_title", map[string]any{"name": d.Name}),
		Description: tr(c, "docanalysis.tender_description", map[string]any{"name": d.Name}),
		Language:    documentLanguage(res.Document.Language),
	}
	t, err := models.StartTenderWith(c.UserContext(), h.DB, u, in, res.Missing, h.now())
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderTenderDocument(c, fiber.StatusUnprocessableEntity, d, fiber.Map{"Errors": errs})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/tenders/"+itoaID(t.ID)+"?flash=docanalysis_tender_started", fiber.StatusSeeOther)
}
