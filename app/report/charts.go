package report

import (
	"fmt"

	"github.com/jung-kurt/gofpdf"
)

// bar is one bar of a horizontal bar chart. Parts are stacked segments
// (for example mandatory and recommended demand); Previous, when set, is
// last year's value, drawn as a tick so the change shows at a glance.
type bar struct {
	Label    string
	Parts    []float64
	Previous *float64
	Text     string
}

// barColours are the segment colours, in order: dark blue, light blue.
var barColours = [][3]int{{37, 84, 160}, {143, 179, 230}}

// barChart draws a horizontal bar chart with gofpdf's primitives: a label
// column, bars scaled to max, the value as text at the end of each bar and
// a legend naming the parts and the previous-year tick. Drawing it
// ourselves keeps the PDF free of raster images and deterministic.
func barChart(pdf *gofpdf.Fpdf, title string, bars []bar, max float64, legend []string) {
	const (
		labelWidth = 58.0
		textWidth  = 26.0
		rowHeight  = 5.5
		barHeight  = 3.6
	)
	pageWidth, _ := pdf.GetPageSize()
	area := pageWidth - 2*margin - labelWidth - textWidth
	if max <= 0 {
		max = 1
	}
	ensureSpace(pdf, 20+rowHeight*float64(min(len(bars), 8)))
	pdf.SetFont(fontFamily, "B", 10)
	pdf.CellFormat(0, 6, safeText(title), "", 1, "L", false, 0, "")

	hasPrevious := false
	for _, b := range bars {
		if b.Previous != nil {
			hasPrevious = true
		}
	}
	axis := func(y0, y1 float64) {
		pdf.SetDrawColor(160, 170, 185)
		pdf.SetLineWidth(0.2)
		for i := 0; i <= 4; i++ {
			x := margin + labelWidth + area*float64(i)/4
			pdf.Line(x, y0, x, y1)
		}
		pdf.SetDrawColor(0, 0, 0)
	}
	top := pdf.GetY()
	for _, b := range bars {
		if pdf.GetY()+rowHeight > pageBottom(pdf) {
			axis(top, pdf.GetY())
			pdf.AddPage()
			top = pdf.GetY()
		}
		y := pdf.GetY()
		pdf.SetFont(fontFamily, "", 8)
		pdf.SetXY(margin, y)
		label := safeText(b.Label)
		for pdf.GetStringWidth(label) > labelWidth-2 && len([]rune(label)) > 4 {
			r := []rune(label)
			label = string(r[:len(r)-2]) + "…"
		}
		pdf.CellFormat(labelWidth, rowHeight, label, "", 0, "L", false, 0, "")
		x := margin + labelWidth
		for i, part := range b.Parts {
			w := area * part / max
			if w <= 0 {
				continue
			}
			c := barColours[i%len(barColours)]
			pdf.SetFillColor(c[0], c[1], c[2])
			pdf.Rect(x, y+(rowHeight-barHeight)/2, w, barHeight, "F")
			x += w
		}
		if b.Previous != nil {
			px := margin + labelWidth + area**b.Previous/max
			pdf.SetDrawColor(200, 60, 40)
			pdf.SetLineWidth(0.6)
			pdf.Line(px, y+0.3, px, y+rowHeight-0.3)
			pdf.SetLineWidth(0.2)
			pdf.SetDrawColor(0, 0, 0)
		}
		pdf.SetXY(margin+labelWidth+area+1, y)
		pdf.CellFormat(textWidth-1, rowHeight, safeText(b.Text), "", 0, "L", false, 0, "")
		pdf.SetXY(margin, y+rowHeight)
	}
	axis(top, pdf.GetY())

	pdf.SetFont(fontFamily, "", 7.5)
	pdf.SetTextColor(90, 100, 114)
	x := margin + labelWidth
	y := pdf.GetY() + 1
	pdf.SetXY(x, y)
	pdf.CellFormat(area, 4, fmt.Sprintf("scale 0 to %s, grid lines at each quarter", trimFloat(max)), "", 1, "L", false, 0, "")
	for i, name := range legend {
		c := barColours[i%len(barColours)]
		pdf.SetFillColor(c[0], c[1], c[2])
		pdf.Rect(x, pdf.GetY()+0.8, 3, 2.4, "F")
		pdf.SetX(x + 4)
		pdf.CellFormat(area, 4, name, "", 1, "L", false, 0, "")
	}
	if hasPrevious {
		pdf.SetDrawColor(200, 60, 40)
		pdf.SetLineWidth(0.6)
		pdf.Line(x+1.5, pdf.GetY()+0.5, x+1.5, pdf.GetY()+3.5)
		pdf.SetLineWidth(0.2)
		pdf.SetDrawColor(0, 0, 0)
		pdf.SetX(x + 4)
		pdf.CellFormat(area, 4, "previous year", "", 1, "L", false, 0, "")
	}
	pdf.SetTextColor(29, 36, 48)
	pdf.Ln(3)
}

// trimFloat prints 100 as "100" and 12.5 as "12.5".
func trimFloat(f float64) string {
	if f == float64(int64(f)) {
		return fmt.Sprint(int64(f))
	}
	return fmt.Sprintf("%.1f", f)
}
