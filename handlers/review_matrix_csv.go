package handlers

import (
	"bytes"
	"encoding/csv"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// reviewCSVHeader names the columns of the matrix CSV: codes for
// machines next to the words the page shows.
var reviewCSVHeader = []string{
	"attestation_id", "vendor", "attestation_status", "requirement_id", "position", "standard", "standard_name", "level",
	"answer_status", "answer", "verdict", "verdict_words", "review_status", "review",
	"mandatory_not_met", "refuses_mandatory", "matches_filter",
	"vendor_mandatory_met", "vendor_mandatory", "vendor_contradicted", "vendor_open", "vendor_explained",
}

// csvText guards against CSV formula injection (OWASP): text starting
// with = + - @ (or a tab or carriage return) gets a leading apostrophe.
func csvText(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// ExportReviewMatrix sends the matrix as the page shows it, same filters,
// order and layout, as CSV: one line per cell, in the page's reading
// order (row by row).
func (h *Handler) ExportReviewMatrix(c *fiber.Ctx) error {
	v, p, err := h.loadMatrixView(c)
	if err != nil {
		return err
	}
	page := buildMatrixPage(localeOf(c).Lang, v, p, currentUser(c))
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(reviewCSVHeader)
	vendors := make(map[uint]*vendorView, len(page.Vendors))
	for i := range page.Vendors {
		vendors[page.Vendors[i].ID] = &page.Vendors[i]
	}
	reqs := make(map[uint]*requirementView, len(page.Requirements))
	for i := range page.Requirements {
		reqs[page.Requirements[i].ID] = &page.Requirements[i]
	}
	itoa := func(n int) string { return strconv.Itoa(n) }
	for _, row := range page.Rows {
		for _, cv := range row.Cells {
			ven, req := vendors[cv.AttID], reqs[cv.ReqID]
			s := ven.Summary
			_ = w.Write([]string{
				strconv.FormatUint(uint64(ven.ID), 10), csvText(ven.Name), ven.Status,
				strconv.FormatUint(uint64(req.ID), 10), itoa(req.Position), req.Slug, csvText(req.Name), req.Level,
				cv.Status, cv.Answer, cv.VerdictCode, cv.Verdict, cv.ReviewStatus, cv.Review,
				strconv.FormatBool(cv.MandatoryNotMet), strconv.FormatBool(cv.Refuses), strconv.FormatBool(!cv.Other),
				itoa(s.MandatoryMet), itoa(s.Mandatory), itoa(s.Contradicted), itoa(s.Open), itoa(s.Explained),
			})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return sendDownload(c, "text/csv; charset=utf-8", reportFilename(v.Grid.Tender, "review.csv"), buf.Bytes())
}
