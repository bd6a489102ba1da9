// Package monitor builds the comply-or-explain monitor tables: per buyer
// (or all buyers) and year, which relevant standards each assessed tender
// requested, how often each standard was relevant and requested, the
// buyers' explanations for leaving one out, the change since the previous
// year and, for tenders run on the platform, how much of what was
// requested the probes verified as delivered.
//
// The rules, in one place:
//
//   - A tender is assessed in the year its sheet was published (platform
//     tenders, as the annual report counts them) or the document was
//     analysed (models.TenderDocument).
//   - The standards relevant to a tender are the mandatory standards of the
//     profiles of the kinds of ICT it buys (the catalogue's profiles are the
//     decision table). A platform tender's kinds are the officer's choice;
//     without one they are suggested: the profiles whose mandatory
//     standards are all on its sheet (a profile was applied), else the
//     profiles whose keywords its title, description and scope tags match.
//     A document's kinds and relevant standards are those of its analysis.
//   - A relevant standard is requested when the tender explicitly demands
//     it: on a platform sheet at the mandatory level (a recommendation is
//     not a demand), in a document with status "requested".
//   - Class: all, some or none of the relevant standards requested; a
//     tender with no relevant standard (no kind of ICT known or chosen) is
//     "none_relevant": listed, but left out of the shares and the classes'
//     percentages, as the Forum's monitor leaves out tenders it cannot judge.
//   - A standard on a platform sheet counts as verified as delivered when
//     the newest finished probe run of at least one submitted attestation
//     gave it a verdict and every such verdict found all checks passing
//     (confirmed or better than declared). A standard no probe can check is
//     never verified; a contradicted, inconclusive or unmeasured verdict of
//     any supplier keeps it from being verified.
package monitor

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/docanalysis"
	"tenderprobe/models"
)

// Sources of an assessed tender.
const (
	SourcePlatform = "platform"
	SourceDocument = "document"
)

// Classes of an assessed tender.
const (
	ClassAll          = "all"
	ClassSome         = "some"
	ClassNone         = "none"
	ClassNoneRelevant = "none_relevant"
)

// Classes lists the classes in the order tables and charts show them.
var Classes = []string{ClassAll, ClassSome, ClassNone, ClassNoneRelevant}

// Tender is one assessed tender: a platform tender or an analysed document.
type Tender struct {
	Source     string    `json:"source"`
	ID         uint      `json:"id"`
	Reference  string    `json:"reference"`
	Title      string    `json:"title"`
	Buyer      string    `json:"buyer"`
	BuyerOrgID uint      `json:"buyer_org_id"`
	Date       time.Time `json:"date"`
	// Kinds are the kinds of ICT bought (profile slugs); KindsSuggested
	// says nobody chose them.
	Kinds          []string `json:"kinds"`
	KindsSuggested bool     `json:"kinds_suggested"`
	Relevant       []string `json:"relevant"`
	// Requested are the relevant standards the tender demands; Missing
	// the relevant ones it does not; Explained those of Missing the buyer
	// explained.
	Requested []string `json:"requested"`
	Missing   []string `json:"missing"`
	Explained []string `json:"explained"`
	Class     string   `json:"class"`
	// OnSheet counts the standards a platform tender demands (relevant or
	// not) and Verified those the probes verified as delivered.
	OnSheet  int `json:"on_sheet"`
	Verified int `json:"verified"`
}

// Standard is one standard's row: over the assessed tenders, how often it
// was relevant, requested (when relevant) and explained when left out,
// and on platform sheets how often demanded and verified.
type Standard struct {
	Slug      string `json:"slug"`
	Relevant  int    `json:"relevant"`
	Requested int    `json:"requested"`
	Explained int    `json:"explained"`
	// RequestedShare is Requested / Relevant (0 when never relevant).
	RequestedShare float64 `json:"share"`
	OnSheet        int     `json:"on_sheet"`
	Verified       int     `json:"verified"`
	// Previous is the previous year's row (zero when the standard was
	// never relevant then); Change is the change of the requested share in
	// percentage points, nil when either year has no relevant tender.
	PreviousRelevant  int      `json:"previous_relevant"`
	PreviousRequested int      `json:"previous_requested"`
	Change            *float64 `json:"change_points"`
}

// Share is the requested share of the relevant (0 when never relevant).
func (s Standard) Share() float64 { return ratio(s.Requested, s.Relevant) }

// Headline is a year's summary.
type Headline struct {
	Assessed  int `json:"assessed"`
	Platform  int `json:"platform"`
	Documents int `json:"documents"`
	// Relevant and Requested sum the tenders' relevant and requested
	// relevant standards; Share is their ratio.
	Relevant  int            `json:"relevant"`
	Requested int            `json:"requested"`
	Share     float64        `json:"share"`
	Classes   map[string]int `json:"classes"`
	Explained int            `json:"explained"`
	// OnSheet and Verified sum the platform tenders'; VerifiedShare is
	// their ratio.
	OnSheet       int     `json:"on_sheet"`
	Verified      int     `json:"verified"`
	VerifiedShare float64 `json:"verified_share"`
}

// Judged is the number of tenders with at least one relevant standard.
func (h Headline) Judged() int { return h.Assessed - h.Classes[ClassNoneRelevant] }

// Explanation is a buyer's explanation for leaving a relevant standard out.
type Explanation struct {
	TenderID    uint      `json:"tender_id"`
	Reference   string    `json:"reference"`
	Title       string    `json:"title"`
	Buyer       string    `json:"buyer"`
	Slug        string    `json:"standard"`
	Explanation string    `json:"explanation"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Monitor is one year's monitor in one scope.
type Monitor struct {
	Year     int       `json:"year"`
	OrgID    uint      `json:"org_id,omitempty"`
	Headline Headline  `json:"headline"`
	Previous *Headline `json:"previous,omitempty"`
	// ShareChange is the change of the headline share since the previous
	// year in percentage points; nil when either year judged nothing.
	ShareChange  *float64      `json:"share_change_points"`
	Tenders      []Tender      `json:"tenders"`
	Standards    []Standard    `json:"standards"`
	Explanations []Explanation `json:"explanations"`
}

// Relevance is the decision table: the profiles, and the engine that
// suggests kinds of ICT from a text.
type Relevance struct {
	profiles []models.Profile
	engine   *docanalysis.Engine
}

// NewRelevance builds the decision table from the catalogue's profiles.
func NewRelevance(profiles []models.Profile) *Relevance {
	return &Relevance{profiles: profiles, engine: docanalysis.New(nil, docanalysis.ProfilesFrom(profiles))}
}

// Kinds are the profile slugs, the kinds of ICT an officer may choose.
func (r *Relevance) Kinds() []string {
	out := make([]string, len(r.profiles))
	for i, p := range r.profiles {
		out[i] = p.Slug
	}
	return out
}

// Relevant returns the standards relevant to kinds, in profile order
// without repeats.
func (r *Relevance) Relevant(kinds []string) []string {
	var out []string
	for _, p := range r.profiles {
		if !slices.Contains(kinds, p.Slug) {
			continue
		}
		for _, it := range p.Items {
			if it.Level == models.LevelMandatory && !slices.Contains(out, it.Standard) {
				out = append(out, it.Standard)
			}
		}
	}
	return out
}

// Suggest suggests the kinds of ICT a platform tender buys: the profiles
// whose mandatory standards are all on its sheet, else those its words
// match.
func (r *Relevance) Suggest(t *models.MonitorTender, sheet []string) []string {
	var applied []string
	for _, p := range r.profiles {
		all, any := true, false
		for _, it := range p.Items {
			if it.Level == models.LevelMandatory {
				any = true
				all = all && slices.Contains(sheet, it.Standard)
			}
		}
		if any && all {
			applied = append(applied, p.Slug)
		}
	}
	if len(applied) > 0 {
		return applied
	}
	doc := &docanalysis.Document{Segments: []docanalysis.Segment{
		{Text: t.Title}, {Text: t.Description}, {Text: strings.Join(t.ScopeTags, ", ")},
	}}
	return r.engine.SuggestProfiles(doc, t.Language)
}

// KindsOf returns a platform tender's kinds and whether they are
// suggested.
func (r *Relevance) KindsOf(t *models.MonitorTender, sheet []string) ([]string, bool) {
	if t.KindsChosen {
		return t.Kinds, false
	}
	return r.Suggest(t, sheet), true
}

// documentResult is the part of a stored analysis the monitor reads.
type documentResult struct {
	Standards []struct {
		Slug   string `json:"slug"`
		Status string `json:"status"`
	} `json:"standards"`
	Relevant []string `json:"relevant"`
	Missing  []string `json:"missing"`
}

// Build turns a year's data (and the previous year's, nil if none) into
// the monitor.
func Build(r *Relevance, d, prev *models.MonitorData) *Monitor {
	m := build(r, d)
	if prev == nil {
		return m
	}
	p := build(r, prev)
	if p.Headline.Assessed > 0 {
		h := p.Headline
		m.Previous = &h
		if m.Headline.Relevant > 0 && h.Relevant > 0 {
			m.ShareChange = points(m.Headline.Share, h.Share)
		}
	}
	before := map[string]Standard{}
	for _, s := range p.Standards {
		before[s.Slug] = s
	}
	for i := range m.Standards {
		s := &m.Standards[i]
		b := before[s.Slug]
		s.PreviousRelevant, s.PreviousRequested = b.Relevant, b.Requested
		if s.Relevant > 0 && b.Relevant > 0 {
			s.Change = points(s.Share(), b.Share())
		}
	}
	return m
}

func build(r *Relevance, d *models.MonitorData) *Monitor {
	m := &Monitor{Year: d.Scope.Year, OrgID: d.Scope.OrgID, Tenders: []Tender{}, Standards: []Standard{}, Explanations: []Explanation{}}
	m.Headline.Classes = map[string]int{}
	for _, c := range Classes {
		m.Headline.Classes[c] = 0
	}
	sheets := map[uint][]string{}
	demanded := map[uint][]string{}
	for _, q := range d.Requirements {
		sheets[q.TenderID] = append(sheets[q.TenderID], q.Slug)
		if q.Level == models.LevelMandatory {
			demanded[q.TenderID] = append(demanded[q.TenderID], q.Slug)
		}
	}
	verified := map[uint]map[string]bool{}
	for _, v := range d.Verified {
		if v.Verdicts > 0 && v.Passed == v.Verdicts {
			if verified[v.TenderID] == nil {
				verified[v.TenderID] = map[string]bool{}
			}
			verified[v.TenderID][v.Slug] = true
		}
	}
	omissions := map[uint]map[string]models.MonitorOmission{}
	for _, o := range d.Omissions {
		if omissions[o.TenderID] == nil {
			omissions[o.TenderID] = map[string]models.MonitorOmission{}
		}
		omissions[o.TenderID][o.Slug] = o
	}
	stds := map[string]*Standard{}
	var order []string
	std := func(slug string) *Standard {
		if s, ok := stds[slug]; ok {
			return s
		}
		stds[slug] = &Standard{Slug: slug}
		order = append(order, slug)
		return stds[slug]
	}

	for i := range d.Tenders {
		t := &d.Tenders[i]
		kinds, suggested := r.KindsOf(t, sheets[t.ID])
		relevant := r.Relevant(kinds)
		row := Tender{Source: SourcePlatform, ID: t.ID, Reference: t.Reference, Title: t.Title, Buyer: t.Buyer,
			BuyerOrgID: t.BuyerOrgID, Date: t.PublishedAt, Kinds: nonNil(kinds), KindsSuggested: suggested}
		split(&row, relevant, func(slug string) bool { return slices.Contains(demanded[t.ID], slug) })
		for _, slug := range row.Missing {
			if o, ok := omissions[t.ID][slug]; ok {
				row.Explained = append(row.Explained, slug)
				m.Explanations = append(m.Explanations, Explanation{TenderID: t.ID, Reference: t.Reference, Title: t.Title,
					Buyer: t.Buyer, Slug: slug, Explanation: o.Explanation, UpdatedAt: o.UpdatedAt.UTC()})
			}
		}
		row.Explained = nonNil(row.Explained)
		row.OnSheet = len(demanded[t.ID])
		for _, slug := range demanded[t.ID] {
			s := std(slug)
			s.OnSheet++
			if verified[t.ID][slug] {
				s.Verified++
				row.Verified++
			}
		}
		m.Headline.Platform++
		m.Headline.OnSheet += row.OnSheet
		m.Headline.Verified += row.Verified
		m.add(&row, std)
	}
	for _, doc := range d.Documents {
		var res documentResult
		_ = json.Unmarshal([]byte(doc.Result), &res)
		requested := map[string]bool{}
		for _, s := range res.Standards {
			if s.Status == "requested" {
				requested[s.Slug] = true
			}
		}
		row := Tender{Source: SourceDocument, ID: doc.ID, Title: doc.Name, Buyer: doc.Buyer, BuyerOrgID: doc.OrgID,
			Date: doc.CreatedAt, Kinds: nonNil(doc.Kinds), Explained: []string{}}
		split(&row, res.Relevant, func(slug string) bool { return requested[slug] && !slices.Contains(res.Missing, slug) })
		m.Headline.Documents++
		m.add(&row, std)
	}
	for _, slug := range order {
		s := stds[slug]
		s.RequestedShare = s.Share()
		m.Standards = append(m.Standards, *s)
	}
	// Most often relevant first, then the least requested: the standards
	// that most need attention lead the table.
	slices.SortStableFunc(m.Standards, func(a, b Standard) int {
		if a.Relevant != b.Relevant {
			return b.Relevant - a.Relevant
		}
		if sa, sb := a.Share(), b.Share(); sa != sb {
			if sa < sb {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Slug, b.Slug)
	})
	h := &m.Headline
	h.Share = ratio(h.Requested, h.Relevant)
	h.VerifiedShare = ratio(h.Verified, h.OnSheet)
	return m
}

// add counts an assessed tender row into the monitor.
func (m *Monitor) add(row *Tender, std func(string) *Standard) {
	h := &m.Headline
	h.Assessed++
	h.Relevant += len(row.Relevant)
	h.Requested += len(row.Requested)
	h.Explained += len(row.Explained)
	h.Classes[row.Class]++
	for _, slug := range row.Relevant {
		std(slug).Relevant++
	}
	for _, slug := range row.Requested {
		std(slug).Requested++
	}
	for _, slug := range row.Explained {
		std(slug).Explained++
	}
	m.Tenders = append(m.Tenders, *row)
}

// split fills the row's relevant, requested and missing standards and its
// class.
func split(row *Tender, relevant []string, requested func(string) bool) {
	row.Relevant, row.Requested, row.Missing = nonNil(slices.Clone(relevant)), []string{}, []string{}
	for _, slug := range relevant {
		if requested(slug) {
			row.Requested = append(row.Requested, slug)
		} else {
			row.Missing = append(row.Missing, slug)
		}
	}
	row.Class = ClassOf(len(row.Relevant), len(row.Requested))
}

// ClassOf is the class of a tender with relevant standards of which
// requested are requested.
func ClassOf(relevant, requested int) string {
	switch {
	case relevant == 0:
		return ClassNoneRelevant
	case requested >= relevant:
		return ClassAll
	case requested == 0:
		return ClassNone
	}
	return ClassSome
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// points is the change from before to now in percentage points, rounded
// to one decimal.
func points(now, before float64) *float64 {
	p := float64(int64((now-before)*1000+sign(now-before)*0.5)) / 10
	return &p
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Load reads and builds the monitor of scope s, compared with the year
// before.
func Load(ctx context.Context, db *gorm.DB, r *Relevance, s models.MonitorScope) (*Monitor, error) {
	d, err := models.LoadMonitor(ctx, db, s)
	if err != nil {
		return nil, err
	}
	prevScope := s
	prevScope.Year--
	prev, err := models.LoadMonitor(ctx, db, prevScope)
	if err != nil {
		return nil, err
	}
	return Build(r, d, prev), nil
}
