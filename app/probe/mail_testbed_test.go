package probe_test

import (
	"testing"
	"time"

	"tenderprobe/app/probe"
	"tenderprobe/app/probe/check"
)

// mailAreaSubtests are the subtests of mail authenticity, DANE, CAA and
// RPKI.
var mailAreaSubtests = []check.Subtest{
	"mail_auth_dmarc_exist", "mail_auth_dmarc_policy", "mail_auth_dkim_exist", "mail_auth_spf_exist", "mail_auth_spf_policy",
	"mail_starttls_dane_exist", "mail_starttls_dane_valid", "mail_starttls_dane_rollover", "mail_starttls_tls_caa",
	"web_https_tls_caa", "web_https_dane_exist", "web_https_dane_valid",
	"web_rpki_exists", "web_rpki_valid", "web_ns_rpki_exists", "web_ns_rpki_valid", "mail_ns_rpki_exists", "mail_ns_rpki_valid",
	"mail_rpki_exists", "mail_rpki_valid", "mail_mx_ns_rpki_exists", "mail_mx_ns_rpki_valid",
}

// subtestStatus returns the status of key in the findings of the check
// it belongs to, and false when it was not recorded.
func subtestStatus(t *testing.T, r probe.Result, key check.Subtest) (string, bool) {
	t.Helper()
	info, ok := check.LookupSubtest(key)
	if !ok {
		t.Fatalf("no subtest %s in the table", key)
	}
	c := checkByID(t, r, info.Check)
	findings, _ := c.Details["findings"].(map[string]any)
	f, ok := findings[string(key)].(map[string]any)
	if !ok {
		return "", false
	}
	st, _ := f["status"].(string)
	return st, true
}

func TestTestbedMailAreaSubtests(t *testing.T) {
	t.Parallel()
	tb := newTestbed(t)
	results := runCLI(t, append(tb.cliArgs(60*time.Second), "--allow-private", "good.test", "nomail.test")...)
	if len(results) != 2 {
		t.Fatalf("got %d results", len(results))
	}
	t.Run("the good domain passes every subtest of the area, the rollover scheme informs", func(t *testing.T) {
		for _, key := range mailAreaSubtests {
			want := "pass"
			if key == "mail_starttls_dane_rollover" {
				want = "info" // one TLSA record for the mail server: no second key ready
			}
			if got, ok := subtestStatus(t, results[0], key); !ok || got != want {
				t.Errorf("%s = %q (recorded %v), want %s", key, got, ok, want)
			}
		}
	})
	t.Run("a null MX domain does not test its mail servers and skips DKIM", func(t *testing.T) {
		for _, key := range []check.Subtest{"mail_starttls_dane_exist", "mail_starttls_dane_valid", "mail_starttls_dane_rollover",
			"mail_starttls_tls_caa", "mail_rpki_exists", "mail_rpki_valid", "mail_mx_ns_rpki_exists", "mail_mx_ns_rpki_valid", "mail_auth_dkim_exist"} {
			if got, ok := subtestStatus(t, results[1], key); !ok || got != "not_applicable" {
				t.Errorf("%s = %q (recorded %v), want not_applicable", key, got, ok)
			}
		}
		for _, key := range []check.Subtest{"mail_auth_spf_exist", "mail_auth_spf_policy", "mail_auth_dmarc_exist", "mail_auth_dmarc_policy"} {
			if got, _ := subtestStatus(t, results[1], key); got != "pass" {
				t.Errorf("%s = %q, want pass", key, got)
			}
		}
	})
}
