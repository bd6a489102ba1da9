package models

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// PageSize is how many rows a list page shows.
const PageSize = 25

// Paging is where a list page sits in the whole filtered list.
type Paging struct {
	Page, Pages int
	Total       int64
}

func newPaging(page int, total int64) Paging {
	pages := int((total + PageSize - 1) / PageSize)
	if pages == 0 {
		pages = 1
	}
	return Paging{Page: min(max(page, 1), pages), Pages: pages, Total: total}
}

// offset is the first row of the page.
func (p Paging) offset() int { return (p.Page - 1) * PageSize }

// checkChoice refuses a filter value that is not one of allowed; empty is
// no filter.
func checkChoice(field, value string, allowed []string) error {
	if value != "" && !oneOf(value, allowed) {
		return invalid(field, "not_a_choice")
	}
	return nil
}

// checkOrderAndSearch gives an empty order the list's default (the first of
// sorts), refuses one it does not know and an over-long search.
func checkOrderAndSearch(sort *string, sorts []string, search string) error {
	if *sort == "" {
		*sort = sorts[0]
	}
	if !oneOf(*sort, sorts) {
		return invalid("sort", "not_a_choice")
	}
	if len(search) > 200 {
		return invalid("q", "too_long", "max", 200)
	}
	return nil
}

// findPage counts the rows of base and loads page's rows of them, in order,
// into out (a pointer to a slice); more, if given, adds what only the rows'
// query needs (preloads, the columns). what names the rows in errors.
func findPage(base *gorm.DB, page int, order any, out any, what string, more ...func(*gorm.DB) *gorm.DB) (Paging, error) {
	var total int64
	if err := base.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return Paging{}, wrap(err, "count %s", what)
	}
	p := newPaging(page, total)
	q := base.Session(&gorm.Session{})
	for _, m := range more {
		q = m(q)
	}
	if err := q.Order(order).Limit(PageSize).Offset(p.offset()).Find(out).Error; err != nil {
		return Paging{}, wrap(err, "list %s", what)
	}
	return p, nil
}

// preload loads the associations assoc with a page's rows.
func preload(assoc ...string) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		for _, a := range assoc {
			q = q.Preload(a)
		}
		return q
	}
}

// Sort orders of the tender list.
const (
	SortNewest   = "newest"
	SortDeadline = "deadline"
	SortTitle    = "title"
)

// TenderSorts are the orders the tender list offers, the default first.
var TenderSorts = []string{SortNewest, SortDeadline, SortTitle}

// TenderQuery is what a reader asks of the tender list: words to find in
// the title or reference, one status, an order and a page.
type TenderQuery struct {
	Search string
	Status string
	Sort   string
	Page   int
}

// Validate refuses a status or order the list does not know.
func (q *TenderQuery) Validate() error {
	if err := checkChoice("status", q.Status, TenderStatuses); err != nil {
		return err
	}
	return checkOrderAndSearch(&q.Sort, TenderSorts, q.Search)
}

// TenderPage is one page of the tender list.
type TenderPage struct {
	Tenders []Tender
	Paging
	// Query is the query as run, with its defaults filled in.
	Query TenderQuery
}

// FindTenders returns a page of the tenders viewer may see that match q.
// Open tenders (published, deadline not passed) come first whatever the
// order: they are what every role acts on.
func FindTenders(ctx context.Context, db *gorm.DB, viewer *User, q TenderQuery, now time.Time) (*TenderPage, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	base := db.WithContext(ctx).Model(&Tender{}).Scopes(visibleTo(viewer)).Where("tenders.superseded_at IS NULL")
	if q.Status != "" {
		base = base.Where("tenders.status = ?", q.Status)
	}
	if s := strings.TrimSpace(q.Search); s != "" {
		like := "%" + escapeLike(strings.ToLower(s)) + "%"
		base = base.Where("(LOWER(tenders.title) LIKE ? ESCAPE '\\' OR LOWER(tenders.reference) LIKE ? ESCAPE '\\')", like, like)
	}
	order := map[string]string{
		SortNewest:   "tenders.created_at DESC, tenders.id DESC",
		SortDeadline: "CASE WHEN tenders.deadline IS NULL THEN 1 ELSE 0 END, tenders.deadline, tenders.id",
		SortTitle:    "LOWER(tenders.title), tenders.id",
	}[q.Sort]
	page := &TenderPage{Query: q}
	var err error
	if page.Paging, err = findPage(base, q.Page, openFirst(now, order), &page.Tenders, "tenders", preload("BuyerOrg")); err != nil {
		return nil, err
	}
	if err := fillRequirementCounts(ctx, db, page.Tenders); err != nil {
		return nil, err
	}
	return page, nil
}

// openFirst orders open tenders (published, deadline not passed) before
// the others, then by order (a fixed text from FindTenders, never input).
func openFirst(now time.Time, order string) clause.OrderBy {
	return clause.OrderBy{Expression: clause.Expr{
		SQL:  "CASE WHEN tenders.status = ? AND (tenders.deadline IS NULL OR tenders.deadline > ?) THEN 0 ELSE 1 END, " + order,
		Vars: []any{StatusPublished, now},
	}}
}

// Sort orders of the attestation list besides SortNewest and SortDeadline.
const (
	SortTender   = "tender"
	SortSupplier = "supplier"
)

// AttestationSorts are the orders the attestation list offers, the
// default first.
var AttestationSorts = []string{SortNewest, SortDeadline, SortTender, SortSupplier}

// AttestationStatuses are the statuses an attestation list can be
// filtered by.
var AttestationStatuses = []string{AttestationDraft, AttestationSubmitted}

// AttestationQuery is what a reader asks of the attestation list: words to
// find in the tender's title or reference or the supplier's name, one
// status, an order and a page.
type AttestationQuery struct {
	Search string
	Status string
	Sort   string
	Page   int
}

// Validate refuses a status or order the list does not know.
func (q *AttestationQuery) Validate() error {
	if err := checkChoice("status", q.Status, AttestationStatuses); err != nil {
		return err
	}
	return checkOrderAndSearch(&q.Sort, AttestationSorts, q.Search)
}

// AttestationPage is one page of the attestation list.
type AttestationPage struct {
	Attestations []Attestation
	Paging
	Query AttestationQuery
}

// FindAttestations returns a page of the attestations viewer may see that
// match q, each with its tender, supplier and completeness. Those on open
// tenders come first.
func FindAttestations(ctx context.Context, db *gorm.DB, viewer *User, q AttestationQuery, now time.Time) (*AttestationPage, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	base := db.WithContext(ctx).Model(&Attestation{}).Scopes(attestationsVisibleTo(viewer)).
		Joins("JOIN tenders ON tenders.id = attestations.tender_id").
		Joins("JOIN orgs ON orgs.id = attestations.supplier_org_id")
	if q.Status != "" {
		base = base.Where("attestations.status = ?", q.Status)
	}
	if s := strings.TrimSpace(q.Search); s != "" {
		like := "%" + escapeLike(strings.ToLower(s)) + "%"
		base = base.Where("(LOWER(tenders.title) LIKE ? ESCAPE '\\' OR LOWER(tenders.reference) LIKE ? ESCAPE '\\' OR LOWER(orgs.name) LIKE ? ESCAPE '\\')", like, like, like)
	}
	order := map[string]string{
		SortNewest:   "attestations.id DESC",
		SortDeadline: "CASE WHEN tenders.deadline IS NULL THEN 1 ELSE 0 END, tenders.deadline, attestations.id",
		SortTender:   "LOWER(tenders.title), LOWER(orgs.name), attestations.id",
		SortSupplier: "LOWER(orgs.name), LOWER(tenders.title), attestations.id",
	}[q.Sort]
	page := &AttestationPage{Query: q}
	var err error
	columns := func(q *gorm.DB) *gorm.DB { return q.Select("attestations.*") }
	if page.Paging, err = findPage(base, q.Page, openFirst(now, order), &page.Attestations, "attestations", columns, preload("Tender", "SupplierOrg")); err != nil {
		return nil, err
	}
	if err := loadDetails(ctx, db, page.Attestations, detailsCounts); err != nil {
		return nil, err
	}
	return page, nil
}

// SortEmail orders the user list by e-mail address; SortName (also the
// review matrix's) orders by name.
const SortEmail = "email"

// UserSorts are the orders the user list offers, the default first.
var UserSorts = []string{SortEmail, SortName, SortNewest}

// UserStates are the states the user list can be filtered by.
var UserStates = []string{"active", "disabled"}

// UserQuery is what an admin asks of the user list: words to find in the
// e-mail address or name, a role, an organisation, a state, an order and a
// page.
type UserQuery struct {
	Search string
	Role   string
	OrgID  uint
	State  string
	Sort   string
	Page   int
}

// Validate refuses a role, state or order the list does not know.
func (q *UserQuery) Validate() error {
	if err := checkChoice("role", q.Role, Roles); err != nil {
		return err
	}
	if err := checkChoice("state", q.State, UserStates); err != nil {
		return err
	}
	return checkOrderAndSearch(&q.Sort, UserSorts, q.Search)
}

// UserPage is one page of the user list.
type UserPage struct {
	Users []User
	Paging
	Query UserQuery
}

// FindUsers returns a page of the accounts that match q, each with its
// organisation.
func FindUsers(ctx context.Context, db *gorm.DB, q UserQuery) (*UserPage, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	base := db.WithContext(ctx).Model(&User{})
	if q.Role != "" {
		base = base.Where("role = ?", q.Role)
	}
	if q.OrgID != 0 {
		base = base.Where("org_id = ?", q.OrgID)
	}
	if q.State != "" {
		base = base.Where("disabled = ?", q.State == "disabled")
	}
	if s := strings.TrimSpace(q.Search); s != "" {
		like := "%" + escapeLike(strings.ToLower(s)) + "%"
		base = base.Where("(LOWER(email) LIKE ? ESCAPE '\\' OR LOWER(name) LIKE ? ESCAPE '\\')", like, like)
	}
	order := map[string]string{SortEmail: "email, id", SortName: "LOWER(name), id", SortNewest: "created_at DESC, id DESC"}[q.Sort]
	page := &UserPage{Query: q}
	var err error
	if page.Paging, err = findPage(base, q.Page, order, &page.Users, "users", preload("Org")); err != nil {
		return nil, err
	}
	return page, nil
}

// OrgSorts are the orders the organisation list offers, the default first.
var OrgSorts = []string{SortName, SortNewest}

// OrgQuery is what an admin asks of the organisation list.
type OrgQuery struct {
	Search string
	Kind   string
	Sort   string
	Page   int
}

// Validate refuses a kind or order the list does not know.
func (q *OrgQuery) Validate() error {
	if err := checkChoice("kind", q.Kind, []string{OrgBuyer, OrgSupplier}); err != nil {
		return err
	}
	return checkOrderAndSearch(&q.Sort, OrgSorts, q.Search)
}

// OrgPage is one page of the organisation list.
type OrgPage struct {
	Orgs []Org
	Paging
	Query OrgQuery
}

// FindOrgs returns a page of the organisations that match q.
func FindOrgs(ctx context.Context, db *gorm.DB, q OrgQuery) (*OrgPage, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	base := db.WithContext(ctx).Model(&Org{})
	if q.Kind != "" {
		base = base.Where("kind = ?", q.Kind)
	}
	if s := strings.TrimSpace(q.Search); s != "" {
		base = base.Where("LOWER(name) LIKE ? ESCAPE '\\'", "%"+escapeLike(strings.ToLower(s))+"%")
	}
	order := map[string]string{SortName: "LOWER(name), id", SortNewest: "created_at DESC, id DESC"}[q.Sort]
	page := &OrgPage{Query: q}
	var err error
	if page.Paging, err = findPage(base, q.Page, order, &page.Orgs, "organisations"); err != nil {
		return nil, err
	}
	return page, nil
}
