package report

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"
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
	Standards    []StandardStats
	Domains      []StandardStats
	Total        StandardStats
	Tenders      []AnnualTender
	Explanations []Explanation
	// Verified counts the submitted attestations a probe run has checked.
	Verified int
	// HasPrevious is set when the year before has answers to compare with.
	HasPrevious bool
}

// StandardStats counts demand, answers and verdicts for one standard, one
// domain or everything.
type StandardStats struct {
	Slug                string
	Name                string
	Domain              string
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

// LoadAnnualReport reads the report of year for viewer (nil: every
// tender) and the previous year's counts for the comparison.
func LoadAnnualReport(ctx context.Context, db *gorm.DB, year int, viewer *models.User) (AnnualReport, error) {
	cur, err := models.LoadAnnualReport(ctx, db, models.AnnualFilter{Year: year, Viewer: viewer, Details: true})
	if err != nil {
		return AnnualReport{}, fmt.Errorf("report: load annual report %d: %w", year, err)
	}
	prev, err := models.LoadAnnualReport(ctx, db, models.AnnualFilter{Year: year - 1, Viewer: viewer})
	if err != nil {
		return AnnualReport{}, fmt.Errorf("report: load annual report %d: %w", year-1, err)
	}
	scope := "all tenders of all buyer organisations"
	if viewer != nil && viewer.Role == models.RoleOfficer {
		scope = "the tenders of your organisation"
	}
	return BuildAnnual(cur, prev, scope), nil
}

// BuildAnnual sums the year's rows per standard, per domain and in total,
// and sets last year's rates where prev has answers.
func BuildAnnual(cur, prev *models.AnnualData, scope string) AnnualReport {
	r := AnnualReport{Year: cur.Year, Scope: scope, Tenders: cur.Tenders, Explanations: cur.Explanations, Verified: cur.Verified}
	standards := tally(cur)
	var before map[string]*StandardStats
	if prev != nil && len(prev.Answers) > 0 {
		before = tally(prev)
		r.HasPrevious = true
	}

	domains := map[string]*StandardStats{}
	total := newStats("", "All standards", "")
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
		s.Name, s.Domain = row.Name, row.Domain
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

// Submitted counts the submitted attestations of the year's tenders.
func (r AnnualReport) Submitted() int {
	n := 0
	for _, t := range r.Tenders {
		n += t.Submitted
	}
	return n
}

// WriteAnnualReport renders r as an A4 PDF to w: totals, bar charts per
// domain and per standard (with last year's rates as ticks when there
// are any), the table per standard and per domain, the verdicts, every
// explanation grouped by standard, and an appendix listing every tender.
// A year without tenders gives a short report that says so.
func WriteAnnualReport(w io.Writer, r AnnualReport, opt Options) error {
	title := fmt.Sprintf("Comply-or-explain annual report %d", r.Year)
	pdf := newDocument(title, opt)
	header(pdf, title+" · Tenderprobe")
	footer(pdf, "Generated by Tenderprobe on "+opt.Created.UTC().Format("2006-01-02 15:04 UTC"))
	pdf.AddPage()
	pdf.SetFont(fontFamily, "B", 20)
	pdf.MultiCell(0, 9, title, "", "L", false)
	pdf.Ln(1)
	small(pdf, fmt.Sprintf("Scope: %s. Tenders count in the year in which they were published (UTC); drafts, "+
		"withdrawn tenders and superseded revisions are left out. Generated %s.", r.Scope, opt.Created.UTC().Format("2006-01-02 15:04:05 UTC")))
	pdf.Ln(3)
	if r.Empty() {
		para(pdf, fmt.Sprintf("No tender was published in %d within this scope, so there is nothing to report for that year.", r.Year))
		return output(pdf, w, title)
	}
	annualSummary(pdf, r)
	annualTotals(pdf, r)
	annualCharts(pdf, r)
	annualTables(pdf, r)
	annualExplanations(pdf, r)
	annualAppendix(pdf, r)
	return output(pdf, w, title)
}

// Buyers counts the buyer organisations that published the year's tenders.
func (r AnnualReport) Buyers() int {
	buyers := map[string]bool{}
	for _, t := range r.Tenders {
		buyers[t.Buyer] = true
	}
	return len(buyers)
}

// Summary is the year in a few sentences, from the message table: what
// was published, declared, verified and contradicted, and the change
// against the year before. The annual report opens with it.
func (r AnnualReport) Summary() []string {
	t := r.Total
	out := []string{text("annual.summary.tenders", map[string]any{"year": r.Year, "tenders": len(r.Tenders), "buyers": r.Buyers(),
		"demanded": t.DemandedMandatory + t.DemandedRecommended, "mandatory": t.DemandedMandatory})}
	if _, ok := t.Rate(); !ok {
		return append(out, text("annual.summary.no_rate", nil))
	}
	out = append(out, text("annual.summary.answers", map[string]any{"attestations": r.Submitted(), "answers": t.AnswerTotal(),
		"applicable": t.Applicable(), "declared": t.DeclaredRateText(), "verified": t.VerifiedRateText()}))
	switch {
	case r.Verified == 0:
		out = append(out, text("annual.summary.unverified", nil))
	case t.ClaimsContradicted > 0:
		out = append(out, text("annual.summary.contradicted", map[string]any{"contradicted": t.ClaimsContradicted, "rate": t.RateText()}))
	default:
		out = append(out, text("annual.summary.none_contradicted", map[string]any{"rate": t.RateText()}))
	}
	if c := t.ChangeText(); c != "" {
		out = append(out, text("annual.summary.previous", map[string]any{"previous": r.Year - 1, "change": c}))
	} else {
		out = append(out, text("annual.summary.no_previous", map[string]any{"previous": r.Year - 1}))
	}
	return out
}

func annualSummary(pdf *gofpdf.Fpdf, r AnnualReport) {
	pdf.SetFont(fontFamily, "B", 12)
	pdf.CellFormat(0, 7, text("annual.summary.heading", nil), "", 1, "L", false, 0, "")
	para(pdf, strings.Join(r.Summary(), " "))
	pdf.Ln(2)
}

func annualTotals(pdf *gofpdf.Fpdf, r AnnualReport) {
	buyers := map[string]bool{}
	for _, t := range r.Tenders {
		buyers[t.Buyer] = true
	}
	t := r.Total
	rate := t.RateText()
	if c := t.ChangeText(); c != "" {
		rate += " (" + c + " against the year before)"
	} else if !r.HasPrevious {
		rate += " (no data for the year before)"
	}
	verification := fmt.Sprintf("%d of %d submitted attestations", r.Verified, r.Submitted())
	if r.Verified == 0 {
		verification = "none: no probe run has checked any attestation of this year, so every answer is the vendor's word only"
	}
	table(pdf, [][2]string{
		{"Tenders published", fmt.Sprint(len(r.Tenders))},
		{"Buyer organisations", fmt.Sprint(len(buyers))},
		{"Demand", fmt.Sprintf("%d times mandatory, %d times recommended (%d different standards)", t.DemandedMandatory, t.DemandedRecommended, len(r.Standards))},
		{"Attestations", fmt.Sprintf("%d submitted", r.Submitted())},
		{"Verified by probes", verification},
		{"Answers", fmt.Sprintf("%d: %d complies, %d partial, %d does not comply, %d not applicable", t.AnswerTotal(),
			t.Answers[models.AnswerComplies], t.Answers[models.AnswerPartial], t.Answers[models.AnswerDoesNotComply], t.Answers[models.AnswerNotApplicable])},
		{text("rate.declared", nil), t.DeclaredRateText()},
		{text("rate.compliance", nil), rate},
		{text("rate.verified", nil), t.VerifiedRateText()},
		{"Claims contradicted", fmt.Sprintf("%d answers claimed compliance that the probes found untrue", t.Verdicts[models.VerdictContradicted])},
		{"Explanations", fmt.Sprint(len(r.Explanations))},
	})
	pdf.Ln(2)
	small(pdf, text("rate.explained", nil)+" "+probeDisclaimer)
}

// rateBars draws each rate as one bar of what was declared: the verified
// share dark, the share declared but not verified light, and the share
// the probes contradicted red; the text gives both rates and the count.
func rateBars(stats []StandardStats, label func(StandardStats) string) []bar {
	bars := make([]bar, 0, len(stats))
	for _, s := range stats {
		declared, ok := s.DeclaredRate()
		verified, _ := s.VerifiedRate()
		met, _ := s.Rate()
		words := text("rate.bar_text", map[string]any{"declared": s.DeclaredRateText(), "verified": s.VerifiedRateText(), "n": s.Applicable()})
		if c := s.ChangeText(); c != "" {
			words += " · " + c
		}
		b := bar{Label: label(s), Text: words, Previous: s.Previous}
		if ok {
			b.Parts = []float64{verified, met - verified, declared - met}
		}
		bars = append(bars, b)
	}
	return bars
}

func annualCharts(pdf *gofpdf.Fpdf, r AnnualReport) {
	heading(pdf, "Charts")
	legend := []string{text("rate.legend.verified", nil), text("rate.legend.unverified", nil), text("rate.legend.contradicted", nil)}
	axis := text("chart.axis_percent", nil)
	barChart(pdf, "Compliance rate per domain: declared and verified", rateBars(r.Domains, func(s StandardStats) string { return s.Name }), 100, true, axis, legend)
	barChart(pdf, "Compliance rate per standard: declared and verified", rateBars(r.Standards, func(s StandardStats) string { return s.Name }), 100, true, axis, legend)
	demand := make([]bar, 0, len(r.Standards))
	most := 0
	for _, s := range r.Standards {
		n := s.DemandedMandatory + s.DemandedRecommended
		most = max(most, n)
		demand = append(demand, bar{Label: s.Name, Parts: []float64{float64(s.DemandedMandatory), float64(s.DemandedRecommended)},
			Text: fmt.Sprintf("%d (%d mand. + %d rec.)", n, s.DemandedMandatory, s.DemandedRecommended)})
	}
	barChart(pdf, "Tenders demanding each standard", demand, float64(most), false, text("chart.axis_count", nil), []string{"mandatory", "recommended"})
}

func countRow(s StandardStats) []string {
	contradicted := fmt.Sprint(s.Verdicts[models.VerdictContradicted])
	if s.Verdicts[models.VerdictContradicted] > 0 {
		contradicted = "✗ " + contradicted
	}
	return []string{
		fmt.Sprint(s.DemandedMandatory), fmt.Sprint(s.DemandedRecommended),
		fmt.Sprint(s.Answers[models.AnswerComplies]), fmt.Sprint(s.Answers[models.AnswerPartial]),
		fmt.Sprint(s.Answers[models.AnswerDoesNotComply]), fmt.Sprint(s.Answers[models.AnswerNotApplicable]),
		contradicted, s.DeclaredRateText(), s.RateText(), s.VerifiedRateText(), s.ChangeText(),
	}
}

var countColumns = []column{{"Mand.", 12.5}, {"Rec.", 9.5}, {"Comply", 14}, {"Partial", 13}, {"Not", 9}, {"N/A", 9},
	{"Contra-\ndicted", 14}, {"Declared", 16.5}, {"Rate", 13}, {"Verified", 15}, {"Change", 15.5}}

func annualTables(pdf *gofpdf.Fpdf, r AnnualReport) {
	heading(pdf, "Per domain")
	small(pdf, "Mand./Rec.: tenders demanding a standard of the domain as mandatory or recommended (a tender counts once per standard). "+
		"Comply, Partial, Not, N/A: submitted answers by status. Contradicted: compliance claims the probes found untrue. "+
		text("rate.explained", nil)+" Change: the compliance rate against the year before, in percentage points.")
	pdf.Ln(1)
	var rows [][]string
	for _, d := range append(append([]StandardStats{}, r.Domains...), r.Total) {
		rows = append(rows, append([]string{d.Name}, countRow(d)...))
	}
	grid(pdf, append([]column{{"Domain", 33}}, countColumns...), rows)

	heading(pdf, "Per standard")
	rows = rows[:0]
	for _, s := range r.Standards {
		rows = append(rows, append([]string{s.Name + "\n" + models.DomainName(s.Domain)}, countRow(s)...))
	}
	grid(pdf, append([]column{{"Standard", 33}}, countColumns...), rows)

	heading(pdf, "Verification verdicts per standard")
	small(pdf, "What the live probes found about each submitted answer, from the newest finished probe run of the attestation. "+
		"Not measured: the probes could not measure (the resolver did not answer, every check ended in an error). "+
		"Not verified: no probe run has finished for that attestation.")
	pdf.Ln(1)
	rows = rows[:0]
	for _, s := range append(append([]StandardStats{}, r.Standards...), r.Total) {
		v := s.Verdicts
		rows = append(rows, []string{s.Name, fmt.Sprint(v[models.VerdictConfirmed]), fmt.Sprint(v[models.VerdictContradicted]),
			fmt.Sprint(v[models.VerdictConsistent]), fmt.Sprint(v[models.VerdictBetterThanDeclared]), fmt.Sprint(v[models.VerdictInconclusive]),
			fmt.Sprint(v[models.VerdictAttestationOnly]), fmt.Sprint(v[models.VerdictNotMeasured]), fmt.Sprint(v[""])})
	}
	grid(pdf, []column{{"Standard", 36}, {"Confirmed", 18}, {"Contra-\ndicted", 15}, {"Consistent", 18}, {"Better than declared", 17},
		{"Incon-\nclusive", 15}, {"Attestation only", 17}, {"Not measured", 19}, {"Not verified", 19}}, rows)
}

func annualExplanations(pdf *gofpdf.Fpdf, r AnnualReport) {
	heading(pdf, "Explanations by standard")
	small(pdf, "Every submitted answer other than \"complies\", with the vendor's explanation, grouped by standard. "+
		"An explanation given word for word in several answers is printed once, followed by every tender and vendor that gave it: "+
		"tender reference, vendor, answer, level, planned date and probe verdict.")
	if len(r.Explanations) == 0 {
		para(pdf, "No vendor explained a deviation this year.")
		return
	}
	for start := 0; start < len(r.Explanations); {
		end := start
		for end < len(r.Explanations) && r.Explanations[end].Slug == r.Explanations[start].Slug {
			end++
		}
		group := r.Explanations[start:end]
		subheading(pdf, fmt.Sprintf("%s (%d)", group[0].Standard, len(group)))
		var rows [][]string
		for k := 0; k < len(group); {
			same := k
			var where []string
			for same < len(group) && group[same].Explanation == group[k].Explanation {
				e := group[same]
				tender := e.TenderReference
				if tender == "" {
					tender = fmt.Sprintf("tender #%d", e.TenderID)
				}
				line := fmt.Sprintf("%s · %s · %s (%s)", tender, e.Supplier, StatusLabel(e.Status), e.Level)
				if e.PlannedDate != "" {
					line += " · planned " + e.PlannedDate
				}
				where = append(where, "• "+line+" · "+VerdictLabel(e.Verdict))
				same++
			}
			rows = append(rows, []string{group[k].Explanation, strings.Join(where, "\n")})
			k = same
		}
		grid(pdf, []column{{"Explanation", 56}, {"Given in (tender · vendor · answer · planned · verdict)", 118}}, rows)
		start = end
	}
}

func annualAppendix(pdf *gofpdf.Fpdf, r AnnualReport) {
	pdf.AddPage()
	heading(pdf, fmt.Sprintf("Appendix. Tenders published in %d (%d)", r.Year, len(r.Tenders)))
	rows := make([][]string, 0, len(r.Tenders))
	for _, t := range r.Tenders {
		value := ""
		if t.EstimatedValueCents > 0 {
			v := models.Tender{EstimatedValueCents: t.EstimatedValueCents, Currency: t.Currency}
			value = v.EstimatedValue()
		}
		rows = append(rows, []string{t.PublishedAt.UTC().Format(time.DateOnly), orNone(t.Reference), t.Title, t.Buyer, t.Status, value,
			fmt.Sprintf("%d (%d)", t.Requirements, t.Mandatory), fmt.Sprintf("%d of %d", t.Submitted, t.Attestations)})
	}
	grid(pdf, []column{{"Published", 20}, {"Reference", 22}, {"Title", 42}, {"Buyer", 28}, {"Status", 15}, {"Value", 19},
		{"Req. (mand.)", 13}, {"Sub-\nmitted", 15}}, rows)
}
