package jobs_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"tenderprobe/app/jobs"
	"tenderprobe/app/jobs/jobstest"
	"tenderprobe/app/probe"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// A vendor's management endpoints are probed with the SSH check alone, and
// its verdict decides the post-quantum claim where no web domain is in
// scope.
func TestManagementEndpointsAreProbedWithTheSSHCheck(t *testing.T) {
	dns := probetest.StartDNS(t, "mgmt.test. 300 IN A 127.0.0.1")
	db := dbtest.Open(t)
	f := jobstest.New(t, db, "pq-ssh-key-exchange", "hsts")
	poolFor := func(port int) *jobs.Pool {
		e, err := probe.New(probe.Config{Resolver: dns.Addr, AllowPrivate: true, SSHPort: port, Timeout: 20 * time.Second, ConnTimeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		return jobs.New(db, e, nil, nil, jobs.Config{})
	}
	notSSH := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer notSSH.Close()

	tests := []struct {
		name       string
		port       func(t *testing.T) int
		wantVerdct string
		wantHSTS   string
		wantStatus string
	}{
		{"an endpoint offering a post-quantum hybrid confirms the claim", func(t *testing.T) int {
			return probetest.StartSSHD(t, "sntrup761x25519-sha512@openssh.com", "curve25519-sha256")
		}, models.VerdictConfirmed, models.VerdictInconclusive, "pass"},
		// Its only host measured nothing, so neither did the run.
		{"an endpoint that is not an SSH server leaves the claim not measured", func(*testing.T) int {
			return notSSH.Listener.Addr().(*net.TCPAddr).Port
		}, models.VerdictNotMeasured, models.VerdictNotMeasured, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool := poolFor(tt.port(t))
			id := f.SubmitWithManagement(t, "Vendor "+tt.wantStatus, nil, nil, []string{"MGMT.test"})
			if n := drain(t, pool); n != 1 {
				t.Fatalf("worked %d runs, want 1", n)
			}
			got := jobstest.Verdicts(t, db, id)
			// HSTS has no web domain to be checked on.
			if got["pq-ssh-key-exchange"] != tt.wantVerdct || got["hsts"] != tt.wantHSTS {
				t.Errorf("verdicts %v", got)
			}
			run, err := models.LatestRun(context.Background(), db, id)
			if err != nil {
				t.Fatal(err)
			}
			results, err := models.RunResults(context.Background(), db, run.ID)
			if err != nil || len(results) != 1 || results[0].Domain != "mgmt.test" {
				t.Fatalf("results %+v, %v", results, err)
			}
			if cs := results[0].Checks; len(cs) != 1 || cs[0].ID != "ssh.pq-kex" || string(cs[0].Status) != tt.wantStatus {
				t.Errorf("checks %+v, want ssh.pq-kex %s alone", cs, tt.wantStatus)
			}
		})
	}
}
