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
// the tender documents.
func (h *Handler) DownloadSheet(c *fiber.Ctx) error {
	t, err := h.tenderFor(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.WriteSheet(&buf, sheetOf(t), report.Options{Created: h.now()}); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, sheetFilename(t)))
	return c.Send(buf.Bytes())
}

// sheetOf copies what the PDF shows from a tender loaded by FindTender.
func sheetOf(t *models.Tender) report.Sheet {
	s := report.Sheet{
		Title: t.Title, Reference: t.Reference, Status: t.Status, Revision: t.Revision,
		EstimatedValue: t.EstimatedValue(), Deadline: t.Deadline, PublishedAt: t.PublishedAt,
		ScopeTags: t.ScopeTags, Description: t.Description,
	}
	if t.EstimatedValueCents == 0 {
		s.EstimatedValue = ""
	}
	if t.BuyerOrg != nil {
		s.Buyer = t.BuyerOrg.Name
	}
	if t.CatalogueVersion != nil {
		s.CatalogueVersion = t.CatalogueVersion.Version
	}
	for i := range t.Requirements {
		r := &t.Requirements[i]
		sr := report.SheetRequirement{Level: r.Level, Clause: r.Clause(), Note: r.PublicNote()}
		if std := r.Standard; std != nil {
			sr.Standard, sr.Slug, sr.Domain, sr.Checks = std.Name, std.Slug, std.DomainName(), std.Checks
			for _, ref := range std.References {
				sr.References = append(sr.References, ref.Label())
			}
		}
		s.Requirements = append(s.Requirements, sr)
	}
	return s
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
