package models

import (
	"context"
	"maps"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"tenderprobe/app/probe/check"
)

// Verification statuses: what the live probes say about one answer.
const (
	// VerdictConfirmed: the answer claims compliance and every check passes.
	VerdictConfirmed = "confirmed"
	// VerdictContradicted: the answer claims compliance and a check fails.
	VerdictContradicted = "contradicted"
	// VerdictConsistent: the answer admits a gap (partial, does not comply)
	// and a check fails, as declared.
	VerdictConsistent = "consistent"
	// VerdictBetterThanDeclared: the answer admits a gap but every check passes.
	VerdictBetterThanDeclared = "better_than_declared"
	// VerdictInconclusive: the checks could not decide (errors, nothing in
	// scope, not applicable).
	VerdictInconclusive = "inconclusive"
	// VerdictAttestationOnly: no probe check can verify the standard.
	VerdictAttestationOnly = "attestation_only"
	// VerdictNotMeasured: the probes could not measure the checks the
	// answer rests on (the resolver did not answer, every check of the
	// domain ended in an error): nothing was learnt, which is not the
	// same as inconclusive measurements.
	VerdictNotMeasured = "not_measured"
)

// Verdicts lists the verification statuses, worst first: the order pages
// sort by. not_measured came later and is last, so that the CSV columns
// made from this list keep their places.
var Verdicts = []string{VerdictContradicted, VerdictInconclusive, VerdictConsistent, VerdictBetterThanDeclared, VerdictConfirmed, VerdictAttestationOnly, VerdictNotMeasured}

// ProbeCheck is one stored check outcome with its raw evidence, the same
// shape as the probe engine's check (kept here so models need not import it).
type ProbeCheck struct {
	ID       check.ID       `json:"id"`
	Status   check.Status   `json:"status"`
	Summary  string         `json:"summary"`
	Standard string         `json:"standard"`
	Details  map[string]any `json:"details"`
	// Finding and FindingParams are Summary as a message code
	// (finding.<code>) with its values, probe.Check's; empty in results
	// stored before findings had codes.
	Finding       string         `json:"finding,omitempty"`
	FindingParams map[string]any `json:"finding_params,omitempty"`
}

// ProbeResult is what one run found for one domain: every check with its
// evidence. A run stores each domain once (unique index), which is also
// how a resumed run knows which domains are already done.
type ProbeResult struct {
	ID         uint         `gorm:"primaryKey" json:"id"`
	RunID      uint         `gorm:"not null;uniqueIndex:idx_probe_result_domain,priority:1" json:"run_id"`
	Run        *ProbeRun    `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	Domain     string       `gorm:"size:253;not null;uniqueIndex:idx_probe_result_domain,priority:2;index" json:"domain"`
	DurationMS int64        `gorm:"not null;default:0" json:"duration_ms"`
	Error      string       `gorm:"type:text;not null;default:''" json:"error,omitempty"`
	Checks     []ProbeCheck `gorm:"type:text;serializer:json" json:"checks"`
	CreatedAt  time.Time    `gorm:"not null" json:"created_at"`
}

// Check returns the result's check id, or nil.
func (r *ProbeResult) Check(id check.ID) *ProbeCheck {
	for i := range r.Checks {
		if r.Checks[i].ID == id {
			return &r.Checks[i]
		}
	}
	return nil
}

// VerificationCheck is one check on one domain behind a verdict.
type VerificationCheck struct {
	ID      check.ID     `json:"id"`
	Domain  string       `json:"domain"`
	Status  check.Status `json:"status"`
	Summary string       `json:"summary,omitempty"`
	// Finding and FindingParams are the check's finding code and values.
	Finding       string         `json:"finding,omitempty"`
	FindingParams map[string]any `json:"finding_params,omitempty"`
}

// Verification is the verdict of one run on one answer.
type Verification struct {
	ID            uint                `gorm:"primaryKey" json:"-"`
	RunID         uint                `gorm:"not null;uniqueIndex:idx_verification_answer,priority:1;index:idx_verifications_run_status,priority:1" json:"run_id"`
	Run           *ProbeRun           `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	AttestationID uint                `gorm:"not null;index" json:"-"`
	AnswerID      uint                `gorm:"not null;uniqueIndex:idx_verification_answer,priority:2;index" json:"-"`
	Answer        *Answer             `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	RequirementID uint                `gorm:"not null;index" json:"-"`
	Status        string              `gorm:"size:25;not null;index;index:idx_verifications_run_status,priority:2" json:"status"`
	Checks        []VerificationCheck `gorm:"type:text;serializer:json" json:"checks"`
	CheckedAt     time.Time           `gorm:"not null" json:"checked_at"`
}

// VerdictChange records that a run changed the verdict on a requirement
// since the attestation's previous finished run, for example DMARC going
// from confirmed to contradicted during the contract.
type VerdictChange struct {
	ID            uint         `gorm:"primaryKey" json:"id"`
	AttestationID uint         `gorm:"not null;index" json:"attestation_id"`
	Attestation   *Attestation `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	TenderID      uint         `gorm:"not null;index" json:"tender_id"`
	RunID         uint         `gorm:"not null;index" json:"run_id"`
	PreviousRunID uint         `gorm:"not null" json:"previous_run_id"`
	RequirementID uint         `gorm:"not null" json:"requirement_id"`
	Standard      string       `gorm:"size:200;not null" json:"standard"`
	From          string       `gorm:"column:from_status;size:25;not null" json:"from"`
	To            string       `gorm:"column:to_status;size:25;not null" json:"to"`
	Reason        string       `gorm:"size:10;not null" json:"reason"`
	At            time.Time    `gorm:"not null;index" json:"at"`
	// Catalogue is the requirement's standard, for its name in a
	// reader's language (StandardIn); Standard keeps the English name
	// recorded with the change.
	Catalogue *Standard `gorm:"-" json:"-"`
}

// StandardIn is the name of the change's standard in lang.
func (v VerdictChange) StandardIn(lang string) string {
	if v.Catalogue != nil {
		return v.Catalogue.In(lang).Name
	}
	return v.Standard
}

// RunSubject is what a run probes: the attestation with the answers (with
// requirement and standard) and scope of the run's version.
func RunSubject(ctx context.Context, db *gorm.DB, run *ProbeRun) (*Attestation, error) {
	var a Attestation
	if err := db.WithContext(ctx).Preload("Tender").Preload("SupplierOrg").First(&a, run.AttestationID).Error; err != nil {
		return nil, wrap(err, "probe run %d: attestation %d", run.ID, run.AttestationID)
	}
	answers, err := versionAnswers(db.WithContext(ctx), a.ID, run.Version)
	if err != nil {
		return nil, err
	}
	var scope []ScopeDomain
	if err := db.WithContext(ctx).Where("attestation_id = ? AND version = ?", a.ID, run.Version).Order("kind, position").Find(&scope).Error; err != nil {
		return nil, wrap(err, "probe run %d: scope", run.ID)
	}
	a.Answers, a.Scope = answers, scope
	return &a, nil
}

// RunResults returns the stored results of run id, by domain.
func RunResults(ctx context.Context, db *gorm.DB, id uint) ([]ProbeResult, error) {
	var out []ProbeResult
	if err := db.WithContext(ctx).Where("run_id = ?", id).Order("domain").Find(&out).Error; err != nil {
		return nil, wrap(err, "probe run %d: results", id)
	}
	return out, nil
}

// StoreResult saves owner's result for one domain of run id and counts it
// done, fenced by the lease. Storing a domain twice keeps the first result.
func StoreResult(ctx context.Context, db *gorm.DB, owner string, res *ProbeResult, now time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := holdsLease(tx, res.RunID, owner, now); err != nil {
			return err
		}
		res.CreatedAt = now.UTC()
		ins := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(res)
		if ins.Error != nil {
			return wrap(ins.Error, "probe run %d: store result for %s", res.RunID, res.Domain)
		}
		var n int64
		if err := tx.Model(&ProbeResult{}).Where("run_id = ?", res.RunID).Count(&n).Error; err != nil {
			return wrap(err, "probe run %d: count results", res.RunID)
		}
		return wrap(tx.Model(&ProbeRun{}).Where("id = ?", res.RunID).Update("done", n).Error, "probe run %d: progress", res.RunID)
	})
}

// FinishRun stores the verdicts of owner's run, marks it done and records
// every verdict that differs from the attestation's previous finished run.
// It returns the recorded changes. All of it is one transaction fenced by
// the lease, so a run's verdicts are written exactly once.
func FinishRun(ctx context.Context, db *gorm.DB, run *ProbeRun, owner string, verdicts []Verification, now time.Time) ([]VerdictChange, error) {
	return finishRun(ctx, db, run, owner, verdicts, "", nil, now)
}

// FinishRunNotMeasured stores the verdicts of owner's run that measured
// nothing and marks it not_measured with why (a NotMeasured* code and its
// parameters). It records no verdict change: a run that measured nothing
// changes nothing that was measured before, and the next measured run is
// compared with the last measured one.
func FinishRunNotMeasured(ctx context.Context, db *gorm.DB, run *ProbeRun, owner string, verdicts []Verification, code string, params map[string]string, now time.Time) error {
	if code == "" {
		code = NotMeasuredAllErrors
	}
	_, err := finishRun(ctx, db, run, owner, verdicts, code, params, now)
	return err
}

func finishRun(ctx context.Context, db *gorm.DB, run *ProbeRun, owner string, verdicts []Verification, notMeasured string, params map[string]string, now time.Time) ([]VerdictChange, error) {
	now = now.UTC()
	var changes []VerdictChange
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := holdsLease(tx, run.ID, owner, now); err != nil {
			return err
		}
		for i := range verdicts {
			verdicts[i].RunID, verdicts[i].AttestationID, verdicts[i].CheckedAt = run.ID, run.AttestationID, now
		}
		if len(verdicts) > 0 {
			if err := tx.Create(&verdicts).Error; err != nil {
				return wrap(err, "probe run %d: store verdicts", run.ID)
			}
		}
		if notMeasured != "" {
			if params == nil {
				params = map[string]string{}
			}
			res := tx.Model(&ProbeRun{}).Where("id = ?", run.ID).
				Updates(map[string]any{"status": RunNotMeasured, "finished_at": now, "lease_until": nil,
					"not_measured_code": notMeasured, "not_measured_params": jsonText(params)})
			return wrap(res.Error, "probe run %d: mark not measured", run.ID)
		}
		var err error
		// A self-check is the vendor's own look: it changes no verdict
		// the buyer follows.
		if run.Reason != RunReasonSelf {
			if changes, err = recordChanges(tx, run, verdicts, now); err != nil {
				return err
			}
		}
		res := tx.Model(&ProbeRun{}).Where("id = ?", run.ID).
			Updates(map[string]any{"status": RunDone, "finished_at": now, "lease_until": nil, "done": gorm.Expr("total")})
		return wrap(res.Error, "probe run %d: mark done", run.ID)
	})
	if err != nil {
		return nil, err
	}
	return changes, nil
}

// recordChanges compares verdicts with those of the attestation's previous
// done run, requirement by requirement (answers of a new version are new
// rows, requirements stay).
func recordChanges(tx *gorm.DB, run *ProbeRun, verdicts []Verification, now time.Time) ([]VerdictChange, error) {
	var prev []ProbeRun
	if err := tx.Where("attestation_id = ? AND status = ? AND id <> ? AND reason <> ?", run.AttestationID, RunDone, run.ID, RunReasonSelf).
		Order("id DESC").Limit(1).Find(&prev).Error; err != nil {
		return nil, wrap(err, "probe run %d: previous run", run.ID)
	}
	if len(prev) == 0 {
		return nil, nil
	}
	var before []Verification
	if err := tx.Where("run_id = ?", prev[0].ID).Find(&before).Error; err != nil {
		return nil, wrap(err, "probe run %d: previous verdicts", run.ID)
	}
	was := make(map[uint]string, len(before))
	for _, v := range before {
		was[v.RequirementID] = v.Status
	}
	var a Attestation
	if err := tx.First(&a, run.AttestationID).Error; err != nil {
		return nil, wrap(err, "probe run %d: attestation", run.ID)
	}
	reqIDs := make([]uint, 0, len(verdicts))
	for _, v := range verdicts {
		reqIDs = append(reqIDs, v.RequirementID)
	}
	var reqs []Requirement
	if err := tx.Preload("Standard").Where("id IN ?", reqIDs).Find(&reqs).Error; err != nil {
		return nil, wrap(err, "probe run %d: requirements", run.ID)
	}
	stds := make(map[uint]*Standard, len(reqs))
	for _, r := range reqs {
		stds[r.ID] = r.Standard
	}
	var changes []VerdictChange
	for _, v := range verdicts {
		old, ok := was[v.RequirementID]
		if !ok || old == v.Status {
			continue
		}
		c := VerdictChange{AttestationID: run.AttestationID, TenderID: a.TenderID, RunID: run.ID,
			PreviousRunID: prev[0].ID, RequirementID: v.RequirementID, From: old, To: v.Status, Reason: run.Reason, At: now}
		// The mail about the change names the standard in the tender's
		// language (StandardIn); the English name is recorded.
		if std := stds[v.RequirementID]; std != nil {
			c.Standard, c.Catalogue = std.Name, std
		}
		changes = append(changes, c)
	}
	if len(changes) > 0 {
		if err := tx.Create(&changes).Error; err != nil {
			return nil, wrap(err, "probe run %d: record verdict changes", run.ID)
		}
	}
	return changes, nil
}

// LatestVerifications returns, by answer id, the verdicts of the newest
// done run of version of attestation attID; when no run of the version
// measured anything, those of its newest not_measured run (verdicts
// "not_measured"); empty when no run of the version has finished. A run
// that measured nothing never hides the verdicts of one that did: each
// verdict carries its run id, so pages can say which run it is from. The
// vendor's self-checks are not verifications and never count here.
func LatestVerifications(ctx context.Context, db *gorm.DB, attID uint, version int) (map[uint]Verification, error) {
	var runs []ProbeRun
	err := db.WithContext(ctx).Where("attestation_id = ? AND version = ? AND status = ? AND reason <> ?", attID, version, RunDone, RunReasonSelf).
		Order("id DESC").Limit(1).Find(&runs).Error
	if err != nil {
		return nil, wrap(err, "attestation %d: latest done run", attID)
	}
	if len(runs) == 0 {
		err = db.WithContext(ctx).Where("attestation_id = ? AND version = ? AND status = ? AND reason <> ?", attID, version, RunNotMeasured, RunReasonSelf).
			Order("id DESC").Limit(1).Find(&runs).Error
		if err != nil {
			return nil, wrap(err, "attestation %d: latest not measured run", attID)
		}
	}
	out := map[uint]Verification{}
	if len(runs) == 0 {
		return out, nil
	}
	var vs []Verification
	if err := db.WithContext(ctx).Where("run_id = ?", runs[0].ID).Find(&vs).Error; err != nil {
		return nil, wrap(err, "probe run %d: verdicts", runs[0].ID)
	}
	for _, v := range vs {
		out[v.AnswerID] = v
	}
	return out, nil
}

// RunVerifications returns the verdicts of run id.
func RunVerifications(ctx context.Context, db *gorm.DB, id uint) ([]Verification, error) {
	var vs []Verification
	if err := db.WithContext(ctx).Where("run_id = ?", id).Order("id").Find(&vs).Error; err != nil {
		return nil, wrap(err, "probe run %d: verdicts", id)
	}
	return vs, nil
}

// TenderVerdicts returns, for each attestation of tender tenderID, the
// verdicts of its newest shown run of its current version by requirement
// id (newestShownRuns): the colours of the vendor matrix.
func TenderVerdicts(ctx context.Context, db *gorm.DB, tenderID uint) (map[uint]map[uint]string, error) {
	var rows []struct {
		AttestationID uint
		RequirementID uint
		Status        string
	}
	err := db.WithContext(ctx).Table("verifications v").
		Select("v.attestation_id, v.requirement_id, v.status").
		Where("v.run_id IN (?)", newestShownRuns(db).Where("ra.tender_id = ?", tenderID)).
		Scan(&rows).Error
	if err != nil {
		return nil, wrap(err, "tender %d: verdicts", tenderID)
	}
	out := map[uint]map[uint]string{}
	for _, r := range rows {
		if out[r.AttestationID] == nil {
			out[r.AttestationID] = map[uint]string{}
		}
		out[r.AttestationID][r.RequirementID] = r.Status
	}
	return out, nil
}

// Contradiction is a contradicted claim for the officer's dashboard.
type Contradiction struct {
	AttestationID uint
	TenderID      uint
	TenderTitle   string
	Supplier      string
	Standard      string
	RequirementID uint
	RunID         uint
	CheckedAt     time.Time
	// Catalogue is the standard, for its name in a reader's language.
	Catalogue *Standard `gorm:"-"`
}

// StandardIn is the name of the contradicted claim's standard in lang.
func (c Contradiction) StandardIn(lang string) string {
	if c.Catalogue != nil {
		return c.Catalogue.In(lang).Name
	}
	return c.Standard
}

// standardsOfRequirements are the standards of requirements ids, in one
// query, by requirement id.
func standardsOfRequirements(ctx context.Context, db *gorm.DB, ids []uint) (map[uint]*Standard, error) {
	out := map[uint]*Standard{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID, StandardID, CatalogueVersionID uint
	}
	err := db.WithContext(ctx).Table("requirements").Select("requirements.id, requirements.standard_id, standards.catalogue_version_id").
		Joins("JOIN standards ON standards.id = requirements.standard_id").Where("requirements.id IN ?", ids).Scan(&rows).Error
	if err != nil {
		return nil, wrap(err, "standards of %d requirements", len(ids))
	}
	versions := map[uint]bool{}
	for _, r := range rows {
		versions[r.CatalogueVersionID] = true
	}
	// The standards themselves come decoded from the catalogue cache.
	byID, err := standardsByID(ctx, db, slices.Collect(maps.Keys(versions)))
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = byID[r.StandardID]
	}
	return out, nil
}

// newestDoneRuns is the query of the ids of the newest done run of each
// attestation's current version (alias "ra" for the attestation, to add
// conditions): the verdicts a reader sees are those runs'. A set of ids,
// not a subquery per verdict row, which took PostgreSQL 14 ms on a
// dashboard. The vendor's self-checks are not among them.
// newestShownRuns is the run a page shows each attestation's verdicts
// from, as LatestVerifications chooses: its newest done run of the current
// version, or when none measured anything its newest not_measured run
// (verdicts "not_measured"), so that a page says "not measured" where the
// verification page does, rather than "not verified".
func newestShownRuns(db *gorm.DB) *gorm.DB {
	return db.Session(&gorm.Session{NewDB: true}).Table("probe_runs r").Select("MAX(r.id)").
		Joins("JOIN attestations ra ON ra.id = r.attestation_id AND ra.version = r.version").
		Where("r.reason <> ?", RunReasonSelf).
		Where("r.status = ? OR r.status = ? AND NOT EXISTS (SELECT 1 FROM probe_runs d WHERE d.attestation_id = r.attestation_id AND d.version = r.version AND d.status = ? AND d.reason <> ?)",
			RunDone, RunNotMeasured, RunDone, RunReasonSelf).
		Group("r.attestation_id")
}

func newestDoneRuns(db *gorm.DB) *gorm.DB {
	return db.Session(&gorm.Session{NewDB: true}).Table("probe_runs r").Select("MAX(r.id)").
		Joins("JOIN attestations ra ON ra.id = r.attestation_id AND ra.version = r.version").
		Where("r.status = ? AND r.reason <> ?", RunDone, RunReasonSelf).Group("r.attestation_id")
}

// OpenContradictions lists the contradicted claims in the newest done runs
// of the current versions of attestations viewer may review (admins: all;
// officers: their org's tenders) that the buyer has not accepted, newest
// first.
func OpenContradictions(ctx context.Context, db *gorm.DB, viewer *User, limit int) ([]Contradiction, error) {
	if viewer == nil || (viewer.Role != RoleAdmin && viewer.Role != RoleOfficer) {
		return nil, nil
	}
	if limit <= 0 {
		limit = 50
	}
	q := db.WithContext(ctx).Table("verifications v").
		Select("v.attestation_id, a.tender_id, t.title AS tender_title, o.name AS supplier, s.name AS standard, v.requirement_id, v.run_id, v.checked_at").
		Joins("JOIN attestations a ON a.id = v.attestation_id").
		Joins("JOIN tenders t ON t.id = a.tender_id").
		Joins("JOIN orgs o ON o.id = a.supplier_org_id").
		Joins("JOIN requirements q ON q.id = v.requirement_id").
		Joins("JOIN standards s ON s.id = q.standard_id").
		// A contradicted claim the officer has accepted (with a comment,
		// in the review) is no longer open: the list of what needs
		// attention shrinks as it is dealt with.
		Joins("JOIN answers an ON an.id = v.answer_id").
		Where("v.status = ? AND an.review_status <> ?", VerdictContradicted, ReviewAccepted)
	latest := newestDoneRuns(db)
	if viewer.Role == RoleOfficer {
		if viewer.OrgID == nil {
			return nil, nil
		}
		q = q.Where("t.buyer_org_id = ?", *viewer.OrgID)
		latest = latest.Joins("JOIN tenders rt ON rt.id = ra.tender_id").Where("rt.buyer_org_id = ?", *viewer.OrgID)
	}
	q = q.Where("v.run_id IN (?)", latest)
	var out []Contradiction
	if err := q.Order("v.checked_at DESC, v.id").Limit(limit).Scan(&out).Error; err != nil {
		return nil, wrap(err, "open contradictions")
	}
	ids := make([]uint, len(out))
	for i := range out {
		ids[i] = out[i].RequirementID
	}
	stds, err := standardsOfRequirements(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Catalogue = stds[out[i].RequirementID]
	}
	return out, nil
}

// RecentChanges lists the verdict changes on tenders viewer may review,
// newest first.
func RecentChanges(ctx context.Context, db *gorm.DB, viewer *User, limit int) ([]VerdictChange, error) {
	if viewer == nil || (viewer.Role != RoleAdmin && viewer.Role != RoleOfficer) {
		return nil, nil
	}
	if limit <= 0 {
		limit = 20
	}
	q := db.WithContext(ctx).Model(&VerdictChange{}).Preload("Attestation.SupplierOrg").Order("verdict_changes.id DESC").Limit(limit)
	if viewer.Role == RoleOfficer {
		if viewer.OrgID == nil {
			return nil, nil
		}
		q = q.Joins("JOIN tenders ON tenders.id = verdict_changes.tender_id").Where("tenders.buyer_org_id = ?", *viewer.OrgID)
	}
	var out []VerdictChange
	if err := q.Find(&out).Error; err != nil {
		return nil, wrap(err, "recent verdict changes")
	}
	return out, withCatalogue(ctx, db, out)
}

// DomainHistoryPoint is one run's outcome for one domain: how many of its
// checks passed and failed, and the verdict counts of that run.
type DomainHistoryPoint struct {
	RunID  uint
	At     time.Time
	Reason string
	Pass   int
	Fail   int
	Other  int
	Checks map[check.ID]check.Status
}

// DomainHistory returns, oldest first, the outcome for domain in every
// finished run of attestation attID: the history of one vendor's domain.
func DomainHistory(ctx context.Context, db *gorm.DB, attID uint, domain string, limit int) ([]DomainHistoryPoint, error) {
	if limit <= 0 || limit > 200 {
		limit = 52
	}
	var rows []struct {
		ProbeResult
		Reason     string
		FinishedAt *time.Time
	}
	err := db.WithContext(ctx).Table("probe_results").
		Select("probe_results.*, probe_runs.reason, probe_runs.finished_at").
		Joins("JOIN probe_runs ON probe_runs.id = probe_results.run_id").
		Where("probe_runs.attestation_id = ? AND probe_runs.status = ? AND probe_runs.reason <> ? AND probe_results.domain = ?", attID, RunDone, RunReasonSelf, domain).
		Order("probe_runs.id DESC").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, wrap(err, "attestation %d: history of %s", attID, domain)
	}
	out := make([]DomainHistoryPoint, 0, len(rows))
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		p := DomainHistoryPoint{RunID: r.RunID, At: r.CreatedAt, Reason: r.Reason, Checks: map[check.ID]check.Status{}}
		if r.FinishedAt != nil {
			p.At = *r.FinishedAt
		}
		for _, c := range r.Checks {
			p.Checks[c.ID] = c.Status
			switch c.Status {
			case check.Pass:
				p.Pass++
			case check.Fail:
				p.Fail++
			default:
				p.Other++
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// ScopeDomainsOf returns the distinct domains probed for attestation attID
// over all its runs, sorted.
func ScopeDomainsOf(ctx context.Context, db *gorm.DB, attID uint) ([]string, error) {
	var names []string
	err := db.WithContext(ctx).Model(&ProbeResult{}).Distinct("probe_results.domain").
		Joins("JOIN probe_runs ON probe_runs.id = probe_results.run_id").
		Where("probe_runs.attestation_id = ? AND probe_runs.reason <> ?", attID, RunReasonSelf).Order("probe_results.domain").Pluck("probe_results.domain", &names).Error
	if err != nil {
		return nil, wrap(err, "attestation %d: probed domains", attID)
	}
	return names, nil
}

// TenderOfficerEmails returns the addresses of the enabled officers of the
// org that owns tender tenderID: who hears about changed verdicts.
func TenderOfficerEmails(ctx context.Context, db *gorm.DB, tenderID uint) ([]string, error) {
	var out []string
	err := db.WithContext(ctx).Model(&User{}).Joins("JOIN tenders ON tenders.buyer_org_id = users.org_id").
		Where("tenders.id = ? AND users.role = ? AND users.disabled = ?", tenderID, RoleOfficer, false).
		Order("users.email").Pluck("users.email", &out).Error
	if err != nil {
		return nil, wrap(err, "tender %d: officer addresses", tenderID)
	}
	return out, nil
}

// AttestationChanges lists the verdict changes of attestation attID, newest first.
func AttestationChanges(ctx context.Context, db *gorm.DB, attID uint, limit int) ([]VerdictChange, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []VerdictChange
	if err := db.WithContext(ctx).Where("attestation_id = ?", attID).Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, wrap(err, "attestation %d: verdict changes", attID)
	}
	return out, withCatalogue(ctx, db, out)
}

// withCatalogue fills in each change's standard from its requirement, in
// one query, so pages can name it in their reader's language.
func withCatalogue(ctx context.Context, db *gorm.DB, changes []VerdictChange) error {
	ids := make([]uint, len(changes))
	for i := range changes {
		ids[i] = changes[i].RequirementID
	}
	stds, err := standardsOfRequirements(ctx, db, ids)
	if err != nil {
		return err
	}
	for i := range changes {
		changes[i].Catalogue = stds[changes[i].RequirementID]
	}
	return nil
}
