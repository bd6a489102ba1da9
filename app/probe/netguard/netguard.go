// Package netguard keeps probes from being turned against the machine they
// run on or its private network (SSRF). Every connection a probe makes goes
// through a Dialer whose Control hook checks the address actually dialled,
// after DNS resolution and after every redirect.
package netguard

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// refused lists special-purpose ranges a probe must not connect to unless
// private targets are explicitly allowed (IANA special-purpose registries,
// RFC 6890 and its updates).
var refused = []struct {
	prefix netip.Prefix
	why    string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified (this network)"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private (RFC 1918)"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared address space (CGNAT, RFC 6598)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local (includes cloud metadata 169.254.169.254)"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private (RFC 1918)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation (TEST-NET-1)"},
	{netip.MustParsePrefix("192.88.99.0/24"), "6to4 relay anycast (deprecated)"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private (RFC 1918)"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking (RFC 2544)"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation (TEST-NET-2)"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation (TEST-NET-3)"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("::ffff:0:0/96"), "IPv4-mapped"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use IPv4/IPv6 translation"},
	{netip.MustParsePrefix("100::/64"), "discard-only"},
	{netip.MustParsePrefix("2001::/23"), "IETF protocol assignments"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("3fff::/20"), "documentation"},
	{netip.MustParsePrefix("fc00::/7"), "unique local (private)"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "site-local (deprecated)"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
	{netip.MustParsePrefix("fd00:ec2::254/128"), "cloud metadata"},
}

// Classify returns why addr is a special-purpose address a probe refuses by
// default, or "" when it is an ordinary public address.
func Classify(addr netip.Addr) string {
	addr = addr.WithZone("")
	if addr.Is4In6() {
		// Judge the embedded IPv4 address too, so ::ffff:127.0.0.1 is loopback.
		if why := Classify(addr.Unmap()); why != "" {
			return why
		}
	}
	for _, r := range refused {
		if r.prefix.Contains(addr) {
			return r.why
		}
	}
	return ""
}

// RefusedError is returned when a probe would connect to a refused address.
type RefusedError struct {
	Addr netip.Addr
	Why  string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refused to connect to %s: %s address (use --allow-private to permit)", e.Addr, e.Why)
}

// Check returns a *RefusedError when addr may not be probed.
func Check(addr netip.Addr, allowPrivate bool) error {
	if allowPrivate {
		return nil
	}
	if why := Classify(addr); why != "" {
		return &RefusedError{Addr: addr, Why: why}
	}
	return nil
}

// Dialer dials connections only to permitted addresses.
type Dialer struct {
	// AllowPrivate permits every special-purpose address.
	AllowPrivate bool
	// AllowNets permits special-purpose addresses inside these prefixes only,
	// for an installation that must probe its own internal network without
	// opening every range (cloud metadata stays refused unless listed).
	AllowNets []netip.Prefix
	Timeout   time.Duration
}

// Permits reports whether the dialer may connect to addr, and why not.
func (d *Dialer) Permits(addr netip.Addr) error {
	for _, p := range d.AllowNets {
		if p.Contains(addr.WithZone("")) {
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
		Control: func(_, addr string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(addr)
			if err != nil {
				return fmt.Errorf("netguard: parse dialled address %q: %w", addr, err)
			}
			return d.Permits(ap.Addr())
		},
	}
	return nd.DialContext(ctx, network, address)
}
