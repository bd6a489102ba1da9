package probe

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"tenderprobe/app/probe/check"
)

func TestSPFLookupCountingAndInvalidRecords(t *testing.T) {
	t.Parallel()
	base := []string{
		"example.test. 60 IN A 127.0.0.1",
		"example.test. 60 IN MX 10 mx1.example.test.", "example.test. 60 IN MX 20 mx2.example.test.", "example.test. 60 IN MX 30 mx3.example.test.",
		"mx1.example.test. 60 IN A 127.0.0.1", "mx2.example.test. 60 IN A 127.0.0.1", "mx3.example.test. 60 IN A 127.0.0.1",
		"h1.example.test. 60 IN A 127.0.0.1", "m1.example.test. 60 IN MX 10 mx1.example.test.",
		`plain.example.test. 60 IN TXT "v=spf1 -all"`,
		`extra.example.test. 60 IN TXT "v=spf1 include:i4.example.test -all"`,
		`neutral.example.test. 60 IN TXT "v=spf1 ip4:192.0.2.0/24 ?all"`,
		`nospf.example.test. 60 IN TXT "site-verification=abc"`,
		`b.example.test. 60 IN TXT "v=spf1 redirect=example.test"`,
	}
	for i := 1; i <= 9; i++ {
		base = append(base, fmt.Sprintf(`i%d.example.test. 60 IN TXT "v=spf1 ip4:192.0.2.%d -all"`, i, i))
	}
	// Ten lookup terms of every kind: a, mx, ptr, exists, a:, mx: and four includes.
	ten := "a mx ptr exists:e.example.test a:h1.example.test mx:m1.example.test include:i1.example.test include:i2.example.test include:i3.example.test include:i4.example.test"
	nineIncludes := ""
	for i := 1; i <= 9; i++ {
		nineIncludes += fmt.Sprintf(" include:i%d.example.test", i)
	}
	const exist, policy = "mail_auth_spf_exist", "mail_auth_spf_policy"
	cases := []struct {
		name       string
		records    []string
		exist, pol Status
		lookups    int
	}{
		{"ten lookups of every kind pass", []string{`example.test. 60 IN TXT "v=spf1 ` + ten + ` -all"`}, StatusPass, StatusPass, 10},
		{"an eleventh lookup (exists) fails", []string{`example.test. 60 IN TXT "v=spf1 ` + ten + ` exists:f.example.test -all"`}, StatusPass, StatusFail, 11},
		{"nine includes and a redirect are ten lookups and pass", []string{`example.test. 60 IN TXT "v=spf1` + nineIncludes + ` redirect=plain.example.test"`}, StatusPass, StatusPass, 10},
		{"a redirect whose target includes once more is eleven and fails", []string{`example.test. 60 IN TXT "v=spf1` + nineIncludes + ` redirect=extra.example.test"`}, StatusPass, StatusFail, 11},
		{"mx counts one lookup whatever the number of MX hosts", []string{`example.test. 60 IN TXT "v=spf1 mx -all"`}, StatusPass, StatusPass, 1},
		{"two void lookups pass", []string{`example.test. 60 IN TXT "v=spf1 a:gone1.example.test a:gone2.example.test -all"`}, StatusPass, StatusPass, 2},
		{"three void lookups fail", []string{`example.test. 60 IN TXT "v=spf1 a:gone1.example.test a:gone2.example.test mx:gone3.example.test -all"`}, StatusPass, StatusFail, 3},
		{"two SPF records fail existence and leave the policy untested", []string{`example.test. 60 IN TXT "v=spf1 -all"`, `example.test. 60 IN TXT "v=spf1 mx -all"`}, StatusFail, StatusNotApplicable, -1},
		{"no SPF record fails existence", []string{`example.test. 60 IN TXT "hello"`}, StatusFail, StatusNotApplicable, -1},
		{"an unknown mechanism fails the policy", []string{`example.test. 60 IN TXT "v=spf1 foo:bar.example.test -all"`}, StatusPass, StatusFail, -1},
		{"a prefix length out of range fails the policy", []string{`example.test. 60 IN TXT "v=spf1 ip4:192.0.2.0/33 -all"`}, StatusPass, StatusFail, -1},
		{"+all fails the policy", []string{`example.test. 60 IN TXT "v=spf1 +all"`}, StatusPass, StatusFail, 0},
		{"?all fails the policy", []string{`example.test. 60 IN TXT "v=spf1 mx ?all"`}, StatusPass, StatusFail, 1},
		{"?all inside an include is fine", []string{`example.test. 60 IN TXT "v=spf1 include:neutral.example.test -all"`}, StatusPass, StatusPass, 1},
		{"a record without all or redirect fails the policy", []string{`example.test. 60 IN TXT "v=spf1 mx"`}, StatusPass, StatusFail, 1},
		{"~all passes", []string{`example.test. 60 IN TXT "v=spf1 mx ~all"`}, StatusPass, StatusPass, 1},
		{"a redirect loop fails the policy", []string{`example.test. 60 IN TXT "v=spf1 redirect=b.example.test"`}, StatusPass, StatusFail, -1},
		{"an include of a name that does not exist fails the policy", []string{`example.test. 60 IN TXT "v=spf1 include:missing.example.test -all"`}, StatusPass, StatusFail, 1},
		{"an include of a name without SPF fails the policy", []string{`example.test. 60 IN TXT "v=spf1 include:nospf.example.test -all"`}, StatusPass, StatusFail, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := dnsCheckRun(t, "example.test", nil, append(c.records, base...)...)
			spf := checkNamed(t, checkMailAuth(context.Background(), r), check.MailSPF)
			expectSubtests(t, spf, map[check.Subtest]Status{exist: c.exist, policy: c.pol})
			want := StatusPass
			if c.exist != StatusPass || c.pol != StatusPass {
				want = StatusFail
			}
			if spf.Status != want {
				t.Errorf("mail.spf = %s (%s), want %s", spf.Status, spf.Summary, want)
			}
			if c.lookups >= 0 && spf.Details["lookups"] != c.lookups {
				t.Errorf("lookups = %v, want %d (%v)", spf.Details["lookups"], c.lookups, spf.Details["lookup_terms"])
			}
		})
	}
}

func TestDMARCSyntaxAndPolicies(t *testing.T) {
	t.Parallel()
	const exist, policy = "mail_auth_dmarc_exist", "mail_auth_dmarc_policy"
	cases := []struct {
		name       string
		domain     string
		records    []string
		exist, pol Status
		check      Status
	}{
		{"p=reject passes", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject"`}, StatusPass, StatusPass, StatusPass},
		{"a record without p exists but its policy fails", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; rua=mailto:d@example.test"`}, StatusPass, StatusFail, StatusFail},
		{"an unknown policy value fails the policy", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=maybe"`}, StatusPass, StatusFail, StatusFail},
		{"a pct that is not a number fails the policy", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject; pct=abc"`}, StatusPass, StatusFail, StatusFail},
		{"a bad alignment mode fails the policy", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject; adkim=x"`}, StatusPass, StatusFail, StatusFail},
		{"a tag repeated fails the policy", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject; p=none"`}, StatusPass, StatusFail, StatusFail},
		{"two records fail existence", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject"`, `_dmarc.example.test. 60 IN TXT "v=DMARC1; p=quarantine"`}, StatusFail, StatusNotApplicable, StatusFail},
		{"a record not starting with v=DMARC1 is no record", "example.test", []string{`_dmarc.example.test. 60 IN TXT "p=reject; v=DMARC1"`}, StatusFail, StatusNotApplicable, StatusFail},
		{"p=none fails the policy", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=none"`}, StatusPass, StatusFail, StatusFail},
		{"quarantine with t=y fails the policy", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=quarantine; t=y"`}, StatusPass, StatusFail, StatusFail},
		{"reject with t=y passes the policy; the check warns", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject; t=y"`}, StatusPass, StatusPass, StatusWarn},
		{"an external rua without the authorisation record is a notice", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject; rua=mailto:agg@reports.test"`}, StatusPass, StatusWarn, StatusWarn},
		{"an external rua with the authorisation record passes", "example.test", []string{`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject; rua=mailto:agg@reports.test"`,
			`example.test._report._dmarc.reports.test. 60 IN TXT "v=DMARC1"`}, StatusPass, StatusPass, StatusPass},
		{"a subdomain takes sp=reject from its organisational domain", "shop.example.test", []string{"shop.example.test. 60 IN A 127.0.0.1",
			`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=none; sp=reject"`}, StatusPass, StatusPass, StatusPass},
		{"no record fails existence", "example.test", []string{"example.test. 60 IN A 127.0.0.1"}, StatusFail, StatusNotApplicable, StatusFail},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := dnsCheckRun(t, c.domain, nil, c.records...)
			d := checkNamed(t, checkMailAuth(context.Background(), r), check.MailDMARC)
			expectSubtests(t, d, map[check.Subtest]Status{exist: c.exist, policy: c.pol})
			if d.Status != c.check {
				t.Errorf("mail.dmarc = %s (%s), want %s", d.Status, d.Summary, c.check)
			}
		})
	}
}

func TestDKIMForDomainsThatSendNoMail(t *testing.T) {
	t.Parallel()
	key := `sel1._domainkey.example.test. 60 IN TXT "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="`
	cases := []struct {
		name    string
		domain  string
		records []string
		want    Status
	}{
		{"SPF -all and DMARC p=reject without DKIM skip the test", "example.test", []string{`example.test. 60 IN TXT "v=spf1 -all"`, `_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject"`}, StatusNotApplicable},
		{"the same domain with a DKIM key passes", "example.test", []string{`example.test. 60 IN TXT "v=spf1 -all"`, `_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject"`, key}, StatusPass},
		{"p=reject written without a space still counts", "example.test", []string{`example.test. 60 IN TXT "v=spf1 -all"`, `_dmarc.example.test. 60 IN TXT "v=DMARC1;p=reject"`}, StatusNotApplicable},
		{"an exp modifier beside -all still counts", "example.test", []string{`example.test. 60 IN TXT "v=spf1 -all exp=why.example.test"`, `_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject"`}, StatusNotApplicable},
		{"p=reject after another tag does not count (internet.nl's pattern)", "example.test", []string{`example.test. 60 IN TXT "v=spf1 -all"`, `_dmarc.example.test. 60 IN TXT "v=DMARC1; adkim=s; p=reject"`}, StatusFail},
		{"quarantine does not count", "example.test", []string{`example.test. 60 IN TXT "v=spf1 -all"`, `_dmarc.example.test. 60 IN TXT "v=DMARC1; p=quarantine"`}, StatusFail},
		{"an SPF record that allows senders does not count", "example.test", []string{`example.test. 60 IN TXT "v=spf1 ip4:192.0.2.1 -all"`, `_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject"`}, StatusFail},
		{"an unauthorised external rua makes the DMARC policy not valid, so DKIM is needed", "example.test", []string{`example.test. 60 IN TXT "v=spf1 -all"`,
			`_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject; rua=mailto:agg@reports.test"`}, StatusFail},
		{"a subdomain under an organisational p=reject without sp skips the test", "shop.example.test", []string{"shop.example.test. 60 IN A 127.0.0.1",
			`shop.example.test. 60 IN TXT "v=spf1 -all"`, `_dmarc.example.test. 60 IN TXT "v=DMARC1; p=reject"`}, StatusNotApplicable},
		{"a subdomain under an organisational sp=reject skips the test", "shop.example.test", []string{"shop.example.test. 60 IN A 127.0.0.1",
			`shop.example.test. 60 IN TXT "v=spf1 -all"`, `_dmarc.example.test. 60 IN TXT "v=DMARC1; p=quarantine; sp=reject"`}, StatusNotApplicable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := dnsCheckRun(t, c.domain, nil, c.records...)
			d := checkNamed(t, checkMailAuth(context.Background(), r), check.MailDKIM)
			if d.Status != c.want {
				t.Errorf("mail.dkim = %s (%s), want %s", d.Status, d.Summary, c.want)
			}
			expectSubtests(t, d, map[check.Subtest]Status{"mail_auth_dkim_exist": c.want})
		})
	}
}

func TestDomainsThatTakeNoMail(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		records []string
		status  mxStatus
		hosts   int
		inSum   string
	}{
		{"a null MX on a domain with an address takes no mail", []string{"example.test. 60 IN A 127.0.0.1", "example.test. 60 IN MX 0 ."}, mxNull, 0, "null MX"},
		{"a null MX on a domain without addresses is not needed", []string{"example.test. 60 IN MX 0 .", `example.test. 60 IN TXT "v=spf1 -all"`}, mxNullWithoutAddress, 0, "not needed"},
		{"a null MX next to another MX is flagged and the other is tested", []string{"example.test. 60 IN MX 0 .", "example.test. 60 IN MX 10 mx.example.test.",
			"mx.example.test. 60 IN A 127.0.0.1"}, mxNullWithOthers, 1, ""},
		{"no MX, an address and SPF -all advise a null MX", []string{"example.test. 60 IN A 127.0.0.1", `example.test. 60 IN TXT "v=spf1 -all"`}, mxNullAdvised, 0, "would say so"},
		{"no MX and an SPF record that sends is simply no mail server", []string{"example.test. 60 IN A 127.0.0.1", `example.test. 60 IN TXT "v=spf1 mx -all"`}, mxNone, 0, "no MX"},
		{"no MX and no address is no mail server", []string{`example.test. 60 IN TXT "v=spf1 -all"`}, mxNone, 0, "no MX"},
		{"an MX of localhost is left out, as internet.nl does", []string{"example.test. 60 IN A 127.0.0.1", "example.test. 60 IN MX 10 localhost."}, mxNone, 0, "no MX"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := dnsCheckRun(t, "example.test", nil, c.records...)
			ms, err := r.mailServers(context.Background())
			if err != nil || ms.Status != c.status || len(ms.Hosts) != c.hosts {
				t.Fatalf("mailServers = %+v, %v; want %s with %d hosts", ms, err, c.status, c.hosts)
			}
			if c.hosts > 0 {
				return
			}
			checks := append(checkMailPolicies(context.Background(), r), checkCAA(context.Background(), r)...)
			for _, id := range []check.ID{check.MailMTASTS, check.MailTLSRPT} {
				got := checkNamed(t, checks, id)
				if got.Status != StatusNotApplicable || !strings.Contains(got.Summary, c.inSum) {
					t.Errorf("%s = %s (%s), want not_applicable saying %q", id, got.Status, got.Summary, c.inSum)
				}
			}
			// The DANE and CAA subtests of the mail servers arrive as
			// contributions: not tested, with the reason.
			for _, x := range checks {
				if x.Status != "" {
					continue
				}
				for key, st := range x.Details["findings"].(map[check.Subtest]Subtest) {
					if st.Status != StatusNotApplicable || !strings.Contains(st.Reason, c.inSum) {
						t.Errorf("%s = %s (%s), want not_applicable saying %q", key, st.Status, st.Reason, c.inSum)
					}
				}
			}
		})
	}
}

func TestMailTransportOfDomainsThatTakeNoMail(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		records   []string
		available Status
	}{
		{"a null MX on a domain with an address is not tested", []string{"example.test. 60 IN A 127.0.0.1", "example.test. 60 IN MX 0 ."}, StatusNotApplicable},
		{"a null MX that is not needed informs", []string{"example.test. 60 IN MX 0 ."}, StatusInfo},
		{"an advised null MX informs", []string{"example.test. 60 IN A 127.0.0.1", `example.test. 60 IN TXT "v=spf1 -all"`}, StatusInfo},
		{"no MX is not tested", []string{"example.test. 60 IN A 127.0.0.1"}, StatusNotApplicable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := dnsCheckRun(t, "example.test", nil, c.records...)
			checks := checkMailTransport(context.Background(), r)
			starttls, dane := checkNamed(t, checks, check.MailSTARTTLS), checkNamed(t, checks, check.MailDANE)
			if starttls.Status != StatusNotApplicable || dane.Status != StatusNotApplicable {
				t.Fatalf("mail.starttls %s, mail.dane %s, want both not_applicable", starttls.Status, dane.Status)
			}
			if _, s := starttls.Subtests(); s["mail_starttls_tls_available"].Status != c.available {
				t.Errorf("mail_starttls_tls_available = %+v, want %s", s["mail_starttls_tls_available"], c.available)
			}
			keys, s := dane.Subtests()
			if len(keys) != 3 {
				t.Errorf("DANE subtests %v, want exist, valid and rollover", keys)
			}
			for _, k := range keys {
				if s[k].Status != StatusNotApplicable {
					t.Errorf("%s = %s, want not_applicable", k, s[k].Status)
				}
			}
		})
	}
}
