package probe

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/rpki"
)

// roaVRPs is a VRP set with a ROA of maxLength 24 for 192.0.2.0/24
// (AS64500) and one of maxLength 24 for 198.51.100.0/22 (AS64501).
func roaVRPs(t testing.TB) *rpki.Set {
	t.Helper()
	file := filepath.Join(t.TempDir(), "vrps.json")
	doc := `{"roas":[
		{"asn":"AS64500","prefix":"192.0.2.0/24","maxLength":24,"ta":"test"},
		{"asn":"AS64501","prefix":"198.51.100.0/22","maxLength":24,"ta":"test"}
	]}`
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := rpki.LoadVRPs(context.Background(), file, nil)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// cymru is the Team Cymru origin record of an IPv4 address.
func cymru(reversed, origin string) string {
	return reversed + `.origin.asn.cymru.com. 60 IN TXT "` + origin + ` | ZZ | test | 2026-01-01"`
}

func TestRouteOriginValidationAndROAMaxLength(t *testing.T) {
	t.Parallel()
	withVRPs := func(c *Config) { c.VRPs = roaVRPs(t) }
	cases := []struct {
		name          string
		addr, origin  string // origin is "ASN | route"; "" for no route
		exists, valid Status
		check         Status
	}{
		{"a route as long as the ROA's maxLength from the right AS is valid", "192.0.2.10", "64500 | 192.0.2.0/24", StatusPass, StatusPass, StatusPass},
		{"a route within a shorter ROA's maxLength is valid", "198.51.100.10", "64501 | 198.51.100.0/24", StatusPass, StatusPass, StatusPass},
		{"a route more specific than the ROA's maxLength is invalid", "192.0.2.10", "64500 | 192.0.2.0/25", StatusPass, StatusFail, StatusFail},
		{"a route from another origin AS is invalid", "192.0.2.10", "64666 | 192.0.2.0/24", StatusPass, StatusFail, StatusFail},
		{"a route no ROA covers is not found: the ROA is missing and the route not valid", "203.0.113.10", "64500 | 203.0.113.0/24", StatusWarn, StatusFail, StatusFail},
		{"an address without a route but under a ROA is not routed", "192.0.2.10", "", StatusPass, StatusNotApplicable, StatusWarn},
		{"an address without a route or a ROA misses the ROA", "203.0.113.10", "", StatusWarn, StatusNotApplicable, StatusWarn},
	}
	rev := map[string]string{"192.0.2.10": "10.2.0.192", "198.51.100.10": "10.100.51.198", "203.0.113.10": "10.113.0.203"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			records := []string{"example.test. 60 IN A " + c.addr}
			if c.origin != "" {
				records = append(records, cymru(rev[c.addr], c.origin))
			}
			r, _ := dnsCheckRun(t, "example.test", withVRPs, records...)
			web := checkNamed(t, checkRPKI(context.Background(), r), check.WebRPKI)
			expectSubtests(t, web, map[check.Subtest]Status{"web_rpki_exists": c.exists, "web_rpki_valid": c.valid})
			if web.Status != c.check {
				t.Errorf("web.rpki = %s (%s), want %s", web.Status, web.Summary, c.check)
			}
		})
	}
}

func TestRPKIOfTheMailServersNameServers(t *testing.T) {
	t.Parallel()
	withVRPs := func(c *Config) { c.VRPs = roaVRPs(t) }
	base := []string{
		"example.test. 60 IN MX 10 mx.mailhost.test.", "mx.mailhost.test. 60 IN A 192.0.2.25",
		"example.test. 60 IN NS ns1.example.test.", "ns1.example.test. 60 IN A 192.0.2.53",
		"mailhost.test. 60 IN NS ns.mailhost.test.", "ns.mailhost.test. 60 IN A 198.51.100.53",
		cymru("25.2.0.192", "64500 | 192.0.2.0/24"), cymru("53.2.0.192", "64500 | 192.0.2.0/24"),
	}
	cases := []struct {
		name        string
		nsOrigin    string
		mxNS, check Status
	}{
		{"valid routes to the name servers of the mail server's zone pass", "64501 | 198.51.100.0/24", StatusPass, StatusPass},
		{"an invalid route to the name server of the mail server's zone fails mail.rpki", "64666 | 198.51.100.0/24", StatusFail, StatusFail},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := dnsCheckRun(t, "example.test", withVRPs, append(base, cymru("53.100.51.198", c.nsOrigin))...)
			checks := checkRPKI(context.Background(), r)
			mail := checkNamed(t, checks, check.MailRPKI)
			expectSubtests(t, mail, map[check.Subtest]Status{
				"mail_rpki_exists": StatusPass, "mail_rpki_valid": StatusPass,
				"mail_mx_ns_rpki_exists": StatusPass, "mail_mx_ns_rpki_valid": c.mxNS,
			})
			if mail.Status != c.check {
				t.Errorf("mail.rpki = %s (%s), want %s", mail.Status, mail.Summary, c.check)
			}
			// The domain's own name servers are judged apart, under both names.
			ns := checkNamed(t, checks, check.NSRPKI)
			expectSubtests(t, ns, map[check.Subtest]Status{"web_ns_rpki_valid": StatusPass, "mail_ns_rpki_valid": StatusPass})
		})
	}
	t.Run("a null MX leaves the mail servers' RPKI not tested", func(t *testing.T) {
		r, _ := dnsCheckRun(t, "example.test", withVRPs, "example.test. 60 IN MX 0 .", "example.test. 60 IN A 192.0.2.10")
		mail := checkNamed(t, checkRPKI(context.Background(), r), check.MailRPKI)
		if mail.Status != StatusNotApplicable {
			t.Fatalf("mail.rpki = %s (%s)", mail.Status, mail.Summary)
		}
		expectSubtests(t, mail, map[check.Subtest]Status{"mail_rpki_valid": StatusNotApplicable, "mail_mx_ns_rpki_valid": StatusNotApplicable})
	})
	t.Run("without a VRP set every RPKI subtest is an error", func(t *testing.T) {
		r, _ := dnsCheckRun(t, "example.test", nil, base...)
		mail := checkNamed(t, checkRPKI(context.Background(), r), check.MailRPKI)
		expectSubtests(t, mail, map[check.Subtest]Status{"mail_rpki_valid": StatusError, "mail_mx_ns_rpki_exists": StatusError})
	})
}
