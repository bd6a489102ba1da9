package probe

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
)

// dnssecInternet serves domains in every DNSSEC state the checks report.
func dnssecInternet(t *testing.T) (*probetest.SignedInternet, *probetest.DNSServer) {
	t.Helper()
	in := probetest.NewSignedInternet(t, probetest.SignedOptions{})
	for _, z := range []probetest.Zone{
		{Name: "secure.test.", Records: []string{
			"@ 300 IN A 127.0.0.1",
			"www 300 IN A 127.0.0.1",
			"@ 300 IN MX 10 mail.secure.test.",
			"@ 300 IN MX 20 mx.secure3.test.",
			"mail 300 IN A 127.0.0.1",
		}},
		{Name: "secure3.test.", NSEC3: true, Records: []string{"mx 300 IN AAAA ::1"}},
		{Name: "nullmx.test.", Records: []string{"@ 300 IN MX 0 ."}},
		{Name: "nomx.test.", Records: []string{"@ 300 IN A 127.0.0.1"}},
		{Name: "mx-unsigned.test.", Records: []string{"@ 300 IN MX 10 mail.unsigned.test."}},
		{Name: "mx-bogus.test.", Records: []string{"@ 300 IN MX 10 mail.secure.test.", "@ 300 IN MX 20 mail.expired.test."}},
		{Name: "unsigned.test.", Unsigned: true, Records: []string{"@ 300 IN MX 10 mail.unsigned.test.", "mail 300 IN A 127.0.0.1"}},
		{Name: "expired.test.", Break: probetest.BreakExpiredRRSIG, Records: []string{"mail 300 IN A 127.0.0.1"}},
		{Name: "dsmismatch.test.", Break: probetest.BreakDSMismatch},
		{Name: "nosig.test.", Break: probetest.BreakMissingRRSIG, BreakType: dns.TypeSOA},
		{Name: "unproven.test.", Unsigned: true, Break: probetest.BreakNoDenial},
		{Name: "ed448.test.", Algorithm: dns.ED448},
		{Name: "sm2.test.", Algorithm: 17},
	} {
		in.AddZone(z)
	}
	return in, in.Serve(t)
}

func TestCheckDNSSEC(t *testing.T) {
	t.Parallel()
	in, srv := dnssecInternet(t)
	e, err := New(Config{Resolver: srv.Addr, TrustAnchors: in.TrustAnchor(), AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		domain     string
		web, mail  Status
		webSummary string // substring of the web.dnssec summary
		mailSumm   string // substring of the mail.dnssec summary
	}{
		{"a signed domain with signed mail servers passes both", "secure.test", StatusPass, StatusPass, "validates", "all 2 mail server domains"},
		{"a host name below a signed apex is validated through its address", "www.secure.test", StatusPass, StatusPass, "validates", "no MX records"},
		{"an unsigned domain fails both as not signed", "unsigned.test", StatusFail, StatusFail, "not signed with DNSSEC: test, a signed zone, proves that unsigned.test has no DS record", "not signed"},
		{"a domain signed with Ed448 is validated and passes", "ed448.test", StatusPass, StatusPass, "validates", "validates"},
		{"a domain signed with an unsupported algorithm warns that it is signed but not validated, saying why", "sm2.test", StatusWarn, StatusWarn, "sm2.test is signed, but could not be validated: the DS records of sm2.test use only algorithms", "algorithm 17"},
		{"an expired signature fails with the expiry", "expired.test", StatusFail, StatusFail, "expired at", "expired at"},
		{"a DS mismatch fails naming the key tag", "dsmismatch.test", StatusFail, StatusFail, "DS mismatch for dsmismatch.test: no DNSKEY matches DS keytag", "DS mismatch"},
		{"a missing signature over the SOA fails", "nosig.test", StatusFail, StatusFail, "missing RRSIG over SOA nosig.test", "missing RRSIG"},
		{"an unsigned delegation without proof fails as bogus", "unproven.test", StatusFail, StatusFail, "no NSEC proof that unproven.test has no DS", "no NSEC proof"},
		{"a signed domain with a null MX passes with no mail servers to check", "nullmx.test", StatusPass, StatusPass, "validates", "null MX"},
		{"a signed domain without MX passes with no mail servers to check", "nomx.test", StatusPass, StatusPass, "validates", "no MX records"},
		{"a mail server in an unsigned zone fails mail only", "mx-unsigned.test", StatusPass, StatusFail, "validates", "mail.unsigned.test is not signed with DNSSEC"},
		{"a mail server with expired signatures fails mail only", "mx-bogus.test", StatusPass, StatusFail, "validates", "mail.expired.test fails DNSSEC validation (bogus): RRSIG over A mail.expired.test expired"},
		{"a domain that does not exist is an error", "missing.test", StatusError, StatusError, "does not exist", "does not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checks := checkDNSSEC(context.Background(), newRun(e, tc.domain))
			got := map[check.ID]Check{}
			for _, c := range checks {
				got[c.ID] = c
			}
			web, mail := got["web.dnssec"], got["mail.dnssec"]
			if web.Status != tc.web || !strings.Contains(web.Summary, tc.webSummary) {
				t.Errorf("web.dnssec = %s %q, want %s containing %q", web.Status, web.Summary, tc.web, tc.webSummary)
			}
			if mail.Status != tc.mail || !strings.Contains(mail.Summary, tc.mailSumm) {
				t.Errorf("mail.dnssec = %s %q, want %s containing %q", mail.Status, mail.Summary, tc.mail, tc.mailSumm)
			}
			names, ok := web.Details["names"].([]dnssecName)
			if !ok || len(names) == 0 || len(names[0].Records) == 0 {
				t.Errorf("web.dnssec details lack the records seen: %#v", web.Details)
			}
			if web.Status == StatusPass && len(names[0].Chain) == 0 {
				t.Errorf("web.dnssec pass without chain evidence")
			}
		})
	}
}

func TestCheckDNSSECNullMXDetails(t *testing.T) {
	t.Parallel()
	in, srv := dnssecInternet(t)
	e, err := New(Config{Resolver: srv.Addr, TrustAnchors: in.TrustAnchor(), AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a null MX marks the mail server part not applicable", func(t *testing.T) {
		checks := checkDNSSEC(context.Background(), newRun(e, "nullmx.test"))
		if got := checks[1].Details["mx"]; got != string(StatusNotApplicable) {
			t.Fatalf("details mx = %v", got)
		}
	})
}

func TestCheckDNSSECResolverDown(t *testing.T) {
	t.Parallel()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	e, err := New(Config{Resolver: addr, ConnTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("an unreachable resolver makes both checks errors, not failures", func(t *testing.T) {
		for _, c := range checkDNSSEC(context.Background(), newRun(e, "secure.test")) {
			if c.Status != StatusError {
				t.Errorf("%s = %s %q, want error", c.ID, c.Status, c.Summary)
			}
		}
	})
}

func TestProbeReportsDNSSEC(t *testing.T) {
	t.Parallel()
	in, srv := dnssecInternet(t)
	// Web and mail ports point at a closed port so the other checks end fast.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	e, err := New(Config{
		Resolver: srv.Addr, TrustAnchors: in.TrustAnchor(), AllowPrivate: true,
		HTTPPort: closed, HTTPSPort: closed, SMTPPort: closed,
		Timeout: 30 * time.Second, ConnTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		domain    string
		web, mail Status
	}{
		{"a fully signed domain passes web.dnssec and mail.dnssec", "secure.test", StatusPass, StatusPass},
		{"an unsigned domain fails web.dnssec and mail.dnssec", "unsigned.test", StatusFail, StatusFail},
		{"a signed domain with an unsigned mail server fails mail.dnssec only", "mx-unsigned.test", StatusPass, StatusFail},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := e.Probe(context.Background(), tc.domain)
			if err != nil {
				t.Fatal(err)
			}
			got := map[check.ID]Status{}
			for _, c := range res.Checks {
				got[c.ID] = c.Status
			}
			if got["web.dnssec"] != tc.web || got["mail.dnssec"] != tc.mail {
				t.Fatalf("web.dnssec %s, mail.dnssec %s; want %s, %s", got["web.dnssec"], got["mail.dnssec"], tc.web, tc.mail)
			}
		})
	}
}
