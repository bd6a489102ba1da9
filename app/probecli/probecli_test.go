package probecli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/probe"
	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
)

// silentResolver listens on a loopback UDP port and reports, after the
// command returned, whether any DNS query reached it. On loopback a sent
// datagram is queued before the send returns, so an empty socket proves
// that nothing was probed.
type silentResolver struct {
	conn *net.UDPConn
}

func newSilentResolver(t *testing.T) *silentResolver {
	t.Helper()
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return &silentResolver{conn: pc}
}

func (s *silentResolver) Addr() string { return s.conn.LocalAddr().String() }

func (s *silentResolver) queried() bool {
	s.conn.SetReadDeadline(time.Now())
	buf := make([]byte, 512)
	_, _, err := s.conn.ReadFrom(buf)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBadArgumentsExitTwoWithAMessageBeforeProbing(t *testing.T) {
	notPEM := writeFile(t, "notpem.pem", "this is not a certificate\n")
	badList := writeFile(t, "domains.txt", "good.example.nl\nbad domain.nl\n")
	emptyList := writeFile(t, "empty.txt", "# only a comment\n\n")
	missing := filepath.Join(t.TempDir(), "missing.txt")
	notRoot := writeFile(t, "anchor.key", "example.nl. 3600 IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n")

	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no domain at all is refused", nil, "no domain given"},
		{"an input file with only comments counts as no domain", []string{"--input", emptyList}, "no domain given"},
		{"a name with a space is refused", []string{"exa mple.nl"}, "invalid domain name"},
		{"a single-label name is refused", []string{"localhost"}, "at least two labels"},
		{"an IP address is refused as a domain", []string{"192.0.2.1"}, "invalid domain name"},
		{"a label ending with a hyphen is refused", []string{"bad-.example.nl"}, "invalid domain name"},
		{"one bad name among good ones stops the whole run", []string{"good.example.nl", "bad_name.nl"}, "invalid domain name"},
		{"a bad name in the input file is refused", []string{"--input", badList}, "bad domain.nl"},
		{"an unknown flag is refused", []string{"--bogus", "example.nl"}, "flag provided but not defined"},
		{"a flag without its value is refused", []string{"example.nl", "--timeout"}, "flag needs an argument"},
		{"a zero concurrency is refused", []string{"--concurrency", "0", "example.nl"}, "--concurrency must be between 1 and 1000"},
		{"a concurrency over 1000 is refused", []string{"--concurrency", "1001", "example.nl"}, "--concurrency must be between 1 and 1000"},
		{"a zero timeout is refused", []string{"--timeout", "0s", "example.nl"}, "--timeout must be positive"},
		{"a timeout that is no duration is refused", []string{"--timeout", "soon", "example.nl"}, "invalid value"},
		{"a missing input file is refused", []string{"--input", missing}, "no such file"},
		{"a missing CA file is refused", []string{"--ca-file", missing, "example.nl"}, "--ca-file"},
		{"a CA file without certificates is refused", []string{"--ca-file", notPEM, "example.nl"}, "no PEM certificate"},
		{"a missing trust anchor file is refused", []string{"--trust-anchor", missing, "example.nl"}, "--trust-anchor"},
		{"an empty trust anchor file is refused", []string{"--trust-anchor", emptyList, "example.nl"}, "--trust-anchor"},
		{"a trust anchor file with a non-root record is refused", []string{"--trust-anchor", notRoot, "example.nl"}, "--trust-anchor"},
		{"a missing VRP file is refused", []string{"--rpki-vrps", missing, "example.nl"}, "--rpki-vrps"},
		{"a resolver port out of range is refused", []string{"--resolver", "127.0.0.1:99999", "example.nl"}, "invalid port"},
		{"a resolver that is no address is refused", []string{"--resolver", "http://x/", "example.nl"}, "--resolver"},
		{"an HTTPS port of zero is refused", []string{"--https-port", "0", "example.nl"}, "--https-port must be between"},
		{"an SMTP port over 65535 is refused", []string{"--smtp-port", "70000", "example.nl"}, "--smtp-port must be between"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := newSilentResolver(t)
			args := tt.args
			if !containsFlag(args, "--resolver") {
				args = append([]string{"--resolver", res.Addr()}, args...)
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
			if code != ExitUsage {
				t.Errorf("exit status = %d, want %d", code, ExitUsage)
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr = %q, want it to mention %q", stderr.String(), tt.wantErr)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
			if res.queried() {
				t.Error("the resolver was queried: something was probed despite the bad arguments")
			}
		})
	}
}

func containsFlag(args []string, flag string) bool {
	for _, a := range args {
		if a == flag || strings.HasPrefix(a, flag+"=") {
			return true
		}
	}
	return false
}

func TestParseArgsAcceptsFlagsAnywhereAndDomainLists(t *testing.T) {
	list := writeFile(t, "domains.txt", "# tender 2026-14 bidders\n\nalpha.example.nl\n  Beta.Example.NL.  # the incumbent\n\n#gamma.example.nl\nxn--bcher-kva.example\n")

	tests := []struct {
		name        string
		args        []string
		stdin       string
		wantDomains []string
		wantJSON    bool
		wantConc    int
	}{
		{"flags before the domains are read", []string{"--json", "--concurrency", "3", "a.example.nl"}, "", []string{"a.example.nl"}, true, 3},
		{"flags after the domains are read too", []string{"a.example.nl", "--json", "b.example.nl", "--concurrency=4"}, "", []string{"a.example.nl", "b.example.nl"}, true, 4},
		{"everything after a double dash is a domain", []string{"--", "a.example.nl"}, "", []string{"a.example.nl"}, false, DefaultConcurrency},
		{"an input file skips blank lines and comments and normalises names", []string{"--input", list}, "", []string{"alpha.example.nl", "beta.example.nl", "xn--bcher-kva.example"}, false, DefaultConcurrency},
		{"domains on the command line come before the input file's", []string{"first.example.nl", "--input", list}, "", []string{"first.example.nl", "alpha.example.nl", "beta.example.nl", "xn--bcher-kva.example"}, false, DefaultConcurrency},
		{"a dash reads the list from standard input", []string{"--input", "-"}, "one.example.nl\n# two\nthree.example.nl", []string{"one.example.nl", "three.example.nl"}, false, DefaultConcurrency},
		{"unicode names become A-labels", []string{"bücher.example"}, "", []string{"xn--bcher-kva.example"}, false, DefaultConcurrency},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseArgs(tt.args, strings.NewReader(tt.stdin))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(o.domains, tt.wantDomains) {
				t.Errorf("domains = %q, want %q", o.domains, tt.wantDomains)
			}
			if o.json != tt.wantJSON || o.concurrency != tt.wantConc {
				t.Errorf("json = %v, concurrency = %d; want %v, %d", o.json, o.concurrency, tt.wantJSON, tt.wantConc)
			}
			if o.Timeout != probe.DefaultTimeout {
				t.Errorf("timeout = %s, want the default %s", o.Timeout, probe.DefaultTimeout)
			}
		})
	}
}

func TestResolverAddressGetsPort53WhenNoneIsGiven(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a bare IPv4 address gets port 53", "192.0.2.53", "192.0.2.53:53"},
		{"an IPv4 address keeps its port", "127.0.0.1:5353", "127.0.0.1:5353"},
		{"a bare IPv6 address gets brackets and port 53", "2001:db8::53", "[2001:db8::53]:53"},
		{"a bracketed IPv6 address without port gets port 53", "[2001:db8::53]", "[2001:db8::53]:53"},
		{"a bracketed IPv6 address keeps its port", "[::1]:5353", "[::1]:5353"},
		{"a host name gets port 53", "resolver.example.nl", "resolver.example.nl:53"},
		{"a host name keeps its port", "resolver.example.nl:853", "resolver.example.nl:853"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolverAddr(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("resolverAddr(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHelpIsPrintedAndExplainsTheScore(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, strings.NewReader(""), &stdout, &stderr); code != ExitOK {
		t.Fatalf("exit status = %d, want 0", code)
	}
	for _, want := range []string{"--resolver", "--trust-anchor", "--ca-file", "--rpki-vrps", "--allow-private", "--timeout", "--input", "--concurrency", "--https-port", "passed / tested"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("help does not mention %q", want)
		}
	}
}

// jsonDocument is the exact shape --json promises; decoding with
// DisallowUnknownFields makes any extra or renamed field fail the test.
type jsonDocument struct {
	Results []struct {
		Domain     string `json:"domain"`
		DurationMS *int64 `json:"duration_ms"`
		Checks     []struct {
			ID       string          `json:"id"`
			Status   string          `json:"status"`
			Summary  string          `json:"summary"`
			Standard string          `json:"standard"`
			Details  json.RawMessage `json:"details"`
			// Finding and FindingParams (issue 11) are the summary as a
			// message code with its values; optional.
			Finding       string          `json:"finding"`
			FindingParams json.RawMessage `json:"finding_params"`
		} `json:"checks"`
	} `json:"results"`
}

func decodeStrict(t *testing.T, data []byte) jsonDocument {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc jsonDocument
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("output is not the promised JSON document: %v\n%s", err, data)
	}
	if dec.More() {
		t.Fatalf("more than one JSON document on stdout:\n%s", data)
	}
	return doc
}

func TestJSONOutputHasExactlyThePromisedShape(t *testing.T) {
	dns := probetest.StartDNS(t,
		"nomail.example.test. 300 IN MX 0 .",
		"other.example.test. 300 IN MX 0 .",
	)
	statuses := map[string]bool{"pass": true, "fail": true, "warn": true, "info": true, "not_applicable": true, "error": true}

	tests := []struct {
		name    string
		args    []string
		domains []string
	}{
		{"one domain gives one result", []string{"nomail.example.test"}, []string{"nomail.example.test"}},
		{"results follow the input order, not the finishing order", []string{"--concurrency", "2", "other.example.test", "nomail.example.test", "Other.Example.Test."}, []string{"other.example.test", "nomail.example.test", "other.example.test"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--json", "--resolver", dns.Addr, "--timeout", "20s"}, tt.args...)
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); code != ExitOK {
				t.Fatalf("exit status = %d, stderr: %s", code, stderr.String())
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr = %q, want nothing (no progress line when stderr is not a terminal)", stderr.String())
			}
			if !bytes.HasPrefix(stdout.Bytes(), []byte(`{"results":[`)) {
				t.Errorf("output does not start with {\"results\":[: %.40s", stdout.String())
			}
			doc := decodeStrict(t, stdout.Bytes())
			if len(doc.Results) != len(tt.domains) {
				t.Fatalf("got %d results, want %d", len(doc.Results), len(tt.domains))
			}
			for i, r := range doc.Results {
				if r.Domain != tt.domains[i] {
					t.Errorf("result %d: domain = %q, want %q", i, r.Domain, tt.domains[i])
				}
				if r.DurationMS == nil || *r.DurationMS < 0 {
					t.Errorf("result %d: duration_ms missing or negative", i)
				}
				ids := check.DomainIDs()
				if len(r.Checks) != len(ids) {
					t.Fatalf("result %d: %d checks, want %d", i, len(r.Checks), len(ids))
				}
				for j, c := range r.Checks {
					if c.ID != string(ids[j]) {
						t.Errorf("check %d: id = %q, want %q", j, c.ID, ids[j])
					}
					if !statuses[c.Status] {
						t.Errorf("%s: status %q is not one of the six", c.ID, c.Status)
					}
					if want := check.ID(c.ID).Standard(); c.Standard != want {
						t.Errorf("%s: standard = %q, want %q", c.ID, c.Standard, want)
					}
					if c.Summary == "" {
						t.Errorf("%s: empty summary", c.ID)
					}
					if !bytes.HasPrefix(bytes.TrimSpace(c.Details), []byte("{")) {
						t.Errorf("%s: details = %s, want a JSON object", c.ID, c.Details)
					}
				}
			}
		})
	}
}

func TestTableOutputShowsEveryCheckAndTheCategoryScores(t *testing.T) {
	dns := probetest.StartDNS(t, "nomail.example.test. 300 IN MX 0 .")
	var stdout, stderr bytes.Buffer
	args := []string{"nomail.example.test", "--resolver", dns.Addr, "--timeout", "20s"}
	if code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); code != ExitOK {
		t.Fatalf("exit status = %d, stderr: %s", code, stderr.String())
	}
	out := stdout.String()
	wants := []string{"nomail.example.test", "CHECK", "STATUS", "SUMMARY", "Score: web ", "mail ", "ns "}
	for _, id := range check.DomainIDs() {
		wants = append(wants, string(id))
	}
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("table does not contain %q:\n%s", want, out)
		}
	}
}

func TestScoresCountOnlyTestedChecks(t *testing.T) {
	c := func(id check.ID, s probe.Status) probe.Check { return probe.Check{ID: id, Status: s} }
	tests := []struct {
		name   string
		checks []probe.Check
		want   map[check.Target]string
	}{
		{
			"not applicable and info checks are left out",
			[]probe.Check{c("mail.spf", probe.StatusPass), c("mail.starttls", probe.StatusNotApplicable), c("web.tls-pq", probe.StatusInfo), c("web.hsts", probe.StatusPass)},
			map[check.Target]string{"web": "web 100% (1 of 1 passed)", "mail": "mail 100% (1 of 1 passed)", "ns": "ns n/a (nothing tested)"},
		},
		{
			"warn, fail and error earn nothing and the score rounds down",
			[]probe.Check{c("web.hsts", probe.StatusPass), c("web.caa", probe.StatusWarn), c("web.dane", probe.StatusFail), c("ns.ipv6", probe.StatusPass), c("ns.rpki", probe.StatusError), c("mail.spf", probe.StatusPass), c("mail.dkim", probe.StatusPass), c("mail.dmarc", probe.StatusFail)},
			map[check.Target]string{"web": "web 33% (1 of 3 passed)", "ns": "ns 50% (1 of 2 passed)", "mail": "mail 66% (2 of 3 passed)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range Scores(tt.checks) {
				if got := s.String(); got != tt.want[s.Category] {
					t.Errorf("%s score = %q, want %q", s.Category, got, tt.want[s.Category])
				}
			}
		})
	}
}

func TestTerminalOutputIsSanitised(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"an escape sequence from a banner is shown, not executed", "220 mail \x1b[2Jready", `220 mail \u001b[2Jready`},
		{"line breaks do not break the table", "a\r\nb\tc", "a  b c"},
		{"ordinary unicode is kept", "ingeschreven bij de Kamer van Koophandel – ok", "ingeschreven bij de Kamer van Koophandel – ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sanitize(tt.in); got != tt.want {
				t.Errorf("sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestProgressLineOnlyOnATerminal(t *testing.T) {
	regular, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer regular.Close()
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()

	tests := []struct {
		name string
		w    any
		want bool
	}{
		{"a buffer is no terminal", &bytes.Buffer{}, false},
		{"a regular file is no terminal", regular, false},
		{"a character device is treated as a terminal", devNull, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.w.(interface{ Write([]byte) (int, error) })
			if got := progressLine(w, "en", time.Now()) != nil; got != tt.want {
				t.Errorf("progress line enabled = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAnInterruptedRunStillPrintsACompleteDocumentAndExitsOne(t *testing.T) {
	dns := probetest.StartDNS(t, "nomail.example.test. 300 IN MX 0 .")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"--json", "--resolver", dns.Addr, "nomail.example.test", "nomail.example.test"}, strings.NewReader(""), &stdout, &stderr)
	if code != ExitRun {
		t.Errorf("exit status = %d, want %d", code, ExitRun)
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr = %q, want it to say the run was interrupted", stderr.String())
	}
	doc := decodeStrict(t, stdout.Bytes())
	if len(doc.Results) != 2 {
		t.Fatalf("got %d results, want 2", len(doc.Results))
	}
	for _, c := range doc.Results[1].Checks {
		if c.Status != "error" || !strings.Contains(c.Summary, "not probed") {
			t.Errorf("%s = %s %q, want error: not probed", c.ID, c.Status, c.Summary)
		}
	}
}

func TestAllowNetNarrowsTheSSRFGuard(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    string
		wantErr string
	}{
		{"prefixes and single addresses, repeated or comma-separated", []string{"--allow-net", "10.1.0.0/16, 192.0.2.9", "--allow-net", "fd00::/8"}, "[10.1.0.0/16 192.0.2.9/32 fd00::/8]", ""},
		{"a prefix with host bits is masked", []string{"--allow-net", "10.1.2.3/16"}, "[10.1.0.0/16]", ""},
		{"a malformed prefix is refused", []string{"--allow-net", "10.1.0.0/40"}, "", "allow-net"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseArgs(append(tt.args, "example.nl"), strings.NewReader(""))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := buildConfig(context.Background(), o.Settings)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(cfg.AllowNets); got != tt.want {
				t.Errorf("AllowNets = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestVRPFileIsLoadedOrRefused(t *testing.T) {
	good := writeFile(t, "vrps.json", `{"roas":[{"asn":"AS64500","prefix":"192.0.2.0/24","maxLength":24}]}`)
	broken := writeFile(t, "broken.json", `{"roas":[{"asn":"AS64500","prefix":"not a prefix","maxLength":24}]}`)
	tests := []struct {
		name    string
		path    string
		wantErr string
		wantLen int
	}{
		{"a valid VRP file is loaded", good, "", 1},
		{"a VRP file with a bad prefix is refused", broken, "--rpki-vrps", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseArgs([]string{"--resolver", "127.0.0.1", "--rpki-vrps", tt.path, "example.nl"}, strings.NewReader(""))
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := buildConfig(context.Background(), o.Settings)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.VRPs == nil || cfg.VRPs.Len() != tt.wantLen {
				t.Errorf("VRP set = %+v, want %d entries", cfg.VRPs, tt.wantLen)
			}
		})
	}
}

func TestTrustAnchorsComeFromTheFileOrTheBuiltInRootKeys(t *testing.T) {
	anchor := writeFile(t, "root.key", ". 3600 IN DS 12345 13 2 "+strings.Repeat("ab", 32)+"\n")
	tests := []struct {
		name    string
		args    []string
		wantTag uint16
		wantLen int
	}{
		{"without a file the IANA root KSKs are used", nil, 20326, len(probe.DefaultTrustAnchors())},
		{"a file replaces the built-in keys", []string{"--trust-anchor", anchor}, 12345, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--resolver", "127.0.0.1"}, append(tt.args, "example.nl")...)
			o, err := parseArgs(args, strings.NewReader(""))
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := buildConfig(context.Background(), o.Settings)
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.TrustAnchors) != tt.wantLen {
				t.Fatalf("got %d anchors, want %d", len(cfg.TrustAnchors), tt.wantLen)
			}
			found := false
			for _, rr := range cfg.TrustAnchors {
				if ds, ok := rr.(*dns.DS); ok && ds.KeyTag == tt.wantTag {
					found = true
				}
			}
			if !found {
				t.Errorf("no DS with key tag %d among %v", tt.wantTag, cfg.TrustAnchors)
			}
		})
	}
}

func TestTheTableListsTheSubtestsThatDidNotPassUnderTheirCheck(t *testing.T) {
	findings := map[check.Subtest]probe.Subtest{
		"web_https_tls_version": {Status: probe.StatusPass, Finding: "error", FindingParams: map[string]any{"error": "only TLS 1.3"}},
		"web_https_tls_0rtt":    {Status: probe.StatusFail, Finding: "error", FindingParams: map[string]any{"error": "early data accepted"}},
	}
	r := probe.Result{Domain: "example.test", Checks: []probe.Check{
		{ID: check.WebTLSVersion, Status: probe.StatusFail, Summary: "early data accepted", Details: map[string]any{"findings": findings}},
		{ID: check.WebHSTS, Status: probe.StatusPass, Summary: "ok"},
	}}
	var out bytes.Buffer
	if err := (&tableWriter{w: &out, lang: "en"}).result(0, r); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	var at int
	for i, l := range lines {
		if strings.Contains(l, "web_https_tls_0rtt") {
			at = i
		}
	}
	if at == 0 || !strings.Contains(lines[at-1], "web.tls-version") || !strings.Contains(lines[at], "early data accepted") {
		t.Fatalf("the failed subtest is not listed under its check:\n%s", out.String())
	}
	if strings.Contains(out.String(), "only TLS 1.3") {
		t.Errorf("a passed subtest is listed:\n%s", out.String())
	}
}
