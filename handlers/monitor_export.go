package handlers

import (
	"bytes"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/report"
)

// monitorFileName is the download name of the monitor's files.
func monitorFileName(r report.MonitorReport, suffix string) string {
	if r.OrgID != 0 {
		return fmt.Sprintf("monitor-%d-org-%d%s", r.Year, r.OrgID, suffix)
	}
	return fmt.Sprintf("monitor-%d%s", r.Year, suffix)
}

// DownloadMonitorPDF sends the year's monitor as a PDF in the reader's
// language and zone.
func (h *Handler) DownloadMonitorPDF(c *fiber.Ctx) error {
	r, err := h.loadMonitor(c)
	if err != nil {
		return err
	}
	opt := report.Options{Created: h.now(), Lang: localeOf(c).Lang, Zone: localeOf(c).Zone}
	var buf bytes.Buffer
	if err := report.WriteMonitorReport(&buf, r, opt); err != nil {
		return err
	}
	return sendDownload(c, "application/pdf", monitorFileName(r, ".pdf"), buf.Bytes())
}

// DownloadMonitorCSV returns the handler that sends one of the monitor's
// tables (report.MonitorTables) as CSV.
func (h *Handler) DownloadMonitorCSV(table string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		r, err := h.loadMonitor(c)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := report.WriteMonitorCSV(&buf, r, table, localeOf(c).Lang); err != nil {
			return err
		}
		return sendDownload(c, "text/csv; charset=utf-8", monitorFileName(r, "-"+table+".csv"), buf.Bytes())
	}
}

// APIMonitor answers GET /api/v1/monitor?year=YYYY[&org=ID]: the monitor
// as JSON, with the standards' names in the reader's language.
func (h *Handler) APIMonitor(c *fiber.Ctx) error {
	r, err := h.loadMonitor(c)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"year": r.Year, "org_id": r.OrgID, "buyer": r.Buyer, "headline": r.Headline, "previous": r.Previous,
		"share_change_points": r.ShareChange, "tenders": r.Tenders, "standards": r.Standards, "explanations": r.Explanations,
		"names": r.Names})
}
