package handlers

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/docanalysis"
)

// ShowTenderAnalysis is the document analysis of a tender built in
// Tenderprobe: its requirements are what it requests (each quoted with
// its clause), the kinds of ICT are chosen on the page or suggested from
// the title, description and scope tags, and the relevant standards it
// lacks are missing. Nothing is stored.
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
			Text: r.ClauseIn(t.Language), Demand: true,
			Section: tr(c, "docanalysis.platform_section", map[string]any{"level": r.Level}),
		}}
	}
	info := docanalysis.DocumentInfo{Name: t.Title, Language: t.Language, Kinds: opt.Profiles}
	if len(opt.Profiles) == 0 && c.Query("kinds") != "chosen" {
		text := &docanalysis.Document{Segments: []docanalysis.Segment{
			{Text: t.Title}, {Text: t.Description}, {Text: strings.Join(t.ScopeTags, ", ")},
		}}
		info.Kinds, info.KindsSuggested = e.SuggestProfilesAtLeast(text, 1), true
	}
	res := e.WithRequested(info, requested)
	return h.render(c, fiber.StatusOK, "tender_documents/show", "title.docanalysis_tender", fiber.Map{
		"Tender": t, "Report": h.documentReportOf(c, res, stds), "Action": "/tenders/" + itoaID(t.ID) + "/analysis",
	})
}
