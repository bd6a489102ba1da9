package app

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/jobs/jobstest"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/models"
)

// deadResolver returns a loopback address where nothing listens for DNS:
// a UDP query gets "connection refused" at once.
func deadResolver(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	return addr
}

// refusingResolver starts a DNS server on loopback that answers every
// query REFUSED, as a resolver does to clients it does not serve.
func refusingResolver(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetRcode(q, dns.RcodeRefused)
		_ = w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
	return pc.LocalAddr().String()
}

// withResolver returns args with the value of --resolver replaced.
func withResolver(args []string, addr string) []string {
	out := append([]string{}, args...)
	for i := range out {
		if out[i] == "--resolver" {
			out[i+1] = addr
		}
	}
	return out
}

// apiPost posts to base+path with the bearer token and returns the status.
func apiPost(t *testing.T, base, token, path string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestServeRunThatCannotMeasureEndsNotMeasured(t *testing.T) {
	t.Parallel()
	tb := probetest.NewTestbed(t)
	notMeasured := map[string]string{"hsts": "not_measured", "dmarc": "not_measured", "tls": "not_measured",
		"spf": "not_measured", "dnssec": "not_measured", "iso-27001": "attestation_only"}
	tests := []struct {
		name       string
		resolver   func(t *testing.T) string
		wantReason string
		wantWords  string
	}{
		{"a resolver where nothing listens makes the run not measured, saying the resolver did not answer",
			deadResolver, models.NotMeasuredResolver, "did not answer"},
		{"a resolver that refuses every query makes the run not measured, saying it refused",
			refusingResolver, models.NotMeasuredResolverRefused, "refused to answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dbPath := filepath.Join(t.TempDir(), "tenderprobe.db")
			good := serveArgs(t, tb, dbPath)
			resolver := tt.resolver(t)
			base, stop := serveInProcess(t, withResolver(good, resolver))
			db := openFile(t, dbPath)
			f := jobstest.New(t, db, serveSlugs...)
			id := f.Submit(t, "Unlucky Hosting", []string{probetest.GoodDomain}, []string{probetest.GoodDomain})
			token := officerToken(t, db, f)
			run, err := models.LatestRun(context.Background(), db, id)
			if err != nil || run == nil {
				t.Fatalf("submitting queued no run: %v", err)
			}
			doc := waitForFinish(t, base, token, run.ID)
			if doc["status"] != models.RunNotMeasured {
				t.Fatalf("the run ended %v, want not_measured", doc["status"])
			}
			if doc["not_measured_reason"] != tt.wantReason {
				t.Errorf("reason %v, want %s", doc["not_measured_reason"], tt.wantReason)
			}
			words, _ := doc["not_measured_message"].(string)
			if !strings.Contains(words, resolver) || !strings.Contains(words, tt.wantWords) || strings.Count(words, ". ") > 0 {
				t.Errorf("message %q: want one sentence naming %s and saying %q", words, resolver, tt.wantWords)
			}
			if got := apiVerdicts(t, db, base, token, run.ID); !maps.Equal(got, notMeasured) {
				t.Errorf("verdicts %v\nwant     %v", got, notMeasured)
			}
			latest := jobstest.Verdicts(t, db, id)
			if latest["hsts"] != models.VerdictNotMeasured {
				t.Errorf("the attestation's verdict on HSTS is %q, want not_measured", latest["hsts"])
			}

			// Retry with the resolver back: the same request as the
			// "Verify now" and "Retry" buttons queues a run that measures.
			stop()
			base, _ = serveInProcess(t, good)
			if code := apiPost(t, base, token, fmt.Sprintf("/api/v1/attestations/%d/verify", id)); code != http.StatusAccepted {
				t.Fatalf("retry: %d, want 202", code)
			}
			retry, err := models.LatestRun(context.Background(), db, id)
			if err != nil || retry == nil || retry.ID == run.ID {
				t.Fatalf("the retry queued no new run: %+v %v", retry, err)
			}
			waitForRun(t, base, token, retry.ID, models.RunDone)
			want := map[string]string{"hsts": "confirmed", "dmarc": "confirmed", "tls": "confirmed", "spf": "confirmed", "dnssec": "confirmed", "iso-27001": "attestation_only"}
			if got := apiVerdicts(t, db, base, token, retry.ID); !maps.Equal(got, want) {
				t.Errorf("verdicts after the retry %v\nwant %v", got, want)
			}
			if changes, err := models.AttestationChanges(context.Background(), db, id, 10); err != nil || len(changes) != 0 {
				t.Errorf("a run that measured nothing recorded verdict changes: %v %v", changes, err)
			}
		})
	}
}

// waitForFinish polls run runID through the API until it has finished,
// whatever its status, so a run that ends "done" fails at once.
func waitForFinish(t *testing.T, base, token string, runID uint) map[string]any {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		doc := apiGet(t, base, token, fmt.Sprintf("/api/v1/probe-runs/%d", runID))
		switch doc["status"] {
		case models.RunDone, models.RunNotMeasured, models.RunFailed:
			return doc
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %d is still %v", runID, doc["status"])
		}
		time.Sleep(20 * time.Millisecond)
	}
}
