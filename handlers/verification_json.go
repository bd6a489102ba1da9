package handlers

import (
	"github.com/gofiber/fiber/v2"

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
