package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// reminder is an unsubmitted attestation whose deadline is near.
type reminder struct {
	Attestation models.Attestation
	DueIn       string
}

// AddAttestationDashboard adds to the dashboard's data the user's
// attestations (a vendor's own, an officer's tenders') and, for vendors,
// reminders of deadlines within the reminder window.
func (h *Handler) AddAttestationDashboard(c *fiber.Ctx, data fiber.Map) error {
	ctx, u, now := c.UserContext(), currentUser(c), h.now()
	list, err := models.ListAttestations(ctx, h.DB, u, models.AttestationFilter{})
	if err != nil {
		return err
	}
	data["Attestations"] = list
	due, err := models.DueReminders(ctx, h.DB, u, h.reminderWindow(), now)
	if err != nil {
		return err
	}
	var rs []reminder
	for _, a := range due {
		rs = append(rs, reminder{Attestation: a, DueIn: deadlineIn(*a.Tender.Deadline, now)})
	}
	data["Reminders"] = rs
	return nil
}
