package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// APIVerifyAttestation is POST /api/v1/attestations/{id}/verify: it queues
// a probe run of the attestation and answers 202 with its id.
func (h *Handler) APIVerifyAttestation(c *fiber.Ctx) error {
	run, err := h.queueVerification(c)
	if err != nil {
		return err
	}
	c.Location(fmt.Sprintf("/api/v1/probe-runs/%d", run.ID))
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"run_id": run.ID})
}

// VerifyAttestation is the "Verify now" button: it queues a run and shows
// its progress page.
func (h *Handler) VerifyAttestation(c *fiber.Ctx) error {
	run, err := h.queueVerification(c)
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/probe-runs/%d", run.ID), fiber.StatusSeeOther)
}

// queueVerification queues a run of a submitted attestation for those
// Attestation.VerifiableBy admits (EnqueueRun checks it); others who may
// see the attestation get 403, the rest 404.
func (h *Handler) queueVerification(c *fiber.Ctx) (*models.ProbeRun, error) {
	a, err := h.attestationFor(c)
	if err != nil {
		return nil, err
	}
	run, err := models.EnqueueRun(c.UserContext(), h.DB, a.ID, models.RunReasonManual, currentUser(c), h.now())
	if err != nil {
		return nil, err
	}
	h.wakeWorkers()
	return run, nil
}
