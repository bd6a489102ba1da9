package probe

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
)

// cornerZones are real signed zones for the DNSSEC corner cases of issue
// 14: unusual but valid signing, and subtly invalid signing, each served by
// the test internet's DNS server.
func cornerZones() []probetest.Zone {
	web := []string{"@ 300 IN A 127.0.0.1", "www 300 IN A 127.0.0.1"}
	hex := strings.Repeat("AB", 32)
	return []probetest.Zone{
		// Algorithms 8, 10, 13, 14, 15 and 16, and the SHA-1 ones 5 and 7.
		{Name: "alg8.test.", Algorithm: dns.RSASHA256, Records: web},
		{Name: "alg10.test.", Algorithm: dns.RSASHA512, Records: web},
		{Name: "alg13.test.", Algorithm: dns.ECDSAP256SHA256, Records: web},
		{Name: "alg14.test.", Algorithm: dns.ECDSAP384SHA384, Records: web},
		{Name: "alg15.test.", Algorithm: dns.ED25519, Records: web},
		{Name: "alg16.test.", Algorithm: dns.ED448, NSEC3: true, Records: web},
		{Name: "alg5.test.", Algorithm: dns.RSASHA1, Records: web},
		{Name: "alg7.test.", Algorithm: dns.RSASHA1NSEC3SHA1, NSEC3: true, Records: web},
		{Name: "alg17.test.", Algorithm: 17, Records: web},
		// Digest types 1, 2 and 4, alone and together.
		{Name: "ds-sha384.test.", DigestTypes: []uint8{dns.SHA384}, Records: web},
		{Name: "ds-sha1.test.", DigestTypes: []uint8{dns.SHA1}, Records: web},
		{Name: "ds-sha1-sha256.test.", DigestTypes: []uint8{dns.SHA1, dns.SHA256}, Records: web},
		{Name: "ds-unknown-digest.test.", DSFor: []int{}, ExtraDS: []string{"12345 13 99 " + hex}, Records: web},
		{Name: "ds-sha1-good-sha256-bad.test.", DigestTypes: []uint8{dns.SHA1}, ExtraDS: []string{"12345 13 2 " + hex}, Records: web},
		// Extra DS records next to the one that matches.
		{Name: "ds-stale.test.", ExtraDS: []string{"12345 13 2 " + hex}, Records: web},
		{Name: "ds-unknown-alg.test.", ExtraDS: []string{"12345 17 2 " + hex}, Records: web},
		// Key rollovers.
		{Name: "two-ksk.test.", KSKs: 2, Records: web},
		{Name: "ksk-new-ds.test.", KSKs: 2, DSFor: []int{1}, Records: web},
		{Name: "ksk-standby.test.", KSKs: 2, SigningKSKs: []int{0}, DSFor: []int{0}, Records: web},
		{Name: "zsk-double.test.", ZSKs: 2, Records: web},
		{Name: "zsk-prepublished.test.", ZSKs: 2, SigningZSKs: []int{0}, Records: web},
		{Name: "ksk-not-in-ds.test.", KSKs: 2, DSFor: []int{0}, SigningKSKs: []int{1}, Records: web},
		// Wildcards: www exists only through "*".
		{Name: "wild.test.", Records: []string{"@ 300 IN A 127.0.0.1", "* 300 IN A 127.0.0.1"}},
		{Name: "wild3.test.", NSEC3: true, Records: []string{"@ 300 IN A 127.0.0.1", "* 300 IN A 127.0.0.1"}},
		{Name: "wild-unproven.test.", Break: probetest.BreakNoDenial, Records: []string{
			"@ 300 IN A 127.0.0.1", "@ 300 IN AAAA ::1", "@ 300 IN MX 10 mx.target.test.", "* 300 IN A 127.0.0.1", "* 300 IN AAAA ::1",
		}},
		// CNAME chains across zones, and the zones they point into.
		{Name: "target.test.", Records: []string{"www 300 IN A 127.0.0.1", "mx 300 IN A 127.0.0.1"}},
		{Name: "broken.test.", Break: probetest.BreakExpiredRRSIG, Records: []string{"www 300 IN A 127.0.0.1", "mx 300 IN A 127.0.0.1"}},
		{Name: "plain.test.", Unsigned: true, Records: []string{"www 300 IN A 127.0.0.1"}},
		{Name: "cname.test.", Records: []string{"@ 300 IN A 127.0.0.1", "www 300 IN CNAME hop.target.test.", "@ 300 IN MX 10 mail.cname.test.", "mail 300 IN CNAME mx.target.test."}},
		{Name: "cname-bogus.test.", Records: []string{"@ 300 IN A 127.0.0.1", "www 300 IN CNAME www.broken.test."}},
		{Name: "cname-unsigned.test.", Records: []string{"@ 300 IN A 127.0.0.1", "www 300 IN CNAME www.plain.test."}},
		// Subtly invalid signing.
		{Name: "future.test.", Break: probetest.BreakFutureRRSIG, Records: web},
		{Name: "expired.test.", Break: probetest.BreakExpiredRRSIG, Records: web},
		{Name: "partial.test.", Break: probetest.BreakMissingRRSIG, BreakType: dns.TypeA, BreakName: "www", Records: web},
		{Name: "ds-but-unsigned.test.", Unsigned: true, Break: probetest.BreakDSForUnsigned, Records: web},
		{Name: "www-unsigned.test.", Records: []string{"@ 300 IN A 127.0.0.1"}},
		{Name: "www.www-unsigned.test.", Unsigned: true, Records: []string{"@ 300 IN A 127.0.0.1"}},
		// Mail domains.
		{Name: "mail-ok.test.", Records: []string{"@ 300 IN MX 10 mx.alg16.test.", "@ 300 IN MX 20 mx.target.test."}},
		{Name: "mail-bogus.test.", Records: []string{"@ 300 IN MX 10 mx.target.test.", "@ 300 IN MX 20 mx.broken.test."}},
		{Name: "mail-unsigned.test.", Records: []string{"@ 300 IN MX 10 www.plain.test."}},
		{Name: "mail-unsupported.test.", Records: []string{"@ 300 IN MX 10 mx.alg17.test."}},
		{Name: "mail-sha1.test.", Records: []string{"@ 300 IN MX 10 mx.alg5.test."}},
		{Name: "mail-mx-unsigned-rrset.test.", Break: probetest.BreakMissingRRSIG, BreakType: dns.TypeMX, Records: []string{"@ 300 IN MX 10 mx.target.test."}},
		{Name: "null-mx.test.", Records: []string{"@ 300 IN MX 0 .", "@ 300 IN A 127.0.0.1"}},
		{Name: "null-mx-no-address.test.", Records: []string{"@ 300 IN MX 0 ."}},
		{Name: "null-mx-and-mx.test.", Records: []string{"@ 300 IN MX 0 .", "@ 300 IN MX 10 mx.target.test."}},
		{Name: "no-mx-no-mail.test.", Records: []string{"@ 300 IN A 127.0.0.1", "@ 300 IN TXT \"v=spf1 -all\""}},
		{Name: "no-mx.test.", Records: []string{"@ 300 IN A 127.0.0.1"}},
		{Name: "eleven-mx.test.", Records: elevenMX()},
	}
}

// elevenMX are eleven MX records, ten into a signed zone and the last,
// least preferred, into one with expired signatures: only the first ten
// (MaxMX) are checked, as internet.nl does.
func elevenMX() []string {
	var out []string
	for i := 1; i <= 10; i++ {
		out = append(out, fmt.Sprintf("@ 300 IN MX %d m%d.target.test.", i*10, i))
	}
	return append(out, "@ 300 IN MX 110 mx.broken.test.")
}

// cornerExtraRecords are the mail server names the mail domains point at, added
// to the zones above.
var cornerExtraRecords = []string{
	"mx.alg16.test. 300 IN A 127.0.0.1",
	"mx.alg17.test. 300 IN A 127.0.0.1",
	"mx.alg5.test. 300 IN A 127.0.0.1",
	"hop.target.test. 300 IN CNAME www.target.test.",
	"*.target.test. 300 IN A 127.0.0.1",
}

func TestDNSSECCornerCasesThroughTheWholeProbe(t *testing.T) {
	t.Parallel()
	in := probetest.NewSignedInternet(t, probetest.SignedOptions{})
	for _, z := range cornerZones() {
		in.AddZone(z)
	}
	in.Add(t, cornerExtraRecords...)
	srv := in.Serve(t)
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
	type sub = map[check.Subtest]Status
	const (
		pass = StatusPass
		fail = StatusFail
		warn = StatusWarn
		info = StatusInfo
		na   = StatusNotApplicable
	)
	secureWeb := sub{"web_dnssec_exist": pass, "web_dnssec_valid": pass}
	cases := []struct {
		name      string
		domain    string
		web, mail Status
		webSays   string // in web.dnssec's summary
		mailSays  string // in mail.dnssec's summary
		findings  sub
	}{
		{"a zone signed with RSASHA256 (8) passes", "alg8.test", pass, pass, "alg8.test, www.alg8.test", "", secureWeb},
		{"a zone signed with RSASHA512 (10) passes", "alg10.test", pass, pass, "", "", secureWeb},
		{"a zone signed with ECDSA P-256 (13) passes", "alg13.test", pass, pass, "", "", secureWeb},
		{"a zone signed with ECDSA P-384 (14) passes", "alg14.test", pass, pass, "", "", secureWeb},
		{"a zone signed with Ed25519 (15) passes", "alg15.test", pass, pass, "", "", secureWeb},
		{"a zone signed with Ed448 (16) and NSEC3 passes", "alg16.test", pass, pass, "", "", secureWeb},
		{"a zone signed with RSASHA1 (5) is valid but warns", "alg5.test", warn, warn, "alg5.test validates, but alg5.test is signed only with RSASHA1",
			"RSASHA1", sub{"web_dnssec_exist": pass, "web_dnssec_valid": warn, "mail_dnssec_mailto_valid": warn}},
		{"a zone signed with RSASHA1-NSEC3-SHA1 (7) is valid but warns", "alg7.test", warn, warn, "signed only with RSASHA1-NSEC3-SHA1", "",
			sub{"web_dnssec_exist": pass, "web_dnssec_valid": warn}},
		{"a zone signed with an unassigned algorithm is signed but not validated, a warning", "alg17.test", warn, warn,
			"alg17.test is signed, but could not be validated", "", sub{"web_dnssec_exist": pass, "web_dnssec_valid": warn, "mail_dnssec_mailto_exist": pass}},
		{"a DS with a SHA-384 digest (4) passes", "ds-sha384.test", pass, pass, "", "", secureWeb},
		{"a DS with only a SHA-1 digest (1) is valid but warns", "ds-sha1.test", warn, warn, "the DS records of ds-sha1.test that lead to its keys use only SHA-1 digests", "",
			sub{"web_dnssec_exist": pass, "web_dnssec_valid": warn}},
		{"SHA-1 and SHA-256 digests together pass: SHA-1 is ignored", "ds-sha1-sha256.test", pass, pass, "", "", secureWeb},
		{"a DS of an unknown digest type only is signed but not validated", "ds-unknown-digest.test", warn, warn, "digest type 99", "",
			sub{"web_dnssec_exist": pass, "web_dnssec_valid": warn}},
		{"a SHA-256 DS that matches no key fails, though a SHA-1 DS matches: SHA-1 is ignored next to SHA-256", "ds-sha1-good-sha256-bad.test", fail, fail,
			"DS mismatch for ds-sha1-good-sha256-bad.test", "", sub{"web_dnssec_exist": pass, "web_dnssec_valid": fail}},
		{"a stale DS next to the matching one passes", "ds-stale.test", pass, pass, "", "", secureWeb},
		{"a DS of an unknown algorithm next to a good one passes", "ds-unknown-alg.test", pass, pass, "", "", secureWeb},
		{"two KSKs, both in the DS, pass", "two-ksk.test", pass, pass, "", "", secureWeb},
		{"two KSKs with the DS moved to the new one pass", "ksk-new-ds.test", pass, pass, "", "", secureWeb},
		{"a standby KSK that signs nothing passes", "ksk-standby.test", pass, pass, "", "", secureWeb},
		{"a double-signature ZSK rollover passes", "zsk-double.test", pass, pass, "", "", secureWeb},
		{"a pre-published ZSK passes", "zsk-prepublished.test", pass, pass, "", "", secureWeb},
		{"a DNSKEY RRset signed only by a key the DS does not point at fails", "ksk-not-in-ds.test", fail, fail, "ksk-not-in-ds.test fails DNSSEC validation (bogus): RRSIG over DNSKEY ksk-not-in-ds.test names key", "",
			sub{"web_dnssec_exist": pass, "web_dnssec_valid": fail, "mail_dnssec_mailto_valid": fail}},
		{"a www from a wildcard with an NSEC proof passes", "wild.test", pass, pass, "wild.test, www.wild.test", "", secureWeb},
		{"a www from a wildcard with an NSEC3 proof passes", "wild3.test", pass, pass, "www.wild3.test", "", secureWeb},
		{"a www from a wildcard without proof that it does not exist fails", "wild-unproven.test", fail, pass, "www.wild-unproven.test fails DNSSEC validation (bogus): wildcard answer for www.wild-unproven.test without an NSEC", "",
			sub{"web_dnssec_exist": pass, "web_dnssec_valid": fail, "mail_dnssec_mailto_valid": pass}},
		{"a www CNAME chain across signed zones passes", "cname.test", pass, pass, "www.cname.test", "all 1 mail server", secureWeb},
		{"a www CNAME into a zone with expired signatures fails, naming the link", "cname-bogus.test", fail, pass,
			"www.cname-bogus.test fails DNSSEC validation (bogus): RRSIG over A www.broken.test expired", "", sub{"web_dnssec_exist": pass, "web_dnssec_valid": fail}},
		{"a www CNAME into an unsigned zone fails as not signed, naming the zone", "cname-unsigned.test", fail, pass,
			"www.cname-unsigned.test is not signed with DNSSEC: test, a signed zone, proves that plain.test has no DS record", "", sub{"web_dnssec_exist": fail, "web_dnssec_valid": pass}},
		{"signatures not yet valid fail", "future.test", fail, fail, "not valid before", "", sub{"web_dnssec_exist": pass, "web_dnssec_valid": fail}},
		{"expired signatures fail", "expired.test", fail, fail, "expired at", "", sub{"web_dnssec_exist": pass, "web_dnssec_valid": fail}},
		{"a www whose A record has no signature in a signed zone fails", "partial.test", fail, pass, "www.partial.test fails DNSSEC validation (bogus): missing RRSIG over A www.partial.test", "",
			sub{"web_dnssec_exist": pass, "web_dnssec_valid": fail, "mail_dnssec_mailto_valid": pass}},
		{"a DS for a zone served unsigned fails", "ds-but-unsigned.test", fail, fail, "DS for ds-but-unsigned.test exists but the zone has no DNSKEY", "",
			sub{"web_dnssec_exist": pass, "web_dnssec_valid": fail}},
		{"a www in an unsigned zone below a signed apex fails", "www-unsigned.test", fail, pass, "www.www-unsigned.test is not signed with DNSSEC", "",
			sub{"web_dnssec_exist": fail, "web_dnssec_valid": pass}},
		{"mail servers in signed zones, one Ed448, pass", "mail-ok.test", pass, pass, "", "all 2 mail server",
			sub{"mail_dnssec_mailto_exist": pass, "mail_dnssec_mailto_valid": pass, "mail_dnssec_mx_exist": pass, "mail_dnssec_mx_valid": pass}},
		{"a mail server with expired signatures fails mx_valid", "mail-bogus.test", pass, fail, "", "mx.broken.test fails DNSSEC validation (bogus)",
			sub{"mail_dnssec_mx_exist": pass, "mail_dnssec_mx_valid": fail}},
		{"a mail server in an unsigned zone fails mx_exist", "mail-unsigned.test", pass, fail, "", "www.plain.test is not signed with DNSSEC",
			sub{"mail_dnssec_mx_exist": fail, "mail_dnssec_mx_valid": na}},
		{"a mail server signed with an unknown algorithm warns", "mail-unsupported.test", pass, warn, "", "mx.alg17.test is signed, but could not be validated",
			sub{"mail_dnssec_mx_exist": pass, "mail_dnssec_mx_valid": warn}},
		{"a mail server signed with RSASHA1 warns", "mail-sha1.test", pass, warn, "", "RSASHA1", sub{"mail_dnssec_mx_exist": pass, "mail_dnssec_mx_valid": warn}},
		{"an MX RRset without signature fails the mail domain", "mail-mx-unsigned-rrset.test", pass, fail, "", "missing RRSIG over MX mail-mx-unsigned-rrset.test",
			sub{"mail_dnssec_mailto_exist": pass, "mail_dnssec_mailto_valid": fail, "mail_dnssec_mx_valid": pass}},
		{"a null MX on a domain with an address leaves nothing to check", "null-mx.test", pass, pass, "", "null MX",
			sub{"mail_dnssec_mx_exist": na, "mail_dnssec_mx_valid": na}},
		{"a null MX on a domain without addresses is unnecessary, for information", "null-mx-no-address.test", pass, pass, "", "",
			sub{"mail_dnssec_mx_exist": info, "mail_dnssec_mx_valid": na}},
		{"a null MX next to another MX warns", "null-mx-and-mx.test", pass, warn, "", "contradict", sub{"mail_dnssec_mx_exist": warn, "mail_dnssec_mx_valid": na}},
		{"no MX on a domain that sends no mail recommends a null MX, for information", "no-mx-no-mail.test", pass, pass, "", "",
			sub{"mail_dnssec_mx_exist": info, "mail_dnssec_mx_valid": na}},
		{"only the ten most preferred of eleven mail servers are checked", "eleven-mx.test", pass, pass, "", "all 10 mail server",
			sub{"mail_dnssec_mx_exist": pass, "mail_dnssec_mx_valid": pass}},
		{"no MX leaves nothing to check", "no-mx.test", pass, pass, "", "no MX records", sub{"mail_dnssec_mx_exist": na, "mail_dnssec_mx_valid": na}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := e.Probe(context.Background(), tc.domain)
			if err != nil {
				t.Fatal(err)
			}
			web, mail := checkNamed(t, res.Checks, check.WebDNSSEC), checkNamed(t, res.Checks, check.MailDNSSEC)
			if web.Status != tc.web || !strings.Contains(web.Summary, tc.webSays) {
				t.Errorf("web.dnssec = %s %q, want %s containing %q", web.Status, web.Summary, tc.web, tc.webSays)
			}
			if mail.Status != tc.mail || !strings.Contains(mail.Summary, tc.mailSays) {
				t.Errorf("mail.dnssec = %s %q, want %s containing %q", mail.Status, mail.Summary, tc.mail, tc.mailSays)
			}
			got := map[check.Subtest]Subtest{}
			for _, c := range []Check{web, mail} {
				f, _ := c.Details["findings"].(map[check.Subtest]Subtest)
				for k, v := range f {
					got[k] = v
				}
			}
			for _, key := range []check.Subtest{"web_dnssec_exist", "web_dnssec_valid", "mail_dnssec_mailto_exist", "mail_dnssec_mailto_valid", "mail_dnssec_mx_exist", "mail_dnssec_mx_valid"} {
				f, ok := got[key]
				if !ok || f.Reason == "" || f.Finding == "" {
					t.Errorf("subtest %s not recorded with a reason: %+v", key, f)
					continue
				}
				if want, ok := tc.findings[key]; ok && f.Status != want {
					t.Errorf("subtest %s = %s (%s), want %s", key, f.Status, f.Reason, want)
				}
			}
		})
	}
}
