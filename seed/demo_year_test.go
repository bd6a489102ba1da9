package seed_test

import (
	"context"
	"testing"
	"time"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
	"tenderprobe/seed"
)

func TestDemoYear(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	start := time.Now()
	if err := seed.Demo(ctx, db); err != nil {
		t.Fatal(err)
	}
	t.Logf("demo data in %v", time.Since(start))
	year := time.Now().UTC().Year() - 1
	cur, err := models.LoadAnnualReport(ctx, db, models.AnnualFilter{Year: year, Details: true})
	if err != nil {
		t.Fatal(err)
	}
	prev, err := models.LoadAnnualReport(ctx, db, models.AnnualFilter{Year: year - 1})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("the last full year has a dozen closed, answered and verified tenders", func(t *testing.T) {
		if len(cur.Tenders) != 12 {
			t.Fatalf("%d tenders in %d, want 12", len(cur.Tenders), year)
		}
		submitted := 0
		for _, tn := range cur.Tenders {
			if tn.Status != models.StatusClosed || tn.Submitted < 2 || tn.PublishedAt.Year() != year {
				t.Errorf("tender %s: %s, %d submitted, published %v", tn.Reference, tn.Status, tn.Submitted, tn.PublishedAt)
			}
			submitted += tn.Submitted
		}
		if cur.Verified != submitted {
			t.Errorf("%d of %d attestations verified", cur.Verified, submitted)
		}
		if len(cur.Explanations) < 20 {
			t.Errorf("only %d explanations", len(cur.Explanations))
		}
	})

	t.Run("the verdicts include contradictions and confirmations", func(t *testing.T) {
		verdicts := map[string]int{}
		for _, a := range cur.Answers {
			verdicts[a.Verdict] += a.N
		}
		for _, v := range []string{models.VerdictConfirmed, models.VerdictContradicted, models.VerdictConsistent, models.VerdictAttestationOnly} {
			if verdicts[v] == 0 {
				t.Errorf("no %s verdict in %v", v, verdicts)
			}
		}
		if verdicts[""] != 0 {
			t.Errorf("%d answers without a verdict", verdicts[""])
		}
	})

	t.Run("the year before has data to compare with", func(t *testing.T) {
		if len(prev.Answers) == 0 {
			t.Fatal("no answers in the year before")
		}
	})

	t.Run("running the demo again adds nothing", func(t *testing.T) {
		if err := seed.Demo(ctx, db); err != nil {
			t.Fatal(err)
		}
		again, err := models.LoadAnnualReport(ctx, db, models.AnnualFilter{Year: year, Details: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(again.Tenders) != len(cur.Tenders) || len(again.Explanations) != len(cur.Explanations) {
			t.Fatalf("second run: %d tenders, %d explanations; first: %d, %d", len(again.Tenders), len(again.Explanations), len(cur.Tenders), len(cur.Explanations))
		}
	})
}
