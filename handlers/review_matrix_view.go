package handlers

import (
	"tenderprobe/models"
)

// verdictMarks are the symbols next to a verdict's words in the matrix's
// legend; static/review.css puts the same ones before the words in the
// cells (a test keeps the two equal). Colour only repeats them.
var verdictMarks = map[string]string{
	models.VerdictConfirmed:          "✔",
	models.VerdictContradicted:       "✘",
	models.VerdictConsistent:         "≈",
	models.VerdictBetterThanDeclared: "↑",
	models.VerdictInconclusive:       "?",
	models.VerdictAttestationOnly:    "–",
	"":                               "·",
}

// refusesMark marks a vendor's "does not comply" on a mandatory requirement.
const refusesMark = "‼"

// verdictWords are the words of a verdict code in the matrix; a code the
// catalogue does not know (a newer verdict) shows as itself.
func verdictWords(lang string, code string) string {
	if code == "" {
		return messageIn(lang, "review.verdict.none", nil)
	}
	if hasMessage("review.verdict." + code) {
		return messageIn(lang, "review.verdict."+code, nil)
	}
	return code
}

func verdictMark(code string) string {
	if m, ok := verdictMarks[code]; ok {
		return m
	}
	return "•"
}

// answerWords are the words of an answer status ("" is not answered).
func answerWords(lang string, status string) string {
	if status == "" {
		return messageIn(lang, "review.unanswered", nil)
	}
	return messageIn(lang, "answer_status."+status, nil)
}

// reviewWords are the words of a cell's review state.
func reviewWords(lang string, c *models.MatrixCell) string {
	if !c.Submitted {
		return messageIn(lang, "review.state.not_submitted", nil)
	}
	if c.Replied {
		return messageIn(lang, "review.state.replied", nil)
	}
	if hasMessage("review.state." + c.ReviewStatus) {
		return messageIn(lang, "review.state."+c.ReviewStatus, nil)
	}
	return c.ReviewStatus
}

// attestationStatusWords are the words of an attestation's status.
func attestationStatusWords(lang string, status string) string {
	if hasMessage("review.attestation." + status) {
		return messageIn(lang, "review.attestation."+status, nil)
	}
	return status
}

// choice is one option of the matrix's filter and order controls.
type choice struct {
	Value, Label string
	On           bool
}

// legendItem explains one mark or colour of the matrix in words.
type legendItem struct {
	Mark, Class, Words, Meaning string
}

// vendorView is a vendor as the matrix shows it.
type vendorView struct {
	ID          uint
	Name        string
	Status      string
	StatusWords string
	Version     int
	Summary     models.VendorSummary
}

// requirementView is a requirement as the matrix shows it.
type requirementView struct {
	ID       uint
	Position int
	Name     string
	Slug     string
	Level    string
	// LevelWords is the level in the reader's words.
	LevelWords string
}

// cellView is one cell with its words worked out, so the template only
// prints.
type cellView struct {
	AttID, ReqID uint
	// Class colours the cell by verdict ("cell-<verdict>", "" without one).
	Class       string
	Answer      string
	Refuses     bool
	NeedsAccept bool
	Verdict     string
	Review      string
	// Accept offers the accept button; Confirm says accepting will ask for
	// confirmation first (the probes contradict the answer).
	Accept  bool
	Confirm bool
	// Other marks a cell that does not match the filters but shares a row
	// and a column with cells that do.
	Other bool
	// The codes behind the words, for the CSV.
	Status, VerdictCode, ReviewStatus string
	MandatoryNotMet                   bool
}

// matrixRow is one row of the table: a requirement (Req) or, transposed,
// a vendor (Vendor), with its cells in column order.
type matrixRow struct {
	Req    *requirementView
	Vendor *vendorView
	Cells  []cellView
}

// matrixPage is everything the matrix template shows.
type matrixPage struct {
	// Lang is the reader's language, for the table's words.
	Lang       string
	TenderID   uint
	Params     matrixParams
	Query      string
	Transposed bool
	CanReview  bool
	// Confirmed answers a bulk accept would take (over the whole tender).
	Confirmed    int
	Filters      []choice
	Sorts        []choice
	Vendors      []vendorView
	Requirements []requirementView
	Rows         []matrixRow
	// AllVendors and AllRequirements count the unfiltered grid.
	AllVendors      int
	AllRequirements int
	Legend          []legendItem
	ReviewLegend    []legendItem
	RefusesWords    string
	NeedsAcceptText string
}

// buildMatrixPage turns view v into what the template prints, for user u.
func buildMatrixPage(lang string, v *models.MatrixView, p matrixParams, u *models.User) *matrixPage {
	g := v.Grid
	page := &matrixPage{Lang: lang, TenderID: g.Tender.ID, Params: p, Query: p.encode(), Transposed: p.Transposed(),
		CanReview: g.Tender.ManageableBy(u) == nil, Confirmed: g.Confirmed,
		AllVendors: len(g.Vendors), AllRequirements: len(g.Requirements),
		RefusesWords: messageIn(lang, "review.refuses_mandatory", nil), NeedsAcceptText: messageIn(lang, "review.needs_accept", nil)}
	for _, f := range models.MatrixFilters {
		page.Filters = append(page.Filters, choice{Value: f, Label: messageIn(lang, "review.filter."+f, nil), On: p.Query.Has(f)})
	}
	for _, s := range models.MatrixSorts {
		page.Sorts = append(page.Sorts, choice{Value: s, Label: messageIn(lang, "review.sort."+s, nil), On: p.Query.Sort == s})
	}
	for _, code := range append(append([]string{}, models.Verdicts...), "") {
		class := ""
		if code != "" {
			class = "cell-" + code
		}
		page.Legend = append(page.Legend, legendItem{Mark: verdictMark(code), Class: class, Words: verdictWords(lang, code),
			Meaning: optionalMessage(lang, "review.meaning."+legendKey(code))})
	}
	for _, s := range []string{models.ReviewPending, models.ReviewClarification, models.ReviewAccepted} {
		page.ReviewLegend = append(page.ReviewLegend, legendItem{Words: messageIn(lang, "review.state."+s, nil), Meaning: messageIn(lang, "review.meaning."+s, nil)})
	}

	// Whether the user may review a vendor is the attestation's own rule.
	reviewable := make(map[uint]bool, len(v.Vendors))
	page.Vendors = make([]vendorView, len(v.Vendors))
	for i, ven := range v.Vendors {
		a := models.Attestation{ID: ven.AttestationID, TenderID: g.Tender.ID, Status: ven.Status, Tender: g.Tender}
		reviewable[ven.AttestationID] = a.ReviewableBy(u) == nil
		page.Vendors[i] = vendorView{ID: ven.AttestationID, Name: ven.Name, Status: ven.Status,
			StatusWords: attestationStatusWords(lang, ven.Status), Version: ven.Version, Summary: ven.Summary}
	}
	page.Requirements = make([]requirementView, len(v.Requirements))
	for i, j := range v.Requirements {
		r := &g.Requirements[j]
		rv := requirementView{ID: r.ID, Position: r.Position, Level: r.Level, LevelWords: messageIn(lang, "level."+r.Level, nil)}
		if r.Standard != nil {
			rv.Name, rv.Slug = r.Standard.In(lang).Name, r.Standard.Slug
		}
		page.Requirements[i] = rv
	}
	// The same few codes repeat in thousands of cells: look their words up once.
	words := map[string]string{}
	cached := func(kind, code string, f func() string) string {
		k := kind + "\x00" + code
		w, ok := words[k]
		if !ok {
			w = f()
			words[k] = w
		}
		return w
	}
	cell := func(ven *models.MatrixVendor, j int) cellView {
		c := v.Cell(ven, j)
		review := c.ReviewStatus
		switch {
		case !c.Submitted:
			review = "\x00draft"
		case c.Replied:
			review = "\x00replied"
		}
		cv := cellView{AttID: c.AttestationID, ReqID: c.RequirementID,
			Answer:  cached("a", c.Status, func() string { return answerWords(lang, c.Status) }),
			Refuses: c.RefusesMandatory(), NeedsAccept: c.NeedsAccept,
			Verdict: cached("v", c.Verdict, func() string { return verdictWords(lang, c.Verdict) }),
			Review:  cached("r", review, func() string { return reviewWords(lang, c) }),
			Accept:  reviewable[c.AttestationID] && c.Acceptable(),
			Confirm: models.ConfirmBeforeAccept(c.Verdict),
			Other:   p.Query.Filtered() && !c.Matches(p.Query.Only),
			Status:  c.Status, VerdictCode: c.Verdict, ReviewStatus: c.ReviewStatus, MandatoryNotMet: c.MandatoryNotMet()}
		if c.Verdict != "" {
			cv.Class = "cell-" + c.Verdict
		}
		return cv
	}
	if page.Transposed {
		page.Rows = make([]matrixRow, len(v.Vendors))
		for i, ven := range v.Vendors {
			row := matrixRow{Vendor: &page.Vendors[i], Cells: make([]cellView, len(v.Requirements))}
			for k, j := range v.Requirements {
				row.Cells[k] = cell(ven, j)
			}
			page.Rows[i] = row
		}
		return page
	}
	page.Rows = make([]matrixRow, len(v.Requirements))
	for k, j := range v.Requirements {
		row := matrixRow{Req: &page.Requirements[k], Cells: make([]cellView, len(v.Vendors))}
		for i, ven := range v.Vendors {
			row.Cells[i] = cell(ven, j)
		}
		page.Rows[k] = row
	}
	return page
}

// optionalMessage is the words of key, or "" when the catalogue has none
// (a verdict added after this page was written).
func optionalMessage(lang string, key string) string {
	if !hasMessage(key) {
		return ""
	}
	return messageIn(lang, key, nil)
}

// legendKey names the explanation of a verdict code in the legend.
func legendKey(code string) string {
	if code == "" {
		return "none"
	}
	return code
}
