package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ReopenAttestation makes a new draft version of a submitted attestation.
func (h *Handler) ReopenAttestation(c *fiber.Ctx) error {
	a, err := h.attestationFor(c)
	if err != nil {
		return err
	}
	lock, err := optionalInt("lock_version", c.FormValue("lock_version"))
	if err != nil {
		return err
	}
	if _, err := models.Reopen(c.UserContext(), h.DB, currentUser(c), a.ID, lock, h.now()); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/attestations/%d?flash=reopened", a.ID), fiber.StatusSeeOther)
}

// APIReopenAttestation is POST /api/v1/attestations/{id}/reopen.
func (h *Handler) APIReopenAttestation(c *fiber.Ctx) error {
	a, err := h.attestationFor(c)
	if err != nil {
		return err
	}
	a, err = models.Reopen(c.UserContext(), h.DB, currentUser(c), a.ID, nil, h.now())
	if err != nil {
		return err
	}
	return c.JSON(attestationOf(a, true))
}
