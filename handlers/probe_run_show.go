package handlers

import (
	"encoding/json"
	"fmt"
	"maps"
	"time"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/probe/check"
	"tenderprobe/models"
)

// probeRunJSON is a probe run with its progress, per-domain results (with
// the raw evidence) and, once done, its verdicts.
type probeRunJSON struct {
	ID            uint         `json:"id"`
	AttestationID uint         `json:"attestation_id"`
	Version       int          `json:"version"`
	Status        string       `json:"status"`
	Reason        string       `json:"reason"`
	Progress      progressJSON `json:"progress"`
	ToProbe       int          `json:"domains_to_probe"`
	Error         string       `json:"error,omitempty"`
	// NotMeasuredReason and NotMeasuredMessage say why a not_measured run
	// measured nothing: the code and its sentence.
	NotMeasuredReason  string            `json:"not_measured_reason,omitempty"`
	NotMeasuredMessage string            `json:"not_measured_message,omitempty"`
	CreatedAt          time.Time         `json:"created_at"`
	StartedAt          *time.Time        `json:"started_at"`
	FinishedAt         *time.Time        `json:"finished_at"`
	Results            []probeResultJSON `json:"results"`
	Verdicts           []runVerdictJSON  `json:"verdicts"`
}

type progressJSON struct {
	Done  int `json:"done"`
	Total int `json:"total"`
}

type probeResultJSON struct {
	Domain     string              `json:"domain"`
	DurationMS int64               `json:"duration_ms"`
	Error      string              `json:"error,omitempty"`
	Checks     []models.ProbeCheck `json:"checks"`
}

type runVerdictJSON struct {
	RequirementID uint `json:"requirement_id"`
	*verificationJSON
}

// runFor loads the run named by :id if the current user may see its
// attestation and the run (a self-check only its vendors); otherwise 404.
func (h *Handler) runFor(c *fiber.Ctx) (*models.ProbeRun, *models.Attestation, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return nil, nil, err
	}
	run, err := models.FindProbeRun(c.UserContext(), h.DB, id)
	if err != nil {
		return nil, nil, err
	}
	a, err := models.FindAttestationFor(c.UserContext(), h.DB, currentUser(c), run.AttestationID)
	if err != nil {
		return nil, nil, err
	}
	if !a.RunVisibleTo(currentUser(c), run) {
		return nil, nil, fmt.Errorf("handlers: probe run %d: %w", run.ID, models.ErrNotFound)
	}
	return run, a, nil
}

func (h *Handler) probeRunDocument(c *fiber.Ctx, run *models.ProbeRun) (probeRunJSON, error) {
	out := probeRunJSON{ID: run.ID, AttestationID: run.AttestationID, Version: run.Version, Status: run.Status, Reason: run.Reason,
		Progress: progressJSON{Done: run.Done, Total: run.Total}, Error: run.Error, CreatedAt: run.CreatedAt,
		StartedAt: run.StartedAt, FinishedAt: run.FinishedAt, Results: []probeResultJSON{}, Verdicts: []runVerdictJSON{},
		NotMeasuredReason: run.NotMeasuredCode, NotMeasuredMessage: notMeasuredMessage(localeOf(c).Lang, run)}
	toProbe, err := models.DomainsToProbe(c.UserContext(), h.DB, run)
	if err != nil {
		return out, err
	}
	out.ToProbe = toProbe
	results, err := models.RunResults(c.UserContext(), h.DB, run.ID)
	if err != nil {
		return out, err
	}
	for _, r := range results {
		checks := r.Checks
		if checks == nil {
			checks = []models.ProbeCheck{}
		}
		out.Results = append(out.Results, probeResultJSON{Domain: r.Domain, DurationMS: r.DurationMS, Error: r.Error, Checks: checks})
	}
	vs, err := models.RunVerifications(c.UserContext(), h.DB, run.ID)
	if err != nil {
		return out, err
	}
	for i := range vs {
		out.Verdicts = append(out.Verdicts, runVerdictJSON{RequirementID: vs[i].RequirementID, verificationJSON: verificationOf(&vs[i])})
	}
	return out, nil
}

// APIShowProbeRun is GET /api/v1/probe-runs/{id}.
func (h *Handler) APIShowProbeRun(c *fiber.Ctx) error {
	run, _, err := h.runFor(c)
	if err != nil {
		return err
	}
	doc, err := h.probeRunDocument(c, run)
	if err != nil {
		return err
	}
	return c.JSON(doc)
}

// ProbeRunStatus is GET /probe-runs/{id}/status: the same document for the
// progress page's script, authenticated by the session.
func (h *Handler) ProbeRunStatus(c *fiber.Ctx) error {
	run, _, err := h.runFor(c)
	if err != nil {
		return err
	}
	toProbe, err := models.DomainsToProbe(c.UserContext(), h.DB, run)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"id": run.ID, "status": run.Status, "progress": progressJSON{Done: run.Done, Total: run.Total},
		"domains_to_probe": toProbe, "state": runStateText(localeOf(c).Lang, run, toProbe)})
}

// notMeasuredMessage is the one sentence that says why run measured
// nothing; empty for any other run.
func notMeasuredMessage(lang string, run *models.ProbeRun) string {
	if run.Status != models.RunNotMeasured {
		return ""
	}
	params := make(map[string]any, len(run.NotMeasuredParams))
	for k, v := range run.NotMeasuredParams {
		params[k] = v
	}
	code := run.NotMeasuredCode
	if code == "" {
		code = models.NotMeasuredAllErrors
	}
	// A count of domains picks the plural form ("1 domain", "3 domains").
	if n, ok := params["domains"]; ok {
		params["count"] = n
	}
	return messageIn(lang, "run_not_measured."+code, params)
}

// runStateText is the line under a run's status: how many domains it has
// to probe, has probed, or why it measured nothing. A queued run has
// probed nothing yet and says how many domains wait, never "0/0".
func runStateText(lang string, run *models.ProbeRun, toProbe int) string {
	switch run.Status {
	case models.RunQueued:
		return messageIn(lang, "run_state.queued_to_probe", map[string]any{"count": toProbe})
	case models.RunRunning:
		return messageIn(lang, "run_state.probing", map[string]any{"done": run.Done, "total": toProbe, "count": toProbe})
	case models.RunNotMeasured:
		return notMeasuredMessage(lang, run)
	}
	return messageIn(lang, "run_state.probed", map[string]any{"total": run.Done, "count": run.Done})
}

// runLabel is a run status in words (run_status.<code>).
func runLabel(lang, status string) string { return messageIn(lang, "run_status."+status, nil) }

// evidenceView is one domain's result on the run page, with each check's
// raw evidence as indented JSON.
type evidenceView struct {
	Domain     string
	DurationMS int64
	Error      string
	Checks     []checkView
}

type checkView struct {
	ID                check.ID
	Status            check.Status
	Summary, Evidence string
	// Finding and FindingParams let the page show the finding in the
	// reader's language; results stored before findings had codes have none.
	Finding       string
	FindingParams map[string]any
	// Subtests are internet.nl's subtests judged in this check.
	Subtests []models.SubtestOutcome
}

// ShowProbeRun is the run page: a live progress bar, then each domain's
// checks with their evidence and the verdicts.
func (h *Handler) ShowProbeRun(c *fiber.Ctx) error {
	run, a, err := h.runFor(c)
	if err != nil {
		return err
	}
	results, err := models.RunResults(c.UserContext(), h.DB, run.ID)
	if err != nil {
		return err
	}
	views := make([]evidenceView, 0, len(results))
	uncoded := false
	for _, r := range results {
		v := evidenceView{Domain: r.Domain, DurationMS: r.DurationMS, Error: r.Error}
		for _, ch := range r.Checks {
			// The subtests are shown as a table of their own; the raw
			// evidence is the rest.
			details := ch.Details
			if _, ok := details["findings"]; ok {
				details = maps.Clone(details)
				delete(details, "findings")
			}
			ev, err := json.MarshalIndent(details, "", "  ")
			if err != nil {
				return err
			}
			v.Checks = append(v.Checks, checkView{ID: ch.ID, Status: ch.Status, Summary: ch.Summary, Evidence: string(ev),
				Finding: ch.Finding, FindingParams: ch.FindingParams, Subtests: ch.Subtests()})
			uncoded = uncoded || ch.Finding == ""
		}
		views = append(views, v)
	}
	verdicts, err := h.runVerdictRows(c, run)
	if err != nil {
		return err
	}
	toProbe, err := models.DomainsToProbe(c.UserContext(), h.DB, run)
	if err != nil {
		return err
	}
	var previous *models.ProbeRun
	if !run.Finished() {
		if previous, err = models.PreviousFinishedRun(c.UserContext(), h.DB, run); err != nil {
			return err
		}
	}
	data := fiber.Map{
		"Run": run, "Attestation": a, "Results": views, "Verdicts": verdicts, "CanVerify": a.VerifiableBy(currentUser(c)) == nil,
		"StatusLabel": runLabel(localeOf(c).Lang, run.Status), "StateText": runStateText(localeOf(c).Lang, run, toProbe), "ToProbe": toProbe,
		"NotMeasured": notMeasuredMessage(localeOf(c).Lang, run), "Previous": previous,
		// Only findings stored before they had codes are shown in English.
		"UncodedFindings": uncoded,
	}
	if previous != nil {
		data["PreviousText"] = tr(c, "run_state.newest_evidence", map[string]any{"run": previous.ID, "date": messages.DateTime(localeOf(c).Lang, *previous.FinishedAt, localeOf(c).Zone)})
	}
	return h.render(c, fiber.StatusOK, "verification/run", tr(c, "title.probe_run", map[string]any{"run": run.ID}), data)
}

// runVerdictRows pairs the run's verdicts with the answers of the version
// it probed, in sheet order; empty until the run is done.
func (h *Handler) runVerdictRows(c *fiber.Ctx, run *models.ProbeRun) ([]verdictRow, error) {
	vs, err := models.RunVerifications(c.UserContext(), h.DB, run.ID)
	if err != nil || len(vs) == 0 {
		return nil, err
	}
	subject, err := models.RunSubject(c.UserContext(), h.DB, run)
	if err != nil {
		return nil, err
	}
	byAnswer := make(map[uint]*models.Verification, len(vs))
	for i := range vs {
		byAnswer[vs[i].AnswerID] = &vs[i]
	}
	rows := make([]verdictRow, 0, len(subject.Answers))
	for i := range subject.Answers {
		an := &subject.Answers[i]
		rows = append(rows, verdictRow{Answer: an, Name: answerName(localeOf(c).Lang, an), Verdict: byAnswer[an.ID]})
	}
	return rows, nil
}
