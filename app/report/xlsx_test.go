package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"tenderprobe/models/dbtest"
)

// openXLSX reads a workbook back with excelize.
func openXLSX(t *testing.T, body []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("excelize cannot read the workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// unguard undoes the CSV's guard against formula injection, which the
// spreadsheet does not need: its text cells are never formulas.
func unguard(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

// checkXLSXTable checks sheet of f against the CSV records recs (header
// first) and the column types: the same header words, the same cells
// (numbers, dates and booleans as the CSV writes them, read back through
// their number formats), the header row frozen, a filter over every
// column and row, and typed cells where the column is typed.
func checkXLSXTable(t *testing.T, f *excelize.File, sheet string, recs [][]string, names []string, types map[string]CellType) {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(recs) {
		t.Fatalf("sheet %q has %d rows, the CSV %d", sheet, len(rows), len(recs))
	}
	for i, rec := range recs {
		row := append(rows[i], make([]string, len(rec))...)[:len(rec)]
		for j := range rec {
			want, got := unguard(rec[j]), row[j]
			if types[names[j]] == CellBool {
				got = strings.ToLower(got)
			}
			if got != want {
				t.Errorf("sheet %q row %d column %s: %q, the CSV has %q", sheet, i+1, names[j], got, want)
			}
		}
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 || panes.TopLeftCell != "A2" {
		t.Errorf("sheet %q panes %+v (%v), want the first row frozen", sheet, panes, err)
	}
	last, _ := excelize.CoordinatesToCellName(len(names), max(len(recs), 2), true)
	want := fmt.Sprintf("'%s'!$A$1:%s", sheet, last)
	found := false
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" && d.Scope == sheet {
			found = true
			if d.RefersTo != want {
				t.Errorf("sheet %q filters %q, want %q", sheet, d.RefersTo, want)
			}
		}
	}
	if !found {
		t.Errorf("sheet %q has no filter", sheet)
	}
	for j, name := range names {
		col, _ := excelize.ColumnNumberToName(j + 1)
		if w, err := f.GetColWidth(sheet, col); err != nil || w < 8 {
			t.Errorf("column %s (%s) is %v wide (%v)", col, name, w, err)
		}
		for i := 2; i <= len(recs); i++ {
			ref := col + strconv.Itoa(i)
			if recs[i-1][j] == "" {
				continue
			}
			typ, err := f.GetCellType(sheet, ref)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
			switch types[name] {
			case CellInt, CellDecimal, CellDate, CellDateTime:
				if _, err := strconv.ParseFloat(raw, 64); typ != excelize.CellTypeUnset || err != nil {
					t.Errorf("%s (%s) holds %q of type %v, not a number", ref, name, raw, typ)
				}
			case CellBool:
				if typ != excelize.CellTypeBool {
					t.Errorf("%s (%s) is of type %v, not a boolean", ref, name, typ)
				}
			default:
				if typ != excelize.CellTypeInlineString {
					t.Errorf("%s (%s) holds %q of type %v, not text", ref, name, raw, typ)
				}
			}
		}
	}
}

func TestTenderAndAnnualXLSXHoldTheCSVsTables(t *testing.T) {
	t.Parallel()
	annual := BuildAnnual(sampleYear(2026, 24, 0.75), sampleYear(2025, 10, 0.5), "all tenders")
	for _, lang := range catalogue().Languages() {
		t.Run("the tender workbook in "+lang+" has the tender CSV's header and cells, typed", func(t *testing.T) {
			tender := sampleTender()
			tender.Lang = lang
			withDomainCodes(tender.Requirements, func(q *ReportRequirement, code string) { q.Domain = code })
			recs := csvRecords(t, func(b *bytes.Buffer) error { return WriteTenderCSV(b, tender, lang) })
			var buf bytes.Buffer
			if err := WriteTenderXLSX(&buf, tender); err != nil {
				t.Fatal(err)
			}
			f := openXLSX(t, buf.Bytes())
			wd := wordsOf(Options{Lang: lang})
			want := wd.t("office.sheet.tender", "reference", tender.Reference)
			if got := f.GetSheetList(); len(got) != 1 || got[0] != want {
				t.Fatalf("sheets %q, want [%q]", got, want)
			}
			checkXLSXTable(t, f, want, recs, tenderCSVColumns, tenderXLSXTypes)
			if w, _ := f.GetColWidth(want, "K"); w != XLSXWidths["explanation"] {
				t.Errorf("the explanation column is %v wide, want %v", w, XLSXWidths["explanation"])
			}
		})
		t.Run("the annual table in "+lang+" has the annual CSV's header and cells, typed", func(t *testing.T) {
			recs := csvRecords(t, func(b *bytes.Buffer) error { return WriteAnnualCSV(b, annual, lang) })
			b, err := NewWorkbook(nil)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			wd := wordsOf(Options{Lang: lang})
			if err := writeAnnualTable(b, annual, wd); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := b.Write(&buf); err != nil {
				t.Fatal(err)
			}
			f := openXLSX(t, buf.Bytes())
			sheet := wd.t("office.sheet.annual", "year", 2026)
			checkXLSXTable(t, f, sheet, recs, annualCSVColumns, annualXLSXTypes)
		})
	}
	t.Run("the Dutch headers and sheet names are Dutch words", func(t *testing.T) {
		tender := sampleTender()
		tender.Lang = "nl"
		var buf bytes.Buffer
		if err := WriteTenderXLSX(&buf, tender); err != nil {
			t.Fatal(err)
		}
		f := openXLSX(t, buf.Bytes())
		if got := f.GetSheetList()[0]; got != "Antwoorden GV-2026-007" {
			t.Errorf("sheet %q", got)
		}
		head, _ := f.GetRows("Antwoorden GV-2026-007")
		if head[0][0] != "Nummer van de aanbesteding" || head[0][6] != "Niveau (code)" {
			t.Errorf("header %q", head[0])
		}
	})
}

func TestWorkbookTables(t *testing.T) {
	t.Parallel()
	amsterdam, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 7, 1, 22, 30, 0, 0, time.UTC)
	write := func(t *testing.T, fill func(*TableWriter) error) *excelize.File {
		t.Helper()
		b, err := NewWorkbook(amsterdam)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		tw, err := b.Table("Monitor: 2026/Q3 [draft] with a name far too long for a sheet", []Column{
			{Header: "When", Type: CellDateTime}, {Header: "When (UTC)", Type: CellDateTime, UTC: true},
			{Header: "Day", Type: CellDate}, {Header: "Rate", Type: CellDecimal}, {Header: "Text"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := fill(tw); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := b.Write(&buf); err != nil {
			t.Fatal(err)
		}
		return openXLSX(t, buf.Bytes())
	}
	t.Run("a sheet name loses the characters a sheet name cannot have and is cut to 31", func(t *testing.T) {
		f := write(t, func(*TableWriter) error { return nil })
		if got := f.GetSheetList()[0]; got != "Monitor- 2026-Q3 -draft- with a" {
			t.Errorf("sheet %q", got)
		}
	})
	t.Run("times are in the workbook's zone or UTC, days stay days, and text that looks like a formula stays text", func(t *testing.T) {
		day := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
		rate := 12.5
		f := write(t, func(tw *TableWriter) error { return tw.Row(at, &at, day, &rate, "=HYPERLINK(\"http://evil.example\")") })
		sheet := f.GetSheetList()[0]
		row, _ := f.GetRows(sheet)
		want := []string{"2026-07-02 00:30:00", "2026-07-01 22:30:00", "2026-07-01", "12.50", "=HYPERLINK(\"http://evil.example\")"}
		if strings.Join(row[1], "|") != strings.Join(want, "|") {
			t.Errorf("row %q, want %q", row[1], want)
		}
		if formula, _ := f.GetCellFormula(sheet, "E2"); formula != "" {
			t.Errorf("E2 is the formula %q", formula)
		}
	})
	t.Run("nil and empty values leave cells empty", func(t *testing.T) {
		f := write(t, func(tw *TableWriter) error { return tw.Row(nil, (*time.Time)(nil), nil, (*float64)(nil), "") })
		row, _ := f.GetRows(f.GetSheetList()[0])
		if len(row) > 1 && strings.Join(row[1], "") != "" {
			t.Errorf("row %q", row[1])
		}
	})
	t.Run("a row of the wrong width is refused", func(t *testing.T) {
		b, err := NewWorkbook(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		tw, err := b.Table("x", []Column{{Header: "a"}, {Header: "b"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := tw.Row("only one"); err == nil {
			t.Error("a row of one value under two columns was written")
		}
		if _, err := b.Table("y", []Column{{Header: "a"}}); err == nil {
			t.Error("a second table was opened before the first was closed")
		}
	})
}

func TestAnnualXLSXHoldsTheTableAndEveryExplanation(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	buildSynthYear(t, db, synthYear{Year: 2025, Tenders: 30, Previous: 10, Standards: 12, PerTender: 4, VendorsPerTender: 3})
	ctx := context.Background()
	r, err := LoadAnnualReport(ctx, db, 2025, nil)
	if err != nil {
		t.Fatal(err)
	}
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteAnnualXLSX(ctx, db, &buf, r, nil, Options{Created: fixedDate, Lang: "es", Zone: madrid}); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, buf.Bytes())
	if got := f.GetSheetList(); strings.Join(got, "|") != "Tabla anual 2025|Explicaciones 2025" {
		t.Fatalf("sheets %q", got)
	}
	t.Run("the first sheet is the annual CSV", func(t *testing.T) {
		recs := csvRecords(t, func(b *bytes.Buffer) error { return WriteAnnualCSV(b, r, "es") })
		checkXLSXTable(t, f, "Tabla anual 2025", recs, annualCSVColumns, annualXLSXTypes)
	})
	t.Run("the second sheet is the explanations CSV, every row of it", func(t *testing.T) {
		var out bytes.Buffer
		if err := WriteAnnualExplanationsCSV(ctx, db, &out, 2025, nil, "es"); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&out).ReadAll()
		if err != nil || len(recs) < 10 {
			t.Fatalf("%d explanations, %v", len(recs), err)
		}
		checkXLSXTable(t, f, "Explicaciones 2025", recs, annualExplanationsCSVColumns, explanationsXLSXTypes)
	})
}
