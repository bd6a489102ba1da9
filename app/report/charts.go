package report

import (
	"fmt"
	"strings"
)

// bar is one bar of a horizontal bar chart. Parts are stacked segments
// (for example mandatory and recommended demand); Previous, when set, is
// last year's value, drawn as a tick so the change shows at a glance.
// Text is printed right of the bar: the figures, with the count.
type bar struct {
	Label    string
	Parts    []float64
	Previous *float64
	Text     string
}

// barColours are the segment colours, in order: dark blue, light blue,
// red (a contradicted share).
var barColours = [][3]int{{37, 84, 160}, {143, 179, 230}, {196, 48, 43}}

// Sizes of a bar chart, in mm.
const (
	chartLabelWidth = 52.0
	chartTextWidth  = 44.0
	chartLineHeight = 3.4
	chartBarHeight  = 3.6
)

// chartAxis returns the axis end and the step of its ticks for values up
// to most: 0-100 in quarters for rates, else a round step (1, 2, 5 times a
// power of ten) with at most five ticks.
func chartAxis(most float64, percent bool) (end, step float64) {
	if percent {
		return 100, 25
	}
	if most <= 0 {
		most = 1
	}
	step = 1
	for _, m := range []float64{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000} {
		step = m
		if most/m <= 5 {
			break
		}
	}
	end = step * float64(int((most+step-1)/step))
	if end < most {
		end += step
	}
	return end, step
}

// barChart draws a horizontal bar chart with gofpdf's primitives: a label
// column (labels wrap, never cut), bars scaled to a numeric axis with tick
// labels and a title, the figures with the count right of each bar, and a
// legend naming the parts and the previous-year tick. Drawing it
// ourselves keeps the PDF free of raster images and deterministic.
func barChart(pdf *doc, wd words, title string, bars []bar, most float64, percent bool, axisTitle string, legend []string) {
	pageWidth, _ := pdf.GetPageSize()
	area := pageWidth - 2*margin - chartLabelWidth - chartTextWidth
	end, step := chartAxis(most, percent)

	pdf.SetFont(fontFamily, "", 8)
	labels := make([][]string, len(bars))
	heights := make([]float64, len(bars))
	for i, b := range bars {
		labels[i] = wrapText(pdf, safeText(b.Label), chartLabelWidth-2)
		pdf.SetFont(fontFamily, "", 7.5)
		text := wrapText(pdf, safeText(b.Text), chartTextWidth-1)
		pdf.SetFont(fontFamily, "", 8)
		heights[i] = float64(max(len(labels[i]), len(text)))*chartLineHeight + 1.6
	}
	first := 0.0
	for i := 0; i < len(bars) && i < 6; i++ {
		first += heights[i]
	}
	// A short chart keeps its axis and legend with it on one page.
	if len(bars) <= 6 {
		first += 4 * float64(len(legend)+2)
	}
	ensureSpace(pdf, 22+first)
	pdf.SetFont(fontFamily, "B", 10)
	pdf.CellFormat(0, 6, safeText(title), "", 1, "L", false, 0, "")

	hasPrevious := false
	for _, b := range bars {
		if b.Previous != nil {
			hasPrevious = true
		}
	}
	// axis draws the grid lines from y0 to y1 and the tick labels under
	// them: a numeric scale on every page the chart covers.
	axis := func(y0, y1 float64) {
		pdf.SetDrawColor(160, 170, 185)
		pdf.SetLineWidth(0.2)
		pdf.SetFont(fontFamily, "", 7)
		pdf.SetTextColor(90, 100, 114)
		for v := 0.0; v <= end+step/2; v += step {
			x := margin + chartLabelWidth + area*v/end
			pdf.Line(x, y0, x, y1+1)
			label := strings.Replace(trimFloat(v), ".", decimalMark(wd.lang), 1)
			if percent {
				label = wd.t("report.percent", "value", label)
			}
			w := pdf.GetStringWidth(label)
			pdf.SetXY(x-w/2, y1+1)
			pdf.CellFormat(w, 3.5, label, "", 0, "L", false, 0, "")
		}
		pdf.SetDrawColor(0, 0, 0)
		pdf.SetTextColor(29, 36, 48)
		pdf.SetXY(margin, y1+4.5)
	}
	top := pdf.GetY()
	for i, b := range bars {
		h := heights[i]
		if pdf.GetY()+h+12 > pageBottom(pdf) {
			axis(top, pdf.GetY())
			pdf.AddPage()
			top = pdf.GetY()
		}
		y := pdf.GetY()
		pdf.SetFont(fontFamily, "", 8)
		for k, line := range labels[i] {
			pdf.SetXY(margin, y+0.8+float64(k)*chartLineHeight)
			pdf.CellFormat(chartLabelWidth-2, chartLineHeight, line, "", 0, "L", false, 0, "")
		}
		// The bar stands level with the first line of its label, and a
		// faint rule under each row keeps label, bar and figures together.
		pdf.SetDrawColor(226, 230, 236)
		pdf.SetLineWidth(0.15)
		pdf.Line(margin, y+h, margin+chartLabelWidth+area+chartTextWidth, y+h)
		pdf.SetDrawColor(0, 0, 0)
		pdf.SetLineWidth(0.2)
		x := margin + chartLabelWidth
		barY := y + 0.7
		for k, part := range b.Parts {
			w := area * part / end
			if w <= 0 {
				continue
			}
			c := barColours[k%len(barColours)]
			pdf.SetFillColor(c[0], c[1], c[2])
			pdf.Rect(x, barY, w, chartBarHeight, "F")
			x += w
		}
		if b.Previous != nil {
			px := margin + chartLabelWidth + area**b.Previous/end
			pdf.SetDrawColor(200, 60, 40)
			pdf.SetLineWidth(0.6)
			pdf.Line(px, y+0.3, px, y+h-0.3)
			pdf.SetLineWidth(0.2)
			pdf.SetDrawColor(0, 0, 0)
		}
		pdf.SetFont(fontFamily, "", 7.5)
		text := wrapText(pdf, safeText(b.Text), chartTextWidth-1)
		for k, line := range text {
			pdf.SetXY(margin+chartLabelWidth+area+1, y+0.8+float64(k)*chartLineHeight)
			pdf.CellFormat(chartTextWidth-1, chartLineHeight, line, "", 0, "L", false, 0, "")
		}
		pdf.SetXY(margin, y+h)
	}
	axis(top, pdf.GetY())

	pdf.SetFont(fontFamily, "", 7.5)
	pdf.SetTextColor(90, 100, 114)
	x := margin + chartLabelWidth
	pdf.SetX(x)
	pdf.CellFormat(area+chartTextWidth, 4, safeText(axisTitle), "", 1, "L", false, 0, "")
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
		pdf.CellFormat(area, 4, wd.t("annual.chart.previous_year"), "", 1, "L", false, 0, "")
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
