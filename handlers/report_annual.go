package handlers

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/metrics"
	"tenderprobe/app/report"
)

// reportYear reads ?year=YYYY; without it the report covers the current
// year. Anything but a year from 1900 to 9999 is a 400.
func (h *Handler) reportYear(c *fiber.Ctx) (int, error) {
	q := c.Query("year")
	if q == "" {
		return h.now().UTC().Year(), nil
	}
	y, err := strconv.Atoi(q)
	if err != nil || len(q) != 4 || y < 1900 {
		return 0, refuse(fiber.StatusBadRequest, "request.bad_year")
	}
	return y, nil
}

// annualReport loads the year's report across everything the caller may
// see; the routes admit auditors and admins only.
func (h *Handler) annualReport(c *fiber.Ctx) (report.AnnualReport, error) {
	year, err := h.reportYear(c)
	if err != nil {
		return report.AnnualReport{}, err
	}
	return report.LoadAnnualReport(c.UserContext(), h.DB, year, currentUser(c))
}

// DownloadAnnualReport sends the year's comply-or-explain report as a PDF,
// in the reader's language and zone. A closed year's report is rendered
// once, then sent from storage until what it shows changes, and without
// loading the year while nothing has been written (report.PlanAnnual).
func (h *Handler) DownloadAnnualReport(c *fiber.Ctx) error {
	year, err := h.reportYear(c)
	if err != nil {
		return err
	}
	// The stamp before the load: a write after it makes another stamp.
	stamp, err := h.pageStamp(c)
	if err != nil {
		return err
	}
	opt := report.Options{Created: h.now(), Lang: localeOf(c).Lang, Zone: localeOf(c).Zone}
	p, err := report.PlanAnnual(c.UserContext(), h.DB, year, currentUser(c), opt, stamp)
	if err != nil {
		return err
	}
	return h.sendPDF(c, metrics.PDFAnnual, p, fmt.Sprintf("comply-or-explain-%d.pdf", year))
}

// DownloadAnnualCSV sends the year's table per standard and domain as CSV.
func (h *Handler) DownloadAnnualCSV(c *fiber.Ctx) error {
	r, err := h.annualReport(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.WriteAnnualCSV(&buf, r, localeOf(c).Lang); err != nil {
		return err
	}
	return sendDownload(c, "text/csv; charset=utf-8", fmt.Sprintf("comply-or-explain-%d.csv", r.Year), buf.Bytes())
}

// DownloadAnnualExplanationsCSV sends every explained answer of the year
// as CSV. The rows go to a temporary file first, so a database error is a
// proper error page rather than a cut-off download, and a large year
// never sits in memory; the file is unlinked at once and goes when sent.
func (h *Handler) DownloadAnnualExplanationsCSV(c *fiber.Ctx) error {
	year, err := h.reportYear(c)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp("", "tenderprobe-explanations-*.csv")
	if err != nil {
		return err
	}
	_ = os.Remove(f.Name())
	w := bufio.NewWriter(f)
	err = report.WriteAnnualExplanationsCSV(c.UserContext(), h.DB, w, year, currentUser(c), localeOf(c).Lang)
	if err == nil {
		err = w.Flush()
	}
	var size int64
	if err == nil {
		size, err = f.Seek(0, io.SeekCurrent)
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="comply-or-explain-%d-explanations.csv"`, year))
	// fasthttp closes the file once the body is sent.
	return c.SendStream(f, int(size))
}
