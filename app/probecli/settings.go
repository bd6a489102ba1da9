package probecli

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"tenderprobe/app/probe"
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
	o := options{
		resolver: s.Resolver, trustAnchor: s.TrustAnchor, caFile: s.CAFile, rpkiVRPs: s.RPKIVRPs,
		allowPrivate: s.AllowPrivate, allowNets: s.AllowNets, timeout: s.Timeout,
		httpsPort: s.HTTPSPort, httpPort: s.HTTPPort, smtpPort: s.SMTPPort, nsPort: s.NSPort,
	}
	if o.timeout <= 0 {
		o.timeout = probe.DefaultTimeout
	}
	return buildConfig(ctx, o)
}

// AppendPrefixes parses a comma-separated list of CIDR prefixes (an address
// alone means just that address) for --allow-net and appends them to list.
func AppendPrefixes(list []netip.Prefix, v string) ([]netip.Prefix, error) {
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return list, fmt.Errorf("%q is not an address or CIDR prefix", part)
			}
			list = append(list, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		pfx, err := netip.ParsePrefix(part)
		if err != nil {
			return list, fmt.Errorf("%q is not a CIDR prefix like 10.1.0.0/16", part)
		}
		list = append(list, pfx.Masked())
	}
	return list, nil
}
