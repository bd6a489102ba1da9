package handlers

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/report"
)

// DownloadSheetDOCX sends the tender's requirement sheet as a Word
// document, for officers to paste into their tender documents, in the
// tender's language whatever the reader's. Who may have it is who may have
// the PDF (tenderFor); a published tender's DOCX is rendered once and then
// sent from storage, with its hash as ETag (report.SheetDOCXPlan).
func (h *Handler) DownloadSheetDOCX(c *fiber.Ctx) error {
	t, err := h.tenderFor(c)
	if err != nil {
		return err
	}
	p := report.SheetDOCXPlan(t, h.now())
	if p.Hash != "" {
		c.Set(fiber.HeaderETag, `W/"`+p.Hash+`"`)
		c.Set(fiber.HeaderCacheControl, "private, no-cache")
		if etagMatches(c.Get(fiber.HeaderIfNoneMatch), p.Hash) {
			return c.SendStatus(fiber.StatusNotModified)
		}
	}
	d, err := p.Document(c.UserContext(), h.DB)
	if err != nil {
		return err
	}
	return sendDownload(c, report.DOCXContentType, strings.TrimSuffix(sheetFilename(t), ".pdf")+".docx", d.Body)
}
