package probe

import (
	"context"
	"strings"
	"testing"

	"tenderprobe/app/probe/check"
)

func TestCheckCAA(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		domain  string
		records []string
		want    Status
		inSum   string
	}{
		{"an issue and an iodef record pass", "example.test", []string{
			"example.test. 60 IN A 127.0.0.1", "www.example.test. 60 IN A 127.0.0.1",
			`example.test. 60 IN CAA 0 issue "ca.test; account=1234"`,
			`example.test. 60 IN CAA 0 issuewild ";"`,
			`example.test. 60 IN CAA 0 iodef "mailto:security@example.test"`,
		}, StatusPass, "example.test, www.example.test"},
		{"records at the parent domain govern a subdomain", "shop.example.test", []string{
			"shop.example.test. 60 IN A 127.0.0.1",
			`example.test. 60 IN CAA 0 issue "ca.test"`,
			`example.test. 60 IN CAA 0 iodef "https://iodef.example.test/report"`,
		}, StatusPass, "shop.example.test"},
		{"an issue record forbidding all CAs passes", "example.test", []string{
			`example.test. 60 IN CAA 0 issue ";"`,
		}, StatusPass, ""},
		{"no CAA anywhere up the tree warns", "example.test", []string{
			"example.test. 60 IN A 127.0.0.1",
		}, StatusWarn, "No CAA record"},
		{"only an issuewild record fails", "example.test", []string{
			`example.test. 60 IN CAA 0 issuewild "ca.test"`,
		}, StatusFail, "no issue record"},
		{"an iodef over plain http fails", "example.test", []string{
			`example.test. 60 IN CAA 0 issue "ca.test"`,
			`example.test. 60 IN CAA 0 iodef "http://iodef.example.test/"`,
		}, StatusFail, "mailto or https"},
		{"an unknown critical tag fails", "example.test", []string{
			`example.test. 60 IN CAA 0 issue "ca.test"`,
			`example.test. 60 IN CAA 128 tbs "x"`,
		}, StatusFail, "critical"},
		{"an issuer that is not a domain name fails", "example.test", []string{
			`example.test. 60 IN CAA 0 issue "ca test"`,
		}, StatusFail, "not a domain name"},
		{"a malformed issue parameter fails", "example.test", []string{
			`example.test. 60 IN CAA 0 issue "ca.test; account"`,
		}, StatusFail, "key=value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := dnsCheckRun(t, c.domain, nil, c.records...)
			got := checkNamed(t, checkCAA(context.Background(), r), "web.caa")
			if got.Status != c.want || !strings.Contains(got.Summary, c.inSum) {
				t.Fatalf("got %s %q, want %s containing %q; details %+v", got.Status, got.Summary, c.want, c.inSum, got.Details)
			}
			// internet.nl rates CAA as recommended: a missing or broken set is a notice.
			sub := StatusPass
			if c.want != StatusPass {
				sub = StatusWarn
			}
			expectSubtests(t, got, map[check.Subtest]Status{"web_https_tls_caa": sub})
		})
	}
}
