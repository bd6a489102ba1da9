package handlers

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/i18n"
	"tenderprobe/models"
)

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 50

// auditQuery is the audit page's filter as typed, kept to fill the form
// and the page links again.
type auditQuery struct {
	Actor, Org, Tender, Action, From, To, Attestation, Sort string
	Page                                                    int
}

// values is the query string of q for page (0 leaves the page out).
func (q auditQuery) values(page int) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"actor": q.Actor, "org": q.Org, "tender": q.Tender, "action": q.Action,
		"from": q.From, "to": q.To, "attestation_id": q.Attestation, "sort": q.Sort} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v
}

// parseAuditQuery reads and checks the audit page's filter: each problem
// is a message next to its field, so the page can say what to fix.
func parseAuditQuery(c *fiber.Ctx) (auditQuery, models.AuditFilter, map[string]string) {
	q := auditQuery{
		Actor: strings.TrimSpace(c.Query("actor")), Org: strings.TrimSpace(c.Query("org")),
		Tender: strings.TrimSpace(c.Query("tender", c.Query("tender_id"))), Action: strings.TrimSpace(c.Query("action")),
		From: strings.TrimSpace(c.Query("from")), To: strings.TrimSpace(c.Query("to")),
		Attestation: strings.TrimSpace(c.Query("attestation_id")), Sort: strings.TrimSpace(c.Query("sort")), Page: 1,
	}
	f := models.AuditFilter{Actor: q.Actor, Action: q.Action}
	errs := map[string]string{}
	id := func(field, v string) uint {
		if v == "" {
			return 0
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n == 0 {
			errs[field] = tr(c, "audit.filter.bad_id", map[string]any{"value": v})
			return 0
		}
		return uint(n)
	}
	f.OrgID, f.TenderID, f.AttestationID = id("org", q.Org), id("tender", q.Tender), id("attestation_id", q.Attestation)
	if len(q.Actor) > 254 {
		errs["actor"] = tr(c, "field.too_long", map[string]any{"max": 254})
	}
	switch q.Sort {
	case "", "newest":
		q.Sort = ""
	case "oldest":
		f.Oldest = true
	default:
		errs["sort"] = tr(c, "field.not_a_choice", nil)
	}
	if q.Action != "" && !slices.Contains(models.AuditActions, q.Action) {
		errs["action"] = tr(c, "audit.filter.bad_action", map[string]any{"value": q.Action})
	}
	date := func(field, v string) *time.Time {
		if v == "" {
			return nil
		}
		d, err := time.ParseInLocation("2006-01-02", v, localeOf(c).Zone)
		if err != nil {
			errs[field] = tr(c, "field.not_a_date", map[string]any{"value": v})
			return nil
		}
		return &d
	}
	f.From = date("from", q.From)
	if to := date("to", q.To); to != nil {
		end := to.AddDate(0, 0, 1) // the whole day named "to" is included
		f.To = &end
		if f.From != nil && to.Before(*f.From) {
			errs["to"] = tr(c, "audit.filter.to_before_from", map[string]any{"from": q.From})
		}
	}
	if p := strings.TrimSpace(c.Query("page")); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1_000_000 {
			errs["page"] = tr(c, "audit.filter.bad_page", map[string]any{"value": p})
		} else {
			q.Page = n
		}
	}
	f.Limit, f.Offset = auditPageSize, (q.Page-1)*auditPageSize
	return q, f, errs
}

// auditRow is one entry as the page and the CSV show it: codes turned
// into words, ids into names.
type auditRow struct {
	models.AuditEntry
	ActionText string
	// TenderNo and AttestationNo are the ids as numbers (0 for none),
	// for the words that name them.
	TenderNo, AttestationNo uint
	TenderTitle             string
	OrgName                 string
	Changes                 []string
}

func auditRows(loc Locale, entries []models.AuditEntry, names models.AuditNames) []auditRow {
	lang := loc.Lang
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		r := auditRow{AuditEntry: e, ActionText: auditActionText(lang, e.Action)}
		if e.TenderID != nil {
			r.TenderNo, r.TenderTitle = *e.TenderID, names.Tenders[*e.TenderID]
		}
		if e.AttestationID != nil {
			r.AttestationNo = *e.AttestationID
		}
		if e.OrgID != nil {
			r.OrgName = names.Orgs[*e.OrgID]
		}
		removed := e.After == "" || e.After == "null"
		for _, ch := range e.Changes() {
			r.Changes = append(r.Changes, auditChangeText(loc, names, e.ObjectType, ch, removed))
		}
		rows[i] = r
	}
	return rows
}

// auditActionText is the words of an action code.
func auditActionText(lang string, code string) string {
	if hasMessage("audit.action." + code) {
		return messageIn(lang, "audit.action."+code, nil)
	}
	return messageIn(lang, "audit.action.other", map[string]any{"code": code})
}

// auditChangeText writes one changed field as "level: recommended →
// mandatory", a new value as "level: mandatory", a value whose record was
// removed as "level: mandatory (removed)" and a value recorded only as
// context before the change as "level (before): mandatory".
func auditChangeText(loc Locale, names models.AuditNames, object string, ch models.AuditChange, removed bool) string {
	lang := loc.Lang
	field := auditFieldText(lang, ch.Field)
	val := func(s string, at time.Time, amount *models.Amount) string {
		switch {
		case !at.IsZero():
			return messages.DateTime(lang, at, loc.Zone)
		case amount != nil:
			return i18n.FormatMoney(lang, amount.Cents, amount.Currency)
		}
		return auditValueText(lang, names, object, ch, s)
	}
	before, after := val(ch.Before, ch.BeforeAt, ch.BeforeAmount), val(ch.After, ch.AfterAt, ch.AfterAmount)
	switch {
	case ch.HasBefore && ch.HasAfter:
		return fmt.Sprintf("%s: %s → %s", field, before, after)
	case ch.HasAfter:
		return fmt.Sprintf("%s: %s", field, after)
	case removed:
		return fmt.Sprintf("%s: %s %s", field, before, messageIn(lang, "audit.removed", nil))
	}
	return fmt.Sprintf("%s %s: %s", field, messageIn(lang, "audit.before", nil), before)
}

// auditFieldText is the words of a recorded field: its audit.field
// message, else the form's label for it. A field without either shows as
// its name, which TestEveryAuditFieldHasWords keeps from happening.
func auditFieldText(lang, field string) string {
	for _, key := range []string{"audit.field." + field, "label." + field, "answer.field." + field} {
		if hasMessage(key) {
			if strings.HasPrefix(key, "audit.") {
				return messageIn(lang, key, nil)
			}
			// Labels head a form field; in a list of changes they are
			// lower case like the rest.
			return strings.ToLower(messageIn(lang, key, nil))
		}
	}
	return strings.ReplaceAll(field, "_", " ")
}

// auditValueText is the words of one recorded value of ch: codes in the
// reader's words, standards by their names in the reader's language, the
// users' own text and numbers as they are.
func auditValueText(lang string, names models.AuditNames, object string, ch models.AuditChange, s string) string {
	standard := func(slug string) string {
		if n, ok := names.Standards[slug]; ok {
			return n.NameIn(lang)
		}
		return slug
	}
	if s == "" {
		return messageIn(lang, "audit.empty", nil)
	}
	switch {
	case ch.Bool:
		return codeWords(lang, "audit.value.bool", s)
	case ch.Field == "added":
		// A profile's standards, each as "slug (level)".
		items := strings.Split(s, ", ")
		for i, item := range items {
			if slug, level, ok := strings.Cut(strings.TrimSuffix(item, ")"), " ("); ok {
				items[i] = standard(slug) + " (" + codeWords(lang, "level", level) + ")"
			}
		}
		return strings.Join(items, ", ")
	case ch.Field == "kinds":
		items := strings.Split(s, ", ")
		for i, item := range items {
			items[i] = profileWords(lang, item)
		}
		return strings.Join(items, ", ")
	case ch.Field == "profile":
		return profileWords(lang, s)
	case ch.Field == "standard":
		return standard(s)
	case ch.Field == "sso_role_map":
		// "value=role" lines: each claim value with its role in words.
		lines := strings.Split(s, "\n")
		for i, line := range lines {
			if value, role, ok := strings.Cut(line, "="); ok {
				lines[i] = value + " → " + codeWords(lang, "role", role)
			}
		}
		return strings.Join(lines, "; ")
	case ch.Field == "reused_from":
		var from map[string]any
		if err := json.Unmarshal([]byte(s), &from); err == nil {
			if source, ok := from["source"].(string); ok && hasMessage("audit.value.reused_from."+source) {
				return messageIn(lang, "audit.value.reused_from."+source, from)
			}
		}
		return s
	}
	if ns := auditValueWords(object, ch.Field); ns != "" {
		return codeWords(lang, ns, s)
	}
	// A calendar day (a planned date, a last day) as the reader writes
	// days; it names no instant, so no zone applies.
	if len(s) == len(time.DateOnly) {
		if d, err := time.Parse(time.DateOnly, s); err == nil {
			return messages.Date(lang, d)
		}
	}
	return s
}

// codeWords is the words of code in namespace ns, or the code when the
// namespace has none for it.
func codeWords(lang, ns, code string) string {
	if hasMessage(ns + "." + code) {
		return messageIn(lang, ns+"."+code, nil)
	}
	return code
}

// profileKeys maps each profile's English name to its message key: an
// applied profile was recorded by its name (or, without one, its slug).
var profileKeys = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	for key, name := range messages.Texts(i18n.Default) {
		if strings.HasPrefix(key, "profile.name.") {
			out[name] = key
		}
	}
	return out
})

// profileWords is the name in lang of the profile recorded as name or slug.
func profileWords(lang, recorded string) string {
	if hasMessage("profile.name." + recorded) {
		return messageIn(lang, "profile.name."+recorded, nil)
	}
	if key, ok := profileKeys()[recorded]; ok {
		return messageIn(lang, key, nil)
	}
	return recorded
}

// auditValueWords is the namespace of the words of a recorded field's
// codes ("level": mandatory → "level.mandatory"), or "" for a field whose
// values are the users' own text or numbers. Booleans have theirs
// (AuditChange.Bool).
func auditValueWords(object, field string) string {
	switch field {
	case "level":
		return "level"
	case "role":
		return "role"
	case "review_status":
		return "review.state"
	case "note_visibility":
		return "audit.value.note_visibility"
	case "language":
		return "language_of"
	case "sso_fixed_role":
		return "role"
	case "sso_reason":
		return "sso.refused"
	case "sso_client_secret", "password":
		// A secret is recorded only as "set" or "changed", never itself.
		return "sso.secret"
	case "kind":
		switch object {
		case "org":
			return "org_kind"
		case "shared_link":
			return "shared.kind"
		}
		return "evidence_kind"
	case "status":
		switch object {
		case "tender":
			return "tender_status"
		case "attestation":
			return "review.attestation"
		case "answer":
			return "answer_status"
		}
	}
	return ""
}

// ListAuditLog shows the audit log to admins and auditors, newest first,
// 50 entries a page, filtered by actor, organisation, tender, action and
// dates; with format=csv it sends every entry of the filter as CSV.
// There is deliberately no route that edits or deletes an entry.
func (h *Handler) ListAuditLog(c *fiber.Ctx) error {
	ctx, viewer := c.UserContext(), currentUser(c)
	q, f, errs := parseAuditQuery(c)
	format := c.Query("format")
	if format != "" && format != "csv" && format != "xlsx" {
		errs["format"] = tr(c, "office.audit.bad_format", map[string]any{"value": format})
	}
	orgs, err := models.ListOrgs(ctx, h.DB, "")
	if err != nil {
		return err
	}
	data := fiber.Map{"Query": q, "Orgs": orgs, "Actions": auditActionOptions(localeOf(c).Lang), "Errors": errs}
	if len(errs) > 0 {
		return h.render(c, fiber.StatusBadRequest, "audit/list", "title.audit", data)
	}
	if format == "csv" || format == "xlsx" {
		f.Limit, f.Offset = -1, 0
		if format == "xlsx" {
			return h.sendAuditXLSX(c, viewer, f)
		}
		return h.sendAuditCSV(c, viewer, f)
	}
	total, err := models.CountAudit(ctx, h.DB, viewer, f)
	if err != nil {
		return err
	}
	entries, err := models.ListAudit(ctx, h.DB, viewer, f)
	if err != nil {
		return err
	}
	names, err := models.LoadAuditNames(ctx, h.DB, entries)
	if err != nil {
		return err
	}
	pages := int((total + auditPageSize - 1) / auditPageSize)
	data["Rows"] = auditRows(localeOf(c), entries, names)
	data["Total"], data["Pages"], data["Page"] = total, pages, q.Page
	data["PageLinks"] = auditPageLinks(q, pages)
	if q.Page > 1 {
		data["PrevLink"] = "/audit?" + q.values(q.Page-1).Encode()
	}
	if q.Page < pages {
		data["NextLink"] = "/audit?" + q.values(q.Page+1).Encode()
	}
	data["CSVLink"] = "/audit?" + withFormat(q.values(0))
	data["XLSXLink"] = "/audit?" + withFormatXLSX(q.values(0))
	data["First"], data["Last"] = f.Offset+1, f.Offset+len(entries)
	if f.TenderID != 0 {
		if t, err := models.FindTender(ctx, h.DB, f.TenderID); err == nil {
			data["TenderTitle"] = t.Title
		}
	}
	return h.render(c, fiber.StatusOK, "audit/list", "title.audit", data)
}

func withFormat(v url.Values) string {
	v.Set("format", "csv")
	return v.Encode()
}

// auditOption is one action of the filter's list, in words.
type auditOption struct{ Code, Text string }

func auditActionOptions(lang string) []auditOption {
	out := make([]auditOption, len(models.AuditActions))
	for i, a := range models.AuditActions {
		out[i] = auditOption{a, auditActionText(lang, a)}
	}
	return out
}

// auditPageLink is one link of the pager; a zero Page is a gap (…).
type auditPageLink struct {
	Page    int
	Href    string
	Current bool
}

// auditPageLinks lists the first and last page and two either side of
// the current one, with gaps between.
func auditPageLinks(q auditQuery, pages int) []auditPageLink {
	if pages <= 1 {
		return nil
	}
	var out []auditPageLink
	last := 0
	for p := 1; p <= pages; p++ {
		if p != 1 && p != pages && (p < q.Page-2 || p > q.Page+2) {
			continue
		}
		if last != 0 && p != last+1 {
			out = append(out, auditPageLink{})
		}
		out = append(out, auditPageLink{Page: p, Href: "/audit?" + q.values(p).Encode(), Current: p == q.Page})
		last = p
	}
	return out
}

// auditCSVColumns are the columns of the audit CSV in their fixed order:
// machine columns with the codes, ids and UTC times (RFC 3339), then the
// same in words. The header row is in the reader's language
// (audit.csv.<column>); programs read the columns by position, and a new
// column is only ever added at the end.
var auditCSVColumns = []string{"id", "at", "actor_id", "actor_email", "actor_name", "actor_role", "action", "object_type", "object_id",
	"tender_id", "org_id", "attestation_id", "before", "after", "action_text", "tender_title", "org_name", "changes",
	"at_local", "actor_role_words"}

// roleWords are the words of a role code, "" for none.
func roleWords(lang, role string) string {
	if role == "" {
		return ""
	}
	return messageIn(lang, "role."+role, nil)
}

// sendAuditCSV sends every entry of f: machine columns with the codes and
// ids, then the same in words.
func (h *Handler) sendAuditCSV(c *fiber.Ctx, viewer *models.User, f models.AuditFilter) error {
	ctx := c.UserContext()
	entries, err := models.ListAudit(ctx, h.DB, viewer, f)
	if err != nil {
		return err
	}
	names, err := models.LoadAuditNames(ctx, h.DB, entries)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	loc := localeOf(c)
	lang := loc.Lang
	_ = w.Write(csvHeader(lang, "audit.csv", auditCSVColumns))
	opt := func(p *uint) string {
		if p == nil {
			return ""
		}
		return strconv.FormatUint(uint64(*p), 10)
	}
	for _, r := range auditRows(loc, entries, names) {
		_ = w.Write(csvSafe([]string{strconv.FormatUint(uint64(r.ID), 10), r.At.UTC().Format(time.RFC3339), opt(r.ActorID), r.ActorEmail, r.ActorName, r.ActorRole,
			r.Action, r.ObjectType, strconv.FormatUint(uint64(r.ObjectID), 10), opt(r.TenderID), opt(r.OrgID), opt(r.AttestationID),
			r.Before, r.After, r.ActionText, r.TenderTitle, r.OrgName, strings.Join(r.Changes, "; "),
			messages.DateTime(lang, r.At, localeOf(c).Zone), roleWords(lang, r.ActorRole)}))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("handlers: audit csv: %w", err)
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="audit-log.csv"`)
	return c.Send(buf.Bytes())
}

// csvSafe keeps a spreadsheet from running a cell as a formula: a cell
// starting with = + - @ gets a leading apostrophe.
func csvSafe(cells []string) []string {
	for i, s := range cells {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			cells[i] = "'" + s
		}
	}
	return cells
}

// APIListAuditLog is GET /api/v1/audit: entries as JSON, or with
// format=csv|xlsx every entry of the filter as the web page exports them.
func (h *Handler) APIListAuditLog(c *fiber.Ctx) error {
	f := models.AuditFilter{Action: c.Query("action")}
	var err error
	if f.AttestationID, err = queryID(c, "attestation_id"); err != nil {
		return err
	}
	if f.TenderID, err = queryID(c, "tender_id"); err != nil {
		return err
	}
	if f.OrgID, err = queryID(c, "org_id"); err != nil {
		return err
	}
	if f.Limit, err = queryCount(c, "limit"); err != nil {
		return err
	}
	if f.Offset, err = queryCount(c, "offset"); err != nil {
		return err
	}
	// format=csv or xlsx sends every entry of the filter as a file, as
	// the web page's export does.
	switch format := c.Query("format"); format {
	case "", "json":
	case "csv", "xlsx":
		f.Limit, f.Offset = -1, 0
		if format == "xlsx" {
			return h.sendAuditXLSX(c, currentUser(c), f)
		}
		return h.sendAuditCSV(c, currentUser(c), f)
	default:
		return refuse(fiber.StatusBadRequest, "office.audit.bad_format", "value", format)
	}
	entries, err := models.ListAudit(c.UserContext(), h.DB, currentUser(c), f)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []models.AuditEntry{}
	}
	return c.JSON(fiber.Map{"entries": entries})
}
