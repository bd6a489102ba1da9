package docanalysis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// extractPDF reads a PDF with github.com/ledongthuc/pdf, in process: each
// page's glyphs with their positions (Page.Content) are put back into
// lines, a wide gap between glyphs of a line separates table cells, and a
// wide gap between lines separates paragraphs. A page whose content
// cannot be read counts as a page without text.
func extractPDF(ctx context.Context, data []byte) (*Document, error) {
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		if errors.Is(err, pdf.ErrInvalidPassword) {
			return nil, refused(ReasonEncrypted, FormatPDF, err)
		}
		return nil, fmt.Errorf("docanalysis: open pdf: %w", err)
	}
	n := r.NumPage()
	if n > MaxPages {
		return nil, &Error{Reason: ReasonTooManyPage, Format: FormatPDF, Max: MaxPages}
	}
	doc := &Document{Pages: n}
	b := &budget{}
	var lines []textLine
	unpacked := int64(0)
	for i := 1; i <= n; i++ {
		if err := deadline(ctx); err != nil {
			return nil, err
		}
		page, err := pageLines(ctx, r.Page(i), &unpacked)
		if err != nil {
			return nil, err
		}
		for _, l := range page {
			if err := b.take(l.text); err != nil {
				return nil, err
			}
			l.page = i
			lines = append(lines, l)
		}
	}
	doc.Segments = joinPageBreaks(linesToSegments(lines))
	return doc, nil
}

// joinPageBreaks mends a sentence that a page break cut in two: a
// paragraph that starts in lower case at the top of a page goes on the
// last paragraph of the page before, if that has no end mark, past the
// running header and footer lines between them (lines that repeat on
// other pages, digits aside). Its quotes keep the page it starts on.
func joinPageBreaks(segs []Segment) []Segment {
	running := map[string]map[int]bool{}
	norm := func(t string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return -1
			}
			return r
		}, t)
	}
	for _, sg := range segs {
		k := norm(sg.Text)
		if running[k] == nil {
			running[k] = map[int]bool{}
		}
		running[k][sg.Page] = true
	}
	isRunning := func(sg Segment) bool { return len(running[norm(sg.Text)]) > 1 }
	plain := func(sg Segment) bool { return !sg.Heading && !sg.Row }
	out := make([]Segment, 0, len(segs))
	for _, sg := range segs {
		first, _ := utf8.DecodeRuneInString(sg.Text)
		if plain(sg) && !sg.ListItem && unicode.IsLower(first) && sg.Page > 1 {
			j := len(out) - 1
			for j >= 0 && len(out)-j <= 4 && isRunning(out[j]) {
				j--
			}
			if j >= 0 && len(out)-j <= 4 && out[j].Page == sg.Page-1 && plain(out[j]) && !isRunning(out[j]) {
				last, _ := utf8.DecodeLastRuneInString(strings.TrimSpace(out[j].Text))
				if !strings.ContainsRune(".!?:;»\"”)", last) {
					out[j].Text += " " + sg.Text
					continue
				}
			}
		}
		out = append(out, sg)
	}
	return out
}

// MaxPageGlyphs caps the glyphs read from one PDF page. A dense page has
// about ten thousand; a few kilobytes of compressed content can show
// millions, each held with its position until the page is put into lines.
const MaxPageGlyphs = 100_000

// stopPage aborts reading a page's content from inside pdf.Interpret,
// which has no other way out.
type stopPage struct{ err error }

// pageLines returns the page's text as lines, top to bottom; "" marks a
// paragraph break, " | " a gap wide enough to be a table's column break.
// A line that starts well right of the page's left margin is indented.
// unpacked counts the bytes the document's page contents unpacked to so
// far: past MaxUnpacked, or past MaxPageGlyphs glyphs on the page, or past
// ctx's deadline, the document is refused. A page whose content cannot be
// read otherwise has no text.
func pageLines(ctx context.Context, p pdf.Page, unpacked *int64) (lines []textLine, err error) {
	if p.V.IsNull() {
		return nil, nil
	}
	var (
		texts []pdf.Text
		rules []rule
	)
	func() {
		defer func() {
			if v := recover(); v != nil {
				texts = nil
				if stop, ok := v.(stopPage); ok {
					err = stop.err
				}
			}
		}()
		// Unpacked once to measure, before the interpreter holds any of
		// it: a small stream can unpack to gigabytes.
		n, over := contentSize(p.V.Key("Contents"), MaxUnpacked-*unpacked)
		*unpacked += n
		if over {
			err = &Error{Reason: ReasonUnpacked, Max: MaxUnpacked}
			return
		}
		texts, rules = pageGlyphs(ctx, p)
	}()
	if err != nil || len(texts) == 0 {
		return nil, err
	}
	var ls []*line
	// Glyphs come in content order; a glyph joins the line whose
	// baseline is within a third of its size.
	for _, t := range texts {
		if t.S == "" {
			continue
		}
		size := t.FontSize
		if size <= 0 {
			size = 10
		}
		var into *line
		for j := len(ls) - 1; j >= 0 && j >= len(ls)-8; j-- {
			if math.Abs(ls[j].y-t.Y) < size/3 {
				into = ls[j]
				break
			}
		}
		if into == nil {
			into = &line{y: t.Y, size: size}
			ls = append(ls, into)
		}
		into.glyphs = append(into.glyphs, t)
	}
	sort.SliceStable(ls, func(i, j int) bool { return ls[i].y > ls[j].y })
	if len(rules) > 0 {
		ls = ruledRows(ls, rules)
	}
	left := math.Inf(1)
	for _, l := range ls {
		for _, g := range l.glyphs {
			left = math.Min(left, g.X)
		}
	}
	prevY, prevSize := math.NaN(), 0.0
	for _, l := range ls {
		sort.SliceStable(l.glyphs, func(i, j int) bool { return l.glyphs[i].X < l.glyphs[j].X })
		if l.cells != nil {
			// A row of a ruled table, put together by ruledRows.
			if !math.IsNaN(prevY) && prevY-l.y > 1.55*math.Max(l.size, prevSize) {
				lines = append(lines, textLine{})
			}
			prevY, prevSize = l.y, l.size
			texts := make([]string, len(l.cells))
			for i, c := range l.cells {
				texts[i] = c.text
			}
			lines = append(lines, textLine{text: strings.Join(texts, " | "), cells: l.cells, size: l.size})
			continue
		}
		var b strings.Builder
		var cells []cell
		end, start := math.NaN(), l.glyphs[0].X
		flushCell := func() {
			if t := strings.TrimSpace(b.String()); t != "" {
				cells = append(cells, cell{x: start, text: t})
			}
			b.Reset()
		}
		for _, g := range l.glyphs {
			gap := g.X - end
			switch {
			case math.IsNaN(end):
			case gap > 0.9*l.size:
				flushCell()
				start = g.X
			case gap > 0.18*l.size:
				b.WriteByte(' ')
			}
			b.WriteString(g.S)
			end = g.X + g.W
		}
		flushCell()
		if len(cells) == 0 {
			continue
		}
		if !math.IsNaN(prevY) && prevY-l.y > 1.55*math.Max(l.size, prevSize) {
			lines = append(lines, textLine{})
		}
		prevY, prevSize = l.y, l.size
		texts := make([]string, len(cells))
		for i, c := range cells {
			texts[i] = c.text
		}
		lines = append(lines, textLine{text: strings.Join(texts, " | "), cells: cells, indented: cells[0].x > left+2*l.size, size: l.size})
	}
	return lines, nil
}

// line is a line of glyphs on a page; a row of a ruled table has its
// cells put together already.
type line struct {
	y, size float64
	glyphs  []pdf.Text
	cells   []cell
}

// rule is a straight line drawn on the page (a table border), from
// (x0, y0) to (x1, y1) with x0 <= x1 and y0 <= y1.
type rule struct{ x0, y0, x1, y1 float64 }

func (r rule) vertical() bool   { return r.x1-r.x0 < 1.5 && r.y1-r.y0 > 3 }
func (r rule) horizontal() bool { return r.y1-r.y0 < 1.5 && r.x1-r.x0 > 3 }

// ruledRows puts the lines inside a table drawn with borders together as
// rows: the vertical borders that cross a line split it into cells, and
// the lines between the same two horizontal borders are one row, each
// column's text joined, so a wrapped cell reads as one.
func ruledRows(ls []*line, rules []rule) []*line {
	var out []*line
	var cur *line
	var curKey string
	for _, l := range ls {
		var xs []float64
		minX, maxX := math.Inf(1), math.Inf(-1)
		for _, g := range l.glyphs {
			minX, maxX = math.Min(minX, g.X), math.Max(maxX, g.X+g.W)
		}
		for _, r := range rules {
			if r.vertical() && r.y0-1 <= l.y && l.y <= r.y1+1 {
				xs = append(xs, (r.x0+r.x1)/2)
			}
		}
		sort.Float64s(xs)
		xs = slices.CompactFunc(xs, func(a, b float64) bool { return math.Abs(a-b) < 1 })
		if len(xs) < 3 || minX < xs[0]-2 || maxX > xs[len(xs)-1]+2 {
			cur, curKey = nil, ""
			out = append(out, l)
			continue
		}
		// The row band: the nearest horizontal borders above and below.
		top, bottom := math.Inf(1), math.Inf(-1)
		for _, r := range rules {
			if r.horizontal() && r.x0 <= xs[0]+2 && r.x1 >= xs[len(xs)-1]-2 {
				if r.y0 > l.y && r.y0 < top {
					top = r.y0
				}
				if r.y0 < l.y && r.y0 > bottom {
					bottom = r.y0
				}
			}
		}
		key := fmt.Sprint(xs, top, bottom)
		cols := make([]strings.Builder, len(xs)-1)
		ends := make([]float64, len(xs)-1)
		for i := range ends {
			ends[i] = math.NaN()
		}
		for _, g := range l.glyphs {
			c := sort.SearchFloat64s(xs, g.X+0.5) - 1
			if c < 0 || c >= len(cols) {
				continue
			}
			if !math.IsNaN(ends[c]) && g.X-ends[c] > 0.18*l.size {
				cols[c].WriteByte(' ')
			}
			cols[c].WriteString(g.S)
			ends[c] = g.X + g.W
		}
		if cur == nil || key != curKey {
			cur = &line{y: l.y, size: l.size, cells: make([]cell, len(cols))}
			for i := range cols {
				cur.cells[i].x = xs[i]
			}
			curKey = key
			out = append(out, cur)
		}
		for i := range cols {
			t := strings.TrimSpace(cols[i].String())
			if t == "" {
				continue
			}
			prev := cur.cells[i].text
			switch {
			case prev == "":
				cur.cells[i].text = t
			case strings.HasSuffix(prev, "-") || strings.HasPrefix(t, "-"):
				cur.cells[i].text = prev + t
			default:
				cur.cells[i].text = prev + " " + t
			}
		}
	}
	for _, l := range out {
		if l.cells != nil {
			l.cells = slices.DeleteFunc(l.cells, func(c cell) bool { return c.text == "" })
			if len(l.cells) == 0 {
				l.cells = nil
			}
		}
	}
	return slices.DeleteFunc(out, func(l *line) bool { return l.cells == nil && len(l.glyphs) == 0 })
}

type matrix [3][3]float64

var ident = matrix{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}

func (x matrix) mul(y matrix) matrix {
	var z matrix
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 3; k++ {
				z[i][j] += x[i][k] * y[k][j]
			}
		}
	}
	return z
}

// textState is the part of the PDF graphics state that places glyphs.
type textState struct {
	tc, tw, th, tl, tfs, trise float64
	font                       *pdf.Font
	enc                        pdf.TextEncoding
	tm, tlm, ctm               matrix
}

// pageGlyphs lists the page's glyphs with their positions. It follows
// pdf.Page.Content, whose TJ operator also shows a stray "\n" through the
// font (a glyph that is not on the page), and places glyphs of fonts
// without widths half an em apart.
//
// It stops the page with a stopPage panic past MaxPageGlyphs glyphs or
// past ctx's deadline, which it looks at every thousand operators.
func pageGlyphs(ctx context.Context, p pdf.Page) ([]pdf.Text, []rule) {
	strm := p.V.Key("Contents")
	ops := 0
	g := textState{th: 1, ctm: ident, tm: ident, tlm: ident}
	var stack []textState
	var out []pdf.Text
	var rules []rule
	var px, py float64
	point := func(x, y float64) (float64, float64) {
		v := matrix{{1, 0, 0}, {0, 1, 0}, {x, y, 1}}.mul(g.ctm)
		return v[2][0], v[2][1]
	}
	addRule := func(x0, y0, x1, y1 float64) {
		r := rule{math.Min(x0, x1), math.Min(y0, y1), math.Max(x0, x1), math.Max(y0, y1)}
		if r.vertical() || r.horizontal() {
			rules = append(rules, r)
		}
	}
	show := func(s string) {
		if g.enc == nil {
			return
		}
		decoded := []rune(g.enc.Decode(s))
		for i, ch := range decoded {
			w0 := 0.0
			if g.font != nil && i < len(s) && len(decoded) == len(s) {
				w0 = g.font.Width(int(s[i]))
			}
			if w0 == 0 {
				w0 = 500
			}
			if len(out) >= MaxPageGlyphs {
				panic(stopPage{&Error{Reason: ReasonUnpacked, Max: MaxUnpacked}})
			}
			trm := matrix{{g.tfs * g.th, 0, 0}, {0, g.tfs, 0}, {0, g.trise, 1}}.mul(g.tm).mul(g.ctm)
			out = append(out, pdf.Text{FontSize: trm[0][0], X: trm[2][0], Y: trm[2][1], W: w0 / 1000 * trm[0][0], S: string(ch)})
			tx := w0/1000*g.tfs + g.tc
			if ch == ' ' {
				tx += g.tw
			}
			tx *= g.th
			g.tm = matrix{{1, 0, 0}, {0, 1, 0}, {tx, 0, 1}}.mul(g.tm)
		}
	}
	nextLine := func() {
		g.tlm = matrix{{1, 0, 0}, {0, 1, 0}, {0, -g.tl, 1}}.mul(g.tlm)
		g.tm = g.tlm
	}
	pdf.Interpret(strm, func(stk *pdf.Stack, op string) {
		if ops++; ops%1024 == 0 {
			if err := deadline(ctx); err != nil {
				panic(stopPage{err})
			}
		}
		n := stk.Len()
		args := make([]pdf.Value, n)
		for i := n - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		num := func(i int) float64 {
			if i < len(args) {
				return args[i].Float64()
			}
			return 0
		}
		switch op {
		case "m":
			px, py = point(num(0), num(1))
		case "l":
			x, y := point(num(0), num(1))
			addRule(px, py, x, y)
			px, py = x, y
		case "re":
			if len(args) == 4 {
				x0, y0 := point(num(0), num(1))
				x1, y1 := point(num(0)+num(2), num(1)+num(3))
				addRule(x0, y0, x1, y1)
			}
		case "cm":
			if len(args) == 6 {
				var m matrix
				for i := 0; i < 6; i++ {
					m[i/2][i%2] = num(i)
				}
				m[2][2] = 1
				g.ctm = m.mul(g.ctm)
			}
		case "q":
			stack = append(stack, g)
		case "Q":
			if k := len(stack) - 1; k >= 0 {
				g, stack = stack[k], stack[:k]
			}
		case "BT":
			g.tm, g.tlm = ident, ident
		case "T*":
			nextLine()
		case "Tc":
			g.tc = num(0)
		case "Tw":
			g.tw = num(0)
		case "Tz":
			g.th = num(0) / 100
		case "TL":
			g.tl = num(0)
		case "Ts":
			g.trise = num(0)
		case "TD", "Td":
			if op == "TD" {
				g.tl = -num(1)
			}
			g.tlm = matrix{{1, 0, 0}, {0, 1, 0}, {num(0), num(1), 1}}.mul(g.tlm)
			g.tm = g.tlm
		case "Tm":
			if len(args) == 6 {
				var m matrix
				for i := 0; i < 6; i++ {
					m[i/2][i%2] = num(i)
				}
				m[2][2] = 1
				g.tm, g.tlm = m, m
			}
		case "Tf":
			if len(args) == 2 {
				f := p.Font(args[0].Name())
				g.font = &f
				g.enc = f.Encoder()
				g.tfs = num(1)
			}
		case "\"":
			if len(args) == 3 {
				g.tw, g.tc = num(0), num(1)
				nextLine()
				show(args[2].RawString())
			}
		case "'":
			if len(args) == 1 {
				nextLine()
				show(args[0].RawString())
			}
		case "Tj":
			if len(args) == 1 {
				show(args[0].RawString())
			}
		case "TJ":
			if len(args) != 1 {
				return
			}
			v := args[0]
			for i := 0; i < v.Len(); i++ {
				x := v.Index(i)
				if x.Kind() == pdf.String {
					show(x.RawString())
				} else {
					tx := -x.Float64() / 1000 * g.tfs * g.th
					g.tm = matrix{{1, 0, 0}, {0, 1, 0}, {tx, 0, 1}}.mul(g.tm)
				}
			}
		}
	})
	return out, rules
}

// contentSize is how many bytes the page content strm (a stream or an
// array of them) unpacks to, reading at most limit+1 of them: over is
// true past limit.
func contentSize(strm pdf.Value, limit int64) (n int64, over bool) {
	streams := []pdf.Value{strm}
	if strm.Kind() == pdf.Array {
		streams = streams[:0]
		for i := 0; i < strm.Len(); i++ {
			streams = append(streams, strm.Index(i))
		}
	}
	for _, s := range streams {
		rd := s.Reader()
		m, _ := io.Copy(io.Discard, io.LimitReader(rd, limit-n+1))
		rd.Close()
		if n += m; n > limit {
			return n, true
		}
	}
	return n, false
}
