package report

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"gorm.io/gorm"

	"tenderprobe/models"
)

// safeCell guards against CSV formula injection (OWASP): a spreadsheet
// runs a cell that starts with = + - @ (or a tab or carriage return, which
// some programs skip before looking) as a formula, so such text from a
// vendor gets a leading apostrophe and stays text. Numbers the report
// computes itself are written without it.
func safeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func safeRow(cells ...string) []string {
	for i := range cells {
		cells[i] = safeCell(cells[i])
	}
	return cells
}

// The CSVs follow the product's one CSV convention (the review matrix and
// the audit log CSVs follow it too): the header row is in the document's
// language, one message per column (csv_report.col.<csv>.<column>), and a
// column that holds codes says so in its header ("Level (code)") with the
// same value in words in a column further on. The order of the columns is
// fixed by the slices below: programs read the columns by position, and a
// new column is only ever added at the end.

// annualCSVColumns are the annual CSV's columns in their fixed order: the
// codes (row kind, slug, domain), the name as recorded, the counts and
// rates, then the kind, name and domain in the document's words.
var annualCSVColumns = []string{
	"year", "kind", "slug", "name", "domain", "demanded_mandatory", "demanded_recommended",
	"answers_complies", "answers_partial", "answers_does_not_comply", "answers_not_applicable",
	"verdict_contradicted", "verdict_inconclusive", "verdict_consistent", "verdict_better_than_declared", "verdict_confirmed", "verdict_attestation_only",
	"not_verified", "compliance_rate", "previous_rate",
	"verdict_not_measured", "declared_rate", "verified_rate", "claims_contradicted", "claims_confirmed",
	"kind_words", "name_words", "domain_words",
}

// tenderCSVColumns are the tender matrix CSV's columns in their fixed
// order: one row per requirement and vendor, the codes (level, attestation
// status, answer, verdict, yes/no) first, their words at the end.
// met_declared is the vendor's word, met counts it unless the probes
// contradicted it, met_verified only when they confirmed it.
var tenderCSVColumns = []string{
	"tender_id", "tender_reference", "position", "standard", "slug", "domain", "level", "vendor",
	"attestation_status", "answer", "explanation", "planned_date", "evidence", "verdict",
	"met_declared", "met", "met_verified",
	"domain_words", "level_words", "attestation_status_words", "answer_words", "verdict_words", "met_declared_words", "met_words", "met_verified_words",
}

// csvHeader is the header row of one CSV (tender or annual) in w's
// language, each column's from csv_report.col.<csv>.<column>: a column
// name the two CSVs share may hold different things (the tender's domain
// is the English name, the annual one's the code), so each has its own.
func csvHeader(w words, doc string, columns []string) []string {
	out := make([]string, len(columns))
	for i, col := range columns {
		out[i] = w.t("csv_report.col." + doc + "." + col)
	}
	return out
}

// WriteAnnualCSV writes the per-standard table of r as CSV: one row per
// standard, then one per domain and the total, with demand, answers by
// status, verdicts, the compliance rate and last year's rate, and the
// kind, name and domain in lang's words.
func WriteAnnualCSV(w io.Writer, r AnnualReport, lang string) error {
	wd := wordsOf(Options{Lang: lang})
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader(wd, "annual", annualCSVColumns)); err != nil {
		return fmt.Errorf("report: annual csv: %w", err)
	}
	row := func(kind string, s StandardStats) []string {
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
		out := append(safeRow(fmt.Sprint(r.Year), kind, s.Slug, s.Name, s.Domain),
			fmt.Sprint(s.DemandedMandatory), fmt.Sprint(s.DemandedRecommended))
		for _, st := range csvAnswerStatuses {
			out = append(out, fmt.Sprint(s.Answers[st]))
		}
		for _, v := range csvVerdicts {
			out = append(out, fmt.Sprint(s.Verdicts[v]))
		}
		out = append(out, fmt.Sprint(s.Verdicts[""]))
		prev := ""
		if s.Previous != nil {
			prev = fmt.Sprintf("%.2f", *s.Previous)
		}
		return append(out, csvRate(s.Rate()), prev, fmt.Sprint(s.Verdicts[models.VerdictNotMeasured]),
			csvRate(s.DeclaredRate()), csvRate(s.VerifiedRate()), fmt.Sprint(s.ClaimsContradicted), fmt.Sprint(s.ClaimsConfirmed),
			wd.t("csv_report.kind."+kind), safeCell(name), safeCell(domain))
	}
	for _, s := range r.Standards {
		if err := cw.Write(row("standard", s)); err != nil {
			return fmt.Errorf("report: annual csv: %w", err)
		}
	}
	for _, d := range r.Domains {
		if err := cw.Write(row("domain", d)); err != nil {
			return fmt.Errorf("report: annual csv: %w", err)
		}
	}
	if len(r.Standards) > 0 {
		if err := cw.Write(row("total", r.Total)); err != nil {
			return fmt.Errorf("report: annual csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: annual csv: %w", err)
	}
	return nil
}

// WriteTenderCSV writes the tender's requirement x vendor matrix as CSV:
// one row per requirement and vendor with the answer, explanation, planned
// date, evidence (name and SHA-256) and verdict, then the codes in lang's
// words.
func WriteTenderCSV(w io.Writer, r TenderReport, lang string) error {
	wd := wordsOf(Options{Lang: lang})
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader(wd, "tender", tenderCSVColumns)); err != nil {
		return fmt.Errorf("report: tender csv: %w", err)
	}
	for _, q := range r.Requirements {
		for _, v := range r.Vendors {
			cells := tenderRow(wd, r, q, v)
			rec := make([]string, len(cells))
			for i, c := range cells {
				if str, ok := c.(string); ok {
					rec[i] = safeRow(str)[0]
				} else {
					rec[i] = fmt.Sprint(c)
				}
			}
			if err := cw.Write(rec); err != nil {
				return fmt.Errorf("report: tender csv: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: tender csv: %w", err)
	}
	return nil
}

// tenderRow is the row of the tender table (tenderCSVColumns) for
// requirement q and vendor v: numbers as numbers, the rest as text, the
// planned date as typed. The CSV and the XLSX both write it.
func tenderRow(wd words, r TenderReport, q ReportRequirement, v Vendor) []any {
	an := v.Answers[q.ID]
	ev := make([]string, len(an.Evidence))
	for i, e := range an.Evidence {
		ev[i] = e.Name
		if e.SHA256 != "" {
			ev[i] += " sha256:" + e.SHA256
		}
	}
	verdict, verdictWords := an.Verdict, wd.verdict(an.Verdict)
	if !v.Verified {
		verdict, verdictWords = "not_verified", wd.t("report.probes.none")
	}
	declared := an.Status == models.AnswerComplies
	met := []bool{declared, declared && an.Verdict != models.VerdictContradicted, declared && v.Verified && an.Verdict == models.VerdictConfirmed}
	cells := []any{r.ID, r.Reference, q.Position, q.Standard, q.Slug, models.DomainName(q.Domain), q.Level, v.Name,
		v.Status, an.Status, an.Explanation, an.PlannedDate, strings.Join(ev, "; "), verdict,
		yesNo(met[0]), yesNo(met[1]), yesNo(met[2]),
		wd.domain(q.Domain), wd.level(q.Level), wd.word("review.attestation", v.Status, v.Status), wd.answer(an.Status), verdictWords}
	for _, m := range met {
		cells = append(cells, wd.t("csv_report."+yesNo(m)))
	}
	return cells
}

// csvAnswerStatuses are the answer columns of the annual CSV in their
// order; a status added later gets its column at the end of the row.
var csvAnswerStatuses = []string{models.AnswerComplies, models.AnswerPartial, models.AnswerDoesNotComply, models.AnswerNotApplicable}

// csvVerdicts are the verdict columns in their first order; verdicts added
// later (not_measured) get columns at the end of the row.
var csvVerdicts = []string{models.VerdictContradicted, models.VerdictInconclusive, models.VerdictConsistent,
	models.VerdictBetterThanDeclared, models.VerdictConfirmed, models.VerdictAttestationOnly}

func csvRate(v float64, ok bool) string {
	if !ok {
		return ""
	}
	return fmt.Sprintf("%.2f", v)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// annualExplanationsCSVColumns are the explanations CSV's columns in their
// fixed order: one row per explained answer, codes first, their words at
// the end.
var annualExplanationsCSVColumns = []string{
	"year", "slug", "standard", "level", "tender_id", "tender_reference", "supplier", "answer", "explanation", "planned_date", "verdict",
	"level_words", "answer_words", "verdict_words",
}

// WriteAnnualExplanationsCSV writes every explained answer of year that
// viewer may see (nil: all) as CSV to w, streamed from the database row by
// row, so a year of any size costs the same memory. The PDF prints only
// the explanations given most often; this is the full list.
func WriteAnnualExplanationsCSV(ctx context.Context, db *gorm.DB, w io.Writer, year int, viewer *models.User, lang string) error {
	wd := wordsOf(Options{Lang: lang})
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader(wd, "explanations", annualExplanationsCSVColumns)); err != nil {
		return fmt.Errorf("report: explanations csv: %w", err)
	}
	err := models.EachAnnualExplanation(ctx, db, models.AnnualFilter{Year: year, Viewer: viewer}, func(e *models.AnnualExplanation) error {
		return cw.Write(append(safeRow(fmt.Sprint(year), e.Slug, e.Standard, e.Level, fmt.Sprint(e.TenderID), e.TenderReference, e.Supplier,
			e.Status, e.Explanation, e.PlannedDate, e.Verdict), wd.level(e.Level), wd.answer(e.Status), wd.verdict(e.Verdict)))
	})
	if err != nil {
		return fmt.Errorf("report: explanations csv: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: explanations csv: %w", err)
	}
	return nil
}
