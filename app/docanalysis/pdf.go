package docanalysis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

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
	for i := 1; i <= n; i++ {
		if err := deadline(ctx); err != nil {
			return nil, err
		}
		for _, l := range pageLines(r.Page(i)) {
			if err := b.take(l.text); err != nil {
				return nil, err
			}
			l.page = i
			lines = append(lines, l)
		}
	}
	doc.Segments = linesToSegments(lines)
	return doc, nil
}

// pageLines returns the page's text as lines, top to bottom; "" marks a
// paragraph break, " | " a gap wide enough to be a table's column break.
// A line that starts well right of the page's left margin is indented.
func pageLines(p pdf.Page) (lines []textLine) {
	if p.V.IsNull() {
		return nil
	}
	var texts []pdf.Text
	func() {
		defer func() {
			if recover() != nil {
				texts = nil
			}
		}()
		texts = pageGlyphs(p)
	}()
	if len(texts) == 0 {
		return nil
	}
	type line struct {
		y, size float64
		glyphs  []pdf.Text
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
	left := math.Inf(1)
	for _, l := range ls {
		for _, g := range l.glyphs {
			left = math.Min(left, g.X)
		}
	}
	prevY, prevSize := math.NaN(), 0.0
	for _, l := range ls {
		sort.SliceStable(l.glyphs, func(i, j int) bool { return l.glyphs[i].X < l.glyphs[j].X })
		var b strings.Builder
		end := math.NaN()
		for _, g := range l.glyphs {
			gap := g.X - end
			switch {
			case math.IsNaN(end):
			case gap > 1.2*l.size:
				b.WriteString(" | ")
			case gap > 0.18*l.size:
				b.WriteByte(' ')
			}
			b.WriteString(g.S)
			end = g.X + g.W
		}
		text := strings.TrimSpace(b.String())
		if text == "" {
			continue
		}
		if !math.IsNaN(prevY) && prevY-l.y > 1.55*math.Max(l.size, prevSize) {
			lines = append(lines, textLine{})
		}
		prevY, prevSize = l.y, l.size
		lines = append(lines, textLine{text: text, indented: l.glyphs[0].X > left+2*l.size})
	}
	return lines
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
func pageGlyphs(p pdf.Page) []pdf.Text {
	strm := p.V.Key("Contents")
	g := textState{th: 1, ctm: ident, tm: ident, tlm: ident}
	var stack []textState
	var out []pdf.Text
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
	return out
}
