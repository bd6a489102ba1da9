package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// SubmitAttestation locks the answers and stores the receipt, or shows
// the page again (422) with everything still missing.
func (h *Handler) SubmitAttestation(c *fiber.Ctx) error {
	a, err := h.attestationFor(c)
	if err != nil {
		return err
	}
	in := models.SubmitInput{Declaration: c.FormValue("declaration") != "", Declarer: c.FormValue("declarer")}
	in.LockVersion, err = optionalInt("lock_version", c.FormValue("lock_version"))
	if err != nil {
		return err
	}
	unconfirmed, err := h.selfCheckUnconfirmed(c, a.ID, c.FormValue("selfcheck_confirm") != "")
	if err != nil {
		return err
	}
	if unconfirmed {
		return h.renderAttestation(c, fiber.StatusUnprocessableEntity, a, fiber.Map{"SelfCheckUnconfirmed": true, "Declarer": in.Declarer})
	}
	_, err = models.Submit(c.UserContext(), h.DB, currentUser(c), a.ID, in, h.now())
	if p := problemOf(err); p.Missing != nil {
		return h.renderAttestation(c, p.Status, a, fiber.Map{"Missing": p.missingTexts(localeOf(c).Lang), "Declarer": in.Declarer})
	}
	if err != nil {
		return err
	}
	h.wakeWorkers() // the submission queued a probe run
	return c.Redirect(fmt.Sprintf("/attestations/%d?flash=submitted#receipt", a.ID), fiber.StatusSeeOther)
}

// APISubmitAttestation is POST /api/v1/attestations/{id}/submit. A refusal
// lists what is missing in "missing" (see problem.json). The answer's
// "warnings" list the answers of "complies" the vendor's newest self-check
// contradicts; unlike the web form, the API does not ask to confirm them.
func (h *Handler) APISubmitAttestation(c *fiber.Ctx) error {
	a, err := h.attestationFor(c)
	if err != nil {
		return err
	}
	var in struct {
		Declaration bool   `json:"declaration"`
		Declarer    string `json:"declarer"`
		LockVersion *int   `json:"lock_version"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	warnings, err := h.selfCheckWarnings(c, a)
	if err != nil {
		return err
	}
	sub, err := models.Submit(c.UserContext(), h.DB, currentUser(c), a.ID,
		models.SubmitInput{Declaration: in.Declaration, Declarer: in.Declarer, LockVersion: in.LockVersion}, h.now())
	if err != nil {
		return err
	}
	h.wakeWorkers() // the submission queued a probe run
	return c.JSON(fiber.Map{"status": models.AttestationSubmitted, "receipt": sub.Receipt, "version": sub.Version, "submitted_at": sub.SubmittedAt,
		"warnings": warnings})
}
