package probe

import (
	"encoding/json"
	"testing"

	"tenderprobe/app/probe/check"
)

func TestASubtestsBadOutcomeIsCappedByItsSeverity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		key  check.Subtest
		give Status
		want Status
	}{
		{"a required test fails", "web_https_tls_0rtt", StatusFail, StatusFail},
		{"a recommended test warns", "web_https_tls_ocsp", StatusFail, StatusWarn},
		{"an optional test informs", "web_https_http_compress", StatusFail, StatusInfo},
		{"a phase-out warns in a required test", "web_https_tls_keyexchange", StatusWarn, StatusWarn},
		{"a pass stays a pass", "web_https_tls_ocsp", StatusPass, StatusPass},
		{"an unmeasured optional test says so", "web_https_tls_clientreneg", StatusError, StatusError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := subtests{}
			s.set(tt.key, tt.give, Sub{Code: "error", Params: map[string]any{"error": "why"}})
			if got := s[tt.key]; got.Status != tt.want || got.Reason != "why" {
				t.Fatalf("got %+v, want status %s with the reason", got, tt.want)
			}
		})
	}
}

func TestASubtestNotInTheTableIsAProgrammingError(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Fatal("an unknown key was accepted")
		}
	}()
	subtests{}.pass("web_https_tls_unknown", Sub{Code: "error"})
}

func TestTheWorstHostsOutcomeIsKeptAndNamesTheHost(t *testing.T) {
	t.Parallel()
	all := subtests{}
	a, b := subtests{}, subtests{}
	a.pass("mail_starttls_tls_version", Sub{Code: "error", Params: map[string]any{"error": "TLS 1.3"}})
	b.fail("mail_starttls_tls_version", Sub{Code: "error", Params: map[string]any{"error": "TLS 1.0 offered"}})
	all.on("mx1.example.nl", a)
	all.on("mx2.example.nl", b)
	all.on("mx3.example.nl", a)
	got := all["mail_starttls_tls_version"]
	if got.Status != StatusFail || got.Reason != "mx2.example.nl: TLS 1.0 offered" {
		t.Fatalf("got %+v", got)
	}
}

func TestSubtestsWeighOnTheirCheck(t *testing.T) {
	t.Parallel()
	bad := func(msg string) Sub { return Sub{Code: "error", Params: map[string]any{"error": msg}} }
	tests := []struct {
		name        string
		check       Status
		set         func(s subtests)
		want        Status
		wantSummary string
	}{
		{"passing subtests leave a pass alone", StatusPass, func(s subtests) {
			s.pass("web_https_tls_0rtt", bad("no early data"))
		}, StatusPass, "own"},
		{"a failed required subtest fails the check", StatusPass, func(s subtests) {
			s.fail("web_https_tls_0rtt", bad("early data accepted"))
		}, StatusFail, "early data accepted"},
		{"a failed recommended subtest makes it warn", StatusPass, func(s subtests) {
			s.fail("web_https_tls_ocsp", bad("not stapled"))
		}, StatusWarn, "not stapled"},
		{"an informational outcome changes nothing", StatusPass, func(s subtests) {
			s.fail("web_https_tls_clientreneg", bad("3 renegotiations"))
		}, StatusPass, "own"},
		{"an unmeasured required subtest is an error, not a pass", StatusPass, func(s subtests) {
			s.set("web_https_tls_0rtt", StatusError, bad("timeout"))
		}, StatusError, "timeout"},
		{"an unmeasured optional subtest is no error", StatusPass, func(s subtests) {
			s.set("web_https_tls_clientreneg", StatusError, bad("timeout"))
		}, StatusPass, "own"},
		{"a failing check keeps its own finding", StatusFail, func(s subtests) {
			s.fail("web_https_tls_0rtt", bad("early data accepted"))
		}, StatusFail, "own"},
		{"several failures are counted", StatusPass, func(s subtests) {
			s.fail("web_https_tls_compress", bad("deflate"))
			s.fail("web_https_tls_0rtt", bad("early data accepted"))
		}, StatusFail, "2 subtests did not pass; the first: deflate"},
		{"a check that does not apply stays so", StatusNotApplicable, func(s subtests) {
			s.fail("web_https_tls_0rtt", bad("early data accepted"))
		}, StatusNotApplicable, "own"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCheck(check.WebTLSVersion, tt.check, "own", nil)
			s := subtests{}
			tt.set(s)
			c.judge(s)
			if c.Status != tt.want || c.Summary != tt.wantSummary {
				t.Fatalf("got %s %q, want %s %q", c.Status, c.Summary, tt.want, tt.wantSummary)
			}
			if len(c.Details["findings"].(map[check.Subtest]Subtest)) != len(s) {
				t.Fatalf("findings %v", c.Details["findings"])
			}
		})
	}
}

func TestAContributionIsJudgedIntoItsCheck(t *testing.T) {
	t.Parallel()
	s := subtests{}
	s.fail("web_https_http_compress", Sub{Code: "error", Params: map[string]any{"error": "gzip"}})
	checks := mergeContributions([]Check{
		newCheck(check.WebHTTPS, StatusPass, "own", nil),
		contribution(check.WebHTTPS, s),
		contribution(check.WebHSTS, s),
	})
	if len(checks) != 1 {
		t.Fatalf("contributions left in the result: %+v", checks)
	}
	raw, err := json.Marshal(checks[0])
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Status  Status
		Details struct {
			Findings map[string]Subtest `json:"findings"`
		}
	}
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if back.Status != StatusPass || back.Details.Findings["web_https_http_compress"].Status != StatusInfo {
		t.Fatalf("got %s", raw)
	}
}

func TestEverySubtestBelongsToAKnownCheckOnce(t *testing.T) {
	t.Parallel()
	seen := map[check.Subtest]bool{}
	for _, s := range check.Subtests() {
		if !check.Known(s.Check) {
			t.Errorf("%s belongs to unknown check %s", s.Key, s.Check)
		}
		if seen[s.Key] {
			t.Errorf("%s listed twice", s.Key)
		}
		seen[s.Key] = true
		if s.Severity.Worst() == "" {
			t.Errorf("%s has no severity", s.Key)
		}
	}
}

func TestAFindingThatNamesItsHostIsNotNamedTwice(t *testing.T) {
	t.Parallel()
	all, one := subtests{}, subtests{}
	one.fail("web_ipv6_ws_address", Sub{Code: "ipv6_web_no_aaaa", Params: map[string]any{"host": "www.example.nl"}})
	all.on("www.example.nl", one)
	if got := all["web_ipv6_ws_address"]; got.Finding != "ipv6_web_no_aaaa" {
		t.Fatalf("got %+v", got)
	}
}
