package probe

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
)

func TestMTASTSModesAndMismatches(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	policy := func(mode, maxAge string, mx ...string) string {
		s := "version: STSv1\r\nmode: " + mode + "\r\n"
		for _, m := range mx {
			s += "mx: " + m + "\r\n"
		}
		return s + "max_age: " + maxAge + "\r\n"
	}
	record := `_mta-sts 300 IN TXT "v=STSv1; id=20261122T000000"`
	cases := []struct {
		name    string
		body    string
		handler http.Handler // instead of body
		records []string     // besides the MX and the policy host
		zone    probetest.Zone
		closed  bool // nothing listens for the policy
		want    Status
		inSum   string
	}{
		{"enforce covering the MX passes", policy("enforce", "604800", "mx.mail.example.test"), nil, []string{record}, probetest.Zone{}, false, StatusPass, "enforced"},
		{"a wildcard pattern covering the MX passes", policy("enforce", "604800", "*.mail.example.test"), nil, []string{record}, probetest.Zone{}, false, StatusPass, "enforced"},
		{"a wildcard covers one label only, so a deeper MX is not covered", policy("enforce", "604800", "*.example.test"), nil, []string{record}, probetest.Zone{}, false, StatusFail, "mx.mail.example.test"},
		{"testing mode warns", policy("testing", "604800", "mx.mail.example.test"), nil, []string{record}, probetest.Zone{}, false, StatusWarn, "testing"},
		{"testing mode not covering the MX warns", policy("testing", "604800", "other.example.test"), nil, []string{record}, probetest.Zone{}, false, StatusWarn, "mx.mail.example.test"},
		{"mode none fails", policy("none", "604800"), nil, []string{record}, probetest.Zone{}, false, StatusFail, "none"},
		{"max_age at the limit of one year passes", policy("enforce", "31557600", "mx.mail.example.test"), nil, []string{record}, probetest.Zone{}, false, StatusPass, "enforced"},
		{"max_age beyond one year fails", policy("enforce", "31557601", "mx.mail.example.test"), nil, []string{record}, probetest.Zone{}, false, StatusFail, "31557601"},
		{"two records with different ids fail", policy("enforce", "604800", "mx.mail.example.test"), nil,
			[]string{record, `_mta-sts 300 IN TXT "v=STSv1; id=20261123T000000"`}, probetest.Zone{}, false, StatusFail, "2 MTA-STS records"},
		{"an id with characters other than letters and digits fails", policy("enforce", "604800", "mx.mail.example.test"), nil,
			[]string{`_mta-sts 300 IN TXT "v=STSv1; id=2026-11-22"`}, probetest.Zone{}, false, StatusFail, "invalid"},
		{"a policy file that cannot be reached fails", "", nil, []string{record}, probetest.Zone{}, true, StatusFail, "refused"},
		{"a policy file served as application/octet-stream fails", "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write([]byte(policy("enforce", "604800", "mx.mail.example.test")))
		}), []string{record}, probetest.Zone{}, false, StatusFail, "not text/plain"},
		{"an unsigned zone is fine: HTTPS authenticates the policy", policy("enforce", "604800", "mx.mail.example.test"), nil, []string{record}, probetest.Zone{Unsigned: true}, false, StatusPass, "enforced"},
		{"a DNSSEC-bogus record counts as no record", policy("enforce", "604800", "mx.mail.example.test"), nil, []string{record},
			probetest.Zone{Break: probetest.BreakBadSignature, BreakType: dns.TypeTXT}, false, StatusFail, "DNSSEC-bogus"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := c.handler
			if h == nil {
				h = servePolicy(c.body)
			}
			port := startPolicyServer(t, ca, h, "mta-sts.example.test")
			if c.closed {
				port = closedPort(t, "127.0.0.1")
			}
			z := c.zone
			z.Name = "example.test."
			z.Records = append([]string{"@ 300 IN MX 10 mx.mail.example.test.", "mx.mail 300 IN A 127.0.0.1", "mta-sts 300 IN A 127.0.0.1"}, c.records...)
			r := signedRun(t, "example.test", func(cfg *Config) { cfg.HTTPSPort, cfg.RootCAs = port, ca.Pool }, z)
			got := checkNamed(t, checkMailPolicies(context.Background(), r), check.MailMTASTS)
			if got.Status != c.want || !strings.Contains(got.Summary, c.inSum) {
				t.Fatalf("mail.mta-sts = %s (%s), want %s containing %q", got.Status, got.Summary, c.want, c.inSum)
			}
		})
	}
}
