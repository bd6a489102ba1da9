package sharing

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/i18n"
	"tenderprobe/app/report"
	"tenderprobe/models"
)

// ScopeBuyer is the annual report's scope of a link made by an officer:
// the tenders of one buyer organisation, which the report names for
// readers who are not of that organisation (report.ScopeOwn says "your").
const ScopeBuyer = "buyer"

// annualKind is the yearly comply-or-explain report, the same the
// dashboard offers as PDF and CSV: live for an open year, and for a closed
// year what it showed at the year's end, unless a late status, submission
// or probe run changes it.
var annualKind = Kind{
	Code:     "annual",
	TitleKey: "shared.annual.title",
	Page:     "shared/annual",
	Load: func(ctx context.Context, db *gorm.DB, s Scope, now time.Time) (View, error) {
		r, err := report.LoadAnnualReport(ctx, db, s.Year, s.viewer())
		if err != nil {
			return nil, err
		}
		if s.OrgID != nil {
			r.Scope = ScopeBuyer
		}
		return &Annual{Report: r, Scope: s, Closed: report.YearClosed(s.Year, now)}, nil
	},
}

// Annual is the annual report of a link's scope.
type Annual struct {
	Report report.AnnualReport
	Scope  Scope
	// Closed is set once the year is over (UTC): no tender joins it any more.
	Closed bool
}

// WriteCSV writes the report's table per standard, domain and in total.
func (a *Annual) WriteCSV(w io.Writer, lang string) error {
	return report.WriteAnnualCSV(w, a.Report, lang)
}

// PDF plans the report's PDF, stored once the year is closed.
func (a *Annual) PDF(opt report.Options) (report.Plan, bool) {
	return report.AnnualPlan(a.Report, opt), true
}

// AnnualJSON is the JSON file of an annual report link: the same counts
// as the CSV, with codes for statuses and verdicts.
type AnnualJSON struct {
	Year int `json:"year"`
	// Scope is "all" (every buyer) or "buyer" (the one named Buyer).
	Scope     string          `json:"scope"`
	Buyer     string          `json:"buyer,omitempty"`
	Closed    bool            `json:"closed"`
	Verified  int             `json:"verified_attestations"`
	Total     StatsJSON       `json:"total"`
	Domains   []StatsJSON     `json:"domains"`
	Standards []StatsJSON     `json:"standards"`
	Tenders   []AnnualTenderJ `json:"tenders"`
}

// StatsJSON is one standard's, domain's or the total's counts. Rates are
// percentages of the answers that apply, null without any.
type StatsJSON struct {
	Slug                string         `json:"slug,omitempty"`
	Name                string         `json:"name,omitempty"`
	Domain              string         `json:"domain,omitempty"`
	DemandedMandatory   int            `json:"demanded_mandatory"`
	DemandedRecommended int            `json:"demanded_recommended"`
	Answers             map[string]int `json:"answers"`
	Verdicts            map[string]int `json:"verdicts"`
	ClaimsConfirmed     int            `json:"claims_confirmed"`
	ClaimsContradicted  int            `json:"claims_contradicted"`
	Rate                *float64       `json:"compliance_rate"`
	DeclaredRate        *float64       `json:"declared_rate"`
	VerifiedRate        *float64       `json:"verified_rate"`
	PreviousRate        *float64       `json:"previous_rate"`
}

// AnnualTenderJ is one tender of the year.
type AnnualTenderJ struct {
	ID                  uint      `json:"id"`
	Reference           string    `json:"reference"`
	Title               string    `json:"title"`
	Buyer               string    `json:"buyer"`
	Status              string    `json:"status"`
	PublishedAt         time.Time `json:"published_at"`
	EstimatedValueCents int64     `json:"estimated_value_cents"`
	Currency            string    `json:"currency"`
	Requirements        int       `json:"requirements"`
	Mandatory           int       `json:"mandatory"`
	Attestations        int       `json:"attestations"`
	Submitted           int       `json:"submitted"`
}

func ratePtr(r float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	return &r
}

func statsJSON(s report.StandardStats) StatsJSON {
	out := StatsJSON{Slug: s.Slug, Name: s.Name, Domain: s.Domain, DemandedMandatory: s.DemandedMandatory, DemandedRecommended: s.DemandedRecommended,
		Answers: map[string]int{}, Verdicts: map[string]int{}, ClaimsConfirmed: s.ClaimsConfirmed, ClaimsContradicted: s.ClaimsContradicted,
		Rate: ratePtr(s.Rate()), DeclaredRate: ratePtr(s.DeclaredRate()), VerifiedRate: ratePtr(s.VerifiedRate()), PreviousRate: s.Previous}
	for _, st := range []string{models.AnswerComplies, models.AnswerPartial, models.AnswerDoesNotComply, models.AnswerNotApplicable} {
		out.Answers[st] = s.Answers[st]
	}
	for v, n := range s.Verdicts {
		if v == "" {
			v = "not_verified"
		}
		out.Verdicts[v] = n
	}
	return out
}

// JSON is the report's counts and tenders.
func (a *Annual) JSON() any {
	r := a.Report
	out := AnnualJSON{Year: r.Year, Scope: report.ScopeAll, Closed: a.Closed, Verified: r.Verified, Total: statsJSON(r.Total),
		Domains: []StatsJSON{}, Standards: []StatsJSON{}, Tenders: []AnnualTenderJ{}}
	out.Total.Name = ""
	if a.Scope.OrgID != nil {
		out.Scope, out.Buyer = ScopeBuyer, a.Scope.Org
	}
	for _, d := range r.Domains {
		j := statsJSON(d)
		j.Name = ""
		out.Domains = append(out.Domains, j)
	}
	for _, s := range r.Standards {
		out.Standards = append(out.Standards, statsJSON(s))
	}
	for _, t := range r.Tenders {
		out.Tenders = append(out.Tenders, AnnualTenderJ{ID: t.ID, Reference: t.Reference, Title: t.Title, Buyer: t.Buyer, Status: t.Status,
			PublishedAt: t.PublishedAt.UTC(), EstimatedValueCents: t.EstimatedValueCents, Currency: t.Currency, Requirements: t.Requirements,
			Mandatory: t.Mandatory, Attestations: t.Attestations, Submitted: t.Submitted})
	}
	return out
}

// AnnualRow is one line of a table of the annual report page, with its
// rates written as lang writes them.
type AnnualRow struct {
	Slug, Name, Domain                          string
	Mandatory, Recommended                      int
	Complies, Partial, DoesNotComply, NotApplic int
	Contradicted                                int
	Declared, Rate, Verified, Change            string
}

// AnnualPage is what the annual report's page shows, in one language.
type AnnualPage struct {
	Year      int
	Buyer     string
	Closed    bool
	Empty     bool
	Tenders   []report.AnnualTender
	Buyers    int
	Submitted int
	Verified  int
	Answers   int
	Total     AnnualRow
	Domains   []AnnualRow
	Standards []AnnualRow
}

// Page is the report's page data in lang.
func (a *Annual) Page(lang string) any {
	r := a.Report
	p := AnnualPage{Year: r.Year, Buyer: a.Scope.Org, Closed: a.Closed, Empty: r.Empty(), Tenders: r.Tenders, Buyers: r.Buyers(),
		Submitted: r.Submitted(), Verified: r.Verified, Answers: r.Total.AnswerTotal(), Total: row(r.Total, lang)}
	for _, d := range r.Domains {
		p.Domains = append(p.Domains, row(d, lang))
	}
	for _, s := range r.Standards {
		p.Standards = append(p.Standards, row(s, lang))
	}
	return p
}

func row(s report.StandardStats, lang string) AnnualRow {
	out := AnnualRow{Slug: s.Slug, Name: s.NameIn(lang), Domain: s.Domain, Mandatory: s.DemandedMandatory, Recommended: s.DemandedRecommended,
		Complies: s.Answers[models.AnswerComplies], Partial: s.Answers[models.AnswerPartial], DoesNotComply: s.Answers[models.AnswerDoesNotComply],
		NotApplic: s.Answers[models.AnswerNotApplicable], Contradicted: s.Verdicts[models.VerdictContradicted],
		Declared: percent(lang, s.DeclaredRate), Rate: percent(lang, s.Rate), Verified: percent(lang, s.VerifiedRate)}
	if r, ok := s.Rate(); ok && s.Previous != nil {
		out.Change = i18n.Messages().T(lang, "annual.change", "value", decimal(lang, r-*s.Previous, true))
	}
	return out
}

// percent writes a rate as "83,3%" (nl) or "83.3%" (en), or "n/a" in
// lang's words when there is none.
func percent(lang string, rate func() (float64, bool)) string {
	r, ok := rate()
	if !ok {
		return i18n.Messages().T(lang, "report.not_available")
	}
	return i18n.Messages().T(lang, "report.percent", "value", decimal(lang, r, false))
}

// decimal writes v with one decimal and lang's decimal mark, with a sign
// when signed.
func decimal(lang string, v float64, signed bool) string {
	s := fmt.Sprintf("%.1f", v)
	if signed {
		s = fmt.Sprintf("%+.1f", v)
	}
	n := i18n.FormatNumber(lang, 150) // 1.50 or 1,50
	if len(n) >= 2 && n[1] == ',' {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
