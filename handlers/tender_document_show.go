package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ShowTenderDocument shows an analysis: each standard's status with its
// quotes, and the relevant standards that are missing with the clause to
// add. The officer may choose other kinds of ICT (?profile=); the page
// then works out relevance again without changing what is stored.
func (h *Handler) ShowTenderDocument(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	d, err := models.FindTenderDocument(c.UserContext(), h.DB, currentUser(c), id)
	if err != nil {
		return err
	}
	return h.renderTenderDocument(c, fiber.StatusOK, d, nil)
}

// renderTenderDocument renders the report of d with data added.
func (h *Handler) renderTenderDocument(c *fiber.Ctx, status int, d *models.TenderDocument, data fiber.Map) error {
	res, err := documentResult(d)
	if err != nil {
		return err
	}
	e, stds, err := h.documentEngine(c)
	if err != nil {
		return err
	}
	opt, err := h.documentOptions(c)
	if err != nil {
		return err
	}
	if len(opt.Profiles) > 0 || c.Query("kinds") == "chosen" {
		e.SetKinds(res, opt.Profiles)
	}
	mails, err := models.ListAnalysisMails(c.UserContext(), h.DB, models.DocumentTarget(d))
	if err != nil {
		return err
	}
	if data == nil {
		data = fiber.Map{}
	}
	data["Document"] = d
	data["Report"] = h.documentReportOf(c, res, stds)
	data["Action"] = "/tender-documents/" + itoaID(d.ID)
	data["CanStartTender"] = currentUser(c).CanCreateTender()
	data["Mails"] = mails
	data["MailPath"] = data["Action"].(string) + "/mail" + kindsQuery(c, opt)
	data["CanMail"] = currentUser(c).MayMailAnalyses()
	if _, ok := data["Flash"]; !ok {
		data["Flash"] = mailedFlash(c)
	}
	return h.render(c, status, "tender_documents/show", d.Name, data)
}
