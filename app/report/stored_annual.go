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
// hash it served at a change stamp (models.PageStamp, which every
// committed write to a table the report reads raises, by any process):
// while the stamp is the same, nothing the report shows can have changed,
// so the stored copy is sent without loading. After any write the next
// request loads, hashes and finds the stored copy (or renders) as before.

// annualKey names one annual report: the database (tests open many in one
// process), the year, whose tenders the reader sees, language and zone.
type annualKey struct {
	db               any
	year             int
	viewer           string
	lang, zone, text string
}

// annualSeen is the hash served at a stamp.
type annualSeen struct {
	stamp int64
	hash  string
}

// annualSeenAt holds annualKey → annualSeen.
var annualSeenAt sync.Map

func annualKeyOf(db *gorm.DB, year int, viewer *models.User, opt Options) annualKey {
	// The reader's tenders: every tender for auditors and admins; a
	// buyer's or supplier's own for the other roles (models.visibleTo).
	who := "all"
	if viewer != nil && (viewer.Disabled || (viewer.Role != models.RoleAuditor && viewer.Role != models.RoleAdmin)) {
		org := "none"
		if viewer.OrgID != nil {
			org = fmt.Sprint(*viewer.OrgID)
		}
		who = fmt.Sprintf("%s %s %t", viewer.Role, org, viewer.Disabled)
	}
	wd := wordsOf(opt)
	var key any = db
	if sqlDB, err := db.DB(); err == nil {
		key = sqlDB
	}
	// The texts' and the renderer's hashes: a new binary renders anew.
	return annualKey{db: key, year: year, viewer: who, lang: wd.lang, zone: wd.zone.String(), text: string(textsHash(wd.lang)) + string(renderer())}
}

// StoredAnnualPlan plans the closed year's annual report for viewer in
// opt's language and zone without loading the year, when this process
// served it at stamp, the database's change stamp read before anything
// else of the request, and the stored copy is still there. ok is false
// otherwise: load, plan with AnnualPlan and, once sent, RememberAnnual.
func StoredAnnualPlan(ctx context.Context, db *gorm.DB, year int, viewer *models.User, opt Options, stamp int64) (p Plan, ok bool, err error) {
	if !YearClosed(year, opt.Created) {
		return Plan{}, false, nil
	}
	v, found := annualSeenAt.Load(annualKeyOf(db, year, viewer, opt))
	if !found || v.(annualSeen).stamp != stamp {
		return Plan{}, false, nil
	}
	hash := v.(annualSeen).hash
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
	// The bytes stored under the hash, should they go meanwhile.
	return Plan{Hash: hash, name: fmt.Sprintf("annual/%d", year), created: opt.Created, render: func(buf *bytes.Buffer) error {
		_, err := buf.Write(body)
		return err
	}}, true, nil
}

// RememberAnnual notes that p, the annual report of year for viewer in
// opt's language and zone, was sent at stamp (read before its load).
func RememberAnnual(db *gorm.DB, year int, viewer *models.User, opt Options, stamp int64, p Plan) {
	if p.Hash == "" {
		return
	}
	annualSeenAt.Store(annualKeyOf(db, year, viewer, opt), annualSeen{stamp: stamp, hash: p.Hash})
}
