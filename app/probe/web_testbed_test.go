package probe_test

import (
	"testing"
	"time"

	"tenderprobe/app/probe/check"
)

// The subtests of the HTTP, security header, security.txt and IPv6 checks
// that the testbed's good domain must pass, and the ones its bad domain
// must not.
var webAndIPv6Subtests = []check.Subtest{
	"web_https_http_redirect", "web_https_http_hsts", "web_https_http_compress",
	"web_appsecpriv_x_frame_options", "web_appsecpriv_x_content_type_options",
	"web_appsecpriv_referrer_policy", "web_appsecpriv_csp", "web_appsecpriv_securitytxt",
	"web_ipv6_ws_address", "web_ipv6_ws_reach", "web_ipv6_ws_similar",
	"web_ipv6_ns_address", "web_ipv6_ns_reach", "mail_ipv6_ns_address", "mail_ipv6_ns_reach",
	"mail_ipv6_mx_address", "mail_ipv6_mx_reach",
}

func TestTheGoodDomainPassesEveryHTTPAndIPv6Subtest(t *testing.T) {
	t.Parallel()
	tb := newTestbed(t)
	results := runCLI(t, append(tb.cliArgs(60*time.Second), "--allow-private", "good.test", "bad.test")...)
	outcomes := func(i int) map[string]string {
		out := map[string]string{}
		for _, c := range results[i].Checks {
			findings, _ := c.Details["findings"].(map[string]any)
			for key, v := range findings {
				st, _ := v.(map[string]any)["status"].(string)
				out[key] = st
			}
		}
		return out
	}
	good, bad := outcomes(0), outcomes(1)
	for _, key := range webAndIPv6Subtests {
		want := "pass"
		if key == "web_appsecpriv_securitytxt" {
			// A valid file, but unsigned and without an Encryption field:
			// internet.nl advises both, as information.
			want = "info"
		}
		if good[string(key)] != want {
			t.Errorf("good.test %s = %q, want %s", key, good[string(key)], want)
		}
	}
	// The bad server speaks plain http without headers and has an IPv4
	// address only: these cannot pass.
	for _, key := range []check.Subtest{"web_https_http_redirect", "web_https_http_hsts", "web_appsecpriv_csp", "web_ipv6_ws_address"} {
		if st := bad[string(key)]; st == "pass" || st == "" {
			t.Errorf("bad.test %s = %q, want a bad outcome", key, st)
		}
	}
}
