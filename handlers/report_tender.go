package handlers

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/metrics"
	"tenderprobe/app/report"
	"tenderprobe/models"
)

// reportOf loads the comply-or-explain report of the tender named by :id,
// which shows every vendor's answers (Tender.AnswersReadableBy). Vendors
// never get here (the routes admit staff only) and must not. Officers of
// other buyers get 404 from tenderFor, so a tender's existence does not
// leak.
func (h *Handler) reportOf(c *fiber.Ctx) (*models.Tender, report.TenderReport, error) {
	t, err := h.tenderFor(c)
	if err != nil {
		return nil, report.TenderReport{}, err
	}
	if err := t.AnswersReadableBy(currentUser(c)); err != nil {
		return nil, report.TenderReport{}, err
	}
	r, err := report.LoadTenderReport(c.UserContext(), h.DB, t.ID)
	return t, r, err
}

// reportFilename names a download after the tender like the sheet does,
// with suffix instead of "requirements.pdf".
func reportFilename(t *models.Tender, suffix string) string {
	return strings.TrimSuffix(sheetFilename(t), "requirements.pdf") + suffix
}

// sendDownload sends body as an attachment called name.
func sendDownload(c *fiber.Ctx, contentType, name string, body []byte) error {
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, name))
	return c.Send(body)
}

// DownloadTenderReport sends the tender's comply-or-explain report as a
// PDF, the document an officer attaches to the award decision.
func (h *Handler) DownloadTenderReport(c *fiber.Ctx) error {
	t, r, err := h.reportOf(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	err = metrics.RenderPDF(metrics.PDFTenderReport, func() error {
		return report.WriteTenderReport(&buf, r, report.Options{Created: h.now(), Lang: t.Language, Zone: report.ZoneOf(t)})
	})
	if err != nil {
		return err
	}
	return sendDownload(c, "application/pdf", reportFilename(t, "report.pdf"), buf.Bytes())
}

// DownloadTenderCSV sends the tender's requirement x vendor matrix as CSV.
func (h *Handler) DownloadTenderCSV(c *fiber.Ctx) error {
	t, r, err := h.reportOf(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.WriteTenderCSV(&buf, r, t.Language); err != nil {
		return err
	}
	return sendDownload(c, "text/csv; charset=utf-8", reportFilename(t, "matrix.csv"), buf.Bytes())
}

// DownloadTenderOCDS sends the tender and its vendors' answers as an OCDS
// release package with the requirements and bid extensions.
func (h *Handler) DownloadTenderOCDS(c *fiber.Ctx) error {
	t, r, err := h.reportOf(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.WriteTenderOCDS(&buf, r, report.DefaultOCIDPrefix, report.Options{Created: h.now()}); err != nil {
		return err
	}
	return sendDownload(c, fiber.MIMEApplicationJSONCharsetUTF8, reportFilename(t, "ocds.json"), buf.Bytes())
}
