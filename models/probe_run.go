package models

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"
)

// Probe run statuses. A run is queued until a worker claims it, running
// while a worker holds its lease, and done, not_measured or failed for
// good. A run is not_measured when it probed but measured nothing (the
// resolver did not answer, every check of every domain ended in an error,
// or there was no domain to probe): its verdicts say so instead of
// passing for a measurement.
const (
	RunQueued      = "queued"
	RunRunning     = "running"
	RunDone        = "done"
	RunNotMeasured = "not_measured"
	RunFailed      = "failed"
)

// Why a run measured nothing: the code of ProbeRun.NotMeasuredCode, which
// the handlers turn into a sentence (message key run_not_measured.<code>)
// with ProbeRun.NotMeasuredParams.
const (
	// NotMeasuredResolver: the resolver did not answer ({resolver}).
	NotMeasuredResolver = "resolver_unreachable"
	// NotMeasuredResolverRefused: the resolver refused to answer ({resolver}).
	NotMeasuredResolverRefused = "resolver_refused"
	// NotMeasuredAllErrors: every check of every domain ended in an error
	// ({domains}: how many; {error}: the first error).
	NotMeasuredAllErrors = "every_check_failed"
	// NotMeasuredNoDomains: the attestation's scope names no domain.
	NotMeasuredNoDomains = "no_domains"
)

// Why a probe run was made.
const (
	RunReasonSubmitted = "submitted"
	RunReasonManual    = "manual"
	RunReasonScheduled = "scheduled"
)

// MaxRunAttempts bounds how often a run is claimed: a run whose workers
// keep dying (a domain that crashes the probe, a poisoned row) fails after
// this many claims instead of circling the queue for ever.
const MaxRunAttempts = 5

// ProbeRun is one job of the verification queue: probe every domain in the
// scope of one submitted version of an attestation and set a verdict next
// to each answer. A worker owns a running run through its lease; a lease
// that runs out (the worker died) lets another worker take the run over,
// keeping the results already stored.
type ProbeRun struct {
	ID            uint         `gorm:"primaryKey" json:"id"`
	AttestationID uint         `gorm:"not null;index;index:idx_probe_runs_latest,priority:1" json:"attestation_id"`
	Attestation   *Attestation `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	Version       int          `gorm:"not null;index:idx_probe_runs_latest,priority:2" json:"version"`
	// Queued is set while the run waits to be claimed and NULL afterwards:
	// its unique index lets at most one run of an attestation wait at a
	// time, even when several processes enqueue at once.
	Queued        *bool      `gorm:"uniqueIndex:idx_probe_run_waiting" json:"-"`
	QueuedFor     *uint      `gorm:"uniqueIndex:idx_probe_run_waiting" json:"-"`
	Status        string     `gorm:"size:20;not null;index;index:idx_probe_runs_latest,priority:3" json:"status"`
	Reason        string     `gorm:"size:10;not null" json:"reason"`
	RequestedByID *uint      `json:"requested_by_id,omitempty"`
	Done          int        `gorm:"not null;default:0" json:"done"`
	Total         int        `gorm:"not null;default:0" json:"total"`
	LeaseOwner    string     `gorm:"size:80;not null;default:''" json:"-"`
	LeaseUntil    *time.Time `gorm:"index" json:"-"`
	Attempts      int        `gorm:"not null;default:0" json:"attempts"`
	Error         string     `gorm:"type:text;not null;default:''" json:"error,omitempty"`
	// NotMeasuredCode and NotMeasuredParams say why a not_measured run
	// measured nothing (the NotMeasured* codes); empty otherwise.
	NotMeasuredCode   string            `gorm:"size:40;not null;default:''" json:"not_measured_reason,omitempty"`
	NotMeasuredParams map[string]string `gorm:"type:text;not null;default:'';serializer:json" json:"not_measured_params,omitempty"`
	CreatedAt         time.Time         `gorm:"not null;index" json:"created_at"`
	StartedAt         *time.Time        `json:"started_at,omitempty"`
	FinishedAt        *time.Time        `json:"finished_at,omitempty"`
}

// Finished reports whether the run is done, not measured or failed.
func (r *ProbeRun) Finished() bool {
	return r.Status == RunDone || r.Status == RunNotMeasured || r.Status == RunFailed
}

// Measured reports whether the run finished with measurements.
func (r *ProbeRun) Measured() bool { return r.Status == RunDone }

// Percent returns the share of domains probed, 0 to 100.
func (r *ProbeRun) Percent() int {
	if r.Total == 0 {
		if r.Finished() {
			return 100
		}
		return 0
	}
	return r.Done * 100 / r.Total
}

// ErrLeaseLost means a worker no longer owns the run it is working on:
// its lease ran out and another worker took the run over. The worker must
// stop and write nothing more.
var ErrLeaseLost = errors.New("models: the probe run's lease was lost to another worker")

// EnqueueRun queues a probe run of the current version of attestation
// attID. When a run of it is already waiting, that run is returned instead,
// so a double click or a scheduler racing a manual request probes once.
// The attestation must be submitted (ErrNotSubmitted otherwise). A run a
// user asks for (by set) needs Attestation.VerifiableBy; the scheduler's
// (by nil) only the submission.
func EnqueueRun(ctx context.Context, db *gorm.DB, attID uint, reason string, by *User, now time.Time) (*ProbeRun, error) {
	var out *ProbeRun
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := lockAttestation(tx, attID)
		if err != nil {
			return err
		}
		if by != nil {
			err = a.VerifiableBy(by)
		} else if !a.Submitted() {
			err = ErrNotSubmitted
		}
		if err != nil {
			return wrap(err, "enqueue probe run of attestation %d", attID)
		}
		out, err = enqueueRun(tx, a, reason, by, now)
		return err
	})
	var state *StateError
	if errors.Is(err, ErrConflict) && !errors.As(err, &state) {
		// Another process queued one between our look and our insert.
		return waitingRun(ctx, db, attID)
	}
	return out, err
}

// enqueueRun inserts a queued run of a's current version inside tx unless
// one is already waiting. Submit calls it in its own transaction, so a
// submission without its probe run cannot exist.
func enqueueRun(tx *gorm.DB, a *Attestation, reason string, by *User, now time.Time) (*ProbeRun, error) {
	var waiting ProbeRun
	err := tx.Where("attestation_id = ? AND status = ? AND reason <> ?", a.ID, RunQueued, RunReasonSelf).Order("id").Limit(1).Find(&waiting).Error
	if err != nil {
		return nil, wrap(err, "attestation %d: find waiting probe run", a.ID)
	}
	if waiting.ID != 0 {
		if waiting.Version != a.Version {
			// The waiting run would probe a superseded version.
			if err := tx.Model(&waiting).Update("version", a.Version).Error; err != nil {
				return nil, wrap(err, "attestation %d: move waiting run to version %d", a.ID, a.Version)
			}
			waiting.Version = a.Version
		}
		return &waiting, nil
	}
	yes, id := true, a.ID
	run := &ProbeRun{AttestationID: a.ID, Version: a.Version, Queued: &yes, QueuedFor: &id, Status: RunQueued,
		Reason: reason, CreatedAt: now.UTC()}
	if by != nil {
		uid := by.ID
		run.RequestedByID = &uid
	}
	if err := tx.Create(run).Error; err != nil {
		return nil, wrap(err, "attestation %d: queue probe run", a.ID)
	}
	return run, nil
}

func waitingRun(ctx context.Context, db *gorm.DB, attID uint) (*ProbeRun, error) {
	var r ProbeRun
	err := db.WithContext(ctx).Where("attestation_id = ? AND status = ? AND reason <> ?", attID, RunQueued, RunReasonSelf).Order("id").First(&r).Error
	if err != nil {
		return nil, wrap(err, "attestation %d: waiting probe run", attID)
	}
	return &r, nil
}

// FindProbeRun returns run id.
func FindProbeRun(ctx context.Context, db *gorm.DB, id uint) (*ProbeRun, error) {
	var r ProbeRun
	if err := db.WithContext(ctx).First(&r, id).Error; err != nil {
		return nil, wrap(err, "probe run %d", id)
	}
	return &r, nil
}

// ClaimRun hands the oldest claimable run to owner with a lease until
// now+lease: a queued run, or a running one whose lease has expired
// because its worker died. It returns nil, nil when nothing is waiting.
//
// On PostgreSQL the candidate row is locked FOR UPDATE SKIP LOCKED, so
// concurrent claimers from several processes pass over each other's rows
// instead of queueing behind them. On SQLite the single UPDATE is atomic
// on its own (the database has one writer at a time). Both re-check the
// claimable condition in the UPDATE's WHERE, so a row two claimers picked
// goes to exactly one of them.
func ClaimRun(ctx context.Context, db *gorm.DB, owner string, lease time.Duration, now time.Time) (*ProbeRun, error) {
	now = now.UTC()
	claimable := "(status = 'queued' OR (status = 'running' AND lease_until < ?))"
	pick := "SELECT id FROM probe_runs WHERE " + claimable + " ORDER BY id LIMIT 1"
	if db.Name() == "postgres" {
		pick += " FOR UPDATE SKIP LOCKED"
	}
	var claimed []ProbeRun
	err := db.WithContext(ctx).Raw(
		"UPDATE probe_runs SET status = 'running', queued = NULL, queued_for = NULL, lease_owner = ?, lease_until = ?, "+
			"attempts = attempts + 1, started_at = COALESCE(started_at, ?) "+
			"WHERE id = ("+pick+") AND "+claimable+" RETURNING *",
		owner, now.Add(lease), now, now, now).Scan(&claimed).Error
	if err != nil {
		return nil, wrap(err, "claim probe run")
	}
	if len(claimed) == 0 {
		return nil, nil
	}
	return &claimed[0], nil
}

// RenewLease extends owner's lease on run id to now+lease. ErrLeaseLost
// when the run is no longer owner's.
func RenewLease(ctx context.Context, db *gorm.DB, id uint, owner string, lease time.Duration, now time.Time) error {
	res := db.WithContext(ctx).Model(&ProbeRun{}).
		Where("id = ? AND status = ? AND lease_owner = ?", id, RunRunning, owner).
		Update("lease_until", now.UTC().Add(lease))
	if res.Error != nil {
		return wrap(res.Error, "renew lease of probe run %d", id)
	}
	if res.RowsAffected != 1 {
		return wrap(ErrLeaseLost, "renew lease of probe run %d", id)
	}
	return nil
}

// holdsLease checks inside tx that owner still holds run id, so every write
// a worker makes is fenced by its lease: a worker that lost its run (it
// paused longer than the lease) cannot write over the new owner's work.
func holdsLease(tx *gorm.DB, id uint, owner string, now time.Time) error {
	res := tx.Model(&ProbeRun{}).
		Where("id = ? AND status = ? AND lease_owner = ? AND lease_until >= ?", id, RunRunning, owner, now.UTC()).
		Update("lease_owner", owner)
	if res.Error != nil {
		return wrap(res.Error, "check lease of probe run %d", id)
	}
	if res.RowsAffected != 1 {
		return wrap(ErrLeaseLost, "probe run %d", id)
	}
	return nil
}

// SetRunTotal records how many domains run id probes.
func SetRunTotal(ctx context.Context, db *gorm.DB, id uint, owner string, total int, now time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := holdsLease(tx, id, owner, now); err != nil {
			return err
		}
		return wrap(tx.Model(&ProbeRun{}).Where("id = ?", id).Update("total", total).Error, "probe run %d: set total", id)
	})
}

// ReleaseRun puts owner's run id back in the queue, keeping its results,
// for a worker that stops (the server shuts down) before finishing it, so
// that the next start resumes it at once instead of after the lease.
func ReleaseRun(ctx context.Context, db *gorm.DB, id uint, owner string, now time.Time) error {
	var r ProbeRun
	if err := db.WithContext(ctx).First(&r, id).Error; err != nil {
		return wrap(err, "release probe run %d", id)
	}
	// A self-check waits outside the buyer's one waiting slot (see
	// StartSelfCheck), so it goes back without taking it.
	yes, queued, queuedFor := true, any(nil), any(nil)
	if r.Reason != RunReasonSelf {
		queued, queuedFor = &yes, r.AttestationID
	}
	res := db.WithContext(ctx).Model(&ProbeRun{}).
		Where("id = ? AND status = ? AND lease_owner = ?", id, RunRunning, owner).
		Updates(map[string]any{"status": RunQueued, "queued": queued, "queued_for": queuedFor, "lease_owner": "", "lease_until": nil,
			// A release is not a failed attempt.
			"attempts": gorm.Expr("attempts - 1")})
	if res.Error != nil {
		if errors.Is(res.Error, gorm.ErrDuplicatedKey) {
			// A newer run of the attestation is already waiting and will
			// probe the same or a later version: this one is superseded.
			return FailRun(ctx, db, id, owner, "superseded by a newer queued run", now)
		}
		return wrap(res.Error, "release probe run %d", id)
	}
	return nil
}

// FailRun marks owner's run id failed with reason.
func FailRun(ctx context.Context, db *gorm.DB, id uint, owner, reason string, now time.Time) error {
	now = now.UTC()
	res := db.WithContext(ctx).Model(&ProbeRun{}).
		Where("id = ? AND status = ? AND lease_owner = ?", id, RunRunning, owner).
		Updates(map[string]any{"status": RunFailed, "error": reason, "finished_at": now, "lease_until": nil})
	if res.Error != nil {
		return wrap(res.Error, "fail probe run %d", id)
	}
	if res.RowsAffected != 1 {
		return wrap(ErrLeaseLost, "fail probe run %d", id)
	}
	return nil
}

// LatestRun returns the newest verification run of attestation attID (the
// vendor's self-checks are not verifications), or nil when it has none.
func LatestRun(ctx context.Context, db *gorm.DB, attID uint) (*ProbeRun, error) {
	var runs []ProbeRun
	if err := db.WithContext(ctx).Where("attestation_id = ? AND reason <> ?", attID, RunReasonSelf).Order("id DESC").Limit(1).Find(&runs).Error; err != nil {
		return nil, wrap(err, "attestation %d: latest probe run", attID)
	}
	if len(runs) == 0 {
		return nil, nil
	}
	return &runs[0], nil
}

// ListRuns returns the verification runs of attestation attID, newest
// first; the vendor's self-checks are not among them.
func ListRuns(ctx context.Context, db *gorm.DB, attID uint, limit int) ([]ProbeRun, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	var runs []ProbeRun
	if err := db.WithContext(ctx).Where("attestation_id = ? AND reason <> ?", attID, RunReasonSelf).Order("id DESC").Limit(limit).Find(&runs).Error; err != nil {
		return nil, wrap(err, "attestation %d: probe runs", attID)
	}
	return runs, nil
}

// NotMeasuredRetry is how soon the scheduler tries again after a run that
// could not measure (resolver down, every check an error), instead of a
// whole recheck interval: such a run checked nothing.
const NotMeasuredRetry = time.Hour

// EnqueueDueRechecks queues a scheduled run for every submitted attestation
// of an awarded or active tender whose newest run is older than interval
// (or NotMeasuredRetry, when it could not measure; or that has none) and
// that has no run queued or running. It returns the queued runs. Several processes may call it at once: the waiting-run
// index keeps each attestation to one queued run.
func EnqueueDueRechecks(ctx context.Context, db *gorm.DB, interval time.Duration, now time.Time) ([]ProbeRun, error) {
	now = now.UTC()
	var due []Attestation
	err := db.WithContext(ctx).Model(&Attestation{}).
		Joins("JOIN tenders ON tenders.id = attestations.tender_id").
		Where("attestations.status = ? AND tenders.status IN ?", AttestationSubmitted, []string{StatusAwarded, StatusActive}).
		Where("NOT EXISTS (SELECT 1 FROM probe_runs r WHERE r.attestation_id = attestations.id AND r.reason <> ? AND "+
			"(r.status IN ? OR (r.status <> ? AND r.created_at > ?) OR (r.status = ? AND r.created_at > ?)))",
			RunReasonSelf, []string{RunQueued, RunRunning}, RunNotMeasured, now.Add(-interval), RunNotMeasured, now.Add(-min(interval, NotMeasuredRetry))).
		Order("attestations.id").Find(&due).Error
	if err != nil {
		return nil, wrap(err, "find attestations due for re-verification")
	}
	var out []ProbeRun
	for i := range due {
		var run *ProbeRun
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var err error
			run, err = enqueueRun(tx, &due[i], RunReasonScheduled, nil, now)
			return err
		})
		if errors.Is(err, ErrConflict) {
			continue // another process queued it first
		}
		if err != nil {
			return out, err
		}
		out = append(out, *run)
	}
	return out, nil
}

// jsonText encodes v for a text column written with Updates, which skips
// the field serializers.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// DomainsToProbe returns how many distinct domains run will probe: its
// total once a worker has counted them, before that the scope of the
// version it probes. A queued run shows this, never "0/0".
func DomainsToProbe(ctx context.Context, db *gorm.DB, run *ProbeRun) (int, error) {
	if run.Total > 0 || run.Status != RunQueued {
		return run.Total, nil
	}
	var n int64
	err := db.WithContext(ctx).Model(&ScopeDomain{}).Where("attestation_id = ? AND version = ?", run.AttestationID, run.Version).
		Distinct("name").Count(&n).Error
	if err != nil {
		return 0, wrap(err, "probe run %d: domains to probe", run.ID)
	}
	return int(n), nil
}

// PreviousFinishedRun returns the newest run of run's attestation before
// it that finished (done or not measured), or nil: where older evidence
// on a page comes from while run waits or works. A self-check's previous
// run is the vendor's previous self-check, a verification's the previous
// verification.
func PreviousFinishedRun(ctx context.Context, db *gorm.DB, run *ProbeRun) (*ProbeRun, error) {
	var runs []ProbeRun
	lane := "reason <> ?"
	if run.Reason == RunReasonSelf {
		lane = "reason = ?"
	}
	err := db.WithContext(ctx).Where("attestation_id = ? AND id < ? AND status IN ? AND "+lane, run.AttestationID, run.ID, []string{RunDone, RunNotMeasured}, RunReasonSelf).
		Order("id DESC").Limit(1).Find(&runs).Error
	if err != nil {
		return nil, wrap(err, "probe run %d: previous run", run.ID)
	}
	if len(runs) == 0 {
		return nil, nil
	}
	return &runs[0], nil
}
