package probe

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/netguard"
)

func TestClassifyRefusesSpecialPurposeRanges(t *testing.T) {
	t.Parallel()
	cases := []struct {
		addr, wantIn string
	}{
		{"10.1.2.3", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"192.168.1.1", "private"},
		{"127.0.0.1", "loopback"},
		{"127.255.255.254", "loopback"},
		{"169.254.169.254", "cloud metadata"},
		{"100.64.0.1", "CGNAT"},
		{"100.127.255.255", "CGNAT"},
		{"0.0.0.0", "unspecified"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"240.0.0.1", "reserved"},
		{"255.255.255.255", "reserved"},
		{"192.0.2.1", "documentation"},
		{"198.51.100.7", "documentation"},
		{"203.0.113.9", "documentation"},
		{"198.18.0.1", "benchmarking"},
		{"::1", "loopback"},
		{"::", "unspecified"},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"fc00::1", "unique local"},
		{"fd00:ec2::254", "unique local"},
		{"ff02::1", "multicast"},
		{"2001:db8::1", "documentation"},
		{"::ffff:127.0.0.1", "loopback"},
		{"::ffff:10.0.0.1", "private"},
		{"64:ff9b:1::1", "translation"},
	}
	for _, c := range cases {
		t.Run(c.addr+" is refused as "+c.wantIn, func(t *testing.T) {
			got := netguard.Classify(netip.MustParseAddr(c.addr))
			if !strings.Contains(got, c.wantIn) {
				t.Fatalf("Classify(%s) = %q, want it to mention %q", c.addr, got, c.wantIn)
			}
			err := netguard.Check(netip.MustParseAddr(c.addr), false)
			var refused *netguard.RefusedError
			if err == nil || !errorsAs(err, &refused) {
				t.Fatalf("Check(%s) = %v, want a RefusedError", c.addr, err)
			}
			if netguard.Check(netip.MustParseAddr(c.addr), true) != nil {
				t.Fatalf("Check(%s) with private addresses allowed should pass", c.addr)
			}
		})
	}
	for _, public := range []string{"81.4.108.1", "185.49.140.1", "100.128.0.1", "172.32.0.1", "192.169.0.1", "2a00:1450::1", "2606:4700::1111"} {
		t.Run(public+" is an ordinary public address", func(t *testing.T) {
			if got := netguard.Classify(netip.MustParseAddr(public)); got != "" {
				t.Fatalf("Classify(%s) = %q, want \"\"", public, got)
			}
		})
	}
}

// TestPolicyFetchRefusesEverySpecialPurposeRange points mta-sts.<domain> at
// an address of each refused range and expects the HTTPS fetch to be refused
// by the guard before any packet leaves, with the refusal in the summary.
// For the loopback cases a real server listens on the configured port, and
// must see no connection.
func TestPolicyFetchRefusesEverySpecialPurposeRange(t *testing.T) {
	t.Parallel()
	v4 := startAcceptor(t, "127.0.0.1")
	v6 := startAcceptor(t, "::1")
	// One port number serves both loopback listeners' tests: the v6 one is
	// checked separately below.
	for _, addr := range []string{
		"10.0.0.1", "172.16.5.4", "192.168.0.10", "127.0.0.1", "169.254.169.254", "100.64.1.1",
		"0.0.0.0", "224.0.0.251", "240.1.2.3", "192.0.2.10",
		"::1", "fe80::1", "fc00::5", "fd12:3456::1", "ff02::1", "::", "::ffff:127.0.0.1", "2001:db8::5",
	} {
		t.Run("a policy host at "+addr+" is refused", func(t *testing.T) {
			rtype, port := "A", v4.port
			if netip.MustParseAddr(addr).Is6() {
				rtype, port = "AAAA", v6.port
			}
			r, _ := dnsCheckRun(t, "example.test", func(c *Config) { c.AllowPrivate, c.HTTPSPort = false, port },
				"example.test. 60 IN MX 10 mx.example.test.",
				`_mta-sts.example.test. 60 IN TXT "v=STSv1; id=1"`,
				"mta-sts.example.test. 60 IN "+rtype+" "+addr)
			got := checkNamed(t, checkMailPolicies(context.Background(), r), "mail.mta-sts")
			if got.Status != StatusFail || !strings.Contains(got.Summary, "refused to connect") || !strings.Contains(got.Summary, "--allow-private") {
				t.Fatalf("got %s %q", got.Status, got.Summary)
			}
		})
	}
	if n := v4.settled(t) + v6.settled(t); n != 0 {
		t.Fatalf("the loopback servers accepted %d connections; the guard should have refused them all", n)
	}
}

// TestConnectingChecksRefuseLoopbackWithoutAllowPrivate runs the IPv6 and
// MTA-STS checks against a domain whose web, mail and name servers all sit
// on ::1, with servers really listening there, and expects every connection
// refused, none received, and the refusal reported; then allows private
// addresses and expects the same setup to pass, so the test cannot pass for
// the wrong reason.
func TestConnectingChecksRefuseLoopbackWithoutAllowPrivate(t *testing.T) {
	t.Parallel()
	web := startAcceptor(t, "::1")
	smtp := startAcceptor(t, "::1")
	nsPort, nsQueries := startNameServerV6(t)
	records := []string{
		"example.test. 60 IN AAAA ::1", "www.example.test. 60 IN AAAA ::1",
		"example.test. 60 IN MX 10 mx.example.test.", "mx.example.test. 60 IN AAAA ::1",
		"example.test. 60 IN NS ns1.example.test.", "example.test. 60 IN NS ns2.example.test.",
		"ns1.example.test. 60 IN AAAA ::1", "ns2.example.test. 60 IN AAAA ::1",
	}
	cfg := func(allow bool) func(*Config) {
		return func(c *Config) {
			c.AllowPrivate = allow
			c.HTTPPort, c.HTTPSPort, c.SMTPPort, c.NSPort = web.port, web.port, smtp.port, nsPort
		}
	}
	r, _ := dnsCheckRun(t, "example.test", cfg(false), records...)
	checks := checkIPv6(context.Background(), r)
	for _, id := range []check.ID{"web.ipv6", "mail.ipv6", "ns.ipv6"} {
		c := checkNamed(t, checks, id)
		if c.Status != StatusFail || !strings.Contains(c.Summary, "refused") || !strings.Contains(c.Summary, "::1 (loopback)") {
			t.Errorf("%s without --allow-private = %s %q", id, c.Status, c.Summary)
		}
	}
	if n := web.settled(t) + smtp.settled(t) + nsQueries.Load(); n != 0 {
		t.Fatalf("loopback servers were reached %d times without --allow-private", n)
	}

	r, _ = dnsCheckRun(t, "example.test", cfg(true), records...)
	for _, c := range checkIPv6(context.Background(), r) {
		if c.Status != StatusPass {
			t.Errorf("%s with --allow-private = %s %q", c.ID, c.Status, c.Summary)
		}
	}
	if web.settled(t) == 0 || smtp.settled(t) == 0 || nsQueries.Load() == 0 {
		t.Fatal("with --allow-private the loopback servers should have been reached")
	}
}

// TestEngineRefusesAnMXOnLoopback probes a whole domain through the public
// engine API: its only MX resolves to ::1 and 127.0.0.1 where an SMTP-port
// listener waits; without AllowPrivate nothing may reach it.
func TestEngineRefusesAnMXOnLoopback(t *testing.T) {
	t.Parallel()
	smtp := startAcceptor(t, "::1")
	_, d := dnsCheckRun(t, "example.test", nil,
		"example.test. 60 IN MX 10 mx.example.test.",
		"mx.example.test. 60 IN AAAA ::1", "mx.example.test. 60 IN A 127.0.0.1")
	e, err := New(Config{Resolver: d.Addr, SMTPPort: smtp.port, ConnTimeout: 2e9})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Probe(context.Background(), "example.test")
	if err != nil {
		t.Fatal(err)
	}
	c := checkNamed(t, res.Checks, "mail.ipv6")
	if c.Status != StatusFail || !strings.Contains(c.Summary, "refused") {
		t.Fatalf("mail.ipv6 = %s %q", c.Status, c.Summary)
	}
	if n := smtp.settled(t); n != 0 {
		t.Fatalf("the loopback SMTP listener accepted %d connections", n)
	}
}
