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
	for i := 1; i <= n; i++ {
		if err := deadline(ctx); err != nil {
			return nil, err
		}
		lines := pageLines(r.Page(i))
		for _, l := range lines {
			if err := b.take(l); err != nil {
				return nil, err
			}
		}
		doc.Segments = append(doc.Segments, linesToSegments(lines, i, "")...)
	}
	return doc, nil
}

// pageLines returns the page's text as lines, top to bottom; "" marks a
// paragraph break, " | " a gap wide enough to be a table's column break.
func pageLines(p pdf.Page) (lines []string) {
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
		texts = p.Content().Text
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
	prevY, prevSize := math.NaN(), 0.0
	for _, l := range ls {
		sort.SliceStable(l.glyphs, func(i, j int) bool { return l.glyphs[i].X < l.glyphs[j].X })
		var b strings.Builder
		end := math.NaN()
		for _, g := range l.glyphs {
			gap := g.X - end
			switch {
			case math.IsNaN(end):
			case gap > 2.5*l.size:
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
			lines = append(lines, "")
		}
		prevY, prevSize = l.y, l.size
		lines = append(lines, text)
	}
	return lines
}
