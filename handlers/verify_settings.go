package handlers

import (
	"time"

	"tenderprobe/app/probe/check"
	"tenderprobe/models"
)

// VerifySettings connect the handlers to the verification queue.
type VerifySettings struct {
	// Wake tells this process's worker pool that a run was queued, so it
	// starts at once; nil when no pool runs here (the run then waits for
	// another process's workers to poll).
	Wake func()
}

func (h *Handler) wakeWorkers() {
	if h.Verify.Wake != nil {
		h.Verify.Wake()
	}
}

// verificationJSON is an answer's verdict as the API shows it.
type verificationJSON struct {
	Status    string                  `json:"status"`
	Checks    []verificationCheckJSON `json:"checks"`
	RunID     uint                    `json:"run_id"`
	CheckedAt time.Time               `json:"checked_at"`
}

// verificationCheckJSON is one check on one domain behind a verdict.
type verificationCheckJSON struct {
	ID      check.ID     `json:"id"`
	Domain  string       `json:"domain"`
	Status  check.Status `json:"status"`
	Summary string       `json:"summary,omitempty"`
}

func verificationOf(v *models.Verification) *verificationJSON {
	out := &verificationJSON{Status: v.Status, RunID: v.RunID, CheckedAt: v.CheckedAt, Checks: []verificationCheckJSON{}}
	for _, c := range v.Checks {
		out.Checks = append(out.Checks, verificationCheckJSON{ID: c.ID, Domain: c.Domain, Status: c.Status, Summary: c.Summary})
	}
	return out
}
