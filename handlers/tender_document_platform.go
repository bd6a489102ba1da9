package handlers

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/docanalysis"
	"tenderprobe/models"
)

// ShowTenderAnalysis is the document analysis of a tender built in
// Tenderprobe: its mandatory requirements are what it requests and its
// recommended ones are mentioned (a wish, as in a document, and as the
// monitor counts them), each quoted with its clause. The kinds of ICT are
// chosen on the page, else the officer's choice on the tender's monitor
// view, else suggested from the title, description and scope tags; the
// relevant standards it does not request are missing. Nothing is stored.
func (h *Handler) ShowTenderAnalysis(c *fiber.Ctx) error {
	t, err := h.tenderFor(c)
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
	requested := map[string][]docanalysis.Quote{}
	for i := range t.Requirements {
		r := &t.Requirements[i]
		if r.Standard == nil {
			continue
		}
		requested[r.Standard.Slug] = []docanalysis.Quote{{
			Text: r.ClauseIn(t.Language), Demand: r.Level == models.LevelMandatory,
			Section: tr(c, "docanalysis.platform_section", map[string]any{"level": r.Level}),
		}}
	}
	info := docanalysis.DocumentInfo{Name: t.Title, Language: t.Language, Kinds: opt.Profiles}
	if len(opt.Profiles) == 0 && c.Query("kinds") != "chosen" {
		kinds, chosen, err := models.TenderKinds(c.UserContext(), h.DB, t.ID)
		if err != nil {
			return err
		}
		info.Kinds = kinds
		if !chosen {
			text := &docanalysis.Document{Segments: []docanalysis.Segment{
				{Text: t.Title}, {Text: t.Description}, {Text: strings.Join(t.ScopeTags, ", ")},
			}}
			info.Kinds, info.KindsSuggested = e.SuggestProfilesAtLeast(text, 1), true
		}
	}
	res := e.WithRequested(info, requested)
	return h.render(c, fiber.StatusOK, "tender_documents/show", "title.docanalysis_tender", fiber.Map{
		"Tender": t, "Report": h.documentReportOf(c, res, stds), "Action": "/tenders/" + itoaID(t.ID) + "/analysis",
	})
}
