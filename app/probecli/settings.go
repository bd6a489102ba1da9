package probecli

import (
	"context"
	"net/netip"
	"strings"
	"time"

	"tenderprobe/app/probe"
	"tenderprobe/app/settings"
)

// Settings are the probe settings a user gives on the command line, shared
// by `tenderprobe probe` and `tenderprobe serve` so that both read them the
// same way. Zero ports mean the standard ones; an empty Resolver means the
// first nameserver of /etc/resolv.conf.
type Settings struct {
	Resolver     string
	TrustAnchor  string
	CAFile       string
	RPKIVRPs     string
	AllowPrivate bool
	AllowNets    []netip.Prefix
	Timeout      time.Duration
	HTTPSPort    int
	HTTPPort     int
	SMTPPort     int
	NSPort       int
}

// BuildConfig turns s into an engine configuration, loading the trust
// anchor file, the CA bundle and the VRP set.
func BuildConfig(ctx context.Context, s Settings) (probe.Config, error) {
	return buildConfig(ctx, s)
}

// Table is the probe settings as rows of a settings table, under the
// names of `tenderprobe probe` or, for serve, under the names `serve` gives
// them (the timeout and ports prefixed with probe-) with their
// TENDERPROBE_* variables. Both commands read the settings through it.
func (s *Settings) Table(serve bool) []settings.Setting {
	name, env := func(n string) string { return n }, func(string) string { return "" }
	if serve {
		name = func(n string) string {
			if n == "timeout" || strings.HasSuffix(n, "-port") {
				return "probe-" + n
			}
			return n
		}
		env = func(n string) string { return "TENDERPROBE_" + strings.ToUpper(strings.ReplaceAll(n, "-", "_")) }
	}
	row := func(st settings.Setting, flagName, meta, help string) settings.Setting {
		n := name(flagName)
		return st.With(n, env(n), meta, help)
	}
	if s.Timeout == 0 {
		s.Timeout = probe.DefaultTimeout
	}
	return []settings.Setting{
		row(settings.String(&s.Resolver), "resolver", "ADDR", "recursive resolver, host or host:port").Showing("the first nameserver of /etc/resolv.conf"),
		row(settings.String(&s.TrustAnchor), "trust-anchor", "FILE", "root DS or DNSKEY records in zone-file syntax").Showing("the IANA root KSKs built in"),
		row(settings.String(&s.CAFile), "ca-file", "FILE", "PEM bundle of CA certificates to trust").Showing("the system pool"),
		row(settings.String(&s.RPKIVRPs), "rpki-vrps", "PATH", "VRP set (rpki-client or Routinator JSON), file or http(s) URL; without it RPKI checks give no verdict"),
		row(settings.Bool(&s.AllowPrivate), "allow-private", "", "permit private, loopback and other special-purpose addresses (refused by default)"),
		settings.Prefixes(&s.AllowNets).With(name("allow-net"), env("allow-nets"), "CIDR", "permit special-purpose addresses in CIDR only (repeatable or comma-separated)"),
		row(settings.Duration(&s.Timeout, time.Nanosecond), "timeout", "D", "budget for probing one domain"),
		row(settings.Port(&s.HTTPSPort, 443), "https-port", "N", "port of HTTPS servers"),
		row(settings.Port(&s.HTTPPort, 80), "http-port", "N", "port of plain HTTP servers"),
		row(settings.Port(&s.SMTPPort, 25), "smtp-port", "N", "port of mail servers"),
		row(settings.Port(&s.NSPort, 53), "ns-port", "N", "port name servers are asked on directly"),
	}
}

// AppendPrefixes parses a comma-separated list of CIDR prefixes for
// --allow-net (settings.AppendPrefixes).
func AppendPrefixes(list []netip.Prefix, v string) ([]netip.Prefix, error) {
	return settings.AppendPrefixes(list, v)
}
