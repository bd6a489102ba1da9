package report

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"

	"tenderprobe/models"
)

// AnnualReport is the yearly comply-or-explain report across the tenders
// of a scope, in the style of the Dutch Monitor Open Standaarden: how often
// each standard was demanded, how vendors answered, what they explained
// and where the probes contradicted them.
type AnnualReport struct {
	Year  int
	Scope string
	// Standards and Domains hold the counts per standard (by slug) and per
	// IS3C domain; Total sums everything.
	Standards []StandardStats
	Domains   []StandardStats
	Total     StandardStats
	Tenders   []AnnualTender
	// Explanations are, per standard, the AnnualTexts most often given
	// explanations with their first AnnualPlaces places; Explained counts
	// every explained answer and explanation per standard. The
	// explanations CSV (WriteAnnualExplanationsCSV) lists every one.
	Explanations []Explanation
	Explained    []models.AnnualExplained
	// Verified counts the submitted attestations a probe run has checked.
	Verified int
	// HasPrevious is set when the year before has answers to compare with.
	HasPrevious bool
}

// StandardStats counts demand, answers and verdicts for one standard, one
// domain or everything.
type StandardStats struct {
	Slug   string
	Name   string
	Domain string
	// Translations are a standard's texts in the other languages
	// (NameIn reads them); domains and the total have none.
	Translations        models.StandardTranslations
	DemandedMandatory   int
	DemandedRecommended int
	// Answers counts submitted answers by status; Verdicts counts them by
	// verdict ("" for answers no probe run has checked).
	Answers  map[string]int
	Verdicts map[string]int
	// ClaimsConfirmed and ClaimsContradicted count the answers "complies"
	// that the probes confirmed and contradicted.
	ClaimsConfirmed    int
	ClaimsContradicted int
	// Previous is last year's compliance rate, when it had answers.
	Previous *float64
}

// NameIn is the standard's name in lang, as every other page names it
// (models.Standard.In): English when the catalogue has no complete
// translation into lang.
func (s StandardStats) NameIn(lang string) string {
	return models.StandardName{Name: s.Name, Translations: s.Translations}.NameIn(lang)
}

// AnswerTotal is the number of submitted answers.
func (s StandardStats) AnswerTotal() int {
	n := 0
	for _, c := range s.Answers {
		n += c
	}
	return n
}

// Applicable is the number of submitted answers that apply (all but "not
// applicable"): what every rate is a share of.
func (s StandardStats) Applicable() int {
	return s.AnswerTotal() - s.Answers[models.AnswerNotApplicable]
}

func (s StandardStats) share(n int) (float64, bool) {
	applicable := s.Applicable()
	if applicable <= 0 {
		return 0, false
	}
	return 100 * float64(n) / float64(applicable), true
}

// Rate is the compliance rate in percent: answers "complies" that the
// probes did not contradict, among the answers that apply (not applicable
// left out). A claim the probes found untrue is never counted as met. ok
// is false without any answer that applies.
func (s StandardStats) Rate() (rate float64, ok bool) {
	return s.share(s.Answers[models.AnswerComplies] - s.ClaimsContradicted)
}

// DeclaredRate is the share of the answers that apply that declare
// compliance, contradicted or not: what the vendors say.
func (s StandardStats) DeclaredRate() (float64, bool) {
	return s.share(s.Answers[models.AnswerComplies])
}

// VerifiedRate is the share of the answers that apply whose claim of
// compliance the probes confirmed: what was measured.
func (s StandardStats) VerifiedRate() (float64, bool) { return s.share(s.ClaimsConfirmed) }

func percentText(r float64, ok bool) string {
	if !ok {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", r)
}

// RateText prints the rate as "83.3%" or "n/a".
func (s StandardStats) RateText() string { return percentText(s.Rate()) }

// DeclaredRateText prints the declared rate as "83.3%" or "n/a".
func (s StandardStats) DeclaredRateText() string { return percentText(s.DeclaredRate()) }

// VerifiedRateText prints the verified rate as "83.3%" or "n/a".
func (s StandardStats) VerifiedRateText() string { return percentText(s.VerifiedRate()) }

// ChangeText prints the change against last year in percentage points, or
// "" when either year has no rate.
func (s StandardStats) ChangeText() string {
	r, ok := s.Rate()
	if !ok || s.Previous == nil {
		return ""
	}
	return fmt.Sprintf("%+.1f pp", r-*s.Previous)
}

// AnnualTender is one row of the appendix.
type AnnualTender = models.AnnualTender

// Explanation is one vendor's explanation for not (fully) complying.
type Explanation = models.AnnualExplanation

// Scopes of an annual report, written in words by the report.
const (
	ScopeAll = "all" // every tender of every buyer organisation
	ScopeOwn = "own" // the tenders of the reader's organisation
)

// A year across thousands of tenders holds tens of thousands of
// explanations, more than anyone reads in a PDF: per standard it prints the
// AnnualTexts explanations given most often, each with the first
// AnnualPlaces tenders and vendors that gave it and the count of the
// others, and points to the explanations CSV for the rest.
const (
	AnnualTexts  = 15
	AnnualPlaces = 3
)

// LoadAnnualReport reads the report of year for viewer (nil: every
// tender) and the previous year's counts for the comparison, side by side.
// db must be the pool, not a transaction: the queries run concurrently.
func LoadAnnualReport(ctx context.Context, db *gorm.DB, year int, viewer *models.User) (AnnualReport, error) {
	var cur, prev *models.AnnualData
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		cur, err = models.LoadAnnualReport(gctx, db, models.AnnualFilter{Year: year, Viewer: viewer, Details: true,
			ExplanationTexts: AnnualTexts, ExplanationPlaces: AnnualPlaces})
		return err
	})
	g.Go(func() (err error) {
		prev, err = models.LoadAnnualReport(gctx, db, models.AnnualFilter{Year: year - 1, Viewer: viewer})
		return err
	})
	if err := g.Wait(); err != nil {
		return AnnualReport{}, fmt.Errorf("report: load annual report %d: %w", year, err)
	}
	scope := ScopeAll
	if viewer != nil && viewer.Role == models.RoleOfficer {
		scope = ScopeOwn
	}
	return BuildAnnual(cur, prev, scope), nil
}

// BuildAnnual sums the year's rows per standard, per domain and in total,
// and sets last year's rates where prev has answers.
func BuildAnnual(cur, prev *models.AnnualData, scope string) AnnualReport {
	r := AnnualReport{Year: cur.Year, Scope: scope, Tenders: cur.Tenders, Explanations: cur.Explanations, Explained: cur.Explained, Verified: cur.Verified}
	standards := tally(cur)
	var before map[string]*StandardStats
	if prev != nil && len(prev.Answers) > 0 {
		before = tally(prev)
		r.HasPrevious = true
	}

	domains := map[string]*StandardStats{}
	total := newStats("", "All standards", "") // the PDF names it annual.total
	keys := make([]string, 0, len(standards))
	for k := range standards {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := standards[keys[i]], standards[keys[j]]
		if a.Domain != b.Domain {
			return domainOrder(a.Domain) < domainOrder(b.Domain)
		}
		return strings.ToLower(a.Name) < strings.ToLower(b.Name)
	})
	prevDomains := map[string]*StandardStats{}
	prevTotal := newStats("", "", "")
	for _, s := range before {
		d := prevDomains[s.Domain]
		if d == nil {
			d = newStats(s.Domain, "", s.Domain)
			prevDomains[s.Domain] = d
		}
		add(d, s)
		add(prevTotal, s)
	}
	for _, k := range keys {
		s := standards[k]
		if p := before[k]; p != nil {
			s.Previous = rateOf(p)
		}
		d := domains[s.Domain]
		if d == nil {
			d = newStats(s.Domain, models.DomainName(s.Domain), s.Domain)
			domains[s.Domain] = d
		}
		add(d, s)
		add(total, s)
		r.Standards = append(r.Standards, *s)
	}
	for _, slug := range append(append([]string{}, models.Domains...), otherDomains(domains)...) {
		d, ok := domains[slug]
		if !ok {
			continue
		}
		if p := prevDomains[slug]; p != nil {
			d.Previous = rateOf(p)
		}
		r.Domains = append(r.Domains, *d)
	}
	if r.HasPrevious {
		total.Previous = rateOf(prevTotal)
	}
	r.Total = *total
	return r
}

// sortedIn is a copy of standards in the order BuildAnnual gives them,
// by domain and then by name, with the names in lang: a reader looks a
// standard up by the name they read.
func sortedIn(lang string, standards []StandardStats) []StandardStats {
	out := slices.Clone(standards)
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := domainOrder(out[i].Domain), domainOrder(out[j].Domain); a != b {
			return a < b
		}
		if out[i].Domain != out[j].Domain {
			return out[i].Domain < out[j].Domain
		}
		return strings.ToLower(out[i].NameIn(lang)) < strings.ToLower(out[j].NameIn(lang))
	})
	return out
}

func newStats(slug, name, domain string) *StandardStats {
	return &StandardStats{Slug: slug, Name: name, Domain: domain, Answers: map[string]int{}, Verdicts: map[string]int{}}
}

func rateOf(s *StandardStats) *float64 {
	if r, ok := s.Rate(); ok {
		return &r
	}
	return nil
}

func add(to, from *StandardStats) {
	to.DemandedMandatory += from.DemandedMandatory
	to.DemandedRecommended += from.DemandedRecommended
	for k, v := range from.Answers {
		to.Answers[k] += v
	}
	for k, v := range from.Verdicts {
		to.Verdicts[k] += v
	}
	to.ClaimsConfirmed += from.ClaimsConfirmed
	to.ClaimsContradicted += from.ClaimsContradicted
}

// tally folds the grouped rows into one StandardStats per slug.
func tally(d *models.AnnualData) map[string]*StandardStats {
	out := map[string]*StandardStats{}
	get := func(slug string) *StandardStats {
		s := out[slug]
		if s == nil {
			s = newStats(slug, slug, "")
			out[slug] = s
		}
		return s
	}
	for _, row := range d.Demand {
		s := get(row.Slug)
		s.Name, s.Domain, s.Translations = row.Name, row.Domain, row.Translations
		if row.Level == models.LevelMandatory {
			s.DemandedMandatory += row.Tenders
		} else {
			s.DemandedRecommended += row.Tenders
		}
	}
	for _, row := range d.Answers {
		if row.Status == "" {
			continue
		}
		s := get(row.Slug)
		s.Answers[row.Status] += row.N
		s.Verdicts[row.Verdict] += row.N
		if row.Status == models.AnswerComplies {
			switch row.Verdict {
			case models.VerdictConfirmed:
				s.ClaimsConfirmed += row.N
			case models.VerdictContradicted:
				s.ClaimsContradicted += row.N
			}
		}
	}
	return out
}

func domainOrder(domain string) int {
	for i, d := range models.Domains {
		if d == domain {
			return i
		}
	}
	return len(models.Domains)
}

func otherDomains(domains map[string]*StandardStats) []string {
	var out []string
	for d := range domains {
		if domainOrder(d) == len(models.Domains) {
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}

// Empty reports whether no tender of the year is in scope.
func (r AnnualReport) Empty() bool { return len(r.Tenders) == 0 && len(r.Standards) == 0 }

// ExplainedAnswers counts the year's explained answers.
func (r AnnualReport) ExplainedAnswers() int {
	n := 0
	for _, e := range r.Explained {
		n += e.Answers
	}
	return n
}

// Submitted counts the submitted attestations of the year's tenders.
func (r AnnualReport) Submitted() int {
	n := 0
	for _, t := range r.Tenders {
		n += t.Submitted
	}
	return n
}

// titlePage opens a yearly report: running header and footer, the title
// and the note on what it covers and when it was made.
func titlePage(pdf *doc, wd words, opt Options, title, note string) {
	header(pdf, title, func(title string) string { return title + " · Tenderprobe" })
	footer(pdf, wd, wd.t("report.generated_on", "date", wd.dateTime(opt.Created)))
	pdf.AddPage()
	pdf.SetFont(fontFamily, "B", 20)
	pdf.MultiCell(0, 9, title, "", "L", false)
	pdf.Ln(1)
	small(pdf, note)
	pdf.Ln(3)
}

// WriteAnnualReport renders r as an A4 PDF to w in opt.Lang (the
// reader's language): totals, bar charts per domain and per standard
// (with last year's rates as ticks when there are any), the table per
// standard and per domain, the verdicts, every explanation grouped by
// standard, and an appendix listing every tender. A year without tenders
// gives a short report that says so.
func WriteAnnualReport(w io.Writer, r AnnualReport, opt Options) error {
	wd := wordsOf(opt)
	r.Standards = sortedIn(wd.lang, r.Standards)
	title := wd.t("annual.title", "year", r.Year)
	// A large year runs to a thousand pages: compressed, its stored PDF is
	// about a fifth of the size, worth the compressor per page.
	return render(w, title, opt, title, true, func(pdf *doc) {
		titlePage(pdf, wd, opt, title, wd.t("annual.scope_note", "scope", wd.word("annual.scope", r.Scope, r.Scope), "generated", wd.dateTime(opt.Created)))
		if r.Empty() {
			para(pdf, wd.t("annual.empty", "year", r.Year))
			return
		}
		annualSummary(pdf, wd, r)
		annualTotals(pdf, wd, r)
		annualCharts(pdf, wd, r)
		annualTables(pdf, wd, r)
		annualExplanations(pdf, wd, r)
		annualAppendix(pdf, wd, r)
	})
}

// Buyers counts the buyer organisations that published the year's tenders.
func (r AnnualReport) Buyers() int {
	buyers := map[string]bool{}
	for _, t := range r.Tenders {
		buyers[t.Buyer] = true
	}
	return len(buyers)
}

// Summary is the year in a few English sentences (summary).
func (r AnnualReport) Summary() []string { return r.summary(words{lang: "en", zone: time.UTC}) }

// summary is the year in a few sentences: what was published, declared,
// verified and contradicted, and the change against the year before. The
// annual report opens with it.
func (r AnnualReport) summary(wd words) []string {
	t := r.Total
	// Each count is a plural message of its own ("1 tender", "24
	// tenders"); a sentence picks its form by the count its verb agrees with.
	out := []string{wd.t("annual.summary.tenders", "year", r.Year, "count", len(r.Tenders),
		"tenders", wd.count("annual.count.tenders", len(r.Tenders)), "buyers", wd.count("annual.count.buyers", r.Buyers()),
		"demanded", wd.count("annual.count.requirements", t.DemandedMandatory+t.DemandedRecommended),
		"mandatory", wd.count("annual.count.mandatory", t.DemandedMandatory))}
	if _, ok := t.Rate(); !ok {
		return append(out, wd.t("annual.summary.no_rate"))
	}
	out = append(out, wd.t("annual.summary.answers", "attestations", wd.count("annual.count.attestations", r.Submitted()),
		"answers", wd.count("annual.count.answers", t.AnswerTotal()), "applicable", t.Applicable(), "count", t.Applicable(),
		"declared", wd.percent(t.DeclaredRate()), "verified", wd.percent(t.VerifiedRate())))
	switch {
	case r.Verified == 0:
		out = append(out, wd.t("annual.summary.unverified"))
	case t.ClaimsContradicted > 0:
		out = append(out, wd.t("annual.summary.contradicted", "contradicted", t.ClaimsContradicted, "count", t.ClaimsContradicted, "rate", wd.percent(t.Rate())))
	default:
		out = append(out, wd.t("annual.summary.none_contradicted", "rate", wd.percent(t.Rate())))
	}
	if c := wd.change(t); c != "" {
		out = append(out, wd.t("annual.summary.previous", "previous", r.Year-1, "change", c))
	} else {
		out = append(out, wd.t("annual.summary.no_previous", "previous", r.Year-1))
	}
	return out
}

func annualSummary(pdf *doc, wd words, r AnnualReport) {
	pdf.SetFont(fontFamily, "B", 12)
	pdf.CellFormat(0, 7, wd.t("annual.summary.heading"), "", 1, "L", false, 0, "")
	para(pdf, strings.Join(r.summary(wd), " "))
	pdf.Ln(2)
}

func annualTotals(pdf *doc, wd words, r AnnualReport) {
	t := r.Total
	rate := wd.percent(t.Rate())
	if c := wd.change(t); c != "" {
		rate += " " + wd.t("annual.totals.against_previous", "change", c)
	} else if !r.HasPrevious {
		rate += " " + wd.t("annual.totals.no_previous")
	}
	verification := wd.t("annual.totals.verified", "verified", r.Verified, "submitted", r.Submitted(), "count", r.Submitted())
	if r.Verified == 0 {
		verification = wd.t("annual.totals.verified_none")
	}
	table(pdf, [][2]string{
		{wd.t("annual.totals.tenders"), fmt.Sprint(len(r.Tenders))},
		{wd.t("annual.totals.buyers"), fmt.Sprint(r.Buyers())},
		{wd.t("annual.totals.demand"), wd.t("annual.totals.demand_text", "mandatory", wd.count("annual.count.times", t.DemandedMandatory),
			"recommended", wd.count("annual.count.times", t.DemandedRecommended), "standards", wd.count("annual.count.standards", len(r.Standards)))},
		{wd.t("annual.totals.attestations"), wd.t("annual.totals.submitted", "count", r.Submitted())},
		{wd.t("annual.totals.verified_by_probes"), verification},
		{wd.t("annual.totals.answers"), wd.t("annual.totals.answers_text", "count", t.AnswerTotal(),
			"complies", t.Answers[models.AnswerComplies], "partial", t.Answers[models.AnswerPartial],
			"does_not_comply", t.Answers[models.AnswerDoesNotComply], "not_applicable", t.Answers[models.AnswerNotApplicable])},
		{wd.t("annual.rate.declared"), wd.percent(t.DeclaredRate())},
		{wd.t("annual.rate.compliance"), rate},
		{wd.t("annual.rate.verified"), wd.percent(t.VerifiedRate())},
		{wd.t("annual.totals.contradicted"), wd.t("annual.totals.contradicted_text", "count", t.Verdicts[models.VerdictContradicted])},
		{wd.t("annual.totals.explanations"), fmt.Sprint(r.ExplainedAnswers())},
	})
	pdf.Ln(2)
	small(pdf, wd.t("annual.rate.explained")+" "+wd.t("report.probe_disclaimer"))
}

// rateBars draws each rate as one bar of what was declared: the verified
// share dark, the share declared but not verified light, and the share
// the probes contradicted red; the text gives both rates and the count.
func rateBars(wd words, stats []StandardStats, label func(StandardStats) string) []bar {
	bars := make([]bar, 0, len(stats))
	for _, s := range stats {
		declared, ok := s.DeclaredRate()
		verified, _ := s.VerifiedRate()
		met, _ := s.Rate()
		text := wd.t("annual.rate.bar_text", "declared", wd.percent(s.DeclaredRate()), "verified", wd.percent(s.VerifiedRate()), "n", s.Applicable())
		if c := wd.change(s); c != "" {
			text += " · " + c
		}
		b := bar{Label: label(s), Text: text, Previous: s.Previous}
		if ok {
			b.Parts = []float64{verified, met - verified, declared - met}
		}
		bars = append(bars, b)
	}
	return bars
}

// domainName is a domain row's name in words: a domain's, or the total's.
func domainName(wd words, s StandardStats) string {
	if s.Slug == "" {
		return wd.t("annual.total")
	}
	return wd.domain(s.Slug)
}

func annualCharts(pdf *doc, wd words, r AnnualReport) {
	ensureSpace(pdf, 100) // the heading stays with the first chart
	heading(pdf, wd.t("annual.charts.heading"))
	legend := []string{wd.t("annual.rate.legend.verified"), wd.t("annual.rate.legend.unverified"), wd.t("annual.rate.legend.contradicted")}
	axis := wd.t("annual.chart.axis_percent")
	barChart(pdf, wd, wd.t("annual.charts.per_domain"), rateBars(wd, r.Domains, func(s StandardStats) string { return domainName(wd, s) }), 100, true, axis, legend)
	barChart(pdf, wd, wd.t("annual.charts.per_standard"), rateBars(wd, r.Standards, func(s StandardStats) string { return s.NameIn(wd.lang) }), 100, true, axis, legend)
	demand := make([]bar, 0, len(r.Standards))
	most := 0
	for _, s := range r.Standards {
		n := s.DemandedMandatory + s.DemandedRecommended
		most = max(most, n)
		demand = append(demand, bar{Label: s.NameIn(wd.lang), Parts: []float64{float64(s.DemandedMandatory), float64(s.DemandedRecommended)},
			Text: wd.t("annual.charts.demand_text", "count", n, "mandatory", s.DemandedMandatory, "recommended", s.DemandedRecommended)})
	}
	barChart(pdf, wd, wd.t("annual.charts.demand"), demand, float64(most), false, wd.t("annual.chart.axis_count"), []string{wd.level(models.LevelMandatory), wd.level(models.LevelRecommended)})
}

func countRow(wd words, s StandardStats) []string {
	contradicted := fmt.Sprint(s.Verdicts[models.VerdictContradicted])
	if s.Verdicts[models.VerdictContradicted] > 0 {
		contradicted = glue("✗ " + contradicted)
	}
	return []string{
		fmt.Sprint(s.DemandedMandatory), fmt.Sprint(s.DemandedRecommended),
		fmt.Sprint(s.Answers[models.AnswerComplies]), fmt.Sprint(s.Answers[models.AnswerPartial]),
		fmt.Sprint(s.Answers[models.AnswerDoesNotComply]), fmt.Sprint(s.Answers[models.AnswerNotApplicable]),
		// The change in points, its unit in the column's title; a dash, not
		// a blank, where there is no year before to compare.
		contradicted, wd.percent(s.DeclaredRate()), wd.percent(s.Rate()), wd.percent(s.VerifiedRate()), cmp.Or(wd.points(s), "—"),
	}
}

// countTable is the columns of a table of counts (per domain, per
// standard): a first column titled first, for names, then countColumns.
func countTable(wd words, first string) []column {
	return append([]column{{first, 34}}, countColumns(wd)...)
}

func countColumns(wd words) []column {
	// Each holds its widest figure on one line (TestFiguresFitTheirColumns):
	// five-digit counts, 100.0%, and a change of a hundred points (its
	// unit in the title); and each word of its title in every language at
	// 6.5 pt.
	return []column{{wd.t("annual.col.mandatory"), 11.5}, {wd.t("annual.col.recommended"), 11.5}, {wd.t("annual.col.complies"), 12.5},
		{wd.t("annual.col.partial"), 11.5}, {wd.t("annual.col.does_not_comply"), 11.5}, {wd.t("annual.col.not_applicable"), 11.5},
		{wd.t("annual.col.contradicted"), 14.5}, {wd.t("annual.col.declared"), 14.5}, {wd.t("annual.col.rate"), 13},
		{wd.t("annual.col.verified"), 13.5}, {wd.t("annual.col.change_points"), 14.5}}
}

func annualTables(pdf *doc, wd words, r AnnualReport) {
	heading(pdf, wd.t("annual.per_domain.heading"))
	small(pdf, wd.t("annual.per_domain.intro")+" "+wd.t("annual.rate.explained")+" "+wd.t("annual.per_domain.change"))
	pdf.Ln(1)
	var rows [][]string
	for _, d := range r.Domains {
		rows = append(rows, append([]string{domainName(wd, d)}, countRow(wd, d)...))
	}
	rows = append(rows, append([]string{wd.t("annual.total")}, countRow(wd, r.Total)...))
	grid(pdf, countTable(wd, wd.t("annual.col.domain")), rows)

	heading(pdf, wd.t("annual.per_standard.heading"))
	rows = rows[:0]
	for _, s := range r.Standards {
		rows = append(rows, append([]string{s.NameIn(wd.lang) + "\n" + wd.domain(s.Domain)}, countRow(wd, s)...))
	}
	grid(pdf, countTable(wd, wd.t("annual.col.standard")), rows)

	heading(pdf, wd.t("annual.verdicts.heading"))
	small(pdf, wd.t("annual.verdicts.intro"))
	pdf.Ln(1)
	rows = rows[:0]
	stats := append(append([]StandardStats{}, r.Standards...), r.Total)
	for i, s := range stats {
		v := s.Verdicts
		name := s.NameIn(wd.lang)
		if i == len(stats)-1 {
			name = wd.t("annual.total")
		}
		rows = append(rows, []string{name, fmt.Sprint(v[models.VerdictConfirmed]), fmt.Sprint(v[models.VerdictContradicted]),
			fmt.Sprint(v[models.VerdictConsistent]), fmt.Sprint(v[models.VerdictBetterThanDeclared]), fmt.Sprint(v[models.VerdictInconclusive]),
			fmt.Sprint(v[models.VerdictAttestationOnly]), fmt.Sprint(v[models.VerdictNotMeasured]), fmt.Sprint(v[""])})
	}
	grid(pdf, []column{{wd.t("annual.col.standard"), 36}, {wd.t("annual.col.confirmed"), 18}, {wd.t("annual.col.contradicted"), 15},
		{wd.t("annual.col.consistent"), 18}, {wd.t("annual.col.better_than_declared"), 17}, {wd.t("annual.col.inconclusive"), 15},
		{wd.t("annual.col.attestation_only"), 17}, {wd.t("annual.col.not_measured"), 19}, {wd.t("annual.col.not_verified"), 19}}, rows)
}

func annualExplanations(pdf *doc, wd words, r AnnualReport) {
	heading(pdf, wd.t("annual.explanations.heading"))
	small(pdf, wd.t("annual.explanations.intro", "texts", AnnualTexts, "places", AnnualPlaces))
	if len(r.Explanations) == 0 {
		para(pdf, wd.t("annual.explanations.none"))
		return
	}
	counted := make(map[string]models.AnnualExplained, len(r.Explained))
	for _, e := range r.Explained {
		counted[e.Slug] = e
	}
	// An explanation carries the standard's English name; the year's
	// demand has its translations.
	names := make(map[string]string, len(r.Standards))
	for _, s := range r.Standards {
		names[s.Slug] = s.NameIn(wd.lang)
	}
	// Thousands of lines share a few codes and planned dates: their words
	// are looked up once.
	memo := map[[2]string]string{}
	once := func(kind, code string, words func(string) string) string {
		k := [2]string{kind, code}
		if w, ok := memo[k]; ok {
			return w
		}
		w := words(code)
		memo[k] = w
		return w
	}
	planned := func(date string) string { return wd.t("annual.explanations.planned", "date", wd.plannedDate(date)) }
	for start := 0; start < len(r.Explanations); {
		end := start
		for end < len(r.Explanations) && r.Explanations[end].Slug == r.Explanations[start].Slug {
			end++
		}
		group := r.Explanations[start:end]
		all := counted[group[0].Slug]
		name, ok := names[group[0].Slug]
		if !ok {
			name = group[0].Standard
		}
		title := wd.t("annual.explanations.standard", "standard", name, "count", all.Answers, "texts", all.Texts)
		var rows [][]string
		texts, shown := 0, 0
		for k := 0; k < len(group); {
			same := k
			var where []string
			for same < len(group) && group[same].Explanation == group[k].Explanation {
				e := group[same]
				tender := e.TenderReference
				if tender == "" {
					tender = wd.t("annual.explanations.tender_number", "id", e.TenderID)
				}
				// The bullet stays with the reference when it wraps.
				line := "•\u00a0" + tender + " · " + e.Supplier + " · " + once("answer", e.Status, wd.answer) + " (" + once("level", e.Level, wd.level) + ")"
				if e.PlannedDate != "" {
					line += " · " + once("planned", e.PlannedDate, planned)
				}
				where = append(where, line+" · "+once("verdict", e.Verdict, wd.verdict))
				same++
			}
			e := group[k]
			if more := e.Given - len(where); more > 0 {
				where = append(where, wd.t("annual.explanations.more_places", "count", more))
			}
			rows = append(rows, []string{e.Explanation + "\n" + wd.t("annual.explanations.given", "count", e.Given), strings.Join(where, "\n")})
			texts++
			shown += e.Given
			k = same
		}
		cols := []column{{wd.t("annual.col.explanation"), 56}, {wd.t("annual.col.given_in"), 118}}
		// The title keeps to its table.
		keepWithGrid(pdf, subheadingHeight(pdf, title), cols, rows)
		subheading(pdf, title)
		grid(pdf, cols, rows)
		if rest := all.Texts - texts; rest > 0 {
			small(pdf, wd.t("annual.explanations.more_texts", "count", rest, "answers", wd.count("annual.count.answers", all.Answers-shown)))
		}
		start = end
	}
}

func annualAppendix(pdf *doc, wd words, r AnnualReport) {
	pdf.AddPage()
	heading(pdf, wd.t("annual.appendix.heading", "year", r.Year, "count", len(r.Tenders)))
	// Thousands of rows share a few days, values, statuses and counts:
	// each is put into words once.
	memo := map[string]string{}
	once := func(key string, words func() string) string {
		if w, ok := memo[key]; ok {
			return w
		}
		w := words()
		memo[key] = w
		return w
	}
	rows := make([][]string, 0, len(r.Tenders))
	for _, t := range r.Tenders {
		day := t.PublishedAt.UTC()
		value := ""
		if t.EstimatedValueCents > 0 {
			value = once("v"+strconv.FormatInt(t.EstimatedValueCents, 10)+t.Currency, func() string { return wd.money(t.EstimatedValueCents, t.Currency) })
		}
		rows = append(rows, []string{
			once("d"+day.Format(time.DateOnly), func() string { return catalogue().Date(wd.lang, day) }),
			wd.orNone(t.Reference), t.Title, t.Buyer,
			once("s"+t.Status, func() string { return wd.word("tender_status", t.Status, t.Status) }),
			value,
			once("r"+strconv.Itoa(t.Requirements)+"/"+strconv.Itoa(t.Mandatory), func() string { return fmt.Sprintf("%d (%d)", t.Requirements, t.Mandatory) }),
			once("a"+strconv.Itoa(t.Submitted)+"/"+strconv.Itoa(t.Attestations), func() string { return wd.ofCount(t.Submitted, t.Attestations) }),
		})
	}
	grid(pdf, annexColumns(wd), rows)
}

// annexColumns are the columns of the annual report's annex of tenders:
// a date, a typical reference (SYN-2025-0042, 2025-ICT-00123), a status,
// an amount in euros up to the hundreds of millions (in dollars, tens of
// millions) and the counts fit on one line, and the titles' words at
// 6.5 pt.
func annexColumns(wd words) []column {
	return []column{{wd.t("annual.col.published"), 20.5}, {wd.t("annual.col.reference"), 24}, {wd.t("annual.col.title"), 30},
		{wd.t("annual.col.buyer"), 22.5}, {wd.t("annual.col.status"), 16}, {wd.t("annual.col.value"), 28.5},
		{wd.t("annual.col.requirements"), 13}, {wd.t("annual.col.submitted"), 19.5}}
}
