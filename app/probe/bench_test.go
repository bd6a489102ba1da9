package probe_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tenderprobe/app/probe"
	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/app/probe/rpki"
	"tenderprobe/app/probecli"
)

// oneWay is the delay BenchmarkProbeOneDomainLatency adds to every packet
// in each direction: servers one round trip of 2×oneWay away.
const oneWay = 20 * time.Millisecond

// criticalPath is the chain of dependent round trips a complete probe of
// good.test cannot avoid, leg by leg. Each leg needs the answer of the one
// before it; everything else a probe does can run beside this chain. It is
// the mail session, the longest of the domain's dependency chains:
//
//   - web: A/AAAA (1), TCP connect (1), TLS 1.3 handshake (1), GET (1),
//     plus the http:// redirect before it on a connection of its own: 4-6.
//   - DNSSEC: the apex's records and the keys up to the root, asked at once
//     once the signer is known: 2-3. ns.ipv6 (NS, the name servers' AAAA,
//     a query to each): 3. RPKI (A, then Team Cymru's TXT): 2. MTA-STS
//     (A of mta-sts., connect, TLS, GET): 4. DANE's TLSA and its keys
//     after the MX: 3.
//   - The suite enumeration of a TLS scan is not on the chain: "remove the
//     chosen suite and ask again" chains handshakes only because a server
//     picks one suite per hello; the other chunks, versions, classes and
//     the order test are independent of each other.
//
// The mail session must wait for each answer because SMTP forbids talking
// before being asked (RFC 5321 4.3.1, and postscreen drops early talkers),
// STARTTLS may not be pipelined with the handshake (RFC 3207 discards the
// plaintext after it), and a polite client waits for QUIT's 221 (RFC 5321
// 4.1.1.10). The issue counted the first seven legs after the DNS; the
// probe also records EHLO inside TLS and the 221 in the transcript that is
// the check's evidence, so those two count too.
var criticalPath = []string{
	"DNS MX good.test: the mail servers",
	"DNS A and AAAA mail.good.test (asked at once): the MX's addresses",
	"TCP set-up with the MX: SYN, SYN-ACK",
	"SMTP greeting: the handshake's ACK reaches the server, its 220 comes back",
	"EHLO: 250 with the STARTTLS extension",
	"STARTTLS: 220 ready",
	"TLS 1.3 handshake: ClientHello, the server's flight up to Finished",
	"EHLO inside TLS (sent with the client's Finished): 250",
	"QUIT: 221",
}

// testbedEngine is an engine configured for the testbed, as the CLI would
// configure it from the flags in cliArgs.
func testbedEngine(b testing.TB, tb *testbed) *probe.Engine {
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
// passes every check (web and mail, all 26 checks), with every packet of
// its DNS, HTTPS, HTTP and SMTP servers delayed 20 ms in each direction:
// a round trip of 40 ms, and one more for every TCP connection's set-up
// (probetest.Testbed.SetPathDelay; DNS over UDP is one packet each way).
//
// Metrics, per probe:
//   - ms/probe: wall time of the full suite on that path.
//   - chain-ms: len(criticalPath) round trips of 40 ms, the least any
//     probe of good.test can take; the legs are listed at criticalPath.
//   - ratio-to-chain: ms/probe ÷ chain-ms; issue 13 asks for 1.5 at most.
//   - ms/probe-no-delay: the same probe on bare loopback, measured once
//     before the timed loop: time spent computing rather than waiting.
//   - cpu-ms/probe: user+sys CPU of the process (the test's servers
//     included) per probe. On a shared machine a probe waits for the CPU
//     too: with the other tenants' load, the wall time stretches beyond
//     the chain by more than the delays.
//   - round-trips: every answer the servers gave (DNS queries, TCP set-ups,
//     greetings and replies on web and mail connections).
//   - rtt-chain-traced: the longest run of round trips in the servers'
//     trace that happened strictly one after another (interval
//     scheduling, greedy by earliest answer): the chain the probe actually
//     followed, or a little more when unrelated round trips happened to
//     follow each other. Above len(criticalPath) it shows where the probe
//     waits for things it could have done at once (logged with -v).
//   - busiest-host-rtts and cap-floor-ms: the round trips served by the
//     busiest server (address and port), and that ÷ the connection cap × 40 ms: the
//     least time the politeness cap allows (see busiestHost).
//   - cap-floor-ratio: (one DNS round trip, for the web addresses, +
//     cap-floor-ms) ÷ chain-ms: the least ratio-to-chain the cap allows.
//
// Figures of the previous round of work (2 shared cores; the machine's
// load average beside each, which stretches every figure: at a load of 12
// the process gets well under one core, so a probe that needs 190 ms of
// CPU waits for it):
//
//	                            ms/probe  ratio-to-chain  cpu-ms/probe  load
//	main, before that work         1017        2.83          206.5     12.8
//	after (same run, same load)    1004        2.79          190.6     12.8
//	before, second run              918        2.55          206.5      9.4
//	after, just before it           926        2.57          184.7      9.8
//	issue 13's first measurement             2.9
//	main on a quieter machine             1.89-2.27
//
// busiest-host-rtts was 122 on main: each web address (127.0.0.1 and
// ::1, port HTTPS) served two full TLS scans (good.test and
// www.good.test, 23 connections each: 18 ClientHellos enumerating
// versions, suites and order, one crypto/tls handshake, two
// key-exchange-hash hellos, renegotiation, 0-RTT) and eight HTTP fetches,
// a cap floor of 1.8 times the chain. Three changes since (issue 13,
// probeperf):
//
//   - www.good.test has the apex's addresses, so it now takes the apex's
//     configuration scan of each address and makes one handshake of its
//     own for its certificate (scanWebTargets; README, "www on the apex's
//     address"): busiest-host-rtts 75, cap floor 1.15.
//   - The next hello of an enumeration takes the connection slot of the
//     one before it (tlsscan.Config.DialAfter, run.dialAfter), and the
//     TLS 1.2 and 1.3 enumerations count a step in, so the scan's longest
//     chain no longer queues behind one-off hellos at every link.
//   - A mail server's renegotiation test starts at once instead of after a
//     version probe's session (four round trips before its hello).
//
// Back to back, 3 probes each, load average about 6 (main, then this
// branch):
//
//	         ms/probe  ratio-to-chain  cpu-ms/probe  rtt-chain-traced
//	main     807-833     2.24-2.31       171-204        19-20
//	branch   567-668     1.58-1.86       149-158        13-16
//
// and with every enumeration chunk a step in, at a load of 10:
// 560-572 ms, 1.56-1.59 (the step before: 573-678 ms, 1.59-1.88). The
// branch's last state against main, alternating, 5 probes a run, load 7:
//
//	         ms/probe  ratio-to-chain  cpu-ms/probe  rtt-chain-traced
//	main     822-855     2.28-2.37       174-191        19.4-20
//	branch   550-602     1.53-1.67       128-155        13-13.4
//
// What remains is the chain itself (the TLS 1.2 enumeration of three
// accepted suites, four connections of two round trips each, then the
// order test; the mail server's two waves of sessions) and CPU: the
// probe and its servers need about 150 ms of CPU per probe, which on a
// shared machine waits for a core. Re-run on a quiet machine.
//
// 6 December 2026, quiet 2-core machine: the TLS 1.2 enumeration was still
// a chain of four hellos (the first chunk, refused, then a chunk holding
// two of the server's suites) and the order test after it, TLS 1.3 one of
// four. Now a version's suites are dealt into hellos with the common ones
// spread over them (tlsscan's deal), TLS 1.2 sends all its hellos at once
// and TLS 1.3 offers each suite alone: two hellos deep. Before, three
// runs: 1.499-1.507; after, eight: 1.390-1.423 (502-512 ms), round trips
// 342 to 346. The web servers now finish at their cap floor (8
// connections busy until the end); what is left is the mail server's:
// 13 connections of about five round trips each (connect, greeting, EHLO,
// STARTTLS, hello) fill its 8 slots twice, after the MX and its address.
func BenchmarkProbeOneDomainLatency(b *testing.B) {
	tb := newTestbed(b)
	e := testbedEngine(b, tb)
	ctx := context.Background()

	start := time.Now()
	if _, err := e.Probe(ctx, "good.test"); err != nil {
		b.Fatal(err)
	}
	base := time.Since(start)

	tb.SetPathDelay(oneWay)
	before := tb.answers()
	traced, busiest := 0, 0
	b.ResetTimer()
	cpu0 := cpuTime(b)
	start = time.Now()
	for b.Loop() {
		tb.startTrace()
		res, err := e.Probe(ctx, "good.test")
		trips := tb.stopTrace()
		busiest += busiestHost(trips)
		seq := longestSequence(trips)
		if traced == 0 {
			// The chain itself, for the record (shown with -v).
			for i, rt := range seq {
				b.Logf("chain %2d: +%4d ms %s", i+1, rt.asked.Sub(seq[0].asked).Milliseconds(), rt.what)
			}
		}
		traced += len(seq)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Checks) != len(check.DomainIDs()) {
			b.Fatalf("%d checks, want %d", len(res.Checks), len(check.DomainIDs()))
		}
		for _, c := range res.Checks {
			if c.Status != probe.StatusPass && c.Status != probe.StatusInfo {
				b.Fatalf("%s is %s on the delayed path: %s", c.ID, c.Status, c.Summary)
			}
		}
	}
	wall := time.Since(start) / time.Duration(b.N)
	cpu := (cpuTime(b) - cpu0) / time.Duration(b.N)
	b.StopTimer()

	chain := time.Duration(len(criticalPath)) * 2 * oneWay
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(wall), "ms/probe")
	b.ReportMetric(ms(chain), "chain-ms")
	b.ReportMetric(float64(wall)/float64(chain), "ratio-to-chain")
	b.ReportMetric(ms(base), "ms/probe-no-delay")
	b.ReportMetric(ms(cpu), "cpu-ms/probe")
	b.ReportMetric(float64(tb.answers()-before)/float64(b.N), "round-trips")
	b.ReportMetric(float64(traced)/float64(b.N), "rtt-chain-traced")
	perHost := float64(busiest) / float64(b.N)
	b.ReportMetric(perHost, "busiest-host-rtts")
	capFloor := perHost * ms(2*oneWay) / probe.DefaultMaxConnsPerHost
	b.ReportMetric(capFloor, "cap-floor-ms")
	b.ReportMetric((ms(2*oneWay)+capFloor)/ms(chain), "cap-floor-ratio")
}

// busiestHost is the most round trips (TCP set-ups, greetings, answers) any
// one web or mail server (address and port) served in trips. With at most
// probe.DefaultMaxConnsPerHost connections open to it at once, a probe
// cannot take less than that many round trips ÷ the cap: the floor the
// politeness cap sets, reported as cap-floor-ms.
func busiestHost(trips []roundTrip) int {
	per := map[string]int{}
	for _, rt := range trips {
		if !strings.HasPrefix(rt.what, "dns") {
			per[rt.what]++ // "https 127.0.0.1": the protocol names the port
		}
	}
	most := 0
	for _, n := range per {
		most = max(most, n)
	}
	return most
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
// 100 --input FILE` over 1,000 domains on loopback, output counted and
// discarded, and reports the wall time of the batch, domains per second,
// and the probe's CPU time per domain and peak resident set. The probe
// runs in a process of its own (this test binary as the CLI,
// probeInChild), so that its figures are its own: until December 2026 it
// ran in the test's process, and the peak and the CPU included the test's
// DNS, web and mail servers. Theirs are reported beside it
// (servers-cpu-ms/domain, servers-peak-RSS-MiB); on 2 cores they still
// compete with the probe for the CPU, so s/batch is both together.
//
// Figures (2 shared cores, load average at the start and end of each run;
// at these loads the process gets a fraction of a core, so s/batch
// measures the other tenants and cpu-ms/domain is the figure to compare):
//
//	                             s/batch  cpu-ms/domain  peak-RSS-MiB  load
//	main, before this work        319.7       86.4          193.2     15.7-25.5
//	main, before, profiled        160.8       84.3          199.4      8.3-10.5
//	after                         147.7       54.8          174.7     11.1-15.7
//	after, profiled               225.3       58.1          174.0     21.3-23.7
//	after, second pair             77.3       40.7          163.1     12.0-10.7
//	before, right after it        133.2       58.7          191.9     10.7-10.8
//	issue 13 / main, quieter       13-22                     185, <150
//
// In the second pair, run back to back at about the same load, the batch
// takes 0.58 of main's time, 0.69 of its CPU and 0.85 of its peak RSS.
//
// Where the CPU went before (pprof, by goroutine root; per domain about
// 50 ms the prober's, 26 ms the servers', 6 ms the collector's): the prober 59%
// (TLS scans 27%, HTTP fetches 6%, DNSSEC 7%, of which 3.5% verifying the
// same root, test. and bulk.test signatures for every domain), the test's
// servers 31% (HTTPS 17%, SMTP 9.5%, DNS 2%), the garbage collector's
// background work 7%. Three in four domains deliver to mail.good.test and
// the rest to mail.bad.test, so the batch now measures three mail server
// addresses once each instead of 1,750 times (batchServers): the SMTP
// server's share fell to 0.2% (after, profiled: 34 ms the prober's, 18 ms
// the servers', 4.5 ms the collector's). Signature checks are remembered by their
// wire form (dnssec.verifySig). What remains is about 60 connections per
// domain (two full web scans, fetches), each a TCP set-up and a TLS
// handshake on both sides of loopback. Needs a re-run on a quiet machine.
//
// This round (probeperf, issue 13): the batch's domains have no www, so
// the shared configuration scan does not apply, and the CPU stays where it
// was: main against this branch, back to back, 33.0-45.5 against
// 34.5-48.5 cpu-ms/domain, 174-178 against 172-177 MiB, 0 error checks,
// at loads of 4 to 10 (s/batch 17.8-78.9, the other tenants'). A loopback
// TCP connection costs about 125 µs of CPU for both ends and the kernel
// before any TLS (measured alone on this machine), and a good domain makes
// about 60 (two full scans of 23, the fetches, the IPv6 reach tests):
// under 10 s on 2 cores (20 CPU ms a domain) needs fewer connections,
// which means measuring less. The output counter no longer decodes every
// result (statusCounter, 1.3% of the batch's CPU was the test's own). A
// soft memory limit trades the other way: GOMEMLIMIT=100MiB held the peak
// at 119 MiB but doubled the CPU (72 ms a domain), the collector running
// nearly all the time.
//
// December 2026, on a quiet machine: the redirect check and the IPv4/IPv6
// comparison share their GETs (sharedGets), handshakes made to read offer
// no ML-KEM share (tlsscan.ReadingGroups), and the output counter finds
// checks without an unanchored regular expression (7% of the CPU was
// its). In the test's process, as before: 12.4-14.0 s, 24-27 CPU ms a
// domain, 169-181 MiB before; 10.4 s, 20.3-20.4 ms, 176-178 MiB after.
// With the probe in its own process: 10.5-11.8 s, the probe 12.7-14.9 CPU
// ms a domain and 145-158 MiB at its peak (a live heap of 30-55 MB, which
// GOGC=100 lets grow to twice that), the servers 7.6-8.1 ms and 58-60 MiB.
// A soft memory limit on the probe's process alone trades as before:
// GOMEMLIMIT=120MiB, 133 MiB and 5% more CPU; 100MiB, 113 MiB and 15%.
func BenchmarkProbe1000Domains(b *testing.B) { probeBulk(b) }

// BenchmarkProbe1000DomainsFloor is BenchmarkProbe1000Domains with every
// web address's TLS configuration scan replaced by the one handshake that
// reads its certificate (handshakeOnly, in the probe's child process):
// what the batch costs before any version, suite, order, renegotiation,
// 0-RTT or key-exchange test. It is a floor for goal 5 of issue 13, not a
// mode of the probe: the checks those scans answer come out as errors
// (error-checks counts them, about one a domain).
//
// December 2026, back to back on the same machine: the batch 14.5-17.7 s
// and 28-33 CPU ms a domain (probe and servers); its floor 8.8-9.7 s and
// 17-19 ms. The probe's DNS, DNSSEC, page fetches, mail and RPKI checks and
// the test's DNS and web servers alone take about nine of the ten seconds
// the goal allows.
func BenchmarkProbe1000DomainsFloor(b *testing.B) { probeBulk(b, probe.HandshakeOnlyEnv+"=1") }

// probeBulk is the body of the bulk benchmarks: the probe's child process
// runs with env added to its environment.
func probeBulk(b *testing.B, env ...string) {
	tb := newTestbed(b)
	names := addBulkDomains(tb, bulkDomains)
	input := filepath.Join(b.TempDir(), "domains.txt")
	if err := os.WriteFile(input, []byte(strings.Join(names, "\n")+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	args := append(tb.cliArgs(probe.DefaultTimeout), "--allow-private", "--concurrency", "100", "--input", input)

	var out statusCounter
	var probeCPU, serversCPU, wall time.Duration
	var peak, conns, queries int64
	b.ResetTimer()
	for b.Loop() {
		out = statusCounter{}
		cpu0 := cpuTime(b)
		conns0, queries0 := tb.accepted.Load(), tb.dnsQueries.Load()
		start := time.Now()
		child := probeInChild(b, args, &out, env...)
		wall += time.Since(start)
		serversCPU += cpuTime(b) - cpu0
		probeCPU += child.cpu
		peak = max(peak, child.peakRSS)
		conns += tb.accepted.Load() - conns0
		queries += tb.dnsQueries.Load() - queries0
	}
	b.StopTimer()
	n := time.Duration(b.N)
	wall, probeCPU, serversCPU = wall/n, probeCPU/n, serversCPU/n

	b.ReportMetric(wall.Seconds(), "s/batch")
	// CPU time (user+sys) per domain of the probe's process, and of the
	// test's servers (this process) beside it.
	b.ReportMetric(float64(probeCPU)/float64(time.Millisecond)/bulkDomains, "cpu-ms/domain")
	b.ReportMetric(float64(serversCPU)/float64(time.Millisecond)/bulkDomains, "servers-cpu-ms/domain")
	b.ReportMetric(float64(bulkDomains)/wall.Seconds(), "domains/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(peakRSS(b))/(1<<20), "servers-peak-RSS-MiB")
	// Errors show whether the batch outran its per-domain budgets under
	// load, which would make a fast figure meaningless.
	b.ReportMetric(float64(out.errors), "error-checks")
	for _, e := range out.firstErrors {
		b.Log(e)
	}
	b.ReportMetric(float64(out.checks), "checks")
	// What the servers saw: TCP connections accepted and DNS queries
	// answered per domain, the work the probe's CPU follows.
	b.ReportMetric(float64(conns)/float64(b.N)/bulkDomains, "conns/domain")
	b.ReportMetric(float64(queries)/float64(b.N)/bulkDomains, "dns-queries/domain")
}

// probeChildArgs, in the environment, makes the test binary a `tenderprobe
// probe` run with these arguments (JSON) instead of a test run: the
// benchmark measures the probe's own process, apart from the servers it
// probes (TestMain, runProbeChild).
const probeChildArgs = "TENDERPROBE_TEST_PROBE_ARGS"

// runProbeChild runs the probe CLI with the arguments in probeChildArgs.
func runProbeChild(encoded string) int {
	var args []string
	if err := json.Unmarshal([]byte(encoded), &args); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	// TENDERPROBE_TEST_PROBE_CPUPROFILE names a file for the child's CPU
	// profile, to see where the probe's own time goes.
	if path := os.Getenv("TENDERPROBE_TEST_PROBE_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	return probecli.Run(context.Background(), args, os.Stdout, os.Stderr)
}

// childRun is what a probe run in a child process cost it.
type childRun struct {
	cpu     time.Duration // user + sys
	peakRSS int64         // bytes (the kernel's ru_maxrss)
}

// probeInChild runs `tenderprobe probe args` in a child process (this test
// binary, see probeChildArgs), its results one per line into out, and
// returns its CPU time and peak resident set.
func probeInChild(b *testing.B, args []string, out *statusCounter, env ...string) childRun {
	b.Helper()
	encoded, err := json.Marshal(args)
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), env...), probeChildArgs+"="+string(encoded))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	// The CLI writes each result on a line of its own.
	r := bufio.NewReaderSize(stdout, 1<<20)
	for {
		line, err := r.ReadBytes('\n')
		out.Write(line)
		if err != nil {
			break
		}
	}
	if err := cmd.Wait(); err != nil {
		b.Fatalf("probe: %v: %s", err, stderr.String())
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		b.Fatal("no resource usage of the probe's process")
	}
	return childRun{
		cpu:     time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		peakRSS: ru.Maxrss << 10,
	}
}

// statusCounter discards the CLI's output, counting checks and errors as
// it streams by; keeping the document would inflate the peak RSS being
// measured. The CLI writes each result in one call (after the opening
// `{"results":[` and a separator), so each write holds one whole result.
// Checks are found by their opening `{"id":"...","status":"..."` (the
// order probe.Check marshals in) as elements of an array (a check kept in
// another's details, mail.starttls's per-server findings, is a map value)
// rather than by decoding each result, which cost the batch more CPU than
// some of the probe's checks.
type statusCounter struct {
	checks, errors int
	// firstErrors keeps a few error checks to show why (-v).
	firstErrors []string
}

var (
	// checkOpening is `{"id":"`; checkRest is read, anchored, where one
	// follows `[` or `,`. An unanchored regular expression over each
	// result cost 7% of the batch's CPU.
	checkOpening = []byte(`{"id":"`)
	checkRest    = regexp.MustCompile(`^([a-z0-9.-]+)","status":"([a-z_]+)","summary":"((?:[^"\\]|\\.)*)"`)
	resultDomain = regexp.MustCompile(`^\{"domain":"([^"]*)"`)
)

func (c *statusCounter) Write(p []byte) (int, error) {
	body := bytes.TrimLeft(bytes.TrimPrefix(p, []byte(`{"results":[`)), ",\n")
	if len(body) == 0 || body[0] != '{' {
		return len(p), nil
	}
	domain := ""
	if m := resultDomain.FindSubmatch(body); m != nil {
		domain = string(m[1])
	}
	for rest := body; ; {
		i := bytes.Index(rest, checkOpening)
		if i < 0 {
			break
		}
		opens := i > 0 && (rest[i-1] == '[' || rest[i-1] == ',')
		rest = rest[i+len(checkOpening):]
		if !opens {
			continue
		}
		m := checkRest.FindSubmatch(rest)
		if m == nil {
			continue
		}
		c.checks++
		if probe.Status(m[2]) == probe.StatusError {
			c.errors++
			if len(c.firstErrors) < 5 {
				c.firstErrors = append(c.firstErrors, domain+" "+string(m[1])+": "+string(m[3]))
			}
		}
	}
	return len(p), nil
}

// cpuTime is the user plus system CPU time the process has used so far.
func cpuTime(b testing.TB) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS reads the process's peak resident set size (VmHWM) in bytes.
func peakRSS(b testing.TB) int64 {
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
	t.Parallel()
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

func TestStatusCounterCountsTheChecksOfEachResult(t *testing.T) {
	t.Parallel()
	r := probe.Result{Domain: "example.test", Checks: []probe.Check{
		{ID: "web.https", Status: probe.StatusPass, Summary: `all "fine"`, Details: map[string]any{
			"findings": map[string]any{"web_https_http_available": map[string]any{"status": "error", "reason": "x"}},
			"targets":  []map[string]any{{"id": "not a check", "status": "error"}},
			"servers":  map[string]probe.Check{"mx.example.test": {ID: "mail.starttls", Status: probe.StatusError, Summary: "nested"}},
		}},
		{ID: "web.tls-version", Status: probe.StatusError, Summary: `could not \ connect "here"`},
		{ID: "mail.dane", Status: probe.StatusNotApplicable, Summary: "no MX"},
	}}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var c statusCounter
	c.Write([]byte(`{"results":[`))
	c.Write(append([]byte("\n"), data...))
	c.Write(append([]byte(",\n"), data...))
	if c.checks != 6 || c.errors != 2 {
		t.Errorf("counted %d checks and %d errors, want 6 and 2", c.checks, c.errors)
	}
	if want := `example.test web.tls-version: could not \\ connect \"here\"`; len(c.firstErrors) == 0 || c.firstErrors[0] != want {
		t.Errorf("first error %q, want %q", c.firstErrors, want)
	}
}
