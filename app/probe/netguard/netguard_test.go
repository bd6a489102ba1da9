package netguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
)

// wantRefused is an address the guard must refuse, with words the reason
// must contain (the class, and for embedded forms the IPv4 address carried).
type wantRefused struct {
	addr string
	want []string
}

func testRefused(t *testing.T, cases []wantRefused) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.addr+" is refused as "+strings.Join(c.want, ", "), func(t *testing.T) {
			addr := netip.MustParseAddr(c.addr)
			got := Classify(addr)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("Classify(%s) = %q, want it to mention %q", c.addr, got, w)
				}
			}
			var refused *RefusedError
			if err := Check(addr, false); !errors.As(err, &refused) || refused.Why != got || !refused.Prefix.IsValid() {
				t.Errorf("Check(%s) = %#v, want a RefusedError with the reason and the prefix that decided", c.addr, err)
			}
			if err := Check(addr, true); err != nil {
				t.Errorf("Check(%s) with private addresses allowed = %v, want nil", c.addr, err)
			}
		})
	}
}

func testAllowed(t *testing.T, addrs []string) {
	t.Helper()
	for _, a := range addrs {
		t.Run(a+" is an ordinary public address", func(t *testing.T) {
			if got := Classify(netip.MustParseAddr(a)); got != "" {
				t.Errorf("Classify(%s) = %q, want \"\"", a, got)
			}
			if err := Check(netip.MustParseAddr(a), false); err != nil {
				t.Errorf("Check(%s) = %v, want nil", a, err)
			}
		})
	}
}

func TestClassifyRefusesEverySpecialPurposeIPv4Range(t *testing.T) {
	testRefused(t, []wantRefused{
		{"0.0.0.0", []string{"unspecified"}},
		{"0.1.2.3", []string{"this network"}},
		{"10.1.2.3", []string{"private"}},
		{"100.64.0.1", []string{"CGNAT"}},
		{"100.100.100.200", []string{"CGNAT"}},
		{"127.0.0.1", []string{"loopback"}},
		{"127.255.255.254", []string{"loopback"}},
		{"169.254.1.1", []string{"link-local"}},
		{"169.254.169.254", []string{"cloud metadata"}},
		{"168.63.129.16", []string{"cloud metadata"}},
		{"172.16.0.1", []string{"private"}},
		{"172.31.255.255", []string{"private"}},
		{"192.0.0.1", []string{"service continuity"}},
		{"192.0.0.8", []string{"dummy"}},
		{"192.0.0.9", []string{"Port Control Protocol anycast"}},
		{"192.0.0.10", []string{"TURN anycast"}},
		{"192.0.0.170", []string{"NAT64/DNS64 discovery"}},
		{"192.0.0.171", []string{"NAT64/DNS64 discovery"}},
		{"192.0.0.200", []string{"IETF protocol assignments"}},
		{"192.0.2.1", []string{"documentation"}},
		{"192.52.193.1", []string{"AMT relay anycast"}},
		{"192.88.99.1", []string{"6to4 relay anycast"}},
		{"192.88.99.2", []string{"6a44"}},
		{"192.168.1.1", []string{"private"}},
		{"198.18.0.1", []string{"benchmarking"}},
		{"198.19.255.255", []string{"benchmarking"}},
		{"198.51.100.7", []string{"documentation"}},
		{"203.0.113.9", []string{"documentation"}},
		{"224.0.0.1", []string{"multicast"}},
		{"239.255.255.250", []string{"multicast"}},
		{"240.0.0.1", []string{"reserved"}},
		{"255.255.255.254", []string{"reserved"}},
		{"255.255.255.255", []string{"broadcast"}},
	})
	testAllowed(t, []string{
		"81.4.108.1", "100.63.255.255", "100.128.0.1", "172.32.0.1", "192.0.1.1", "192.88.100.1",
		"192.169.0.1", "198.20.0.1", "223.255.255.255",
		// AS112 DNS sinks: globally reachable for IANA, and let through.
		"192.31.196.1", "192.175.48.6",
	})
}

func TestClassifyRefusesEverySpecialPurposeIPv6Range(t *testing.T) {
	testRefused(t, []wantRefused{
		{"::", []string{"unspecified"}},
		{"::1", []string{"loopback"}},
		{"100::1", []string{"discard-only"}},
		{"100:0:0:1::1", []string{"dummy"}},
		{"2001:0:0:0::", []string{"Teredo"}},
		{"2001:1::1", []string{"Port Control Protocol anycast"}},
		{"2001:1::2", []string{"TURN anycast"}},
		{"2001:1::3", []string{"service registration anycast"}},
		{"2001:1::4", []string{"IETF protocol assignments"}},
		{"2001:2::1", []string{"benchmarking"}},
		{"2001:3::1", []string{"AMT relay anycast"}},
		{"2001:10::1", []string{"ORCHID"}},
		{"2001:20::1", []string{"ORCHIDv2"}},
		{"2001:30::1", []string{"DET"}},
		{"2001:100::1", []string{"IETF protocol assignments"}},
		{"2001:1ff:ffff::1", []string{"IETF protocol assignments"}},
		{"2001:db8::1", []string{"documentation"}},
		{"3fff::1", []string{"documentation"}},
		{"3fff:fff:ffff::1", []string{"documentation"}},
		{"5f00::1", []string{"SRv6"}},
		{"fc00::1", []string{"unique local"}},
		{"fd12:3456::1", []string{"unique local"}},
		{"fd00:ec2::254", []string{"unique local", "cloud metadata"}},
		{"fe80::1", []string{"link-local"}},
		{"fe80::1%eth0", []string{"link-local"}},
		{"fec0::1", []string{"site-local"}},
		{"ff02::1", []string{"multicast"}},
		{"ff0e::1", []string{"multicast"}},
		{"4000::1", []string{"reserved"}},
		{"e000::1", []string{"reserved"}},
		{"fe00::1", []string{"reserved"}},
		{"1fff:ffff::1", []string{"reserved"}},
	})
	testAllowed(t, []string{
		"2a00:1450::1", "2606:4700::1111", "2001:200::1", "2003::1", "3fff:1000::1", "3ffe::1",
		// AS112 DNS sinks: globally reachable for IANA, and let through.
		"2001:4:112::1", "2620:4f:8000::6",
	})
}

// TestClassifyJudgesIPv6FormsByTheIPv4AddressTheyCarry builds every
// IPv6 form that embeds an IPv4 address from private and from public IPv4
// addresses: the forms refused whole name a special address they carry;
// NAT64 and ISATAP are refused only for a special one.
func TestClassifyJudgesIPv6FormsByTheIPv4AddressTheyCarry(t *testing.T) {
	testRefused(t, []wantRefused{
		// IPv4-mapped (::ffff:0:0/96): refused whole.
		{"::ffff:127.0.0.1", []string{"loopback", "127.0.0.1", "IPv4-mapped"}},
		{"::ffff:10.0.0.1", []string{"private", "10.0.0.1", "IPv4-mapped"}},
		{"::ffff:169.254.169.254", []string{"cloud metadata", "IPv4-mapped"}},
		{"::ffff:81.2.69.160", []string{"IPv4-mapped"}},
		// IPv4-compatible (::/96, deprecated): refused whole.
		{"::7f00:1", []string{"loopback", "127.0.0.1", "IPv4-compatible"}},
		{"::a9fe:a9fe", []string{"cloud metadata", "169.254.169.254", "IPv4-compatible"}},
		{"::c0a8:101", []string{"private", "192.168.1.1", "IPv4-compatible"}},
		{"::808:808", []string{"IPv4-compatible"}},
		// IPv4-translated (::ffff:0:0:0/96, obsolete SIIT): refused whole.
		{"::ffff:0:7f00:1", []string{"loopback", "127.0.0.1", "IPv4-translated"}},
		{"::ffff:0:808:808", []string{"IPv4-translated"}},
		// NAT64 well-known prefix: judged by the IPv4 address.
		{"64:ff9b::7f00:1", []string{"loopback", "127.0.0.1", "NAT64"}},
		{"64:ff9b::a00:1", []string{"private", "10.0.0.1", "NAT64"}},
		{"64:ff9b::ac10:1", []string{"private", "172.16.0.1", "NAT64"}},
		{"64:ff9b::c0a8:101", []string{"private", "192.168.1.1", "NAT64"}},
		{"64:ff9b::a9fe:a9fe", []string{"cloud metadata", "169.254.169.254", "NAT64"}},
		{"64:ff9b::6464:64c8", []string{"CGNAT", "100.100.100.200", "NAT64"}},
		{"64:ff9b::", []string{"unspecified", "0.0.0.0", "NAT64"}},
		{"64:ff9b::e000:fb", []string{"multicast", "224.0.0.251", "NAT64"}},
		{"64:ff9b::ffff:ffff", []string{"broadcast", "NAT64"}},
		{"64:ff9b::c000:9", []string{"Port Control Protocol anycast", "NAT64"}},
		// Next to the well-known /96, but not in it: reserved space.
		{"64:ff9b::1:0:0:7f00:1", []string{"reserved"}},
		// NAT64 local-use prefix: refused whole.
		{"64:ff9b:1::1", []string{"translation"}},
		{"64:ff9b:1::808:808", []string{"translation"}},
		{"64:ff9b:1:ffff::7f00:1", []string{"translation"}},
		// 6to4 (IPv4 in bits 16-47): refused whole.
		{"2002:7f00:1::", []string{"loopback", "127.0.0.1", "6to4"}},
		{"2002:a00:1::1", []string{"private", "10.0.0.1", "6to4"}},
		{"2002:a9fe:a9fe:1::1", []string{"cloud metadata", "169.254.169.254", "6to4"}},
		{"2002:808:808::1", []string{"6to4"}},
		// Teredo (server in bits 32-63, client inverted in the last 32 bits): refused whole.
		{"2001:0:7f00:1:8000:0:f7f7:f7f7", []string{"loopback", "127.0.0.1", "Teredo"}},
		{"2001:0:808:808:8000:0:f5ff:fffe", []string{"private", "10.0.0.1", "Teredo"}},
		{"2001:0:808:808:8000:0:5601:5601", []string{"cloud metadata", "169.254.169.254", "Teredo"}},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", []string{"documentation", "192.0.2.45", "Teredo"}},
		{"2001:0:808:808:8000:0:b7f7:f7f7", []string{"Teredo"}},
		// ISATAP interface identifiers under an ordinary prefix: judged.
		{"2a00:1450:4001::5efe:7f00:1", []string{"loopback", "127.0.0.1", "ISATAP"}},
		{"2a00:1450:4001::200:5efe:a00:1", []string{"private", "10.0.0.1", "ISATAP"}},
		{"2a00:1450:4001:1:0:5efe:a9fe:a9fe", []string{"cloud metadata", "169.254.169.254", "ISATAP"}},
		// ISATAP under a refused prefix: the prefix decides.
		{"fe80::5efe:808:808", []string{"link-local"}},
	})
	testAllowed(t, []string{
		// NAT64 of public addresses, as a DNS64 resolver hands them out.
		"64:ff9b::808:808", "64:ff9b::5db8:d822", "64:ff9b::c01f:c401",
		// ISATAP with a public IPv4 address, and look-alikes that are not ISATAP.
		"2a00:1450:4001::200:5efe:808:808", "2a00:1450:4001::100:5efe:7f00:1", "2a00:1450:4001::5eff:7f00:1",
	})
	t.Run("the refusal of an embedded form names the IPv4 address it carries", func(t *testing.T) {
		var refused *RefusedError
		err := Check(netip.MustParseAddr("64:ff9b::a9fe:a9fe"), false)
		if !errors.As(err, &refused) || refused.Embedded != netip.MustParseAddr("169.254.169.254") || refused.Prefix != netip.MustParsePrefix("64:ff9b::/96") || refused.RFC != "RFC 6052" {
			t.Fatalf("Check = %#v, want Embedded 169.254.169.254 under 64:ff9b::/96 (RFC 6052)", err)
		}
	})
}

// ianaEntry is one entry of the IANA special-purpose registries, copied from
// the registries themselves (not from the guard's table), with its
// "Globally Reachable" column.
type ianaEntry struct {
	prefix    string
	reachable bool
}

// TestEveryIANASpecialPurposeEntryIsDecided checks the guard against the
// IPv4 and IPv6 Special-Purpose Address Registries (as updated through
// 2025): every entry that is not globally reachable (False or N/A) is
// refused from its first to its last address; of the globally reachable
// ones, the AS112 sinks are allowed and the anycast services and
// identifiers refused, as decided in netguard.go.
func TestEveryIANASpecialPurposeEntryIsDecided(t *testing.T) {
	registry := []ianaEntry{
		{"0.0.0.0/8", false}, {"0.0.0.0/32", false}, {"10.0.0.0/8", false}, {"100.64.0.0/10", false},
		{"127.0.0.0/8", false}, {"169.254.0.0/16", false}, {"172.16.0.0/12", false}, {"192.0.0.0/24", false},
		{"192.0.0.0/29", false}, {"192.0.0.8/32", false}, {"192.0.0.9/32", true}, {"192.0.0.10/32", true},
		{"192.0.0.170/32", false}, {"192.0.0.171/32", false}, {"192.0.2.0/24", false}, {"192.31.196.0/24", true},
		{"192.52.193.0/24", true}, {"192.88.99.0/24", false}, {"192.88.99.2/32", false}, {"192.168.0.0/16", false},
		{"192.175.48.0/24", true}, {"198.18.0.0/15", false}, {"198.51.100.0/24", false}, {"203.0.113.0/24", false},
		{"240.0.0.0/4", false}, {"255.255.255.255/32", false},

		{"::1/128", false}, {"::/128", false}, {"::ffff:0:0/96", false}, {"64:ff9b::/96", true},
		{"64:ff9b:1::/48", false}, {"100::/64", false}, {"100:0:0:1::/64", false}, {"2001::/23", false},
		{"2001::/32", false}, {"2001:1::1/128", true}, {"2001:1::2/128", true}, {"2001:1::3/128", true},
		{"2001:2::/48", false}, {"2001:3::/32", true}, {"2001:4:112::/48", true}, {"2001:10::/28", false},
		{"2001:20::/28", true}, {"2001:30::/28", true}, {"2001:db8::/32", false}, {"2002::/16", false},
		{"2620:4f:8000::/48", true}, {"3fff::/20", false}, {"5f00::/16", false}, {"fc00::/7", false},
		{"fe80::/10", false},
	}
	allowedExceptions := map[string]bool{
		"192.31.196.0/24": true, "192.175.48.0/24": true, "2001:4:112::/48": true, "2620:4f:8000::/48": true,
	}
	for _, e := range registry {
		pfx := netip.MustParsePrefix(e.prefix)
		first, last := pfx.Addr(), lastAddr(pfx)
		switch {
		case e.prefix == "64:ff9b::/96":
			// Judged by the IPv4 address carried: see the embedded-form test.
			continue
		case !e.reachable:
			t.Run(e.prefix+" is not globally reachable and is refused throughout", func(t *testing.T) {
				for _, a := range []netip.Addr{first, last} {
					if Classify(a) == "" {
						t.Errorf("Classify(%s) = \"\", want it refused", a)
					}
				}
			})
		case allowedExceptions[e.prefix]:
			t.Run(e.prefix+" is globally reachable and allowed", func(t *testing.T) {
				for _, a := range []netip.Addr{first, last} {
					if got := Classify(a); got != "" {
						t.Errorf("Classify(%s) = %q, want \"\"", a, got)
					}
				}
			})
		default:
			t.Run(e.prefix+" is globally reachable but refused as decided", func(t *testing.T) {
				for _, a := range []netip.Addr{first, last} {
					if Classify(a) == "" {
						t.Errorf("Classify(%s) = \"\", want it refused", a)
					}
				}
			})
		}
	}
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func TestAllowNetsOpensOnlyTheAddressesReallyDialled(t *testing.T) {
	cases := []struct {
		name    string
		allow   string
		addr    string
		permits bool
	}{
		{"an allowed IPv4 address is permitted", "127.0.0.2/32", "127.0.0.2", true},
		{"its IPv4-mapped form is permitted, since the kernel dials the IPv4 address", "127.0.0.2/32", "::ffff:127.0.0.2", true},
		{"its NAT64 form is refused, since a gateway's network is reached", "127.0.0.2/32", "64:ff9b::7f00:2", false},
		{"its 6to4 form is refused", "127.0.0.2/32", "2002:7f00:2::1", false},
		{"its IPv4-compatible form is refused", "127.0.0.2/32", "::7f00:2", false},
		{"a neighbour of the allowed address is refused", "127.0.0.2/32", "127.0.0.1", false},
		{"an allowed private network does not open its NAT64 forms", "10.0.0.0/8", "64:ff9b::a00:1", false},
		{"an allowed IPv6 prefix is permitted", "fd00:1::/64", "fd00:1::5", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := &Dialer{AllowNets: []netip.Prefix{netip.MustParsePrefix(c.allow)}}
			err := d.Permits(netip.MustParseAddr(c.addr))
			if (err == nil) != c.permits {
				t.Fatalf("Permits(%s) with AllowNets %s = %v, want permitted %v", c.addr, c.allow, err, c.permits)
			}
		})
	}
}

// TestDialerObserverSeesEveryDecisionAndCanOnlyRefuse dials a listener on
// 127.0.0.1 and shows that Observe sees the guard's verdict, that its error
// stops a permitted dial before any connection, and that it cannot open a
// refused one.
func TestDialerObserverSeesEveryDecisionAndCanOnlyRefuse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	target := ln.Addr().String()
	veto := errors.New("observer says no")
	cases := []struct {
		name        string
		allow       []netip.Prefix
		observe     error
		wantRefused bool
		wantVeto    bool
	}{
		{"a refused address is refused even when the observer has no objection", nil, nil, true, false},
		{"a refused address stays refused when the observer objects too", nil, veto, true, false},
		{"a permitted address is refused when the observer objects", []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, veto, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var seen []error
			d := &Dialer{AllowNets: c.allow, Observe: func(ap netip.AddrPort, verdict error) error {
				if ap.String() != target {
					t.Errorf("observed %s, want %s", ap, target)
				}
				seen = append(seen, verdict)
				return c.observe
			}}
			conn, err := d.DialContext(context.Background(), "tcp", target)
			if err == nil {
				conn.Close()
				t.Fatal("dial succeeded, want it stopped")
			}
			var refused *RefusedError
			if errors.As(err, &refused) != c.wantRefused || errors.Is(err, veto) != c.wantVeto {
				t.Fatalf("dial error %v: refused %v, vetoed %v; want %v, %v", err, errors.As(err, &refused), errors.Is(err, veto), c.wantRefused, c.wantVeto)
			}
			if len(seen) != 1 || (seen[0] != nil) != c.wantRefused {
				t.Fatalf("observer saw %v, want one verdict, refused = %v", seen, c.wantRefused)
			}
		})
	}
	if n := accepted.Load(); n != 0 {
		t.Fatalf("the listener accepted %d connections, want none", n)
	}
}
