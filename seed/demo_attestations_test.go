package seed_test

import (
	"context"
	"testing"

	"tenderprobe/models"
	"tenderprobe/seed"
)

func TestDemoAttestations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// demo ran seed.Demo once; run it a second time.
	db := demo.Open(t)
	if err := seed.Demo(ctx, db); err != nil {
		t.Fatal(err)
	}
	officer, err := models.FindUserByEmail(ctx, db, "officer@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]int{}
	for _, ref := range []string{"DSC-2026-014", "DSC-2026-021"} {
		tn, err := models.FindTenderByReference(ctx, db, *officer.OrgID, ref)
		if err != nil {
			t.Fatal(err)
		}
		list, err := models.ListAttestations(ctx, db, officer, models.AttestationFilter{TenderID: tn.ID, WithAnswers: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("both demo vendors submitted on "+ref+", once each even after a second run", func(t *testing.T) {
			if len(list) != 2 {
				t.Fatalf("%d attestations", len(list))
			}
			for _, a := range list {
				if !a.Submitted() || !a.Completeness().Complete() || len(a.Scope) == 0 {
					t.Errorf("%s: status %s, %+v answered, %d domains", a.SupplierOrg.Name, a.Status, a.Completeness(), len(a.Scope))
				}
				for _, s := range a.Submissions {
					v, _, err := models.VerifyReceipt(ctx, db, a.ID, s.Version)
					if err != nil || !v.Match {
						t.Errorf("%s version %d: receipt %+v, %v", a.SupplierOrg.Name, s.Version, v, err)
					}
				}
				for _, an := range a.Answers {
					statuses[an.Status]++
				}
			}
		})
	}
	t.Run("the answers mix every status, and one attestation has a second version", func(t *testing.T) {
		for _, s := range models.AnswerStatuses {
			if statuses[s] == 0 {
				t.Errorf("no %s answer in %v", s, statuses)
			}
		}
		var versions int64
		if err := db.Model(&models.Submission{}).Where("version > 1").Count(&versions).Error; err != nil || versions == 0 {
			t.Errorf("%d second versions, %v", versions, err)
		}
		var threads int64
		if err := db.Model(&models.ReviewComment{}).Where("kind = ?", models.CommentReply).Count(&threads).Error; err != nil || threads == 0 {
			t.Errorf("%d vendor replies in review threads, %v", threads, err)
		}
	})
	t.Run("no demo run is left for the workers, and the officer sees every kind of verdict", func(t *testing.T) {
		var queued int64
		if err := db.Model(&models.ProbeRun{}).Where("status IN ?", []string{models.RunQueued, models.RunRunning}).Count(&queued).Error; err != nil || queued != 0 {
			t.Errorf("%d runs still queued or running (%v): serve --demo would probe .example domains for real", queued, err)
		}
		verdicts := map[string]int64{}
		var rows []struct {
			Status string
			N      int64
		}
		if err := db.Model(&models.Verification{}).Select("status, count(*) as n").Group("status").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			verdicts[r.Status] = r.N
		}
		for _, v := range []string{models.VerdictConfirmed, models.VerdictContradicted, models.VerdictConsistent, models.VerdictBetterThanDeclared, models.VerdictAttestationOnly} {
			if verdicts[v] == 0 {
				t.Errorf("no %s verdict in the demo: %v", v, verdicts)
			}
		}
		// Only an answer that is not applicable leaves a checked standard
		// inconclusive: a domain in both the web and the mail scope carries
		// both kinds of results.
		var stray int64
		if err := db.Model(&models.Verification{}).Joins("JOIN answers ON answers.id = verifications.answer_id").
			Where("verifications.status = ? AND answers.status <> ?", models.VerdictInconclusive, models.AnswerNotApplicable).
			Count(&stray).Error; err != nil || stray != 0 {
			t.Errorf("%d inconclusive verdicts on answered claims (%v)", stray, err)
		}
	})
}
