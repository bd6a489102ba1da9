package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// RunReasonSelf is the reason of a self-check: a probe run the vendor
// starts on its own attestation, draft or submitted, to see what the
// buyer's probes will find. It uses the same engine and settings as a
// verification, but it belongs to the vendor: it is not a verification.
// The queries of the buyer's verification (LatestRun, ListRuns,
// LatestVerifications, newestDoneRuns, the reports, the review, the
// re-check scheduler and the verdict changes) leave it out, and only the
// attestation's vendors may read it (Attestation.RunVisibleTo).
const RunReasonSelf = "self"

// SelfCheckInterval is how long after one self-check of an attestation
// the next may start.
const SelfCheckInterval = time.Minute

// SelfChecksPerSupplierHour bounds a supplier's self-checks over all its
// attestations in an hour: each measures up to MaxScopeDomains names the
// vendor chose, so the per-attestation interval alone let a supplier with
// many tenders aim thousands of connections a minute at hosts it named.
const SelfChecksPerSupplierHour = 12

// SelfCheckTooSoonError refuses a self-check started within
// SelfCheckInterval of the previous one; Wait is how long until the next
// may start (at least a second).
type SelfCheckTooSoonError struct {
	Wait time.Duration
	// Supplier is set when the supplier's hourly number
	// (SelfChecksPerSupplierHour) refused it, not the attestation's
	// interval.
	Supplier bool
}

// Error returns a developer's summary such as `self-check too soon: wait 42s`.
func (e *SelfCheckTooSoonError) Error() string {
	return fmt.Sprintf("self-check too soon: wait %s", e.Wait)
}

// Seconds is Wait in whole seconds, rounded up, at least 1: what the
// Retry-After header and the message say.
func (e *SelfCheckTooSoonError) Seconds() int {
	s := int((e.Wait + time.Second - 1) / time.Second)
	return max(1, s)
}

// SelfCheckableBy says whether u may start a self-check of a: only an
// enabled vendor of the supplier, whatever the attestation's state (a
// draft before submitting, a submitted version after).
func (a *Attestation) SelfCheckableBy(u *User) error {
	if !a.vendor(u) {
		return &ForbiddenError{Code: "not_vendor"}
	}
	return nil
}

// RunVisibleTo says whether u may read run r of a, given that u may see a:
// a verification is everyone's who sees the attestation, a self-check only
// its vendors' (the buyer does not learn that the vendor checked).
func (a *Attestation) RunVisibleTo(u *User, r *ProbeRun) bool {
	return r.Reason != RunReasonSelf || a.vendor(u)
}

// StartSelfCheck queues a self-check of the current version of
// attestation attID for vendor by, at most one per SelfCheckInterval per
// attestation and SelfChecksPerSupplierHour per supplier (a
// *SelfCheckTooSoonError otherwise).
//
// The limit is one conditional UPDATE of attestations.self_check_at
// inside the transaction that queues the run, so it holds across every
// serve process on the database and a refused or failed request leaves
// the previous time in place. A self-check waits beside a verification,
// not in its slot: its run is queued without the queued/queued_for pair
// of idx_probe_run_waiting, so a waiting verification never swallows a
// self-check nor a self-check a verification. A self-check still waiting
// (the workers are busy) is returned instead of a second one; the
// attestation's row lock keeps two from being queued at once.
func StartSelfCheck(ctx context.Context, db *gorm.DB, by *User, attID uint, now time.Time) (*ProbeRun, error) {
	now = now.UTC()
	var out *ProbeRun
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := lockAttestation(tx, attID)
		if err != nil {
			return err
		}
		if err := a.SelfCheckableBy(by); err != nil {
			return wrap(err, "self-check of attestation %d", attID)
		}
		var recent []time.Time
		err = tx.Table("probe_runs r").Joins("JOIN attestations sa ON sa.id = r.attestation_id").
			Where("sa.supplier_org_id = ? AND r.reason = ? AND r.created_at > ?", a.SupplierOrgID, RunReasonSelf, now.Add(-time.Hour)).
			Order("r.created_at").Limit(SelfChecksPerSupplierHour).Pluck("r.created_at", &recent).Error
		if err != nil {
			return wrap(err, "self-checks of supplier %d", a.SupplierOrgID)
		}
		if len(recent) >= SelfChecksPerSupplierHour {
			return &SelfCheckTooSoonError{Wait: max(recent[0].Add(time.Hour).Sub(now), time.Second), Supplier: true}
		}
		res := tx.Model(&Attestation{}).
			Where("id = ? AND (self_check_at IS NULL OR self_check_at <= ?)", a.ID, now.Add(-SelfCheckInterval)).
			UpdateColumn("self_check_at", now)
		if res.Error != nil {
			return wrap(res.Error, "self-check of attestation %d", attID)
		}
		if res.RowsAffected == 0 {
			wait := SelfCheckInterval
			if a.SelfCheckAt != nil {
				wait = a.SelfCheckAt.Add(SelfCheckInterval).Sub(now)
			}
			return &SelfCheckTooSoonError{Wait: max(wait, time.Second)}
		}
		var waiting []ProbeRun
		if err := tx.Where("attestation_id = ? AND status = ? AND reason = ?", a.ID, RunQueued, RunReasonSelf).
			Order("id").Limit(1).Find(&waiting).Error; err != nil {
			return wrap(err, "attestation %d: waiting self-check", a.ID)
		}
		if len(waiting) > 0 {
			out = &waiting[0]
			if out.Version != a.Version {
				if err := tx.Model(out).Update("version", a.Version).Error; err != nil {
					return wrap(err, "attestation %d: move waiting self-check to version %d", a.ID, a.Version)
				}
				out.Version = a.Version
			}
			return nil
		}
		uid := by.ID
		out = &ProbeRun{AttestationID: a.ID, Version: a.Version, Status: RunQueued, Reason: RunReasonSelf,
			RequestedByID: &uid, CreatedAt: now}
		return wrap(tx.Create(out).Error, "attestation %d: queue self-check", a.ID)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// LatestSelfCheck returns the newest self-check of attestation attID
// (any version, any state), or nil when the vendor never ran one.
func LatestSelfCheck(ctx context.Context, db *gorm.DB, attID uint) (*ProbeRun, error) {
	return newestSelfCheck(ctx, db, attID, nil)
}

// LatestFinishedSelfCheck returns the newest self-check of attestation
// attID that finished with measurements or without (done or
// not_measured), or nil: what the attestation page and the warnings before
// submitting rest on.
func LatestFinishedSelfCheck(ctx context.Context, db *gorm.DB, attID uint) (*ProbeRun, error) {
	return newestSelfCheck(ctx, db, attID, []string{RunDone, RunNotMeasured})
}

func newestSelfCheck(ctx context.Context, db *gorm.DB, attID uint, statuses []string) (*ProbeRun, error) {
	q := db.WithContext(ctx).Where("attestation_id = ? AND reason = ?", attID, RunReasonSelf)
	if statuses != nil {
		q = q.Where("status IN ?", statuses)
	}
	var runs []ProbeRun
	if err := q.Order("id DESC").Limit(1).Find(&runs).Error; err != nil {
		return nil, wrap(err, "attestation %d: latest self-check", attID)
	}
	if len(runs) == 0 {
		return nil, nil
	}
	return &runs[0], nil
}
