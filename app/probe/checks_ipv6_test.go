package probe

import (
	"context"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"tenderprobe/app/probe/check"
)

func TestCheckWebIPv6(t *testing.T) {
	t.Parallel()
	web := startAcceptor(t, "::1")
	closed := closedPort(t, "::1")
	ports := func(c *Config) { c.HTTPPort, c.HTTPSPort = closed, web.port }
	cases := []struct {
		name    string
		records []string
		want    Status
		inSum   string
	}{
		{"apex and www with reachable IPv6 addresses pass", []string{
			"example.test. 60 IN AAAA ::1",
			"www.example.test. 60 IN AAAA ::1",
		}, StatusPass, "example.test, www.example.test"},
		{"an apex with IPv4 only fails", []string{
			"example.test. 60 IN A 127.0.0.1",
		}, StatusFail, "No IPv6 address"},
		{"a www without AAAA fails even when the apex has one", []string{
			"example.test. 60 IN AAAA ::1", "www.example.test. 60 IN A 127.0.0.1",
		}, StatusFail, "www.example.test"},
		{"a domain without any web address is not applicable", []string{
			"example.test. 60 IN MX 10 mx.example.test.",
		}, StatusNotApplicable, "no web site"},
		{"an IPv4-mapped AAAA does not count as IPv6", []string{
			"example.test. 60 IN AAAA ::ffff:127.0.0.1",
		}, StatusFail, "No IPv6 address"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := dnsCheckRun(t, "example.test", ports, c.records...)
			got := r.checkWebIPv6(context.Background())
			if got.Status != c.want || !strings.Contains(got.Summary, c.inSum) {
				t.Fatalf("got %s %q, want %s containing %q; details %v", got.Status, got.Summary, c.want, c.inSum, got.Details)
			}
		})
	}
	t.Run("an address shared by the apex and www is connected to once per port", func(t *testing.T) {
		polite := startAcceptor(t, "::1")
		r, _ := dnsCheckRun(t, "example.test", func(c *Config) { c.HTTPPort, c.HTTPSPort = closed, polite.port },
			"example.test. 60 IN AAAA ::1", "www.example.test. 60 IN AAAA ::1")
		got := r.checkWebIPv6(context.Background())
		if got.Status != StatusPass {
			t.Fatalf("got %s %q", got.Status, got.Summary)
		}
		if n := polite.settled(t); n != 1 {
			t.Fatalf("the web server saw %d connections, want 1", n)
		}
	})
	t.Run("an IPv6 address with both web ports closed fails", func(t *testing.T) {
		r, _ := dnsCheckRun(t, "example.test", func(c *Config) { c.HTTPPort, c.HTTPSPort = closed, closed },
			"example.test. 60 IN AAAA ::1")
		got := r.checkWebIPv6(context.Background())
		if got.Status != StatusFail || !strings.Contains(got.Summary, "does not accept connections") {
			t.Fatalf("got %s %q", got.Status, got.Summary)
		}
	})
}

func TestCheckMailIPv6(t *testing.T) {
	t.Parallel()
	smtp := startAcceptor(t, "::1")
	port := func(c *Config) { c.SMTPPort = smtp.port }
	cases := []struct {
		name    string
		records []string
		want    Status
		inSum   string
	}{
		{"every MX reachable over IPv6 passes", []string{
			"example.test. 60 IN MX 10 mx1.example.test.", "example.test. 60 IN MX 20 mx2.example.test.",
			"mx1.example.test. 60 IN AAAA ::1", "mx2.example.test. 60 IN AAAA ::1", "mx2.example.test. 60 IN A 127.0.0.1",
		}, StatusPass, "All 2 mail servers"},
		{"one MX without AAAA fails", []string{
			"example.test. 60 IN MX 10 mx1.example.test.", "example.test. 60 IN MX 20 mx2.example.test.",
			"mx1.example.test. 60 IN AAAA ::1", "mx2.example.test. 60 IN A 127.0.0.1",
		}, StatusFail, "mx2.example.test"},
		{"a null MX is not applicable", []string{"example.test. 60 IN MX 0 ."}, StatusNotApplicable, "null MX"},
		{"no MX is not applicable", []string{"example.test. 60 IN A 127.0.0.1"}, StatusNotApplicable, "no MX"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := dnsCheckRun(t, "example.test", port, c.records...)
			got := r.checkMailIPv6(context.Background())
			if got.Status != c.want || !strings.Contains(got.Summary, c.inSum) {
				t.Fatalf("got %s %q, want %s containing %q", got.Status, got.Summary, c.want, c.inSum)
			}
		})
	}
	t.Run("an MX whose SMTP port is closed over IPv6 fails", func(t *testing.T) {
		r, _ := dnsCheckRun(t, "example.test", func(c *Config) { c.SMTPPort = closedPort(t, "::1") },
			"example.test. 60 IN MX 10 mx1.example.test.", "mx1.example.test. 60 IN AAAA ::1")
		got := r.checkMailIPv6(context.Background())
		if got.Status != StatusFail || !strings.Contains(got.Summary, "not reachable over IPv6") {
			t.Fatalf("got %s %q", got.Status, got.Summary)
		}
	})
}

func TestCheckNSIPv6(t *testing.T) {
	t.Parallel()
	nsPort, answered := startNameServerV6(t)
	withPort := func(c *Config) { c.NSPort = nsPort }
	t.Run("two name servers answering over IPv6 pass", func(t *testing.T) {
		before := answered.Load()
		r, _ := dnsCheckRun(t, "example.test", withPort,
			"example.test. 60 IN NS ns1.example.test.", "example.test. 60 IN NS ns2.example.net.",
			"ns1.example.test. 60 IN AAAA ::1", "ns2.example.net. 60 IN AAAA ::1", "ns2.example.net. 60 IN A 127.0.0.1")
		got := r.checkNSIPv6(context.Background())
		if got.Status != StatusPass {
			t.Fatalf("got %s %q; details %v", got.Status, got.Summary, got.Details)
		}
		if answered.Load()-before != 2 {
			t.Fatalf("the name server was asked %d times, want once per NS address", answered.Load()-before)
		}
	})
	t.Run("the zone's name servers are found above a subdomain", func(t *testing.T) {
		r, _ := dnsCheckRun(t, "shop.example.test", withPort,
			"shop.example.test. 60 IN A 127.0.0.1",
			"example.test. 60 IN NS ns1.example.test.", "example.test. 60 IN NS ns2.example.test.",
			"ns1.example.test. 60 IN AAAA ::1", "ns2.example.test. 60 IN AAAA ::1")
		got := r.checkNSIPv6(context.Background())
		if got.Status != StatusPass || got.Details["zone"] != "example.test" {
			t.Fatalf("got %s %q zone %v", got.Status, got.Summary, got.Details["zone"])
		}
	})
	t.Run("only one name server with IPv6 fails", func(t *testing.T) {
		r, _ := dnsCheckRun(t, "example.test", withPort,
			"example.test. 60 IN NS ns1.example.test.", "example.test. 60 IN NS ns2.example.test.",
			"ns1.example.test. 60 IN AAAA ::1", "ns2.example.test. 60 IN A 127.0.0.1")
		got := r.checkNSIPv6(context.Background())
		if got.Status != StatusFail || !strings.Contains(got.Summary, "Only 1 of the 2") {
			t.Fatalf("got %s %q", got.Status, got.Summary)
		}
	})
	t.Run("IPv4-mapped AAAA records do not count", func(t *testing.T) {
		r, _ := dnsCheckRun(t, "example.test", withPort,
			"example.test. 60 IN NS ns1.example.test.", "example.test. 60 IN NS ns2.example.test.",
			"ns1.example.test. 60 IN AAAA ::1", "ns2.example.test. 60 IN AAAA ::ffff:127.0.0.1")
		got := r.checkNSIPv6(context.Background())
		if got.Status != StatusFail {
			t.Fatalf("got %s %q", got.Status, got.Summary)
		}
	})
	t.Run("name servers that do not answer over IPv6 fail", func(t *testing.T) {
		r, _ := dnsCheckRun(t, "example.test", func(c *Config) { c.NSPort = closedUDPPort(t) },
			"example.test. 60 IN NS ns1.example.test.", "example.test. 60 IN NS ns2.example.test.",
			"ns1.example.test. 60 IN AAAA ::1", "ns2.example.test. 60 IN AAAA ::1")
		got := r.checkNSIPv6(context.Background())
		if got.Status != StatusFail || !strings.Contains(got.Summary, "not answering") {
			t.Fatalf("got %s %q", got.Status, got.Summary)
		}
	})
}

func TestNoLocalRouteIsTheProbersFault(t *testing.T) {
	t.Parallel()
	// What the kernel returns when this machine has no IPv6 route, as the
	// net package wraps it.
	noRoute := &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ENETUNREACH}}
	if !noLocalRoute(noRoute) {
		t.Fatal("ENETUNREACH should be recognised as a missing local route")
	}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	if noLocalRoute(refused) {
		t.Fatal("a refused connection is the server's answer, not a missing route")
	}
	err := noRouteError([]string{"2001:db8::1"})
	if !strings.Contains(err.Error(), "no IPv6 connectivity") {
		t.Fatalf("error %q should explain the cause", err)
	}
}

func TestIPv6SubtestsAreRecordedWithInternetNLsOutcome(t *testing.T) {
	t.Parallel()
	web := startAcceptor(t, "::1")
	closedWeb := closedPort(t, "::1")
	smtp := startAcceptor(t, "::1")
	nsPort, _ := startNameServerV6(t)
	silentNS := closedUDPPort(t)
	cfg := func(smtpPort, ns int, webOpen bool) func(*Config) {
		return func(c *Config) {
			c.HTTPPort, c.HTTPSPort, c.SMTPPort, c.NSPort = closedWeb, web.port, smtpPort, ns
			if !webOpen {
				c.HTTPSPort = closedWeb
			}
		}
	}
	type want map[check.Subtest]Status
	tests := []struct {
		name    string
		mod     func(*Config)
		records []string
		run     func(r *run, ctx context.Context) Check
		want    want
	}{
		{"a web site reachable over IPv6 only passes address and reach; there is nothing to compare",
			cfg(smtp.port, nsPort, true), []string{"example.test. 60 IN AAAA ::1"}, (*run).checkWebIPv6,
			want{"web_ipv6_ws_address": StatusPass, "web_ipv6_ws_reach": StatusPass, "web_ipv6_ws_similar": StatusNotApplicable}},
		{"a web site without AAAA fails address; reach and similar are not tested",
			cfg(smtp.port, nsPort, true), []string{"example.test. 60 IN A 127.0.0.1"}, (*run).checkWebIPv6,
			want{"web_ipv6_ws_address": StatusFail, "web_ipv6_ws_reach": StatusNotApplicable, "web_ipv6_ws_similar": StatusNotApplicable}},
		{"a web site whose IPv6 address refuses connections fails reach",
			cfg(smtp.port, nsPort, false), []string{"example.test. 60 IN AAAA ::1", "example.test. 60 IN A 127.0.0.1"}, (*run).checkWebIPv6,
			want{"web_ipv6_ws_address": StatusPass, "web_ipv6_ws_reach": StatusFail, "web_ipv6_ws_similar": StatusNotApplicable}},
		{"a www without AAAA fails address although the apex has one",
			cfg(smtp.port, nsPort, true), []string{"example.test. 60 IN AAAA ::1", "www.example.test. 60 IN A 127.0.0.1"}, (*run).checkWebIPv6,
			want{"web_ipv6_ws_address": StatusFail, "web_ipv6_ws_reach": StatusPass}},
		{"mail servers all reachable over IPv6 pass",
			cfg(smtp.port, nsPort, true), []string{"example.test. 60 IN MX 10 mx1.example.test.", "example.test. 60 IN MX 20 mx2.example.test.",
				"mx1.example.test. 60 IN AAAA ::1", "mx2.example.test. 60 IN AAAA ::1"}, (*run).checkMailIPv6,
			want{"mail_ipv6_mx_address": StatusPass, "mail_ipv6_mx_reach": StatusPass}},
		{"one mail server without AAAA fails address; the other is still reached",
			cfg(smtp.port, nsPort, true), []string{"example.test. 60 IN MX 10 mx1.example.test.", "example.test. 60 IN MX 20 mx2.example.test.",
				"mx1.example.test. 60 IN AAAA ::1", "mx2.example.test. 60 IN A 127.0.0.1"}, (*run).checkMailIPv6,
			want{"mail_ipv6_mx_address": StatusFail, "mail_ipv6_mx_reach": StatusPass}},
		{"no mail server with AAAA fails address; reach is not tested",
			cfg(smtp.port, nsPort, true), []string{"example.test. 60 IN MX 10 mx1.example.test.", "mx1.example.test. 60 IN A 127.0.0.1"}, (*run).checkMailIPv6,
			want{"mail_ipv6_mx_address": StatusFail, "mail_ipv6_mx_reach": StatusNotApplicable}},
		{"a mail server refusing SMTP over IPv6 fails reach",
			cfg(closedPort(t, "::1"), nsPort, true), []string{"example.test. 60 IN MX 10 mx1.example.test.", "mx1.example.test. 60 IN AAAA ::1"}, (*run).checkMailIPv6,
			want{"mail_ipv6_mx_address": StatusPass, "mail_ipv6_mx_reach": StatusFail}},
		{"a null MX makes both mail server subtests not applicable",
			cfg(smtp.port, nsPort, true), []string{"example.test. 60 IN MX 0 .", "example.test. 60 IN A 127.0.0.1"}, (*run).checkMailIPv6,
			want{"mail_ipv6_mx_address": StatusNotApplicable, "mail_ipv6_mx_reach": StatusNotApplicable}},
		{"a null MX on a domain without addresses is not needed: information, as internet.nl",
			cfg(smtp.port, nsPort, true), []string{"example.test. 60 IN MX 0 ."}, (*run).checkMailIPv6,
			want{"mail_ipv6_mx_address": StatusInfo, "mail_ipv6_mx_reach": StatusNotApplicable}},
		{"no MX makes both mail server subtests not applicable",
			cfg(smtp.port, nsPort, true), []string{"example.test. 60 IN A 127.0.0.1"}, (*run).checkMailIPv6,
			want{"mail_ipv6_mx_address": StatusNotApplicable, "mail_ipv6_mx_reach": StatusNotApplicable}},
		{"two name servers answering over IPv6 pass under the web and the mail names",
			cfg(smtp.port, nsPort, true), []string{"example.test. 60 IN NS ns1.example.test.", "example.test. 60 IN NS ns2.example.test.",
				"ns1.example.test. 60 IN AAAA ::1", "ns2.example.test. 60 IN AAAA ::1"}, (*run).checkNSIPv6,
			want{"web_ipv6_ns_address": StatusPass, "web_ipv6_ns_reach": StatusPass, "mail_ipv6_ns_address": StatusPass, "mail_ipv6_ns_reach": StatusPass}},
		{"one name server with IPv6 fails address, and it is reached",
			cfg(smtp.port, nsPort, true), []string{"example.test. 60 IN NS ns1.example.test.", "example.test. 60 IN NS ns2.example.test.",
				"ns1.example.test. 60 IN AAAA ::1", "ns2.example.test. 60 IN A 127.0.0.1"}, (*run).checkNSIPv6,
			want{"web_ipv6_ns_address": StatusFail, "web_ipv6_ns_reach": StatusPass, "mail_ipv6_ns_address": StatusFail, "mail_ipv6_ns_reach": StatusPass}},
		{"an IPv4-mapped address is no IPv6: address fails and reach is not tested",
			cfg(smtp.port, nsPort, true), []string{"example.test. 60 IN NS ns1.example.test.", "example.test. 60 IN NS ns2.example.test.",
				"ns1.example.test. 60 IN AAAA ::ffff:127.0.0.1", "ns2.example.test. 60 IN A 127.0.0.1"}, (*run).checkNSIPv6,
			want{"web_ipv6_ns_address": StatusFail, "web_ipv6_ns_reach": StatusNotApplicable, "mail_ipv6_ns_address": StatusFail, "mail_ipv6_ns_reach": StatusNotApplicable}},
		{"name servers silent over IPv6 fail reach",
			cfg(smtp.port, silentNS, true), []string{"example.test. 60 IN NS ns1.example.test.", "example.test. 60 IN NS ns2.example.test.",
				"ns1.example.test. 60 IN AAAA ::1", "ns2.example.test. 60 IN AAAA ::1"}, (*run).checkNSIPv6,
			want{"web_ipv6_ns_address": StatusPass, "web_ipv6_ns_reach": StatusFail, "mail_ipv6_ns_address": StatusPass, "mail_ipv6_ns_reach": StatusFail}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := dnsCheckRun(t, "example.test", tc.mod, tc.records...)
			c := tc.run(r, context.Background())
			for key, st := range tc.want {
				if got := subtestOf(t, c, key); got.Status != st {
					t.Errorf("%s = %s %q, want %s", key, got.Status, got.Reason, st)
				}
			}
		})
	}
}
