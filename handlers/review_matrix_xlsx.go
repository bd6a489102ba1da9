package handlers

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/report"
)

// reviewXLSXTypes type the matrix CSV's columns that are not text in the
// spreadsheet: ids, positions and counts are numbers, true/false booleans.
var reviewXLSXTypes = map[string]report.CellType{
	"attestation_id": report.CellInt, "requirement_id": report.CellInt, "position": report.CellInt,
	"mandatory_not_met": report.CellBool, "refuses_mandatory": report.CellBool, "matches_filter": report.CellBool,
	"vendor_mandatory_met": report.CellInt, "vendor_mandatory": report.CellInt, "vendor_contradicted": report.CellInt,
	"vendor_open": report.CellInt, "vendor_explained": report.CellInt,
}

// xlsxColumns are the spreadsheet columns of a CSV's columns: the CSV's
// header words in lang (ns.<column>), typed by types (text otherwise),
// with the widths of report.XLSXWidths.
func xlsxColumns(lang, ns string, columns []string, types map[string]report.CellType) []report.Column {
	return report.ColumnsOf(csvHeader(lang, ns, columns), columns, types, report.XLSXWidths)
}

// ExportReviewMatrixXLSX sends the matrix as the CSV has it (same view,
// filters, order and columns, ExportReviewMatrix) as a spreadsheet in the
// reader's language, with typed cells.
func (h *Handler) ExportReviewMatrixXLSX(c *fiber.Ctx) error {
	v, p, err := h.loadMatrixView(c)
	if err != nil {
		return err
	}
	lang := localeOf(c).Lang
	page := buildMatrixPage(lang, v, p, currentUser(c))
	vendors := make(map[uint]*vendorView, len(page.Vendors))
	for i := range page.Vendors {
		vendors[page.Vendors[i].ID] = &page.Vendors[i]
	}
	reqs := make(map[uint]*requirementView, len(page.Requirements))
	for i := range page.Requirements {
		reqs[page.Requirements[i].ID] = &page.Requirements[i]
	}
	b, err := report.NewWorkbook(localeOf(c).Zone)
	if err != nil {
		return err
	}
	defer b.Close()
	t, err := b.Table(messageIn(lang, "office.sheet.review", nil), xlsxColumns(lang, "review.csv", reviewCSVColumns, reviewXLSXTypes))
	if err != nil {
		return err
	}
	for _, row := range page.Rows {
		for _, cv := range row.Cells {
			ven, req := vendors[cv.AttID], reqs[cv.ReqID]
			s := ven.Summary
			err := t.Row(ven.ID, ven.Name, ven.Status, req.ID, req.Position, req.Slug, req.Name, req.Level,
				cv.Status, cv.Answer, cv.VerdictCode, cv.Verdict, cv.ReviewStatus, cv.Review,
				cv.MandatoryNotMet, cv.Refuses, !cv.Other,
				s.MandatoryMet, s.Mandatory, s.Contradicted, s.Open, s.Explained,
				ven.StatusWords, messageIn(lang, "level."+req.Level, nil))
			if err != nil {
				return err
			}
		}
	}
	if err := t.Close(); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		return err
	}
	return sendDownload(c, report.XLSXContentType, reportFilename(v.Grid.Tender, "review.xlsx"), buf.Bytes())
}
