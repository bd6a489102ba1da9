package probe

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tenderprobe/app/i18n"
	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/rpki"
)

// testVRPs writes a VRP file in Routinator's format and loads it the way
// --rpki-vrps does.
func testVRPs(t testing.TB) *rpki.Set {
	t.Helper()
	file := filepath.Join(t.TempDir(), "vrps.json")
	doc := `{"metadata":{"generated":1},"roas":[
		{"asn":"AS64500","prefix":"127.0.0.0/8","maxLength":8,"ta":"test"},
		{"asn":64500,"prefix":"::1/128","maxLength":128,"ta":"test"},
		{"asn":"AS64510","prefix":"127.1.0.0/16","maxLength":24,"ta":"test"}
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

func TestCheckRPKI(t *testing.T) {
	t.Parallel()
	vrps := testVRPs(t)
	withVRPs := func(c *Config) { c.VRPs = vrps }
	const v6name = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.origin6.asn.cymru.com."
	base := []string{
		"example.test. 60 IN A 127.0.0.1", "example.test. 60 IN AAAA ::1",
		"www.example.test. 60 IN A 127.0.0.1",
		"example.test. 60 IN MX 10 mx.example.test.", "mx.example.test. 60 IN A 127.0.0.1",
		"example.test. 60 IN NS ns1.example.test.", "example.test. 60 IN NS ns2.example.test.",
		"ns1.example.test. 60 IN A 127.0.0.1", "ns2.example.test. 60 IN AAAA ::1",
		`1.0.0.127.origin.asn.cymru.com. 60 IN TXT "64500 | 127.0.0.0/8 | ZZ | test | 2026-01-01"`,
		v6name + ` 60 IN TXT "64500 | ::1/128 | ZZ | test | 2026-01-01"`,
	}
	t.Run("valid routes to every server pass", func(t *testing.T) {
		r, _ := dnsCheckRun(t, "example.test", withVRPs, base...)
		checks := checkRPKI(context.Background(), r)
		for _, id := range []check.ID{"web.rpki", "mail.rpki", "ns.rpki"} {
			c := checkNamed(t, checks, id)
			if c.Status != StatusPass {
				t.Errorf("%s = %s %q", id, c.Status, c.Summary)
			}
		}
		web := checkNamed(t, checks, "web.rpki")
		addrs := web.Details["addresses"].([]addrEvidence)
		if len(addrs) != 3 || addrs[0].Routes[0].Origin != 64500 || len(addrs[0].Routes[0].VRPs) != 1 {
			t.Fatalf("evidence %+v", addrs)
		}
	})
	t.Run("a route from the wrong origin AS fails", func(t *testing.T) {
		recs := append([]string{}, base[:len(base)-2]...)
		recs = append(recs,
			`1.0.0.127.origin.asn.cymru.com. 60 IN TXT "64666 | 127.0.0.0/8 | ZZ | test | 2026-01-01"`,
			v6name+` 60 IN TXT "64500 | ::1/128 | ZZ | test | 2026-01-01"`)
		r, _ := dnsCheckRun(t, "example.test", withVRPs, recs...)
		c := checkNamed(t, checkRPKI(context.Background(), r), "web.rpki")
		if c.Status != StatusFail || !strings.Contains(c.Summary, "RPKI-invalid") {
			t.Fatalf("got %s %q", c.Status, c.Summary)
		}
	})
	t.Run("a more-specific of the wrong length fails", func(t *testing.T) {
		r, _ := dnsCheckRun(t, "example.test", withVRPs, "example.test. 60 IN A 127.0.0.2",
			`2.0.0.127.origin.asn.cymru.com. 60 IN TXT "64500 | 127.0.0.0/24 | ZZ | test | 2026-01-01"`)
		c := checkNamed(t, checkRPKI(context.Background(), r), "web.rpki")
		if c.Status != StatusFail {
			t.Fatalf("got %s %q", c.Status, c.Summary)
		}
	})
	t.Run("a route without a ROA fails web_rpki_valid, as internet.nl judges it", func(t *testing.T) {
		r, _ := dnsCheckRun(t, "example.test", withVRPs, "example.test. 60 IN AAAA ::2",
			"2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.origin6.asn.cymru.com. 60 IN TXT \"64500 | ::/112 | ZZ | test | 2026-01-01\"")
		c := checkNamed(t, checkRPKI(context.Background(), r), "web.rpki")
		if c.Status != StatusFail || !strings.Contains(c.Summary, "without a ROA") {
			t.Fatalf("got %s %q", c.Status, c.Summary)
		}
	})
	t.Run("an address without a Cymru answer warns", func(t *testing.T) {
		r, _ := dnsCheckRun(t, "example.test", withVRPs, "example.test. 60 IN A 127.0.0.9")
		c := checkNamed(t, checkRPKI(context.Background(), r), "web.rpki")
		if c.Status != StatusWarn || !strings.Contains(c.Summary, "No BGP route") {
			t.Fatalf("got %s %q", c.Status, c.Summary)
		}
	})
	t.Run("a ROA with a maxLength longer than the route is noted", func(t *testing.T) {
		r, _ := dnsCheckRun(t, "example.test", withVRPs, "example.test. 60 IN A 127.1.0.1",
			`1.0.1.127.origin.asn.cymru.com. 60 IN TXT "64510 | 127.1.0.0/16 | ZZ | test | 2026-01-01"`)
		c := checkNamed(t, checkRPKI(context.Background(), r), "web.rpki")
		if c.Status != StatusPass || !strings.Contains(c.Summary, "RFC 9319") {
			t.Fatalf("got %s %q", c.Status, c.Summary)
		}
	})
	t.Run("no MX makes mail.rpki not applicable", func(t *testing.T) {
		r, _ := dnsCheckRun(t, "example.test", withVRPs, base[0], base[len(base)-2])
		c := checkNamed(t, checkRPKI(context.Background(), r), "mail.rpki")
		if c.Status != StatusNotApplicable {
			t.Fatalf("got %s %q", c.Status, c.Summary)
		}
	})
	t.Run("without a VRP set every RPKI check is an error saying so, in words for a vendor too", func(t *testing.T) {
		r, _ := dnsCheckRun(t, "example.test", nil, base...)
		for _, c := range checkRPKI(context.Background(), r) {
			if c.Status != StatusError || c.Finding != "rpki_no_vrps" || !strings.Contains(c.Summary, "rpki-vrps setting") || strings.Contains(c.Summary, "--") {
				t.Fatalf("%s = %s %s %q", c.ID, c.Status, c.Finding, c.Summary)
			}
			if c.Details["error"] != errNoVRPs.Error() {
				t.Errorf("%s: details lost the error for programs: %v", c.ID, c.Details["error"])
			}
		}
	})
}

// Every kind of server a finding names has its words in every language,
// so no English code shows through in Dutch or Spanish.
func TestRPKIFindingsNameEveryKindOfServerInEveryLanguage(t *testing.T) {
	t.Parallel()
	for _, what := range []string{"web", "mail", "ns"} {
		for _, lang := range i18n.Available() {
			for _, ns := range []string{"finding.server.", "finding.servers."} {
				if !i18n.Messages().Has(lang, ns+what) {
					t.Errorf("%s has no %s%s", lang, ns, what)
				}
			}
		}
	}
}
