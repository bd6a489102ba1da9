package app

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"

	"tenderprobe/app/jobs"
	"tenderprobe/app/probecli"
)

// ProbeConfig holds the probe settings of `serve` (the same as those of
// `tenderprobe probe`, so an installation can point at its own resolver
// and a test at loopback peers) and the verification queue's settings.
type ProbeConfig struct {
	probecli.Settings
	// Workers is how many probe runs this process works on at once; 0
	// runs no workers here (another process sharing the database probes).
	Workers int
	// RecheckInterval is how often the attestations of awarded and active
	// tenders are verified again.
	RecheckInterval time.Duration
	// Lease is how long a run stays with a worker that stopped answering
	// before another worker takes it over.
	Lease time.Duration
}

// probeUsage is the part of the serve help about probing.
const probeUsage = `      --resolver ADDR        recursive resolver for probes (env TENDERPROBE_RESOLVER, default: /etc/resolv.conf)
      --trust-anchor FILE    DNSSEC root DS/DNSKEY records (env TENDERPROBE_TRUST_ANCHOR, default: IANA root KSKs)
      --ca-file FILE         PEM CA bundle probes trust (env TENDERPROBE_CA_FILE, default: system pool)
      --rpki-vrps PATH       VRP set, file or URL (env TENDERPROBE_RPKI_VRPS)
      --allow-private        let probes reach private and loopback addresses (env TENDERPROBE_ALLOW_PRIVATE=true)
      --allow-net CIDR       let probes reach special-purpose addresses in CIDR only; repeatable or
                             comma-separated (env TENDERPROBE_ALLOW_NETS)
      --probe-timeout D      budget for probing one domain (env TENDERPROBE_PROBE_TIMEOUT, default 60s)
      --probe-workers N      probe runs worked on at once; 0: none in this process (env TENDERPROBE_PROBE_WORKERS, default 4)
      --recheck-interval D   re-verify awarded and active tenders this often (env TENDERPROBE_RECHECK_INTERVAL, default 168h)
      --probe-https-port N, --probe-http-port N, --probe-smtp-port N, --probe-ns-port N
                             ports probes use (env TENDERPROBE_PROBE_*_PORT; defaults 443, 80, 25, 53)
`

func defaultProbeConfig() ProbeConfig {
	return ProbeConfig{
		Settings:        probecli.Settings{Timeout: 60 * time.Second},
		Workers:         jobs.DefaultWorkers,
		RecheckInterval: jobs.DefaultRecheckInterval,
		Lease:           jobs.DefaultLease,
	}
}

// validate reports probe settings that cannot work.
func (p ProbeConfig) validate() error {
	if p.Workers < 0 || p.Workers > 256 {
		return fmt.Errorf("config: probe-workers must be between 0 and 256, got %d", p.Workers)
	}
	if p.RecheckInterval < time.Minute {
		return fmt.Errorf("config: recheck-interval must be at least 1m, got %s", p.RecheckInterval)
	}
	if p.Timeout <= 0 || p.Lease <= 0 {
		return errors.New("config: probe-timeout must be positive")
	}
	for name, port := range map[string]int{"https": p.HTTPSPort, "http": p.HTTPPort, "smtp": p.SMTPPort, "ns": p.NSPort} {
		if port < 0 || port > 65535 {
			return fmt.Errorf("config: probe-%s-port must be between 1 and 65535, got %d", name, port)
		}
	}
	return nil
}

// register reads the TENDERPROBE_* variables into p and defines the flags
// that may override them on fs.
func (p *ProbeConfig) register(fs *flag.FlagSet, getenv func(string) string) error {
	for env, dst := range map[string]*string{"TENDERPROBE_RESOLVER": &p.Resolver, "TENDERPROBE_TRUST_ANCHOR": &p.TrustAnchor,
		"TENDERPROBE_CA_FILE": &p.CAFile, "TENDERPROBE_RPKI_VRPS": &p.RPKIVRPs} {
		if v := getenv(env); v != "" {
			*dst = v
		}
	}
	if v := getenv("TENDERPROBE_ALLOW_PRIVATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("config: TENDERPROBE_ALLOW_PRIVATE=%q is not a boolean", v)
		}
		p.AllowPrivate = b
	}
	if v := getenv("TENDERPROBE_ALLOW_NETS"); v != "" {
		nets, err := probecli.AppendPrefixes(nil, v)
		if err != nil {
			return fmt.Errorf("config: TENDERPROBE_ALLOW_NETS: %w", err)
		}
		p.AllowNets = nets
	}
	for env, dst := range map[string]*time.Duration{"TENDERPROBE_PROBE_TIMEOUT": &p.Timeout, "TENDERPROBE_RECHECK_INTERVAL": &p.RecheckInterval} {
		if v := getenv(env); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("config: %s=%q is not a duration like 168h", env, v)
			}
			*dst = d
		}
	}
	for env, dst := range map[string]*int{"TENDERPROBE_PROBE_WORKERS": &p.Workers, "TENDERPROBE_PROBE_HTTPS_PORT": &p.HTTPSPort,
		"TENDERPROBE_PROBE_HTTP_PORT": &p.HTTPPort, "TENDERPROBE_PROBE_SMTP_PORT": &p.SMTPPort, "TENDERPROBE_PROBE_NS_PORT": &p.NSPort} {
		if v := getenv(env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("config: %s=%q is not a number", env, v)
			}
			*dst = n
		}
	}
	fs.StringVar(&p.Resolver, "resolver", p.Resolver, "recursive resolver for probes")
	fs.StringVar(&p.TrustAnchor, "trust-anchor", p.TrustAnchor, "DNSSEC trust anchor file")
	fs.StringVar(&p.CAFile, "ca-file", p.CAFile, "PEM CA bundle for probes")
	fs.StringVar(&p.RPKIVRPs, "rpki-vrps", p.RPKIVRPs, "VRP set file or URL")
	fs.BoolVar(&p.AllowPrivate, "allow-private", p.AllowPrivate, "let probes reach private addresses")
	envNets := true // the first --allow-net replaces the environment's list
	fs.Func("allow-net", "let probes reach special-purpose addresses in these prefixes", func(v string) (err error) {
		if envNets {
			p.AllowNets, envNets = nil, false
		}
		p.AllowNets, err = probecli.AppendPrefixes(p.AllowNets, v)
		return err
	})
	fs.DurationVar(&p.Timeout, "probe-timeout", p.Timeout, "budget for one domain")
	fs.IntVar(&p.Workers, "probe-workers", p.Workers, "probe runs at once")
	fs.DurationVar(&p.RecheckInterval, "recheck-interval", p.RecheckInterval, "re-verification interval")
	fs.IntVar(&p.HTTPSPort, "probe-https-port", p.HTTPSPort, "HTTPS port probes use")
	fs.IntVar(&p.HTTPPort, "probe-http-port", p.HTTPPort, "HTTP port probes use")
	fs.IntVar(&p.SMTPPort, "probe-smtp-port", p.SMTPPort, "SMTP port probes use")
	fs.IntVar(&p.NSPort, "probe-ns-port", p.NSPort, "DNS port name servers are asked on")
	return nil
}
