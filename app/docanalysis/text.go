package docanalysis

import (
	"bytes"
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
	var lines []textLine
	for _, l := range strings.Split(strings.ReplaceAll(decodeText(data), "\r\n", "\n"), "\n") {
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
// right after a table row continues the row (a cell's text wrapped).
type textLine struct {
	text     string
	page     int
	indented bool
}

// linesToSegments groups lines into segments (see extractText). A table
// runs on across a page break.
func linesToSegments(lines []textLine) []Segment {
	var (
		segs    []Segment
		para    []string
		item    bool
		header  string
		rows    int
		page    int
		section string
	)
	flush := func() {
		if len(para) == 0 {
			return
		}
		segs = append(segs, Segment{Text: joinLines(para), Page: page, Section: section, ListItem: item})
		para, item = nil, false
	}
	for _, l := range lines {
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
		if !row && rows > 0 && l.indented && len(para) == 0 && len(segs) > 0 && segs[len(segs)-1].Row {
			last := &segs[len(segs)-1]
			last.Text += " " + t
			continue
		}
		if !row {
			rows, header = 0, ""
		}
		switch {
		case row:
			flush()
			cells := splitCells(t)
			if len(cells) == 0 {
				continue
			}
			text := strings.Join(cells, " | ")
			seg := Segment{Text: text, Page: page, Section: section, Row: true}
			if rows == 0 {
				header = text
			} else {
				seg.Header = header
			}
			rows++
			segs = append(segs, seg)
		case heading:
			flush()
			h := strings.TrimSpace(strings.TrimLeft(t, "#"))
			section = trimTo(h, 120)
			segs = append(segs, Segment{Text: h, Page: page, Section: section, Heading: true})
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
