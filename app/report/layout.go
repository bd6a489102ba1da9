package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"

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

// safeText makes user text safe for the layout: carriage returns and
// other control characters except newline go, and tabs become spaces.
// Characters the fonts lack (emoji, which would crash gofpdf) are left to
// the document's text method (printable), which every text passes.
func safeText(s string) string {
	clean := true
	for _, r := range s {
		if (r < 0x20 && r != '\n') || r == 0x7F {
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
func pageBottom(pdf *doc) float64 {
	_, h := pdf.GetPageSize()
	return h - bottomLimit
}

// ensureSpace starts a new page unless h mm fit below the cursor.
func ensureSpace(pdf *doc, h float64) {
	if pdf.GetY()+h > pageBottom(pdf) {
		pdf.AddPage()
	}
}

// heading prints a section title with a rule under it, on a new page when
// less than a few lines would follow it on this one.
func heading(pdf *doc, text string) {
	ensureSpace(pdf, 30)
	pdf.Ln(3)
	pdf.SetFont(fontFamily, "B", 14)
	pdf.CellFormat(0, 8, safeText(text), "B", 1, "L", false, 0, "")
	pdf.Ln(2)
}

// subheading prints a smaller bold title.
func subheading(pdf *doc, text string) {
	ensureSpace(pdf, 20)
	pdf.Ln(1)
	pdf.SetFont(fontFamily, "B", 10.5)
	pdf.MultiCell(0, 5.5, safeText(text), "", "L", false)
}

// para prints wrapped body text.
func para(pdf *doc, text string) {
	pdf.SetFont(fontFamily, "", 10)
	pdf.MultiCell(0, lineHeight, safeText(text), "", "L", false)
	pdf.Ln(1)
}

// small prints wrapped grey text, for notes under a heading.
func small(pdf *doc, text string) {
	pdf.SetFont(fontFamily, "", 8.5)
	pdf.SetTextColor(90, 100, 114)
	pdf.MultiCell(0, 4.2, safeText(text), "", "L", false)
	pdf.SetTextColor(29, 36, 48)
}

// Padding inside table cells, in mm.
const (
	cellPadX = 1.4
	cellPadY = 0.9
)

// markFill is the fill of a highlighted row (a contradicted claim): pale
// red, always next to a text mark, never colour alone.
var markFill = [3]int{251, 226, 226}

// grid prints rows under a heading row that repeats on every page. Cells
// wrap within their column at sensible points (wrapText). A row never
// starts on one page and ends on the next: a row that does not fit below
// the cursor goes to a new page under a repeated heading row; only a row
// taller than a whole page continues over pages, so a long explanation is
// never cut off.
func grid(pdf *doc, cols []column, rows [][]string) {
	gridMarked(pdf, cols, rows, nil)
}

// gridMarked is grid with the rows for which marked is true filled in
// markFill; the caller puts the text mark into the row itself.
func gridMarked(pdf *doc, cols []column, rows [][]string, marked func(int) bool) {
	saved := pdf.GetCellMargin()
	pdf.SetCellMargin(0)
	defer pdf.SetCellMargin(saved)
	headerHeight := 0.0
	// The heading row shrinks its font (down to 6 pt) rather than cut a
	// word: a column title in Dutch or Spanish is often one long word.
	headerSize := gridFontSize
	for ; headerSize > 6; headerSize -= 0.25 {
		pdf.SetFont(fontFamily, "B", headerSize)
		if titlesFit(pdf, cols) {
			break
		}
	}
	printHeader := func() {
		pdf.SetFont(fontFamily, "B", headerSize)
		pdf.SetFillColor(232, 237, 245)
		titles := make([][]string, len(cols))
		most := 1
		for i, c := range cols {
			titles[i] = wrapText(pdf, c.title, c.width-2*cellPadX)
			most = max(most, len(titles[i]))
		}
		headerHeight = float64(most)*gridLineHeight + 2*cellPadY
		x, y := margin, pdf.GetY()
		for i, c := range cols {
			pdf.Rect(x, y, c.width, headerHeight, "FD")
			for k, line := range titles[i] {
				pdf.SetXY(x+cellPadX, y+cellPadY+float64(k)*gridLineHeight)
				pdf.CellFormat(c.width-2*cellPadX, gridLineHeight, line, "", 0, "L", false, 0, "")
			}
			x += c.width
		}
		pdf.SetXY(margin, y+headerHeight)
		pdf.SetFont(fontFamily, "", gridFontSize)
	}
	newPage := func() {
		pdf.AddPage()
		printHeader()
	}
	ensureSpace(pdf, gridNeed(pdf, cols, rows))
	printHeader()
	for r, row := range rows {
		lines := make([][]string, len(cols))
		most := 1
		for i, c := range cols {
			text := ""
			if i < len(row) {
				text = safeText(row[i])
			}
			lines[i] = wrapText(pdf, text, c.width-2*cellPadX)
			most = max(most, len(lines[i]))
		}
		fill := marked != nil && marked(r)
		// Measure first: a row that fits on a fresh page never splits.
		rowHeight := float64(most)*gridLineHeight + 2*cellPadY
		fresh := pageBottom(pdf) - (margin + 8) - headerHeight
		if pdf.GetY()+rowHeight > pageBottom(pdf) && rowHeight <= fresh {
			newPage()
		}
		for start := 0; start < most; {
			room := int((pageBottom(pdf) - pdf.GetY() - 2*cellPadY) / gridLineHeight)
			if room < 2 {
				newPage()
				continue
			}
			n := min(most-start, room)
			h := float64(n)*gridLineHeight + 2*cellPadY
			y, x := pdf.GetY(), margin
			for i, c := range cols {
				style := "D"
				if fill {
					pdf.SetFillColor(markFill[0], markFill[1], markFill[2])
					style = "FD"
				}
				pdf.Rect(x, y, c.width, h, style)
				for k := start; k < start+n && k < len(lines[i]); k++ {
					pdf.SetXY(x+cellPadX, y+cellPadY+float64(k-start)*gridLineHeight)
					pdf.CellFormat(c.width-2*cellPadX, gridLineHeight, lines[i][k], "", 0, "L", false, 0, "")
				}
				x += c.width
			}
			pdf.SetXY(margin, y+h)
			start += n
		}
	}
	pdf.Ln(2)
}

// gridNeed is the room a grid needs below the cursor to start on this
// page: the heading row never stands alone at the foot of a page, it goes
// with the first row, or that row's first lines when the row is taller
// than a page. What must stay with a grid (its title, notes) adds its own
// height to this (keepWithGrid).
func gridNeed(pdf *doc, cols []column, rows [][]string) float64 {
	need := 3*gridLineHeight + 4 + 2*cellPadY
	if len(rows) == 0 {
		return need
	}
	// Every text sets its own font before it is drawn: measuring may leave
	// another one set.
	pdf.SetFont(fontFamily, "", gridFontSize)
	most := 1
	for i, c := range cols {
		if i < len(rows[0]) {
			most = max(most, len(wrapText(pdf, safeText(rows[0][i]), c.width-2*cellPadX)))
		}
	}
	first := float64(most)*gridLineHeight + 2*cellPadY
	if fresh := pageBottom(pdf) - (margin + 8) - need; first <= fresh {
		need += first
	}
	return need
}

// keepWithGrid starts a new page unless the lead, texts printed above a
// grid (a subheading, notes) of the given height, and the grid's start fit
// below the cursor: a title is never left at the foot of a page with its
// table on the next. A lead and grid start that would not fit even on a
// fresh page go where they are.
func keepWithGrid(pdf *doc, lead float64, cols []column, rows [][]string) {
	need := lead + gridNeed(pdf, cols, rows)
	if need <= pageBottom(pdf)-(margin+8) {
		ensureSpace(pdf, need)
	}
}

// Heights of the texts a lead is made of, as subheading and small print
// them.
func subheadingHeight(pdf *doc, text string) float64 {
	return 1 + textHeight(pdf, "B", 10.5, 5.5, text)
}

func smallHeight(pdf *doc, text string) float64 { return textHeight(pdf, "", 8.5, 4.2, text) }

// textHeight is the height of text wrapped across the page in the given
// style, size and line height.
func textHeight(pdf *doc, style string, size, line float64, text string) float64 {
	pdf.SetFont(fontFamily, style, size)
	return float64(len(wrapText(pdf, safeText(text), lineWidth(pdf)))) * line
}

// titlesFit reports whether every word of every column title fits its
// column in the current font.
func titlesFit(pdf *doc, cols []column) bool {
	for _, c := range cols {
		for _, word := range strings.Fields(c.title) {
			if pdf.GetStringWidth(word) > c.width-2*cellPadX {
				return false
			}
		}
	}
	return true
}

// ellipsis ends a text shortened to fit its line (fitText).
const ellipsis = "…"

// lineWidth is the width a text may take in a cell that spans the page
// from margin to margin.
func lineWidth(pdf *doc) float64 {
	w, _ := pdf.GetPageSize()
	return w - 2*margin - 2*pdf.GetCellMargin()
}

// fitText is text when it is no wider than width in the current font,
// otherwise its longest start that fits with an ellipsis after it: cut
// after a whole word when one ends in the last third of that start, and
// within a word (a title without spaces) only when none does.
func fitText(pdf *doc, text string, width float64) string {
	if pdf.GetStringWidth(text) <= width {
		return text
	}
	// gofpdf does not kern, so a text's width is the sum of its runes'.
	room := width - pdf.GetStringWidth(ellipsis)
	runes := []rune(text)
	n, used := 0, 0.0
	for ; n < len(runes); n++ {
		w := pdf.GetStringWidth(string(runes[n]))
		if used+w > room {
			break
		}
		used += w
	}
	for i := min(n, len(runes)-1); i > 2*n/3; i-- {
		if unicode.IsSpace(runes[i]) {
			n = i
			break
		}
	}
	return strings.TrimRightFunc(string(runes[:n]), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r)
	}) + ellipsis
}

// fitTitle is line(title), the words of a running header or footer around
// a title, no wider than width: the title is shortened (fitText) so that
// the words around it (a reference, the document's kind) stay whole. Only
// when they leave less than a third of the line for the title is the line
// itself shortened at its end.
func fitTitle(pdf *doc, width float64, title string, line func(title string) string) string {
	full := line(title)
	if pdf.GetStringWidth(full) <= width {
		return full
	}
	room := width - pdf.GetStringWidth(line(""))
	if room < width/3 {
		return fitText(pdf, full, width)
	}
	return line(fitText(pdf, title, room))
}

// breakAfter are the characters after which a long word (a URL, a file
// name, a domain) may break.
const breakAfter = "/.-_?&=#:,;@+"

// wrapText splits text into lines no wider than width in the current
// font: at spaces and newlines, and a word wider than a line (a URL, a
// hash) at a sensible point: a SHA-256 or other long hex string every 16
// characters, anything else after one of breakAfter, and only when none
// of those fits, after as many characters as fit.
func wrapText(pdf *doc, text string, width float64) []string {
	// Most cells are one line: a text without a newline or a double space
	// that fits as it is needs one measurement, not one per word.
	if text != "" && !strings.ContainsAny(text, "\n\t") && !strings.Contains(text, "  ") &&
		text[0] != ' ' && text[len(text)-1] != ' ' && pdf.GetStringWidth(text) <= width {
		return []string{text}
	}
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, word := range strings.FieldsFunc(para, breaksLine) {
			candidate := word
			if line != "" {
				candidate = line + " " + word
			}
			if pdf.GetStringWidth(candidate) <= width {
				line = candidate
				continue
			}
			if line != "" {
				out = append(out, line)
				line = ""
			}
			if pdf.GetStringWidth(word) <= width {
				line = word
				continue
			}
			pieces := breakWord(pdf, word, width)
			out = append(out, pieces[:len(pieces)-1]...)
			line = pieces[len(pieces)-1]
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

// breaksLine reports the spaces a line may break at: every space but the
// no-break ones, which hold an amount to its currency sign and a number to
// its unit (glue).
func breaksLine(r rune) bool {
	return unicode.IsSpace(r) && r != '\u00a0' && r != '\u202f' && r != '\u2007'
}

// glue joins the words of a short figure ("+2,5 pp", "12 %") with no-break
// spaces, so that a narrow column never breaks it.
func glue(s string) string { return strings.ReplaceAll(s, " ", "\u00a0") }

// breakWord cuts a word wider than width into pieces that fit.
func breakWord(pdf *doc, word string, width float64) []string {
	var out []string
	hex := isHex(word)
	rest := []rune(word)
	for pdf.GetStringWidth(string(rest)) > width {
		// fit is the most runes that fit on the line (at least one).
		fit := 1
		for fit < len(rest) && pdf.GetStringWidth(string(rest[:fit+1])) <= width {
			fit++
		}
		cut := fit
		if hex {
			if fit >= 16 {
				cut = fit - fit%16
			}
		} else {
			for i := fit; i > fit/3; i-- {
				if strings.ContainsRune(breakAfter, rest[i-1]) {
					cut = i
					break
				}
			}
		}
		out = append(out, string(rest[:cut]))
		rest = rest[cut:]
	}
	return append(out, string(rest))
}

// isHex reports a long run of hexadecimal digits: a hash.
func isHex(s string) bool {
	if len(s) < 32 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// output renders pdf to w with one error check, as gofpdf collects errors
// until Output.
func output(pdf *doc, w io.Writer, what string) error {
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return fmt.Errorf("report: render %s: %w", what, err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: write %s: %w", what, err)
	}
	return nil
}
