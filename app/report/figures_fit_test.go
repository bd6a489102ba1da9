package report

import (
	"testing"

	"tenderprobe/app/i18n"
	"tenderprobe/models"
)

// TestFiguresFitTheirColumns puts the widest figures the annual report's
// tables can hold (five-digit counts: a year of 5,000 tenders has some
// 25,000 answers to its most demanded standard; 100.0%; a change of a
// hundred points; an amount in the hundreds of millions) into their
// columns in every
// language, and requires each on one line: a narrow column once broke
// "100,0%" after its comma and put "€" on a line of its own.
func TestFiguresFitTheirColumns(t *testing.T) {
	t.Parallel()
	hundred, zero := 100.0, 0.0
	extremes := []StandardStats{
		{DemandedMandatory: 99999, DemandedRecommended: 99999, Previous: &zero,
			Answers:  map[string]int{models.AnswerComplies: 99999, models.AnswerPartial: 99999, models.AnswerDoesNotComply: 99999, models.AnswerNotApplicable: 99999},
			Verdicts: map[string]int{models.VerdictContradicted: 99999, models.VerdictConfirmed: 99999}, ClaimsConfirmed: 99999, ClaimsContradicted: 99999},
		{DemandedMandatory: 1, Previous: &hundred,
			Answers:  map[string]int{models.AnswerDoesNotComply: 99999},
			Verdicts: map[string]int{models.VerdictContradicted: 99999}},
	}
	for _, lang := range i18n.Available() {
		for _, single := range []bool{true, false} {
			wd := wordsOf(Options{Lang: lang})
			pdf := newDocument("x", Options{Created: fixedDate, Lang: lang}, single)
			pdf.SetFont(fontFamily, "", gridFontSize)
			fits := func(what string, c column, cell string) {
				t.Helper()
				if lines := wrapText(pdf, cell, c.width-2*cellPadX); len(lines) != 1 {
					t.Errorf("%s (single-byte %v): %q in column %q (%.1f mm, %.1f needed) takes lines %q", lang, single, cell, c.title, c.width, pdf.GetStringWidth(cell)+2*cellPadX, lines)
				}
			}
			cols := countColumns(wd)
			for _, s := range extremes {
				for i, cell := range countRow(wd, s) {
					fits("counts", cols[i], cell)
				}
			}
			annex := annexColumns(wd)
			fits("annex", annex[5], wd.money(99999999999, "EUR"))
			fits("annex", annex[5], wd.money(99999999999, "GBP"))
			fits("annex", annex[5], wd.money(9999999999, "USD"))
			fits("annex", annex[6], "40 (40)")
			fits("annex", annex[7], wd.ofCount(200, 200))
			// The heading row shrinks to 6 pt before it cuts a word; at
			// 6.5 pt every title's words still fit.
			pdf.SetFont(fontFamily, "B", 6.5)
			for _, cols := range [][]column{countTable(wd, wd.t("annual.col.standard")), annex} {
				for _, c := range cols {
					if !titlesFit(pdf, []column{c}) {
						t.Errorf("%s: a word of the column title %q does not fit its %.1f mm at 6.5 pt", lang, c.title, c.width)
					}
				}
			}
		}
	}
}

// TestAnnualTablesSpanThePage keeps the columns of the annual report's
// tables within the page: widening one column for its figures must take
// the room from another.
func TestAnnualTablesSpanThePage(t *testing.T) {
	t.Parallel()
	wd := wordsOf(Options{})
	pdf := newDocument("x", Options{Created: fixedDate}, false)
	page, _ := pdf.GetPageSize()
	for name, cols := range map[string][]column{
		"counts": countTable(wd, ""),
		"annex":  annexColumns(wd),
	} {
		sum := 0.0
		for _, c := range cols {
			sum += c.width
		}
		if sum > page-2*margin+0.01 {
			t.Errorf("the %s table is %.1f mm wide, the page has %.1f between its margins", name, sum, page-2*margin)
		}
	}
}
