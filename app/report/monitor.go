package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"tenderprobe/app/monitor"
)

// MonitorReport is a year's monitor with the words it needs: the scope's
// name ("" for every buyer) and the standards' and kinds' names in the
// reader's language, by slug.
type MonitorReport struct {
	*monitor.Monitor
	Buyer string
	Names map[string]string
	Kinds map[string]string
}

func (r MonitorReport) name(slug string) string {
	if n, ok := r.Names[slug]; ok && n != "" {
		return n
	}
	return slug
}

func (r MonitorReport) names(slugs []string) string {
	out := make([]string, len(slugs))
	for i, s := range slugs {
		out[i] = r.name(s)
	}
	return strings.Join(out, ", ")
}

func (r MonitorReport) kinds(slugs []string) string {
	out := make([]string, len(slugs))
	for i, s := range slugs {
		out[i] = s
		if n, ok := r.Kinds[s]; ok {
			out[i] = n
		}
	}
	return strings.Join(out, ", ")
}

// scope is the scope in words.
func (r MonitorReport) scope(wd words) string {
	if r.Buyer == "" {
		return wd.t("monitor.scope_all")
	}
	return r.Buyer
}

// MonitorShare is a share as a percentage for pages: "58.8%" in the
// reader's language, or "n/a" without a denominator.
func MonitorShare(lang string, n, of int) string {
	wd := words{lang: lang}
	return wd.percent(100*float64(n)/float64(max(of, 1)), of > 0)
}

// MonitorChange is a change in percentage points for pages ("+4.2 pp"),
// "" when there is none to compare with.
func MonitorChange(lang string, points *float64) string {
	if points == nil {
		return ""
	}
	wd := words{lang: lang}
	return wd.t("annual.change", "value", wd.decimal(*points, true))
}

// WriteMonitorReport writes the monitor as a PDF in the style of the
// annual report: the summary and headline, charts of the classes and of
// each standard's requested share (last year's as ticks), the table per
// standard, the table per tender and the buyers' explanations.
func WriteMonitorReport(w io.Writer, r MonitorReport, opt Options) error {
	wd := wordsOf(opt)
	title := wd.t("monitor.title_year", "year", r.Year)
	return render(w, title, opt, title, true, func(pdf *doc) {
		titlePage(pdf, wd, opt, title, wd.t("monitor.scope_note", "scope", r.scope(wd), "generated", wd.dateTime(opt.Created)))
		if r.Headline.Assessed == 0 {
			para(pdf, wd.t("monitor.empty", "year", r.Year))
			return
		}
		monitorSummary(pdf, wd, r)
		small(pdf, wd.t("monitor.rules"))
		pdf.Ln(2)
		monitorCharts(pdf, wd, r)
		monitorStandards(pdf, wd, r)
		monitorTenders(pdf, wd, r)
		monitorExplanations(pdf, wd, r)
	})
}

func monitorSummary(pdf *doc, wd words, r MonitorReport) {
	h := r.Headline
	pdf.SetFont(fontFamily, "B", 12)
	pdf.CellFormat(0, 7, wd.t("monitor.headline.heading"), "", 1, "L", false, 0, "")
	share := MonitorShare(wd.lang, h.Requested, h.Relevant) + ": " + wd.t("monitor.headline.share_text", "requested", h.Requested, "relevant", h.Relevant)
	if c := MonitorChange(wd.lang, r.ShareChange); c != "" {
		share += " (" + wd.t("monitor.headline.against_previous", "change", c, "previous", r.Year-1) + ")"
	}
	verified := MonitorShare(wd.lang, h.Verified, h.OnSheet) + " " + wd.t("monitor.headline.verified_text", "verified", h.Verified, "demanded", h.OnSheet)
	table(pdf, [][2]string{
		{wd.t("monitor.headline.assessed"), wd.t("monitor.headline.assessed_text", "count", h.Assessed, "platform", h.Platform, "documents", h.Documents)},
		{wd.t("monitor.headline.share"), share},
		{wd.t("monitor.class.all"), fmt.Sprint(h.Classes[monitor.ClassAll])},
		{wd.t("monitor.class.some"), fmt.Sprint(h.Classes[monitor.ClassSome])},
		{wd.t("monitor.class.none"), fmt.Sprint(h.Classes[monitor.ClassNone])},
		{wd.t("monitor.class.none_relevant"), fmt.Sprint(h.Classes[monitor.ClassNoneRelevant])},
		{wd.t("monitor.headline.explained"), fmt.Sprint(h.Explained)},
		{wd.t("monitor.headline.verified"), verified},
	})
	pdf.Ln(2)
}

func monitorCharts(pdf *doc, wd words, r MonitorReport) {
	ensureSpace(pdf, 80)
	heading(pdf, wd.t("monitor.charts.heading"))
	h := r.Headline
	var classes []bar
	for _, c := range monitor.Classes {
		n := h.Classes[c]
		classes = append(classes, bar{Label: wd.t("monitor.class." + c), Parts: []float64{float64(n)}, Text: fmt.Sprint(n)})
	}
	barChart(pdf, wd, wd.t("monitor.charts.classes"), classes, float64(max(h.Assessed, 1)), false, wd.t("annual.chart.axis_count"), nil)
	var shares []bar
	for _, s := range r.Standards {
		if s.Relevant == 0 {
			continue
		}
		b := bar{Label: r.name(s.Slug), Parts: []float64{100 * s.Share()},
			Text: wd.t("monitor.charts.share_text", "share", MonitorShare(wd.lang, s.Requested, s.Relevant), "n", s.Relevant)}
		if s.PreviousRelevant > 0 {
			p := 100 * float64(s.PreviousRequested) / float64(s.PreviousRelevant)
			b.Previous = &p
		}
		shares = append(shares, b)
	}
	barChart(pdf, wd, wd.t("monitor.charts.per_standard"), shares, 100, true, wd.t("monitor.charts.axis_percent"), []string{wd.t("monitor.charts.legend_requested")})
}

func monitorStandards(pdf *doc, wd words, r MonitorReport) {
	ensureSpace(pdf, 40)
	heading(pdf, wd.t("monitor.standards.heading"))
	cols := []column{
		{wd.t("monitor.col.standard"), 46}, {wd.t("monitor.col.relevant"), 20}, {wd.t("monitor.col.requested"), 22},
		{wd.t("monitor.col.share"), 20}, {wd.t("monitor.col.change"), 22}, {wd.t("monitor.col.explained"), 22}, {wd.t("monitor.col.verified"), 28},
	}
	var rows [][]string
	for _, s := range r.Standards {
		rows = append(rows, []string{r.name(s.Slug), fmt.Sprint(s.Relevant), fmt.Sprint(s.Requested),
			MonitorShare(wd.lang, s.Requested, s.Relevant), wd.orNone(MonitorChange(wd.lang, s.Change)), fmt.Sprint(s.Explained),
			wd.t("report.of", "n", s.Verified, "total", s.OnSheet)})
	}
	grid(pdf, cols, rows)
}

func monitorTenders(pdf *doc, wd words, r MonitorReport) {
	ensureSpace(pdf, 40)
	heading(pdf, wd.t("monitor.tenders.heading"))
	cols := []column{
		{wd.t("monitor.col.tender"), 38}, {wd.t("monitor.col.buyer"), 24}, {wd.t("monitor.col.kinds"), 26},
		{wd.t("monitor.col.requested_of_relevant"), 20}, {wd.t("monitor.col.class"), 20}, {wd.t("monitor.col.missing"), 32},
		{wd.t("monitor.col.verified"), 20},
	}
	var rows [][]string
	for _, t := range r.Tenders {
		name := t.Title
		if t.Reference != "" {
			name = t.Reference + " · " + t.Title
		}
		name += " (" + wd.t("monitor.source."+t.Source) + ")"
		kinds := r.kinds(t.Kinds)
		if t.KindsSuggested && kinds != "" {
			kinds += " " + wd.t("monitor.suggested_mark")
		}
		verified := wd.orNone("")
		if t.Source == monitor.SourcePlatform {
			verified = wd.t("report.of", "n", t.Verified, "total", t.OnSheet)
		}
		rows = append(rows, []string{name, wd.orNone(t.Buyer), wd.orNone(kinds),
			wd.t("report.of", "n", len(t.Requested), "total", len(t.Relevant)), wd.t("monitor.class." + t.Class), wd.orNone(r.names(t.Missing)), verified})
	}
	grid(pdf, cols, rows)
}

func monitorExplanations(pdf *doc, wd words, r MonitorReport) {
	ensureSpace(pdf, 30)
	heading(pdf, wd.t("monitor.explanations.heading"))
	if len(r.Explanations) == 0 {
		para(pdf, wd.t("monitor.explanations.none"))
		return
	}
	cols := []column{{wd.t("monitor.col.tender"), 50}, {wd.t("monitor.col.standard"), 36}, {wd.t("monitor.col.explanation"), 94}}
	var rows [][]string
	for _, e := range r.Explanations {
		name := e.Title
		if e.Reference != "" {
			name = e.Reference + " · " + e.Title
		}
		rows = append(rows, []string{name, r.name(e.Slug), e.Explanation})
	}
	grid(pdf, cols, rows)
}

// The monitor's CSVs follow the product's CSV convention (see
// annualCSVColumns): headers in the reader's language
// (monitor.csv.<table>.<column>), codes in their own columns with the
// words further on, columns only ever added at the end. One CSV per
// table: tenders, standards, explanations.
var monitorCSVColumns = map[string][]string{
	"tenders": {"year", "source", "id", "reference", "title", "buyer", "date", "kinds", "kinds_suggested",
		"relevant", "requested", "missing", "explained", "relevant_count", "requested_count", "class", "on_sheet", "verified",
		"source_words", "class_words"},
	"standards": {"year", "slug", "name", "relevant", "requested", "share", "previous_relevant", "previous_requested", "change_points",
		"explained", "on_sheet", "verified"},
	"explanations": {"year", "tender_id", "reference", "title", "buyer", "standard", "name", "explanation", "updated_at"},
}

// MonitorTables are the names of the monitor's CSV tables.
var MonitorTables = []string{"tenders", "standards", "explanations"}

// monitorTextColumns are the columns that hold people's text (names,
// titles, explanations), guarded against formula injection in CSV.
var monitorTextColumns = map[string]bool{"reference": true, "title": true, "buyer": true, "name": true, "explanation": true}

// MonitorRows is one table of the monitor (report.MonitorTables) as a
// header row in lang and rows of cells, in the columns' fixed order: what
// the CSV writes, and what a spreadsheet writer can write as a sheet.
func MonitorRows(r MonitorReport, table, lang string) ([]string, [][]string, error) {
	cols, ok := monitorCSVColumns[table]
	if !ok {
		return nil, nil, fmt.Errorf("report: no monitor table %q", table)
	}
	wd := wordsOf(Options{Lang: lang})
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = wd.t("monitor.csv." + table + "." + c)
	}
	year := fmt.Sprint(r.Year)
	var rows [][]string
	switch table {
	case "tenders":
		for _, t := range r.Tenders {
			rows = append(rows, []string{year, t.Source, fmt.Sprint(t.ID), t.Reference, t.Title, t.Buyer,
				t.Date.Format("2006-01-02"), strings.Join(t.Kinds, " "), yesNo(t.KindsSuggested),
				strings.Join(t.Relevant, " "), strings.Join(t.Requested, " "), strings.Join(t.Missing, " "), strings.Join(t.Explained, " "),
				fmt.Sprint(len(t.Relevant)), fmt.Sprint(len(t.Requested)), t.Class, fmt.Sprint(t.OnSheet), fmt.Sprint(t.Verified),
				wd.t("monitor.source." + t.Source), wd.t("monitor.class." + t.Class)})
		}
	case "standards":
		for _, s := range r.Standards {
			change := ""
			if s.Change != nil {
				change = fmt.Sprintf("%.1f", *s.Change)
			}
			rows = append(rows, []string{year, s.Slug, r.name(s.Slug), fmt.Sprint(s.Relevant), fmt.Sprint(s.Requested),
				csvRate(100*s.Share(), s.Relevant > 0), fmt.Sprint(s.PreviousRelevant), fmt.Sprint(s.PreviousRequested), change,
				fmt.Sprint(s.Explained), fmt.Sprint(s.OnSheet), fmt.Sprint(s.Verified)})
		}
	case "explanations":
		for _, e := range r.Explanations {
			rows = append(rows, []string{year, fmt.Sprint(e.TenderID), e.Reference, e.Title, e.Buyer,
				e.Slug, r.name(e.Slug), e.Explanation, e.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z")})
		}
	}
	return head, rows, nil
}

// WriteMonitorCSV writes one table of the monitor as CSV in lang.
func WriteMonitorCSV(w io.Writer, r MonitorReport, table, lang string) error {
	head, rows, err := MonitorRows(r, table, lang)
	if err != nil {
		return err
	}
	cols := monitorCSVColumns[table]
	cw := csv.NewWriter(w)
	_ = cw.Write(head)
	for _, row := range rows {
		for i := range row {
			if monitorTextColumns[cols[i]] {
				row[i] = safeCell(row[i])
			}
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: monitor %s csv: %w", table, err)
	}
	return nil
}
