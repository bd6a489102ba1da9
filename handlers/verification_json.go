package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/probe/check"
	"tenderprobe/models"
)

// answerVerifications returns the newest verdict of each answer of a, in
// the order of a.Answers, from the newest finished run of the current
// version; nil where there is none yet (the API shows null).
func (h *Handler) answerVerifications(c *fiber.Ctx, a *models.Attestation) ([]*verificationJSON, error) {
	latest, err := models.LatestVerifications(c.UserContext(), h.DB, a.ID, a.Version)
	if err != nil {
		return nil, err
	}
	out := make([]*verificationJSON, len(a.Answers))
	for i := range a.Answers {
		if v, ok := latest[a.Answers[i].ID]; ok {
			out[i] = verificationOf(&v)
		}
	}
	return out, nil
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
