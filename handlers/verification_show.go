package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// verdictRow is one answer with its verdict on the verification page.
type verdictRow struct {
	Answer  *models.Answer
	Name    string
	Verdict *models.Verification
}

// historyView is one scope domain's history: a chart and the runs.
type historyView struct {
	Domain string
	Chart  historyChart
	Points []models.DomainHistoryPoint
}

// historyChart is a small stacked bar chart, one bar per run: passing
// checks in green at the bottom, failing ones in red above, the rest grey.
// The geometry is computed here so the template only prints numbers; the
// SVG is rendered server-side because the CSP allows no scripts or inline
// styles to draw it.
type historyChart struct {
	Width, Height int
	Bars          []historyBar
}

type historyBar struct {
	X, Width                           int
	PassY, PassH, FailY, FailH, OtherY int
	OtherH                             int
	Label                              string
}

const (
	chartHeight = 80
	chartBar    = 14
	chartGap    = 6
)

// chartOf draws the bars of points; each bar's tooltip names the run's
// time and reason in the reader's words.
func chartOf(loc Locale, points []models.DomainHistoryPoint) historyChart {
	ch := historyChart{Width: max(len(points)*(chartBar+chartGap)+chartGap, 100), Height: chartHeight}
	for i, p := range points {
		total := p.Pass + p.Fail + p.Other
		if total == 0 {
			total = 1
		}
		scale := func(n int) int { return n * (chartHeight - 4) / total }
		b := historyBar{X: chartGap + i*(chartBar+chartGap), Width: chartBar,
			PassH: scale(p.Pass), FailH: scale(p.Fail), OtherH: scale(p.Other),
			Label: messages.DateTime(loc.Lang, p.At, loc.Zone) + " · " + messageIn(loc.Lang, "run_reason."+p.Reason, nil)}
		b.PassY = chartHeight - b.PassH
		b.FailY = b.PassY - b.FailH
		b.OtherY = b.FailY - b.OtherH
		ch.Bars = append(ch.Bars, b)
	}
	return ch
}

// ShowVerification is the verification page of an attestation: the
// verdict next to each answer, the newest run, the changes and the
// history of every domain in scope.
func (h *Handler) ShowVerification(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	user := currentUser(c)
	a, err := models.FindAttestationFor(ctx, h.DB, user, id)
	if err != nil {
		return err
	}
	latest, err := models.LatestVerifications(ctx, h.DB, a.ID, a.Version)
	if err != nil {
		return err
	}
	rows := make([]verdictRow, len(a.Answers))
	for i := range a.Answers {
		an := &a.Answers[i]
		rows[i] = verdictRow{Answer: an, Name: answerName(localeOf(c).Lang, an)}
		if v, ok := latest[an.ID]; ok {
			rows[i].Verdict = &v
		}
	}
	runs, err := models.ListRuns(ctx, h.DB, a.ID, 20)
	if err != nil {
		return err
	}
	changes, err := models.AttestationChanges(ctx, h.DB, a.ID, 50)
	if err != nil {
		return err
	}
	domains, err := models.ScopeDomainsOf(ctx, h.DB, a.ID)
	if err != nil {
		return err
	}
	histories := make([]historyView, 0, len(domains))
	for _, d := range domains {
		points, err := models.DomainHistory(ctx, h.DB, a.ID, d, 26)
		if err != nil {
			return err
		}
		histories = append(histories, historyView{Domain: d, Chart: chartOf(localeOf(c), points), Points: points})
	}
	data := fiber.Map{
		"Attestation": a, "Rows": rows, "Runs": runs, "Changes": changes, "Histories": histories,
		"CanVerify": a.VerifiableBy(user) == nil,
	}
	if len(runs) > 0 {
		newest := &runs[0]
		toProbe, err := models.DomainsToProbe(ctx, h.DB, newest)
		if err != nil {
			return err
		}
		data["NewestLabel"], data["NewestState"] = runLabel(localeOf(c).Lang, newest.Status), runStateText(localeOf(c).Lang, newest, toProbe)
		// Verdicts of an older run next to a newer one say so, with the
		// date, so a queued or unmeasured run never passes for them.
		for _, r := range rows {
			if r.Verdict != nil && r.Verdict.RunID != newest.ID {
				data["PreviousText"] = tr(c, "run_state.previous_evidence", map[string]any{
					"run": r.Verdict.RunID, "date": messages.DateTime(localeOf(c).Lang, r.Verdict.CheckedAt, localeOf(c).Zone)})
				break
			}
		}
	}
	return h.render(c, fiber.StatusOK, "verification/show", "title.verification", data)
}

// answerName is the name of the standard an answer is about, in lang.
func answerName(lang string, an *models.Answer) string {
	if an.Requirement != nil && an.Requirement.Standard != nil {
		return an.Requirement.Standard.In(lang).Name
	}
	return messageIn(lang, "verification.requirement", nil)
}
