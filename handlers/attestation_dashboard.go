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

// actionNeeded is an answer of the vendor's supplier that the buyer's
// officer asked about and that waits for the vendor's reply.
type actionNeeded struct {
	AttestationID, RequirementID uint
	Tender, Standard             string
	Position                     int
}

// actionsNeeded lists, in the order of list, the answers whose
// clarification the officer asked for and the vendor can still give.
// An answer the vendor has replied to waits for the buyer (replied).
func actionsNeeded(lang string, list []models.Attestation, u *models.User, replied map[models.AnswerKey]bool) []actionNeeded {
	var out []actionNeeded
	for i := range list {
		a := &list[i]
		for j := range a.Answers {
			an := &a.Answers[j]
			if an.ReviewStatus != models.ReviewClarification || a.ClarifiableBy(u, an) != nil ||
				replied[models.AnswerKey{AttestationID: a.ID, RequirementID: an.RequirementID}] {
				continue
			}
			act := actionNeeded{AttestationID: a.ID, RequirementID: an.RequirementID}
			if a.Tender != nil {
				act.Tender = a.Tender.Title
			}
			if r := an.Requirement; r != nil {
				act.Position = r.Position
				if r.Standard != nil {
					act.Standard = r.Standard.In(lang).Name
				}
			}
			out = append(out, act)
		}
	}
	return out
}

// AddAttestationDashboard adds to the dashboard's data the user's
// attestations (a vendor's own, an officer's tenders') and, for vendors,
// reminders of deadlines within the reminder window.
func (h *Handler) AddAttestationDashboard(c *fiber.Ctx, data fiber.Map) error {
	ctx, u, now := c.UserContext(), currentUser(c), h.now()
	// Vendors see the answers waiting for their reply on any of their
	// attestations, so theirs are loaded; the buyer's side sees only the
	// newest, counted, and a link to the full list.
	f := models.AttestationFilter{Limit: dashboardRows}
	if u.Role == models.RoleVendor {
		f = models.AttestationFilter{WithAnswers: true}
	}
	list, err := models.ListAttestations(ctx, h.DB, u, f)
	if err != nil {
		return err
	}
	total := len(list)
	if u.Role == models.RoleVendor {
		ids := make([]uint, len(list))
		for i := range list {
			ids[i] = list[i].ID
		}
		replied, err := models.RepliedClarifications(ctx, h.DB, ids)
		if err != nil {
			return err
		}
		data["ActionsNeeded"] = actionsNeeded(localeOf(c).Lang, list, u, replied)
	} else {
		n, err := models.CountAttestations(ctx, h.DB, u)
		if err != nil {
			return err
		}
		total = int(n)
	}
	data["Attestations"], data["AttestationsTotal"] = list[:min(len(list), dashboardRows)], total
	due, err := models.DueReminders(ctx, h.DB, u, h.reminderWindow(), now)
	if err != nil {
		return err
	}
	var rs []reminder
	for _, a := range due {
		rs = append(rs, reminder{Attestation: a, DueIn: deadlineIn(localeOf(c).Lang, *a.Tender.Deadline, now)})
	}
	data["Reminders"] = rs
	return nil
}
