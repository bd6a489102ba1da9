package handlers

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/report"
)

// DownloadTenderXLSX sends the tender's requirement x vendor matrix (the
// tender CSV) as a spreadsheet in the tender's language.
func (h *Handler) DownloadTenderXLSX(c *fiber.Ctx) error {
	t, r, err := h.reportOf(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.WriteTenderXLSX(&buf, r); err != nil {
		return err
	}
	return sendDownload(c, report.XLSXContentType, reportFilename(t, "matrix.xlsx"), buf.Bytes())
}
