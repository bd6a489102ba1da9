package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/jobs/jobstest"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// serveArgs are the flags that point `serve` at the loopback vendor
// internet. It also keeps serve's data directory in the test's temp dir
// (a flag rather than the environment, so tests can run in parallel).
func serveArgs(t *testing.T, tb *probetest.Testbed, dsn string) []string {
	return []string{
		"--addr", "127.0.0.1:0", "--db", dsn, "--data-dir", t.TempDir(),
		"--resolver", tb.Resolver, "--trust-anchor", tb.AnchorFile, "--ca-file", tb.CA.File,
		"--rpki-vrps", tb.VRPFile, "--allow-private",
		"--probe-https-port", strconv.Itoa(tb.HTTPSPort), "--probe-http-port", strconv.Itoa(tb.HTTPPort),
		"--probe-smtp-port", strconv.Itoa(tb.SMTPPort), "--probe-ns-port", strconv.Itoa(tb.NSPort),
	}
}

// serveInProcess runs the real `serve` (RunServe) until stop is called and
// returns its base URL. stop waits until serve has returned.
func serveInProcess(t *testing.T, args []string) (base string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	var stderr lockedBuffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serve's log:\n%s", stderr.String())
		}
	})
	go func() {
		code := RunServe(ctx, args, pw, &stderr)
		pw.Close()
		done <- code
	}()
	base = readServingURL(t, pr)
	go io.Copy(io.Discard, pr)
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		closeTabOf(t)
		http.DefaultClient.CloseIdleConnections()
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited with %d", code)
		}
	}
	t.Cleanup(stop)
	return base, stop
}

// lockedBuffer collects serve's log from its goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// readServingURL reads serve's output up to its "serving on URL" line.
func readServingURL(t *testing.T, r io.Reader) string {
	t.Helper()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if _, url, ok := strings.Cut(sc.Text(), "Tenderprobe is serving on "); ok {
			return url
		}
	}
	t.Fatalf("serve ended without serving: %v", sc.Err())
	return ""
}

// apiGet fetches base+path with the bearer token and decodes the JSON.
func apiGet(t *testing.T, base, token, path string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	// No idle connection is left to serve: stopping it mid-run would wait
	// out its read timeout for one (30 s), past the run's lease.
	req.Close = true
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil || res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v %v", path, res.StatusCode, doc, err)
	}
	return doc
}

// waitForRun polls the run through the API until it has status want. The
// bound is not a speed assertion: it turns a hang into a failure message.
func waitForRun(t *testing.T, base, token string, runID uint, want string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		doc := apiGet(t, base, token, fmt.Sprintf("/api/v1/probe-runs/%d", runID))
		if doc["status"] == want {
			return doc
		}
		if doc["status"] == models.RunFailed || time.Now().After(deadline) {
			t.Fatalf("run %d is %v, waiting for %s: %v", runID, doc["status"], want, doc["error"])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// apiVerdicts reads the verdicts of run runID through the API, by the
// slug of each requirement's standard.
func apiVerdicts(t *testing.T, db *gorm.DB, base, token string, runID uint) map[string]string {
	t.Helper()
	run, err := models.FindProbeRun(context.Background(), db, runID)
	if err != nil {
		t.Fatal(err)
	}
	a, err := models.FindAttestation(context.Background(), db, run.AttestationID)
	if err != nil {
		t.Fatal(err)
	}
	slugs := map[float64]string{}
	for _, an := range a.Answers {
		slugs[float64(an.RequirementID)] = an.Requirement.Standard.Slug
	}
	doc := apiGet(t, base, token, fmt.Sprintf("/api/v1/probe-runs/%d", runID))
	out := map[string]string{}
	verdicts, _ := doc["verdicts"].([]any)
	for _, x := range verdicts {
		v := x.(map[string]any)
		out[slugs[v["requirement_id"].(float64)]] = v["status"].(string)
	}
	return out
}

func officerToken(t *testing.T, db *gorm.DB, f *jobstest.Fixture) string {
	t.Helper()
	token, err := models.CreateAPIToken(context.Background(), db, f.Officer.ID, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func openFile(t *testing.T, path string) *gorm.DB {
	t.Helper()
	db, err := models.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = models.Close(db) })
	return db
}

var serveSlugs = []string{"hsts", "dmarc", "tls", "spf", "dnssec", "iso-27001"}

func TestServeConfirmsAndContradictsSubmittedClaims(t *testing.T) {
	t.Parallel()
	tb := probetest.NewTestbed(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "tenderprobe.db")
	base, _ := serveInProcess(t, serveArgs(t, tb, dbPath))

	db := openFile(t, dbPath)
	f := jobstest.New(t, db, serveSlugs...)
	good := f.Submit(t, "Good Hosting", []string{probetest.GoodDomain}, []string{probetest.GoodDomain})
	broken := f.Submit(t, "Broken Hosting", []string{probetest.BrokenDomain}, []string{probetest.BrokenDomain})
	token := officerToken(t, db, f)

	tests := []struct {
		name string
		id   uint
		want map[string]string
	}{
		{"every checked claim of the vendor that does everything right is confirmed", good, map[string]string{
			"hsts": "confirmed", "dmarc": "confirmed", "tls": "confirmed", "spf": "confirmed", "dnssec": "confirmed", "iso-27001": "attestation_only"}},
		{"the claims of HSTS and DMARC are contradicted for the vendor that lacks them, and only those", broken, map[string]string{
			"hsts": "contradicted", "dmarc": "contradicted", "tls": "confirmed", "spf": "confirmed", "dnssec": "confirmed", "iso-27001": "attestation_only"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run, err := models.LatestRun(context.Background(), db, tt.id)
			if err != nil || run == nil {
				t.Fatalf("submitting queued no run: %v", err)
			}
			doc := waitForRun(t, base, token, run.ID, models.RunDone)
			if p := doc["progress"].(map[string]any); p["done"] != 1.0 || p["total"] != 1.0 {
				t.Errorf("progress %v", p)
			}
			if got := apiVerdicts(t, db, base, token, run.ID); !maps.Equal(got, tt.want) {
				t.Errorf("verdicts %v\nwant     %v", got, tt.want)
			}
		})
	}
}

func TestServeStoppedMidRunCompletesTheRunOnceAfterRestart(t *testing.T) {
	t.Parallel()
	tb := probetest.NewTestbed(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "tenderprobe.db")
	args := serveArgs(t, tb, dbPath)
	db := openFile(t, dbPath)
	if err := models.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	f := jobstest.New(t, db, serveSlugs...)
	id := f.Submit(t, "Split Hosting", []string{probetest.GoodDomain}, []string{probetest.BrokenDomain})
	token := officerToken(t, db, f)
	run, err := models.LatestRun(context.Background(), db, id)
	if err != nil || run == nil {
		t.Fatalf("no run: %v", err)
	}

	// Slow peers keep the run busy long enough to stop the server in it.
	tb.SetDelay(200 * time.Millisecond)
	base, stop := serveInProcess(t, args)
	waitForRun(t, base, token, run.ID, models.RunRunning)
	stop()
	t.Run("the stopped server hands the run back to the queue", func(t *testing.T) {
		got, err := models.FindProbeRun(context.Background(), db, run.ID)
		if err != nil || got.Status != models.RunQueued || got.LeaseOwner != "" {
			t.Fatalf("run after stop: %+v %v", got, err)
		}
	})

	tb.SetDelay(0)
	base, _ = serveInProcess(t, args)
	waitForRun(t, base, token, run.ID, models.RunDone)
	t.Run("the restarted server completes the same run once", func(t *testing.T) {
		ctx := context.Background()
		runs, err := models.ListRuns(ctx, db, id, 10)
		if err != nil || len(runs) != 1 || runs[0].ID != run.ID || runs[0].Attempts != 1 {
			t.Fatalf("runs %+v %v", runs, err)
		}
		vs, err := models.RunVerifications(ctx, db, run.ID)
		if err != nil || len(vs) != len(serveSlugs) {
			t.Errorf("%d verdicts, want %d: %v", len(vs), len(serveSlugs), err)
		}
		results, err := models.RunResults(ctx, db, run.ID)
		if err != nil || len(results) != 2 {
			t.Errorf("%d results, want 2: %v", len(results), err)
		}
		// HSTS is judged on the web domain (good), DMARC on the mail domain (broken).
		want := map[string]string{"hsts": "confirmed", "dmarc": "contradicted", "tls": "confirmed", "spf": "confirmed", "dnssec": "confirmed", "iso-27001": "attestation_only"}
		if got := apiVerdicts(t, db, base, token, run.ID); !maps.Equal(got, want) {
			t.Errorf("verdicts %v\nwant     %v", got, want)
		}
	})
}

// envServeHelper makes the test binary act as a `serve` process with the
// arguments in envServeArgs (one per line), for the multi-process test.
const (
	envServeHelper = "TENDERPROBE_TEST_SERVE_HELPER"
	envServeArgs   = "TENDERPROBE_TEST_SERVE_ARGS"
)

func TestServeHelperProcess(t *testing.T) {
	if os.Getenv(envServeHelper) != "1" {
		t.Skip("runs only as a child of TestTwoServeProcessesShareTheQueueOnPostgreSQL")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// The parent ends the child by closing its stdin (or SIGTERM).
		io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	os.Exit(RunServe(ctx, strings.Split(os.Getenv(envServeArgs), "\n"), os.Stdout, os.Stderr))
}

func TestTwoServeProcessesShareTheQueueOnPostgreSQL(t *testing.T) {
	t.Parallel()
	db := dbtest.OpenPostgres(t)
	dsn := dbtest.DSN(t, db)
	tb := probetest.NewTestbed(t)
	// Slow peers stretch each run so both processes are busy at once.
	tb.SetDelay(5 * time.Millisecond)

	var bases []string
	for i := range 2 {
		args := append(serveArgs(t, tb, dsn), "--probe-workers", "3")
		cmd := exec.Command(os.Args[0], "-test.run=^TestServeHelperProcess$")
		cmd.Env = append(os.Environ(), envServeHelper+"=1", envServeArgs+"="+strings.Join(args, "\n"))
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stdin.Close()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				// A guard, not a timing assertion: end a stuck child.
				_ = cmd.Process.Signal(syscall.SIGKILL)
				<-done
			}
		})
		bases = append(bases, readServingURL(t, out))
		go io.Copy(io.Discard, out)
		t.Logf("serve process %d at %s", i+1, bases[i])
	}

	// Submitted only now, so both processes find the runs by polling
	// the same queue rather than the first one taking them all at start.
	f := jobstest.New(t, db, serveSlugs...)
	const vendors = 16
	for i := range vendors {
		d := probetest.GoodDomain
		if i%2 == 1 {
			d = probetest.BrokenDomain
		}
		f.Submit(t, fmt.Sprintf("Vendor %d", i), []string{d}, []string{d})
	}
	token := officerToken(t, db, f)
	ctx := context.Background()
	for _, id := range f.Attestations {
		run, err := models.LatestRun(ctx, db, id)
		if err != nil || run == nil {
			t.Fatalf("no run for attestation %d: %v", id, err)
		}
		waitForRun(t, bases[int(id)%2], token, run.ID, models.RunDone)
	}
	var runs []models.ProbeRun
	if err := db.Order("id").Find(&runs).Error; err != nil {
		t.Fatal(err)
	}
	owners := map[string]int{}
	for _, r := range runs {
		owners[r.LeaseOwner]++
	}
	t.Logf("runs per process: %v", owners)
	t.Run("every run ran exactly once", func(t *testing.T) {
		if len(runs) != vendors {
			t.Fatalf("%d runs, want %d", len(runs), vendors)
		}
		for _, r := range runs {
			if r.Status != models.RunDone || r.Attempts != 1 {
				t.Errorf("run %d: status %s after %d attempts", r.ID, r.Status, r.Attempts)
			}
			var n int64
			if err := db.Model(&models.Verification{}).Where("run_id = ?", r.ID).Count(&n).Error; err != nil || n != int64(len(serveSlugs)) {
				t.Errorf("run %d has %d verdicts, want %d", r.ID, n, len(serveSlugs))
			}
		}
	})
	t.Run("both processes took runs from the shared queue", func(t *testing.T) {
		if len(owners) != 2 {
			t.Errorf("runs by owner %v: want both processes to have worked", owners)
		}
	})
}
