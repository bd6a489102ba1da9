package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/monitor"
	"tenderprobe/app/report"
	"tenderprobe/models"
)

// monitorOrg reads ?org=ID (0 or absent: every buyer the caller may see).
func monitorOrg(c *fiber.Ctx) (uint, error) {
	q := c.Query("org")
	if q == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(q, 10, 32)
	if err != nil {
		return 0, refuse(fiber.StatusBadRequest, "monitor.bad_org")
	}
	return uint(n), nil
}

// monitorRelevance is the decision table of the monitor: the profiles.
func (h *Handler) monitorRelevance() *monitor.Relevance { return monitor.NewRelevance(h.Profiles) }

// loadMonitor reads ?year and ?org, decides what the caller may read
// (models.MonitorScopeFor: an officer only their own organisation) and
// builds the monitor with the words of the reader's language.
func (h *Handler) loadMonitor(c *fiber.Ctx) (report.MonitorReport, error) {
	year, err := h.reportYear(c)
	if err != nil {
		return report.MonitorReport{}, err
	}
	org, err := monitorOrg(c)
	if err != nil {
		return report.MonitorReport{}, err
	}
	scope, err := models.MonitorScopeFor(currentUser(c), year, org)
	if err != nil {
		return report.MonitorReport{}, err
	}
	m, err := monitor.Load(c.UserContext(), h.DB, h.monitorRelevance(), scope)
	if err != nil {
		return report.MonitorReport{}, err
	}
	r := report.MonitorReport{Monitor: m, Names: map[string]string{}, Kinds: map[string]string{}}
	if scope.OrgID != 0 {
		o, err := models.FindOrg(c.UserContext(), h.DB, scope.OrgID)
		if err != nil || o.Kind != models.OrgBuyer {
			return report.MonitorReport{}, refuse(fiber.StatusNotFound, "page.not_found")
		}
		r.Buyer = o.Name
	}
	lang := localeOf(c).Lang
	stds, err := models.ListStandards(c.UserContext(), h.DB, models.StandardFilter{})
	if err != nil {
		return report.MonitorReport{}, err
	}
	for i := range stds {
		r.Names[stds[i].Slug] = stds[i].In(lang).Name
	}
	for _, p := range h.Profiles {
		r.Kinds[p.Slug] = localProfile(lang, p).Name
	}
	return r, nil
}
