package report

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
)

// The annual and tender workbooks: the CSVs of csv.go as typed sheets, the
// same columns (annualCSVColumns, annualExplanationsCSVColumns,
// tenderCSVColumns) with the same header words. A test reads both back
// and compares them cell by cell.

// annualXLSXTypes, explanationsXLSXTypes and tenderXLSXTypes type the
// columns that are not text.
var (
	annualXLSXTypes = map[string]CellType{
		"year": CellInt, "demanded_mandatory": CellInt, "demanded_recommended": CellInt,
		"answers_complies": CellInt, "answers_partial": CellInt, "answers_does_not_comply": CellInt, "answers_not_applicable": CellInt,
		"verdict_contradicted": CellInt, "verdict_inconclusive": CellInt, "verdict_consistent": CellInt,
		"verdict_better_than_declared": CellInt, "verdict_confirmed": CellInt, "verdict_attestation_only": CellInt,
		"not_verified": CellInt, "compliance_rate": CellDecimal, "previous_rate": CellDecimal, "verdict_not_measured": CellInt,
		"declared_rate": CellDecimal, "verified_rate": CellDecimal, "claims_contradicted": CellInt, "claims_confirmed": CellInt,
	}
	explanationsXLSXTypes = map[string]CellType{"year": CellInt, "tender_id": CellInt, "planned_date": CellDate}
	tenderXLSXTypes       = map[string]CellType{"tender_id": CellInt, "position": CellInt, "planned_date": CellDate}
)

// XLSXWidths are the widths in characters of the text columns that hold
// names and sentences, by column name in every table; other columns fit
// their kind and header.
var XLSXWidths = map[string]float64{
	"name": 32, "name_words": 32, "standard": 32, "standard_name": 32, "vendor": 28, "supplier": 28,
	"explanation": 60, "evidence": 40, "tender_title": 36, "org_name": 28, "changes": 60, "before": 40, "after": 40,
	"actor_name": 24, "actor_email": 28, "action_text": 30, "domain_words": 28, "tender_reference": 18, "slug": 20,
}

// WriteAnnualXLSX writes the annual report r (LoadAnnualReport for viewer)
// as a workbook in opt's language: a sheet with the annual CSV's table per
// standard, per domain and in total, and a sheet with every explained
// answer of the year (the explanations CSV), streamed from the database.
func WriteAnnualXLSX(ctx context.Context, db *gorm.DB, w io.Writer, r AnnualReport, viewer *models.User, opt Options) error {
	wd := wordsOf(opt)
	b, err := NewWorkbook(wd.zone)
	if err != nil {
		return err
	}
	defer b.Close()
	if err := writeAnnualTable(b, r, wd); err != nil {
		return err
	}
	t, err := b.Table(wd.t("office.sheet.explanations", "year", r.Year),
		ColumnsOf(csvHeader(wd, "explanations", annualExplanationsCSVColumns), annualExplanationsCSVColumns, explanationsXLSXTypes, XLSXWidths))
	if err != nil {
		return err
	}
	err = models.EachAnnualExplanation(ctx, db, models.AnnualFilter{Year: r.Year, Viewer: viewer}, func(e *models.AnnualExplanation) error {
		return t.Row(r.Year, e.Slug, e.Standard, e.Level, e.TenderID, e.TenderReference, e.Supplier,
			e.Status, e.Explanation, plannedDate(e.PlannedDate), e.Verdict, wd.level(e.Level), wd.answer(e.Status), wd.verdict(e.Verdict))
	})
	if err != nil {
		return fmt.Errorf("report: annual xlsx: %w", err)
	}
	if err := t.Close(); err != nil {
		return err
	}
	return b.Write(w)
}

// writeAnnualTable adds the sheet of the annual CSV's rows.
func writeAnnualTable(b *Workbook, r AnnualReport, wd words) error {
	t, err := b.Table(wd.t("office.sheet.annual", "year", r.Year),
		ColumnsOf(csvHeader(wd, "annual", annualCSVColumns), annualCSVColumns, annualXLSXTypes, XLSXWidths))
	if err != nil {
		return err
	}
	row := func(kind string, s StandardStats) error {
		name, domain := s.NameIn(wd.lang), ""
		switch kind {
		case "domain":
			name = wd.domain(s.Slug)
		case "total":
			name = wd.t("annual.total")
		}
		if s.Domain != "" {
			domain = wd.domain(s.Domain)
		}
		cells := []any{r.Year, kind, s.Slug, s.Name, s.Domain, s.DemandedMandatory, s.DemandedRecommended}
		for _, st := range csvAnswerStatuses {
			cells = append(cells, s.Answers[st])
		}
		for _, v := range csvVerdicts {
			cells = append(cells, s.Verdicts[v])
		}
		cells = append(cells, s.Verdicts[""])
		var prev *float64
		if s.Previous != nil {
			p := round2(*s.Previous)
			prev = &p
		}
		cells = append(cells, xlsxRate(s.Rate()), prev, s.Verdicts[models.VerdictNotMeasured],
			xlsxRate(s.DeclaredRate()), xlsxRate(s.VerifiedRate()), s.ClaimsContradicted, s.ClaimsConfirmed,
			wd.t("csv_report.kind."+kind), name, domain)
		return t.Row(cells...)
	}
	for _, s := range r.Standards {
		if err := row("standard", s); err != nil {
			return err
		}
	}
	for _, d := range r.Domains {
		if err := row("domain", d); err != nil {
			return err
		}
	}
	if len(r.Standards) > 0 {
		if err := row("total", r.Total); err != nil {
			return err
		}
	}
	return t.Close()
}

// WriteTenderXLSX writes the tender's requirement x vendor matrix (the
// tender CSV) as a workbook in the tender's language, times in its zone.
func WriteTenderXLSX(w io.Writer, r TenderReport) error {
	wd := wordsOf(Options{Lang: r.Lang, Zone: r.Zone})
	b, err := NewWorkbook(wd.zone)
	if err != nil {
		return err
	}
	defer b.Close()
	name := r.Reference
	if name == "" {
		name = fmt.Sprint(r.ID)
	}
	t, err := b.Table(wd.t("office.sheet.tender", "reference", name),
		ColumnsOf(csvHeader(wd, "tender", tenderCSVColumns), tenderCSVColumns, tenderXLSXTypes, XLSXWidths))
	if err != nil {
		return err
	}
	for _, q := range r.Requirements {
		for _, v := range r.Vendors {
			cells := tenderRow(wd, r, q, v)
			cells[tenderPlannedDate] = plannedDate(cells[tenderPlannedDate].(string))
			if err := t.Row(cells...); err != nil {
				return err
			}
		}
	}
	if err := t.Close(); err != nil {
		return err
	}
	return b.Write(w)
}

// tenderPlannedDate is the planned date's column in tenderRow.
var tenderPlannedDate = slices.Index(tenderCSVColumns, "planned_date")

// plannedDate is a planned date (YYYY-MM-DD) as a date, or the text as
// typed when it is not one.
func plannedDate(s string) any {
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d
	}
	return s
}

// xlsxRate is a rate rounded as the CSV writes it, or nil without one.
func xlsxRate(v float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	v = round2(v)
	return &v
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
