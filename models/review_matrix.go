package models

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The review matrix at scale: every vendor's current answers to a tender,
// with the newest verdict on each and a summary per vendor, loaded with one
// query per kind of record however many vendors answered, then filtered
// and sorted in memory.

// Filters of the review matrix (MatrixQuery.Only).
const (
	// OnlyContradicted keeps the answers the probes contradict.
	OnlyContradicted = "contradicted"
	// OnlyMandatoryNotMet keeps the mandatory requirements a vendor has not met.
	OnlyMandatoryNotMet = "mandatory_not_met"
	// OnlyAwaiting keeps the submitted answers awaiting the officer's review.
	OnlyAwaiting = "awaiting"
)

// MatrixFilters lists the filters in the order the page offers them.
var MatrixFilters = []string{OnlyContradicted, OnlyMandatoryNotMet, OnlyAwaiting}

// Orders of the vendors in the review matrix (MatrixQuery.Sort); a leading
// "-" reverses one.
const (
	SortName         = "name"
	SortMandatoryMet = "mandatory_met"
	SortContradicted = "contradicted"
)

// MatrixSorts lists the orders the page offers, each ascending and
// descending ("-" prefix).
var MatrixSorts = []string{SortName, "-" + SortName, "-" + SortMandatoryMet, SortMandatoryMet, "-" + SortContradicted, SortContradicted}

// MatrixCell is one vendor's current answer to one requirement.
type MatrixCell struct {
	AttestationID uint
	RequirementID uint
	// AnswerID is 0 when the vendor has no answer row (a requirement added
	// to the sheet after the attestation began cannot happen once published,
	// but the matrix does not rely on it).
	AnswerID     uint
	Status       string
	ReviewStatus string
	// Verdict is the newest shown probe run's verdict on the answer (a done
	// run's, or a not_measured run's when none measured), "" when
	// no run of the vendor's current version has finished.
	Verdict string
	// Replied says the vendor answered the clarification asked (its
	// newest comment is their reply): it waits for the officer.
	Replied bool
	// Mandatory and Submitted are copied from the requirement and the
	// attestation so a cell's rules need nothing else.
	Mandatory bool
	Submitted bool
	// NeedsAccept is kept for the JSON API: a mandatory requirement
	// answered not applicable that the officer has not accepted yet.
	NeedsAccept bool
}

// Met reports whether the cell meets its requirement: the vendor complies
// and the probes do not contradict it.
func (c *MatrixCell) Met() bool {
	return c.Status == AnswerComplies && c.Verdict != VerdictContradicted
}

// MandatoryNotMet reports whether a mandatory requirement is not met.
func (c *MatrixCell) MandatoryNotMet() bool { return c.Mandatory && !c.Met() }

// RefusesMandatory reports whether the vendor says it does not comply
// with a mandatory requirement: the matrix marks these apart.
func (c *MatrixCell) RefusesMandatory() bool {
	return c.Mandatory && c.Status == AnswerDoesNotComply
}

// Explained reports whether the answer explains instead of complying.
func (c *MatrixCell) Explained() bool {
	return c.Status == AnswerPartial || c.Status == AnswerDoesNotComply || c.Status == AnswerNotApplicable
}

// Contradicted reports whether the probes contradict the answer.
func (c *MatrixCell) Contradicted() bool { return c.Verdict == VerdictContradicted }

// Awaiting reports whether a submitted answer awaits the officer's review.
func (c *MatrixCell) Awaiting() bool {
	return c.Submitted && c.Status != "" && c.ReviewStatus == ReviewPending
}

// Open reports whether the answer is not settled yet: not accepted by the
// officer (awaiting review, clarification asked, or not even submitted).
func (c *MatrixCell) Open() bool { return c.ReviewStatus != ReviewAccepted }

// Acceptable reports whether the officer can accept the answer from the
// matrix: it is submitted, answered and not accepted yet. Whether this
// officer may is (*Attestation).ReviewableBy.
func (c *MatrixCell) Acceptable() bool {
	return c.Submitted && c.Status != "" && c.ReviewStatus != ReviewAccepted
}

// BulkAcceptable reports whether a bulk accept takes the answer: the
// probes confirmed it and it awaits review.
func (c *MatrixCell) BulkAcceptable() bool {
	return c.Verdict == VerdictConfirmed && c.Awaiting()
}

// Matches reports whether the cell passes every filter in only.
func (c *MatrixCell) Matches(only []string) bool {
	for _, f := range only {
		switch f {
		case OnlyContradicted:
			if !c.Contradicted() {
				return false
			}
		case OnlyMandatoryNotMet:
			if !c.MandatoryNotMet() {
				return false
			}
		case OnlyAwaiting:
			if !c.Awaiting() {
				return false
			}
		}
	}
	return true
}

// VendorSummary counts one vendor's answers for the matrix.
type VendorSummary struct {
	// Mandatory is the number of mandatory requirements; MandatoryMet of
	// them are met (complies, not contradicted by the probes).
	Mandatory    int
	MandatoryMet int
	// Contradicted answers, at any level.
	Contradicted int
	// Open answers are not accepted yet.
	Open int
	// Explained answers are partial, does not comply or not applicable.
	Explained int
	// Confirmed answers the probes confirmed that await review: what a
	// bulk accept would take.
	Confirmed int
}

// MatrixVendor is one attestation of the tender, a column of the matrix.
type MatrixVendor struct {
	AttestationID uint
	SupplierOrgID uint
	Name          string
	Status        string
	Version       int
	// Index is the vendor's place in MatrixGrid.Vendors, whose Cells it
	// names, whatever order a view puts it in.
	Index   int
	Summary VendorSummary
}

// Submitted reports whether the vendor's current version is submitted.
func (v *MatrixVendor) Submitted() bool { return v.Status == AttestationSubmitted }

// MatrixGrid is every vendor's answers to every requirement of a tender.
type MatrixGrid struct {
	Tender       *Tender
	Requirements []Requirement
	Vendors      []MatrixVendor
	// Cells[v][r] is vendor v's answer to requirement r, in the order of
	// Vendors and Requirements.
	Cells [][]MatrixCell
	// Confirmed is the number of answers a bulk accept would take.
	Confirmed int
}

// LoadMatrixGrid returns the review matrix of tender tenderID for viewer,
// who must see the tender (ErrNotFound) and may read all its answers
// (Tender.AnswersReadableBy). It runs a fixed number of queries: the
// tender with its sheet, the attestations with their suppliers, the
// current answers and the newest verdicts.
func LoadMatrixGrid(ctx context.Context, db *gorm.DB, viewer *User, tenderID uint) (*MatrixGrid, error) {
	t, err := FindTenderFor(ctx, db, viewer, tenderID)
	if err != nil {
		return nil, err
	}
	if err := t.AnswersReadableBy(viewer); err != nil {
		return nil, wrap(err, "review matrix of tender %d", tenderID)
	}
	g := &MatrixGrid{Tender: t, Requirements: t.Requirements}
	var vendors []struct {
		ID            uint
		SupplierOrgID uint
		Name          string
		Status        string
		Version       int
	}
	err = db.WithContext(ctx).Table("attestations").
		Select("attestations.id, attestations.supplier_org_id, orgs.name, attestations.status, attestations.version").
		Joins("JOIN orgs ON orgs.id = attestations.supplier_org_id").
		Where("attestations.tender_id = ?", tenderID).Scopes(attestationsVisibleTo(viewer)).
		Order("orgs.name, attestations.id").Scan(&vendors).Error
	if err != nil {
		return nil, wrap(err, "review matrix of tender %d: vendors", tenderID)
	}
	reqIdx := make(map[uint]int, len(g.Requirements))
	for i, r := range g.Requirements {
		reqIdx[r.ID] = i
	}
	venIdx := make(map[uint]int, len(vendors))
	g.Vendors = make([]MatrixVendor, len(vendors))
	g.Cells = make([][]MatrixCell, len(vendors))
	for i, v := range vendors {
		venIdx[v.ID] = i
		g.Vendors[i] = MatrixVendor{AttestationID: v.ID, SupplierOrgID: v.SupplierOrgID, Name: v.Name, Status: v.Status, Version: v.Version, Index: i}
		row := make([]MatrixCell, len(g.Requirements))
		for j, r := range g.Requirements {
			row[j] = MatrixCell{AttestationID: v.ID, RequirementID: r.ID, ReviewStatus: ReviewPending,
				Mandatory: r.Mandatory(), Submitted: v.Status == AttestationSubmitted}
		}
		g.Cells[i] = row
	}
	if len(vendors) == 0 {
		return g, nil
	}
	cellOf := func(attID, reqID uint) *MatrixCell {
		i, ok := venIdx[attID]
		j, ok2 := reqIdx[reqID]
		if !ok || !ok2 {
			return nil
		}
		return &g.Cells[i][j]
	}
	// The cells come as one row per vendor, each cell packed into a string
	// by the database: at 200 vendors by 40 requirements that is 200 rows
	// instead of 16,000, and the SQLite driver's per-column cost (a cgo
	// call each) was most of the page's time.
	rows, err := db.WithContext(ctx).Table("answers").
		Select("answers.attestation_id, "+aggregate(db, "answers.requirement_id || ' ' || answers.id || ' ' || answers.status || ' ' || answers.review_status")).
		Joins("JOIN attestations ON attestations.id = answers.attestation_id AND attestations.version = answers.version").
		Where("attestations.tender_id = ?", tenderID).Group("answers.attestation_id").Rows()
	if err != nil {
		return nil, wrap(err, "review matrix of tender %d: answers", tenderID)
	}
	err = scanCells(rows, cellOf, func(c *MatrixCell, f []string) error {
		id, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil || len(f) != 3 {
			return fmt.Errorf("answer cell %q", f)
		}
		status, review := f[1], f[2]
		c.AnswerID, c.Status, c.ReviewStatus = uint(id), status, review
		c.NeedsAccept = c.Mandatory && status == AnswerNotApplicable && review != ReviewAccepted
		return nil
	})
	if err != nil {
		return nil, wrap(err, "review matrix of tender %d: answers", tenderID)
	}
	// The verdicts of each attestation's newest shown run, as
	// TenderVerdicts reads them.
	rows, err = db.WithContext(ctx).Table("verifications v").
		Select("v.attestation_id, "+aggregate(db, "v.requirement_id || ' ' || v.status")).
		Where("v.run_id IN (?)", newestShownRuns(db).Where("ra.tender_id = ?", tenderID)).
		Group("v.attestation_id").Rows()
	if err != nil {
		return nil, wrap(err, "review matrix of tender %d: verdicts", tenderID)
	}
	err = scanCells(rows, cellOf, func(c *MatrixCell, f []string) error {
		if len(f) != 1 {
			return fmt.Errorf("verdict cell %q", f)
		}
		c.Verdict = f[0]
		return nil
	})
	if err != nil {
		return nil, wrap(err, "review matrix of tender %d: verdicts", tenderID)
	}
	// The clarifications the vendor has answered wait for the officer.
	attIDs := make([]uint, len(g.Vendors))
	for i := range g.Vendors {
		attIDs[i] = g.Vendors[i].AttestationID
	}
	replied, err := RepliedClarifications(ctx, db, attIDs)
	if err != nil {
		return nil, err
	}
	for k := range replied {
		if c := cellOf(k.AttestationID, k.RequirementID); c != nil {
			c.Replied = true
		}
	}
	for i := range g.Vendors {
		s := &g.Vendors[i].Summary
		for j := range g.Cells[i] {
			c := &g.Cells[i][j]
			if c.Mandatory {
				s.Mandatory++
				if c.Met() {
					s.MandatoryMet++
				}
			}
			if c.Contradicted() {
				s.Contradicted++
			}
			if c.Open() {
				s.Open++
			}
			if c.Explained() {
				s.Explained++
			}
			if c.BulkAcceptable() {
				s.Confirmed++
			}
		}
		g.Confirmed += s.Confirmed
	}
	return g, nil
}

// aggregate is the SQL that joins the values of expr of a group into one
// string, separated by ";" (the values hold no ";": ids and codes).
func aggregate(db *gorm.DB, expr string) string {
	if db.Name() == "postgres" {
		return "STRING_AGG(" + expr + ", ';')"
	}
	return "GROUP_CONCAT(" + expr + ", ';')"
}

// scanCells reads rows of (attestation id, packed cells), each cell
// "requirement id field...", and hands the fields of each to set with
// its cell (cells of no requirement on the grid are skipped).
func scanCells(rows *sql.Rows, cell func(attID, reqID uint) *MatrixCell, set func(c *MatrixCell, fields []string) error) error {
	defer rows.Close()
	var (
		attID  uint
		packed string
	)
	for rows.Next() {
		if err := rows.Scan(&attID, &packed); err != nil {
			return err
		}
		for one := range strings.SplitSeq(packed, ";") {
			f := strings.Split(one, " ")
			reqID, err := strconv.ParseUint(f[0], 10, 64)
			if err != nil {
				return fmt.Errorf("cell %q: %w", one, err)
			}
			if c := cell(attID, uint(reqID)); c != nil {
				if err := set(c, f[1:]); err != nil {
					return err
				}
			}
		}
	}
	return rows.Err()
}

// MatrixQuery is what the officer asked the matrix to show: filters
// (every one must hold for a cell to match) and an order of the vendors.
type MatrixQuery struct {
	Only []string
	// Sort is one of MatrixSorts; "" is by name.
	Sort string
}

// ParseMatrixQuery keeps the known filters (once each, in MatrixFilters
// order) and a known order, dropping anything else, so whatever a URL
// holds the query is one the page can show and link to.
func ParseMatrixQuery(only []string, sort string) MatrixQuery {
	q := MatrixQuery{Sort: SortName}
	for _, f := range MatrixFilters {
		if slices.Contains(only, f) {
			q.Only = append(q.Only, f)
		}
	}
	if slices.Contains(MatrixSorts, sort) {
		q.Sort = sort
	}
	return q
}

// Filtered reports whether any filter is chosen.
func (q MatrixQuery) Filtered() bool { return len(q.Only) > 0 }

// Has reports whether filter f is chosen.
func (q MatrixQuery) Has(f string) bool { return slices.Contains(q.Only, f) }

// MatrixView is the part of a grid a query shows: the vendors with at
// least one matching cell, in the query's order, and the requirements with
// at least one, in sheet order. Without filters that is everything.
type MatrixView struct {
	Grid         *MatrixGrid
	Query        MatrixQuery
	Vendors      []*MatrixVendor
	Requirements []int
}

// View applies q to g.
func (g *MatrixGrid) View(q MatrixQuery) *MatrixView {
	v := &MatrixView{Grid: g, Query: q}
	keepReq := make([]bool, len(g.Requirements))
	for i := range g.Vendors {
		hit := false
		for j := range g.Cells[i] {
			if g.Cells[i][j].Matches(q.Only) {
				hit, keepReq[j] = true, true
			}
		}
		if hit || (!q.Filtered() && len(g.Requirements) == 0) {
			v.Vendors = append(v.Vendors, &g.Vendors[i])
		}
	}
	for j, keep := range keepReq {
		if keep {
			v.Requirements = append(v.Requirements, j)
		}
	}
	key, desc := strings.CutPrefix(q.Sort, "-")
	slices.SortStableFunc(v.Vendors, func(a, b *MatrixVendor) int {
		var c int
		switch key {
		case SortMandatoryMet:
			c = cmp.Compare(a.Summary.MandatoryMet, b.Summary.MandatoryMet)
		case SortContradicted:
			c = cmp.Compare(a.Summary.Contradicted, b.Summary.Contradicted)
		}
		if c == 0 {
			// Ties, and the name order itself, go by name then id, so the
			// order is the same on every load.
			c = cmp.Or(CompareNames(a.Name, b.Name), cmp.Compare(a.AttestationID, b.AttestationID))
			if key != SortName {
				return c
			}
		}
		if desc {
			return -c
		}
		return c
	})
	return v
}

// Cell returns vendor v's answer to the requirement at index j of the grid.
func (v *MatrixView) Cell(vendor *MatrixVendor, j int) *MatrixCell {
	return &v.Grid.Cells[vendor.Index][j]
}

// BulkAcceptConfirmed accepts, in one transaction, every answer to tender
// tenderID that the newest done probe run of its vendor's current version
// confirmed and that still awaits review, on behalf of by, who must manage
// the tender (Attestation.ReviewableBy). Each accept writes what a single
// accept writes (recordReview). It returns how many were accepted.
func BulkAcceptConfirmed(ctx context.Context, db *gorm.DB, by *User, tenderID uint, now time.Time) (int, error) {
	t, err := FindTenderFor(ctx, db, by, tenderID)
	if err != nil {
		return 0, err
	}
	if err := t.ManageableBy(by); err != nil {
		return 0, wrap(err, "bulk accept on tender %d", tenderID)
	}
	n := 0
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var atts []Attestation
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("tender_id = ? AND status = ?", tenderID, AttestationSubmitted).
			Order("id").Find(&atts).Error; err != nil {
			return wrap(err, "bulk accept on tender %d: attestations", tenderID)
		}
		byID := make(map[uint]*Attestation, len(atts))
		for i := range atts {
			atts[i].Tender = t
			if err := atts[i].ReviewableBy(by); err != nil {
				return wrap(err, "bulk accept: attestation %d", atts[i].ID)
			}
			byID[atts[i].ID] = &atts[i]
		}
		var answers []Answer
		err := tx.Table("answers").Select("answers.*").
			Joins("JOIN attestations a ON a.id = answers.attestation_id AND a.version = answers.version").
			Joins("JOIN verifications v ON v.answer_id = answers.id").
			Where("a.tender_id = ? AND a.status = ? AND answers.review_status = ? AND answers.status <> '' AND v.status = ?",
				tenderID, AttestationSubmitted, ReviewPending, VerdictConfirmed).
			Where("v.run_id IN (?)", newestDoneRuns(tx).Where("ra.tender_id = ?", tenderID)).
			Order("answers.attestation_id, answers.id").Find(&answers).Error
		if err != nil {
			return wrap(err, "bulk accept on tender %d: confirmed answers", tenderID)
		}
		records := make([]reviewRecord, 0, len(answers))
		for i := range answers {
			if a := byID[answers[i].AttestationID]; a != nil {
				records = append(records, newReviewRecord(by, a, &answers[i], "accept", "", now))
			}
		}
		n = len(records)
		return writeReviews(tx, by, records, now)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// ReviewEvidence is what the officer sees before accepting an answer the
// probes contradict: the answer, its vendor and the verdict with its checks.
type ReviewEvidence struct {
	Attestation *Attestation
	Answer      *Answer
	// Verification is the newest verdict, nil when none.
	Verification *Verification
}

// FindReviewEvidence returns the evidence behind the answer to requirement
// reqID of attestation attID, for a viewer who may see the attestation.
func FindReviewEvidence(ctx context.Context, db *gorm.DB, viewer *User, attID, reqID uint) (*ReviewEvidence, error) {
	a, err := FindAttestationFor(ctx, db, viewer, attID)
	if err != nil {
		return nil, err
	}
	out := &ReviewEvidence{Attestation: a}
	for i := range a.Answers {
		if a.Answers[i].RequirementID == reqID {
			out.Answer = &a.Answers[i]
		}
	}
	if out.Answer == nil {
		return nil, wrap(ErrNotFound, "attestation %d: answer to requirement %d", attID, reqID)
	}
	vs, err := LatestVerifications(ctx, db, a.ID, a.Version)
	if err != nil {
		return nil, err
	}
	if v, ok := vs[out.Answer.ID]; ok {
		out.Verification = &v
	}
	return out, nil
}
