package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"gorm.io/gorm"

	"tenderprobe/models"
)

// A closed year's annual report is stored by the hash of what it shows,
// and finding that hash means loading the whole year (about a second for
// 5,000 tenders). Each process therefore also remembers, per report, the
// hash it stored or found at a change stamp (models.PageStamp, which every
// committed write to a table the report reads raises, by any process):
// while the stamp is the same, nothing the report shows can have changed,
// so the stored copy is sent without loading. After any write the next
// request loads, hashes and finds the stored copy (or renders) as before.

// annualKey names one annual report: the database, the year, whose
// tenders the reader sees, language and zone, and the texts and renderer
// it is written with.
type annualKey struct {
	db               any
	year             int
	viewer           string
	lang, zone, text string
}

// annualSeen is the hash stored or found at a stamp.
type annualSeen struct {
	stamp int64
	hash  string
}

// annualSeenAt holds annualKey → annualSeen.
var annualSeenAt sync.Map

func annualKeyOf(db *gorm.DB, year int, viewer *models.User, opt Options) annualKey {
	// The reader's tenders (models.visibleTo): every tender for auditors
	// and admins, a buyer's or supplier's own for the other roles.
	who := "all"
	if viewer != nil && (viewer.Disabled || (viewer.Role != models.RoleAuditor && viewer.Role != models.RoleAdmin)) {
		org := "none"
		if viewer.OrgID != nil {
			org = fmt.Sprint(*viewer.OrgID)
		}
		who = fmt.Sprintf("%s %s %t", viewer.Role, org, viewer.Disabled)
	}
	wd := wordsOf(opt)
	return annualKey{db: poolOf(db), year: year, viewer: who, lang: wd.lang, zone: wd.zone.String(), text: string(textsHash(wd.lang)) + string(renderer())}
}

// PlanAnnual plans the annual report of year for viewer (nil: every
// tender) in opt's language and zone, rendered at opt.Created. stamp is
// the database's change stamp read before anything else of the request.
// A closed year's report this process stored or found at stamp is planned
// from storage without loading the year; any other is loaded and planned
// with AnnualPlan, and remembered at stamp once in storage.
func PlanAnnual(ctx context.Context, db *gorm.DB, year int, viewer *models.User, opt Options, stamp int64) (Plan, error) {
	key := annualKeyOf(db, year, viewer, opt)
	if v, ok := annualSeenAt.Load(key); ok && v.(annualSeen).stamp == stamp && YearClosed(year, opt.Created) {
		p, found, err := storedPlan(ctx, db, v.(annualSeen).hash, opt)
		if err != nil || found {
			return p, err
		}
	}
	r, err := LoadAnnualReport(ctx, db, year, viewer)
	if err != nil {
		return Plan{}, err
	}
	p := AnnualPlan(r, opt)
	if p.Hash != "" {
		seen := annualSeen{stamp: stamp, hash: p.Hash}
		p.kept = func() { annualSeenAt.Store(key, seen) }
	}
	return p, nil
}

// storedPlan plans the document stored under hash; found is false when
// storage no longer holds it.
func storedPlan(ctx context.Context, db *gorm.DB, hash string, opt Options) (p Plan, found bool, err error) {
	body, found := recentOf(db).get(hash)
	if !found {
		pdf, err := models.FindStoredPDF(ctx, db, hash)
		if errors.Is(err, models.ErrNotFound) {
			return Plan{}, false, nil
		}
		if err != nil {
			return Plan{}, false, err
		}
		body = pdf.Body
	}
	// Should the stored copy go meanwhile, the same bytes are stored again
	// under their hash.
	return Plan{Hash: hash, created: opt.Created, render: func(buf *bytes.Buffer) error {
		_, err := buf.Write(body)
		return err
	}}, true, nil
}
