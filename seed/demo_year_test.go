package seed_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/seed"
)

func TestDemoYear(t *testing.T) {
	t.Parallel()
	demo.Each(t, testDemoYear)
}

// testDemoYear looks at the year of history in db, a copy of the
// database seed.Demo filled.
func testDemoYear(t *testing.T, db *gorm.DB) {
	ctx := context.Background()
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

	t.Run("a history tender's report data hold the answers, verdicts and probe results of every vendor", func(t *testing.T) {
		d, err := models.LoadTenderReport(ctx, db, cur.Tenders[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Attestations) < 2 || len(d.Attestations) != cur.Tenders[0].Submitted {
			t.Fatalf("%d attestations, %d submitted", len(d.Attestations), cur.Tenders[0].Submitted)
		}
		answers := 0
		for _, a := range d.Attestations {
			if _, ok := d.Runs[a.ID]; !ok || len(d.Results[a.ID]) != 2 || len(a.Submissions) != 1 || len(a.Scope) != 2 {
				t.Errorf("attestation %d: run %v, %d domains probed, %d receipts, %d scope names", a.ID, ok, len(d.Results[a.ID]), len(a.Submissions), len(a.Scope))
			}
			for _, an := range a.Answers {
				answers++
				if _, ok := d.Verdicts[an.ID]; !ok {
					t.Errorf("answer %d has no verdict", an.ID)
				}
			}
		}
		if answers != len(d.Tender.Requirements)*len(d.Attestations) {
			t.Errorf("%d answers for %d requirements and %d vendors", answers, len(d.Tender.Requirements), len(d.Attestations))
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
