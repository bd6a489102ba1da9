package jobs_test

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"

	"tenderprobe/app/jobs"
	"tenderprobe/app/jobs/jobstest"
	"tenderprobe/app/probe"
	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/app/probecli"
	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// slugs are the requirements of the test tender: four standards the probes
// check (two of them broken on the broken domain) and one they cannot.
var slugs = []string{"hsts", "dmarc", "tls", "spf", "iso-27001"}

func engineFor(t testing.TB, tb *probetest.Testbed) *probe.Engine {
	t.Helper()
	cfg, err := probecli.BuildConfig(context.Background(), jobstest.Settings(tb))
	if err != nil {
		t.Fatal(err)
	}
	e, err := probe.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// drain works the queue until it is empty.
func drain(t testing.TB, p *jobs.Pool) int {
	t.Helper()
	n := 0
	for {
		ran, err := p.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			return n
		}
		n++
	}
}

func TestSubmittedClaimsAreConfirmedOrContradictedByLiveProbes(t *testing.T) {
	t.Parallel()
	tb := probetest.NewTestbed(t)
	db := dbtest.Open(t)
	f := jobstest.New(t, db, slugs...)
	good := f.Submit(t, "Good Hosting", []string{probetest.GoodDomain}, []string{probetest.GoodDomain})
	broken := f.Submit(t, "Broken Hosting", []string{probetest.BrokenDomain}, []string{probetest.BrokenDomain})

	pool := jobs.New(db, engineFor(t, tb), nil, nil, jobs.Config{})
	if n := drain(t, pool); n != 2 {
		t.Fatalf("worked %d runs, want the 2 queued by the submissions", n)
	}
	tests := []struct {
		name string
		id   uint
		want map[string]string
	}{
		{"a vendor whose domain does everything right is confirmed on every checked claim", good, map[string]string{
			"hsts": models.VerdictConfirmed, "dmarc": models.VerdictConfirmed, "tls": models.VerdictConfirmed,
			"spf": models.VerdictConfirmed, "iso-27001": models.VerdictAttestationOnly}},
		{"a vendor without HSTS and DMARC is contradicted on exactly those claims", broken, map[string]string{
			"hsts": models.VerdictContradicted, "dmarc": models.VerdictContradicted, "tls": models.VerdictConfirmed,
			"spf": models.VerdictConfirmed, "iso-27001": models.VerdictAttestationOnly}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := jobstest.Verdicts(t, db, tt.id)
			if !maps.Equal(got, tt.want) {
				t.Errorf("verdicts %v\nwant     %v", got, tt.want)
			}
		})
	}
	t.Run("the run stores every domain's checks with their evidence", func(t *testing.T) {
		run, err := models.LatestRun(context.Background(), db, broken)
		if err != nil {
			t.Fatal(err)
		}
		results, err := models.RunResults(context.Background(), db, run.ID)
		if err != nil || len(results) != 1 {
			t.Fatalf("results %v %v", results, err)
		}
		hsts := results[0].Check("web.hsts")
		if run.Status != models.RunDone || run.Done != 1 || run.Total != 1 || hsts == nil || hsts.Status != "fail" || len(results[0].Checks) != len(check.DomainIDs()) {
			t.Errorf("run %+v, web.hsts %+v", run, hsts)
		}
	})
}

// gate wraps the real engine: probing the held domain blocks until the
// run is stopped, and every domain probed is counted.
type gate struct {
	probe   jobs.Prober
	hold    string
	entered chan struct{}
	mu      sync.Mutex
	probed  []string
}

func (g *gate) Probe(ctx context.Context, domain string) (probe.Result, error) {
	g.mu.Lock()
	g.probed = append(g.probed, domain)
	g.mu.Unlock()
	if domain == g.hold {
		close(g.entered)
		<-ctx.Done()
		return probe.Result{Domain: domain}, nil
	}
	return g.probe.Probe(ctx, domain)
}

func TestAStoppedRunIsResumedAndCompletesOnce(t *testing.T) {
	t.Parallel()
	tb := probetest.NewTestbed(t)
	db := dbtest.Open(t)
	f := jobstest.New(t, db, slugs...)
	id := f.Submit(t, "Split Hosting", []string{probetest.GoodDomain}, []string{probetest.BrokenDomain})
	engine := engineFor(t, tb)
	ctx := context.Background()

	// The first worker probes broken.test, then hangs on good.test and
	// is stopped there, as a server shutting down mid-run.
	first := &gate{probe: engine, hold: probetest.GoodDomain, entered: make(chan struct{})}
	p1 := jobs.New(db, first, nil, nil, jobs.Config{DomainConcurrency: 1})
	stop, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := p1.RunOnce(stop)
		done <- err
	}()
	<-first.entered
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	run, err := models.LatestRun(ctx, db, id)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the stopped run is back in the queue with its first domain kept", func(t *testing.T) {
		if run.Status != models.RunQueued || run.Done != 1 || run.Total != 2 {
			t.Errorf("run %+v", run)
		}
	})

	second := &gate{probe: engine, entered: make(chan struct{})}
	p2 := jobs.New(db, second, nil, nil, jobs.Config{DomainConcurrency: 1})
	if n := drain(t, p2); n != 1 {
		t.Fatalf("the restarted pool worked %d runs, want 1", n)
	}
	t.Run("the restarted worker probes only the domain that was missing", func(t *testing.T) {
		if !slices.Equal(second.probed, []string{probetest.GoodDomain}) {
			t.Errorf("probed %v", second.probed)
		}
	})
	t.Run("the run completes once with one verdict per answer", func(t *testing.T) {
		runs, err := models.ListRuns(ctx, db, id, 10)
		if err != nil || len(runs) != 1 || runs[0].Status != models.RunDone || runs[0].ID != run.ID {
			t.Fatalf("runs %+v %v", runs, err)
		}
		vs, err := models.RunVerifications(ctx, db, run.ID)
		if err != nil || len(vs) != len(slugs) {
			t.Fatalf("%d verdicts, want %d: %v", len(vs), len(slugs), err)
		}
		got := jobstest.Verdicts(t, db, id)
		// HSTS is judged on the web domain (good), DMARC on the mail domain (broken).
		want := map[string]string{"hsts": models.VerdictConfirmed, "dmarc": models.VerdictContradicted,
			"tls": models.VerdictConfirmed, "spf": models.VerdictConfirmed, "iso-27001": models.VerdictAttestationOnly}
		if !maps.Equal(got, want) {
			t.Errorf("verdicts %v, want %v", got, want)
		}
	})
}
