package models

import (
	"context"
	"sort"
	"time"

	"gorm.io/gorm"
)

// MonitorScope is what a monitor covers: one year and either one buyer
// organisation or, with OrgID 0, every buyer on the instance.
type MonitorScope struct {
	Year  int
	OrgID uint
}

// MonitorScopeFor is the scope viewer may read for year and the
// organisation they ask for (0: all they may see). Auditors and admins
// read any buyer or all of them; an officer always reads their own
// organisation, and another's does not exist for them (ErrNotFound);
// vendors and officers without an organisation may not read the monitor.
func MonitorScopeFor(viewer *User, year int, org uint) (MonitorScope, error) {
	if viewer == nil || viewer.Disabled {
		return MonitorScope{}, ErrForbidden
	}
	switch viewer.Role {
	case RoleAdmin, RoleAuditor:
		return MonitorScope{Year: year, OrgID: org}, nil
	case RoleOfficer:
		if viewer.OrgID == nil {
			return MonitorScope{}, ErrForbidden
		}
		if org != 0 && org != *viewer.OrgID {
			return MonitorScope{}, wrap(ErrNotFound, "monitor of org %d", org)
		}
		return MonitorScope{Year: year, OrgID: *viewer.OrgID}, nil
	}
	return MonitorScope{}, ErrForbidden
}

// MonitorTender is one platform tender the monitor assesses: a published
// (not withdrawn, not superseded) tender whose sheet was published in the
// year, with its buyer's choice of kinds of ICT when there is one.
type MonitorTender struct {
	ID          uint
	BuyerOrgID  uint
	Buyer       string
	Reference   string
	Title       string
	Description string
	ScopeTags   []string
	Language    string
	Status      string
	PublishedAt time.Time
	// Kinds are the officer's choice; KindsChosen is false when they did
	// not choose (the monitor then suggests them).
	Kinds       []string
	KindsChosen bool
}

// MonitorRequirement is one standard on a monitored tender's sheet.
type MonitorRequirement struct {
	TenderID uint
	Slug     string
	Level    string
}

// MonitorDocument is one analysed tender document of the year: its stored
// analysis (Result, the API's JSON answer) holds the standards.
type MonitorDocument struct {
	ID        uint
	OrgID     uint
	Buyer     string
	Name      string
	Language  string
	Kinds     []string
	Result    string
	CreatedAt time.Time
}

// MonitorVerified counts, per tender and standard on its sheet, the
// verdicts of the newest finished run of each submitted attestation, and
// how many of them found every check passing (confirmed, or better than
// the vendor declared).
type MonitorVerified struct {
	TenderID uint
	Slug     string
	Verdicts int
	Passed   int
}

// MonitorOmission is a buyer's explanation for leaving a relevant
// standard out of a monitored tender.
type MonitorOmission struct {
	TenderID    uint
	Slug        string
	Explanation string
	UpdatedAt   time.Time
}

// MonitorData is the raw material of one year's monitor in one scope.
type MonitorData struct {
	Scope        MonitorScope
	Tenders      []MonitorTender
	Requirements []MonitorRequirement
	Documents    []MonitorDocument
	Verified     []MonitorVerified
	Omissions    []MonitorOmission
}

// yearRange is [1 January, next 1 January) of year in UTC.
func yearRange(year int) (time.Time, time.Time) {
	start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	return start, start.AddDate(1, 0, 0)
}

// monitorTenders limits a query on tenders to the scope's: published in
// the year, neither draft nor withdrawn, the newest published revision of
// a series (as the annual report counts them), of the scope's buyer.
func monitorTenders(s MonitorScope) func(*gorm.DB) *gorm.DB {
	start, end := yearRange(s.Year)
	return func(q *gorm.DB) *gorm.DB {
		q = q.Where("tenders.published_at >= ? AND tenders.published_at < ?", start, end).
			Where("tenders.status NOT IN ?", []string{StatusDraft, StatusWithdrawn}).
			Where("tenders.superseded_at IS NULL")
		if s.OrgID != 0 {
			q = q.Where("tenders.buyer_org_id = ?", s.OrgID)
		}
		return q
	}
}

// LoadMonitor reads a year's monitor in scope s with a handful of
// queries: the tenders, the standards on their sheets, the analysed
// documents, the verdicts grouped per tender and standard, and the
// explanations. No answer is loaded: verification is counted by the
// database.
func LoadMonitor(ctx context.Context, db *gorm.DB, s MonitorScope) (*MonitorData, error) {
	out := &MonitorData{Scope: s}
	base := func() *gorm.DB { return db.WithContext(ctx).Table("tenders").Scopes(monitorTenders(s)) }

	var tenders []struct {
		ID          uint
		BuyerOrgID  uint
		Buyer       string
		Reference   string
		Title       string
		Description string
		ScopeTags   []string `gorm:"serializer:json"`
		Language    string
		Status      string
		PublishedAt time.Time
		Kinds       *string
	}
	err := base().Select("tenders.id, tenders.buyer_org_id, orgs.name AS buyer, tenders.reference, tenders.title, tenders.description, " +
		"tenders.scope_tags, tenders.language, tenders.status, tenders.published_at, tenders.kinds").
		Joins("JOIN orgs ON orgs.id = tenders.buyer_org_id").
		Order("tenders.published_at, tenders.id").Scan(&tenders).Error
	if err != nil {
		return nil, wrap(err, "monitor %d: tenders", s.Year)
	}
	for _, t := range tenders {
		kinds, chosen := decodeKinds(t.Kinds)
		out.Tenders = append(out.Tenders, MonitorTender{
			ID: t.ID, BuyerOrgID: t.BuyerOrgID, Buyer: t.Buyer, Reference: t.Reference, Title: t.Title,
			Description: t.Description, ScopeTags: t.ScopeTags, Language: t.Language, Status: t.Status,
			PublishedAt: t.PublishedAt.UTC(), Kinds: kinds, KindsChosen: chosen,
		})
	}

	err = base().Select("requirements.tender_id, standards.slug, requirements.level").
		Joins("JOIN requirements ON requirements.tender_id = tenders.id").
		Joins("JOIN standards ON standards.id = requirements.standard_id").
		Order("requirements.tender_id, requirements.position").Scan(&out.Requirements).Error
	if err != nil {
		return nil, wrap(err, "monitor %d: requirements", s.Year)
	}

	// The verdicts of the newest done run of each submitted attestation's
	// current version, counted per tender and standard.
	err = base().Select("tenders.id AS tender_id, standards.slug, COUNT(*) AS verdicts, "+
		"SUM(CASE WHEN v.status IN ? THEN 1 ELSE 0 END) AS passed", []string{VerdictConfirmed, VerdictBetterThanDeclared}).
		Joins("JOIN attestations a ON a.tender_id = tenders.id AND a.status = ?", AttestationSubmitted).
		Joins(latestRunJoin).
		Joins("JOIN verifications v ON v.run_id = lr.run_id").
		Joins("JOIN requirements ON requirements.id = v.requirement_id").
		Joins("JOIN standards ON standards.id = requirements.standard_id").
		Group("tenders.id, standards.slug").Order("tenders.id, standards.slug").Scan(&out.Verified).Error
	if err != nil {
		return nil, wrap(err, "monitor %d: verified", s.Year)
	}

	err = base().Select("o.tender_id, o.standard_slug AS slug, o.explanation, o.updated_at").
		Joins("JOIN tender_omissions o ON o.tender_id = tenders.id").
		Order("o.tender_id, o.standard_slug").Scan(&out.Omissions).Error
	if err != nil {
		return nil, wrap(err, "monitor %d: omissions", s.Year)
	}

	var docs []struct {
		ID        uint
		OrgID     *uint
		Buyer     *string
		Name      string
		Language  string
		Kinds     []string `gorm:"serializer:json"`
		Result    string
		CreatedAt time.Time
	}
	q := db.WithContext(ctx).Table("tender_documents d").
		Select("d.id, d.org_id, orgs.name AS buyer, d.name, d.language, d.kinds, d.result, d.created_at").
		Joins("LEFT JOIN orgs ON orgs.id = d.org_id").Where("d.year = ?", s.Year)
	if s.OrgID != 0 {
		q = q.Where("d.org_id = ?", s.OrgID)
	}
	if err := q.Order("d.created_at, d.id").Scan(&docs).Error; err != nil {
		return nil, wrap(err, "monitor %d: documents", s.Year)
	}
	for _, d := range docs {
		md := MonitorDocument{ID: d.ID, Name: d.Name, Language: d.Language, Kinds: d.Kinds, Result: d.Result, CreatedAt: d.CreatedAt.UTC()}
		if d.OrgID != nil {
			md.OrgID = *d.OrgID
		}
		if d.Buyer != nil {
			md.Buyer = *d.Buyer
		}
		out.Documents = append(out.Documents, md)
	}
	return out, nil
}

// MonitorYears returns the years with a published tender or an analysed
// document in the scope's organisation (0: all), newest first.
func MonitorYears(ctx context.Context, db *gorm.DB, org uint) ([]int, error) {
	var dates []time.Time
	q := db.WithContext(ctx).Model(&Tender{}).Where("published_at IS NOT NULL")
	if org != 0 {
		q = q.Where("buyer_org_id = ?", org)
	}
	if err := q.Distinct().Pluck("published_at", &dates).Error; err != nil {
		return nil, wrap(err, "monitor years")
	}
	var docYears []int
	dq := db.WithContext(ctx).Model(&TenderDocument{})
	if org != 0 {
		dq = dq.Where("org_id = ?", org)
	}
	if err := dq.Distinct().Pluck("year", &docYears).Error; err != nil {
		return nil, wrap(err, "monitor years")
	}
	seen := map[int]bool{}
	var years []int
	add := func(y int) {
		if !seen[y] {
			seen[y] = true
			years = append(years, y)
		}
	}
	for _, d := range dates {
		add(d.UTC().Year())
	}
	for _, y := range docYears {
		add(y)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(years)))
	return years, nil
}

// BuyerOrg is a buyer organisation's id and name, for the monitor's
// organisation filter.
type BuyerOrg struct {
	ID   uint
	Name string
}

// ListBuyerOrgs returns every buyer organisation by name.
func ListBuyerOrgs(ctx context.Context, db *gorm.DB) ([]BuyerOrg, error) {
	var out []BuyerOrg
	err := db.WithContext(ctx).Model(&Org{}).Select("id, name").Where("kind = ?", OrgBuyer).Order("name, id").Scan(&out).Error
	return out, wrap(err, "buyer organisations")
}
