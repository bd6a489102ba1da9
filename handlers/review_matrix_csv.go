package handlers

import (
	"bytes"
	"encoding/csv"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// reviewCSVColumns are the columns of the matrix CSV, in their fixed
// order: codes for machines (ids, the standard's slug, the level, answer,
// verdict and review codes, true/false) next to the words the page shows.
// The header row is in the reader's language (review.csv.<column>), so a
// program reads the columns by position, which never changes; a new
// column is only ever added at the end.
var reviewCSVColumns = []string{
	"attestation_id", "vendor", "attestation_status", "requirement_id", "position", "standard", "standard_name", "level",
	"answer_status", "answer", "verdict", "verdict_words", "review_status", "review",
	"mandatory_not_met", "refuses_mandatory", "matches_filter",
	"vendor_mandatory_met", "vendor_mandatory", "vendor_contradicted", "vendor_open", "vendor_explained",
	"attestation_status_words", "level_words",
}

// csvHeader is the header row of columns in lang, each from ns.<column>.
func csvHeader(lang, ns string, columns []string) []string {
	out := make([]string, len(columns))
	for i, col := range columns {
		out[i] = messageIn(lang, ns+"."+col, nil)
	}
	return out
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
	lang := localeOf(c).Lang
	page := buildMatrixPage(lang, v, p, currentUser(c))
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(csvHeader(lang, "review.csv", reviewCSVColumns))
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
				ven.StatusWords, messageIn(lang, "level."+req.Level, nil),
			})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return sendDownload(c, "text/csv; charset=utf-8", reportFilename(v.Grid.Tender, "review.csv"), buf.Bytes())
}
