package sharing

import (
	"context"
	"fmt"
	"io"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/i18n"
	"tenderprobe/app/monitor"
	"tenderprobe/app/report"
	"tenderprobe/models"
	"tenderprobe/seed"
)

// monitorKind is the standards monitor of a year (issue 15): per tender
// the relevant and requested standards and its class, per standard how
// often relevant and requested, and the buyers' explanations. The
// relevance table is the catalogue's profiles.
var monitorKind = Kind{
	Code:     "monitor",
	TitleKey: "monitorx.title",
	Page:     "shared/monitor",
	Load: func(ctx context.Context, db *gorm.DB, s Scope, now time.Time) (View, error) {
		profiles, err := seed.Profiles()
		if err != nil {
			return nil, err
		}
		scope := models.MonitorScope{Year: s.Year}
		if s.OrgID != nil {
			scope.OrgID = *s.OrgID
		}
		m, err := monitor.Load(ctx, db, monitor.NewRelevance(profiles), scope)
		if err != nil {
			return nil, err
		}
		withholdDocumentNames(m)
		stds, err := models.ListStandards(ctx, db, models.StandardFilter{})
		if err != nil {
			return nil, err
		}
		return &Monitor{Monitor: m, Scope: s, standards: stds, profiles: profiles}, nil
	},
}

// withholdDocumentNames replaces the names of analysed documents with
// their number: a public link must not publish what a user named an
// upload (often an unpublished draft, sometimes another buyer's tender).
// Platform tenders keep their titles, which their buyers published (only
// they carry explanations).
func withholdDocumentNames(m *monitor.Monitor) {
	for i := range m.Tenders {
		if t := &m.Tenders[i]; t.Source == monitor.SourceDocument {
			t.Title, t.Reference = fmt.Sprintf("#%d", t.ID), ""
		}
	}
}

// Monitor is the standards monitor of a link's scope.
type Monitor struct {
	Monitor   *monitor.Monitor
	Scope     Scope
	standards []models.Standard
	profiles  []models.Profile
}

// report is the monitor with the standards' and kinds' names in lang.
func (m *Monitor) report(lang string) report.MonitorReport {
	r := report.MonitorReport{Monitor: m.Monitor, Buyer: m.Scope.Org, Names: map[string]string{}, Kinds: map[string]string{}}
	for i := range m.standards {
		r.Names[m.standards[i].Slug] = m.standards[i].In(lang).Name
	}
	cat := i18n.Messages()
	for _, p := range m.profiles {
		r.Kinds[p.Slug] = p.Name
		if k := "profile.name." + p.Slug; cat.Has(lang, k) {
			r.Kinds[p.Slug] = cat.T(lang, k)
		}
	}
	return r
}

// Tables is a view with more CSV tables than its main one, each at a
// file of its own (/shared/{token}/{name}.csv).
type Tables interface {
	// Table is the table of file name, ok false for none.
	Table(name string) (table string, ok bool)
	// WriteTableCSV writes one table as CSV in lang's words.
	WriteTableCSV(w io.Writer, table, lang string) error
}

// Workbook is a view that offers its tables as one XLSX workbook
// (/shared/{token}/{code}.xlsx).
type Workbook interface {
	WriteXLSX(w io.Writer, lang string) error
}

// monitorFiles are the monitor's further CSV tables by file name: the
// link's monitor.csv is the table per tender.
var monitorFiles = map[string]string{"monitor-standards": "standards", "monitor-explanations": "explanations"}

// Table is the table of file name.
func (m *Monitor) Table(name string) (string, bool) {
	t, ok := monitorFiles[name]
	return t, ok
}

// WriteCSV writes the table per tender.
func (m *Monitor) WriteCSV(w io.Writer, lang string) error {
	return report.WriteMonitorCSV(w, m.report(lang), "tenders", lang)
}

// WriteTableCSV writes one of the monitor's tables (report.MonitorTables).
func (m *Monitor) WriteTableCSV(w io.Writer, table, lang string) error {
	return report.WriteMonitorCSV(w, m.report(lang), table, lang)
}

// WriteXLSX writes every table of the monitor as one workbook.
func (m *Monitor) WriteXLSX(w io.Writer, lang string) error {
	return report.WriteMonitorXLSX(w, m.report(lang), lang)
}

// PDF plans the monitor's PDF, rendered each time.
func (m *Monitor) PDF(opt report.Options) (report.Plan, bool) {
	return report.MonitorPlan(m.report(opt.Lang), opt), true
}

// MonitorJSON is the JSON file of a monitor link: codes and numbers, the
// shape of GET /api/v1/monitor without the names in a language.
type MonitorJSON struct {
	Year int `json:"year"`
	// Scope is "all" (every buyer) or "buyer" (the one named Buyer).
	Scope        string                `json:"scope"`
	Buyer        string                `json:"buyer,omitempty"`
	Headline     monitor.Headline      `json:"headline"`
	Previous     *monitor.Headline     `json:"previous"`
	ShareChange  *float64              `json:"share_change_points"`
	Tenders      []monitor.Tender      `json:"tenders"`
	Standards    []monitor.Standard    `json:"standards"`
	Explanations []monitor.Explanation `json:"explanations"`
}

// JSON is the monitor's data.
func (m *Monitor) JSON() any {
	out := MonitorJSON{Year: m.Monitor.Year, Scope: report.ScopeAll, Headline: m.Monitor.Headline, Previous: m.Monitor.Previous,
		ShareChange: m.Monitor.ShareChange, Tenders: m.Monitor.Tenders, Standards: m.Monitor.Standards, Explanations: m.Monitor.Explanations}
	if m.Scope.OrgID != nil {
		out.Scope, out.Buyer = ScopeBuyer, m.Scope.Org
	}
	if out.Tenders == nil {
		out.Tenders = []monitor.Tender{}
	}
	if out.Standards == nil {
		out.Standards = []monitor.Standard{}
	}
	if out.Explanations == nil {
		out.Explanations = []monitor.Explanation{}
	}
	return out
}

// MonitorSegment is one part of the classes bar, in SVG units of 0-100.
type MonitorSegment struct {
	Class string
	N     int
	X, W  float64
}

// MonitorStandardRow is a standard's row with its words in one language.
type MonitorStandardRow struct {
	monitor.Standard
	Name, Share, Previous, Change string
	HasPrevious                   bool
}

// MonitorTenderRow is a tender's row with its words in one language.
type MonitorTenderRow struct {
	monitor.Tender
	KindWords, MissingWords, ExplainedWords string
}

// MonitorExplanationRow is an explanation with its standard's name.
type MonitorExplanationRow struct {
	monitor.Explanation
	Name string
}

// MonitorPage is what the monitor's public page shows, in one language.
type MonitorPage struct {
	Year, PreviousYear           int
	Buyer                        string
	Headline                     monitor.Headline
	Share, Change, VerifiedShare string
	Segments                     []MonitorSegment
	Standards                    []MonitorStandardRow
	Tenders                      []MonitorTenderRow
	Explanations                 []MonitorExplanationRow
}

// Page is the monitor's page data in lang.
func (m *Monitor) Page(lang string) any {
	r := m.report(lang)
	h := r.Headline
	p := MonitorPage{Year: r.Year, PreviousYear: r.Year - 1, Buyer: r.Buyer, Headline: h,
		Share: report.MonitorShare(lang, h.Requested, h.Relevant), Change: report.MonitorChange(lang, r.ShareChange),
		VerifiedShare: report.MonitorShare(lang, h.Verified, h.OnSheet)}
	x := 0.0
	for _, cl := range monitor.Classes {
		n, w := h.Classes[cl], 0.0
		if h.Assessed > 0 {
			w = 100 * float64(n) / float64(h.Assessed)
		}
		p.Segments = append(p.Segments, MonitorSegment{Class: cl, N: n, X: x, W: w})
		x += w
	}
	for _, s := range r.Standards {
		row := MonitorStandardRow{Standard: s, Name: words(r.Names, s.Slug), Share: report.MonitorShare(lang, s.Requested, s.Relevant),
			Change: report.MonitorChange(lang, s.Change)}
		if s.PreviousRelevant > 0 {
			row.HasPrevious = true
			row.Previous = report.MonitorShare(lang, s.PreviousRequested, s.PreviousRelevant)
		}
		p.Standards = append(p.Standards, row)
	}
	for _, t := range r.Tenders {
		p.Tenders = append(p.Tenders, MonitorTenderRow{Tender: t, KindWords: words(r.Kinds, t.Kinds...),
			MissingWords: words(r.Names, t.Missing...), ExplainedWords: words(r.Names, t.Explained...)})
	}
	for _, e := range r.Explanations {
		p.Explanations = append(p.Explanations, MonitorExplanationRow{Explanation: e, Name: words(r.Names, e.Slug)})
	}
	return p
}

// words joins the words of codes (the code itself when it has none).
func words(names map[string]string, codes ...string) string {
	out := ""
	for i, c := range codes {
		if i > 0 {
			out += ", "
		}
		if w := names[c]; w != "" {
			out += w
		} else {
			out += c
		}
	}
	return out
}
