package models

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// AuditEntry records one state change: who did what to which record, when,
// and the record before and after (JSON of the fields that changed).
// Entries are only ever inserted, in the same transaction as the change;
// the database refuses UPDATE and DELETE on the table. ActorEmail and
// ActorName are copied at the time, so renaming or removing the account
// later does not rewrite history; a failed login has the e-mail address
// that was tried and no ActorID.
type AuditEntry struct {
	ID            uint      `gorm:"primaryKey" json:"id"`
	At            time.Time `gorm:"not null;index" json:"at"`
	ActorID       *uint     `gorm:"index" json:"actor_id"`
	ActorEmail    string    `gorm:"size:254;not null;default:''" json:"actor_email"`
	ActorName     string    `gorm:"size:200;not null;default:''" json:"actor_name"`
	ActorRole     string    `gorm:"size:20;not null;default:''" json:"actor_role"`
	Action        string    `gorm:"size:50;not null;index" json:"action"`
	ObjectType    string    `gorm:"size:30;not null" json:"object_type"`
	ObjectID      uint      `gorm:"not null" json:"object_id"`
	AttestationID *uint     `gorm:"index" json:"attestation_id,omitempty"`
	TenderID      *uint     `gorm:"index" json:"tender_id,omitempty"`
	OrgID         *uint     `gorm:"index" json:"org_id,omitempty"`
	Before        string    `gorm:"type:text;not null;default:''" json:"before"`
	After         string    `gorm:"type:text;not null;default:''" json:"after"`
}

// AuditActions lists every action code the app records, in the order the
// audit page offers them as a filter. Each has the message key
// audit.action.<code>.
var AuditActions = []string{
	"login", "login.failed", "login.code_failed",
	"totp.enrol", "totp.enable", "totp.disable", "totp.recovery_used", "session.end", "user.sessions_end", "user.second_factor_reset",
	"passkey.add", "passkey.remove", "passkey.login", "passkey.login_failed",
	"tender.create", "tender.edit", "tender.publish", "tender.amend", "tender.status", "tender.delete",
	"requirement.add", "requirement.edit", "requirement.move", "requirement.remove", "profile.apply",
	"invitation.create", "invitation.revoke", "invitation.accept", "colleague.invite", "colleague.accept",
	"user.create", "user.edit", "user.disable", "user.enable", "user.password_reset",
	"org.create", "org.edit", "catalogue.import",
	"answer.save", "answer.amend", "evidence.upload", "evidence.remove", "scope.save",
	"attestation.submit", "attestation.amend", "attestation.reopen",
	"review.accept", "review.clarify", "review.reply",
	"monitor.kinds", "monitor.omission",
	"analysis.mail",
	"shared_link.create", "shared_link.revoke",
}

// writeAudit inserts e with the actor, time and before/after values (nil
// means none) inside tx, so the entry exists exactly when the change does.
// A nil by is Tenderprobe itself (the first start, the demo data, the
// command line). An entry about a tender is also filed under its buyer
// organisation.
func writeAudit(tx *gorm.DB, by *User, now time.Time, e AuditEntry, before, after any) error {
	e.At = now.UTC()
	if by != nil {
		id := by.ID
		e.ActorID, e.ActorEmail, e.ActorName, e.ActorRole = &id, by.Email, by.Name, by.Role
	}
	if e.OrgID == nil && e.TenderID != nil {
		var org uint
		if err := tx.Model(&Tender{}).Where("id = ?", *e.TenderID).Select("buyer_org_id").Scan(&org).Error; err != nil {
			return wrap(err, "audit entry %s: buyer of tender %d", e.Action, *e.TenderID)
		}
		if org != 0 {
			e.OrgID = &org
		}
	}
	var err error
	if e.Before, err = auditJSON(before); err != nil {
		return err
	}
	if e.After, err = auditJSON(after); err != nil {
		return err
	}
	if err := tx.Create(&e).Error; err != nil {
		return wrap(err, "write audit entry %s", e.Action)
	}
	return nil
}

// changedFields returns the fields of before and after whose values
// differ, as two maps for an audit entry: a readable before/after that
// leaves out what stayed the same.
func changedFields(before, after map[string]any) (map[string]any, map[string]any) {
	b, a := map[string]any{}, map[string]any{}
	for k, av := range after {
		bv, ok := before[k]
		if ok && fmt.Sprint(bv) == fmt.Sprint(av) {
			continue
		}
		if ok {
			b[k] = bv
		}
		a[k] = av
	}
	return b, a
}

// RecordLogin writes the audit entry of u's successful login.
func RecordLogin(ctx context.Context, db *gorm.DB, u *User, now time.Time) error {
	e := AuditEntry{Action: "login", ObjectType: "user", ObjectID: u.ID, OrgID: u.OrgID}
	return writeAudit(db.WithContext(ctx), u, now, e, nil, nil)
}

// RecordFailedLogin writes the audit entry of a failed login with the
// e-mail address that was tried, which need not belong to any account: no
// user id is recorded, and nothing says whether the account exists.
func RecordFailedLogin(ctx context.Context, db *gorm.DB, email string, now time.Time) error {
	email = NormalizeEmail(email)
	email = truncate(email, 254)
	e := AuditEntry{Action: "login.failed", ObjectType: "login", ActorEmail: email}
	return writeAudit(db.WithContext(ctx), nil, now, e, nil, nil)
}

// AuditChange is one field of an audit entry's before/after, as text.
type AuditChange struct {
	Field  string
	Before string
	After  string
	// HasBefore and HasAfter tell an empty value from no value.
	HasBefore, HasAfter bool
	// Bool is set when the values are JSON booleans, written "yes" and
	// "no": the reader's language has its own words for them.
	Bool bool
	// BeforeAt and AfterAt are the instants of values recorded as times
	// (zero otherwise), which Before and After write in UTC or a tender's
	// zone: a reader sees them in their own zone.
	BeforeAt, AfterAt time.Time
	// BeforeAmount and AfterAmount are the sums of values recorded as
	// amounts (a tender's estimated value; nil otherwise), which Before
	// and After write in English: a reader sees their own number style.
	BeforeAmount, AfterAmount *Amount
}

// auditContext lists the fields that name the record an entry is about;
// Changes keeps them even when they did not change.
var auditContext = map[string]bool{"standard": true}

// Changes returns the fields of e's before and after, sorted by field,
// with each value as plain text, so "level" reads recommended → mandatory.
// Fields whose value did not change are left out, except those that
// name the record (the standard of a requirement).
func (e *AuditEntry) Changes() []AuditChange {
	before, after := auditMap(e.Before), auditMap(e.After)
	keys := make([]string, 0, len(before)+len(after))
	for k := range before {
		keys = append(keys, k)
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []AuditChange
	for _, k := range keys {
		bv, hb := before[k]
		av, ha := after[k]
		_, boolBefore := bv.(bool)
		_, boolAfter := av.(bool)
		c := AuditChange{Field: k, HasBefore: hb, HasAfter: ha, Before: auditText(bv), After: auditText(av), Bool: boolBefore || boolAfter,
			BeforeAt: auditTime(e.ObjectType, k, bv), AfterAt: auditTime(e.ObjectType, k, av),
			BeforeAmount: auditAmount(e.ObjectType, k, bv), AfterAmount: auditAmount(e.ObjectType, k, av)}
		if hb && ha && c.Before == c.After {
			if !auditContext[k] {
				continue
			}
			// A field that names the record (which standard) stays, as
			// its value alone.
			c.HasBefore, c.Before = false, ""
		}
		out = append(out, c)
	}
	return out
}

func auditMap(s string) map[string]any {
	m := map[string]any{}
	if s == "" {
		return m
	}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return map[string]any{"value": s}
	}
	return m
}

// auditTime is the instant of a JSON value recorded as a time (RFC 3339,
// or a tender's deadline in its zone), or zero.
func auditTime(object, field string, v any) time.Time {
	s, ok := v.(string)
	if !ok {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	if object == "tender" && field == "deadline" {
		if t, ok := parseDeadlineText(s); ok {
			return t
		}
	}
	return time.Time{}
}

// auditAmount is the sum of a JSON value recorded as an amount (a
// tender's estimated value), or nil.
func auditAmount(object, field string, v any) *Amount {
	if s, ok := v.(string); ok && object == "tender" && field == "estimated_value" {
		if a, ok := parseEstimatedValue(s); ok {
			return &a
		}
	}
	return nil
}

// auditText writes a JSON value as a person reads it: strings bare,
// null as an empty string, lists joined by commas, times as UTC minutes.
func auditText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t.UTC().Format("2006-01-02 15:04 UTC")
		}
		return v
	case bool:
		if v {
			return "yes"
		}
		return "no"
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []any:
		parts := make([]string, len(v))
		for i, p := range v {
			parts[i] = auditText(p)
		}
		return strings.Join(parts, ", ")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func auditJSON(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", wrap(err, "audit value")
	}
	return string(b), nil
}

// AuditFilter narrows ListAudit; zero values mean no filter.
type AuditFilter struct {
	AttestationID uint
	TenderID      uint
	OrgID         uint
	// Actor matches part of the actor's e-mail address or name, ignoring case.
	Actor  string
	Action string
	// From and To bound At: From <= At < To.
	From, To *time.Time
	// Oldest lists the earliest entries first; by default the newest come
	// first.
	Oldest bool
	Limit  int
	Offset int
}

// CanReadAudit reports whether u may read the audit log: admins and auditors.
func (u *User) CanReadAudit() bool {
	return u != nil && !u.Disabled && (u.Role == RoleAdmin || u.Role == RoleAuditor)
}

// auditQuery is the filtered query of f, for a viewer allowed to read the
// log (ErrForbidden otherwise).
func auditQuery(ctx context.Context, db *gorm.DB, viewer *User, f AuditFilter) (*gorm.DB, error) {
	if !viewer.CanReadAudit() {
		return nil, wrap(&ForbiddenError{Code: "role"}, "read audit log as %q", roleOf(viewer))
	}
	q := db.WithContext(ctx).Model(&AuditEntry{})
	if f.AttestationID != 0 {
		q = q.Where("attestation_id = ?", f.AttestationID)
	}
	if f.TenderID != 0 {
		q = q.Where("tender_id = ?", f.TenderID)
	}
	if f.OrgID != 0 {
		q = q.Where("org_id = ?", f.OrgID)
	}
	if a := strings.ToLower(strings.TrimSpace(f.Actor)); a != "" {
		like := "%" + escapeLike(a) + "%"
		q = q.Where("(LOWER(actor_email) LIKE ? ESCAPE '\\' OR LOWER(actor_name) LIKE ? ESCAPE '\\')", like, like)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.From != nil {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("at < ?", f.To.UTC())
	}
	return q, nil
}

// ListAudit returns audit entries, newest first (by time, then by id), for a viewer allowed to
// read the log (ErrForbidden otherwise). Limit defaults to 100; a negative
// Limit means every entry (the CSV export).
func ListAudit(ctx context.Context, db *gorm.DB, viewer *User, f AuditFilter) ([]AuditEntry, error) {
	q, err := auditQuery(ctx, db, viewer, f)
	if err != nil {
		return nil, err
	}
	switch {
	case f.Limit < 0:
	case f.Limit == 0 || f.Limit > 1000:
		q = q.Limit(100)
	default:
		q = q.Limit(f.Limit)
	}
	var out []AuditEntry
	if err := q.Order(map[bool]string{false: "at DESC, id DESC", true: "at, id"}[f.Oldest]).Offset(max(f.Offset, 0)).Find(&out).Error; err != nil {
		return nil, wrap(err, "list audit entries")
	}
	return out, nil
}

// CountAudit counts the entries ListAudit would page through with f.
func CountAudit(ctx context.Context, db *gorm.DB, viewer *User, f AuditFilter) (int64, error) {
	q, err := auditQuery(ctx, db, viewer, f)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return 0, wrap(err, "count audit entries")
	}
	return n, nil
}

// errAppendOnly is the message the database gives when anything tries to
// change or delete an audit entry.
const errAppendOnly = "the audit log is append-only"

// auditTriggers are the triggers protectAuditLog creates, per dialect.
var auditTriggers = map[bool][]string{
	true:  {"audit_entries_no_update", "audit_entries_no_delete"},
	false: {"audit_entries_append_only"},
}

// protectAuditLog makes the database itself refuse UPDATE and DELETE on
// the audit log, so not even a bug in the app can rewrite history. It is a
// migration of its own and idempotent: every later migration that touches
// audit_entries calls it again, since an SQLite table rebuild drops the
// table's triggers. It runs inside Migrate's transaction, whose lock keeps
// two starting servers from creating the trigger at the same time.
func protectAuditLog(tx *gorm.DB) error {
	if tx.Name() == "sqlite" {
		for _, op := range []string{"UPDATE", "DELETE"} {
			sql := fmt.Sprintf("CREATE TRIGGER IF NOT EXISTS audit_entries_no_%s BEFORE %s ON audit_entries BEGIN SELECT RAISE(ABORT, '%s'); END",
				strings.ToLower(op), op, errAppendOnly)
			if err := tx.Exec(sql).Error; err != nil {
				return wrap(err, "protect audit log")
			}
		}
		return nil
	}
	if n, err := countAuditTriggers(tx); err != nil || n > 0 {
		return err
	}
	stmts := []string{
		"CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '" + errAppendOnly + "'; END $$",
		"CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
	}
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return wrap(err, "protect audit log")
		}
	}
	return nil
}

// countAuditTriggers counts the triggers of protectAuditLog that exist.
func countAuditTriggers(tx *gorm.DB) (int64, error) {
	sqlite := tx.Name() == "sqlite"
	q := "SELECT COUNT(*) FROM pg_trigger WHERE tgname IN ? AND tgrelid = 'audit_entries'::regclass"
	if sqlite {
		q = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entries' AND name IN ?"
	}
	var n int64
	if err := tx.Raw(q, auditTriggers[sqlite]).Scan(&n).Error; err != nil {
		return 0, wrap(err, "audit log triggers")
	}
	return n, nil
}

// AuditLogUnprotectedError says that after migrating the audit log lacks
// the triggers that make it append-only: a migration touched audit_entries
// and did not call protectAuditLog, or someone dropped them by hand.
type AuditLogUnprotectedError struct {
	// Found and Want count the triggers.
	Found, Want int64
}

// Error gives the counts.
func (e *AuditLogUnprotectedError) Error() string {
	return fmt.Sprintf("the audit log is not append-only after migrating: %d of its %d triggers exist", e.Found, e.Want)
}

// checkAuditLogProtected returns an AuditLogUnprotectedError unless every
// trigger of protectAuditLog exists. Migrate calls it last, inside its
// transaction, so that no migration can leave the audit log open.
func checkAuditLogProtected(tx *gorm.DB) error {
	n, err := countAuditTriggers(tx)
	if err != nil {
		return err
	}
	if want := int64(len(auditTriggers[tx.Name() == "sqlite"])); n != want {
		return &AuditLogUnprotectedError{Found: n, Want: want}
	}
	return nil
}

// AuditNames holds the names an audit page shows next to ids: tender
// titles and organisation names as they are now.
type AuditNames struct {
	Tenders map[uint]string
	Orgs    map[uint]string
	// Standards are the names of the standards entries record by slug
	// (a requirement's standard, a profile's added standards), from the
	// newest catalogue version that has each.
	Standards map[string]StandardName
}

// LoadAuditNames looks up, with one query per table, the titles of the
// tenders and the names of the organisations that entries refer to.
func LoadAuditNames(ctx context.Context, db *gorm.DB, entries []AuditEntry) (AuditNames, error) {
	names := AuditNames{Tenders: map[uint]string{}, Orgs: map[uint]string{}, Standards: map[string]StandardName{}}
	var tids, oids []uint
	var slugs []string
	for _, e := range entries {
		slugs = append(slugs, e.standardSlugs()...)
		if e.TenderID != nil {
			tids = append(tids, *e.TenderID)
		}
		if e.OrgID != nil {
			oids = append(oids, *e.OrgID)
		}
	}
	if len(tids) > 0 {
		var ts []Tender
		if err := db.WithContext(ctx).Select("id", "title", "revision").Where("id IN ?", slices.Compact(slices.Sorted(slices.Values(tids)))).Find(&ts).Error; err != nil {
			return names, wrap(err, "audit: tender titles")
		}
		for _, t := range ts {
			names.Tenders[t.ID] = t.Title
		}
	}
	if len(oids) > 0 {
		var os []Org
		if err := db.WithContext(ctx).Select("id", "name").Where("id IN ?", slices.Compact(slices.Sorted(slices.Values(oids)))).Find(&os).Error; err != nil {
			return names, wrap(err, "audit: organisation names")
		}
		for _, o := range os {
			names.Orgs[o.ID] = o.Name
		}
	}
	if len(slugs) > 0 {
		var ss []Standard
		if err := db.WithContext(ctx).Select("slug", "name", "translations", "catalogue_version_id").
			Where("slug IN ?", slices.Compact(slices.Sorted(slices.Values(slugs)))).Order("catalogue_version_id").Find(&ss).Error; err != nil {
			return names, wrap(err, "audit: standard names")
		}
		for i := range ss {
			names.Standards[ss[i].Slug] = NameOf(&ss[i])
		}
	}
	return names, nil
}

// standardSlugs are the slugs of the standards e records: the value of
// "standard", and each "slug (level)" of a profile's "added".
func (e *AuditEntry) standardSlugs() []string {
	// Most entries name no standard: decoding them here would read every
	// entry of an export twice.
	if !strings.Contains(e.Before, `"standard"`) && !strings.Contains(e.After, `"standard"`) && !strings.Contains(e.After, `"added"`) {
		return nil
	}
	var out []string
	for _, ch := range e.Changes() {
		switch ch.Field {
		case "standard":
			out = append(out, ch.Before, ch.After)
		case "added":
			for _, item := range strings.Split(ch.After, ", ") {
				slug, _, _ := strings.Cut(item, " (")
				out = append(out, slug)
			}
		}
	}
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}
