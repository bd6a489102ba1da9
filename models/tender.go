package models

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"tenderprobe/app/i18n"
)

// Tender statuses. A tender is built as a draft; publishing freezes its
// requirement sheet for good. Later stages (closed, awarded, active) and
// withdrawal only move forward.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusClosed    = "closed"
	StatusAwarded   = "awarded"
	StatusActive    = "active"
	StatusWithdrawn = "withdrawn"
)

// TenderStatuses lists the allowed Tender.Status values in lifecycle order.
var TenderStatuses = []string{StatusDraft, StatusPublished, StatusClosed, StatusAwarded, StatusActive, StatusWithdrawn}

// tenderTransitions lists, per status, the statuses a tender may move to
// with SetTenderStatus. Publishing has its own function because it checks
// the sheet.
var tenderTransitions = map[string][]string{
	StatusDraft:     {StatusWithdrawn},
	StatusPublished: {StatusClosed, StatusWithdrawn},
	StatusClosed:    {StatusAwarded, StatusWithdrawn},
	StatusAwarded:   {StatusActive},
	StatusActive:    {},
	StatusWithdrawn: {},
}

// Limits on tender fields, enforced by TenderInput.Validate.
const (
	MaxTitleLength       = 200
	MaxReferenceLength   = 100
	MaxDescriptionLength = 20000
	MaxScopeTags         = 20
	MaxScopeTagLength    = 40
)

// Tender is one revision of a call for tenders with its requirement sheet.
// An amendment is a new Tender row with Revision+1 and SupersedesID set; all
// revisions share SeriesID (the ID of revision 1). Once published a revision
// never changes again; when its amendment is published, SupersededAt is set.
type Tender struct {
	ID                  uint   `gorm:"primaryKey" json:"id"`
	BuyerOrgID          uint   `gorm:"not null;index" json:"buyer_org_id"`
	BuyerOrg            *Org   `gorm:"constraint:OnDelete:RESTRICT" json:"buyer_org,omitempty"`
	Title               string `gorm:"size:200;not null" json:"title"`
	Reference           string `gorm:"size:100;not null;default:''" json:"reference"`
	Description         string `gorm:"type:text;not null;default:''" json:"description"`
	EstimatedValueCents int64  `gorm:"not null;default:0" json:"estimated_value_cents"`
	Currency            string `gorm:"size:3;not null;default:'EUR'" json:"currency"`
	// Language is the tender's own language (an i18n language tag): its
	// sheet, reports and mails are in it whatever the reader's interface.
	Language string     `gorm:"size:16;not null;default:'en'" json:"language"`
	Deadline *time.Time `json:"deadline,omitempty"`
	// DeadlineZone is the IANA time zone the deadline was set in (the
	// buyer's, unless the officer chose another): Deadline is the instant,
	// in UTC; reminders count calendar days in this zone.
	DeadlineZone       string            `gorm:"size:64;not null;default:''" json:"deadline_zone"`
	ScopeTags          []string          `gorm:"type:text;serializer:json" json:"scope_tags"`
	Status             string            `gorm:"size:20;not null;index" json:"status"`
	CatalogueVersionID uint              `gorm:"not null;index" json:"catalogue_version_id"`
	CatalogueVersion   *CatalogueVersion `gorm:"constraint:OnDelete:RESTRICT" json:"catalogue_version,omitempty"`
	Revision           int               `gorm:"not null;default:1" json:"revision"`
	SeriesID           uint              `gorm:"not null;default:0;index" json:"series_id"`
	SupersedesID       *uint             `gorm:"index" json:"supersedes_id,omitempty"`
	Supersedes         *Tender           `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	SupersededAt       *time.Time        `json:"superseded_at,omitempty"`
	PublishedAt        *time.Time        `json:"published_at,omitempty"`
	CreatedByID        uint              `gorm:"not null;index" json:"created_by_id"`
	CreatedBy          *User             `gorm:"constraint:OnDelete:RESTRICT" json:"created_by,omitempty"`
	CreatedAt          time.Time         `json:"created_at"`
	UpdatedAt          time.Time         `json:"updated_at"`
	Requirements       []Requirement     `gorm:"constraint:OnDelete:CASCADE" json:"requirements"`

	// RequirementCount is filled by ListTenders so a list can show the size
	// of each sheet without loading it.
	RequirementCount int64 `gorm:"-" json:"requirement_count"`
}

// IsDraft reports whether the sheet can still change.
func (t *Tender) IsDraft() bool { return t.Status == StatusDraft }

// Locked reports whether the sheet is frozen (anything but a draft).
func (t *Tender) Locked() bool { return t.Status != StatusDraft }

// Superseded reports whether a later revision of this tender was published.
func (t *Tender) Superseded() bool { return t.SupersededAt != nil }

// DeadlinePassed reports whether the tender has a deadline before now.
// Both are instants, so the zone the deadline was set in does not matter.
func (t *Tender) DeadlinePassed(now time.Time) bool {
	return t.Deadline != nil && now.After(*t.Deadline)
}

// Location is the time zone of the tender's deadline (UTC when it has
// none recorded): pass it to i18n's (*Catalogue).DateTime to write the
// deadline as the buyer set it, zone named, in a PDF or a mail.
func (t *Tender) Location() *time.Location {
	if t == nil {
		return time.UTC
	}
	return ZoneOrUTC(t.DeadlineZone)
}

// DeadlineIn is the deadline as a clock in the tender's own zone shows it,
// or the zero time when there is none.
func (t *Tender) DeadlineIn() time.Time {
	if t.Deadline == nil {
		return time.Time{}
	}
	return t.Deadline.In(t.Location())
}

// The rules of who may do what with a tender and when. Each is written
// once, here, and used by every caller: the models functions check them
// (FindTenderToManage for the sheet, AmendTender, the invitations and the
// attestation rules inside their transactions), and the pages use them to
// offer only what will be allowed. Each returns nil or the error that says
// why not: a *ForbiddenError for the wrong user, a *StateError for the
// wrong moment.

// ManageableBy says whether u manages tender t: an enabled admin, or an
// enabled officer of the buyer org that owns it. Managers change the
// sheet, amend, invite, review and ask for verification.
func (t *Tender) ManageableBy(u *User) error {
	if u != nil && !u.Disabled && (u.Role == RoleAdmin || u.Role == RoleOfficer && u.OrgID != nil && *u.OrgID == t.BuyerOrgID) {
		return nil
	}
	return &ForbiddenError{Code: "not_buyer"}
}

// EditableBy says whether u may change t's details and sheet: a manager
// (ManageableBy), while t is a draft (ErrLocked once published).
func (t *Tender) EditableBy(u *User) error {
	if err := t.ManageableBy(u); err != nil {
		return err
	}
	return t.draft()
}

// draft is the state half of EditableBy, which lockDraft checks again
// inside the writing transaction.
func (t *Tender) draft() error {
	if !t.IsDraft() {
		return ErrLocked
	}
	return nil
}

// AmendableBy says whether u may start an amendment of t: a manager, while
// t is published (a draft is edited instead; a closed, awarded or
// withdrawn tender is past amending). That no amendment exists yet is
// AmendTender's check, which needs the database.
func (t *Tender) AmendableBy(u *User) error {
	if err := t.ManageableBy(u); err != nil {
		return err
	}
	if t.Status != StatusPublished {
		return newState("not_published", "status", t.Status)
	}
	return nil
}

// AnswersReadableBy says whether u, who may see t, may also read every
// supplier's answers to it side by side (the review matrix, the tender
// report): anyone but a vendor, since vendors must not see each other's
// answers.
func (t *Tender) AnswersReadableBy(u *User) error {
	if u == nil || u.Role == RoleVendor {
		return &ForbiddenError{Code: "vendor_matrix"}
	}
	return nil
}

// InvitableBy says whether u may invite suppliers to t at now: a manager,
// while t is open.
func (t *Tender) InvitableBy(u *User, now time.Time) error {
	if err := t.ManageableBy(u); err != nil {
		return err
	}
	return t.open(now)
}

// Publishable says whether t's own fields allow publishing it at now: a
// deadline that has passed would open a tender nobody can answer any more,
// so it is a ValidationError on "deadline". A draft may keep such a
// deadline while it is prepared; only publishing is refused. That the
// sheet is not empty is PublishTender's check, which needs the database.
func (t *Tender) Publishable(now time.Time) error {
	if t.DeadlinePassed(now) {
		return invalid("deadline", "passed_before_publish", "deadline", t.DeadlineIn())
	}
	return nil
}

// deadlineText writes the deadline as a clock in the tender's zone shows
// it, zone named, for the audit log and messages; "" when there is none.
func (t *Tender) deadlineText() string {
	if t.Deadline == nil {
		return ""
	}
	return t.DeadlineIn().Format("2006-01-02 15:04") + " " + t.Location().String()
}

// open says whether t takes invitations and answers at now: while it is
// published (ErrTenderNotOpen) and before its deadline (ErrDeadlinePassed).
func (t *Tender) open(now time.Time) error {
	if t.Status != StatusPublished {
		return ErrTenderNotOpen
	}
	if t.DeadlinePassed(now) {
		return ErrDeadlinePassed
	}
	return nil
}

// parseDeadlineText reads deadlineText's "2027-01-04 12:00
// Europe/Amsterdam" back as an instant in that zone, for the audit log.
func parseDeadlineText(s string) (time.Time, bool) {
	i := strings.LastIndexByte(s, ' ')
	if i <= 0 {
		return time.Time{}, false
	}
	loc, ok := Zone(s[i+1:])
	if !ok {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", s[:i], loc)
	return t, err == nil
}

// Amount is a sum of money in cents of a currency (ISO 4217 code).
type Amount struct {
	Cents    int64
	Currency string
}

// parseEstimatedValue reads EstimatedValue's "EUR 125,000.00" back, for
// the audit log.
func parseEstimatedValue(s string) (Amount, bool) {
	code, amount, ok := strings.Cut(s, " ")
	if !ok || !i18n.ValidCurrency(code) {
		return Amount{}, false
	}
	cents, err := i18n.ParseAmount(i18n.Default, amount)
	return Amount{Cents: cents, Currency: code}, err == nil
}

// EstimatedValue formats the estimated value as "EUR 125,000.00".
func (t *Tender) EstimatedValue() string {
	whole, cents := t.EstimatedValueCents/100, t.EstimatedValueCents%100
	digits := fmt.Sprintf("%d", whole)
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s %s.%02d", t.Currency, b.String(), cents)
}

// TenderInput holds the fields an officer types when creating or editing a
// tender. BuyerOrgID is only used when an admin without an org creates one.
type TenderInput struct {
	BuyerOrgID          uint
	Title               string
	Reference           string
	Description         string
	EstimatedValueCents int64
	Currency            string
	// Deadline is an instant (an RFC 3339 time given to the API). A
	// deadline typed as a day is DeadlineDate instead: the tender's zone,
	// known only once the buyer is, makes it an instant.
	Deadline *time.Time
	// DeadlineDate (YYYY-MM-DD) and DeadlineTime (HH:MM, empty for
	// DefaultDeadlineTime) are a deadline as a clock in DeadlineZone shows
	// it.
	DeadlineDate string
	DeadlineTime string
	// DeadlineZone is the IANA zone of the deadline; empty keeps the
	// tender's zone, and a new tender takes its buyer's.
	DeadlineZone string
	ScopeTags    []string
	// Language is the tender's language; empty is English for a new
	// tender and no change for an edit.
	Language string
	// Unreadable holds the problems the caller met reading the input (an
	// amount or a deadline it could not read): Validate reports them with
	// its own, so a form shows every problem at once.
	Unreadable error
}

// Validate trims and checks the input, normalising currency and scope
// tags. It reports every refused field at once (ValidationErrors): its own
// checks in the order the tender form shows the fields, then Unreadable's.
// The title and the reference are one line, as org names are: a line
// break sent through the API became part of a mail's subject, and the
// mailer refused every invitation and reminder of the tender.
func (in *TenderInput) Validate() error {
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	in.Reference = strings.Join(strings.Fields(in.Reference), " ")
	in.Description = strings.TrimSpace(in.Description)
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if in.Currency == "" {
		in.Currency = "EUR"
	}
	in.Language = strings.TrimSpace(in.Language)
	var errs ValidationErrors
	switch {
	case in.Title == "":
		errs.invalid("title", "required")
	case utf8.RuneCountInString(in.Title) > MaxTitleLength:
		errs.invalid("title", "too_long", "max", MaxTitleLength)
	}
	if utf8.RuneCountInString(in.Reference) > MaxReferenceLength {
		errs.invalid("reference", "too_long", "max", MaxReferenceLength)
	}
	if in.Language != "" && !slices.Contains(i18n.Available(), in.Language) {
		errs.invalid("language", "not_one_of", "value", in.Language, "allowed", i18n.Available())
	}
	if utf8.RuneCountInString(in.Description) > MaxDescriptionLength {
		errs.invalid("description", "too_long", "max", MaxDescriptionLength)
	}
	if in.EstimatedValueCents < 0 {
		errs.invalid("estimated_value", "negative")
	}
	if len(in.Currency) != 3 || !i18n.ValidCurrency(in.Currency) {
		errs.invalid("currency", "not_a_currency", "value", in.Currency)
	}
	in.validateDeadline(&errs)
	tags := make([]string, 0, len(in.ScopeTags))
	seen := map[string]bool{}
	for _, tag := range in.ScopeTags {
		tag = strings.ToLower(strings.TrimSpace(tag))
		if tag == "" || seen[tag] {
			continue
		}
		if utf8.RuneCountInString(tag) > MaxScopeTagLength {
			errs.invalid("scope_tags", "tag_too_long", "value", tag, "max", MaxScopeTagLength)
		}
		seen[tag] = true
		tags = append(tags, tag)
	}
	if len(tags) > MaxScopeTags {
		errs.invalid("scope_tags", "too_many_tags", "max", MaxScopeTags)
	}
	if err := errs.add(in.Unreadable); err != nil {
		return err
	}
	if err := errs.err(); err != nil {
		return err
	}
	in.ScopeTags = tags
	if in.Deadline != nil {
		d := in.Deadline.UTC()
		in.Deadline = &d
	}
	return nil
}

// DefaultDeadlineTime is the time of a deadline given as a day: the end
// of that day in the tender's zone.
const DefaultDeadlineTime = "23:59"

// validateDeadline trims and checks the deadline fields, adding their
// problems to errs.
func (in *TenderInput) validateDeadline(errs *ValidationErrors) {
	in.DeadlineDate = strings.TrimSpace(in.DeadlineDate)
	in.DeadlineTime = strings.TrimSpace(in.DeadlineTime)
	in.DeadlineZone = strings.TrimSpace(in.DeadlineZone)
	if in.DeadlineDate != "" {
		if _, err := time.Parse("2006-01-02", in.DeadlineDate); err != nil {
			errs.invalid("deadline", "not_a_date", "value", in.DeadlineDate)
		}
		if in.DeadlineTime == "" {
			in.DeadlineTime = DefaultDeadlineTime
		}
		if _, err := parseClock(in.DeadlineTime); err != nil {
			errs.invalid("deadline_time", "not_a_time", "value", in.DeadlineTime)
		}
	}
	if in.DeadlineZone != "" && !ValidTimeZone(in.DeadlineZone) {
		errs.invalid("deadline_zone", "unknown_zone", "value", in.DeadlineZone)
	}
}

// parseClock reads a time of day as <input type=time> sends it: 23:59, or
// 23:59:00 when the browser adds seconds (which a deadline leaves out).
func parseClock(s string) (time.Time, error) {
	if t, err := time.Parse("15:04:05", s); err == nil {
		return t.Truncate(time.Minute), nil
	}
	return time.Parse("15:04", s)
}

// deadlineIn is the deadline instant, in UTC: DeadlineDate at DeadlineTime
// as a clock in zone shows it, else Deadline. A clock time that zone skips
// (02:30 on the night summer time starts) is read as the time an hour
// later, as time.Date does.
func (in *TenderInput) deadlineIn(zone *time.Location) *time.Time {
	if in.DeadlineDate == "" {
		return in.Deadline
	}
	day, err1 := time.Parse("2006-01-02", in.DeadlineDate)
	clock, err2 := parseClock(cmp.Or(in.DeadlineTime, DefaultDeadlineTime))
	if err1 != nil || err2 != nil {
		return in.Deadline // Validate refused it already
	}
	d := time.Date(day.Year(), day.Month(), day.Day(), clock.Hour(), clock.Minute(), 0, 0, zone).UTC()
	return &d
}

// ParseScopeTags splits a comma-separated list typed in a form.
func ParseScopeTags(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// auditFields is what the audit log records of a tender's details.
func (t *Tender) auditFields() map[string]any {
	value := ""
	if t.EstimatedValueCents > 0 {
		value = t.EstimatedValue()
	}
	return map[string]any{
		"title": t.Title, "reference": t.Reference, "description": t.Description,
		"estimated_value": value, "deadline": t.deadlineText(), "scope_tags": strings.Join(t.ScopeTags, ", "),
		"language": t.Language,
	}
}

// tenderAudit writes the audit entry of action on tender t.
func tenderAudit(tx *gorm.DB, by *User, now time.Time, action string, t *Tender, before, after any) error {
	id, org := t.ID, t.BuyerOrgID
	return writeAudit(tx, by, now, AuditEntry{Action: action, ObjectType: "tender", ObjectID: t.ID, TenderID: &id, OrgID: &org}, before, after)
}

// CreateTender creates a draft tender built from the current catalogue. An
// officer's tender belongs to the officer's buyer org; an admin without an
// org names the buyer org in in.BuyerOrgID. Other roles get ErrForbidden.
func CreateTender(ctx context.Context, db *gorm.DB, by *User, in TenderInput, now time.Time) (*Tender, error) {
	if !by.CanCreateTender() {
		return nil, wrap(&ForbiddenError{Code: "role"}, "create tender as %q", roleOf(by))
	}
	orgID := in.BuyerOrgID
	if by.OrgID != nil {
		orgID = *by.OrgID
	}
	var noBuyer error
	if orgID == 0 {
		noBuyer = invalid("buyer_org_id", "required")
	}
	if err := JoinInvalid(in.Validate(), noBuyer); err != nil {
		return nil, err
	}
	t := &Tender{
		BuyerOrgID: orgID, Title: in.Title, Reference: in.Reference, Description: in.Description,
		Language: cmp.Or(in.Language, i18n.Default), EstimatedValueCents: in.EstimatedValueCents, Currency: in.Currency,
		ScopeTags: in.ScopeTags, Status: StatusDraft, Revision: 1, CreatedByID: by.ID,
		Requirements: []Requirement{},
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		org, err := FindOrg(ctx, tx, orgID)
		if errors.Is(err, ErrNotFound) {
			return invalid("buyer_org_id", "no_such_org", "id", orgID)
		}
		if err != nil {
			return err
		}
		if org.Kind != OrgBuyer {
			return invalid("buyer_org_id", "not_a_buyer", "name", org.Name)
		}
		t.DeadlineZone = cmp.Or(in.DeadlineZone, org.TimeZone, DefaultOrgZone)
		t.Deadline = in.deadlineIn(t.Location())
		cv, err := CurrentCatalogue(ctx, tx)
		if err != nil {
			return wrap(err, "create tender: no catalogue loaded")
		}
		t.CatalogueVersionID = cv.ID
		if err := tx.Omit("Requirements").Create(t).Error; err != nil {
			return wrap(err, "create tender")
		}
		t.SeriesID = t.ID
		if err := tx.Model(t).Update("series_id", t.ID).Error; err != nil {
			return wrap(err, "create tender %d", t.ID)
		}
		after := t.auditFields()
		after["buyer"], after["status"] = org.Name, t.Status
		return tenderAudit(tx, by, now, "tender.create", t, nil, after)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func roleOf(u *User) string {
	if u == nil {
		return ""
	}
	return u.Role
}

// preloadTender loads what a tender page needs: the buyer, the catalogue
// version, the author and the requirements in sheet order with their standards.
func preloadTender(q *gorm.DB) *gorm.DB {
	return q.Joins("BuyerOrg").Joins("CatalogueVersion").Joins("CreatedBy").
		Preload("Requirements", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") })
}

// findTender runs q (preloadTender's) for one tender and gives its
// requirements their standards, decoded from the catalogue cache: a tender
// page costs two queries and no JSON decoding.
func findTender(ctx context.Context, db, q *gorm.DB, what string, cond ...any) (*Tender, error) {
	var t Tender
	if err := q.Take(&t, cond...).Error; err != nil {
		return nil, wrap(err, "%s", what)
	}
	if err := fillStandards(ctx, db, t.Requirements, t.CatalogueVersion); err != nil {
		return nil, err
	}
	return &t, nil
}

// fillStandards sets the Standard of every requirement in reqs, from the
// catalogue cache. The standards are shared: callers must not modify them.
func fillStandards(ctx context.Context, db *gorm.DB, reqs []Requirement, cv *CatalogueVersion) error {
	if len(reqs) == 0 {
		return nil
	}
	// The tender's own catalogue version, read with the tender, holds
	// every standard of its sheet.
	var cvs []CatalogueVersion
	if cv != nil {
		cvs = []CatalogueVersion{*cv}
	}
	if all, err := setStandards(ctx, db, reqs, cvs); err != nil || all {
		return err
	}
	// Rare: a standard of another version, or a version changed in place
	// without counting it. Read the versions the sheet uses afresh rather
	// than show it without its standards.
	cvs = nil
	err := db.WithContext(ctx).Where("id IN (SELECT DISTINCT standards.catalogue_version_id FROM standards JOIN requirements ON requirements.standard_id = standards.id WHERE requirements.tender_id = ?)", reqs[0].TenderID).
		Find(&cvs).Error
	if err != nil {
		return wrap(err, "standards of tender %d", reqs[0].TenderID)
	}
	forgetStandards(db, cvs)
	_, err = setStandards(ctx, db, reqs, cvs)
	return err
}

// setStandards gives each requirement its standard from versions cvs and
// reports whether all were found.
func setStandards(ctx context.Context, db *gorm.DB, reqs []Requirement, cvs []CatalogueVersion) (bool, error) {
	byID, err := standardsIn(ctx, db, cvs)
	if err != nil {
		return false, err
	}
	all := true
	for i := range reqs {
		reqs[i].Standard = byID[reqs[i].StandardID]
		all = all && reqs[i].Standard != nil
	}
	return all, nil
}

// FindTender returns tender id with its requirements (in sheet order, each
// with its standard), or ErrNotFound. It does not check who may see it; use
// FindTenderFor for that.
func FindTender(ctx context.Context, db *gorm.DB, id uint) (*Tender, error) {
	return findTender(ctx, db, preloadTender(db.WithContext(ctx)), fmt.Sprintf("find tender %d", id), "tenders.id = ?", id)
}

// FindTenderFor returns tender id if viewer may see it, and ErrNotFound
// otherwise, so that a tender's existence does not leak.
func FindTenderFor(ctx context.Context, db *gorm.DB, viewer *User, id uint) (*Tender, error) {
	q := preloadTender(db.WithContext(ctx)).Scopes(visibleTo(viewer))
	return findTender(ctx, db, q, fmt.Sprintf("find tender %d", id), "tenders.id = ?", id)
}

// FindTenderToManage returns tender id for by to change: ErrNotFound when
// by may not see it, so its existence does not leak, and the
// *ForbiddenError of ManageableBy when by may see it but not manage it. It
// is how the sheet, publishing, amending and invitations authorise; whether
// the tender's state allows the change each of them checks in its own
// transaction.
func FindTenderToManage(ctx context.Context, db *gorm.DB, by *User, id uint) (*Tender, error) {
	t, err := FindTenderFor(ctx, db, by, id)
	if err != nil {
		return nil, err
	}
	if err := t.ManageableBy(by); err != nil {
		return nil, wrap(err, "manage tender %d", id)
	}
	return t, nil
}

// CanSeeTender reports whether viewer may see tender id.
func CanSeeTender(ctx context.Context, db *gorm.DB, viewer *User, id uint) (bool, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&Tender{}).Scopes(visibleTo(viewer)).Where("tenders.id = ?", id).Count(&n).Error; err != nil {
		return false, wrap(err, "check tender %d visibility", id)
	}
	return n > 0, nil
}

// visibleTo limits a tender query to what viewer may see: admins and
// auditors see all, officers their own org's tenders, vendors the tenders
// they are invited to, anyone else nothing.
func visibleTo(viewer *User) func(*gorm.DB) *gorm.DB {
	return visibleByRole(viewer,
		func(q *gorm.DB, buyer uint) *gorm.DB {
			return q.Where("tenders.buyer_org_id = ?", buyer)
		},
		// A vendor sees the tenders its supplier has an attestation on,
		// that is, was invited to.
		func(q *gorm.DB, supplier uint) *gorm.DB {
			return q.Where("tenders.id IN (SELECT tender_id FROM attestations WHERE supplier_org_id = ?)", supplier)
		})
}

// ListTenders returns the tenders viewer may see, newest first, leaving out
// revisions whose amendment has been published (ListRevisions shows those).
// Each has its buyer org and RequirementCount filled.
func ListTenders(ctx context.Context, db *gorm.DB, viewer *User) ([]Tender, error) {
	var out []Tender
	q := db.WithContext(ctx).Joins("BuyerOrg").Scopes(visibleTo(viewer)).
		Where("tenders.superseded_at IS NULL").Order("tenders.created_at DESC, tenders.id DESC")
	if err := q.Find(&out).Error; err != nil {
		return nil, wrap(err, "list tenders")
	}
	if err := fillRequirementCounts(ctx, db, out); err != nil {
		return nil, err
	}
	return out, nil
}

// fillRequirementCounts sets RequirementCount on each tender with one query.
func fillRequirementCounts(ctx context.Context, db *gorm.DB, tenders []Tender) error {
	if len(tenders) == 0 {
		return nil
	}
	ids := make([]uint, len(tenders))
	for i := range tenders {
		ids[i] = tenders[i].ID
	}
	var rows []struct {
		TenderID uint
		N        int64
	}
	err := db.WithContext(ctx).Model(&Requirement{}).Select("tender_id, COUNT(*) AS n").
		Where("tender_id IN ?", ids).Group("tender_id").Scan(&rows).Error
	if err != nil {
		return wrap(err, "count requirements")
	}
	counts := make(map[uint]int64, len(rows))
	for _, r := range rows {
		counts[r.TenderID] = r.N
	}
	for i := range tenders {
		tenders[i].RequirementCount = counts[tenders[i].ID]
	}
	return nil
}

// ListRevisions returns every revision of the tender series that tender id
// belongs to, oldest first.
func ListRevisions(ctx context.Context, db *gorm.DB, id uint) ([]Tender, error) {
	var t Tender
	if err := db.WithContext(ctx).Select("id, series_id").First(&t, id).Error; err != nil {
		return nil, wrap(err, "list revisions of tender %d", id)
	}
	var out []Tender
	if err := db.WithContext(ctx).Where("series_id = ?", t.SeriesID).Order("revision").Find(&out).Error; err != nil {
		return nil, wrap(err, "list revisions of tender %d", id)
	}
	return out, nil
}

// lockEditable reads tender id inside tx, locking its row on PostgreSQL
// (SQLite transactions already hold the write lock from BEGIN), and
// refuses unless by may change it (Tender.EditableBy): ErrForbidden for
// someone who does not manage it, ErrLocked unless it is a draft.
func lockEditable(tx *gorm.DB, by *User, id uint) (*Tender, error) {
	t, err := lockTender(tx, id)
	if err != nil {
		return nil, err
	}
	if err := t.EditableBy(by); err != nil {
		return nil, wrap(err, "change tender %d (%s)", id, t.Status)
	}
	return t, nil
}

func lockTender(tx *gorm.DB, id uint) (*Tender, error) {
	var t Tender
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&t, id).Error; err != nil {
		return nil, wrap(err, "tender %d", id)
	}
	return &t, nil
}

// UpdateTender changes a draft tender's fields for by, who must be allowed
// to (Tender.EditableBy); a published one gives ErrLocked. The buyer org
// never changes. The audit entry holds the fields that changed.
func UpdateTender(ctx context.Context, db *gorm.DB, by *User, id uint, in TenderInput, now time.Time) (*Tender, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockEditable(tx, by, id)
		if err != nil {
			return err
		}
		before := t.auditFields()
		t.Title, t.Reference, t.Description = in.Title, in.Reference, in.Description
		t.EstimatedValueCents, t.Currency, t.ScopeTags = in.EstimatedValueCents, in.Currency, in.ScopeTags
		t.Language = cmp.Or(in.Language, t.Language)
		t.DeadlineZone = cmp.Or(in.DeadlineZone, t.DeadlineZone, DefaultOrgZone)
		t.Deadline = in.deadlineIn(t.Location())
		err = tx.Model(t).Select("title", "reference", "description", "estimated_value_cents", "currency", "language", "deadline", "deadline_zone", "scope_tags", "updated_at").
			Updates(t).Error
		if err != nil {
			return wrap(err, "update tender %d", id)
		}
		b, a := changedFields(before, t.auditFields())
		if len(a) == 0 {
			return nil
		}
		return tenderAudit(tx, by, now, "tender.edit", t, b, a)
	})
	if err != nil {
		return nil, err
	}
	return FindTender(ctx, db, id)
}

// DeleteTender removes a draft tender and its requirements for by, who
// must be allowed to change it; anything published stays for the record
// (ErrLocked).
func DeleteTender(ctx context.Context, db *gorm.DB, by *User, id uint, now time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockEditable(tx, by, id)
		if err != nil {
			return err
		}
		if err := tenderAudit(tx, by, now, "tender.delete", t, t.auditFields(), nil); err != nil {
			return err
		}
		if err := tx.Where("tender_id = ?", id).Delete(&Requirement{}).Error; err != nil {
			return wrap(err, "delete tender %d requirements", id)
		}
		return wrap(tx.Delete(&Tender{}, id).Error, "delete tender %d", id)
	})
}

// PublishTender freezes a draft's sheet: the status becomes published and
// PublishedAt is set. A deadline before now is refused (Tender.Publishable,
// a ValidationError on "deadline"), and so is an empty sheet (on
// "requirements"); a tender that is not a draft gives ErrLocked. Publishing
// an amendment marks the revision it supersedes as superseded. Only a
// user who may change the draft (Tender.EditableBy) may publish it.
func PublishTender(ctx context.Context, db *gorm.DB, by *User, id uint, now time.Time) (*Tender, error) {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockEditable(tx, by, id)
		if err != nil {
			return err
		}
		if err := t.Publishable(now); err != nil {
			return wrap(err, "publish tender %d", id)
		}
		var n int64
		if err := tx.Model(&Requirement{}).Where("tender_id = ?", id).Count(&n).Error; err != nil {
			return wrap(err, "publish tender %d", id)
		}
		if n == 0 {
			return invalid("requirements", "empty_sheet")
		}
		now := now.UTC()
		if err := tx.Model(t).Updates(map[string]any{"status": StatusPublished, "published_at": now}).Error; err != nil {
			return wrap(err, "publish tender %d", id)
		}
		if t.SupersedesID != nil {
			err := tx.Model(&Tender{}).Where("id = ?", *t.SupersedesID).Update("superseded_at", now).Error
			if err != nil {
				return wrap(err, "publish tender %d: supersede %d", id, *t.SupersedesID)
			}
		}
		return tenderAudit(tx, by, now, "tender.publish", t, map[string]any{"status": StatusDraft},
			map[string]any{"status": StatusPublished, "revision": t.Revision, "requirements": n})
	})
	if err != nil {
		return nil, err
	}
	return FindTender(ctx, db, id)
}

// AmendTender starts an amendment of published tender id: a new draft
// revision (Revision+1, SupersedesID = id) with a copy of the fields and the
// sheet. The published revision stays readable and locked. A draft cannot
// be amended (edit it instead), nor can a revision that already has an
// amendment, nor a tender past publication: all ErrConflict. A user who
// does not manage the tender gets ErrForbidden (Tender.AmendableBy).
//
// The audit entry is filed under the published revision: what was amended.
func AmendTender(ctx context.Context, db *gorm.DB, by *User, id uint, now time.Time) (*Tender, error) {
	var newID uint
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		old, err := lockTender(tx, id)
		if err != nil {
			return err
		}
		if err := old.AmendableBy(by); err != nil {
			return wrap(err, "amend tender %d", id)
		}
		var later int64
		if err := tx.Model(&Tender{}).Where("supersedes_id = ?", id).Count(&later).Error; err != nil {
			return wrap(err, "amend tender %d", id)
		}
		if later > 0 {
			return wrap(newState("already_amended", "revision", old.Revision), "amend tender %d", id)
		}
		var reqs []Requirement
		if err := tx.Where("tender_id = ?", id).Order("position, id").Find(&reqs).Error; err != nil {
			return wrap(err, "amend tender %d", id)
		}
		nt := &Tender{
			BuyerOrgID: old.BuyerOrgID, Title: old.Title, Reference: old.Reference, Description: old.Description,
			EstimatedValueCents: old.EstimatedValueCents, Currency: old.Currency, Language: old.Language, Deadline: old.Deadline,
			DeadlineZone: old.DeadlineZone,
			ScopeTags:    old.ScopeTags, Status: StatusDraft, CatalogueVersionID: old.CatalogueVersionID,
			Revision: old.Revision + 1, SeriesID: old.SeriesID, SupersedesID: &old.ID, CreatedByID: by.ID,
		}
		if err := tx.Omit("Requirements").Create(nt).Error; err != nil {
			return wrap(err, "amend tender %d", id)
		}
		if len(reqs) > 0 {
			copies := make([]Requirement, len(reqs))
			for i, r := range reqs {
				copies[i] = Requirement{TenderID: nt.ID, StandardID: r.StandardID, Position: i + 1,
					Level: r.Level, CustomClause: r.CustomClause, Note: r.Note, NotePublic: r.NotePublic}
			}
			if err := tx.Create(&copies).Error; err != nil {
				return wrap(err, "amend tender %d: copy requirements", id)
			}
		}
		newID = nt.ID
		return tenderAudit(tx, by, now, "tender.amend", old, map[string]any{"revision": old.Revision},
			map[string]any{"revision": nt.Revision, "new_revision_id": nt.ID})
	})
	if err != nil {
		return nil, err
	}
	return FindTender(ctx, db, newID)
}

// SetTenderStatus moves a tender along its lifecycle after publication
// (closed, awarded, active) or withdraws it, for by, who must manage it
// (Tender.ManageableBy). Use PublishTender to publish. A move the
// lifecycle does not allow gives ErrConflict.
func SetTenderStatus(ctx context.Context, db *gorm.DB, by *User, id uint, status string, now time.Time) (*Tender, error) {
	if !oneOf(status, TenderStatuses) {
		return nil, invalid("status", "not_one_of", "value", status, "allowed", TenderStatuses)
	}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockTender(tx, id)
		if err != nil {
			return err
		}
		if err := t.ManageableBy(by); err != nil {
			return wrap(err, "set status of tender %d", id)
		}
		if !oneOf(status, tenderTransitions[t.Status]) {
			return wrap(newState("bad_transition", "from", t.Status, "to", status), "set status of tender %d", id)
		}
		from := t.Status
		if err := tx.Model(t).Update("status", status).Error; err != nil {
			return wrap(err, "set tender %d status", id)
		}
		return tenderAudit(tx, by, now, "tender.status", t, map[string]any{"status": from}, map[string]any{"status": status})
	})
	if err != nil {
		return nil, err
	}
	return FindTender(ctx, db, id)
}

// FindTenderByReference returns the latest revision of the buyer org's
// tender with reference, or ErrNotFound.
func FindTenderByReference(ctx context.Context, db *gorm.DB, buyerOrgID uint, reference string) (*Tender, error) {
	var t Tender
	err := db.WithContext(ctx).Where("buyer_org_id = ? AND reference = ?", buyerOrgID, strings.TrimSpace(reference)).
		Order("revision DESC, id DESC").First(&t).Error
	if err != nil {
		return nil, wrap(err, "find tender %q", reference)
	}
	return FindTender(ctx, db, t.ID)
}
