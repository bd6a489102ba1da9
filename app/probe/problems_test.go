package probe

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/dnssec"
	"tenderprobe/app/probe/parse"
	"tenderprobe/app/probe/rpki"
)

// The problems parsers and validators find reach a finding as codes, so a
// Dutch or Spanish page shows them in its own language: no English
// sentence, no message key and no unfilled parameter inside. Problems the
// parsers also give as English text read the same in the English finding.
func TestParserProblemsReadInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	type problem struct {
		sub     Sub
		english string // the parser's own English text, "" when it has none
	}
	fromParse := func(ps []parse.Problem) []problem {
		var out []problem
		for _, p := range ps {
			out = append(out, problem{problemSub(p), p.Text})
		}
		return out
	}
	spfErrors := func(records ...string) []problem {
		var out []problem
		for _, r := range records {
			_, err := parse.ParseSPF(r)
			if err == nil {
				t.Fatalf("ParseSPF(%q) gave no error", r)
			}
			out = append(out, problem{errorSub(err), ""})
		}
		return out
	}
	headerProblems := func() []problem {
		h := http.Header{}
		h.Set("X-Content-Type-Options", "sniff")
		h.Set("Referrer-Policy", "unsafe-url")
		var out []problem
		for _, v := range judgeHeaders(h, "www.example.nl") {
			for _, p := range v.problems {
				out = append(out, problem{p, ""})
			}
		}
		h = http.Header{}
		h.Set("Referrer-Policy", "strict-origin")
		h.Set("Content-Security-Policy", "frame-ancestors 'none'")
		for _, v := range judgeHeaders(h, "www.example.nl") {
			for _, p := range v.problems {
				out = append(out, problem{p, ""})
			}
		}
		return out
	}
	caaProblems := func() []problem {
		var out []problem
		for _, v := range []string{"ca test", "ca.test; account", "ca.test; ac-count=1", "ca.test; account=a b"} {
			if _, bad := checkCAAIssueValue(v); bad != nil {
				out = append(out, problem{Sub{Code: "caa_record_problem", Params: map[string]any{"tag": "issue", "value": v, "problem": *bad}}, ""})
			} else {
				t.Fatalf("issue %q passed", v)
			}
		}
		for _, c := range []*dns.CAA{{Flag: 128, Tag: "tbs", Value: "x"}, {Tag: "iodef", Value: "http://x.example/"}, {Tag: "iodef", Value: "mailto:not an address"}, {Tag: "iodef", Value: "https:///x"}} {
			if bad := checkCAAOther(c); bad != nil {
				out = append(out, problem{*bad, ""})
			} else {
				t.Fatalf("CAA %v passed", c)
			}
		}
		return append(out, problem{Sub{Code: "caa_no_issue", Params: nil}, ""}, problem{Sub{Code: "caa_too_many", Params: map[string]any{"count": 12, "max": 10}}, ""})
	}
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	badTxt := parse.ParseSecurityTxt([]byte("Contact: http://example.nl/\nExpires: soon\nExpires: 2025-01-01T00:00:00Z\nPreferred-Languages: nl\nPreferred-Languages: en\nCanonical: https://other.nl/.well-known/security.txt\n<html>\n# \xff\n")).
		Evaluate("https://example.nl/.well-known/security.txt", now)
	farTxt := parse.ParseSecurityTxt([]byte("Contact: mailto:a@example.nl\nExpires: 2029-01-01T00:00:00Z\n")).Evaluate("https://example.nl/.well-known/security.txt", now)
	expired := parse.ParseSecurityTxt([]byte("Expires: 2025-01-01T00:00:00Z\n")).Evaluate("https://example.nl/.well-known/security.txt", now)
	cases := []struct {
		name     string
		problems []problem
		atLeast  int
	}{
		{"CSP problems", fromParse(parse.ParseCSP("script-src 'unsafe-inline' http: * https: 127.0.0.1 data: cdn.example.nl; base-uri https://evil.example").AuditProblems("www.example.nl")), 10},
		{"security.txt errors", fromParse(append(badTxt.ErrorProblems, expired.ErrorProblems...)), 9},
		{"security.txt warnings", fromParse(farTxt.WarningProblems), 1},
		{"SPF syntax errors", spfErrors("v=spf2", "v=spf1 redirect=a.example redirect=b.example", "v=spf1 foo -all", "v=spf1 ip4:300.1.1.1 -all",
			"v=spf1 ip6:nope -all", "v=spf1 all:x", "v=spf1 include", "v=spf1 ptr/24", "v=spf1 a:", "v=spf1 ip4", "v=spf1 ip4:192.0.2.0/40",
			"v=spf1 exists:%{q}.example.com", "v=spf1 exists:%", "v=spf1 exists:%{i", "v=spf1 include:example.123", "v=spf1 1x=y"), 16},
		{"SPF walker problems", []problem{
			{Sub{Code: "spf_loop", Params: map[string]any{"from": "example.nl", "term": "include:example.nl"}}, ""},
			{Sub{Code: "spf_too_deep", Params: map[string]any{"from": "a.example.nl", "term": "include:b.example.nl", "max": 10}}, ""},
			{Sub{Code: "spf_not_one_record", Params: map[string]any{"from": "example.nl", "term": "include:x.example.nl", "count": 0}}, ""},
			{Sub{Code: "spf_included_invalid", Params: map[string]any{"target": "x.example.nl", "from": "example.nl", "error": spfErrors("v=spf1 foo")[0].sub}}, ""},
		}, 4},
		{"HSTS syntax errors", func() []problem {
			var out []problem
			for _, h := range []string{"max-age=1; max-age=2", "max-age", "max-age=soon", "max-age=1; includeSubDomains=1", "preload", "max-age=1; x=a\"b", "max-age=\"1", "max-age=\"1\"2\"", "max-age=1; =x"} {
				_, err := parse.ParseHSTS(h)
				if err == nil {
					t.Fatalf("ParseHSTS(%q) gave no error", h)
				}
				out = append(out, problem{errorSub(err), ""})
			}
			return out
		}(), 9},
		{"DMARC syntax errors", func() []problem {
			var out []problem
			for _, r := range []string{"p=reject", "v=DMARC1; p", "v=DMARC1; p=reject; p=none", "v=DMARC1; p=maybe", "v=DMARC1", "v=DMARC1; p=none; v=DMARC1",
				"v=DMARC1; p=none; psd=x", "v=DMARC1; p=none; t=x", "v=DMARC1; p=none; pct=101", "v=DMARC1; p=none; adkim=x", "v=DMARC1; p=none; fo=2",
				"v=DMARC1; p=none; rf=iodef", "v=DMARC1; p=none; ri=soon", "v=DMARC1; p=none; rua=", "v=DMARC1; p=none; rua=mailto:a@example.nl!10q",
				"v=DMARC1; p=none; rua=mailto:", "v=DMARC1; p=none; rua=mailto:not-an-address", "v=DMARC1; p=none; rua=https://", "v=DMARC1; p=none; rua=a@example.nl",
				"v=DMARC1; p=none; rua=ftp://example.nl/"} {
				_, err := parse.ParseDMARC(r)
				if err == nil {
					t.Fatalf("ParseDMARC(%q) gave no error", r)
				}
				out = append(out, problem{errorSub(err), ""})
			}
			return out
		}(), 20},
		{"TLS-RPT syntax errors", func() []problem {
			var out []problem
			for _, r := range []string{"v=TLSRPTv2; rua=mailto:a@example.nl", "v=TLSRPTv1;; rua=mailto:a@example.nl", "v=TLSRPTv1; rua", "v=TLSRPTv1; r!ua=x",
				"v=TLSRPTv1; x=a=b", "v=TLSRPTv1; rua=mailto:a@example.nl; rua=mailto:b@example.nl", "v=TLSRPTv1; rua=", "v=TLSRPTv1",
				"v=TLSRPTv1; rua=http://example.nl/"} {
				_, err := parse.ParseTLSRPT(r)
				if err == nil {
					t.Fatalf("ParseTLSRPT(%q) gave no error", r)
				}
				out = append(out, problem{errorSub(err), ""})
			}
			return out
		}(), 9},
		{"MTA-STS record and policy syntax errors", func() []problem {
			var out []problem
			for _, r := range []string{"v=STSv2; id=1", "v=STSv1; id=1; id=2", "v=STSv1; id=a-b", "v=STSv1", "v=STSv1;; id=1"} {
				_, err := parse.ParseMTASTSRecord(r)
				if err == nil {
					t.Fatalf("ParseMTASTSRecord(%q) gave no error", r)
				}
				out = append(out, problem{errorSub(err), ""})
			}
			for _, p := range []string{"version STSv1", "version: STSv1\n!x: 1", "version: STSv1\nversion: STSv1", "version: STSv2", "version: STSv1\nmode: strict",
				"version: STSv1\nmode: enforce\nmax_age: soon", "version: STSv1\nmode: enforce\nmax_age: 99999999", "version: STSv1\nmode: enforce\nmax_age: 86400\nmx: *.*.example.nl",
				"version: STSv1\nmode: enforce\nmax_age: 86400\nmx: mx!.example.nl", "version: STSv1\nmode: enforce\nmax_age: 86400\nmx: -mx.example.nl",
				"mode: enforce\nmax_age: 86400\nmx: mx.example.nl", "version: STSv1\nmax_age: 86400", "version: STSv1\nmode: enforce", "version: STSv1\nmode: enforce\nmax_age: 86400"} {
				_, err := parse.ParseMTASTSPolicy(p)
				if err == nil {
					t.Fatalf("ParseMTASTSPolicy(%q) gave no error", p)
				}
				out = append(out, problem{errorSub(err), ""})
			}
			return out
		}(), 19},
		{"security-header reasons", headerProblems(), 5},
		{"CAA record problems", caaProblems(), 10},
		{"RPKI lookup errors", []problem{
			{errorSub(&rpki.LookupError{Code: "rpki_rcode", Params: map[string]any{"name": "1.2.0.192.origin.asn.cymru.com", "rcode": "SERVFAIL"}}), ""},
			{errorSub(&rpki.LookupError{Code: "rpki_query_failed", Params: map[string]any{"name": "1.2.0.192.origin.asn.cymru.com", "error": "i/o timeout"}}), ""},
			{errorSub(&rpki.LookupError{Code: "rpki_unusable_answer", Params: map[string]any{"name": "1.2.0.192.origin.asn.cymru.com", "error": `rpki: Cymru answer "x": no origin AS`}}), ""},
		}, 3},
		{"DNSSEC reasons a name could not be validated", func() []problem {
			var out []problem
			for _, w := range []dnssec.Why{
				{Code: "dnssec_why_query_failed", Params: map[string]any{"error": "read udp 127.0.0.1:53: i/o timeout"}},
				{Code: "dnssec_why_rcode", Params: map[string]any{"rcode": "SERVFAIL", "type": "DS", "name": "example.nl"}},
				{Code: "dnssec_why_cname_loop", Params: map[string]any{"name": "a.example.nl", "max": 12}},
				{Code: "dnssec_why_interrupted", Params: map[string]any{"name": "example.nl", "error": "context deadline exceeded"}},
				{Code: "dnssec_why_no_trust_anchor", Params: nil},
				{Code: "dnssec_why_anchor_no_root", Params: nil},
				{Code: "dnssec_why_no_do_bit", Params: nil},
			} {
				out = append(out, problem{whySub(&w, "").(Sub), ""})
			}
			return out
		}(), 7},
		{"DNSSEC reasons an answer is bogus or insecure", func() []problem {
			expired := dnssec.Why{Code: "dnssec_why_rrsig_expired", Params: map[string]any{"rrset": "A example.nl", "time": "2026-01-01 00:00 UTC"}}
			badKey := dnssec.Why{Code: "dnssec_why_rrsig_unknown_key", Params: map[string]any{"rrset": "A example.nl", "keytag": 12345, "zone": "example.nl"}}
			noProof := dnssec.Why{Code: "dnssec_why_no_nxdomain_proof", Params: map[string]any{"type": "A", "name": "x.example.nl", "reason": dnssec.Why{Code: "dnssec_why_no_nsec", Params: nil}}}
			var out []problem
			for _, w := range []dnssec.Why{
				{Code: "dnssec_why_list", Params: map[string]any{"reasons": []dnssec.Why{expired, badKey}}},
				{Code: "dnssec_why_with_faults", Params: map[string]any{"reason": noProof, "faults": expired}},
				{Code: "dnssec_why_unsigned_delegation", Params: map[string]any{"name": "example.nl", "parent": "nl", "proof": dnssec.Why{Code: "dnssec_why_bitmap_lists_only", Params: map[string]any{"type": "DS", "name": "example.nl", "kind": "NSEC3", "types": "NS"}}}},
				{Code: "dnssec_why_nsec3_iterations", Params: map[string]any{"zone": "example.nl", "iterations": 150, "max": 100}},
			} {
				out = append(out, problem{whySub(&w, "").(Sub), ""})
			}
			return out
		}(), 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if len(c.problems) < c.atLeast {
				t.Fatalf("%d problems, want at least %d: %+v", len(c.problems), c.atLeast, c.problems)
			}
			for _, p := range c.problems {
				if uncoded(p.sub) {
					t.Errorf("%+v has no code of its own", p.sub)
				}
				en := english(p.sub)
				if p.english != "" && en != p.english {
					t.Errorf("%s reads %q in English, the parser says %q", p.sub.Code, en, p.english)
				}
				for _, lang := range []string{"nl", "es"} {
					got := findingText(lang, p.sub.Code, p.sub.Params)
					if strings.Contains(got, "finding.") || strings.ContainsAny(got, "{}") && !strings.Contains(en, "{") {
						t.Errorf("%s in %s: %q", p.sub.Code, lang, got)
					}
					if got == en && strings.ContainsFunc(en, func(r rune) bool { return r >= 'a' && r <= 'z' }) && !sameInEveryLanguage[p.sub.Code] {
						t.Errorf("%s in %s is the English %q", p.sub.Code, lang, en)
					}
				}
			}
		})
	}
	if errorSub(errors.New("boom")).Code != "error" {
		t.Error("an uncoded error is not shown as its text")
	}
}

// sameInEveryLanguage are problems made only of names, values and
// punctuation.
var sameInEveryLanguage = map[string]bool{"caa_host_problems": true, "caa_record_problem": true, "pq_target_group": true, "rpki_lookup_error": true, "sectxt_problems": true}

// A finding stored before its problems had codes keeps its English
// problem text: a plain string in a {param:finding} place reads as itself.
func TestFindingsStoredWithEnglishProblemsStillRead(t *testing.T) {
	t.Parallel()
	cases := []struct {
		code   string
		params map[string]any
		want   string
	}{
		{"dnssec_bogus", map[string]any{"name": "example.nl", "reason": "RRSIG over A example.nl expired at 2026-01-01"}, "RRSIG over A example.nl expired at 2026-01-01"},
		{"spf_problems", map[string]any{"problems": "example.nl: include:x.example.nl points at 0 SPF records, not one"}, "points at 0 SPF records"},
		{"caa_problems", map[string]any{"problems": "example.nl: no issue record"}, "example.nl: no issue record"},
		{"header_problem", map[string]any{"target": "www.example.nl", "header": "X-Frame-Options", "reasons": "must be DENY"}, "(must be DENY)"},
	}
	for _, c := range cases {
		for _, lang := range []string{"en", "nl"} {
			if got := findingText(lang, c.code, c.params); !strings.Contains(got, c.want) || strings.Contains(got, "finding.") {
				t.Errorf("%s in %s: %q, want it to contain %q", c.code, lang, got, c.want)
			}
		}
	}
}

// uncoded reports whether s, or a sub-finding in its parameters, is an
// error shown only as its text.
func uncoded(s Sub) bool {
	if s.Code == "error" {
		return true
	}
	for _, v := range s.Params {
		switch v := v.(type) {
		case Sub:
			if uncoded(v) {
				return true
			}
		case []Sub:
			for _, e := range v {
				if uncoded(e) {
					return true
				}
			}
		}
	}
	return false
}
