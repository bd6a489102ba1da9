package models

import (
	"context"
	"database/sql"
	"runtime"
	"slices"
	"sort"
	"time"

	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"
)

// TenderReportData is everything the comply-or-explain report of one
// tender shows: the tender with its sheet, every attestation on it with the
// current version's answers (requirement, standard, evidence), scope and
// submissions, and for each attestation the newest finished probe run of
// that version with its verdicts and per-domain results.
type TenderReportData struct {
	Tender       *Tender
	Attestations []Attestation
	// Runs holds, by attestation id, the newest done run of its current
	// version; an attestation without one has never been verified.
	Runs map[uint]ProbeRun
	// Verdicts holds the verdicts of those runs by answer id.
	Verdicts map[uint]Verification
	// Results holds the per-domain probe results of those runs by
	// attestation id, sorted by domain.
	Results map[uint][]ProbeResult
	// Reviews holds the buyer's newest decision comment (accept or
	// clarification) on each answer shown, by answer id.
	Reviews map[uint]ReviewComment
}

// reviewsOf returns the buyer's newest decision comment on each answer of
// atts (of the version loaded), by answer id: one query for them all.
func reviewsOf(ctx context.Context, db *gorm.DB, atts []Attestation) (map[uint]ReviewComment, error) {
	out := map[uint]ReviewComment{}
	type key struct {
		att, req uint
		version  int
	}
	answers := map[key]uint{}
	var ids []uint
	for i := range atts {
		ids = append(ids, atts[i].ID)
		for _, an := range atts[i].Answers {
			answers[key{an.AttestationID, an.RequirementID, an.Version}] = an.ID
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	var cs []ReviewComment
	err := db.WithContext(ctx).Where("attestation_id IN ? AND kind IN ?", ids, []string{CommentAccept, CommentClarification}).
		Order("id").Find(&cs).Error
	if err != nil {
		return nil, wrap(err, "review comments of %d attestations", len(ids))
	}
	for _, c := range cs {
		if id, ok := answers[key{c.AttestationID, c.RequirementID, c.Version}]; ok {
			out[id] = c
		}
	}
	return out, nil
}

// LoadTenderReport gathers the report of tender id with a fixed number of
// queries, however many vendors answered (and one more per reopened
// attestation, for the version it last submitted). It does not check who may see
// the tender; handlers use FindTenderFor first.
func LoadTenderReport(ctx context.Context, db *gorm.DB, id uint) (*TenderReportData, error) {
	t, err := FindTender(ctx, db, id)
	if err != nil {
		return nil, err
	}
	out := &TenderReportData{Tender: t, Runs: map[uint]ProbeRun{}, Verdicts: map[uint]Verification{}, Results: map[uint][]ProbeResult{}}
	q := db.WithContext(ctx).Preload("SupplierOrg").Joins("JOIN orgs ON orgs.id = attestations.supplier_org_id").
		Where("attestations.tender_id = ?", id).Order("orgs.name, attestations.id")
	if err := q.Find(&out.Attestations).Error; err != nil {
		return nil, wrap(err, "tender %d report: attestations", id)
	}
	if err := loadDetails(ctx, db, out.Attestations, detailsFull); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out.Attestations, func(a, b Attestation) int {
		var an, bn string
		if a.SupplierOrg != nil {
			an = a.SupplierOrg.Name
		}
		if b.SupplierOrg != nil {
			bn = b.SupplierOrg.Name
		}
		return CompareNames(an, bn)
	})
	// A comply-or-explain report holds what suppliers declared: the
	// latest submitted version of each attestation, never a draft's
	// answers (nothing declared them; no receipt covers them). A draft
	// never submitted has no answers here; a reopened one, those of the
	// version it last submitted.
	for i := range out.Attestations {
		a := &out.Attestations[i]
		if a.Status == AttestationSubmitted {
			continue
		}
		last := 0
		for _, s := range a.Submissions {
			last = max(last, s.Version)
		}
		if last == 0 {
			a.Answers = nil
			continue
		}
		if err := LoadVersion(ctx, db, a, last); err != nil {
			return nil, err
		}
	}
	if out.Reviews, err = reviewsOf(ctx, db, out.Attestations); err != nil {
		return nil, err
	}
	var runs []ProbeRun
	err = db.WithContext(ctx).Table("probe_runs").Select("probe_runs.*").
		Joins("JOIN attestations a ON a.id = probe_runs.attestation_id AND a.version = probe_runs.version").
		Joins("JOIN (SELECT attestation_id, version, MAX(id) AS id FROM probe_runs WHERE status = ? AND reason <> ? GROUP BY attestation_id, version) latest ON latest.id = probe_runs.id", RunDone, RunReasonSelf).
		Where("a.tender_id = ?", id).Find(&runs).Error
	if err != nil {
		return nil, wrap(err, "tender %d report: probe runs", id)
	}
	if len(runs) == 0 {
		return out, nil
	}
	runIDs := make([]uint, len(runs))
	byRun := make(map[uint]uint, len(runs))
	for i, r := range runs {
		runIDs[i], byRun[r.ID] = r.ID, r.AttestationID
		out.Runs[r.AttestationID] = r
	}
	var vs []Verification
	if err := db.WithContext(ctx).Where("run_id IN ?", runIDs).Order("id").Find(&vs).Error; err != nil {
		return nil, wrap(err, "tender %d report: verdicts", id)
	}
	for _, v := range vs {
		out.Verdicts[v.AnswerID] = v
	}
	var results []ProbeResult
	if err := db.WithContext(ctx).Where("run_id IN ?", runIDs).Order("domain, id").Find(&results).Error; err != nil {
		return nil, wrap(err, "tender %d report: probe results", id)
	}
	for _, r := range results {
		att := byRun[r.RunID]
		out.Results[att] = append(out.Results[att], r)
	}
	return out, nil
}

// AnnualFilter chooses the tenders of an annual report: those published in
// Year (UTC) that Viewer may see. A nil Viewer means every tender, for the
// command line, which has the database in hand anyway.
type AnnualFilter struct {
	Year   int
	Viewer *User
	// Details adds the explanations and the list of tenders; the previous
	// year's comparison only needs the counts.
	Details bool
	// ExplanationTexts and ExplanationPlaces bound the explanations loaded
	// with Details: per standard the most often given texts, and per text
	// the first places it was given. Zero means all. A large year's
	// tens of thousands of explanations are read in full only by
	// EachAnnualExplanation, which streams them.
	ExplanationTexts, ExplanationPlaces int
	// Parts is how many parts the answers are read in, side by side; zero
	// means one per core for a year of annualPartTenders tenders or more
	// listed with Details, else one.
	Parts int
}

// AnnualTender is one tender in the appendix of an annual report.
type AnnualTender struct {
	ID                  uint
	Reference           string
	Title               string
	Buyer               string
	Status              string
	PublishedAt         time.Time
	EstimatedValueCents int64
	Currency            string
	Requirements        int
	Mandatory           int
	Attestations        int
	Submitted           int
}

// AnnualDemand counts the tenders that demanded a standard at a level.
// Translations carry the standard's texts in the other languages, so the
// report can name it in its reader's language.
type AnnualDemand struct {
	Slug         string
	Name         string
	Domain       string
	Level        string
	Tenders      int
	Translations StandardTranslations `gorm:"serializer:json"`
}

// AnnualAnswerCount counts submitted answers to a standard by level, answer
// status and verdict ("" when the answer has no verdict).
type AnnualAnswerCount struct {
	Slug    string
	Level   string
	Status  string
	Verdict string
	N       int
}

// AnnualExplanation is one "explain" answer: a vendor's reason for not
// (fully) complying with a demanded standard.
type AnnualExplanation struct {
	Slug            string
	Standard        string
	Level           string
	TenderID        uint
	TenderReference string
	Supplier        string
	Status          string
	Explanation     string
	PlannedDate     string
	Verdict         string
	// Given is how many answers to the standard gave this explanation
	// word for word (filled in by LoadAnnualReport).
	Given int
}

// AnnualExplained counts one standard's explained answers and the
// different explanations among them.
type AnnualExplained struct {
	Slug    string
	Answers int
	Texts   int
}

// AnnualData is the raw material of an annual comply-or-explain report.
type AnnualData struct {
	Year    int
	Tenders []AnnualTender
	Demand  []AnnualDemand
	Answers []AnnualAnswerCount
	// Explanations are the explanations within the filter's bounds, by
	// standard, the most often given text first; Explained counts them
	// all.
	Explanations []AnnualExplanation
	Explained    []AnnualExplained
	// Verified counts submitted attestations with a finished probe run.
	Verified int
}

// annualTenders limits a query on tenders t to the filter's year and
// viewer. Drafts, withdrawn tenders and superseded revisions are left out:
// a series counts once, with its newest published sheet.
func annualTenders(f AnnualFilter) func(*gorm.DB) *gorm.DB {
	start := time.Date(f.Year, 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(1, 0, 0)
	return func(q *gorm.DB) *gorm.DB {
		q = q.Where("tenders.published_at >= ? AND tenders.published_at < ?", start, end).
			Where("tenders.status NOT IN ?", []string{StatusDraft, StatusWithdrawn}).
			Where("tenders.superseded_at IS NULL")
		if f.Viewer != nil {
			q = visibleTo(f.Viewer)(q)
		}
		return q
	}
}

// latestRunJoin joins each submitted attestation a to the newest done run
// of its current version (alias lr), when there is one; the vendor's
// self-checks (reason "self") are not verifications.
const latestRunJoin = "LEFT JOIN (SELECT attestation_id, version, MAX(id) AS run_id FROM probe_runs WHERE status = 'done' AND reason <> 'self' GROUP BY attestation_id, version) lr " +
	"ON lr.attestation_id = a.id AND lr.version = a.version"

// LoadAnnualReport gathers the counts (and with f.Details the
// explanations and tenders) of the year's comply-or-explain report: the
// demand and the verified attestations with grouped queries, the answers
// in one streamed pass (loadAnnualAnswers). The queries run side by side,
// each on a connection of the pool: db must not be a transaction.
func LoadAnnualReport(ctx context.Context, db *gorm.DB, f AnnualFilter) (*AnnualData, error) {
	out := &AnnualData{Year: f.Year}
	g, gctx := errgroup.WithContext(ctx)
	base := func() *gorm.DB { return db.WithContext(gctx).Table("tenders").Scopes(annualTenders(f)) }
	g.Go(func() error {
		err := base().Select("standards.slug, MAX(standards.name) AS name, MAX(standards.translations) AS translations, MAX(standards.domain) AS domain, requirements.level, COUNT(DISTINCT tenders.id) AS tenders").
			Joins("JOIN requirements ON requirements.tender_id = tenders.id").
			Joins("JOIN standards ON standards.id = requirements.standard_id").
			Group("standards.slug, requirements.level").Order("standards.slug, requirements.level").Scan(&out.Demand).Error
		return wrap(err, "annual report %d: demand", f.Year)
	})
	g.Go(func() error {
		var verified int64
		err := base().Joins("JOIN attestations a ON a.tender_id = tenders.id AND a.status = ?", AttestationSubmitted).
			Joins(latestRunJoin).Where("lr.run_id IS NOT NULL").Count(&verified).Error
		out.Verified = int(verified)
		return wrap(err, "annual report %d: verified attestations", f.Year)
	})
	var fold *annualFold
	if f.Details {
		g.Go(func() error {
			err := loadAnnualTenders(base().WithContext(streamContext(gctx)), out)
			return wrap(err, "annual report %d: tenders", f.Year)
		})
	}
	g.Go(func() error {
		// The answers need only the tenders' order, not the list with its
		// counts: both are read at once.
		order, err := annualTenderOrder(gctx, db, f)
		if err != nil {
			return wrap(err, "annual report %d: tenders' order", f.Year)
		}
		parts := max(f.Parts, 1)
		if f.Parts == 0 && len(order) >= annualPartTenders {
			parts = runtime.GOMAXPROCS(0)
		}
		fold, err = loadAnnualAnswers(gctx, db, f, out, order, parts)
		return wrap(err, "annual report %d: answers", f.Year)
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if fold != nil {
		out.Explanations, out.Explained = fold.result(out.Tenders)
	}
	return out, nil
}

// annualPartTenders is the number of tenders from which the answers are
// read in parts, one per core: below it, a second connection costs more
// than it saves.
const annualPartTenders = 500

// loadAnnualTenders reads the list of the year's tenders (q) into out.
// The counts per tender come from grouped subqueries joined once, not
// four correlated subqueries per tender.
func loadAnnualTenders(q *gorm.DB, out *AnnualData) error {
	rows, err := q.Select("tenders.id, tenders.reference, tenders.title, orgs.name, tenders.status, tenders.published_at, "+
		"tenders.estimated_value_cents, tenders.currency, COALESCE(rq.n, 0), COALESCE(rq.mandatory, 0), COALESCE(at.n, 0), COALESCE(at.submitted, 0)").
		Joins("JOIN orgs ON orgs.id = tenders.buyer_org_id").
		Joins("LEFT JOIN (SELECT tender_id, COUNT(*) AS n, SUM(CASE WHEN level = ? THEN 1 ELSE 0 END) AS mandatory FROM requirements GROUP BY tender_id) rq ON rq.tender_id = tenders.id", LevelMandatory).
		Joins("LEFT JOIN (SELECT tender_id, COUNT(*) AS n, SUM(CASE WHEN status = ? THEN 1 ELSE 0 END) AS submitted FROM attestations GROUP BY tender_id) at ON at.tender_id = tenders.id", AttestationSubmitted).
		Order("tenders.published_at, tenders.id").Rows()
	if err != nil {
		return err
	}
	return scanAll(rows, func() error {
		var t AnnualTender
		if err := rows.Scan(&t.ID, &t.Reference, &t.Title, &t.Buyer, &t.Status, &t.PublishedAt, &t.EstimatedValueCents, &t.Currency,
			&t.Requirements, &t.Mandatory, &t.Attestations, &t.Submitted); err != nil {
			return err
		}
		out.Tenders = append(out.Tenders, t)
		return nil
	})
}

// explanations is the query of the year's explained answers: every
// submitted answer other than "complies" that carries an explanation, with
// its tender, supplier, standard and verdict.
func explanations(ctx context.Context, db *gorm.DB, f AnnualFilter) *gorm.DB {
	return db.WithContext(ctx).Table("tenders").Scopes(annualTenders(f)).
		Joins("JOIN attestations a ON a.tender_id = tenders.id AND a.status = ?", AttestationSubmitted).
		Joins("JOIN orgs ON orgs.id = a.supplier_org_id").
		Joins("JOIN answers ON answers.attestation_id = a.id AND answers.version = a.version").
		Joins("JOIN requirements ON requirements.id = answers.requirement_id").
		Joins("JOIN standards ON standards.id = requirements.standard_id").
		Joins(latestRunJoin).
		Joins("LEFT JOIN verifications v ON v.run_id = lr.run_id AND v.answer_id = answers.id").
		Where("answers.status <> ? AND answers.status <> '' AND answers.explanation <> ''", AnswerComplies)
}

// explanationColumns are an explained answer's columns, in the order
// scanExplanation reads them.
const explanationColumns = "standards.slug, standards.name, requirements.level, tenders.id, tenders.reference, orgs.name, answers.status, " +
	"answers.explanation, answers.planned_date, COALESCE(v.status, '')"

// EachAnnualExplanation calls fn with every explained answer of the
// year f describes, by standard, explanation and tender, streamed from
// the database: a large year's list never sits in memory. fn must not keep
// the value it is given.
func EachAnnualExplanation(ctx context.Context, db *gorm.DB, f AnnualFilter, fn func(*AnnualExplanation) error) error {
	rows, err := explanations(streamContext(ctx), db, f).Select(explanationColumns).
		Order("standards.slug, answers.explanation, tenders.published_at, tenders.id, orgs.name").Rows()
	if err != nil {
		return wrap(err, "annual report %d: explanations", f.Year)
	}
	sc := newExplanationScanner()
	n := 0
	err = scanAll(rows, func() error {
		if n++; n%streamCheck == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		e, err := sc.scan(rows)
		if err != nil {
			return err
		}
		return fn(e)
	})
	return wrap(err, "annual report %d: explanations", f.Year)
}

// explanationScanner reads explained answers by hand, keeping the texts
// that repeat (names, codes, explanations) once.
type explanationScanner struct {
	raw  [10]sql.RawBytes
	id   uint
	dest []any
	seen map[string]string
	e    AnnualExplanation
}

func newExplanationScanner() *explanationScanner {
	s := &explanationScanner{seen: map[string]string{}}
	s.dest = make([]any, len(s.raw))
	for i := range s.raw {
		s.dest[i] = &s.raw[i]
	}
	s.dest[3] = &s.id
	return s
}

func (s *explanationScanner) once(b []byte) string {
	if k, ok := s.seen[string(b)]; ok {
		return k
	}
	k := string(b)
	s.seen[k] = k
	return k
}

// scan reads the current row; the value is overwritten by the next.
func (s *explanationScanner) scan(rows *sql.Rows) (*AnnualExplanation, error) {
	if err := rows.Scan(s.dest...); err != nil {
		return nil, err
	}
	r := &s.raw
	s.e = AnnualExplanation{
		Slug: s.once(r[0]), Standard: s.once(r[1]), Level: s.once(r[2]), TenderID: s.id,
		TenderReference: s.once(r[4]), Supplier: s.once(r[5]),
		Status: s.once(r[6]), Explanation: s.once(r[7]), PlannedDate: s.once(r[8]), Verdict: s.once(r[9]),
	}
	return &s.e, nil
}

// scanAll calls scan for each row of rows and closes them.
func scanAll(rows *sql.Rows, scan func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := scan(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ReportYears returns the years in which tenders viewer may see were
// published, newest first: the choices of the annual report form.
func ReportYears(ctx context.Context, db *gorm.DB, viewer *User) ([]int, error) {
	var dates []time.Time
	q := db.WithContext(ctx).Model(&Tender{}).Where("published_at IS NOT NULL")
	if viewer != nil {
		q = q.Scopes(visibleTo(viewer))
	}
	if err := q.Pluck("published_at", &dates).Error; err != nil {
		return nil, wrap(err, "report years")
	}
	seen := map[int]bool{}
	var years []int
	for _, d := range dates {
		if y := d.UTC().Year(); !seen[y] {
			seen[y] = true
			years = append(years, y)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(years)))
	return years, nil
}

// RecordPublication sets when tender id was published, for a tender whose
// history is recorded after the fact (the demo's past years) rather than
// published through PublishTender today. The tender must be published
// already; its sheet stays as it is.
func RecordPublication(ctx context.Context, db *gorm.DB, id uint, at time.Time) error {
	res := db.WithContext(ctx).Model(&Tender{}).Where("id = ? AND status <> ?", id, StatusDraft).Update("published_at", at.UTC())
	if res.Error != nil {
		return wrap(res.Error, "record publication of tender %d", id)
	}
	if res.RowsAffected != 1 {
		return wrap(ErrNotFound, "record publication of tender %d: not a published tender", id)
	}
	return nil
}
