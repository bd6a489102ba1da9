// Package probe checks from outside whether a domain implements the internet
// standards of the catalogue, the way internet.nl does: over DNS (with its own
// DNSSEC validation), TLS, HTTP and SMTP. It has no web framework imports so
// that the CLI and the app share it.
package probe

import (
	"crypto/x509"
	"fmt"
	"net/netip"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/rpki"
)

// Status is the verdict of one check; the check registry defines the
// statuses, these names keep the engine's code short.
type Status = check.Status

// The statuses a check can report.
const (
	StatusPass          = check.Pass
	StatusFail          = check.Fail
	StatusWarn          = check.Warn
	StatusInfo          = check.Informational
	StatusNotApplicable = check.NotApplicable
	StatusError         = check.Error
)

// Check is the outcome of one check for one domain. Details holds the raw
// evidence (records, signatures, certificate summaries, headers, transcripts)
// so that a verdict can be explained to a buyer.
type Check struct {
	ID       check.ID       `json:"id"`
	Status   Status         `json:"status"`
	Summary  string         `json:"summary"`
	Standard string         `json:"standard"`
	Details  map[string]any `json:"details"`
	// Finding is the code of Summary's sentence, the message
	// finding.<Finding> in every language; FindingParams are the values it
	// names. Summary is that message in English.
	Finding       string         `json:"finding,omitempty"`
	FindingParams map[string]any `json:"finding_params,omitempty"`
}

// Result is everything probed for one domain.
type Result struct {
	Domain     string  `json:"domain"`
	DurationMS int64   `json:"duration_ms"`
	Checks     []Check `json:"checks"`
}

// Config holds what a probe run needs from the outside world. The zero
// values of the ports mean the standard ones; tests and unusual installations
// point them elsewhere, together with Resolver, TrustAnchors and RootCAs.
type Config struct {
	// Resolver is the host:port of the recursive resolver all queries go to.
	Resolver string
	// TrustAnchors are the root's DS or DNSKEY records DNSSEC validation
	// starts from; nil means the IANA root KSKs (DefaultTrustAnchors).
	TrustAnchors []dns.RR
	// RootCAs verifies certificate chains; nil means the system pool.
	RootCAs *x509.CertPool
	// VRPs is the validated ROA payload set for route origin validation; nil
	// means RPKI checks report that no VRP set was configured.
	VRPs *rpki.Set
	// AllowPrivate permits connections to private, loopback, link-local and
	// other special-purpose addresses, which are refused by default.
	AllowPrivate bool
	// AllowNets permits special-purpose addresses inside these prefixes
	// only, a narrower alternative to AllowPrivate. An allowed IPv4 prefix
	// does not allow its NAT64, 6to4 or Teredo forms (netguard.Dialer).
	AllowNets []netip.Prefix
	// Timeout is the budget for one domain; ConnTimeout for one connection.
	Timeout     time.Duration
	ConnTimeout time.Duration
	// HTTPPort, HTTPSPort and SMTPPort default to 80, 443 and 25.
	HTTPPort  int
	HTTPSPort int
	SMTPPort  int
	// SSHPort is the port management endpoints are asked on for their SSH
	// key-exchange offer (ssh.pq-kex); it defaults to 22.
	SSHPort int
	// NSPort is the port the name servers are asked on directly over IPv6
	// (ns.ipv6); it defaults to 53.
	NSPort int
	// MaxConnsPerHost caps the TCP connections one domain's probe holds
	// open to one server (address and port) at a time; zero means
	// DefaultMaxConnsPerHost.
	MaxConnsPerHost int
	// MaxBatchConnsPerHost caps the TCP connections all probes of one
	// engine hold open to one server at a time; zero means
	// DefaultMaxBatchConnsPerHost.
	MaxBatchConnsPerHost int
	// Now is the clock used for signature and certificate validity; nil means time.Now.
	Now func() time.Time
}

// Defaults used when a Config field is zero.
const (
	DefaultTimeout     = 60 * time.Second
	DefaultConnTimeout = 10 * time.Second
)

// withDefaults returns a copy of c with zero fields filled in.
func (c Config) withDefaults() Config {
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.ConnTimeout == 0 {
		c.ConnTimeout = DefaultConnTimeout
	}
	if c.HTTPPort == 0 {
		c.HTTPPort = 80
	}
	if c.HTTPSPort == 0 {
		c.HTTPSPort = 443
	}
	if c.SMTPPort == 0 {
		c.SMTPPort = 25
	}
	if c.NSPort == 0 {
		c.NSPort = 53
	}
	if c.SSHPort == 0 {
		c.SSHPort = 22
	}
	if c.MaxConnsPerHost == 0 {
		c.MaxConnsPerHost = DefaultMaxConnsPerHost
	}
	if c.MaxBatchConnsPerHost == 0 {
		c.MaxBatchConnsPerHost = DefaultMaxBatchConnsPerHost
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.TrustAnchors == nil {
		c.TrustAnchors = DefaultTrustAnchors()
	}
	return c
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.Resolver == "" {
		return fmt.Errorf("probe: no resolver configured")
	}
	for _, p := range []int{c.HTTPPort, c.HTTPSPort, c.SMTPPort, c.NSPort, c.SSHPort} {
		if p < 0 || p > 65535 {
			return fmt.Errorf("probe: port %d out of range", p)
		}
	}
	if c.MaxConnsPerHost < 0 || c.MaxBatchConnsPerHost < 0 {
		return fmt.Errorf("probe: negative connections per host")
	}
	if c.Timeout < 0 || c.ConnTimeout < 0 {
		return fmt.Errorf("probe: negative timeout")
	}
	return nil
}
