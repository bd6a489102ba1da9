package handlers

import (
	"fmt"
	"slices"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// monitorStandardState is one relevant standard of a tender in the
// monitor: requested, on the sheet only as a recommendation, or missing,
// with the buyer's explanation when missing.
type monitorStandardState struct {
	Slug        string
	Name        string
	State       string
	Explanation string
}

// monitorKind is a kind of ICT on the tender's form.
type monitorKind struct {
	Slug, Name string
	Checked    bool
}

// tenderMonitorData gathers a tender's monitor view: its kinds of ICT
// (chosen or suggested), its relevant standards and what became of each,
// and the explanations for those left out.
func (h *Handler) tenderMonitorData(c *fiber.Ctx, t *models.Tender) (fiber.Map, []string, error) {
	ctx, lang := c.UserContext(), localeOf(c).Lang
	rel := h.monitorRelevance()
	kinds, chosen, err := models.TenderKinds(ctx, h.DB, t.ID)
	if err != nil {
		return nil, nil, err
	}
	var sheet []string
	levels := map[string]string{}
	names := map[string]string{}
	for i := range t.Requirements {
		if s := t.Requirements[i].Standard; s != nil {
			sheet = append(sheet, s.Slug)
			levels[s.Slug] = t.Requirements[i].Level
			names[s.Slug] = s.In(lang).Name
		}
	}
	suggested := rel.Suggest(&models.MonitorTender{Title: t.Title, Description: t.Description, ScopeTags: t.ScopeTags, Language: t.Language}, sheet)
	if !chosen {
		kinds = suggested
	}
	omissions, err := models.ListTenderOmissions(ctx, h.DB, t.ID)
	if err != nil {
		return nil, nil, err
	}
	stds, err := models.ListStandards(ctx, h.DB, models.StandardFilter{})
	if err != nil {
		return nil, nil, err
	}
	for i := range stds {
		if _, ok := names[stds[i].Slug]; !ok {
			names[stds[i].Slug] = stds[i].In(lang).Name
		}
	}
	var states []monitorStandardState
	var missing []string
	for _, slug := range rel.Relevant(kinds) {
		st := monitorStandardState{Slug: slug, Name: names[slug], State: "missing"}
		switch levels[slug] {
		case models.LevelMandatory:
			st.State = "requested"
		case "":
		default:
			st.State = "recommended"
		}
		if st.State != "requested" {
			missing = append(missing, slug)
			st.Explanation = omissions[slug].Explanation
		}
		if st.Name == "" {
			st.Name = slug
		}
		states = append(states, st)
	}
	var kindList []monitorKind
	for _, p := range h.Profiles {
		kindList = append(kindList, monitorKind{Slug: p.Slug, Name: localProfile(lang, p).Name, Checked: slices.Contains(kinds, p.Slug)})
	}
	var suggestedNames []string
	for _, k := range suggested {
		for _, p := range h.Profiles {
			if p.Slug == k {
				suggestedNames = append(suggestedNames, localProfile(lang, p).Name)
			}
		}
	}
	data := fiber.Map{
		"Tender": t, "Kinds": kindList, "KindsChosen": chosen, "Suggested": joinWords(nil, suggestedNames),
		"Standards": states, "Missing": len(missing), "CanManage": t.ManageableBy(currentUser(c)) == nil,
		"Year": 0,
	}
	if t.PublishedAt != nil {
		data["Year"] = t.PublishedAt.UTC().Year()
	}
	return data, missing, nil
}

// ShowTenderMonitor is a tender's monitor view: the kinds of ICT it buys,
// the relevant standards it requests and those it leaves out, with the
// forms to choose the kinds and explain the omissions.
func (h *Handler) ShowTenderMonitor(c *fiber.Ctx) error {
	t, err := h.tenderFor(c)
	if err != nil {
		return err
	}
	data, _, err := h.tenderMonitorData(c, t)
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "monitor/tender", t.Title, data)
}

// SaveTenderKinds records the kinds of ICT a tender buys, or with
// use=suggestion clears the choice so that the monitor suggests them.
func (h *Handler) SaveTenderKinds(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	// The form always sends kinds_form, so that no box ticked is a choice
	// (no kind) and a request without it is not the form.
	if c.FormValue("kinds_form") != "1" && c.FormValue("use") != "suggestion" {
		return invalidInput("form", "incomplete_form")
	}
	var kinds []string
	if c.FormValue("use") != "suggestion" {
		kinds = []string{}
		for _, v := range c.Request().PostArgs().PeekMulti("kinds") {
			kinds = append(kinds, string(v))
		}
	}
	err = models.SetTenderKinds(c.UserContext(), h.DB, currentUser(c), t.ID, kinds, h.monitorRelevance().Kinds(), h.now())
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderTenderMonitorErrors(c, t, errs)
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/tenders/%d/monitor?flash=monitor_kinds", t.ID), fiber.StatusSeeOther)
}

// SaveTenderOmissions records the buyer's explanations for the relevant
// standards the tender leaves out (field explanation_<slug>; empty removes).
func (h *Handler) SaveTenderOmissions(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	_, missing, err := h.tenderMonitorData(c, t)
	if err != nil {
		return err
	}
	texts := map[string]string{}
	for _, slug := range missing {
		if v := c.Request().PostArgs().Peek("explanation_" + slug); v != nil {
			texts[slug] = string(v)
		}
	}
	err = models.SaveTenderOmissions(c.UserContext(), h.DB, currentUser(c), t.ID, texts, missing, h.now())
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderTenderMonitorErrors(c, t, errs)
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/tenders/%d/monitor?flash=monitor_omissions#omissions", t.ID), fiber.StatusSeeOther)
}

// renderTenderMonitorErrors shows the tender's monitor view again with
// the refused field's message; nothing was saved.
func (h *Handler) renderTenderMonitorErrors(c *fiber.Ctx, t *models.Tender, errs map[string]string) error {
	data, _, err := h.tenderMonitorData(c, t)
	if err != nil {
		return err
	}
	data["Errors"] = errs
	return h.render(c, fiber.StatusUnprocessableEntity, "monitor/tender", t.Title, data)
}
