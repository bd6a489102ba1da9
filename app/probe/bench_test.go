package probe_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"tenderprobe/app/probe"
	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/app/probe/rpki"
	"tenderprobe/app/probecli"
)

// latency is the delay added to every DNS, HTTPS, HTTP and SMTP answer in
// BenchmarkProbeOneDomainLatency: a server 20 ms away.
const latency = 20 * time.Millisecond

// testbedEngine is an engine configured for the testbed, as the CLI would
// configure it from the flags in cliArgs.
func testbedEngine(b *testing.B, tb *testbed) *probe.Engine {
	b.Helper()
	vrps, err := rpki.LoadVRPs(context.Background(), tb.vrpFile, nil)
	if err != nil {
		b.Fatal(err)
	}
	e, err := probe.New(probe.Config{
		Resolver:     tb.resolver,
		TrustAnchors: tb.in.TrustAnchor(),
		RootCAs:      tb.ca.Pool,
		VRPs:         vrps,
		AllowPrivate: true,
		HTTPSPort:    tb.httpsPort,
		HTTPPort:     tb.httpPort,
		SMTPPort:     tb.smtpPort,
		NSPort:       tb.nsPort,
	})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkProbeOneDomainLatency probes good.test, the testbed's domain that
// passes every check, with 20 ms added to every answer of its DNS, HTTPS,
// HTTP and SMTP servers.
//
// Metrics, per probe:
//   - ms/probe: wall time of the full suite with the 20 ms delay.
//   - ms/probe-no-delay: the same probe on bare loopback, measured once
//     before the timed loop: time spent computing rather than waiting.
//   - round-trips: every answer the servers gave (DNS queries, plus each
//     greeting and each reply on a web or mail connection, counted by the
//     listeners of probetest/latency.go). Done one after another they would
//     take round-trips × 20 ms.
//   - rtt-chain: the chain of dependent round trips, counted from the
//     servers' trace of every answer (when its request was complete, when
//     the answer left): the largest number of answers that happened strictly
//     one after another, each asked only after the previous one was
//     answered (interval scheduling, greedy by earliest answer). Every chain
//     of dependent round trips is such a sequence, so this counts the
//     longest chain, or a little more when unrelated round trips happened to
//     follow each other.
//   - chain-ms: rtt-chain × 20 ms, the wall time the issue asks to approach;
//     ms/probe minus chain-ms is computing and scheduling time.
//
// Not modelled: TCP connection set-up is not delayed (the kernel completes
// it before the server sees the connection), so on a real network every
// sequential connection on the chain adds one more round trip.
func BenchmarkProbeOneDomainLatency(b *testing.B) {
	tb := newTestbed(b)
	e := testbedEngine(b, tb)
	ctx := context.Background()

	start := time.Now()
	if _, err := e.Probe(ctx, "good.test"); err != nil {
		b.Fatal(err)
	}
	base := time.Since(start)

	tb.setDelay(latency)
	before := tb.answers()
	chain := 0
	b.ResetTimer()
	start = time.Now()
	for b.Loop() {
		tb.startTrace()
		res, err := e.Probe(ctx, "good.test")
		seq := longestSequence(tb.stopTrace())
		if chain == 0 {
			// The chain itself, for the record (shown with -v).
			for i, rt := range seq {
				b.Logf("chain %2d: +%4d ms %s", i+1, rt.asked.Sub(seq[0].asked).Milliseconds(), rt.what)
			}
		}
		chain += len(seq)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Checks) != len(check.IDs()) {
			b.Fatalf("%d checks, want %d", len(res.Checks), len(check.IDs()))
		}
	}
	wall := time.Since(start) / time.Duration(b.N)
	b.StopTimer()

	perChain := float64(chain) / float64(b.N)
	b.ReportMetric(float64(wall)/float64(time.Millisecond), "ms/probe")
	b.ReportMetric(float64(base)/float64(time.Millisecond), "ms/probe-no-delay")
	b.ReportMetric(float64(tb.answers()-before)/float64(b.N), "round-trips")
	b.ReportMetric(perChain, "rtt-chain")
	b.ReportMetric(perChain*float64(latency)/float64(time.Millisecond), "chain-ms")
}

// longestSequence returns the longest run of round trips in trips that took
// place one after another, each asked no earlier than the previous one was
// answered. Picking, among those that may come next, the one answered first
// is optimal (the classic interval-scheduling argument).
func longestSequence(trips []roundTrip) []roundTrip {
	sort.Slice(trips, func(i, j int) bool { return trips[i].answered.Before(trips[j].answered) })
	var seq []roundTrip
	var last time.Time
	for _, rt := range trips {
		if !rt.asked.Before(last) {
			seq = append(seq, rt)
			last = rt.answered
		}
	}
	return seq
}

// bulkDomains is the size of BenchmarkProbe1000Domains' batch.
const bulkDomains = 1000

// addBulkDomains publishes n domains d0000.bulk.test ... in one signed zone
// (one zone keeps signing to a single pass). Three in four point at the
// good servers and take mail at mail.good.test; every fourth points at the
// bad servers with a permissive SPF and no DMARC.
func addBulkDomains(tb *testbed, n int) []string {
	var records, names []string
	for i := range n {
		d := fmt.Sprintf("d%04d", i)
		names = append(names, d+".bulk.test")
		if i%4 == 3 {
			records = append(records,
				d+" 300 IN A "+badV4,
				d+" 300 IN MX 10 mail.bad.test.",
				d+` 300 IN TXT "v=spf1 +all"`,
			)
			continue
		}
		records = append(records,
			d+" 300 IN A "+goodV4,
			d+" 300 IN AAAA "+goodV6,
			d+" 300 IN MX 10 mail.good.test.",
			d+` 300 IN TXT "v=spf1 mx -all"`,
			"_dmarc."+d+` 300 IN TXT "v=DMARC1; p=reject"`,
			d+` 300 IN CAA 0 issue "ca.test"`,
		)
	}
	tb.in.AddZone(probetest.Zone{Name: "bulk.test.", Records: records})
	return names
}

// BenchmarkProbe1000Domains runs `tenderprobe probe --json --concurrency
// 100 --input FILE` over 1,000 domains on loopback, output discarded, and
// reports the wall time of the batch, domains per second, and the peak
// resident set size of the process (VmHWM). The peak includes the test's
// own DNS, web and mail servers, which share the process.
func BenchmarkProbe1000Domains(b *testing.B) {
	tb := newTestbed(b)
	names := addBulkDomains(tb, bulkDomains)
	input := filepath.Join(b.TempDir(), "domains.txt")
	if err := os.WriteFile(input, []byte(strings.Join(names, "\n")+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	args := append(tb.cliArgs(probe.DefaultTimeout), "--allow-private", "--concurrency", "100", "--input", input)

	var out statusCounter
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		out = statusCounter{}
		var stderr bytes.Buffer
		if code := probecli.Run(context.Background(), args, &out, &stderr); code != probecli.ExitOK {
			b.Fatalf("exit status %d: %s", code, stderr.String())
		}
	}
	wall := time.Since(start) / time.Duration(b.N)
	b.StopTimer()

	b.ReportMetric(wall.Seconds(), "s/batch")
	b.ReportMetric(float64(bulkDomains)/wall.Seconds(), "domains/s")
	b.ReportMetric(float64(peakRSS(b))/(1<<20), "peak-RSS-MiB")
	// Errors show whether the batch outran its per-domain budgets under
	// load, which would make a fast figure meaningless.
	b.ReportMetric(float64(out.errors), "error-checks")
	b.ReportMetric(float64(out.checks), "checks")
}

// statusCounter discards the CLI's output, counting checks and errors as
// it streams by; keeping the document would inflate the peak RSS being
// measured. The CLI writes each result in one call (after the opening
// `{"results":[` and a separator), so each write holds one whole result.
type statusCounter struct {
	checks, errors int
}

func (c *statusCounter) Write(p []byte) (int, error) {
	body := bytes.TrimLeft(bytes.TrimPrefix(p, []byte(`{"results":[`)), ",\n")
	if len(body) == 0 || body[0] != '{' {
		return len(p), nil
	}
	var r struct {
		Checks []struct {
			Status probe.Status `json:"status"`
		} `json:"checks"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, fmt.Errorf("bench: decode one result: %w", err)
	}
	for _, ch := range r.Checks {
		c.checks++
		if ch.Status == probe.StatusError {
			c.errors++
		}
	}
	return len(p), nil
}

// peakRSS reads the process's peak resident set size (VmHWM) in bytes.
func peakRSS(b *testing.B) int64 {
	b.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				b.Fatalf("parse VmHWM %q: %v", v, err)
			}
			return kb << 10
		}
	}
	b.Fatal("VmHWM not found in /proc/self/status")
	return 0
}

func TestLongestSequenceCountsRoundTripsThatFollowEachOther(t *testing.T) {
	at := func(ms int) time.Time { return time.Unix(0, 0).Add(time.Duration(ms) * time.Millisecond) }
	rt := func(asked, answered int) roundTrip { return roundTrip{"dns", at(asked), at(answered)} }
	tests := []struct {
		name  string
		trips []roundTrip
		want  int
	}{
		{"no round trips make no chain", nil, 0},
		{"parallel round trips count once", []roundTrip{rt(0, 20), rt(1, 21), rt(2, 22)}, 1},
		{"a query asked after the answer it needed follows it", []roundTrip{rt(0, 20), rt(20, 40), rt(41, 61)}, 3},
		{"a long answer does not hide a chain of short ones beside it", []roundTrip{rt(0, 100), rt(1, 21), rt(22, 42), rt(43, 63)}, 3},
		{"overlapping answers cannot both be on the chain", []roundTrip{rt(0, 20), rt(10, 30), rt(25, 45)}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := len(longestSequence(tt.trips)); got != tt.want {
				t.Errorf("longestSequence = %d, want %d", got, tt.want)
			}
		})
	}
}
