package probe

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
)

// subtestOf returns key's outcome in c's findings, failing the test when
// it was not recorded.
func subtestOf(t testing.TB, c Check, key check.Subtest) Subtest {
	t.Helper()
	findings, _ := c.Details["findings"].(map[check.Subtest]Subtest)
	st, ok := findings[key]
	if !ok {
		t.Fatalf("%s: subtest %s not recorded; findings %v", c.ID, key, findings)
	}
	return st
}

// expectSubtests asserts the status of each key in c's findings.
func expectSubtests(t testing.TB, c Check, want map[check.Subtest]Status) {
	t.Helper()
	for key, st := range want {
		if got := subtestOf(t, c, key); got.Status != st {
			t.Errorf("%s = %s (%s), want %s", key, got.Status, got.Reason, st)
		}
	}
}

// signedRunVia is signedRun with the resolver's answers passed through
// wrap, for name servers that misbehave.
func signedRunVia(t testing.TB, domain string, mod func(*Config), wrap func(dns.Handler) dns.Handler, zones ...probetest.Zone) *run {
	t.Helper()
	in := probetest.NewSignedInternet(t, probetest.SignedOptions{})
	for _, z := range zones {
		in.AddZone(z)
	}
	var h dns.Handler = in.Serve(t)
	if wrap != nil {
		h = wrap(h)
	}
	cfg := Config{Resolver: probetest.ServeHandler(t, h), AllowPrivate: true, ConnTimeout: 5 * time.Second, TrustAnchors: in.TrustAnchor()}
	if mod != nil {
		mod(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return newRun(e, domain)
}

func TestMailDANEUsagesAndMixedTLSASets(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{}, "mx1.example.test")
	next := ca.Issue(t, probetest.LeafOptions{}, "mx1.example.test")
	ee := func(c tls.Certificate) string { return "3 1 1 " + probetest.SPKISHA256(t, c) }
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	taSPKI := "2 1 1 " + sum(ca.Cert.RawSubjectPublicKeyInfo)
	modern := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert},
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}}
	const exist, valid, rollover = "mail_starttls_dane_exist", "mail_starttls_dane_valid", "mail_starttls_dane_rollover"
	absent := map[check.Subtest]Status{exist: StatusFail, valid: StatusNotApplicable, rollover: StatusNotApplicable}
	tests := []struct {
		name string
		tlsa []string
		zone probetest.Zone
		// broken is how the resolver misbehaves at the TLSA name: "nx" for a
		// bogus NXDOMAIN for A, "servfail" for SERVFAIL for TLSA.
		broken     string
		want       map[check.Subtest]Status
		daneStatus Status
	}{
		{"a DANE-EE record for the served key passes, without a rollover scheme (information)",
			[]string{ee(cert)}, probetest.Zone{}, "", map[check.Subtest]Status{exist: StatusPass, valid: StatusPass, rollover: StatusInfo}, StatusPass},
		{"DANE-EE records for the current and the next key are a rollover scheme",
			[]string{ee(cert), ee(next)}, probetest.Zone{}, "", map[check.Subtest]Status{exist: StatusPass, valid: StatusPass, rollover: StatusPass}, StatusPass},
		{"a 3 1 1 plus a 2 1 1 record is a rollover scheme",
			[]string{ee(cert), taSPKI}, probetest.Zone{}, "", map[check.Subtest]Status{exist: StatusPass, valid: StatusPass, rollover: StatusPass}, StatusPass},
		{"a DANE-TA record alone validates the chain up to the CA",
			[]string{taSPKI}, probetest.Zone{}, "", map[check.Subtest]Status{exist: StatusPass, valid: StatusPass, rollover: StatusInfo}, StatusPass},
		{"one matching record beside one for another key validates",
			[]string{ee(next), ee(cert)}, probetest.Zone{}, "", map[check.Subtest]Status{exist: StatusPass, valid: StatusPass, rollover: StatusPass}, StatusPass},
		{"a record for another key only fails validity",
			[]string{ee(next)}, probetest.Zone{}, "", map[check.Subtest]Status{exist: StatusPass, valid: StatusFail, rollover: StatusInfo}, StatusFail},
		{"a SHA-256 digest labelled as SHA-512 (wrong matching type) fails validity",
			[]string{"3 1 2 " + probetest.SPKISHA256(t, cert)}, probetest.Zone{}, "", map[check.Subtest]Status{exist: StatusPass, valid: StatusFail, rollover: StatusInfo}, StatusFail},
		{"a PKIX-EE record (usage 1) alone does not count for mail",
			[]string{"1 1 1 " + probetest.SPKISHA256(t, cert)}, probetest.Zone{}, "", absent, StatusFail},
		{"a PKIX-TA record (usage 0) alone does not count for mail",
			[]string{"0 0 1 " + sum(ca.Cert.Raw)}, probetest.Zone{}, "", absent, StatusFail},
		{"no TLSA record fails existence",
			nil, probetest.Zone{}, "", absent, StatusFail},
		{"a matching TLSA record in an unsigned zone does not count",
			[]string{ee(cert)}, probetest.Zone{Unsigned: true}, "", absent, StatusFail},
		{"a TLSA RRset whose signature expired is bogus and does not count",
			[]string{ee(cert)}, probetest.Zone{Break: probetest.BreakExpiredRRSIG, BreakType: dns.TypeTLSA}, "", absent, StatusFail},
		{"a TLSA RRset stripped of its signatures does not count",
			[]string{ee(cert)}, probetest.Zone{Break: probetest.BreakMissingRRSIG, BreakType: dns.TypeTLSA}, "", absent, StatusFail},
		{"a TLSA record in a zone whose DS matches no key does not count",
			[]string{ee(cert)}, probetest.Zone{Break: probetest.BreakDSMismatch}, "", absent, StatusFail},
		{"a bogus NXDOMAIN for A at the TLSA name makes the TLSA records not count",
			[]string{ee(cert)}, probetest.Zone{}, "nx", absent, StatusFail},
		{"a TLSA question the resolver cannot answer leaves DANE unmeasured, never present",
			[]string{ee(cert)}, probetest.Zone{}, "servfail", map[check.Subtest]Status{exist: StatusError, valid: StatusError, rollover: StatusNotApplicable}, StatusError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			port, lns := listenShared(t, "127.0.0.51")
			probetest.ServeSMTP(t, lns["127.0.0.51"], probetest.SMTPOptions{Hostname: "mx1.example.test", TLS: modern})
			z := tc.zone
			z.Name = "example.test."
			z.Records = []string{"@ 300 IN MX 10 mx1.example.test.", "mx1 300 IN A 127.0.0.51"}
			for _, d := range tc.tlsa {
				z.Records = append(z.Records, fmt.Sprintf("_%d._tcp.mx1 300 IN TLSA %s", port, d))
			}
			var wrap func(dns.Handler) dns.Handler
			tlsaName := fmt.Sprintf("_%d._tcp.mx1.example.test.", port)
			switch tc.broken {
			case "nx":
				wrap = func(h dns.Handler) dns.Handler { return probetest.BrokenDenial(h, tlsaName, dns.TypeA) }
			case "servfail":
				wrap = func(h dns.Handler) dns.Handler {
					return probetest.FailFor(h, tlsaName, dns.TypeTLSA, dns.RcodeServerFailure)
				}
			}
			r := signedRunVia(t, "example.test", func(c *Config) { c.SMTPPort, c.RootCAs = port, ca.Pool }, wrap, z)
			d := checkNamed(t, checkMailTransport(context.Background(), r), check.MailDANE)
			if d.Status != tc.daneStatus {
				t.Errorf("mail.dane = %s (%s), want %s", d.Status, d.Summary, tc.daneStatus)
			}
			expectSubtests(t, d, tc.want)
			if tc.broken == "nx" && !strings.Contains(d.Summary, "NXDOMAIN") {
				t.Errorf("summary %q does not name the bogus NXDOMAIN", d.Summary)
			}
		})
	}
}

func TestMailDANEWarnsWhenTheMXRecordsAreNotSecure(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{}, "mx1.mail.test")
	port, lns := listenShared(t, "127.0.0.52")
	probetest.ServeSMTP(t, lns["127.0.0.52"], probetest.SMTPOptions{Hostname: "mx1.mail.test", TLS: &tls.Config{Certificates: []tls.Certificate{cert}}})
	tlsa := fmt.Sprintf("_%d._tcp.mx1 300 IN TLSA 3 1 1 %s", port, probetest.SPKISHA256(t, cert))
	for _, tc := range []struct {
		name     string
		unsigned bool
		want     Status
	}{
		{"secure MX records and matching TLSA pass", false, StatusPass},
		{"matching TLSA behind unsigned MX records warn: senders will not use them", true, StatusWarn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			domain := probetest.Zone{Name: "example.test.", Unsigned: tc.unsigned, Records: []string{"@ 300 IN MX 10 mx1.mail.test."}}
			mail := probetest.Zone{Name: "mail.test.", Records: []string{"mx1 300 IN A 127.0.0.52", tlsa}}
			r := signedRunVia(t, "example.test", func(c *Config) { c.SMTPPort, c.RootCAs = port, ca.Pool }, nil, domain, mail)
			d := checkNamed(t, checkMailTransport(context.Background(), r), check.MailDANE)
			if d.Status != tc.want {
				t.Fatalf("mail.dane = %s (%s), want %s", d.Status, d.Summary, tc.want)
			}
			if tc.unsigned && d.Finding != "mail_dane_mx_insecure" {
				t.Errorf("finding %s", d.Finding)
			}
			expectSubtests(t, d, map[check.Subtest]Status{"mail_starttls_dane_exist": StatusPass, "mail_starttls_dane_valid": StatusPass})
		})
	}
}

func TestMailDANEWarnsWhenAMailServersAddressIsNotSecure(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{}, "mx1.mail.test")
	port, lns := listenShared(t, "127.0.0.53")
	probetest.ServeSMTP(t, lns["127.0.0.53"], probetest.SMTPOptions{Hostname: "mx1.mail.test", TLS: &tls.Config{Certificates: []tls.Certificate{cert}}})
	// The A record is left unsigned while the TLSA record is signed.
	domain := probetest.Zone{Name: "example.test.", Records: []string{"@ 300 IN MX 10 mx1.mail.test."}}
	mail := probetest.Zone{Name: "mail.test.", Records: []string{"mx1 300 IN A 127.0.0.53",
		fmt.Sprintf("_%d._tcp.mx1 300 IN TLSA 3 1 1 %s", port, probetest.SPKISHA256(t, cert))},
		Break: probetest.BreakMissingRRSIG, BreakType: dns.TypeA}
	r := signedRunVia(t, "example.test", func(c *Config) { c.SMTPPort, c.RootCAs = port, ca.Pool }, nil, domain, mail)
	d := checkNamed(t, checkMailTransport(context.Background(), r), check.MailDANE)
	if d.Status != StatusWarn || d.Finding != "mail_dane_mx_insecure" || d.FindingParams["name"] != "mx1.mail.test" {
		t.Fatalf("mail.dane = %s %s %v (%s), want a warning naming mx1.mail.test", d.Status, d.Finding, d.FindingParams, d.Summary)
	}
}
