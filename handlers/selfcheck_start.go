package handlers

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// StartSelfCheck is the "Check my domains now" button of the attestation
// page: it queues a self-check and shows its progress on the run page. A
// second press within a minute shows the attestation page again (429)
// with how many seconds to wait.
func (h *Handler) StartSelfCheck(c *fiber.Ctx) error {
	a, err := h.attestationFor(c)
	if err != nil {
		return err
	}
	run, err := models.StartSelfCheck(c.UserContext(), h.DB, currentUser(c), a.ID, h.now())
	if wait, ok := selfCheckTooSoon(c, err); ok {
		return h.renderAttestation(c, fiber.StatusTooManyRequests, a, fiber.Map{
			"SelfCheckRefused": tr(c, "flash.selfcheck_too_soon", map[string]any{"count": wait}),
		})
	}
	if err != nil {
		return err
	}
	h.wakeWorkers()
	return c.Redirect(fmt.Sprintf("/probe-runs/%d", run.ID), fiber.StatusSeeOther)
}

// APIStartSelfCheck is POST /api/v1/attestations/{id}/self-check: it
// queues a self-check and answers 202 with {"run_id": N}, followed at
// /api/v1/probe-runs/{N}; 429 with Retry-After within a minute of the
// previous one.
func (h *Handler) APIStartSelfCheck(c *fiber.Ctx) error {
	a, err := h.attestationFor(c)
	if err != nil {
		return err
	}
	run, err := models.StartSelfCheck(c.UserContext(), h.DB, currentUser(c), a.ID, h.now())
	if wait, ok := selfCheckTooSoon(c, err); ok {
		return refuse(fiber.StatusTooManyRequests, "selfcheck.too_soon", "count", wait)
	}
	if err != nil {
		return err
	}
	h.wakeWorkers()
	c.Location(fmt.Sprintf("/api/v1/probe-runs/%d", run.ID))
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"run_id": run.ID})
}

// selfCheckTooSoon reports whether err refuses a self-check for coming
// too soon and, if so, tells the client in Retry-After when to try again.
func selfCheckTooSoon(c *fiber.Ctx, err error) (int, bool) {
	var soon *models.SelfCheckTooSoonError
	if !errors.As(err, &soon) {
		return 0, false
	}
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(soon.Seconds()))
	return soon.Seconds(), true
}
