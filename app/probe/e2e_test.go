package probe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"tenderprobe/app/probe"
	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/app/probecli"
)

// cliArgs are the flags a user would give to probe the testbed: its
// resolver, trust anchor, CA bundle, VRP file and ports.
func (tb *testbed) cliArgs(timeout time.Duration) []string {
	return []string{
		"--json",
		"--resolver", tb.resolver,
		"--trust-anchor", tb.anchorFile,
		"--trust-anchor", tb.anchorFile,
		"--ca-file", tb.ca.File,
		"--rpki-vrps", tb.vrpFile,
		"--https-port", strconv.Itoa(tb.httpsPort),
		"--http-port", strconv.Itoa(tb.httpPort),
		"--smtp-port", strconv.Itoa(tb.smtpPort),
		"--ns-port", strconv.Itoa(tb.nsPort),
		"--timeout", timeout.String(),
	}
}

// runCLI runs `tenderprobe probe` with args and decodes its JSON output.
func runCLI(t *testing.T, args ...string) []probe.Result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- probecli.Run(context.Background(), args, &stdout, &stderr) }()
	var code int
	select {
	case code = <-done:
	case <-time.After(3 * time.Minute):
		// Not a speed assertion: a guard so a hang fails this test with a
		// message instead of stalling the whole suite until its timeout.
		t.Fatal("tenderprobe probe did not return within 3 minutes")
	}
	if code != probecli.ExitOK {
		t.Fatalf("exit status %d, stderr: %s", code, stderr.String())
	}
	var doc struct {
		Results []probe.Result `json:"results"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("decode output: %v\n%s", err, stdout.String())
	}
	return doc.Results
}

func checkByID(t *testing.T, r probe.Result, id check.ID) probe.Check {
	t.Helper()
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("%s: no check %s in the result", r.Domain, id)
	return probe.Check{}
}

// expectStatuses asserts the status of each listed check.
func expectStatuses(t *testing.T, r probe.Result, want map[check.ID]probe.Status) {
	t.Helper()
	for _, id := range check.DomainIDs() {
		st, ok := want[id]
		if !ok {
			continue
		}
		c := checkByID(t, r, id)
		if c.Status != st {
			t.Errorf("%s %s = %s (%s), want %s; details: %v", r.Domain, id, c.Status, c.Summary, st, c.Details)
		}
	}
}

func TestEndToEndVerdictsForAGoodABadAndANonMailDomain(t *testing.T) {
	t.Parallel()
	tb := newTestbed(t)
	args := append(tb.cliArgs(60*time.Second), "--allow-private", "--concurrency", "3", "good.test", "bad.test", "nomail.test")
	results := runCLI(t, args...)
	if len(results) != 3 {
		t.Fatalf("got %d results, want 3", len(results))
	}

	tests := []struct {
		name   string
		result probe.Result
		want   map[check.ID]probe.Status
	}{
		{
			"a domain that does everything right passes",
			results[0],
			map[check.ID]probe.Status{
				"web.dnssec": probe.StatusPass, "web.ipv6": probe.StatusPass, "web.https": probe.StatusPass,
				"web.https-redirect": probe.StatusPass, "web.hsts": probe.StatusPass,
				"web.tls-version": probe.StatusPass, "web.tls-ciphers": probe.StatusPass, "web.tls-cert": probe.StatusPass,
				"web.tls-pq": probe.StatusPass, "web.security-headers": probe.StatusPass, "web.security-txt": probe.StatusPass,
				"web.caa": probe.StatusPass, "web.dane": probe.StatusPass, "web.rpki": probe.StatusPass,
				"mail.dnssec": probe.StatusPass, "mail.ipv6": probe.StatusPass, "mail.spf": probe.StatusPass,
				"mail.dkim": probe.StatusPass, "mail.dmarc": probe.StatusPass, "mail.starttls": probe.StatusPass,
				"mail.dane": probe.StatusPass, "mail.mta-sts": probe.StatusPass, "mail.tls-rpt": probe.StatusPass,
				"mail.rpki": probe.StatusPass, "ns.ipv6": probe.StatusPass, "ns.rpki": probe.StatusPass,
			},
		},
		{
			"a domain that does most things wrong fails them",
			results[1],
			map[check.ID]probe.Status{
				"web.dnssec": probe.StatusFail, "web.ipv6": probe.StatusFail,
				"web.https-redirect": probe.StatusFail, "web.hsts": probe.StatusFail,
				"web.tls-version": probe.StatusFail, "web.tls-ciphers": probe.StatusFail, "web.tls-cert": probe.StatusFail,
				"web.tls-pq": probe.StatusInfo, "web.security-headers": probe.StatusFail, "web.security-txt": probe.StatusFail,
				"web.caa": probe.StatusWarn, "web.dane": probe.StatusInfo, "web.rpki": probe.StatusFail,
				"mail.dnssec": probe.StatusFail, "mail.ipv6": probe.StatusFail, "mail.spf": probe.StatusFail,
				"mail.dkim": probe.StatusFail, "mail.dmarc": probe.StatusFail, "mail.starttls": probe.StatusFail,
				"mail.dane": probe.StatusFail, "mail.mta-sts": probe.StatusFail, "mail.tls-rpt": probe.StatusFail,
				"mail.rpki": probe.StatusFail, "ns.ipv6": probe.StatusFail, "ns.rpki": probe.StatusWarn,
			},
		},
		{
			"a domain with a null MX gets not applicable for its mail servers",
			results[2],
			map[check.ID]probe.Status{
				"mail.ipv6": probe.StatusNotApplicable, "mail.starttls": probe.StatusNotApplicable,
				"mail.dane": probe.StatusNotApplicable, "mail.mta-sts": probe.StatusNotApplicable,
				"mail.tls-rpt": probe.StatusNotApplicable, "mail.rpki": probe.StatusNotApplicable,
				// SPF -all with DMARC reject: a domain that sends no mail needs no DKIM.
				"mail.dkim": probe.StatusNotApplicable, "mail.spf": probe.StatusPass, "mail.dmarc": probe.StatusPass,
				"web.dnssec": probe.StatusPass, "mail.dnssec": probe.StatusPass,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.result.Checks) != len(check.DomainIDs()) {
				t.Fatalf("%s: %d checks, want %d", tt.result.Domain, len(tt.result.Checks), len(check.DomainIDs()))
			}
			expectStatuses(t, tt.result, tt.want)
		})
	}
}

// connectingChecks are the checks that connect to the domain's own web,
// mail and name servers. Refused, each must say so in its evidence and must
// not pass. The TLS checks only say that no server could be reached, since
// the refusal is reported by web.https.
var connectingChecks = map[check.ID]struct{ wantError, namesRefusal bool }{
	"web.https": {true, true}, "web.https-redirect": {true, true}, "web.hsts": {true, true},
	"web.tls-version": {true, false}, "web.tls-ciphers": {true, false}, "web.tls-cert": {true, false}, "web.tls-pq": {true, false},
	"web.security-headers": {true, true}, "web.security-txt": {true, true}, "web.dane": {true, true},
	"mail.starttls": {true, true}, "mail.dane": {true, true},
	// These report the refusal as a failed verdict rather than as an error;
	// what matters here is that they connected nowhere and said why.
	"web.ipv6": {false, true}, "mail.ipv6": {false, true}, "ns.ipv6": {false, true}, "mail.mta-sts": {false, true},
}

func TestEndToEndRefusesLoopbackTargetsWithoutAllowPrivate(t *testing.T) {
	t.Parallel()
	tb := newTestbed(t)
	results := runCLI(t, append(tb.cliArgs(60*time.Second), "good.test")...)
	if len(results) != 1 {
		t.Fatalf("got %d results, want 1", len(results))
	}
	t.Run("no web or mail server was connected to", func(t *testing.T) {
		if n := tb.accepted.Load(); n != 0 {
			t.Errorf("the loopback servers accepted %d connections; want none without --allow-private", n)
		}
	})
	for _, id := range check.DomainIDs() {
		want, ok := connectingChecks[id]
		if !ok {
			continue
		}
		t.Run(string(id)+" connects nowhere and says why", func(t *testing.T) {
			c := checkByID(t, results[0], id)
			evidence, _ := json.Marshal(c)
			if c.Status == probe.StatusPass || want.wantError && c.Status != probe.StatusError {
				t.Errorf("%s = %s %q; want error (or at least no pass); details %s", id, c.Status, c.Summary, evidence)
			}
			if want.namesRefusal && !strings.Contains(strings.ToLower(string(evidence)), "refused") {
				t.Errorf("%s does not name the refused address: %s", id, evidence)
			}
		})
	}
}

func TestEndToEndAHungPeerDoesNotHangTheBatch(t *testing.T) {
	t.Parallel()
	tb := newTestbed(t)
	// The budget is short because the hung domain spends all of it; the
	// other domain is only asked for verdicts that need a few DNS answers.
	args := append(tb.cliArgs(5*time.Second), "--allow-private", "--concurrency", "2", "hung.test", "nomail.test")
	results := runCLI(t, args...)
	if len(results) != 2 {
		t.Fatalf("got %d results, want 2", len(results))
	}
	t.Run("the hung domain still reports every check", func(t *testing.T) {
		if got := len(results[0].Checks); got != len(check.DomainIDs()) {
			t.Errorf("hung.test: %d checks, want %d", got, len(check.DomainIDs()))
		}
		for _, id := range check.DomainIDs() {
			if _, connects := connectingChecks[id]; !connects {
				continue
			}
			if c := checkByID(t, results[0], id); c.Status == probe.StatusPass {
				t.Errorf("%s passed against a server that never answers", id)
			}
		}
	})
	t.Run("the other domain in the batch gets its verdicts", func(t *testing.T) {
		expectStatuses(t, results[1], map[check.ID]probe.Status{
			"web.dnssec": probe.StatusPass, "mail.spf": probe.StatusPass,
			"mail.starttls": probe.StatusNotApplicable, "mail.dane": probe.StatusNotApplicable,
		})
	})
}

func TestEndToEndTableGivesAGoodDomainFullMarks(t *testing.T) {
	t.Parallel()
	tb := newTestbed(t)
	// The same flags minus --json: the readable table.
	args := append(tb.cliArgs(60 * time.Second)[1:], "--allow-private", "good.test")
	var stdout, stderr bytes.Buffer
	if code := probecli.Run(context.Background(), args, &stdout, &stderr); code != probecli.ExitOK {
		t.Fatalf("exit status %d: %s", code, stderr.String())
	}
	const want = "Score: web 100% (14 of 14 passed)   mail 100% (10 of 10 passed)   ns 100% (2 of 2 passed)"
	if !strings.Contains(stdout.String(), want) {
		t.Errorf("table does not end with full marks %q:\n%s", want, stdout.String())
	}
}

// TestAWwwNameIsNotPrefixedAgain: a scope may name www.example.nl; its web
// checks cover that name, not www.www.example.nl as well (which a
// vendor's report then named as having no address).
func TestAWwwNameIsNotPrefixedAgain(t *testing.T) {
	t.Parallel()
	tb := newTestbed(t)
	// A www name that has no address: its summaries name what was looked
	// up.
	tb.dns.Add(t, "www.noweb."+probetest.GoodDomain+". 300 IN TXT \"no site\"")
	res := runCLI(t, append(tb.cliArgs(probe.DefaultTimeout), "--allow-private", "www."+probetest.GoodDomain, "www.noweb."+probetest.GoodDomain)...)
	if len(res) != 2 {
		t.Fatalf("%d results", len(res))
	}
	raw, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "www.www.") {
		i := strings.Index(string(raw), "www.www.")
		t.Fatalf("the result names www.www.: …%s…", raw[max(0, i-200):min(len(raw), i+100)])
	}
	if c := checkByID(t, res[0], check.WebHTTPS); c.Status != probe.StatusPass {
		t.Errorf("web.https on www.%s: %s %s", probetest.GoodDomain, c.Status, c.Summary)
	}
}

// TestANameThatDoesNotExistIsNotMeasured: a mistyped or reserved name
// (NXDOMAIN) has nothing to measure, so every check says so, as an error
// (not measured), instead of failing SPF and DKIM one by one, which read
// as a contradicted claim.
func TestANameThatDoesNotExistIsNotMeasured(t *testing.T) {
	t.Parallel()
	tb := newTestbed(t)
	res := runCLI(t, append(tb.cliArgs(probe.DefaultTimeout), "--allow-private", "no-such-name."+probetest.GoodDomain)...)
	if len(res) != 1 || len(res[0].Checks) != len(check.DomainIDs()) {
		t.Fatalf("%d results", len(res))
	}
	for _, c := range res[0].Checks {
		if c.Status != probe.StatusError || c.Finding != "domain_nxdomain" || !strings.Contains(c.Summary, "does not exist in the DNS") {
			t.Errorf("%s: %s %s %q", c.ID, c.Status, c.Finding, c.Summary)
		}
	}
}
