package probecli

import (
	"context"
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
		allowPrivate: s.AllowPrivate, timeout: s.Timeout,
		httpsPort: s.HTTPSPort, httpPort: s.HTTPPort, smtpPort: s.SMTPPort, nsPort: s.NSPort,
	}
	if o.timeout <= 0 {
		o.timeout = probe.DefaultTimeout
	}
	return buildConfig(ctx, o)
}
