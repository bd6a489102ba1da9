package probe

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestCheckSPF(t *testing.T) {
	t.Parallel()
	provider := []string{
		`_spf.provider.test. 60 IN TXT "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ?all"`,
		`strict.provider.test. 60 IN TXT "v=spf1 ip4:198.51.100.0/24 -all"`,
		`nospf.provider.test. 60 IN TXT "some-verification=abc"`,
		"mail.example.test. 60 IN A 127.0.0.1",
		"example.test. 60 IN MX 10 mail.example.test.",
	}
	// A chain of eleven includes exceeds the lookup limit.
	var chain []string
	for i := 0; i < 11; i++ {
		chain = append(chain, fmt.Sprintf(`c%d.provider.test. 60 IN TXT "v=spf1 include:c%d.provider.test ~all"`, i, i+1))
	}
	chain = append(chain, `c11.provider.test. 60 IN TXT "v=spf1 -all"`)
	cases := []struct {
		name    string
		records []string
		want    Status
		inSum   string
		lookups int
	}{
		{"mx and an include ending in -all pass (?all inside the include is fine)", []string{
			`example.test. 60 IN TXT "v=spf1 mx include:_spf.provider.test -all"`}, StatusPass, "-all, with 2 of 10", 2},
		{"~all passes", []string{`example.test. 60 IN TXT "v=spf1 ip4:192.0.2.1 ~all"`}, StatusPass, "~all", 0},
		{"a redirect to a record with -all passes", []string{
			`example.test. 60 IN TXT "v=spf1 redirect=strict.provider.test"`}, StatusPass, "-all", 1},
		{"other TXT records beside the SPF record are ignored", []string{
			`example.test. 60 IN TXT "google-site-verification=xyz"`, `example.test. 60 IN TXT "v=spf1 -all"`}, StatusPass, "-all", 0},
		{"no SPF record fails", []string{`example.test. 60 IN TXT "hello"`}, StatusFail, "No SPF record", -1},
		{"two SPF records fail", []string{`example.test. 60 IN TXT "v=spf1 -all"`, `example.test. 60 IN TXT "v=spf1 ~all"`}, StatusFail, "2 SPF records", -1},
		{"+all fails", []string{`example.test. 60 IN TXT "v=spf1 +all"`}, StatusFail, "+all", 0},
		{"?all fails", []string{`example.test. 60 IN TXT "v=spf1 mx ?all"`}, StatusFail, "?all", 1},
		{"a record without all or redirect fails", []string{`example.test. 60 IN TXT "v=spf1 mx"`}, StatusFail, "does not end in -all", 1},
		{"a redirect to a record ending in ?all fails", []string{
			`example.test. 60 IN TXT "v=spf1 redirect=_spf.provider.test"`}, StatusFail, "?all", 1},
		{"a syntax error fails", []string{`example.test. 60 IN TXT "v=spf1 ip4:300.1.1.1 -all"`}, StatusFail, "invalid", -1},
		{"more than ten lookups fail", append([]string{`example.test. 60 IN TXT "v=spf1 include:c0.provider.test -all"`}, chain...), StatusFail, "more than the limit of 10", 11},
		{"an include of a domain without SPF fails", []string{
			`example.test. 60 IN TXT "v=spf1 include:nospf.provider.test -all"`}, StatusFail, "0 SPF records", 1},
		{"an include loop fails", []string{
			`example.test. 60 IN TXT "v=spf1 include:loop.provider.test -all"`,
			`loop.provider.test. 60 IN TXT "v=spf1 include:example.test -all"`}, StatusFail, "loops", 2},
		{"more than two void lookups fail", []string{
			`example.test. 60 IN TXT "v=spf1 a:gone1.example.test a:gone2.example.test mx:gone3.example.test -all"`}, StatusFail, "3 lookups that find nothing", 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := dnsCheckRun(t, "example.test", nil, append(c.records, provider...)...)
			got, _ := r.checkSPF(context.Background())
			if got.Status != c.want || !strings.Contains(got.Summary, c.inSum) {
				t.Fatalf("got %s %q, want %s containing %q; details %+v", got.Status, got.Summary, c.want, c.inSum, got.Details)
			}
			if c.lookups >= 0 && got.Details["lookups"] != c.lookups {
				t.Fatalf("lookups = %v, want %d (%v)", got.Details["lookups"], c.lookups, got.Details["lookup_terms"])
			}
		})
	}
}

func TestCheckDMARC(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		domain  string
		records []string
		want    Status
		inSum   string
	}{
		{"p=reject passes", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.test"`}, StatusPass, "reject"},
		{"p=quarantine passes", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=quarantine"`}, StatusPass, "quarantine"},
		{"p=none fails", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=none"`}, StatusFail, "p=none"},
		{"quarantine in testing mode fails", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=quarantine; t=y"`}, StatusFail, "testing mode"},
		{"no record fails", "example.test", []string{`example.test. 60 IN A 127.0.0.1`}, StatusFail, "No DMARC record"},
		{"two records fail", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject"`, `_dmarc.example.test. 60 IN TXT "v=DMARC1; p=none"`}, StatusFail, "2 DMARC records"},
		{"an invalid record fails", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject; pct=150"`}, StatusFail, "invalid"},
		{"a subdomain takes sp from the organisational domain", "shop.example.test", []string{
			"shop.example.test. 60 IN A 127.0.0.1", `_dmarc.example.test. 60 IN TXT "v=DMARC1; p=none; sp=reject"`}, StatusPass, "organisational domain example.test"},
		{"a subdomain fails when the organisational sp is none", "shop.example.test", []string{
			"shop.example.test. 60 IN A 127.0.0.1", `_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject; sp=none"`}, StatusFail, "p=none"},
		{"an invalid record at the domain is not replaced by the organisational one", "shop.example.test", []string{
			`_dmarc.shop.example.test. 60 IN TXT "v=DMARC1; p=maybe"`, `_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject"`}, StatusFail, "invalid"},
		{"an external report address without authorisation warns", "example.test", []string{
			`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject; rua=mailto:agg@reports.test"`}, StatusWarn, "has not authorised"},
		{"an authorised external report address passes", "example.test", []string{
			`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject; rua=mailto:agg@reports.test"`,
			`example.test._report._dmarc.reports.test. 60 IN TXT "v=DMARC1"`}, StatusPass, "reject"},
		{"a pct below 100 warns", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject; pct=20"`}, StatusWarn, "pct=20"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := dnsCheckRun(t, c.domain, nil, c.records...)
			got, _ := r.checkDMARC(context.Background())
			if got.Status != c.want || !strings.Contains(got.Summary, c.inSum) {
				t.Fatalf("got %s %q, want %s containing %q; details %+v", got.Status, got.Summary, c.want, c.inSum, got.Details)
			}
		})
	}
}

func TestCheckDKIM(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		records []string
		want    Status
	}{
		{"a published selector makes _domainkey exist and passes", []string{
			`sel1._domainkey.example.test. 60 IN TXT "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="`,
			`example.test. 60 IN TXT "v=spf1 mx -all"`,
		}, StatusPass},
		{"no _domainkey name fails", []string{`example.test. 60 IN TXT "v=spf1 mx -all"`, `_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject"`}, StatusFail},
		{"a domain that sends no mail does not need DKIM", []string{
			`example.test. 60 IN TXT "v=spf1 -all"`, `_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject"`,
		}, StatusNotApplicable},
		{"SPF -all alone does not exempt a domain from DKIM", []string{
			`example.test. 60 IN TXT "v=spf1 -all"`, `_dmarc.example.test. 60 IN TXT "v=DMARC1; p=quarantine"`,
		}, StatusFail},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := dnsCheckRun(t, "example.test", nil, c.records...)
			checks := checkMailAuth(context.Background(), r)
			got := checkNamed(t, checks, "mail.dkim")
			if got.Status != c.want {
				t.Fatalf("got %s %q, want %s", got.Status, got.Summary, c.want)
			}
			if len(checks) != 3 {
				t.Fatalf("checkMailAuth returned %d checks, want spf, dkim and dmarc", len(checks))
			}
		})
	}
}
