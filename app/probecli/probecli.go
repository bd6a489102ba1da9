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
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/dnsname"
	"tenderprobe/app/i18n"
	"tenderprobe/app/probe"
	"tenderprobe/app/probe/resolver"
	"tenderprobe/app/probe/rpki"
	"tenderprobe/app/settings"
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

// options are the parsed command line: the probe settings `serve` shares,
// and the command's own.
type options struct {
	Settings
	json        bool
	input       string
	concurrency int
	domains     []string
	// lang is the language of the tables (--lang); the JSON has none.
	lang string
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
// The tables are in the language of --lang, else of the environment
// (LC_ALL, LC_MESSAGES, LANG), else English.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runIn(ctx, args, os.Stdin, stdout, stderr, langFromEnv(os.Getenv))
}

// run is Run with English as the language when --lang is not given, so
// tests do not depend on the environment they run in.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runIn(ctx, args, stdin, stdout, stderr, i18n.Default)
}

func runIn(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, envLang string) int {
	opts, err := parseArgs(args, stdin)
	if err == nil && opts.lang == "" {
		opts.lang = envLang
	}
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usageText)
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "tenderprobe probe: %v\nRun 'tenderprobe probe --help' for usage.\n", err)
		return ExitUsage
	}
	cfg, err := buildConfig(ctx, opts.Settings)
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
var usageText = `Usage: tenderprobe probe [flags] DOMAIN...

Checks which internet standards each domain implements (DNSSEC, IPv6, HTTPS,
HSTS, TLS, security headers, security.txt, CAA, DANE, RPKI, SPF, DKIM, DMARC,
STARTTLS, MTA-STS, TLS-RPT), the way internet.nl does, and prints the verdict
and evidence of every check. Flags may come before or after the domains.

Flags:
` + settings.Usage(cliTable(&options{}), "  ") + `
The port flags are for test set-ups; users normally leave them alone.

Score: for each category (web, mail, ns) the score is
  passed / tested * 100, rounded down,
where tested counts the checks with status pass, warn, fail or error. A warn
or an error earns nothing; not_applicable and info checks are left out, so a
domain that receives no mail is not penalised for having no STARTTLS.

Exit status: 0 when the run completed, whatever the verdicts; 2 for bad
arguments or unreadable files (nothing is probed then); 1 when the run was
interrupted or its output could not be written.
`

// cliTable is the command's settings table: the shared probe settings under
// their command-line names, then the command's own flags.
func cliTable(o *options) []settings.Setting {
	if o.Timeout == 0 {
		o.Timeout = probe.DefaultTimeout
	}
	if o.concurrency == 0 {
		o.concurrency = DefaultConcurrency
	}
	return append([]settings.Setting{
		settings.Bool(&o.json).With("json", "", "", "print one JSON document instead of tables"),
		settings.String(&o.input).With("input", "", "FILE", `read domains from FILE, one a line (# starts a comment; "-" reads standard input)`),
		settings.Int(&o.concurrency, 1, probe.MaxConcurrency).With("concurrency", "", "N", fmt.Sprintf("domains probed at the same time, 1 to %d", probe.MaxConcurrency)),
		settings.String(&o.lang).With("lang", "", "LANG", "language of the tables: "+strings.Join(i18n.Available(), ", ")+
			" (the JSON is the same in every language)").Showing("from LC_ALL, LC_MESSAGES or LANG, else en"),
	}, o.Settings.Table(false)...)
}

// parseArgs parses the command line and the input file, validating every
// domain, so that all argument errors surface before anything is probed.
func parseArgs(args []string, stdin io.Reader) (options, error) {
	var o options
	fs := flag.NewFlagSet("tenderprobe probe", flag.ContinueOnError)
	// Errors are reported by run with a pointer to --help; the flag package's
	// own full usage dump on every typo would bury the message.
	fs.SetOutput(io.Discard)
	table := cliTable(&o)
	if err := settings.Register(fs, table, nil); err != nil {
		return o, err
	}
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return o, err
	}
	if err := settings.Check(table); err != nil {
		return o, usagef("%v", err)
	}
	if o.lang != "" && !slices.Contains(i18n.Available(), o.lang) {
		return o, usagef("--lang must be one of %s", strings.Join(i18n.Available(), ", "))
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
func buildConfig(ctx context.Context, o Settings) (probe.Config, error) {
	if o.Timeout <= 0 {
		o.Timeout = probe.DefaultTimeout
	}
	cfg := probe.Config{
		AllowPrivate: o.AllowPrivate,
		AllowNets:    o.AllowNets,
		Timeout:      o.Timeout,
		HTTPSPort:    o.HTTPSPort,
		HTTPPort:     o.HTTPPort,
		SMTPPort:     o.SMTPPort,
		NSPort:       o.NSPort,
	}
	// One connection may not outlast the domain's whole budget.
	cfg.ConnTimeout = min(probe.DefaultConnTimeout, o.Timeout)

	addr := o.Resolver
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

	anchors, err := loadTrustAnchors(o.TrustAnchor)
	if err != nil {
		return cfg, err
	}
	cfg.TrustAnchors = anchors

	if o.CAFile != "" {
		pool, err := loadCAFile(o.CAFile)
		if err != nil {
			return cfg, err
		}
		cfg.RootCAs = pool
	}

	if o.RPKIVRPs != "" {
		vrps, err := rpki.LoadVRPs(ctx, o.RPKIVRPs, &http.Client{Timeout: 60 * time.Second})
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
