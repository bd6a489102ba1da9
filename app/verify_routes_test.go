package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"tenderprobe/app/jobs"
	"tenderprobe/app/jobs/jobstest"
	"tenderprobe/app/probe"
	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/app/probecli"
	"tenderprobe/models"
)

// verifySlugs are the requirements of the verification tests' tender.
var verifySlugs = []string{"hsts", "dmarc", "tls", "iso-27001"}

func TestVerificationRoutes(t *testing.T) {
	t.Parallel()
	tb := probetest.NewTestbed(t)
	a := newTestApp(t)
	f := jobstest.New(t, a.db, verifySlugs...)
	id := f.Submit(t, "Broken Hosting", []string{probetest.BrokenDomain}, []string{probetest.BrokenDomain})
	vendorEmail := "vendor@Broken-Hosting.example"
	ctx := context.Background()

	cfg, err := probecli.BuildConfig(ctx, jobstest.Settings(tb))
	if err != nil {
		t.Fatal(err)
	}
	engine, err := probe.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pool := jobs.New(a.db, engine, nil, nil, jobs.Config{})
	woken := 0
	a.h.Verify.Wake = func() { woken++ }

	verify := fmt.Sprintf("/api/v1/attestations/%d/verify", id)
	t.Run("who may ask for a verification", func(t *testing.T) {
		tests := []struct {
			name   string
			email  string
			status int
		}{
			{"an anonymous caller must authenticate", "", 401},
			{"the vendor cannot verify its own claims", strings.ToLower(vendorEmail), 403},
			{"an auditor only reads", "auditor@demo.test", 403},
			{"an officer of another buyer does not see the attestation", "officer@demo.test", 404},
			{"the buyer's officer queues a run", "officer@buyer.test", 202},
			{"an admin queues a run", "admin@demo.test", 202},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := a.apiClient(tt.email).postJSON(verify, map[string]any{})
				if res.status != tt.status {
					t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
				}
				if tt.status == 202 {
					if runID, ok := res.json(t)["run_id"].(float64); !ok || runID < 1 {
						t.Errorf("no run_id in %s", res.body)
					}
				}
			})
		}
		if woken == 0 {
			t.Error("queueing a run did not wake the workers")
		}
	})

	run, err := models.LatestRun(ctx, a.db, id)
	if err != nil || run == nil {
		t.Fatalf("no run: %v", err)
	}
	t.Run("a run asked for twice while waiting is queued once", func(t *testing.T) {
		runs, err := models.ListRuns(ctx, a.db, id, 10)
		if err != nil || len(runs) != 1 {
			t.Errorf("%d runs: %v", len(runs), err)
		}
	})
	t.Run("the attestation shows no verdict before a run has finished", func(t *testing.T) {
		res := a.apiClient("officer@buyer.test").get(fmt.Sprintf("/api/v1/attestations/%d", id))
		if res.status != 200 || !strings.Contains(res.body, `"verification":null`) {
			t.Errorf("status %d: %s", res.status, res.body)
		}
	})
	for {
		ran, err := pool.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			break
		}
	}

	runPath := fmt.Sprintf("/api/v1/probe-runs/%d", run.ID)
	t.Run("who may read a run", func(t *testing.T) {
		tests := []struct {
			name   string
			email  string
			status int
		}{
			{"an anonymous caller must authenticate", "", 401},
			{"the vendor reads its own run", strings.ToLower(vendorEmail), 200},
			{"an auditor reads it", "auditor@demo.test", 200},
			{"the buyer's officer reads it", "officer@buyer.test", 200},
			{"another vendor does not see it", "vendor@demo.test", 404},
			{"an officer of another buyer does not see it", "officer@demo.test", 404},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if res := a.apiClient(tt.email).get(runPath); res.status != tt.status {
					t.Errorf("status %d, want %d: %s", res.status, tt.status, res.body)
				}
			})
		}
	})
	t.Run("the run document has status, progress and results with evidence", func(t *testing.T) {
		doc := a.apiClient("officer@buyer.test").get(runPath).json(t)
		progress, _ := doc["progress"].(map[string]any)
		results, _ := doc["results"].([]any)
		if doc["status"] != "done" || progress["done"] != 1.0 || progress["total"] != 1.0 || len(results) != 1 {
			t.Fatalf("document %v", doc)
		}
		checks, _ := results[0].(map[string]any)["checks"].([]any)
		if len(checks) != len(check.DomainIDs()) {
			t.Errorf("%d checks, want %d", len(checks), len(check.DomainIDs()))
		}
	})
	t.Run("the attestation shows each answer's verification", func(t *testing.T) {
		doc := a.apiClient("officer@buyer.test").get(fmt.Sprintf("/api/v1/attestations/%d", id)).json(t)
		answers, _ := doc["answers"].([]any)
		got := map[string]string{}
		for _, x := range answers {
			an := x.(map[string]any)
			v, _ := an["verification"].(map[string]any)
			if v == nil {
				t.Fatalf("answer %v has no verification", an)
			}
			if v["run_id"] != float64(run.ID) || v["checked_at"] == nil || v["checks"] == nil {
				t.Errorf("verification %v", v)
			}
			got[an["standard"].(string)] = v["status"].(string)
		}
		want := map[string]string{"hsts": "contradicted", "dmarc": "contradicted", "tls": "confirmed", "iso-27001": "attestation_only"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("verdicts %v, want %v", got, want)
		}
	})
	t.Run("the pages show the verdicts, the evidence and the history", func(t *testing.T) {
		officer := a.session("officer@buyer.test")
		page := officer.get(fmt.Sprintf("/attestations/%d/verification", id))
		if page.status != 200 || !strings.Contains(page.body, "verdict-contradicted") || !strings.Contains(page.body, "<svg") || !strings.Contains(page.body, probetest.BrokenDomain) {
			t.Errorf("verification page %d", page.status)
		}
		runPage := officer.get(fmt.Sprintf("/probe-runs/%d", run.ID))
		if runPage.status != 200 || !strings.Contains(runPage.body, "web.hsts") || !strings.Contains(runPage.body, "/static/verify.js") {
			t.Errorf("run page %d", runPage.status)
		}
		if st := a.session("vendor@demo.test").get(fmt.Sprintf("/probe-runs/%d", run.ID)); st.status != 404 {
			t.Errorf("another vendor got the run page: %d", st.status)
		}
		res := officer.post(fmt.Sprintf("/attestations/%d/verify", id), nil)
		if res.status != 303 || !strings.HasPrefix(res.header.Get("Location"), "/probe-runs/") {
			t.Errorf("verify button: %d %s", res.status, res.header.Get("Location"))
		}
		if res := a.session("auditor@demo.test").post(fmt.Sprintf("/attestations/%d/verify", id), nil); res.status != 403 {
			t.Errorf("an auditor pressed verify: %d", res.status)
		}
	})
	t.Run("verdicts show next to the answers, in the matrix and on the officer's dashboard", func(t *testing.T) {
		officer := a.session("officer@buyer.test")
		tn, err := models.FindTender(ctx, a.db, f.Tender.ID)
		if err != nil {
			t.Fatal(err)
		}
		hsts := tn.Requirements[0].ID // the sheet's first requirement is HSTS
		page := officer.get(fmt.Sprintf("/attestations/%d", id))
		if page.status != 200 || !strings.Contains(page.body, fmt.Sprintf(`id="answer-%d-verdict" href="/attestations/%d/verification">contradicted<`, hsts, id)) {
			t.Errorf("attestation page %d has no contradicted verdict for HSTS", page.status)
		}
		if !strings.Contains(page.body, `id="verification-link"`) {
			t.Error("the attestation page does not link to its verification")
		}
		matrix := officer.get(fmt.Sprintf("/tenders/%d/review", f.Tender.ID))
		if matrix.status != 200 || strings.Count(matrix.body, `class="cell-contradicted"`) != 2 || strings.Count(matrix.body, `class="cell-confirmed"`) != 1 {
			t.Errorf("matrix %d does not colour two contradicted and one confirmed cell", matrix.status)
		}
		dash := officer.get("/")
		list := dash.body[strings.Index(dash.body, `id="contradicted-claims"`)+1:]
		if dash.status != 200 || !strings.Contains(list, "HSTS") || strings.Index(dash.body, "contradicted-claims") > strings.Index(dash.body, `id="dash-cat"`) {
			t.Errorf("dashboard %d does not list the contradicted claims first", dash.status)
		}
		if other := a.session("officer@demo.test").get("/"); strings.Contains(other.body, "Broken Hosting") {
			t.Error("another buyer's officer sees the contradictions of this buyer's vendor")
		}
	})
}
