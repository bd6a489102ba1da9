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
	if soon, ok := selfCheckTooSoon(c, err); ok {
		key, params := selfCheckTooSoonWords("flash.", soon)
		return h.renderAttestation(c, fiber.StatusTooManyRequests, a, fiber.Map{"SelfCheckRefused": tr(c, key, params)})
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
	if soon, ok := selfCheckTooSoon(c, err); ok {
		if soon.Supplier {
			return refuse(fiber.StatusTooManyRequests, "selfcheck.supplier_quota", "max", models.SelfChecksPerSupplierHour, "count", (soon.Seconds()+59)/60)
		}
		return refuse(fiber.StatusTooManyRequests, "selfcheck.too_soon", "count", soon.Seconds())
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
func selfCheckTooSoon(c *fiber.Ctx, err error) (soon *models.SelfCheckTooSoonError, ok bool) {
	if !errors.As(err, &soon) {
		return nil, false
	}
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(soon.Seconds()))
	return soon, true
}

// selfCheckTooSoonWords are the message key and its parameters for soon:
// the attestation's minute, or the supplier's hourly number.
func selfCheckTooSoonWords(prefix string, soon *models.SelfCheckTooSoonError) (string, map[string]any) {
	if soon.Supplier {
		return prefix + "selfcheck_supplier_quota", map[string]any{"max": models.SelfChecksPerSupplierHour, "count": (soon.Seconds() + 59) / 60}
	}
	return prefix + "selfcheck_too_soon", map[string]any{"count": soon.Seconds()}
}
