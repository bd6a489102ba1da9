package report

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"tenderprobe/app/probe/finding"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/probe/check"
	"tenderprobe/models"
)

// TenderReport is one tender's comply-or-explain report: what was demanded,
// what each vendor declared and explained, and what the probes found.
type TenderReport struct {
	ID uint
	// Lang is the tender's language: the report's, and the language of
	// the standards' names and clauses in it.
	Lang string
	// Zone is the zone the report states its times in (ZoneOf).
	Zone             *time.Location
	Title            string
	Reference        string
	Buyer            string
	Status           string
	Revision         int
	EstimatedValue   string
	Currency         string
	ValueCents       int64
	Deadline         *time.Time
	PublishedAt      *time.Time
	CatalogueVersion string
	Description      string
	Requirements     []ReportRequirement
	Vendors          []Vendor
}

// ReportRequirement is one line of the tender's sheet. Level and Domain
// are codes; Standard and Clause are in the tender's language.
type ReportRequirement struct {
	ID         uint
	Position   int
	Standard   string
	Slug       string
	Domain     string
	Level      string
	Clause     string
	References []string
	Checks     []check.ID
}

// Mandatory reports whether the requirement is at the mandatory level.
func (r ReportRequirement) Mandatory() bool { return r.Level == models.LevelMandatory }

// Vendor is one supplier's attestation on the tender.
type Vendor struct {
	AttestationID uint
	SupplierOrgID uint
	Name          string
	Status        string
	Version       int
	SubmittedAt   *time.Time
	WebDomains    []string
	MailDomains   []string
	// Answers holds the current version's answers by requirement id.
	Answers     map[uint]VendorAnswer
	Submissions []Receipt
	// Verified is set when a probe run of the current version finished;
	// VerifiedAt is when.
	Verified   bool
	VerifiedAt *time.Time
	Probes     []DomainEvidence
}

// VendorAnswer is a vendor's answer to one requirement.
type VendorAnswer struct {
	Status      string
	Explanation string
	PlannedDate string
	Evidence    []EvidenceItem
	Verdict     string
	// Review is the buyer's review state of the answer; ReviewNote the
	// comment of the buyer's newest decision (an accept's reason, the
	// question of a clarification).
	Review, ReviewNote string
}

// EvidenceItem names one piece of evidence: a file with its SHA-256, or a URL.
type EvidenceItem struct {
	Name   string
	SHA256 string
}

// Receipt is one submitted version of an attestation.
type Receipt struct {
	Version     int
	Declarer    string
	SubmittedAt time.Time
	SHA256      string
}

// DomainEvidence is what the probes found on one domain of a vendor's scope.
type DomainEvidence struct {
	Domain    string
	CheckedAt time.Time
	Error     string
	Checks    []CheckLine
}

// CheckLine is one probe check's outcome on a domain.
type CheckLine struct {
	ID      check.ID
	Status  check.Status
	Summary string
}

// LoadTenderReport reads tender id's report data from db.
func LoadTenderReport(ctx context.Context, db *gorm.DB, id uint) (TenderReport, error) {
	d, err := models.LoadTenderReport(ctx, db, id)
	if err != nil {
		return TenderReport{}, fmt.Errorf("report: load tender %d: %w", id, err)
	}
	return TenderReportOf(d), nil
}

// TenderReportOf turns the loaded rows into the report's plain structs.
func TenderReportOf(d *models.TenderReportData) TenderReport {
	t := d.Tender
	r := TenderReport{
		ID: t.ID, Title: t.Title, Reference: t.Reference, Status: t.Status, Revision: t.Revision,
		Currency: t.Currency, ValueCents: t.EstimatedValueCents, Deadline: t.Deadline, PublishedAt: t.PublishedAt,
		Description: t.Description, Lang: t.Language, Zone: ZoneOf(t),
	}
	if t.EstimatedValueCents > 0 {
		r.EstimatedValue = t.EstimatedValue()
	}
	if t.BuyerOrg != nil {
		r.Buyer = t.BuyerOrg.Name
	}
	if t.CatalogueVersion != nil {
		r.CatalogueVersion = t.CatalogueVersion.Version
	}
	for i := range t.Requirements {
		q := &t.Requirements[i]
		rr := ReportRequirement{ID: q.ID, Position: q.Position, Level: q.Level, Clause: q.ClauseIn(t.Language)}
		if s := q.Standard; s != nil {
			rr.Standard, rr.Slug, rr.Domain, rr.Checks = s.In(t.Language).Name, s.Slug, s.Domain, s.Checks
			for _, ref := range s.References {
				rr.References = append(rr.References, ref.Label())
			}
		}
		r.Requirements = append(r.Requirements, rr)
	}
	for i := range d.Attestations {
		a := &d.Attestations[i]
		v := Vendor{AttestationID: a.ID, SupplierOrgID: a.SupplierOrgID, Status: a.Status, Version: a.Version, SubmittedAt: a.SubmittedAt,
			WebDomains: a.ScopeNames(models.ScopeWeb), MailDomains: a.ScopeNames(models.ScopeMail), Answers: map[uint]VendorAnswer{}}
		if a.SupplierOrg != nil {
			v.Name = a.SupplierOrg.Name
		}
		for _, an := range a.Answers {
			va := VendorAnswer{Status: an.Status, Explanation: an.Explanation, PlannedDate: an.PlannedDate, Review: an.ReviewStatus}
			if c, ok := d.Reviews[an.ID]; ok {
				va.ReviewNote = c.Body
			}
			for _, e := range an.Evidence {
				if e.Kind == models.EvidenceFile {
					va.Evidence = append(va.Evidence, EvidenceItem{Name: e.FileName, SHA256: e.SHA256})
				} else {
					va.Evidence = append(va.Evidence, EvidenceItem{Name: e.URL})
				}
			}
			if ver, ok := d.Verdicts[an.ID]; ok {
				va.Verdict = ver.Status
			}
			v.Answers[an.RequirementID] = va
		}
		for _, s := range a.Submissions {
			v.Submissions = append(v.Submissions, Receipt{Version: s.Version, Declarer: s.Declarer, SubmittedAt: s.SubmittedAt, SHA256: s.Receipt})
		}
		if run, ok := d.Runs[a.ID]; ok {
			v.Verified, v.VerifiedAt = true, run.FinishedAt
			for _, res := range d.Results[a.ID] {
				de := DomainEvidence{Domain: res.Domain, CheckedAt: res.CreatedAt, Error: res.Error}
				for _, c := range res.Checks {
					text := c.Summary // stored before findings had codes: English
					if c.Finding != "" {
						text = finding.Text(catalogue(), t.Language, c.Finding, c.FindingParams)
					}
					de.Checks = append(de.Checks, CheckLine{ID: c.ID, Status: c.Status, Summary: text})
				}
				slices.SortStableFunc(de.Checks, func(a, b CheckLine) int { return check.Compare(a.ID, b.ID) })
				v.Probes = append(v.Probes, de)
			}
		}
		r.Vendors = append(r.Vendors, v)
	}
	return r
}

// VendorSummary counts how a vendor fared on the mandatory requirements.
type VendorSummary struct {
	Vendor    string
	Status    string
	Mandatory int
	// Met counts the mandatory requirements the vendor declares it meets
	// and the probes did not contradict: a contradicted claim is never met.
	Met          int
	Explained    int
	Contradicted int
	Open         int
	// RecommendedMet of Recommended recommended requirements are met
	// (declared and not contradicted).
	Recommended    int
	RecommendedMet int
	Verified       bool
	// Declared counts the mandatory requirements the vendor declares it
	// meets, contradicted or not; Confirmed those the probes confirmed.
	Declared  int
	Confirmed int
	// Claims, ClaimsConfirmed and ClaimsContradicted count the claims of
	// compliance at any level that probes can check (a verdict other than
	// attestation_only) and what the probes found: the Probes column.
	Claims             int
	ClaimsConfirmed    int
	ClaimsContradicted int
}

// Probe states of a vendor: what its summary's Probes column says.
const (
	ProbesNone         = "none"
	ProbesVerified     = "verified"
	ProbesPartly       = "partly"
	ProbesContradicted = "contradicted"
	ProbesNothing      = "nothing"
)

// ProbeState says what the probes showed of the vendor's claims: verified
// only when they confirmed every claim of compliance they can check.
func (s VendorSummary) ProbeState() string {
	switch {
	case !s.Verified:
		return ProbesNone
	case s.ClaimsContradicted > 0:
		return ProbesContradicted
	case s.Claims == 0:
		return ProbesNothing
	case s.ClaimsConfirmed == s.Claims:
		return ProbesVerified
	}
	return ProbesPartly
}

// ProbeText is the Probes column in English words.
func (s VendorSummary) ProbeText() string { return s.probeText(words{lang: "en"}) }

// probeText is the Probes column in the document's words.
func (s VendorSummary) probeText(wd words) string {
	return wd.t("report.probes."+s.ProbeState(), "confirmed", s.ClaimsConfirmed, "claims", s.Claims, "contradicted", s.ClaimsContradicted)
}

// Summaries counts, per vendor, the mandatory requirements met (complies,
// and not contradicted by the probes), explained (any other answer with an
// explanation), contradicted by the probes (whatever the answer) and still
// open (no answer yet), and next to them the declared and confirmed ones.
func (r TenderReport) Summaries() []VendorSummary {
	out := make([]VendorSummary, 0, len(r.Vendors))
	for _, v := range r.Vendors {
		s := VendorSummary{Vendor: v.Name, Status: v.Status, Verified: v.Verified}
		for _, q := range r.Requirements {
			an := v.Answers[q.ID]
			claims := an.Status == models.AnswerComplies
			contradicted := an.Verdict == models.VerdictContradicted
			if claims && v.Verified && an.Verdict != models.VerdictAttestationOnly {
				s.Claims++
				switch an.Verdict {
				case models.VerdictConfirmed:
					s.ClaimsConfirmed++
				case models.VerdictContradicted:
					s.ClaimsContradicted++
				}
			}
			if !q.Mandatory() {
				s.Recommended++
				if claims && !contradicted {
					s.RecommendedMet++
				}
				continue
			}
			s.Mandatory++
			if claims {
				s.Declared++
				if an.Verdict == models.VerdictConfirmed {
					s.Confirmed++
				}
			}
			switch {
			case an.Status == "":
				s.Open++
			case claims && contradicted:
			case claims:
				s.Met++
			case strings.TrimSpace(an.Explanation) != "":
				s.Explained++
			default:
				s.Open++
			}
			if contradicted {
				s.Contradicted++
			}
		}
		out = append(out, s)
	}
	return out
}

// AnyVerified reports whether a probe run finished for at least one vendor.
func (r TenderReport) AnyVerified() bool {
	for _, v := range r.Vendors {
		if v.Verified {
			return true
		}
	}
	return false
}
