package parse

import (
	"slices"
	"strings"
	"testing"
)

func TestParseCSPKeepsTheFirstOfRepeatedDirectives(t *testing.T) {
	p := ParseCSP("Default-Src 'self'; script-src 'self' https://cdn.example.nl; default-src *")
	if got := p.Directives["default-src"]; !slices.Equal(got, []string{"'self'"}) {
		t.Errorf("default-src = %v, want ['self']", got)
	}
	if !slices.Equal(p.Order, []string{"default-src", "script-src"}) || !slices.Equal(p.Duplicates, []string{"default-src"}) {
		t.Errorf("order %v duplicates %v", p.Order, p.Duplicates)
	}
}

func TestCSPAudit(t *testing.T) {
	const strict = "default-src 'self'; base-uri 'self'; frame-src 'self'; frame-ancestors 'none'; form-action 'self'"
	tests := []struct {
		name   string
		policy string
		want   []string // substrings of expected problems; nil means none
	}{
		{"a strict policy has no problems", strict, nil},
		{"the parent domain beside 'self' in base-uri is fine", strings.Replace(strict, "base-uri 'self'", "base-uri 'self' https://example.nl", 1), nil},
		{"a subdomain and report-sample beside 'self' in default-src are fine", strings.Replace(strict, "default-src 'self'", "default-src 'self' 'report-sample' https://static.www.example.nl", 1), nil},
		{"base-uri without 'self' is flagged, as internet.nl does", strings.Replace(strict, "base-uri 'self'", "base-uri https://example.nl", 1), []string{"base-uri must be 'self' or 'none'"}},
		{"a foreign host in default-src is flagged", strings.Replace(strict, "default-src 'self'", "default-src 'self' https://cdn.other.example", 1), []string{"default-src allows https://cdn.other.example"}},
		{"'none' mixed with a host in default-src is flagged", strings.Replace(strict, "default-src 'self'", "default-src 'none' https://www.example.nl", 1), []string{"default-src must be 'self' or 'none'"}},
		{"directive names and keywords are case-insensitive", "DEFAULT-SRC 'SELF'; Base-Uri 'None'; Frame-Ancestors 'none'; FORM-ACTION 'self'", nil},
		{"repeated policies in one header keep each directive's first value", strict + ", default-src *", nil},
		{"whitespace and trailing semicolons do not matter", "  default-src   'self' ;base-uri 'self';; frame-ancestors 'none' ; form-action 'self' ;  ", nil},
		{"a policy allowing unsafe-inline scripts is flagged", strict + "; script-src 'self' 'unsafe-inline'", []string{"script-src allows 'unsafe-inline'"}},
		{"http sources are flagged", strict + "; img-src http://img.example.nl", []string{"unencrypted http"}},
		{"a wildcard host is flagged", strict + "; img-src *", []string{"any host"}},
		{"bare https: is flagged", strict + "; img-src https:", []string{"any https host"}},
		{"a host without scheme is flagged", strict + "; img-src cdn.example.nl", []string{"without https://"}},
		{"data: in object-src is flagged", strict + "; object-src data:", []string{"object-src allows data:"}},
		{"data: in img-src is tolerated", strict + "; img-src data:", nil},
		{"a foreign base-uri is flagged", strings.Replace(strict, "base-uri 'self'", "base-uri https://evil.example.com", 1), []string{"base-uri allows"}},
		{"missing directives are each reported", "script-src 'self'", []string{"no default-src", "no base-uri", "no frame-src", "no frame-ancestors", "no form-action"}},
		{"frame-src may come from default-src", "default-src 'self'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ParseCSP(tc.policy).Audit("www.example.nl")
			if tc.want == nil && len(got) > 0 {
				t.Fatalf("problems %v, want none", got)
			}
			for _, w := range tc.want {
				if !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, w) }) {
					t.Errorf("problems %v lack %q", got, w)
				}
			}
		})
	}
}

func FuzzParseCSP(f *testing.F) {
	for _, s := range []string{"default-src 'self'", "a;b,c d", ";;,,", "base-uri https://x:1/"} {
		f.Add(s, "example.nl")
	}
	f.Fuzz(func(t *testing.T, policy, host string) {
		p := ParseCSP(policy)
		for _, name := range p.Order {
			if _, ok := p.Directives[name]; !ok {
				t.Fatalf("directive %q in order but not in map", name)
			}
		}
		p.Audit(host)
	})
}
