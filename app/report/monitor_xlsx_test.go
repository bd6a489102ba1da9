package report

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestMonitorXLSXTypesTheCSVsCells(t *testing.T) {
	r := monitorFixture()
	var buf bytes.Buffer
	if err := WriteMonitorXLSX(&buf, r, "en"); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, buf.Bytes())
	if got := f.GetSheetList(); len(got) != 3 || got[0] != "Tenders 2026" || got[1] != "Standards 2026" || got[2] != "Explanations 2026" {
		t.Fatalf("sheets %q", got)
	}
	recs := csvRecords(t, func(b *bytes.Buffer) error { return WriteMonitorCSV(b, r, "tenders", "en") })
	types := map[string]CellType{}
	for _, n := range monitorCSVColumns["tenders"] {
		types[n] = monitorXLSXType("tenders", n)
	}
	checkXLSXTable(t, f, "Tenders 2026", recs, monitorCSVColumns["tenders"], types)
	for _, c := range []struct {
		name, sheet, ref, want string
	}{
		{"a share is a number with two decimals", "Standards 2026", "F2", "100.00"},
		{"a negative change stays a number", "Standards 2026", "I2", "-12.50"},
		{"a count is a whole number", "Standards 2026", "D2", "1"},
		{"a tender's day is a date", "Tenders 2026", "G2", "2026-02-01"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := f.GetCellValue(c.sheet, c.ref)
			if err != nil || got != c.want {
				t.Errorf("%s!%s = %q (%v), want %q", c.sheet, c.ref, got, err, c.want)
			}
			if typ, _ := f.GetCellType(c.sheet, c.ref); typ != excelize.CellTypeUnset {
				t.Errorf("%s!%s is of type %v, not a number", c.sheet, c.ref, typ)
			}
		})
	}
}
