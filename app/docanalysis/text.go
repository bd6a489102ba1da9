package docanalysis

import (
	"bytes"
	"math"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
)

var (
	// numberedHeading is "3", "3.2" or "3.2." and a short title.
	numberedHeading = regexp.MustCompile(`^(?:#{1,6}\s+|(?:\d+(?:\.\d+)*\.?|[A-Z]\.|[IVX]+\.)\s+)\S`)
	numberedCaps    = regexp.MustCompile(`^[0-9]{1,2}[.)]\s+`)
	bullet          = regexp.MustCompile(`^(?:[-*•▪◦–·]|\(?[0-9]{1,2}[.)]|\(?[a-z][.)])\s+`)
)

// decodeText turns a plain-text file into UTF-8: UTF-8 as it is, UTF-16
// by its byte-order mark, anything else as Windows-1252 (which covers
// Latin-1).
func decodeText(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xef, 0xbb, 0xbf}):
		return string(data[3:])
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}), bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		out, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewDecoder().Bytes(data)
		if err == nil {
			return string(out)
		}
	case utf8.Valid(data):
		return string(data)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return strings.ToValidUTF8(string(data), " ")
	}
	return string(out)
}

// extractText reads plain text: blank lines end paragraphs; bullet lines,
// table lines (cells split by "|" or tabs) and headings ("3.2 Security",
// "# Security", a short line in capitals) stand alone.
func extractText(data []byte) (*Document, error) {
	text := decodeText(data)
	// Plain text has the text budget of every other format.
	if err := (&budget{}).take(text); err != nil {
		return nil, err
	}
	var lines []textLine
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		lines = append(lines, textLine{text: l, indented: strings.HasPrefix(l, "  ") || strings.HasPrefix(l, "\t")})
	}
	return &Document{Segments: linesToSegments(lines)}, nil
}

// lineKind sorts a line of plain text (or of a PDF page).
func lineKind(line string) (heading, item, row bool) {
	t := strings.TrimSpace(line)
	switch {
	case strings.Count(t, "|") >= 1 || strings.Count(t, "\t") >= 1:
		return false, false, true
	case numberedCaps.MatchString(t) && isCapsLine(bullet.ReplaceAllString(t, "")):
		// "1. INLEIDING"
		return true, false, false
	case bullet.MatchString(t):
		return false, true, false
	case utf8.RuneCountInString(t) <= 90 && !strings.HasSuffix(t, ".") && !strings.HasSuffix(t, ":") &&
		!strings.HasSuffix(t, ";") && !strings.HasSuffix(t, ",") && (numberedHeading.MatchString(t) || isCapsLine(t)):
		return true, false, false
	}
	return false, false, false
}

func isCapsLine(t string) bool {
	letters, upper := 0, 0
	for _, r := range t {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	return letters >= 4 && upper == letters
}

// textLine is a line of plain text or of a PDF page. An indented line
// right after a table row continues the row (a cell's text wrapped). A
// PDF line has its cells with their positions, so that a wrapped cell's
// next line joins the right column.
type textLine struct {
	text     string
	page     int
	indented bool
	cells    []cell
	// size is the font size of a PDF line.
	size float64
}

// modalSize is the font size most of the text is set in (by characters),
// or 0 for plain text.
func modalSize(lines []textLine) float64 {
	count := map[float64]int{}
	for _, l := range lines {
		if l.size > 0 {
			count[math.Round(l.size*2)/2] += len(l.text)
		}
	}
	best, n := 0.0, 0
	for s, c := range count {
		if c > n || c == n && s < best {
			best, n = s, c
		}
	}
	return best
}

// cell is a run of a PDF line set apart by a wide gap, with its left edge.
type cell struct {
	x    float64
	text string
}

// headingLevel is the depth of a heading line: "#" marks or the parts of
// its number ("3.2" is 2); 1 for a line in capitals.
func headingLevel(t string) int {
	if strings.HasPrefix(t, "#") {
		return len(t) - len(strings.TrimLeft(t, "#"))
	}
	num, _, _ := strings.Cut(t, " ")
	num = strings.TrimSuffix(num, ".")
	if strings.Trim(num, "0123456789.") == "" && num != "" {
		return strings.Count(num, ".") + 1
	}
	return 1
}

// linesToSegments groups lines into segments (see extractText). A table
// runs on across a page break.
func linesToSegments(lines []textLine) []Segment {
	bodySize := modalSize(lines)
	var (
		segs      []Segment
		para      []string
		item      bool
		headerIdx = -1
		rowCells  []cell
		rows      int
		page      int
		section   string
	)
	flush := func() {
		if len(para) == 0 {
			return
		}
		segs = append(segs, Segment{Text: joinLines(para), Page: page, Section: section, ListItem: item})
		para, item = nil, false
	}
	// nextText is the next line's text, "" when it is blank or the last.
	nextText := func(i int) string {
		if i+1 < len(lines) {
			return strings.TrimSpace(lines[i+1].text)
		}
		return ""
	}
	for i, l := range lines {
		line := l.text
		t := strings.TrimSpace(line)
		if t == "" {
			if rows == 0 || l.page == page {
				flush()
			}
			continue
		}
		if l.page != page {
			flush()
			page = l.page
		}
		heading, it, row := lineKind(line)
		if heading {
			// A numbered paragraph whose sentence runs on is no heading.
			next := nextText(i)
			if r, _ := utf8.DecodeRuneInString(next); unicode.IsLower(r) || next != "" && utf8.RuneCountInString(t) > 60 && !isCapsLine(t) {
				heading = false
			}
		}
		if !heading && !row && l.size > 0 && bodySize > 0 && l.size >= 1.15*bodySize && utf8.RuneCountInString(t) <= 100 {
			// A PDF line set larger than the body text.
			heading, it = true, false
		}
		last := len(segs) - 1
		if rows > 0 && len(para) == 0 && last >= 0 && segs[last].Row {
			switch {
			case l.cells != nil && len(rowCells) > 0 && l.cells[0].x > rowCells[0].x+2:
				// A wrapped cell of a PDF table: join each part to
				// its column.
				for _, c := range l.cells {
					col := 0
					for k, rc := range rowCells {
						if rc.x <= c.x+3 {
							col = k
						}
					}
					sep := " "
					if strings.HasSuffix(rowCells[col].text, "-") || strings.HasPrefix(c.text, "-") {
						sep = ""
					}
					rowCells[col].text += sep + c.text
				}
				texts := make([]string, len(rowCells))
				for k, rc := range rowCells {
					texts[k] = rc.text
				}
				segs[last].Text = strings.Join(texts, " | ")
				continue
			case l.cells == nil && !row && l.indented:
				segs[last].Text += " " + t
				continue
			}
		}
		if !row {
			rows, headerIdx, rowCells = 0, -1, nil
		}
		switch {
		case row:
			flush()
			cells := splitCells(t)
			if len(cells) == 0 {
				continue
			}
			seg := Segment{Text: strings.Join(cells, " | "), Page: page, Section: section, Row: true}
			if rows == 0 {
				headerIdx = len(segs)
			} else if headerIdx >= 0 {
				seg.Header = segs[headerIdx].Text
			}
			rowCells = append([]cell(nil), l.cells...)
			rows++
			segs = append(segs, seg)
		case heading:
			flush()
			h := strings.TrimSpace(strings.TrimLeft(t, "#"))
			section = trimTo(h, 120)
			level := headingLevel(t)
			if l.size > 0 && bodySize > 0 && !numberedHeading.MatchString(t) {
				level = 2
				if l.size >= 1.4*bodySize {
					level = 1
				}
			}
			segs = append(segs, Segment{Text: h, Page: page, Section: section, Heading: true, Level: level})
		case it:
			flush()
			para, item = []string{t}, true
		default:
			para = append(para, t)
		}
	}
	flush()
	return segs
}

// splitCells splits a table line at "|" or tabs, dropping empty cells and
// separator rows such as "---|---".
func splitCells(t string) []string {
	sep := "|"
	if !strings.Contains(t, "|") {
		sep = "\t"
	}
	var out []string
	for _, c := range strings.Split(t, sep) {
		c = strings.TrimSpace(c)
		if c == "" || strings.Trim(c, "-:= ") == "" {
			continue
		}
		out = append(out, c)
	}
	return out
}

// joinLines joins the lines of a paragraph, mending words hyphenated at
// a line's end ("verplicht-" + "stelling").
func joinLines(lines []string) string {
	var b strings.Builder
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if i > 0 {
			prev := b.String()
			r, _ := utf8.DecodeRuneInString(l)
			if strings.HasSuffix(prev, "-") && len(prev) > 1 && unicode.IsLower(r) {
				p, _ := utf8.DecodeLastRuneInString(prev[:len(prev)-1])
				if unicode.IsLower(p) {
					b.Reset()
					b.WriteString(prev[:len(prev)-1])
					b.WriteString(l)
					continue
				}
			}
			b.WriteByte(' ')
		}
		b.WriteString(l)
	}
	return b.String()
}
