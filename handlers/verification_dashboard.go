package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// AddVerificationDashboard adds to the dashboard's data the contradicted
// claims and the recent verdict changes on the tenders the user reviews
// (officers: their org's; admins: all). The template lists them first.
func (h *Handler) AddVerificationDashboard(c *fiber.Ctx, data fiber.Map) error {
	ctx, u := c.UserContext(), currentUser(c)
	contradictions, err := models.OpenContradictions(ctx, h.DB, u, dashboardRows)
	if err != nil {
		return err
	}
	changes, err := models.RecentChanges(ctx, h.DB, u, 20)
	if err != nil {
		return err
	}
	data["Contradictions"], data["VerdictChanges"] = contradictions, changes
	data["ContradictionsCut"] = len(contradictions) == dashboardRows
	return nil
}

// addAttestationVerdicts adds the verdicts of a's current version by
// requirement id, for the verdict next to each answer.
func (h *Handler) addAttestationVerdicts(c *fiber.Ctx, a *models.Attestation, data fiber.Map) error {
	latest, err := models.LatestVerifications(c.UserContext(), h.DB, a.ID, a.Version)
	if err != nil {
		return err
	}
	// Pointers, so that the template's "with" skips answers without one.
	byReq := make(map[uint]*models.Verification, len(latest))
	for _, v := range latest {
		byReq[v.RequirementID] = &v
	}
	data["Verdicts"] = byReq
	return nil
}
