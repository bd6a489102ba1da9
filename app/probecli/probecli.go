// Package probecli is the `tenderprobe probe` command: it reads domains from
// the command line or a file, probes them with app/probe and prints a table
// or one JSON document. It holds no probe logic of its own.
package probecli

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/dnsname"
	"tenderprobe/app/probe"
	"tenderprobe/app/probe/resolver"
	"tenderprobe/app/probe/rpki"
)

// Exit statuses. A completed run exits 0 whatever the verdicts, so that
// scripts can tell "the domain fails" (read the output) from "the command
// could not run" (non-zero).
const (
	ExitOK    = 0
	ExitRun   = 1 // the run was interrupted or its output could not be written
	ExitUsage = 2 // bad arguments or unreadable files; nothing was probed
)

// DefaultConcurrency is how many domains a batch probes at once by default:
// enough to hide network latency, few enough to stay polite to shared hosts.
const DefaultConcurrency = 8

// options are the parsed command line.
type options struct {
	json         bool
	resolver     string
	trustAnchor  string
	caFile       string
	rpkiVRPs     string
	allowPrivate bool
	allowNets    []netip.Prefix
	timeout      time.Duration
	input        string
	concurrency  int
	httpsPort    int
	httpPort     int
	smtpPort     int
	nsPort       int
	domains      []string
}

// usageError is a problem with the arguments: reported with exit status 2
// before anything is probed.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// Run executes `tenderprobe probe` with args (without the subcommand name)
// and returns the process exit status.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return run(ctx, args, os.Stdin, stdout, stderr)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args, stdin)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usageText)
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "tenderprobe probe: %v\nRun 'tenderprobe probe --help' for usage.\n", err)
		return ExitUsage
	}
	cfg, err := buildConfig(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "tenderprobe probe: %v\n", err)
		return ExitUsage
	}
	engine, err := probe.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "tenderprobe probe: %v\n", err)
		return ExitUsage
	}
	return probeAndPrint(ctx, engine, opts, stdout, stderr)
}

// usageText is the help; it is also the reference for the score formula.
const usageText = `Usage: tenderprobe probe [flags] DOMAIN...

Checks which internet standards each domain implements (DNSSEC, IPv6, HTTPS,
HSTS, TLS, security headers, security.txt, CAA, DANE, RPKI, SPF, DKIM, DMARC,
STARTTLS, MTA-STS, TLS-RPT), the way internet.nl does, and prints the verdict
and evidence of every check. Flags may come before or after the domains.

Flags:
  --json               print one JSON document instead of tables
  --resolver ADDR      recursive resolver, host or host:port (default: the first
                       nameserver of /etc/resolv.conf; port 53 when omitted)
  --trust-anchor FILE  root DS or DNSKEY records in zone-file syntax
                       (default: the IANA root KSKs built in)
  --ca-file FILE       PEM bundle of CA certificates to trust instead of the
                       system pool
  --rpki-vrps PATH     VRP set (rpki-client / Routinator JSON), file or http(s) URL;
                       without it the RPKI checks cannot give a verdict
  --allow-private      permit connections to private, loopback, link-local and
                       other special-purpose addresses (refused by default)
  --allow-net CIDR     permit special-purpose addresses in CIDR only (repeatable,
                       or comma-separated), e.g. your own internal network
  --timeout D          budget for probing one domain (default 60s)
  --input FILE         read domains from FILE, one a line; blank lines and text
                       after # are ignored; "-" reads standard input
  --concurrency N      domains probed at the same time, 1 to 1000 (default 8)

Advanced (for test set-ups; users normally leave these alone):
  --https-port N       port of HTTPS servers (default 443)
  --http-port N        port of plain HTTP servers (default 80)
  --smtp-port N        port of mail servers (default 25)
  --ns-port N          port name servers are asked on directly (default 53)

Score: for each category (web, mail, ns) the score is
  passed / tested * 100, rounded down,
where tested counts the checks with status pass, warn, fail or error. A warn
or an error earns nothing; not_applicable and info checks are left out, so a
domain that receives no mail is not penalised for having no STARTTLS.

Exit status: 0 when the run completed, whatever the verdicts; 2 for bad
arguments or unreadable files (nothing is probed then); 1 when the run was
interrupted or its output could not be written.
`

// parseArgs parses the command line and the input file, validating every
// domain, so that all argument errors surface before anything is probed.
func parseArgs(args []string, stdin io.Reader) (options, error) {
	var o options
	fs := flag.NewFlagSet("tenderprobe probe", flag.ContinueOnError)
	// Errors are reported by run with a pointer to --help; the flag package's
	// own full usage dump on every typo would bury the message.
	fs.SetOutput(io.Discard)
	fs.BoolVar(&o.json, "json", false, "")
	fs.StringVar(&o.resolver, "resolver", "", "")
	fs.StringVar(&o.trustAnchor, "trust-anchor", "", "")
	fs.StringVar(&o.caFile, "ca-file", "", "")
	fs.StringVar(&o.rpkiVRPs, "rpki-vrps", "", "")
	fs.BoolVar(&o.allowPrivate, "allow-private", false, "")
	fs.Func("allow-net", "", func(v string) (err error) {
		o.allowNets, err = AppendPrefixes(o.allowNets, v)
		return err
	})
	fs.DurationVar(&o.timeout, "timeout", probe.DefaultTimeout, "")
	fs.StringVar(&o.input, "input", "", "")
	fs.IntVar(&o.concurrency, "concurrency", DefaultConcurrency, "")
	fs.IntVar(&o.httpsPort, "https-port", 443, "")
	fs.IntVar(&o.httpPort, "http-port", 80, "")
	fs.IntVar(&o.smtpPort, "smtp-port", 25, "")
	fs.IntVar(&o.nsPort, "ns-port", 53, "")

	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return o, err
	}
	if o.timeout <= 0 {
		return o, usagef("--timeout must be positive, got %s", o.timeout)
	}
	if o.concurrency < 1 || o.concurrency > probe.MaxConcurrency {
		return o, usagef("--concurrency must be between 1 and %d, got %d", probe.MaxConcurrency, o.concurrency)
	}
	for _, p := range []struct {
		name string
		port int
	}{{"https-port", o.httpsPort}, {"http-port", o.httpPort}, {"smtp-port", o.smtpPort}, {"ns-port", o.nsPort}} {
		if p.port < 1 || p.port > 65535 {
			return o, usagef("--%s must be between 1 and 65535, got %d", p.name, p.port)
		}
	}

	names := positional
	if o.input != "" {
		fromFile, err := readDomainList(o.input, stdin)
		if err != nil {
			return o, err
		}
		names = append(names, fromFile...)
	}
	if len(names) == 0 {
		return o, usagef("no domain given: name at least one DOMAIN or use --input FILE")
	}
	var bad []string
	for _, n := range names {
		d, err := dnsname.Normalize(n)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		o.domains = append(o.domains, d)
	}
	if len(bad) > 0 {
		const shown = 10
		msg := strings.Join(bad[:min(len(bad), shown)], "\n  ")
		if len(bad) > shown {
			msg += fmt.Sprintf("\n  ... and %d more", len(bad)-shown)
		}
		return o, usagef("%d invalid domain name(s):\n  %s", len(bad), msg)
	}
	return o, nil
}

// parseInterspersed lets flags follow the domains ("probe example.nl --json"):
// the flag package stops at the first non-flag, so parsing resumes after each
// one. Everything after a "--" is a domain.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%v", err)
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// maxInputLine bounds a line of the --input file; no domain name is longer
// than 253 characters, so a longer line is a wrong file, not a domain.
const maxInputLine = 4096

// readDomainList reads one domain a line from path ("-" for stdin).
func readDomainList(path string, stdin io.Reader) ([]string, error) {
	var r io.Reader = stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, usagef("--input: %v", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, usagef("--input %s: %v", path, err)
	}
	var names []string
	for n, line := range strings.Split(string(data), "\n") {
		if len(line) > maxInputLine {
			return nil, usagef("--input %s: line %d is longer than %d bytes", path, n+1, maxInputLine)
		}
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line != "" {
			names = append(names, line)
		}
	}
	return names, nil
}

// buildConfig turns options into an engine configuration, loading the
// trust anchor, CA bundle and VRP set.
func buildConfig(ctx context.Context, o options) (probe.Config, error) {
	cfg := probe.Config{
		AllowPrivate: o.allowPrivate,
		AllowNets:    o.allowNets,
		Timeout:      o.timeout,
		HTTPSPort:    o.httpsPort,
		HTTPPort:     o.httpPort,
		SMTPPort:     o.smtpPort,
		NSPort:       o.nsPort,
	}
	// One connection may not outlast the domain's whole budget.
	cfg.ConnTimeout = min(probe.DefaultConnTimeout, o.timeout)

	addr := o.resolver
	if addr == "" {
		sys, err := resolver.SystemResolver()
		if err != nil {
			return cfg, fmt.Errorf("no --resolver given and %w", err)
		}
		addr = sys
	}
	norm, err := resolverAddr(addr)
	if err != nil {
		return cfg, err
	}
	cfg.Resolver = norm

	anchors, err := loadTrustAnchors(o.trustAnchor)
	if err != nil {
		return cfg, err
	}
	cfg.TrustAnchors = anchors

	if o.caFile != "" {
		pool, err := loadCAFile(o.caFile)
		if err != nil {
			return cfg, err
		}
		cfg.RootCAs = pool
	}

	if o.rpkiVRPs != "" {
		vrps, err := rpki.LoadVRPs(ctx, o.rpkiVRPs, &http.Client{Timeout: 60 * time.Second})
		if err != nil {
			return cfg, fmt.Errorf("--rpki-vrps: %w", err)
		}
		cfg.VRPs = vrps
	}
	return cfg, nil
}

// resolverAddr accepts "192.0.2.53", "2001:db8::53", "[2001:db8::53]:5353",
// "dns.example:53" or "dns.example" and returns host:port, port 53 when none
// was given.
func resolverAddr(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", usagef("--resolver: empty address")
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		// No port: a bare IPv4, a bare or bracketed IPv6, or a host name.
		host, port = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"), "53"
	}
	if host == "" {
		return "", usagef("--resolver %q: no host", s)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return "", usagef("--resolver %q: invalid port %q", s, port)
	}
	if net.ParseIP(host) == nil {
		if _, ok := dns.IsDomainName(host); !ok || strings.ContainsAny(host, ":/ ") {
			return "", usagef("--resolver %q: not an IP address or host name", s)
		}
	}
	return net.JoinHostPort(host, port), nil
}

// loadTrustAnchors reads the --trust-anchor file, or returns the IANA root
// KSKs built into the program when none is given.
func loadTrustAnchors(path string) ([]dns.RR, error) {
	if path == "" {
		return probe.DefaultTrustAnchors(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--trust-anchor: %w", err)
	}
	defer f.Close()
	anchors, err := probe.ParseTrustAnchors(f)
	if err != nil {
		return nil, fmt.Errorf("--trust-anchor %s: %w", path, err)
	}
	if len(anchors) == 0 {
		// Validation from no anchor would call every signed domain
		// insecure; an empty file is a mistake, not a choice.
		return nil, fmt.Errorf("--trust-anchor %s: no DS or DNSKEY record found", path)
	}
	return anchors, nil
}

// loadCAFile reads a PEM bundle; a file without any certificate is an error
// rather than a silently empty pool that would fail every certificate check.
func loadCAFile(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("--ca-file %s: no PEM certificate found", path)
	}
	return pool, nil
}
