// Package netguard keeps probes from being turned against the machine they
// run on or its private network (SSRF). Every connection a probe makes goes
// through a Dialer whose Control hook checks the address actually dialled,
// after DNS resolution, CNAME chains and every redirect: whatever path led to
// a socket, the socket's own destination is judged.
//
// Two connections are deliberately not guarded, because the operator chose
// their addresses and a probed domain cannot steer them: the DNS queries to
// the configured recursive resolver (package resolver), and the download of
// the VRP set (rpki.LoadVRPs).
package netguard

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// decision is what the guard does with the addresses a rule covers.
type decision int

const (
	// refuse refuses every address of the prefix.
	refuse decision = iota + 1
	// judgeEmbedded refuses an address only when the IPv4 address it
	// carries is refused.
	judgeEmbedded
	// permit is a range IANA calls globally reachable that the guard lets
	// through, even inside a refused range.
	permit
)

// rule is one row of the table: a prefix, its name as a refusal shows it,
// the RFC that defines it and why the guard decides as it does.
type rule struct {
	prefix   netip.Prefix
	decision decision
	name     string
	rfc      string
	why      string
	// carried returns the IPv4 addresses an address of this form embeds, so
	// that a refusal can name them and judgeEmbedded can judge them.
	carried func(netip.Addr) []netip.Addr
}

// rules is the table the guard judges by, the most specific prefix
// deciding. It lists every entry of the IANA IPv4 and IPv6 Special-Purpose
// Address Registries as updated through 2025 (the latest entries followed:
// 2001:1::3/128, RFC 9665, and 100:0:0:1::/64, RFC 9780), the globally
// reachable ones included so that the table can be compared with the
// registries line by line, then the other ranges a probe has no business
// connecting to.
//
// Registry entries IANA marks globally reachable are refused all the same
// when they are anycast services answered by whoever is nearest the prober
// (PCP, TURN, SRP, AMT: the prober's own NAT, provider or link), or
// identifiers rather than locators (ORCHID, DET); only the AS112 DNS sinks
// are let through.
var rules = []rule{
	// IANA IPv4 Special-Purpose Address Registry.
	{p("0.0.0.0/8"), refuse, "this network (unspecified)", "RFC 791 §3.2", "a source-only range, never a destination", nil},
	{p("0.0.0.0/32"), refuse, "unspecified (this host on this network)", "RFC 1122 §3.2.1.3", "Linux connects 0.0.0.0 to the local host", nil},
	{p("10.0.0.0/8"), refuse, "private (RFC 1918)", "RFC 1918", "private networks", nil},
	{p("100.64.0.0/10"), refuse, "shared address space (CGNAT, RFC 6598)", "RFC 6598", "a provider's side of carrier-grade NAT; Alibaba Cloud's metadata service 100.100.100.200 lives here", nil},
	{p("127.0.0.0/8"), refuse, "loopback", "RFC 1122 §3.2.1.3", "the probing machine itself", nil},
	{p("169.254.0.0/16"), refuse, "link-local", "RFC 3927", "the prober's own link", nil},
	{p("172.16.0.0/12"), refuse, "private (RFC 1918)", "RFC 1918", "private networks", nil},
	{p("192.0.0.0/24"), refuse, "IETF protocol assignments", "RFC 6890 §2.1", "not globally reachable, its anycast entries below refused as well", nil},
	{p("192.0.0.0/29"), refuse, "IPv4 service continuity prefix (DS-Lite)", "RFC 7335", "the B4/AFTR link of the prober's provider", nil},
	{p("192.0.0.8/32"), refuse, "IPv4 dummy address", "RFC 7600", "not a destination", nil},
	{p("192.0.0.9/32"), refuse, "Port Control Protocol anycast", "RFC 7723", "globally reachable for IANA, but answered by the PCP server nearest the prober: its own NAT", nil},
	{p("192.0.0.10/32"), refuse, "TURN anycast", "RFC 8155", "globally reachable for IANA, but answered by the TURN server nearest the prober", nil},
	{p("192.0.0.170/32"), refuse, "NAT64/DNS64 discovery", "RFC 7050, RFC 8880", "only meaningful to the local resolver", nil},
	{p("192.0.0.171/32"), refuse, "NAT64/DNS64 discovery", "RFC 7050, RFC 8880", "only meaningful to the local resolver", nil},
	{p("192.0.2.0/24"), refuse, "documentation (TEST-NET-1)", "RFC 5737", "examples, never a real host", nil},
	{p("192.31.196.0/24"), permit, "AS112-v4", "RFC 7535", "public anycast DNS sinks, globally reachable and harmless", nil},
	{p("192.52.193.0/24"), refuse, "AMT relay anycast", "RFC 7450", "globally reachable for IANA, but answered by the relay nearest the prober", nil},
	{p("192.88.99.0/24"), refuse, "6to4 relay anycast (deprecated)", "RFC 7526", "deprecated; a relay near the prober", nil},
	{p("192.88.99.2/32"), refuse, "6a44 relay anycast", "RFC 6751", "a relay near the prober", nil},
	{p("192.168.0.0/16"), refuse, "private (RFC 1918)", "RFC 1918", "private networks", nil},
	{p("192.175.48.0/24"), permit, "AS112 direct delegation", "RFC 7534", "public anycast DNS sinks, globally reachable and harmless", nil},
	{p("198.18.0.0/15"), refuse, "benchmarking (RFC 2544)", "RFC 2544", "lab networks", nil},
	{p("198.51.100.0/24"), refuse, "documentation (TEST-NET-2)", "RFC 5737", "examples, never a real host", nil},
	{p("203.0.113.0/24"), refuse, "documentation (TEST-NET-3)", "RFC 5737", "examples, never a real host", nil},
	{p("240.0.0.0/4"), refuse, "reserved", "RFC 1112 §4", "not routed", nil},
	{p("255.255.255.255/32"), refuse, "limited broadcast (reserved)", "RFC 919 §7, RFC 8190", "every host on the prober's link", nil},

	// Other IPv4 ranges.
	{p("224.0.0.0/4"), refuse, "multicast", "RFC 5771", "a probe talks to one host, not a group", nil},
	{p("169.254.169.254/32"), refuse, "cloud metadata (link-local)", "RFC 3927", "AWS, Google Cloud, Azure and OpenStack instance metadata, with credentials", nil},
	{p("168.63.129.16/32"), refuse, "cloud metadata (Azure WireServer)", "", "a public address that Azure answers from the host a VM runs on", nil},

	// IANA IPv6 Special-Purpose Address Registry.
	{p("::/128"), refuse, "unspecified", "RFC 4291", "Linux connects :: to the local host", nil},
	{p("::1/128"), refuse, "loopback", "RFC 4291", "the probing machine itself", nil},
	// The kernel connects an IPv4-mapped address as the IPv4 address, so
	// the name says which; IANA calls the whole range not globally
	// reachable, and an AAAA record holding one is IPv4 in disguise.
	{p("::ffff:0:0/96"), refuse, "IPv4-mapped (::ffff:0:0/96)", "RFC 4291 §2.5.5.2", "IPv4 in disguise", last32},
	// RFC 6052 §3.1 forbids the well-known prefix for non-global IPv4
	// addresses, and IANA calls it globally reachable: a public IPv4
	// behind it is an ordinary target, a private one would be reached by
	// the NAT64 gateway on the prober's network.
	{p("64:ff9b::/96"), judgeEmbedded, "NAT64 (64:ff9b::/96)", "RFC 6052", "judged by the IPv4 address it carries", last32},
	// The local-use prefix is the operator's own translator, with an
	// embedding (RFC 6052 §2.2) the guard cannot know: refused whole.
	{p("64:ff9b:1::/48"), refuse, "local-use IPv4/IPv6 translation (64:ff9b:1::/48)", "RFC 8215", "not globally reachable", nil},
	{p("100::/64"), refuse, "discard-only", "RFC 6666", "black-holed", nil},
	{p("100:0:0:1::/64"), refuse, "dummy IPv6 prefix", "RFC 9780", "not a destination", nil},
	{p("2001::/23"), refuse, "IETF protocol assignments", "RFC 2928", "not globally reachable", nil},
	// A tunnel through a Teredo relay to a client's IPv4 NAT: a transition
	// mechanism a probe has no business dialling (N/A for IANA), refused
	// whole; the server and client IPv4 addresses are named when special.
	{p("2001::/32"), refuse, "Teredo (2001::/32)", "RFC 4380, RFC 8190", "a tunnel, not a server", teredo},
	{p("2001:1::1/128"), refuse, "Port Control Protocol anycast", "RFC 7723", "globally reachable for IANA, but answered by the PCP server nearest the prober: its own NAT", nil},
	{p("2001:1::2/128"), refuse, "TURN anycast", "RFC 8155", "globally reachable for IANA, but answered by the TURN server nearest the prober", nil},
	{p("2001:1::3/128"), refuse, "DNS-SD service registration anycast", "RFC 9665", "globally reachable for IANA, but answered by the SRP registrar on the prober's own network", nil},
	{p("2001:2::/48"), refuse, "benchmarking", "RFC 5180", "lab networks", nil},
	{p("2001:3::/32"), refuse, "AMT relay anycast", "RFC 7450", "globally reachable for IANA, but answered by the relay nearest the prober", nil},
	{p("2001:4:112::/48"), permit, "AS112-v6", "RFC 7535", "public anycast DNS sinks, globally reachable and harmless", nil},
	{p("2001:10::/28"), refuse, "ORCHID (deprecated)", "RFC 4843", "identifiers, not locators", nil},
	{p("2001:20::/28"), refuse, "ORCHIDv2", "RFC 7343", "globally reachable for IANA, but identifiers, not locators: a HIP stack on the prober would choose where they lead", nil},
	{p("2001:30::/28"), refuse, "drone remote ID entity tags (DET)", "RFC 9374", "globally reachable for IANA, but ORCHID-based identifiers, not locators", nil},
	{p("2001:db8::/32"), refuse, "documentation", "RFC 3849", "examples, never a real host", nil},
	// 6to4 hands the packet to a relay that unwraps it towards the IPv4
	// address in bits 16-47, possibly the prober's own sit interface: a
	// transition mechanism a probe has no business dialling (N/A for
	// IANA), refused whole, naming the IPv4 address when special.
	{p("2002::/16"), refuse, "6to4 (2002::/16)", "RFC 3056", "a tunnel, not a server", sixToFour},
	{p("2620:4f:8000::/48"), permit, "AS112 direct delegation", "RFC 7534", "public anycast DNS sinks, globally reachable and harmless", nil},
	{p("3fff::/20"), refuse, "documentation", "RFC 9637", "examples, never a real host", nil},
	{p("5f00::/16"), refuse, "segment routing (SRv6) SIDs", "RFC 9602", "not globally reachable", nil},
	{p("fc00::/7"), refuse, "unique local (private)", "RFC 4193", "private networks", nil},
	{p("fe80::/10"), refuse, "link-local", "RFC 4291", "the prober's own link", nil},

	// Other IPv6 ranges.
	{p("ff00::/8"), refuse, "multicast", "RFC 4291 §2.7", "a probe talks to one host, not a group", nil},
	{p("fec0::/10"), refuse, "site-local (deprecated)", "RFC 3879", "private networks of old", nil},
	{p("fd00:ec2::254/128"), refuse, "cloud metadata (unique local)", "RFC 4193", "AWS instance metadata over IPv6, with credentials", nil},
	// Deprecated, but a dual-stack kernel may still tunnel it to the IPv4
	// address: refused whole, naming the IPv4 address when special.
	{p("::/96"), refuse, "IPv4-compatible (::/96, deprecated)", "RFC 4291 §2.5.5.1", "IPv4 in disguise", last32},
	{p("::ffff:0:0:0/96"), refuse, "IPv4-translated (::ffff:0:0:0/96, obsolete)", "RFC 2765 §2.1", "IPv4 in disguise", last32},
	// IANA's IPv6 Address Space: only 2000::/3 is global unicast; the
	// rest outside the blocks above is reserved by the IETF and routed
	// nowhere, except inside networks that squat on it.
	{p("::/8"), refuse, "reserved by the IETF", "RFC 4291", "outside global unicast 2000::/3", nil},
	{p("100::/8"), refuse, "reserved by the IETF", "RFC 4291", "outside global unicast 2000::/3", nil},
	{p("200::/7"), refuse, "reserved by the IETF", "RFC 4048", "outside global unicast 2000::/3", nil},
	{p("400::/6"), refuse, "reserved by the IETF", "RFC 4291", "outside global unicast 2000::/3", nil},
	{p("800::/5"), refuse, "reserved by the IETF", "RFC 4291", "outside global unicast 2000::/3", nil},
	{p("1000::/4"), refuse, "reserved by the IETF", "RFC 4291", "outside global unicast 2000::/3", nil},
	{p("4000::/3"), refuse, "reserved by the IETF", "RFC 4291", "outside global unicast 2000::/3", nil},
	{p("6000::/3"), refuse, "reserved by the IETF", "RFC 4291", "outside global unicast 2000::/3", nil},
	{p("8000::/3"), refuse, "reserved by the IETF", "RFC 4291", "outside global unicast 2000::/3", nil},
	{p("a000::/3"), refuse, "reserved by the IETF", "RFC 4291", "outside global unicast 2000::/3", nil},
	{p("c000::/3"), refuse, "reserved by the IETF", "RFC 4291", "outside global unicast 2000::/3", nil},
	{p("e000::/4"), refuse, "reserved by the IETF", "RFC 4291", "outside global unicast 2000::/3", nil},
	{p("f000::/5"), refuse, "reserved by the IETF", "RFC 4291", "outside global unicast 2000::/3", nil},
	{p("f800::/6"), refuse, "reserved by the IETF", "RFC 4291", "outside global unicast 2000::/3", nil},
	{p("fe00::/9"), refuse, "reserved by the IETF", "RFC 4291", "outside global unicast 2000::/3", nil},
}

// isatap names ISATAP interface identifiers (RFC 5214 §6.1), which carry an
// IPv4 address in the last 32 bits under any /64 prefix. A host with an
// ISATAP interface sends such packets over IPv4 to that address, so they are
// judged by it; the prefix itself is ordinary, so a public IPv4 address
// behind it is not refused.
const isatap = "ISATAP interface identifier (::0:5efe:0:0/96 or ::200:5efe:0:0/96)"

func p(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// last32 is the IPv4 address in the low 32 bits (mapped, compatible,
// translated and NAT64 /96 forms, ISATAP).
func last32(a netip.Addr) []netip.Addr {
	b := a.As16()
	return []netip.Addr{netip.AddrFrom4([4]byte(b[12:16]))}
}

// sixToFour is the IPv4 address in bits 16-47 (RFC 3056 §2).
func sixToFour(a netip.Addr) []netip.Addr {
	b := a.As16()
	return []netip.Addr{netip.AddrFrom4([4]byte(b[2:6]))}
}

// teredo is the server's IPv4 address (bits 32-63) and the client's
// (the last 32 bits, each inverted, RFC 4380 §4).
func teredo(a netip.Addr) []netip.Addr {
	b := a.As16()
	return []netip.Addr{
		netip.AddrFrom4([4]byte(b[4:8])),
		netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]}),
	}
}

// match returns the most specific rule containing addr.
func match(addr netip.Addr) (*rule, bool) {
	var best *rule
	for i := range rules {
		r := &rules[i]
		if r.prefix.Contains(addr) && (best == nil || r.prefix.Bits() > best.prefix.Bits()) {
			best = r
		}
	}
	return best, best != nil
}

// refusal is why an address is refused: the rule, and the IPv4 address it
// carries when that one is refused too.
type refusal struct {
	why      string
	prefix   netip.Prefix
	rfc      string
	embedded netip.Addr
}

// judge returns why addr is refused, or false for an ordinary address.
func judge(addr netip.Addr) (refusal, bool) {
	addr = addr.WithZone("")
	r, found := match(addr)
	if found && r.carried != nil {
		if inner, ok := firstRefused(r.carried(addr)); ok {
			return inner.inside(r.name, r.prefix, r.rfc), true
		}
	}
	if found && r.decision == refuse {
		return refusal{why: r.name, prefix: r.prefix, rfc: r.rfc}, true
	}
	if b := addr.As16(); addr.Is6() && (b[8] == 0 || b[8] == 2) && b[9] == 0 && b[10] == 0x5e && b[11] == 0xfe {
		if inner, ok := firstRefused(last32(addr)); ok {
			return inner.inside("an "+isatap, netip.PrefixFrom(addr, 128), "RFC 5214"), true
		}
	}
	return refusal{}, false
}

// inside is the refusal of an IPv6 address of the form name that carries
// the refused IPv4 address r.embedded.
func (r refusal) inside(name string, prefix netip.Prefix, rfc string) refusal {
	return refusal{why: r.why + " " + r.embedded.String() + " inside " + name, prefix: prefix, rfc: rfc, embedded: r.embedded}
}

// firstRefused judges embedded IPv4 addresses and returns the first refused.
func firstRefused(addrs []netip.Addr) (refusal, bool) {
	for _, a := range addrs {
		if r, ok := judge(a); ok {
			r.embedded = a
			return r, true
		}
	}
	return refusal{}, false
}

// Classify returns why addr is a special-purpose address a probe refuses by
// default, or "" when it is an ordinary public address. An IPv6 address that
// carries an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo, ISATAP)
// is judged by that address as well, and the reason then names it.
func Classify(addr netip.Addr) string {
	r, _ := judge(addr)
	return r.why
}

// RefusedError is returned when a probe would connect to a refused address.
type RefusedError struct {
	Addr netip.Addr
	Why  string
	// Prefix is the range of the rule that refused Addr, RFC the document
	// that defines it.
	Prefix netip.Prefix
	RFC    string
	// Embedded is the refused IPv4 address Addr carries, if that is why.
	Embedded netip.Addr
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refused to connect to %s: %s address (use --allow-private to permit)", e.Addr, e.Why)
}

// Check returns a *RefusedError when addr may not be probed.
func Check(addr netip.Addr, allowPrivate bool) error {
	if allowPrivate {
		return nil
	}
	if r, ok := judge(addr); ok {
		return &RefusedError{Addr: addr, Why: r.why, Prefix: r.prefix, RFC: r.rfc, Embedded: r.embedded}
	}
	return nil
}

// Dialer dials connections only to permitted addresses.
type Dialer struct {
	// AllowPrivate permits every special-purpose address.
	AllowPrivate bool
	// AllowNets permits special-purpose addresses inside these prefixes only,
	// for an installation that must probe its own internal network without
	// opening every range (cloud metadata stays refused unless listed). An
	// allowed IPv4 prefix does not allow its NAT64, 6to4 or Teredo forms:
	// those reach a gateway's network, which need not be the one allowed.
	AllowNets []netip.Prefix
	Timeout   time.Duration
	// Observe, when set, is called with every decision of the Control hook:
	// the address about to be dialled and the verdict (nil: permitted). An
	// error it returns refuses a connection the guard permitted; it can
	// never permit one the guard refused. Tests use it to see the guard's
	// decisions and to keep a wrongly permitted dial from leaving the machine.
	Observe func(addr netip.AddrPort, verdict error) error
}

// Permits reports whether the dialer may connect to addr, and why not.
func (d *Dialer) Permits(addr netip.Addr) error {
	// The kernel connects an IPv4-mapped address as the IPv4 address, so
	// that is what AllowNets is matched against.
	dialled := addr.WithZone("").Unmap()
	for _, p := range d.AllowNets {
		if p.Contains(dialled) {
			return nil
		}
	}
	return Check(addr, d.AllowPrivate)
}

// DialContext connects to address ("ip:port" or "host:port"). The check runs
// in the socket's Control hook, so it sees the address really dialled, whatever
// name resolution or redirects led there.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	nd := &net.Dialer{
		Timeout: d.Timeout,
		// A probe's connection lives seconds, so TCP keep-alive never
		// fires; turning it on cost four setsockopt calls per connection,
		// about 2% of a batch's CPU.
		KeepAlive: -1,
		Control: func(_, addr string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(addr)
			if err != nil {
				return fmt.Errorf("netguard: parse dialled address %q: %w", addr, err)
			}
			verdict := d.Permits(ap.Addr())
			if d.Observe != nil {
				if err := d.Observe(ap, verdict); err != nil && verdict == nil {
					return err
				}
			}
			return verdict
		},
	}
	return nd.DialContext(ctx, network, address)
}
