// Package sharing publishes report views at public, read-only links
// (models.SharedLink): which kinds of view exist, what each shows for a
// link's scope, and a short-lived copy of what was loaded so a link opened
// by many readers does not run the report's queries for each.
//
// The link itself is looked up in the database on every request, before
// any copy is used: a revoked link answers 404 at once on every process,
// however fresh the copy of its data.
package sharing

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
	"gorm.io/gorm"

	"tenderprobe/app/report"
	"tenderprobe/models"
)

// Scope is what one link shows: a year of the tenders of one buyer
// organisation (OrgID, named Org), or of every buyer (OrgID nil).
type Scope struct {
	Year  int
	OrgID *uint
	Org   string
}

// ScopeOf is the scope of link l (loaded with its Org).
func ScopeOf(l *models.SharedLink) Scope {
	s := Scope{Year: l.Year, OrgID: l.OrgID}
	if l.Org != nil {
		s.Org = l.Org.Name
	}
	return s
}

// key names the scope in the cache.
func (s Scope) key() string {
	if s.OrgID == nil {
		return fmt.Sprintf("%d/all", s.Year)
	}
	return fmt.Sprintf("%d/org/%d", s.Year, *s.OrgID)
}

// viewer is the reader a scope's report is loaded for: an auditor sees
// every buyer's tenders, an officer of the organisation only its own. It
// is never a stored account, so a link keeps its scope whatever becomes of
// its creator's (models.SharedLink.Live takes a link down instead).
func (s Scope) viewer() *models.User {
	if s.OrgID == nil {
		return &models.User{Role: models.RoleAuditor}
	}
	org := *s.OrgID
	return &models.User{Role: models.RoleOfficer, OrgID: &org}
}

// A View is one kind's data for one scope, ready to be written in each
// format a link offers.
type View interface {
	// WriteCSV writes the view's table as CSV in lang's words.
	WriteCSV(w io.Writer, lang string) error
	// JSON is the view's data for the JSON file: codes, numbers and
	// names, never words of a language.
	JSON() any
	// PDF plans the view's PDF; ok is false for a kind without one.
	PDF(opt report.Options) (p report.Plan, ok bool)
	// Page is the data of the kind's HTML page, in lang.
	Page(lang string) any
}

// Kind is one kind of view a link can publish. Its Code names it in the
// database, in the API and in the links' file names
// (/shared/{token}/{code}.csv, .json, .pdf).
type Kind struct {
	Code string
	// TitleKey is the message key of the view's title, with {year}.
	TitleKey string
	// Page is the template of the view's HTML page.
	Page string
	// Load reads the view of a scope; now is the time of the request.
	Load func(ctx context.Context, db *gorm.DB, s Scope, now time.Time) (View, error)
}

// kinds is the registry of shareable views. A new kind (the monitor view
// of issue 15, for one) is one more entry, with its template.
var kinds = []Kind{annualKind, monitorKind}

// Lookup returns the kind named code.
func Lookup(code string) (Kind, bool) {
	i := slices.IndexFunc(kinds, func(k Kind) bool { return k.Code == code })
	if i < 0 {
		return Kind{}, false
	}
	return kinds[i], true
}

// Codes lists the codes of every kind, in the registry's order.
func Codes() []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k.Code
	}
	return out
}

// Formats are the files a link offers besides its page, by extension.
var Formats = []string{"csv", "json", "pdf", "xlsx"}

// fresh is how long a loaded view is reused for further readers of the
// same scope. An open year's numbers move with every answer; a minute
// behind is fine for a published report, and bounds the report's queries
// to one run a minute per scope however many people open the link.
const fresh = time.Minute

// Per link, a reader may open at most perSecond pages or files a second
// on average, in bursts of burst: enough for people, not for a loop.
const (
	perSecond = 2
	burst     = 20
)

// maxEntries bounds the kept views and limiters; when full they are
// dropped and kept again as readers come.
const maxEntries = 512

type entry struct {
	view View
	at   time.Time
}

// cache keeps recently loaded views and the links' rate limiters for one
// database.
type cache struct {
	mu       sync.Mutex
	views    map[string]entry
	limiters map[uint]*rate.Limiter
}

// caches holds one cache per database (by its *sql.DB): tests open many
// databases in one process.
var caches sync.Map

func cacheOf(db *gorm.DB) *cache {
	var key any = db
	if sqlDB, err := db.DB(); err == nil {
		key = sqlDB
	}
	c, _ := caches.LoadOrStore(key, &cache{views: map[string]entry{}, limiters: map[uint]*rate.Limiter{}})
	return c.(*cache)
}

// Allow reports whether link id may be served one more request at now.
func Allow(db *gorm.DB, id uint, now time.Time) bool {
	c := cacheOf(db)
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.limiters[id]
	if !ok {
		if len(c.limiters) >= maxEntries {
			clear(c.limiters)
		}
		l = rate.NewLimiter(perSecond, burst)
		c.limiters[id] = l
	}
	return l.AllowN(now, 1)
}

// Load returns kind k's view of scope s: a copy loaded less than a minute
// before now, or a fresh one. Only views are kept, never whether a link
// answers, which the caller decides from the database first.
func Load(ctx context.Context, db *gorm.DB, k Kind, s Scope, now time.Time) (View, error) {
	c := cacheOf(db)
	key := k.Code + "/" + s.key()
	c.mu.Lock()
	e, ok := c.views[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < fresh && !now.Before(e.at) {
		return e.view, nil
	}
	v, err := k.Load(ctx, db, s, now)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.views) >= maxEntries {
		clear(c.views)
	}
	c.views[key] = entry{view: v, at: now}
	c.mu.Unlock()
	return v, nil
}
