package models

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/i18n"
	"tenderprobe/app/probe/check"
)

// The four domains of the IS3C WG5 list; every standard is in exactly one.
const (
	DomainDataProtection = "data-protection-privacy"
	DomainNetwork        = "network-infrastructure"
	DomainWeb            = "website-web-application"
	DomainCommunication  = "communication"
)

// Domains lists the allowed Standard.Domain values in display order.
var Domains = []string{DomainDataProtection, DomainNetwork, DomainWeb, DomainCommunication}

var domainNames = map[string]string{
	DomainDataProtection: "Data protection and privacy",
	DomainNetwork:        "Network infrastructure",
	DomainWeb:            "Website and web application",
	DomainCommunication:  "Communication",
}

// DomainName returns the human name of a domain slug, or the slug itself
// when it is unknown.
func DomainName(domain string) string {
	if n, ok := domainNames[domain]; ok {
		return n
	}
	return domain
}

// Kinds of defining document.
const (
	RefRFC   = "RFC"
	RefISO   = "ISO"
	RefOther = "other"
)

// ReferenceKinds lists the allowed Reference.Kind values.
var ReferenceKinds = []string{RefRFC, RefISO, RefOther}

// Reference is a document that defines a standard, such as RFC 6797 or
// ISO/IEC 27001:2022.
type Reference struct {
	Kind  string `json:"kind" yaml:"kind"`
	ID    string `json:"id" yaml:"id"`
	Title string `json:"title" yaml:"title"`
	URL   string `json:"url" yaml:"url"`
}

// Label returns the reference as people cite it: "RFC 6797", "ISO/IEC 27001:2022".
func (r Reference) Label() string {
	if r.Kind == RefRFC {
		return "RFC " + r.ID
	}
	return r.ID
}

// CatalogueVersion is one imported edition of the standards catalogue.
// Versions never change once imported, because tenders keep referring to
// the version they were built from. Exactly one version is current.
type CatalogueVersion struct {
	ID         uint      `gorm:"primaryKey" json:"id"`
	Version    string    `gorm:"size:50;not null;uniqueIndex" json:"version"`
	Title      string    `gorm:"size:300;not null" json:"title"`
	ImportedAt time.Time `gorm:"not null" json:"imported_at"`
	Current    bool      `gorm:"column:is_current;not null;default:false;index" json:"current"`
	// Revision counts the changes of the version after its import (new
	// translations); the in-memory copies of a version are keyed by it.
	Revision  int        `gorm:"not null;default:1" json:"-"`
	Standards []Standard `json:"standards,omitempty"`
	// TitleTranslations is the title in the languages other than English,
	// by language tag (TitleIn reads it).
	TitleTranslations map[string]string `gorm:"type:text;serializer:json" json:"-"`
}

// TitleIn is the version's title in lang, or the English title when the
// catalogue has none in lang.
func (cv *CatalogueVersion) TitleIn(lang string) string {
	if t := cv.TitleTranslations[lang]; t != "" && lang != i18n.Default {
		return t
	}
	return cv.Title
}

// Standard is one entry of the catalogue: an internet security standard a
// buyer can demand, with the clause to paste into tender documents and the
// probe checks that can verify it from outside (none: attestation only).
type Standard struct {
	ID                 uint              `gorm:"primaryKey" json:"id"`
	CatalogueVersionID uint              `gorm:"not null;uniqueIndex:idx_standard_version_slug,priority:1" json:"catalogue_version_id"`
	CatalogueVersion   *CatalogueVersion `gorm:"constraint:OnDelete:RESTRICT" json:"-"`
	Slug               string            `gorm:"size:60;not null;uniqueIndex:idx_standard_version_slug,priority:2" json:"slug"`
	Position           int               `gorm:"not null;default:0" json:"position"`
	Name               string            `gorm:"size:200;not null" json:"name"`
	Domain             string            `gorm:"size:40;not null;index" json:"domain"`
	Summary            string            `gorm:"type:text;not null" json:"summary"`
	WhyDemand          string            `gorm:"type:text;not null" json:"why_demand"`
	Clause             string            `gorm:"type:text;not null" json:"clause"`
	References         []Reference       `gorm:"type:text;serializer:json" json:"references"`
	Checks             []check.ID        `gorm:"type:text;serializer:json" json:"checks"`
	// Translations are the texts in the other languages (In reads them);
	// the API shows them through its own types.
	Translations StandardTranslations `gorm:"type:text;serializer:json" json:"-"`
	// Aliases are other names tender documents use for the standard
	// (catalogue field aliases; migration 0020 adds the column).
	Aliases []string `gorm:"type:text;serializer:json" json:"aliases,omitempty"`
}

// DomainName returns the human name of the standard's domain.
func (s *Standard) DomainName() string { return DomainName(s.Domain) }

// AttestationOnly reports whether no probe check can verify the standard,
// so only the vendor's word and evidence count.
func (s *Standard) AttestationOnly() bool { return len(s.Checks) == 0 }

// StandardFilter narrows ListStandards. Empty fields match everything;
// an empty Version means the current catalogue.
type StandardFilter struct {
	Query   string
	Domain  string
	Version string
	// Lang is the reader's language: Query also matches the name and
	// summary in it. Empty or English: the English texts only.
	Lang string
	// Catalogue, when set, is the version to list (already read by the
	// caller), and Version is not looked up.
	Catalogue *CatalogueVersion
}

// Validate checks the invariants every stored standard keeps: a slug, a
// name, one of the four domains, the texts a tender needs, and only probe
// checks that exist. Package app/catalogue checks files in more detail and
// names the lines; this is the last line of defence.
func (s *Standard) Validate() error {
	switch {
	case s.Slug == "" || strings.ToLower(s.Slug) != s.Slug || strings.ContainsAny(s.Slug, " /?#%"):
		return invalid("slug", "not_a_slug", "value", s.Slug)
	case strings.TrimSpace(s.Name) == "":
		return invalid("name", "required_for", "slug", s.Slug)
	case !oneOf(s.Domain, Domains):
		return invalid("domain", "not_one_of_for", "value", s.Domain, "slug", s.Slug, "allowed", Domains)
	case strings.TrimSpace(s.Clause) == "":
		return invalid("clause", "required_for", "slug", s.Slug)
	}
	for _, c := range s.Checks {
		if !check.Known(c) {
			return invalid("checks", "not_a_check", "value", c, "slug", s.Slug)
		}
	}
	for lang, t := range s.Translations {
		if lang == i18n.Default || !slices.Contains(i18n.Available(), lang) {
			return invalid("translations", "not_one_of_for", "value", lang, "slug", s.Slug, "allowed", i18n.Available()[1:])
		}
		if !t.Complete() {
			return invalid("translations", "required_for", "slug", s.Slug)
		}
	}
	return nil
}

// CurrentCatalogue returns the current catalogue version, or ErrNotFound
// when no catalogue was loaded.
func CurrentCatalogue(ctx context.Context, db *gorm.DB) (*CatalogueVersion, error) {
	var cv CatalogueVersion
	if err := db.WithContext(ctx).Where("is_current = ?", true).Order("id DESC").First(&cv).Error; err != nil {
		return nil, wrap(err, "current catalogue")
	}
	return &cv, nil
}

// FindCatalogueVersion returns the catalogue version called version, or ErrNotFound.
func FindCatalogueVersion(ctx context.Context, db *gorm.DB, version string) (*CatalogueVersion, error) {
	var cv CatalogueVersion
	if err := db.WithContext(ctx).Where("version = ?", version).First(&cv).Error; err != nil {
		return nil, wrap(err, "find catalogue version %q", version)
	}
	return &cv, nil
}

// ListCatalogueVersions returns every imported version, newest first.
func ListCatalogueVersions(ctx context.Context, db *gorm.DB) ([]CatalogueVersion, error) {
	var out []CatalogueVersion
	if err := db.WithContext(ctx).Order("imported_at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, wrap(err, "list catalogue versions")
	}
	return out, nil
}

// ListStandards returns the standards of one catalogue version matching f,
// in catalogue order. Query matches slug, name and summary, ignoring case.
func ListStandards(ctx context.Context, db *gorm.DB, f StandardFilter) ([]Standard, error) {
	cv := f.Catalogue
	var err error
	switch {
	case cv != nil:
	case f.Version == "":
		cv, err = CurrentCatalogue(ctx, db)
	default:
		cv, err = FindCatalogueVersion(ctx, db, f.Version)
	}
	if err != nil {
		return nil, err
	}
	if f.Domain != "" && !oneOf(f.Domain, Domains) {
		return nil, invalid("domain", "not_one_of", "value", f.Domain, "allowed", Domains)
	}
	all, err := standardsOf(ctx, db, cv)
	if err != nil {
		return nil, err
	}
	term := strings.TrimSpace(f.Query)
	// A catalogue version is a few dozen standards, kept decoded in
	// memory; filtering them here also searches the translations, which
	// are one JSON column SQL cannot search field by field.
	out := slices.DeleteFunc(slices.Clone(all), func(s Standard) bool {
		return (f.Domain != "" && s.Domain != f.Domain) || (term != "" && !s.matches(term, f.Lang))
	})
	return out, nil
}

// versionKey names one state of a catalogue version in one database (the
// *gorm.Config its sessions and transactions share: tests open many).
type versionKey struct {
	db    *gorm.Config
	stamp string
}

// Stamp names this state of the version: its id, revision, name and import
// time (which tell apart a version whose id was reused after an import was
// rolled back, as SQLite reuses the highest rowid). What is kept of a
// version is kept under its stamp.
func (cv *CatalogueVersion) Stamp() string {
	return fmt.Sprintf("%d/%d/%s/%d", cv.ID, cv.Revision, cv.Version, cv.ImportedAt.UnixNano())
}

// standardsCache holds each catalogue version's standards, decoded, by
// versionKey: a version only changes through AddMissingTranslations, which
// bumps its revision, so an entry is never stale for its key. Versions are
// few; the bound only guards against a runaway import loop.
var standardsCache sync.Map

// standardsCacheMax bounds standardsCache.
const standardsCacheMax = 32

// standardsOrder is the order the kept versions were stored in: the
// oldest goes first when the bound is reached. (Dropping whichever
// sync.Map.Range met first could drop the version just stored.)
var standardsOrder struct {
	sync.Mutex
	keys []versionKey
}

// standardsOf returns the standards of cv in catalogue order, from memory
// when this revision was read before. Callers must not modify them.
func standardsOf(ctx context.Context, db *gorm.DB, cv *CatalogueVersion) ([]Standard, error) {
	key := versionKey{db.Config, cv.Stamp()}
	if v, ok := standardsCache.Load(key); ok {
		return v.([]Standard), nil
	}
	var out []Standard
	if err := db.WithContext(ctx).Where("catalogue_version_id = ?", cv.ID).Order("position, slug").Find(&out).Error; err != nil {
		return nil, wrap(err, "list standards")
	}
	standardsOrder.Lock()
	defer standardsOrder.Unlock()
	for len(standardsOrder.keys) >= standardsCacheMax {
		standardsCache.Delete(standardsOrder.keys[0])
		standardsOrder.keys = standardsOrder.keys[1:]
	}
	standardsOrder.keys = append(standardsOrder.keys, key)
	standardsCache.Store(key, out)
	return out, nil
}

// forgetStandards drops the kept standards of cvs.
func forgetStandards(db *gorm.DB, cvs []CatalogueVersion) {
	for i := range cvs {
		standardsCache.Delete(versionKey{db.Config, cvs[i].Stamp()})
	}
}

// standardsByID returns the standards of catalogue versions versionIDs by
// id, from the cache. The pointers are shared: callers must not modify them.
func standardsByID(ctx context.Context, db *gorm.DB, versionIDs []uint) (map[uint]*Standard, error) {
	out := map[uint]*Standard{}
	if len(versionIDs) == 0 {
		return out, nil
	}
	var cvs []CatalogueVersion
	if err := db.WithContext(ctx).Where("id IN ?", versionIDs).Find(&cvs).Error; err != nil {
		return nil, wrap(err, "catalogue versions %v", versionIDs)
	}
	return standardsIn(ctx, db, cvs)
}

// standardsIn returns the standards of catalogue versions cvs by id, from
// the cache. The pointers are shared: callers must not modify them.
func standardsIn(ctx context.Context, db *gorm.DB, cvs []CatalogueVersion) (map[uint]*Standard, error) {
	out := map[uint]*Standard{}
	for i := range cvs {
		list, err := standardsOf(ctx, db, &cvs[i])
		if err != nil {
			return nil, err
		}
		for j := range list {
			out[list[j].ID] = &list[j]
		}
	}
	return out, nil
}

// matches reports whether term occurs, ignoring case, in the standard's
// slug or in its name or summary in English or in lang.
func (s *Standard) matches(term, lang string) bool {
	term = strings.ToLower(term)
	t := s.In(lang)
	for _, v := range []string{s.Slug, s.Name, s.Summary, t.Name, t.Summary} {
		if strings.Contains(strings.ToLower(v), term) {
			return true
		}
	}
	return false
}

// escapeLike makes % and _ in a search term match themselves.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FindStandardBySlug returns the standard with slug in the current catalogue, or ErrNotFound.
func FindStandardBySlug(ctx context.Context, db *gorm.DB, slug string) (*Standard, error) {
	cv, err := CurrentCatalogue(ctx, db)
	if err != nil {
		return nil, err
	}
	return FindStandardInVersion(ctx, db, cv.ID, slug)
}

// FindStandardInVersion returns the standard with slug in catalogue version
// versionID, or ErrNotFound.
func FindStandardInVersion(ctx context.Context, db *gorm.DB, versionID uint, slug string) (*Standard, error) {
	var s Standard
	err := db.WithContext(ctx).Where("catalogue_version_id = ? AND slug = ?", versionID, strings.ToLower(strings.TrimSpace(slug))).First(&s).Error
	if err != nil {
		return nil, wrap(err, "find standard %q", slug)
	}
	return &s, nil
}

// ImportCatalogue stores a new catalogue version with its standards in one
// transaction. Each standard must pass Validate and slugs must be unique
// (package app/catalogue reports file problems by line before this). A version string that exists gives ErrConflict:
// versions are immutable. With makeCurrent the new version becomes the
// current one; tenders built from older versions keep them. by is the
// admin who imports (nil: Tenderprobe itself, at the first start or from
// the command line); the import is recorded in the audit log.
func ImportCatalogue(ctx context.Context, db *gorm.DB, by *User, version, title string, standards []Standard, makeCurrent bool, now time.Time) (*CatalogueVersion, error) {
	return ImportCatalogueVersion(ctx, db, by, CatalogueVersion{Version: version, Title: title}, standards, makeCurrent, now)
}

// ImportCatalogueVersion is ImportCatalogue for a version given with its
// title's translations (head: Version, Title, TitleTranslations).
func ImportCatalogueVersion(ctx context.Context, db *gorm.DB, by *User, head CatalogueVersion, standards []Standard, makeCurrent bool, now time.Time) (*CatalogueVersion, error) {
	if err := checkAdministers(by, "import catalogue"); err != nil {
		return nil, err
	}
	version, title := strings.TrimSpace(head.Version), head.Title
	for lang, t := range head.TitleTranslations {
		if lang == i18n.Default || !slices.Contains(i18n.Available(), lang) {
			return nil, invalid("translations", "not_one_of", "value", lang, "allowed", i18n.Available()[1:])
		}
		if strings.TrimSpace(t) == "" {
			return nil, invalid("translations", "required")
		}
	}
	if version == "" {
		return nil, invalid("version", "required")
	}
	if len(standards) == 0 {
		return nil, invalid("standards", "no_standards")
	}
	seen := make(map[string]bool, len(standards))
	for i := range standards {
		if err := standards[i].Validate(); err != nil {
			return nil, err
		}
		if seen[standards[i].Slug] {
			return nil, invalid("slug", "duplicate", "value", standards[i].Slug)
		}
		seen[standards[i].Slug] = true
	}
	cv := &CatalogueVersion{Version: version, Title: strings.TrimSpace(title), TitleTranslations: maps.Clone(head.TitleTranslations), ImportedAt: now.UTC()}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockCatalogue(tx); err != nil {
			return wrap(err, "import catalogue %s", version)
		}
		var n int64
		if err := tx.Model(&CatalogueVersion{}).Where("version = ?", version).Count(&n).Error; err != nil {
			return wrap(err, "import catalogue %s", version)
		}
		if n > 0 {
			return wrap(newState("catalogue_version_exists", "version", version), "import catalogue")
		}
		if makeCurrent {
			if err := tx.Model(&CatalogueVersion{}).Where("is_current = ?", true).Update("is_current", false).Error; err != nil {
				return wrap(err, "import catalogue %s", version)
			}
		} else {
			// The first catalogue is always current, so there is always one.
			var cur int64
			if err := tx.Model(&CatalogueVersion{}).Where("is_current = ?", true).Count(&cur).Error; err != nil {
				return wrap(err, "import catalogue %s", version)
			}
			makeCurrent = cur == 0
		}
		cv.Current = makeCurrent
		if makeCurrent {
			if err := checkLanguagesServed(tx, standards); err != nil {
				return wrap(err, "import catalogue %s", version)
			}
		}
		if err := tx.Create(cv).Error; err != nil {
			return wrap(err, "import catalogue %s", version)
		}
		rows := make([]Standard, len(standards))
		for i, s := range standards {
			s.ID = 0
			s.CatalogueVersionID = cv.ID
			s.CatalogueVersion = nil
			s.Position = i + 1
			if s.References == nil {
				s.References = []Reference{}
			}
			if s.Checks == nil {
				s.Checks = []check.ID{}
			}
			rows[i] = s
		}
		if err := tx.CreateInBatches(rows, 100).Error; err != nil {
			return wrap(err, "import catalogue %s: standards", version)
		}
		cv.Standards = rows
		return writeAudit(tx, by, now, AuditEntry{Action: "catalogue.import", ObjectType: "catalogue_version", ObjectID: cv.ID}, nil,
			map[string]any{"version": cv.Version, "title": cv.Title, "standards": len(rows), "current": cv.Current})
	})
	if err != nil {
		return nil, err
	}
	return cv, nil
}

// SetCurrentCatalogue makes the version with id the current one.
func SetCurrentCatalogue(ctx context.Context, db *gorm.DB, id uint) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockCatalogue(tx); err != nil {
			return wrap(err, "set current catalogue %d", id)
		}
		var cv CatalogueVersion
		if err := tx.First(&cv, id).Error; err != nil {
			return wrap(err, "set current catalogue %d", id)
		}
		var standards []Standard
		if err := tx.Where("catalogue_version_id = ?", id).Order("position, slug").Find(&standards).Error; err != nil {
			return wrap(err, "set current catalogue %d", id)
		}
		if err := checkLanguagesServed(tx, standards); err != nil {
			return wrap(err, "set current catalogue %d", id)
		}
		if err := tx.Model(&CatalogueVersion{}).Where("id <> ?", id).Update("is_current", false).Error; err != nil {
			return wrap(err, "set current catalogue %d", id)
		}
		return wrap(tx.Model(&cv).Update("is_current", true).Error, "set current catalogue %d", id)
	})
}

// lockCatalogue serialises changes to which version is current, so two
// imports at the same moment cannot both end up current. SQLite
// transactions already hold the database's write lock from BEGIN
// (_txlock=immediate); PostgreSQL needs a table lock that still lets
// readers through.
func lockCatalogue(tx *gorm.DB) error {
	if tx.Name() != "postgres" {
		return nil
	}
	return tx.Exec("LOCK TABLE catalogue_versions IN SHARE ROW EXCLUSIVE MODE").Error
}

// MissingLanguageError says that a catalogue version cannot become the
// current one: its standard Slug has no text in Lang, a language that
// tenders are published in. New tenders are built from the current
// version, and a buyer who publishes in Lang must find every standard in it.
type MissingLanguageError struct {
	Slug string
	Lang string
}

// Error names the standard and the language (logs only).
func (e *MissingLanguageError) Error() string {
	return "standard " + e.Slug + " has no text in " + e.Lang + ", the language of published tenders"
}

// Is makes the refusal match ErrConflict.
func (e *MissingLanguageError) Is(target error) bool { return target == ErrConflict }

// PublishedLanguages lists, in tag order, the languages of the tenders
// that were published: every tender that is not a draft, nor withdrawn
// (a withdrawn tender will not be amended or built again). Whatever
// catalogue version a tender was built from counts: the language is the
// buyer's, and their next tender is built from the current catalogue.
func PublishedLanguages(ctx context.Context, db *gorm.DB) ([]string, error) {
	return publishedLanguages(db.WithContext(ctx))
}

func publishedLanguages(tx *gorm.DB) ([]string, error) {
	var langs []string
	err := tx.Model(&Tender{}).Where("status NOT IN ?", []string{StatusDraft, StatusWithdrawn}).
		Distinct("language").Order("language").Pluck("language", &langs).Error
	if err != nil {
		return nil, wrap(err, "published languages")
	}
	return langs, nil
}

// checkLanguagesServed refuses standards (of a version about to become
// current) when one lacks a language that published tenders use.
func checkLanguagesServed(tx *gorm.DB, standards []Standard) error {
	langs, err := publishedLanguages(tx)
	if err != nil {
		return err
	}
	for i := range standards {
		for _, lang := range langs {
			if !standards[i].Has(lang) {
				return &MissingLanguageError{Slug: standards[i].Slug, Lang: lang}
			}
		}
	}
	return nil
}

// AddMissingTranslations gives the standards of catalogue version
// versionID the translations in bySlug, for the standards that have none
// yet and whose English texts are those of english[slug]. It is how a
// catalogue version imported before the catalogue carried translations
// (Tenderprobe's own, loaded at first start) gains them: the English
// texts, which tenders may have quoted, stay as they are. The version's
// title gains titles when it has no translations. It returns how many
// standards it changed and records the change in the audit log.
func AddMissingTranslations(ctx context.Context, db *gorm.DB, versionID uint, titles map[string]string, english map[string]StandardText, bySlug map[string]StandardTranslations, now time.Time) (int, error) {
	changed := 0
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cv CatalogueVersion
		if err := tx.First(&cv, versionID).Error; err != nil {
			return wrap(err, "add translations to catalogue %d", versionID)
		}
		if len(cv.TitleTranslations) == 0 && len(titles) > 0 {
			cv.TitleTranslations = maps.Clone(titles)
			if err := tx.Model(&cv).Select("TitleTranslations").Updates(&cv).Error; err != nil {
				return wrap(err, "add title translations to catalogue %d", versionID)
			}
		}
		var standards []Standard
		if err := tx.Where("catalogue_version_id = ?", versionID).Order("position, slug").Find(&standards).Error; err != nil {
			return wrap(err, "add translations to catalogue %d", versionID)
		}
		var slugs []string
		for i := range standards {
			s := &standards[i]
			en, ok := english[s.Slug]
			tr := bySlug[s.Slug]
			if !ok || len(s.Translations) > 0 || len(tr) == 0 ||
				en.Name != s.Name || en.Summary != s.Summary || en.WhyDemand != s.WhyDemand || en.Clause != s.Clause {
				continue
			}
			s.Translations = tr
			if err := s.Validate(); err != nil {
				return err
			}
			if err := tx.Model(s).Select("Translations").Updates(s).Error; err != nil {
				return wrap(err, "add translations to standard %s", s.Slug)
			}
			slugs = append(slugs, s.Slug)
		}
		changed = len(slugs)
		if changed == 0 {
			return nil
		}
		// Every process's in-memory copy of the version is now stale.
		if err := tx.Model(&CatalogueVersion{}).Where("id = ?", versionID).Update("revision", gorm.Expr("revision + 1")).Error; err != nil {
			return wrap(err, "add translations to catalogue %d", versionID)
		}
		return writeAudit(tx, nil, now, AuditEntry{Action: "catalogue.translations", ObjectType: "catalogue_version", ObjectID: versionID}, nil,
			map[string]any{"standards": slugs})
	})
	if err != nil {
		return 0, err
	}
	return changed, nil
}
