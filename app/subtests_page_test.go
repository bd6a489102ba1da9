package app

import (
	"fmt"
	"strings"
	"testing"

	"tenderprobe/app/probe/check"
	"tenderprobe/models"
)

// A probe run's page lists, inside each check, internet.nl's subtests under
// their batch test keys with the outcome and the reason in the reader's
// language, so a buyer can compare both tools test by test.
func TestTheRunPageListsInternetNLsSubtestsInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	officer := a.session("officer@demo.test")
	var run models.ProbeRun
	if err := a.db.Joins("JOIN attestations ON attestations.id = probe_runs.attestation_id").
		Joins("JOIN tenders ON tenders.id = attestations.tender_id").
		Where("tenders.buyer_org_id = ?", *a.user("officer@demo.test").OrgID).
		Order("probe_runs.id").First(&run).Error; err != nil {
		t.Fatal(err)
	}
	findings := map[string]any{
		"web_https_tls_0rtt": map[string]any{"status": "fail", "reason": "early data accepted",
			"finding": "on_host", "finding_params": map[string]any{"host": "www.subtest.example",
				"finding": map[string]any{"finding": "error", "finding_params": map[string]any{"error": "0-RTT"}}}},
		"web_https_tls_version": map[string]any{"status": "pass", "reason": "ok", "finding": "error", "finding_params": map[string]any{"error": "TLS 1.3"}},
	}
	res := models.ProbeResult{RunID: run.ID, Domain: "subtest.example", Checks: []models.ProbeCheck{{
		ID: check.WebTLSVersion, Status: check.Fail, Summary: "x", Standard: "tls", Details: map[string]any{"findings": findings},
	}}}
	if err := a.db.Create(&res).Error; err != nil {
		t.Fatal(err)
	}
	page := getIn(officer, "nl", fmt.Sprintf("/probe-runs/%d", run.ID))
	if page.status != 200 {
		t.Fatalf("status %d: %s", page.status, errorText(page.body))
	}
	table := page.body[strings.Index(page.body, `id="domain-subtest.example"`):]
	table = table[:strings.Index(table, "</section>")]
	for _, want := range []string{"De tests van internet.nl", "<code>web_https_tls_version</code>", "<code>web_https_tls_0rtt</code>", `www.subtest.example: <span lang="en">0-RTT</span>`} {
		if !strings.Contains(table, want) {
			t.Errorf("%q missing from\n%s", want, table)
		}
	}
	if strings.Index(table, "web_https_tls_version") > strings.Index(table, "web_https_tls_0rtt") {
		t.Error("the subtests are not in internet.nl's order")
	}
}
