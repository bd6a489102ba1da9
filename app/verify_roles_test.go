package app

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"tenderprobe/models"
)

// submittedDemo has vendor@demo.test submit an attestation to a new
// published tender of the demo buyer; it returns the attestation and the
// run its submission queued.
func (a *testApp) submittedDemo() (uint, uint) {
	a.t.Helper()
	ctx := context.Background()
	tn := a.newPublished(fmt.Sprintf("verification role table %d", next()))
	inv, _, err := models.Invite(ctx, a.db, a.user("officer@demo.test"), tn.ID, models.InviteInput{Email: "vendor@demo.test"}, time.Hour, time.Now())
	if err != nil {
		a.t.Fatal(err)
	}
	vendor := a.user("vendor@demo.test")
	for _, r := range tn.Requirements {
		if _, err := models.SaveAnswer(ctx, a.db, vendor, inv.AttestationID, r.ID, models.AnswerInput{Status: models.AnswerComplies}, time.Now()); err != nil {
			a.t.Fatal(err)
		}
	}
	if _, err := models.SetScope(ctx, a.db, vendor, inv.AttestationID, []string{"shop.test"}, nil, nil, time.Now()); err != nil {
		a.t.Fatal(err)
	}
	if _, err := models.Submit(ctx, a.db, vendor, inv.AttestationID, models.SubmitInput{Declaration: true, Declarer: "Victor Vendor"}, time.Now()); err != nil {
		a.t.Fatal(err)
	}
	run, err := models.LatestRun(ctx, a.db, inv.AttestationID)
	if err != nil || run == nil {
		a.t.Fatalf("no run queued: %v", err)
	}
	return inv.AttestationID, run.ID
}

// verifyRoleTable is the verification routes' part of the role table.
func verifyRoleTable() map[string]roleCase {
	const ok, accepted, see, unauth, forbidden = 200, 202, 303, 401, 403
	attestation := func(format string, body any) func(a *testApp) (string, url.Values, any) {
		return func(a *testApp) (string, url.Values, any) {
			id, _ := a.submittedDemo()
			return fmt.Sprintf(format, id), nil, body
		}
	}
	run := func(format string) func(a *testApp) (string, url.Values, any) {
		return func(a *testApp) (string, url.Values, any) {
			_, id := a.submittedDemo()
			return fmt.Sprintf(format, id), nil, nil
		}
	}
	return map[string]roleCase{
		"POST /api/v1/attestations/:id/verify": {[5]int{unauth, accepted, accepted, forbidden, forbidden}, attestation("/api/v1/attestations/%d/verify", map[string]any{})},
		"GET /api/v1/probe-runs/:id":           {[5]int{unauth, ok, ok, ok, ok}, run("/api/v1/probe-runs/%d")},
		"POST /attestations/:id/verify":        {[5]int{unauth, see, see, forbidden, forbidden}, attestation("/attestations/%d/verify", nil)},
		"GET /attestations/:id/verification":   {[5]int{see, ok, ok, ok, ok}, attestation("/attestations/%d/verification", nil)},
		"GET /probe-runs/:id":                  {[5]int{see, ok, ok, ok, ok}, run("/probe-runs/%d")},
		"GET /probe-runs/:id/status":           {[5]int{see, ok, ok, ok, ok}, run("/probe-runs/%d/status")},
		// The vendor's self-check: only the attestation's vendor starts one.
		"POST /attestations/:id/self-check":        {[5]int{unauth, forbidden, forbidden, see, forbidden}, attestation("/attestations/%d/self-check", nil)},
		"POST /api/v1/attestations/:id/self-check": {[5]int{unauth, forbidden, forbidden, accepted, forbidden}, attestation("/api/v1/attestations/%d/self-check", map[string]any{})},
	}
}
