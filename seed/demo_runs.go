package seed

import (
	"context"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/probe/check"
	"tenderprobe/models"
)

// demoFindings overrides, per demo supplier, what the made-up probe results
// say, so that the officer sees every kind of verdict: a claim the probes
// contradict and a partial answer the probes find better than declared.
// Checks not listed fail when the answer admits non-compliance and pass
// otherwise.
var demoFindings = map[string]map[check.ID]check.Status{
	DemoSupplier:  {check.WebHSTS: check.Fail},
	DemoSupplier2: {check.MailDKIM: check.Fail, check.WebHSTS: check.Pass},
}

// demoFinishRuns finishes the probe runs that submitting the demo
// attestations queued, with results labelled as demo data. Demo domains
// live under .example and cannot be measured; without this the workers of
// `serve --demo` would probe them for real. A run of anything but a demo
// supplier (real work in a database the demo was added to) is handed back
// to the workers, and the demo's remaining runs are left queued with it.
func demoFinishRuns(ctx context.Context, db *gorm.DB, now time.Time) error {
	for {
		run, err := models.ClaimRun(ctx, db, demoRunOwner, time.Hour, now)
		if err != nil || run == nil {
			return err
		}
		a, err := models.RunSubject(ctx, db, run)
		if err != nil {
			return err
		}
		overrides, demo := map[check.ID]check.Status(nil), false
		if a.SupplierOrg != nil {
			overrides, demo = demoFindings[a.SupplierOrg.Name]
		}
		if !demo {
			return models.ReleaseRun(ctx, db, run.ID, demoRunOwner, time.Now())
		}
		findings := map[check.ID]check.Status{}
		for _, an := range a.Answers {
			if an.Requirement == nil || an.Requirement.Standard == nil {
				continue
			}
			for _, id := range an.Requirement.Standard.Checks {
				status := check.Pass
				if an.Status == models.AnswerPartial || an.Status == models.AnswerDoesNotComply {
					status = check.Fail
				}
				if findings[id] != check.Fail {
					findings[id] = status
				}
			}
		}
		for id, status := range overrides {
			if _, used := findings[id]; used {
				findings[id] = status
			}
		}
		if err := demoVerify(ctx, db, run, a.ScopeNames(models.ScopeWeb), a.ScopeNames(models.ScopeMail), findings, now); err != nil {
			return err
		}
	}
}
