package report

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The spreadsheets (XLSX) hold the same tables as the CSVs, column for
// column and in the same order, with the same header words (the CSV's
// header messages), but typed: ids and counts are numbers, rates decimals,
// times real date-times in a zone the header names, true/false booleans.
// Text is never a formula in a spreadsheet cell written as text, so the
// CSV's guard against formula injection (a leading apostrophe) is not
// needed and not written. Every table is a sheet of its own with a frozen,
// bold header row, a filter on every column and widths that fit the
// column's kind and header. Rows are streamed (excelize's StreamWriter),
// so a table of any length costs little memory: rows beyond 16 MB go to a
// temporary file until the workbook is written.

// CellType is the kind of value a spreadsheet column holds.
type CellType int

// The cell types a Column can hold.
const (
	// CellText is text, written as it is.
	CellText CellType = iota
	// CellInt is a whole number (an id or a count).
	CellInt
	// CellDecimal is a number shown with two decimals (a rate in %).
	CellDecimal
	// CellDate is a calendar day (yyyy-mm-dd).
	CellDate
	// CellDateTime is a time shown as yyyy-mm-dd hh:mm:ss in the zone of
	// the workbook (or UTC for a column with UTC set).
	CellDateTime
	// CellBool is true or false.
	CellBool
)

// Column is one column of a spreadsheet table.
type Column struct {
	// Header is the column's header in the document's language.
	Header string
	Type   CellType
	// Width is the column's width in characters; 0 picks one from the
	// type and the header.
	Width float64
	// UTC writes a CellDateTime column's times in UTC rather than in the
	// workbook's zone.
	UTC bool
}

// Workbook is a spreadsheet being written: one sheet per table, added in
// order with Table. Close it when done, whether or not it was written.
type Workbook struct {
	f      *excelize.File
	zone   *time.Location
	sheets int
	styles map[CellType]int
	header int
	open   *TableWriter
}

// NewWorkbook starts an empty workbook whose date-times are written in
// zone (nil: UTC).
func NewWorkbook(zone *time.Location) (*Workbook, error) {
	if zone == nil {
		zone = time.UTC
	}
	f := excelize.NewFile()
	b := &Workbook{f: f, zone: zone, styles: map[CellType]int{}}
	formats := map[CellType]string{CellInt: "0", CellDecimal: "0.00", CellDate: "yyyy-mm-dd", CellDateTime: "yyyy-mm-dd hh:mm:ss"}
	for typ, format := range formats {
		id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &format, Alignment: &excelize.Alignment{Vertical: "top"}})
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("report: xlsx style: %w", err)
		}
		b.styles[typ] = id
	}
	text, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("report: xlsx style: %w", err)
	}
	b.styles[CellText], b.styles[CellBool] = text, text
	b.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Family: "Calibri", Size: 11},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF7"}},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
		Border:    []excelize.Border{{Type: "bottom", Color: "5A6472", Style: 1}},
	})
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("report: xlsx style: %w", err)
	}
	return b, nil
}

// SheetName makes name a valid sheet name: at most 31 characters, none of
// : \ / ? * [ ].
func SheetName(name string) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, name)
	for utf8.RuneCountInString(name) > 31 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return strings.TrimSpace(name)
}

// Table adds a sheet called name (see SheetName) with a header row of
// columns, and returns the writer of its rows. The previous table must be
// closed first.
func (b *Workbook) Table(name string, columns []Column) (*TableWriter, error) {
	if b.open != nil {
		return nil, fmt.Errorf("report: xlsx: table %q is still open", b.open.sw.Sheet)
	}
	name = SheetName(name)
	if b.sheets == 0 {
		if err := b.f.SetSheetName(b.f.GetSheetName(0), name); err != nil {
			return nil, fmt.Errorf("report: xlsx sheet %q: %w", name, err)
		}
	} else if _, err := b.f.NewSheet(name); err != nil {
		return nil, fmt.Errorf("report: xlsx sheet %q: %w", name, err)
	}
	b.sheets++
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("report: xlsx sheet %q: %w", name, err)
	}
	t := &TableWriter{b: b, sw: sw, columns: columns, row: 1}
	// Panes and widths go before the first row.
	err = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}})
	for i, col := range columns {
		if err == nil {
			err = sw.SetColWidth(i+1, i+1, columnWidth(col))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("report: xlsx sheet %q: %w", name, err)
	}
	head := make([]any, len(columns))
	for i, col := range columns {
		head[i] = excelize.Cell{StyleID: b.header, Value: col.Header}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{Height: headerHeight(columns)}); err != nil {
		return nil, fmt.Errorf("report: xlsx sheet %q: %w", name, err)
	}
	b.open = t
	return t, nil
}

// columnWidth is col's width in characters: its own, else one that fits
// its kind, widened for a long header up to a limit (the header wraps).
func columnWidth(col Column) float64 {
	if col.Width > 0 {
		return col.Width
	}
	w := map[CellType]float64{CellText: 16, CellInt: 10, CellDecimal: 10, CellDate: 12, CellDateTime: 20, CellBool: 10}[col.Type]
	if n := float64(utf8.RuneCountInString(col.Header))/2 + 2; n > w {
		w = min(n, 30)
	}
	return w
}

// headerHeight fits the wrapped header: a line per 2 more words than fit.
func headerHeight(columns []Column) float64 {
	lines := 1
	for _, col := range columns {
		width := columnWidth(col)
		if n := int(float64(utf8.RuneCountInString(col.Header))/width) + 1; n > lines {
			lines = n
		}
	}
	return float64(min(lines, 5)) * 15
}

// TableWriter writes the rows of one table.
type TableWriter struct {
	b       *Workbook
	sw      *excelize.StreamWriter
	columns []Column
	row     int
}

// Row writes the next row: one value per column, in column order. A value
// is a string, an integer, a float64, a bool, a time.Time, a pointer to a
// float64 or time.Time, or nil; nil and nil pointers leave the cell
// empty.
func (t *TableWriter) Row(values ...any) error {
	if len(values) != len(t.columns) {
		return fmt.Errorf("report: xlsx sheet %q: a row of %d values for %d columns", t.sw.Sheet, len(values), len(t.columns))
	}
	t.row++
	cells := make([]any, len(values))
	for i, v := range values {
		col := t.columns[i]
		v = t.value(col, v)
		if v == nil {
			continue
		}
		cells[i] = excelize.Cell{StyleID: t.b.styles[col.Type], Value: v}
	}
	ref, err := excelize.CoordinatesToCellName(1, t.row)
	if err == nil {
		err = t.sw.SetRow(ref, cells)
	}
	if err != nil {
		return fmt.Errorf("report: xlsx sheet %q row %d: %w", t.sw.Sheet, t.row, err)
	}
	return nil
}

// value is v as the cell of col holds it: times in the column's zone.
func (t *TableWriter) value(col Column, v any) any {
	switch x := v.(type) {
	case *float64:
		if x == nil {
			return nil
		}
		return *x
	case *time.Time:
		if x == nil {
			return nil
		}
		v = *x
	case string:
		if x == "" {
			return nil
		}
	}
	if tm, ok := v.(time.Time); ok {
		if tm.IsZero() {
			return nil
		}
		if col.Type != CellDateTime {
			return tm // a calendar day is the same day in every zone
		}
		zone := t.b.zone
		if col.UTC {
			zone = time.UTC
		}
		// excelize writes the wall clock of the time's own zone. Whole
		// seconds, as the CSVs' RFC 3339 times: a spreadsheet shows a
		// fraction rounded, which could be the next second.
		return tm.Truncate(time.Second).In(zone)
	}
	return v
}

// Rows is how many rows of data the table has so far.
func (t *TableWriter) Rows() int { return t.row - 1 }

// Close puts a filter on every column of the table and ends it.
func (t *TableWriter) Close() error {
	last, err := excelize.CoordinatesToCellName(len(t.columns), max(t.row, 2))
	if err == nil {
		err = t.b.f.AutoFilter(t.sw.Sheet, "A1:"+last, nil)
	}
	if err == nil {
		err = t.sw.Flush()
	}
	t.b.open = nil
	if err != nil {
		return fmt.Errorf("report: xlsx sheet %q: %w", t.sw.Sheet, err)
	}
	return nil
}

// Write writes the workbook as an XLSX file to w; its first sheet is the
// one shown when the file opens.
func (b *Workbook) Write(w io.Writer) error {
	if b.open != nil {
		if err := b.open.Close(); err != nil {
			return err
		}
	}
	b.f.SetActiveSheet(0)
	if err := b.f.Write(w); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	return nil
}

// Close frees the workbook's temporary files.
func (b *Workbook) Close() error { return b.f.Close() }

// XLSXContentType is the media type of an XLSX file.
const XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// ColumnsOf pairs the header words of a table's columns (by name, in
// order) with their types and widths: types[name] and widths[name] for the
// columns named there, text of a width that fits the header for the rest.
func ColumnsOf(header []string, names []string, types map[string]CellType, widths map[string]float64) []Column {
	out := make([]Column, len(names))
	for i, name := range names {
		out[i] = Column{Header: header[i], Type: types[name], Width: widths[name]}
	}
	return out
}
