package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/docanalysis"
	"tenderprobe/app/monitor"
	"tenderprobe/models"
)

// kindsChoice reads the kinds of ICT chosen on an analysis page: the
// profiles of opt, chosen when there are any or the form says so.
func kindsChoice(c *fiber.Ctx, opt docanalysis.Options) monitor.KindsChoice {
	return monitor.KindsChoice{Kinds: opt.Profiles, Chosen: len(opt.Profiles) > 0 || c.Query("kinds", c.FormValue("kinds")) == "chosen"}
}

// tenderAnalysis is the analysis of the platform tender t with the kinds
// of ICT chosen on the page, its quotes' levels in lang
// (monitor.TenderAnalysis).
func (h *Handler) tenderAnalysis(c *fiber.Ctx, t *models.Tender, lang string) (*docanalysis.Result, []models.Standard, error) {
	e, stds, err := h.documentEngine(c)
	if err != nil {
		return nil, nil, err
	}
	opt, err := h.documentOptions(c)
	if err != nil {
		return nil, nil, err
	}
	res, err := monitor.TenderAnalysis(c.UserContext(), h.DB, e, t, kindsChoice(c, opt), lang)
	if err != nil {
		return nil, nil, err
	}
	return res, stds, nil
}

// ShowTenderAnalysis is the document analysis of a tender built in
// Tenderprobe (monitor.TenderAnalysis: its mandatory requirements are
// requested, its recommended ones mentioned), with the kinds of ICT
// chosen on the page, and the mails of it sent so far. Nothing is stored.
func (h *Handler) ShowTenderAnalysis(c *fiber.Ctx) error {
	t, err := h.tenderFor(c)
	if err != nil {
		return err
	}
	res, stds, err := h.tenderAnalysis(c, t, localeOf(c).Lang)
	if err != nil {
		return err
	}
	opt, err := h.documentOptions(c)
	if err != nil {
		return err
	}
	mails, err := models.ListAnalysisMails(c.UserContext(), h.DB, models.TenderTarget(t))
	if err != nil {
		return err
	}
	action := "/tenders/" + itoaID(t.ID) + "/analysis"
	return h.render(c, fiber.StatusOK, "tender_documents/show", "title.docanalysis_tender", fiber.Map{
		"Tender": t, "Report": h.documentReportOf(c, res, stds), "Action": action,
		"Mails": mails, "MailPath": action + "/mail" + kindsQuery(c, opt), "CanMail": currentUser(c).MayMailAnalyses(),
		"Flash": mailedFlash(c),
	})
}
