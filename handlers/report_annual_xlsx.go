package handlers

import (
	"bytes"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/report"
)

// DownloadAnnualXLSX sends the year's annual table and every explained
// answer (the annual CSV and the explanations CSV) as one spreadsheet, a
// sheet each, in the reader's language.
func (h *Handler) DownloadAnnualXLSX(c *fiber.Ctx) error {
	r, err := h.annualReport(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	opt := report.Options{Created: h.now(), Lang: localeOf(c).Lang, Zone: localeOf(c).Zone}
	if err := report.WriteAnnualXLSX(c.UserContext(), h.DB, &buf, r, currentUser(c), opt); err != nil {
		return err
	}
	return sendDownload(c, report.XLSXContentType, fmt.Sprintf("comply-or-explain-%d.xlsx", r.Year), buf.Bytes())
}
