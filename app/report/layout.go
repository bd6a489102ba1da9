package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/jung-kurt/gofpdf"

	"tenderprobe/app/probe/check"
)

// Sizes of the report tables.
const (
	gridFontSize   = 7.5
	gridLineHeight = 3.5
	bottomLimit    = margin + 6 // mm kept free above the footer
)

// column is one column of a grid: its heading and width in mm.
type column struct {
	title string
	width float64
}

// joinChecks lists check ids the way the sheet and the report print them.
func joinChecks(ids []check.ID) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = string(id)
	}
	return strings.Join(parts, ", ")
}

// safeText makes user text safe for gofpdf: its line splitter indexes a
// 65,536-entry width table by rune, so characters outside the Basic
// Multilingual Plane (emoji) would crash it; they print as U+FFFD.
// Carriage returns and other control characters except newline go too.
func safeText(s string) string {
	clean := true
	for _, r := range s {
		if r > 0xFFFF || (r < 0x20 && r != '\n') || r == 0x7F {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case r > 0xFFFF:
			return '\uFFFD'
		case r < 0x20 && r != '\n', r == 0x7F:
			return -1
		}
		return r
	}, s)
}

// safeSheet passes every text of a requirement sheet through safeText.
func safeSheet(s Sheet) Sheet {
	for _, p := range []*string{&s.Title, &s.Reference, &s.Buyer, &s.Status, &s.EstimatedValue, &s.CatalogueVersion, &s.Description} {
		*p = safeText(*p)
	}
	s.ScopeTags = append([]string(nil), s.ScopeTags...)
	for i := range s.ScopeTags {
		s.ScopeTags[i] = safeText(s.ScopeTags[i])
	}
	reqs := make([]SheetRequirement, len(s.Requirements))
	for i, r := range s.Requirements {
		for _, p := range []*string{&r.Standard, &r.Slug, &r.Domain, &r.Level, &r.Clause, &r.Note} {
			*p = safeText(*p)
		}
		reqs[i] = r
	}
	s.Requirements = reqs
	return s
}

// pageBottom is the lowest y content may reach.
func pageBottom(pdf *gofpdf.Fpdf) float64 {
	_, h := pdf.GetPageSize()
	return h - bottomLimit
}

// ensureSpace starts a new page unless h mm fit below the cursor.
func ensureSpace(pdf *gofpdf.Fpdf, h float64) {
	if pdf.GetY()+h > pageBottom(pdf) {
		pdf.AddPage()
	}
}

// heading prints a section title with a rule under it, on a new page when
// less than a few lines would follow it on this one.
func heading(pdf *gofpdf.Fpdf, text string) {
	ensureSpace(pdf, 30)
	pdf.Ln(3)
	pdf.SetFont(fontFamily, "B", 14)
	pdf.CellFormat(0, 8, safeText(text), "B", 1, "L", false, 0, "")
	pdf.Ln(2)
}

// subheading prints a smaller bold title.
func subheading(pdf *gofpdf.Fpdf, text string) {
	ensureSpace(pdf, 20)
	pdf.Ln(1)
	pdf.SetFont(fontFamily, "B", 10.5)
	pdf.MultiCell(0, 5.5, safeText(text), "", "L", false)
}

// para prints wrapped body text.
func para(pdf *gofpdf.Fpdf, text string) {
	pdf.SetFont(fontFamily, "", 10)
	pdf.MultiCell(0, lineHeight, safeText(text), "", "L", false)
	pdf.Ln(1)
}

// small prints wrapped grey text, for notes under a heading.
func small(pdf *gofpdf.Fpdf, text string) {
	pdf.SetFont(fontFamily, "", 8.5)
	pdf.SetTextColor(90, 100, 114)
	pdf.MultiCell(0, 4.2, safeText(text), "", "L", false)
	pdf.SetTextColor(29, 36, 48)
}

// grid prints rows under a heading row that repeats on every page. Cells
// wrap within their column; a row taller than what is left of the page
// continues on the next one, so a long explanation is never cut off.
func grid(pdf *gofpdf.Fpdf, cols []column, rows [][]string) {
	// Narrow columns need a smaller inner margin than gofpdf's default.
	saved := pdf.GetCellMargin()
	pdf.SetCellMargin(0.8)
	defer pdf.SetCellMargin(saved)
	printHeader := func() {
		pdf.SetFont(fontFamily, "B", gridFontSize)
		pdf.SetFillColor(232, 237, 245)
		titles := make([][]string, len(cols))
		most := 1
		for i, c := range cols {
			titles[i] = pdf.SplitText(c.title, c.width-1)
			most = max(most, len(titles[i]))
		}
		h := float64(most)*gridLineHeight + 1
		x, y := margin, pdf.GetY()
		for i, c := range cols {
			pdf.Rect(x, y, c.width, h, "FD")
			for k, line := range titles[i] {
				pdf.SetXY(x, y+0.5+float64(k)*gridLineHeight)
				pdf.CellFormat(c.width, gridLineHeight, line, "", 0, "L", false, 0, "")
			}
			x += c.width
		}
		pdf.SetXY(margin, y+h)
	}
	ensureSpace(pdf, 3*gridLineHeight+4)
	printHeader()
	pdf.SetFont(fontFamily, "", gridFontSize)
	for _, row := range rows {
		lines := make([][]string, len(cols))
		most := 1
		for i, c := range cols {
			text := ""
			if i < len(row) {
				text = safeText(row[i])
			}
			lines[i] = pdf.SplitText(text, c.width-1)
			if len(lines[i]) > most {
				most = len(lines[i])
			}
		}
		for start := 0; start < most; {
			room := int((pageBottom(pdf) - pdf.GetY() - 1) / gridLineHeight)
			if room < 2 || (room < most-start && room < 6) {
				pdf.AddPage()
				printHeader()
				pdf.SetFont(fontFamily, "", gridFontSize)
				continue
			}
			n := min(most-start, room)
			h := float64(n)*gridLineHeight + 1
			y, x := pdf.GetY(), margin
			for i, c := range cols {
				pdf.Rect(x, y, c.width, h, "D")
				for k := start; k < start+n && k < len(lines[i]); k++ {
					pdf.SetXY(x, y+0.5+float64(k-start)*gridLineHeight)
					pdf.CellFormat(c.width, gridLineHeight, lines[i][k], "", 0, "L", false, 0, "")
				}
				x += c.width
			}
			pdf.SetXY(margin, y+h)
			start += n
		}
	}
	pdf.Ln(2)
}

// output renders pdf to w with one error check, as gofpdf collects errors
// until Output.
func output(pdf *gofpdf.Fpdf, w io.Writer, what string) error {
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return fmt.Errorf("report: render %s: %w", what, err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: write %s: %w", what, err)
	}
	return nil
}
