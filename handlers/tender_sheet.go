package handlers

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/report"
	"tenderprobe/models"
)

// DownloadSheet sends the tender's requirement sheet as a PDF to attach to
// the tender documents, in the tender's language whatever the reader's.
func (h *Handler) DownloadSheet(c *fiber.Ctx) error {
	t, err := h.tenderFor(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.WriteSheet(&buf, report.SheetOf(t, t.Language), report.Options{Created: h.now(), Lang: t.Language, Zone: report.ZoneOf(t)}); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, sheetFilename(t)))
	return c.Send(buf.Bytes())
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
