package handlers

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/metrics"
	"tenderprobe/app/report"
	"tenderprobe/models"
)

// DownloadSheet sends the tender's requirement sheet as a PDF to attach to
// the tender documents, in the tender's language whatever the reader's.
// A published tender's sheet is rendered once and then sent from storage
// (report.SheetPlan).
func (h *Handler) DownloadSheet(c *fiber.Ctx) error {
	t, err := h.tenderFor(c)
	if err != nil {
		return err
	}
	return h.sendPDF(c, metrics.PDFSheet, report.SheetPlan(t, h.now()), sheetFilename(t))
}

// sheetFilename builds an ASCII file name from the reference or the id.
func sheetFilename(t *models.Tender) string {
	base := t.Reference
	if base == "" {
		base = fmt.Sprintf("tender-%d", t.ID)
	}
	clean := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '-'
	}, base)
	return fmt.Sprintf("%s-rev%d-requirements.pdf", clean, t.Revision)
}
