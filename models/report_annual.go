package models

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"
)

// loadAnnualAnswers reads every submitted answer of the year f describes
// once, streamed, and folds the rows in Go: the counts per standard,
// level, status and verdict (out.Answers) and, with f.Details, the
// explanations within f's bounds (out.Explanations) and their counts
// (out.Explained). Grouping and ranking in the database sorted the year's
// answers two and four times over (GROUP BY, then windows over the
// explained answers): on 200,000 answers that sorting cost more than the
// join itself. The tenders are read in parts (by id modulo parts), each
// on its own connection, whose folds are added up: a large year uses
// every core the process has.
//
// The places of an explanation are its answers in the order of the
// appendix (tenders by publication, then id: order), vendors by name
// within a tender. With f.Details it returns the fold of the explanations,
// whose result names the tenders of out.Tenders.
func loadAnnualAnswers(ctx context.Context, db *gorm.DB, f AnnualFilter, out *AnnualData, order map[uint]int, parts int) (*annualFold, error) {
	slugs, err := standardNames(ctx, db)
	if err != nil {
		return nil, err
	}
	var suppliers map[uint]string
	if f.Details {
		if suppliers, err = supplierNames(ctx, db, f); err != nil {
			return nil, err
		}
	}
	parts = max(parts, 1)
	passes := make([]*annualPass, parts)
	g, gctx := errgroup.WithContext(ctx)
	for i := range passes {
		p := &annualPass{slugs: slugs, counts: map[answerCount]int{}, codes: map[string]answerCode{}, dates: map[string]string{}}
		if f.Details {
			p.fold = newAnnualFold(f, order, suppliers)
		}
		passes[i] = p
		g.Go(func() error { return p.read(gctx, db, f, i, parts) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	all := passes[0]
	for _, p := range passes[1:] {
		all.add(p)
	}
	out.Answers = make([]AnnualAnswerCount, 0, len(all.counts))
	for k, n := range all.counts {
		out.Answers = append(out.Answers, AnnualAnswerCount{Slug: k.slug, Level: k.level, Status: k.status, Verdict: k.verdict, N: n})
	}
	slices.SortFunc(out.Answers, func(x, y AnnualAnswerCount) int {
		return cmp.Or(cmp.Compare(x.Slug, y.Slug), cmp.Compare(x.Level, y.Level), cmp.Compare(x.Status, y.Status), cmp.Compare(x.Verdict, y.Verdict))
	})
	return all.fold, nil
}

// annualTenderOrder maps the year's tenders to their places in the
// appendix (by publication, then id): the ids alone, so the answers can
// be read while the tender list with its counts is.
func annualTenderOrder(ctx context.Context, db *gorm.DB, f AnnualFilter) (map[uint]int, error) {
	var ids []uint
	err := db.WithContext(ctx).Table("tenders").Scopes(annualTenders(f)).Order("tenders.published_at, tenders.id").Pluck("tenders.id", &ids).Error
	if err != nil {
		return nil, err
	}
	out := make(map[uint]int, len(ids))
	for i, id := range ids {
		out[id] = i
	}
	return out, nil
}

// streamContext is ctx without its cancellation, for a query that reads
// many rows: with a context that can be cancelled, the go-sqlite3 driver
// starts a goroutine and a channel for every row it reads (to interrupt a
// slow step), which on 200,000 rows costs as much as the query. The
// reader checks ctx itself every streamCheck rows instead.
func streamContext(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// streamCheck is how many rows a streamed read takes between looks at
// its context.
const streamCheck = 4096

// answerCount is the key the answers are counted by.
type answerCount struct {
	slug string
	answerCode
}

// annualPass is what one part of the year's answers adds up to.
type annualPass struct {
	slugs  map[uint]standardName
	counts map[answerCount]int
	fold   *annualFold // nil without details
	// codes and dates keep each code and planned date once.
	codes map[string]answerCode
	dates map[string]string
}

// read streams the answers of part (of parts) of the year's tenders. A row
// carries the standard, and its level, status and verdict in one text
// (the go-sqlite3 driver makes two or three cgo calls per column); only
// an explained answer brings its place and words, a NULL costs one call.
func (p *annualPass) read(ctx context.Context, db *gorm.DB, f AnnualFilter, part, parts int) error {
	extras := "NULL, NULL, NULL, NULL"
	var args []any
	if p.fold != nil {
		explained := "CASE WHEN answers.status <> ? AND answers.status <> '' AND answers.explanation <> '' THEN "
		extras = explained + "a.tender_id END, " + explained + "a.supplier_org_id END, " +
			explained + "answers.explanation END, " + explained + "answers.planned_date END"
		args = []any{AnswerComplies, AnswerComplies, AnswerComplies, AnswerComplies}
	}
	q := db.WithContext(ctx).Table("tenders").Scopes(annualTenders(f)).
		Select("requirements.standard_id, requirements.level || '/' || answers.status || '/' || COALESCE(v.status, ''), "+extras, args...).
		Joins("JOIN attestations a ON a.tender_id = tenders.id AND a.status = ?", AttestationSubmitted).
		Joins("JOIN answers ON answers.attestation_id = a.id AND answers.version = a.version").
		Joins("JOIN requirements ON requirements.id = answers.requirement_id").
		Joins(latestRunJoin).
		Joins("LEFT JOIN verifications v ON v.run_id = lr.run_id AND v.answer_id = answers.id")
	if parts > 1 {
		q = q.Where("tenders.id % ? = ?", parts, part)
	}
	rows, err := q.WithContext(streamContext(ctx)).Rows()
	if err != nil {
		return err
	}
	var (
		standard, tender, supplier rowID
		code, explanation, planned sql.RawBytes
	)
	n := 0
	return scanAll(rows, func() error {
		if n++; n%streamCheck == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if err := rows.Scan(&standard, &code, &tender, &supplier, &explanation, &planned); err != nil {
			return err
		}
		c, ok := p.codes[string(code)]
		if !ok {
			c = parseAnswerCode(string(code))
			p.codes[string(code)] = c
		}
		s := p.slugs[uint(standard)]
		p.counts[answerCount{s.Slug, c}]++
		if p.fold != nil && len(explanation) > 0 {
			date, ok := p.dates[string(planned)]
			if !ok {
				date = string(planned)
				p.dates[date] = date
			}
			p.fold.add(s, c, uint(tender), uint(supplier), explanation, date)
		}
		return nil
	})
}

// add adds the counts and explanations of q to p.
func (p *annualPass) add(q *annualPass) {
	for k, n := range q.counts {
		p.counts[k] += n
	}
	if p.fold != nil {
		p.fold.merge(q.fold)
	}
}

// answerCode is an answer's level, status and verdict.
type answerCode struct{ level, status, verdict string }

// parseAnswerCode splits "level/status/verdict" (no code has a slash).
func parseAnswerCode(s string) answerCode {
	level, rest, _ := strings.Cut(s, "/")
	status, verdict, _ := strings.Cut(rest, "/")
	return answerCode{level, status, verdict}
}

// standardName is a standard's slug and name.
type standardName struct {
	ID         uint
	Slug, Name string
}

// standardNames maps every standard's id to its slug and name: the
// catalogue, a few hundred rows however large the year.
func standardNames(ctx context.Context, db *gorm.DB) (map[uint]standardName, error) {
	var rows []standardName
	if err := db.WithContext(ctx).Table("standards").Select("id, slug, name").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[uint]standardName, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// supplierNames maps the suppliers with a submitted attestation on the
// year's tenders to their names.
func supplierNames(ctx context.Context, db *gorm.DB, f AnnualFilter) (map[uint]string, error) {
	var rows []struct {
		ID   uint
		Name string
	}
	err := db.WithContext(ctx).Table("tenders").Scopes(annualTenders(f)).Distinct("orgs.id, orgs.name").
		Joins("JOIN attestations a ON a.tender_id = tenders.id AND a.status = ?", AttestationSubmitted).
		Joins("JOIN orgs ON orgs.id = a.supplier_org_id").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make(map[uint]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// annualPlace is one answer that gave an explanation: where it was given.
type annualPlace struct {
	rank     int // the tender's place in the appendix
	tender   uint
	supplier uint
	answerCode
	planned string
}

// annualText is one explanation of one standard: how often it was given
// and its first places.
type annualText struct {
	standard standardName
	text     string
	given    int
	places   []annualPlace
}

// annualFold collects the explanations of a year as its answers stream by.
type annualFold struct {
	texts, places int
	order         map[uint]int // tender id → place in the appendix
	suppliers     map[uint]string
	byText        map[standardText]*annualText
}

type standardText struct{ slug, text string }

func newAnnualFold(f AnnualFilter, order map[uint]int, suppliers map[uint]string) *annualFold {
	return &annualFold{texts: f.ExplanationTexts, places: f.ExplanationPlaces, order: order, suppliers: suppliers,
		byText: map[standardText]*annualText{}}
}

// before reports whether place p comes before q: the earlier tender, then
// the vendor's name, then its id.
func (a *annualFold) before(p, q annualPlace) bool {
	if p.rank != q.rank {
		return p.rank < q.rank
	}
	if x, y := a.suppliers[p.supplier], a.suppliers[q.supplier]; x != y {
		return x < y
	}
	return p.supplier < q.supplier
}

// add counts one explained answer and keeps it when it is among the
// first places of its text.
func (a *annualFold) add(s standardName, c answerCode, tender, supplier uint, text []byte, planned string) {
	e := a.byText[standardText{s.Slug, string(text)}]
	if e == nil {
		e = &annualText{standard: s, text: string(text)}
		a.byText[standardText{s.Slug, e.text}] = e
	}
	e.given++
	a.place(e, annualPlace{rank: a.order[tender], tender: tender, supplier: supplier, answerCode: c, planned: planned})
}

// place keeps p among e's places when it is one of the first.
func (a *annualFold) place(e *annualText, p annualPlace) {
	if a.places > 0 && len(e.places) == a.places {
		if !a.before(p, e.places[len(e.places)-1]) {
			return
		}
		e.places = e.places[:len(e.places)-1]
	}
	i := len(e.places)
	for i > 0 && a.before(p, e.places[i-1]) {
		i--
	}
	e.places = slices.Insert(e.places, i, p)
}

// merge adds the explanations of b to a.
func (a *annualFold) merge(b *annualFold) {
	for k, e := range b.byText {
		mine := a.byText[k]
		if mine == nil {
			a.byText[k] = e
			continue
		}
		mine.given += e.given
		for _, p := range e.places {
			a.place(mine, p)
		}
	}
}

// result lists, per standard by slug, the texts given most often (ties
// by text) with their places, and counts every standard's explained
// answers and texts. tenders are the year's, for their references.
func (a *annualFold) result(tenders []AnnualTender) ([]AnnualExplanation, []AnnualExplained) {
	refs := make(map[uint]string, len(tenders))
	for _, t := range tenders {
		refs[t.ID] = t.Reference
	}
	texts := make([]*annualText, 0, len(a.byText))
	for _, e := range a.byText {
		texts = append(texts, e)
	}
	slices.SortFunc(texts, func(x, y *annualText) int {
		return cmp.Or(cmp.Compare(x.standard.Slug, y.standard.Slug), cmp.Compare(y.given, x.given), cmp.Compare(x.text, y.text))
	})
	var list []AnnualExplanation
	var counted []AnnualExplained
	rank := 0
	for _, e := range texts {
		if n := len(counted); n == 0 || counted[n-1].Slug != e.standard.Slug {
			counted = append(counted, AnnualExplained{Slug: e.standard.Slug})
			rank = 0
		}
		c := &counted[len(counted)-1]
		c.Answers += e.given
		c.Texts++
		if rank++; a.texts > 0 && rank > a.texts {
			continue
		}
		for _, p := range e.places {
			list = append(list, AnnualExplanation{Slug: e.standard.Slug, Standard: e.standard.Name, Level: p.level,
				TenderID: p.tender, TenderReference: refs[p.tender], Supplier: a.suppliers[p.supplier], Status: p.status,
				Explanation: e.text, PlannedDate: p.planned, Verdict: p.verdict, Given: e.given})
		}
	}
	return list, counted
}

// rowID scans an integer id without database/sql's conversion by way of
// its decimal text, which costs an allocation per value.
type rowID uint

// Scan implements sql.Scanner.
func (r *rowID) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*r = 0
	case int64:
		*r = rowID(v)
	case int32:
		*r = rowID(v)
	default:
		return fmt.Errorf("models: scan id: %T is not an integer", src)
	}
	return nil
}
