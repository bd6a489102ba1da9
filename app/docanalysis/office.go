package docanalysis

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
)

// unzipper reads parts of a DOCX or ODT archive within MaxUnpacked bytes
// in all, whatever the archive's directory claims (a zip bomb lies).
type unzipper struct {
	zr   *zip.Reader
	left int64
}

func openZip(data []byte) (*unzipper, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("docanalysis: open archive: %w", err)
	}
	if len(zr.File) > 5000 {
		return nil, &Error{Reason: ReasonUnpacked, Max: MaxUnpacked}
	}
	return &unzipper{zr: zr, left: MaxUnpacked}, nil
}

// names lists the archive's parts whose names match the glob pattern, in
// natural order (header2 before header10).
func (u *unzipper) names(pattern string) []string {
	var out []string
	for _, f := range u.zr.File {
		if ok, _ := path.Match(pattern, f.Name); ok {
			out = append(out, f.Name)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) < len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// read returns a part, or nil if the archive has none of that name.
func (u *unzipper) read(name string) ([]byte, error) {
	for _, f := range u.zr.File {
		if f.Name != name {
			continue
		}
		if f.UncompressedSize64 > uint64(u.left) {
			return nil, &Error{Reason: ReasonUnpacked, Max: MaxUnpacked}
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("docanalysis: open %s: %w", name, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, u.left+1))
		if err != nil {
			return nil, fmt.Errorf("docanalysis: read %s: %w", name, err)
		}
		if int64(len(b)) > u.left {
			return nil, &Error{Reason: ReasonUnpacked, Max: MaxUnpacked}
		}
		u.left -= int64(len(b))
		return b, nil
	}
	return nil, nil
}

// table is a table being read: its rows so far and the cells of the
// current row.
type table struct {
	rows   int
	header string
	cells  []string
	cell   *strings.Builder
}

// flow collects segments while an XML part is walked: paragraphs nest
// (text boxes, notes) and tables nest, so both are stacks.
type flow struct {
	segs    []Segment
	section string
	part    string
	paras   []*para
	tables  []*table
	budget  *budget
}

type para struct {
	b       strings.Builder
	level   int
	heading bool
	list    bool
	inCell  bool
}

func (f *flow) startPara() {
	p := &para{}
	if n := len(f.tables); n > 0 && f.tables[n-1].cell != nil {
		p.inCell = len(f.paras) == 0 || f.paras[len(f.paras)-1].inCell
	}
	f.paras = append(f.paras, p)
}

func (f *flow) cur() *para {
	if len(f.paras) == 0 {
		return nil
	}
	return f.paras[len(f.paras)-1]
}

func (f *flow) write(s string) {
	if p := f.cur(); p != nil {
		p.b.WriteString(s)
	}
}

func (f *flow) endPara() error {
	p := f.cur()
	if p == nil {
		return nil
	}
	f.paras = f.paras[:len(f.paras)-1]
	text := strings.TrimSpace(cleanSpace(p.b.String()))
	if text == "" {
		return nil
	}
	if err := f.budget.take(text); err != nil {
		return err
	}
	if n := len(f.tables); n > 0 && f.tables[n-1].cell != nil && p.inCell {
		c := f.tables[n-1].cell
		if c.Len() > 0 {
			c.WriteByte(' ')
		}
		c.WriteString(text)
		return nil
	}
	if p.heading && f.part == "" {
		f.section = trimTo(text, 120)
	}
	level := p.level
	if p.heading && level == 0 {
		level = 1
	}
	f.segs = append(f.segs, Segment{Text: text, Section: f.sectionName(), Heading: p.heading && f.part == "", Level: level, ListItem: p.list})
	return nil
}

func (f *flow) sectionName() string {
	if f.part != "" {
		return f.part
	}
	return f.section
}

func (f *flow) startTable() { f.tables = append(f.tables, &table{}) }

func (f *flow) endTable() {
	if n := len(f.tables); n > 0 {
		f.tables = f.tables[:n-1]
	}
}

func (f *flow) startRow() {
	if n := len(f.tables); n > 0 {
		f.tables[n-1].cells = nil
	}
}

func (f *flow) startCell() {
	if n := len(f.tables); n > 0 {
		f.tables[n-1].cell = &strings.Builder{}
	}
}

func (f *flow) endCell() {
	if n := len(f.tables); n > 0 && f.tables[n-1].cell != nil {
		t := f.tables[n-1]
		t.cells = append(t.cells, strings.TrimSpace(t.cell.String()))
		t.cell = nil
	}
}

func (f *flow) endRow() {
	n := len(f.tables)
	if n == 0 {
		return
	}
	t := f.tables[n-1]
	var cells []string
	for _, c := range t.cells {
		if c != "" {
			cells = append(cells, c)
		}
	}
	t.cells = nil
	if len(cells) == 0 {
		return
	}
	text := strings.Join(cells, " | ")
	seg := Segment{Text: text, Section: f.sectionName(), Row: true}
	if t.rows == 0 {
		t.header = text
	} else {
		seg.Header = t.header
	}
	t.rows++
	f.segs = append(f.segs, seg)
}

// walk decodes an XML part and calls fn for each token; it stops at the
// context's deadline.
func walk(ctx context.Context, data []byte, fn func(tok xml.Token) error) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	for i := 0; ; i++ {
		if i%4096 == 0 {
			if err := deadline(ctx); err != nil {
				return err
			}
		}
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("docanalysis: xml: %w", err)
		}
		if err := fn(tok); err != nil {
			return err
		}
	}
}

func attr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// docxStyle is what a paragraph style says about its paragraphs.
type docxStyle struct {
	heading, list bool
	level         int
}

// docxStyles reads word/styles.xml: a style whose (always English) name
// is "heading N" or "Title", or that sets an outline level, makes
// headings; one named like "List ..." makes list items.
func docxStyles(ctx context.Context, data []byte) map[string]docxStyle {
	out := map[string]docxStyle{}
	var id string
	var st docxStyle
	_ = walk(ctx, data, func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "style":
				id, st = attr(t, "styleId"), docxStyle{}
			case "name":
				n := strings.ToLower(attr(t, "val"))
				if strings.HasPrefix(n, "heading") || n == "title" || n == "subtitle" {
					st.heading = true
					if v, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(n, "heading"))); err == nil && st.level == 0 {
						st.level = v
					}
				}
				st.list = st.list || strings.HasPrefix(n, "list")
			case "outlineLvl":
				if v, err := strconv.Atoi(attr(t, "val")); err == nil && v < 9 {
					st.heading, st.level = true, v+1
				}
			case "numPr":
				st.list = true
			}
		case xml.EndElement:
			if t.Name.Local == "style" && id != "" {
				out[id] = st
			}
		}
		return nil
	})
	return out
}

// extractDOCX reads word/document.xml with the headers, footers,
// footnotes and endnotes; tables become rows of cells.
func extractDOCX(ctx context.Context, data []byte) (*Document, error) {
	u, err := openZip(data)
	if err != nil {
		return nil, err
	}
	body, err := u.read("word/document.xml")
	if err != nil {
		return nil, err
	}
	if body == nil {
		return nil, fmt.Errorf("docanalysis: no word/document.xml")
	}
	stylesXML, err := u.read("word/styles.xml")
	if err != nil {
		return nil, err
	}
	styles := docxStyles(ctx, stylesXML)
	f := &flow{budget: &budget{}}
	parts := []struct{ name, part string }{}
	for _, n := range u.names("word/header*.xml") {
		parts = append(parts, struct{ name, part string }{n, "header"})
	}
	parts = append(parts, struct{ name, part string }{"word/document.xml", ""})
	for _, n := range []string{"word/footnotes.xml", "word/endnotes.xml"} {
		parts = append(parts, struct{ name, part string }{n, "footnote"})
	}
	for _, n := range u.names("word/footer*.xml") {
		parts = append(parts, struct{ name, part string }{n, "footer"})
	}
	for _, p := range parts {
		b := body
		if p.name != "word/document.xml" {
			if b, err = u.read(p.name); err != nil {
				return nil, err
			}
		}
		if b == nil {
			continue
		}
		f.part = p.part
		if err := walkDOCX(ctx, b, f, styles); err != nil {
			return nil, err
		}
	}
	return &Document{Segments: f.segs}, nil
}

func walkDOCX(ctx context.Context, data []byte, f *flow, styles map[string]docxStyle) error {
	inText := false
	return walk(ctx, data, func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "p":
				f.startPara()
			case "pStyle":
				if p := f.cur(); p != nil {
					st := styles[attr(t, "val")]
					p.heading = p.heading || st.heading
					p.list = p.list || st.list
					if st.level > 0 {
						p.level = st.level
					}
				}
			case "outlineLvl":
				if p := f.cur(); p != nil {
					if v, err := strconv.Atoi(attr(t, "val")); err == nil && v < 9 {
						p.heading, p.level = true, v+1
					}
				}
			case "numPr":
				if p := f.cur(); p != nil {
					p.list = true
				}
			case "t":
				inText = true
			case "tab", "br", "cr":
				f.write(" ")
			case "noBreakHyphen":
				f.write("-")
			case "tbl":
				f.startTable()
			case "tr":
				f.startRow()
			case "tc":
				f.startCell()
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				return f.endPara()
			case "tc":
				f.endCell()
			case "tr":
				f.endRow()
			case "tbl":
				f.endTable()
			}
		case xml.CharData:
			if inText {
				f.write(string(t))
			}
		}
		return nil
	})
}

// extractODT reads content.xml and the master pages' headers and footers
// in styles.xml; notes stay where they are cited, as paragraphs of their
// own.
func extractODT(ctx context.Context, data []byte) (*Document, error) {
	u, err := openZip(data)
	if err != nil {
		return nil, err
	}
	content, err := u.read("content.xml")
	if err != nil {
		return nil, err
	}
	if content == nil {
		return nil, fmt.Errorf("docanalysis: no content.xml")
	}
	styles, err := u.read("styles.xml")
	if err != nil {
		return nil, err
	}
	f := &flow{budget: &budget{}}
	if styles != nil {
		if err := walkODT(ctx, styles, f, true); err != nil {
			return nil, err
		}
	}
	f.part = ""
	if err := walkODT(ctx, content, f, false); err != nil {
		return nil, err
	}
	return &Document{Segments: f.segs}, nil
}

// walkODT walks an ODF part. In styles.xml (masters) only the header and
// footer of master pages hold text.
func walkODT(ctx context.Context, data []byte, f *flow, masters bool) error {
	inMaster, skip, listDepth := false, 0, 0
	return walk(ctx, data, func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "header", "header-first", "header-left":
				if masters {
					inMaster, f.part = true, "header"
				}
			case "footer", "footer-first", "footer-left":
				if masters {
					inMaster, f.part = true, "footer"
				}
			case "note-citation", "tracked-changes", "sequence-decls", "variable-decls":
				skip++
			case "p", "h":
				if masters && !inMaster || skip > 0 {
					return nil
				}
				f.startPara()
				if t.Name.Local == "h" {
					f.cur().heading = true
					f.cur().level, _ = strconv.Atoi(attr(t, "outline-level"))
				}
				if listDepth > 0 {
					f.cur().list = true
				}
			case "list-item":
				listDepth++
			case "s":
				n, _ := strconv.Atoi(attr(t, "c"))
				f.write(strings.Repeat(" ", max(n, 1)))
			case "tab", "line-break":
				f.write(" ")
			case "table":
				f.startTable()
			case "table-row":
				f.startRow()
			case "table-cell":
				f.startCell()
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "header", "header-first", "header-left", "footer", "footer-first", "footer-left":
				if masters {
					inMaster = false
				}
			case "note-citation", "tracked-changes", "sequence-decls", "variable-decls":
				skip--
			case "p", "h":
				if masters && !inMaster || skip > 0 {
					return nil
				}
				return f.endPara()
			case "list-item":
				listDepth--
			case "table-cell":
				f.endCell()
			case "table-row":
				f.endRow()
			case "table":
				f.endTable()
			}
		case xml.CharData:
			if skip == 0 {
				f.write(string(t))
			}
		}
		return nil
	})
}

func trimTo(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
