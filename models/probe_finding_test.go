package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// A stored check keeps its finding code and parameters, nested findings,
// lists and numbers included, so pages can show it in any language.
func TestStoredChecksKeepTheirFinding(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		_, a := w.submitted(t, "Findings")
		run, err := models.ClaimRun(ctx, db, "worker-f", time.Minute, attNow)
		if err != nil || run == nil || run.AttestationID != a.ID {
			t.Fatalf("claim: %+v %v", run, err)
		}
		params := map[string]any{"hosts": []any{map[string]any{"finding": "at_target", "finding_params": map[string]any{
			"target": "mx.shop.test", "problem": map[string]any{"finding": "starttls_not_offered", "finding_params": map[string]any{"hosts": []any{"192.0.2.1:25"}}}}}},
			"count": 2}
		res := &models.ProbeResult{RunID: run.ID, Domain: "shop.test", Checks: []models.ProbeCheck{
			{ID: "mail.starttls", Status: "fail", Summary: "Mail transport not properly encrypted: mx.shop.test: STARTTLS not offered on 192.0.2.1:25",
				Finding: "starttls_not_encrypted", FindingParams: params},
			{ID: "web.hsts", Status: "pass", Summary: "HSTS is set."},
		}}
		if err := models.StoreResult(ctx, db, "worker-f", res, attNow); err != nil {
			t.Fatal(err)
		}
		rs, err := models.RunResults(ctx, db, run.ID)
		if err != nil || len(rs) != 1 {
			t.Fatalf("results %+v %v", rs, err)
		}
		got := rs[0].Check("mail.starttls")
		if got == nil || got.Finding != "starttls_not_encrypted" {
			t.Fatalf("stored check %+v", got)
		}
		if fmt.Sprint(got.FindingParams) != fmt.Sprint(map[string]any{"hosts": params["hosts"], "count": float64(2)}) {
			t.Errorf("params came back as %v, stored %v", got.FindingParams, params)
		}
		if old := rs[0].Check("web.hsts"); old == nil || old.Finding != "" || old.FindingParams != nil {
			t.Errorf("a check without a finding came back as %+v", old)
		}
	})
}
