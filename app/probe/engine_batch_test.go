package probe

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
)

// batchEngine returns an engine whose resolver is a loopback DNS server
// holding records for the given domains, with a short budget.
func batchEngine(t *testing.T, timeout time.Duration, records ...string) *Engine {
	t.Helper()
	srv := probetest.StartDNS(t, records...)
	e, err := New(Config{Resolver: srv.Addr, AllowPrivate: true, Timeout: timeout, ConnTimeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestProbeAllKeepsInputOrderAndReportsEveryDomain(t *testing.T) {
	t.Parallel()
	var domains, records []string
	for i := range 12 {
		d := fmt.Sprintf("d%02d.batch.test", i)
		domains = append(domains, d)
		records = append(records, d+". 300 IN MX 0 .")
	}
	e := batchEngine(t, 5*time.Second, records...)

	tests := []struct {
		name        string
		concurrency int
	}{
		{"one domain at a time keeps the order", 1},
		{"several at a time still keeps the order", 5},
		{"more workers than domains keeps the order", 100},
		{"a concurrency below one is treated as one", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []int
			results := e.ProbeAll(context.Background(), domains, tt.concurrency, func(done, total int) {
				if total != len(domains) {
					t.Errorf("progress total = %d, want %d", total, len(domains))
				}
				calls = append(calls, done)
			})
			if len(results) != len(domains) {
				t.Fatalf("got %d results, want %d", len(results), len(domains))
			}
			for i, r := range results {
				if r.Domain != domains[i] {
					t.Errorf("result %d is for %q, want %q", i, r.Domain, domains[i])
				}
				if len(r.Checks) != len(check.DomainIDs()) {
					t.Errorf("%s: %d checks, want %d", r.Domain, len(r.Checks), len(check.DomainIDs()))
				}
			}
			for i, d := range calls {
				if d != i+1 {
					t.Fatalf("progress calls = %v, want 1..%d in order", calls, len(domains))
				}
			}
			if len(calls) != len(domains) {
				t.Errorf("progress called %d times, want %d", len(calls), len(domains))
			}
		})
	}
}

func TestProbeAllTurnsUnprobeableDomainsIntoErrorChecks(t *testing.T) {
	t.Parallel()
	e := batchEngine(t, 5*time.Second, "good.batch.test. 300 IN MX 0 .")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name    string
		ctx     context.Context
		domain  string
		wantErr string
	}{
		{"an invalid name is not probed and says why", context.Background(), "not a domain", "invalid domain name"},
		{"a cancelled run probes nothing and says so", cancelled, "good.batch.test", "run cancelled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.ProbeAll(tt.ctx, []string{tt.domain}, 4, nil)
			if len(res) != 1 {
				t.Fatalf("got %d results", len(res))
			}
			if len(res[0].Checks) != len(check.DomainIDs()) {
				t.Fatalf("got %d checks, want all %d ids", len(res[0].Checks), len(check.DomainIDs()))
			}
			for i, c := range res[0].Checks {
				if c.ID != check.DomainIDs()[i] || c.Status != StatusError || !strings.Contains(c.Summary, tt.wantErr) {
					t.Errorf("check %d = %s %s %q, want %s error mentioning %q", i, c.ID, c.Status, c.Summary, check.DomainIDs()[i], tt.wantErr)
				}
			}
		})
	}
}

func TestProbeBoundedNeverWaitsLongerThanTheBudgetAndGrace(t *testing.T) {
	t.Parallel()
	e := batchEngine(t, 200*time.Millisecond, "hung.batch.test. 300 IN MX 0 .")
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })

	quick := func(ctx context.Context, r *run) []Check {
		return []Check{newCheck("web.caa", StatusPass, "CAA found", nil)}
	}
	// A group that ignores its context, like a check blocked on a read
	// without a deadline.
	hung := func(ctx context.Context, r *run) []Check {
		<-release
		return nil
	}
	panics := func(ctx context.Context, r *run) []Check { panic("boom") }

	tests := []struct {
		name    string
		groups  []checker
		wantMsg map[check.ID]string // id -> part of its summary
	}{
		{
			"a group that never returns is reported as over budget",
			[]checker{quick, hung},
			map[check.ID]string{"web.caa": "CAA found", "web.hsts": "did not finish within the budget"},
		},
		{
			"a group that panics is reported as an internal error",
			[]checker{quick, panics},
			map[check.ID]string{"web.caa": "CAA found", "mail.spf": "internal error: boom"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan Result, 1)
			go func() { done <- e.probeBounded(context.Background(), "hung.batch.test", tt.groups) }()
			var res Result
			select {
			case res = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("probe still running 30 s after a 200 ms budget")
			}
			if len(res.Checks) != len(check.DomainIDs()) {
				t.Fatalf("got %d checks, want all %d ids", len(res.Checks), len(check.DomainIDs()))
			}
			byID := map[check.ID]Check{}
			for _, c := range res.Checks {
				byID[c.ID] = c
			}
			for id, want := range tt.wantMsg {
				if !strings.Contains(byID[id].Summary, want) {
					t.Errorf("%s summary = %q, want it to mention %q", id, byID[id].Summary, want)
				}
			}
		})
	}
}
