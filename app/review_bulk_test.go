package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/probe/check"
	"tenderprobe/models"
)

// bigTender is a published tender of the demo buyer with many vendors who
// all submitted, seeded in bulk for the review matrix at scale.
type bigTender struct {
	tender  *models.Tender
	reqs    []models.Requirement
	atts    []models.Attestation
	answers []models.Answer
	// verdicts holds the verdict of each answer by answer id ("" none).
	verdicts map[uint]string
}

// bigAnswer is the pattern of answers: vendor v's answer to requirement r.
// Most comply; some explain; the probes contradict a few claims and
// confirm the rest.
func bigAnswer(v, r int) (status, verdict string) {
	switch (v + r) % 10 {
	case 7:
		return models.AnswerPartial, models.VerdictConsistent
	case 8:
		return models.AnswerDoesNotComply, models.VerdictConsistent
	case 9:
		return models.AnswerNotApplicable, ""
	}
	if (v*7+r)%13 == 0 {
		return models.AnswerComplies, models.VerdictContradicted
	}
	if r%5 == 4 {
		return models.AnswerComplies, models.VerdictAttestationOnly
	}
	return models.AnswerComplies, models.VerdictConfirmed
}

// seedBigTender creates, with a few bulk inserts, a published tender of
// the demo buyer with nReqs requirements (even positions mandatory) and
// nVendors suppliers that each submitted answers (bigAnswer) and had one
// finished probe run. The catalogue gets standards added if it has too few.
func seedBigTender(t testing.TB, db *gorm.DB, title string, nVendors, nReqs int) *bigTender {
	t.Helper()
	ctx := context.Background()
	now := testNow
	officer, err := models.FindUserByEmail(ctx, db, "officer@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	tn, err := models.CreateTender(ctx, db, officer, models.TenderInput{Title: title, Deadline: ptrTime(now.Add(30 * 24 * time.Hour))}, now)
	if err != nil {
		t.Fatal(err)
	}
	var standards []models.Standard
	if err := db.Where("catalogue_version_id = ?", tn.CatalogueVersionID).Order("position, id").Find(&standards).Error; err != nil {
		t.Fatal(err)
	}
	if missing := nReqs - len(standards); missing > 0 {
		extra := make([]models.Standard, missing)
		for i := range extra {
			extra[i] = models.Standard{CatalogueVersionID: tn.CatalogueVersionID, Slug: fmt.Sprintf("scale-%s-%d", title[:min(len(title), 8)], i),
				Position: 1000 + i, Name: fmt.Sprintf("Scale standard %d", i+1), Domain: standards[0].Domain,
				Summary: "Added for the matrix at scale.", WhyDemand: "-", Clause: "-"}
		}
		if err := db.CreateInBatches(extra, 100).Error; err != nil {
			t.Fatal(err)
		}
		// A version changed in place must count the change, as
		// AddMissingTranslations does: the processes keep it in memory.
		if err := db.Exec("UPDATE catalogue_versions SET revision = revision + 1 WHERE id = ?", tn.CatalogueVersionID).Error; err != nil {
			t.Fatal(err)
		}
		standards = append(standards, extra...)
	}
	bt := &bigTender{verdicts: map[uint]string{}}
	bt.reqs = make([]models.Requirement, nReqs)
	for i := range bt.reqs {
		level := models.LevelRecommended
		if i%2 == 0 {
			level = models.LevelMandatory
		}
		bt.reqs[i] = models.Requirement{TenderID: tn.ID, StandardID: standards[i].ID, Position: i + 1, Level: level, CreatedAt: now, UpdatedAt: now}
	}
	if err := db.CreateInBatches(bt.reqs, 200).Error; err != nil {
		t.Fatal(err)
	}
	if bt.tender, err = models.PublishTender(ctx, db, officer, tn.ID, now); err != nil {
		t.Fatal(err)
	}
	orgs := make([]models.Org, nVendors)
	for i := range orgs {
		orgs[i] = models.Org{Name: fmt.Sprintf("%s vendor %03d", title, i+1), Kind: models.OrgSupplier, CreatedAt: now, UpdatedAt: now}
	}
	if err := db.CreateInBatches(orgs, 200).Error; err != nil {
		t.Fatal(err)
	}
	submitted := now.Add(-time.Hour)
	bt.atts = make([]models.Attestation, nVendors)
	for i := range bt.atts {
		bt.atts[i] = models.Attestation{TenderID: tn.ID, SupplierOrgID: orgs[i].ID, Status: models.AttestationSubmitted, Version: 1,
			LockVersion: 1, ScopeLock: 1, SubmittedAt: &submitted, CreatedAt: now, UpdatedAt: now}
	}
	if err := db.Omit("Tender", "SupplierOrg").CreateInBatches(bt.atts, 200).Error; err != nil {
		t.Fatal(err)
	}
	runs := make([]models.ProbeRun, nVendors)
	for i := range runs {
		runs[i] = models.ProbeRun{AttestationID: bt.atts[i].ID, Version: 1, Status: models.RunDone, Reason: models.RunReasonSubmitted,
			Done: 1, Total: 1, CreatedAt: now, StartedAt: &submitted, FinishedAt: &submitted}
	}
	if err := db.Omit("Attestation").CreateInBatches(runs, 200).Error; err != nil {
		t.Fatal(err)
	}
	bt.answers = make([]models.Answer, 0, nVendors*nReqs)
	for v := range bt.atts {
		for r := range bt.reqs {
			status, _ := bigAnswer(v, r)
			expl := ""
			if status != models.AnswerComplies {
				expl = "Explained at scale."
			}
			bt.answers = append(bt.answers, models.Answer{AttestationID: bt.atts[v].ID, Version: 1, RequirementID: bt.reqs[r].ID,
				Status: status, Explanation: expl, ReviewStatus: models.ReviewPending, LockVersion: 2, CreatedAt: now, UpdatedAt: now})
		}
	}
	if err := db.Omit("Attestation", "Requirement").CreateInBatches(bt.answers, 500).Error; err != nil {
		t.Fatal(err)
	}
	var vs []models.Verification
	for v := range bt.atts {
		for r := range bt.reqs {
			an := &bt.answers[v*nReqs+r]
			_, verdict := bigAnswer(v, r)
			bt.verdicts[an.ID] = verdict
			if verdict == "" {
				continue
			}
			st := check.Pass
			if verdict == models.VerdictContradicted {
				st = check.Fail
			}
			vs = append(vs, models.Verification{RunID: runs[v].ID, AttestationID: bt.atts[v].ID, AnswerID: an.ID, RequirementID: bt.reqs[r].ID,
				Status: verdict, CheckedAt: submitted, Checks: []models.VerificationCheck{{ID: check.WebHSTS, Domain: fmt.Sprintf("www.vendor%03d.test", v+1), Status: st, Summary: "max-age 0"}}})
		}
	}
	if err := db.Omit("Run", "Answer").CreateInBatches(vs, 500).Error; err != nil {
		t.Fatal(err)
	}
	return bt
}
