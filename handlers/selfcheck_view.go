package handlers

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/probe/finding"
	"tenderprobe/app/selfcheck"
	"tenderprobe/models"
)

// selfCheckView is what the vendor's self-check section of the
// attestation page shows: the newest self-check (perhaps still waiting or
// running) and the newest finished one read against the answers now.
type selfCheckView struct {
	// Latest is the newest self-check in any state; nil when none was run.
	Latest *models.ProbeRun
	// Report reads the newest finished self-check; nil when none finished.
	Report *selfcheck.Report
	// Contradictions are Report's warnings before submitting.
	Contradictions []selfcheck.Requirement
	// Unconfirmed is set when a submission was refused because the
	// warnings were not confirmed.
	Unconfirmed bool
}

// Pending reports whether the newest self-check has not finished yet.
func (v selfCheckView) Pending() bool { return v.Latest != nil && !v.Latest.Finished() }

// selfCheckReport reads the newest finished self-check of a against a as
// loaded (answers with requirements and standards, scope); nil when the
// vendor has none.
func (h *Handler) selfCheckReport(ctx context.Context, a *models.Attestation) (*selfcheck.Report, error) {
	run, err := models.LatestFinishedSelfCheck(ctx, h.DB, a.ID)
	if err != nil || run == nil {
		return nil, err
	}
	results, err := models.RunResults(ctx, h.DB, run.ID)
	if err != nil {
		return nil, err
	}
	r := selfcheck.Judge(a, run, results)
	return &r, nil
}

// addSelfCheck adds the self-check section's data to the attestation
// page, for the attestation's vendors only: the buyer does not see that
// the vendor checked.
func (h *Handler) addSelfCheck(c *fiber.Ctx, a *models.Attestation, data fiber.Map) error {
	if a.SelfCheckableBy(currentUser(c)) != nil {
		return nil
	}
	ctx := c.UserContext()
	latest, err := models.LatestSelfCheck(ctx, h.DB, a.ID)
	if err != nil {
		return err
	}
	report, err := h.selfCheckReport(ctx, a)
	if err != nil {
		return err
	}
	v := selfCheckView{Latest: latest, Report: report}
	if report != nil {
		v.Contradictions = report.Contradictions()
	}
	if unconfirmed, _ := data["SelfCheckUnconfirmed"].(bool); unconfirmed {
		v.Unconfirmed = true
		summary, _ := data["ErrorSummary"].([]summaryItem)
		data["ErrorSummary"] = append(summary, summaryItem{Target: "selfcheck-confirm", Text: tr(c, "selfcheck.confirm_missing", nil)})
	}
	data["SelfCheck"] = v
	return nil
}

// selfCheckUnconfirmed reports whether submitting attestation id now
// needs the vendor's confirmation of the self-check's warnings and
// confirmed is not set: some answer of "complies" (as saved now) is
// contradicted by the newest finished self-check. The web forms enforce
// it; the API answers with the warnings instead (selfCheckWarnings).
func (h *Handler) selfCheckUnconfirmed(c *fiber.Ctx, id uint, confirmed bool) (bool, error) {
	if confirmed {
		return false, nil
	}
	a, err := models.FindAttestation(c.UserContext(), h.DB, id)
	if err != nil {
		return false, err
	}
	report, err := h.selfCheckReport(c.UserContext(), a)
	if err != nil || report == nil {
		return false, err
	}
	return len(report.Contradictions()) > 0, nil
}

// selfCheckWarningJSON is one warning of the API's submit answer: a
// requirement answered "complies" that the newest self-check contradicts.
type selfCheckWarningJSON struct {
	RequirementID uint                 `json:"requirement_id"`
	Standard      string               `json:"standard"`
	Message       string               `json:"message"`
	HowTo         string               `json:"howto_url"`
	RunID         uint                 `json:"run_id"`
	Stale         bool                 `json:"out_of_date"`
	Checks        []selfCheckCheckJSON `json:"checks"`
}

type selfCheckCheckJSON struct {
	ID      string `json:"id"`
	Domain  string `json:"domain"`
	Finding string `json:"finding,omitempty"`
	Message string `json:"message"`
}

// selfCheckWarnings are the warnings of a's newest finished self-check
// against a as loaded, in the reader's language; empty (not nil) when
// there are none.
func (h *Handler) selfCheckWarnings(c *fiber.Ctx, a *models.Attestation) ([]selfCheckWarningJSON, error) {
	out := []selfCheckWarningJSON{}
	report, err := h.selfCheckReport(c.UserContext(), a)
	if err != nil || report == nil {
		return out, err
	}
	lang := localeOf(c).Lang
	for _, q := range report.Contradictions() {
		w := selfCheckWarningJSON{RequirementID: q.Answer.RequirementID, RunID: report.Run.ID, Stale: report.Stale, Checks: []selfCheckCheckJSON{}}
		name := ""
		if s := q.Standard(); s != nil {
			w.Standard, w.HowTo, name = s.Slug, "/catalogue/"+s.Slug, s.In(lang).Name
		}
		w.Message = tr(c, "selfcheck.warning", map[string]any{"standard": name})
		for _, ch := range q.Failing {
			msg := ch.Summary
			if ch.Finding != "" {
				msg = finding.Text(messages, lang, ch.Finding, ch.FindingParams)
			}
			w.Checks = append(w.Checks, selfCheckCheckJSON{ID: string(ch.ID), Domain: ch.Domain, Finding: ch.Finding, Message: msg})
		}
		out = append(out, w)
	}
	return out, nil
}
