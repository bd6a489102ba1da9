package parse

import (
	"strings"
	"testing"
)

const goodPolicy = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n"

func TestParseMTASTSPolicy(t *testing.T) {
	p, err := ParseMTASTSPolicy(goodPolicy)
	if err != nil {
		t.Fatal(err)
	}
	if p.Mode != "enforce" || p.MaxAge != 604800 || len(p.MX) != 2 {
		t.Fatalf("parsed %+v", p)
	}
	for host, want := range map[string]bool{
		"mail.example.com":   true,
		"MAIL.example.com.":  true,
		"mx1.example.net":    true,
		"example.net":        false,
		"a.mx1.example.net":  false,
		"mail2.example.com":  false,
		"mail.example.com.x": false,
	} {
		if p.MatchesAnyMX(host) != want {
			t.Errorf("MatchesAnyMX(%q) = %v, want %v", host, !want, want)
		}
	}
}

func TestParseMTASTSPolicyModes(t *testing.T) {
	t.Run("mode none needs no mx", func(t *testing.T) {
		p, err := ParseMTASTSPolicy("version: STSv1\nmode: none\nmax_age: 86400\n")
		if err != nil || p.Mode != "none" {
			t.Fatalf("got %+v, %v", p, err)
		}
	})
	t.Run("LF line endings and extension fields are accepted", func(t *testing.T) {
		p, err := ParseMTASTSPolicy("version: STSv1\nmode: testing\nmx: mx.example.com\nmax_age: 0\nx-vendor: 1\n")
		if err != nil || p.Mode != "testing" || p.Extensions["x-vendor"] != "1" {
			t.Fatalf("got %+v, %v", p, err)
		}
	})
}

func TestParseMTASTSPolicyRejectsInvalidPolicies(t *testing.T) {
	cases := []struct{ name, policy, wantInErr string }{
		{"a wrong version is rejected", "version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n", "not STSv1"},
		{"a missing version is rejected", "mode: enforce\nmx: a.example\nmax_age: 1\n", "version is missing"},
		{"an unknown mode is rejected", "version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n", "mode"},
		{"a missing max_age is rejected", "version: STSv1\nmode: enforce\nmx: a.example\n", "max_age is missing"},
		{"a max_age above a year is rejected", "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", "exceeds"},
		{"a negative max_age is rejected", "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", "not a number"},
		{"enforce without mx is rejected", "version: STSv1\nmode: enforce\nmax_age: 1\n", "no mx"},
		{"a wildcard in the middle is rejected", "version: STSv1\nmode: enforce\nmx: mail.*.example\nmax_age: 1\n", "wildcard"},
		{"a line without a colon is rejected", "version: STSv1\nmode enforce\n", "key: value"},
		{"a duplicated mode is rejected", "version: STSv1\nmode: enforce\nmode: none\nmx: a.example\nmax_age: 1\n", "more than once"},
		{"an HTML error page is rejected", "<html><body>Not found</body></html>", "key: value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseMTASTSPolicy(c.policy)
			if err == nil || !strings.Contains(err.Error(), c.wantInErr) {
				t.Fatalf("err = %v, want it to contain %q", err, c.wantInErr)
			}
		})
	}
}

func TestParseMTASTSRecord(t *testing.T) {
	r, err := ParseMTASTSRecord("v=STSv1; id=20160831085700Z;")
	if err != nil || r.ID != "20160831085700Z" {
		t.Fatalf("got %+v, %v", r, err)
	}
	for _, bad := range []string{
		"v=STSv1;", "v=STSv1; id=", "v=STSv1; id=abc-def", "v=STSv1; id=" + strings.Repeat("a", 33),
		"id=1; v=STSv1", "v=STSv2; id=1", "v=STSv1; id=1; id=2", "v=STSv1;; id=1",
	} {
		if _, err := ParseMTASTSRecord(bad); err == nil {
			t.Errorf("ParseMTASTSRecord(%q) accepted", bad)
		}
	}
}

func TestParseTLSRPT(t *testing.T) {
	r, err := ParseTLSRPT("v=TLSRPTv1; rua=mailto:tlsrpt@example.com, https://reports.example.net/v1")
	if err != nil || len(r.RUA) != 2 || r.RUA[0].Host != "example.com" || r.RUA[1].Scheme != "https" {
		t.Fatalf("got %+v, %v", r, err)
	}
	for _, bad := range []string{
		"v=TLSRPTv1;", "v=TLSRPTv1; rua=", "v=TLSRPTv1; rua=tlsrpt@example.com", "v=TLSRPTv1; rua=http://example.com/",
		"rua=mailto:a@example.com; v=TLSRPTv1", "v=TLSRPTv2; rua=mailto:a@example.com",
		"v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", "v=TLSRPTv1; rua=mailto:a@example.com!10m",
	} {
		if _, err := ParseTLSRPT(bad); err == nil {
			t.Errorf("ParseTLSRPT(%q) accepted", bad)
		}
	}
}

func FuzzParseMTASTSPolicy(f *testing.F) {
	f.Add(goodPolicy)
	f.Add("version: STSv1\nmode: none\nmax_age: 0")
	f.Fuzz(func(t *testing.T, text string) {
		p, err := ParseMTASTSPolicy(text)
		if err != nil {
			return
		}
		if p.MaxAge < 0 || p.MaxAge > MaxMTASTSMaxAge || p.Mode == "" || (p.Mode != "none" && len(p.MX) == 0) {
			t.Fatalf("accepted inconsistent policy %+v from %q", p, text)
		}
		for _, pat := range p.MX {
			MatchMX(pat, "mail.example.com")
		}
	})
}

func FuzzParseMTASTSRecord(f *testing.F) {
	f.Add("v=STSv1; id=20160831085700Z;")
	f.Fuzz(func(t *testing.T, txt string) {
		r, err := ParseMTASTSRecord(txt)
		if err == nil && (r.ID == "" || len(r.ID) > 32) {
			t.Fatalf("accepted id %q", r.ID)
		}
	})
}

func FuzzParseTLSRPT(f *testing.F) {
	f.Add("v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://r.example.net/")
	f.Fuzz(func(t *testing.T, txt string) {
		r, err := ParseTLSRPT(txt)
		if err == nil && len(r.RUA) == 0 {
			t.Fatalf("accepted %q without report URIs", txt)
		}
	})
}
