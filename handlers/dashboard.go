package handlers

import (
	"errors"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// dashboardRows is how many entries each list of the dashboard shows;
// the full lists, with search and pages, are a link away. It keeps the
// dashboard as fast with a thousand attestations as with ten.
const dashboardRows = 10

// Dashboard shows each role where to start: officers their drafts and
// published tenders, auditors everything read-only, admins the accounts and
// the catalogue, vendors the tenders open to them.
func (h *Handler) Dashboard(c *fiber.Ctx) error {
	return h.cachedPage(c, "dashboard/index", func() (string, fiber.Map, error) {
		data, err := h.dashboardData(c)
		return "title.dashboard", data, err
	})
}

// dashboardData loads what the dashboard shows to the current user.
func (h *Handler) dashboardData(c *fiber.Ctx) (fiber.Map, error) {
	ctx := c.UserContext()
	tenders, err := models.ListTenders(ctx, h.DB, currentUser(c))
	if err != nil {
		return nil, err
	}
	var drafts, published []models.Tender
	for _, t := range tenders {
		if t.IsDraft() {
			drafts = append(drafts, t)
		} else {
			published = append(published, t)
		}
	}
	// Tenders still open for answers first, the nearest deadline first;
	// then the closed ones, newest first. Newest first alone put an
	// auditor's years of closed tenders before the ones running now.
	now := h.now()
	slices.SortStableFunc(published, func(a, b models.Tender) int {
		aOpen := a.Status == models.StatusPublished && !a.DeadlinePassed(now)
		bOpen := b.Status == models.StatusPublished && !b.DeadlinePassed(now)
		switch {
		case aOpen != bOpen && aOpen:
			return -1
		case aOpen != bOpen:
			return 1
		case aOpen && a.Deadline != nil && b.Deadline != nil:
			return a.Deadline.Compare(*b.Deadline)
		}
		return 0
	})
	data := fiber.Map{
		"Now":    now,
		"Drafts": drafts[:min(len(drafts), dashboardRows)], "Published": published[:min(len(published), dashboardRows)],
		"TendersTotal": len(tenders), "TendersCut": len(drafts) > dashboardRows || len(published) > dashboardRows,
	}
	cv, err := models.CurrentCatalogue(ctx, h.DB)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return nil, err
	}
	data["Version"] = cv
	if err := h.AddAttestationDashboard(c, data); err != nil {
		return nil, err
	}
	if err := h.AddVerificationDashboard(c, data); err != nil {
		return nil, err
	}
	if currentUser(c).Role == models.RoleAdmin {
		setup, err := models.FindSetup(ctx, h.DB)
		if err != nil {
			return nil, err
		}
		data["Setup"] = setup
	}
	if rs, ok := data["Reminders"].([]reminder); ok {
		for i := range rs {
			rs[i].DueIn = dueIn(localeOf(c).Lang, *rs[i].Attestation.Tender.Deadline, h.now())
		}
	}
	return data, nil
}

// dueIn says in the reader's language how long is left until deadline:
// "less than an hour", "5 hours", "3 days".
func dueIn(lang string, deadline, now time.Time) string {
	d := deadline.Sub(now)
	switch {
	case d < time.Hour:
		return messageIn(lang, "dashboard.due.less_than_hour", nil)
	case d < 48*time.Hour:
		return messageIn(lang, "dashboard.due.hours", map[string]any{"count": int(d.Hours())})
	}
	return messageIn(lang, "dashboard.due.days", map[string]any{"count": int(d.Hours() / 24)})
}
