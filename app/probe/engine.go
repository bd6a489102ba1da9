package probe

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/miekg/dns"

	"tenderprobe/app/dnsname"
	"tenderprobe/app/i18n"
	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/dnssec"
	"tenderprobe/app/probe/finding"
	"tenderprobe/app/probe/netguard"
	"tenderprobe/app/probe/parse"
	"tenderprobe/app/probe/resolver"
	"tenderprobe/app/probe/rpki"
)

// checker runs one group of checks that share work (one TLS scan yields the
// version, cipher, certificate and key-exchange checks). Checkers run
// concurrently; shared DNS lookups are deduplicated by the run's cache.
type checker func(ctx context.Context, r *run) []Check

// checkers is the full suite, in no particular order.
var checkers = []checker{
	checkDNSSEC,
	checkIPv6,
	checkWebTLS,
	checkWebHTTP,
	checkCAA,
	checkWebDANE,
	checkMailAuth,
	checkMailTransport,
	checkMailPolicies,
	checkRPKI,
}

// Engine probes domains. It is safe for concurrent use.
type Engine struct {
	cfg    Config
	client *resolver.Client
	// slots caps the connections all of the engine's probes hold to one
	// server at a time (Config.MaxBatchConnsPerHost).
	slots *hostSlots
	// observeDial, when set, sees every decision of the SSRF guard
	// (netguard.Dialer.Observe); tests use it to assert on the guard.
	observeDial func(addr netip.AddrPort, verdict error) error
}

// New validates cfg and returns an engine.
func New(cfg Config) (*Engine, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Engine{cfg: cfg, client: resolver.New(cfg.Resolver, cfg.ConnTimeout), slots: newHostSlots(cfg.MaxBatchConnsPerHost)}, nil
}

// Config returns the engine's configuration with defaults applied.
func (e *Engine) Config() Config { return e.cfg }

// Probe runs every check for domain and returns no later than the domain's
// budget (Config.Timeout) plus a short grace, whatever a peer does. The
// error is only for a domain name that cannot be probed at all; network
// failures become checks with status error.
func (e *Engine) Probe(ctx context.Context, domain string) (Result, error) {
	if _, err := dnsname.Normalize(domain); err != nil {
		return Result{}, err
	}
	return e.probeBounded(ctx, domain, checkers), nil
}

// sortChecks puts checks in report order (the check registry's) and fills
// in Standard and an empty Details map so the JSON shape is always the same.
func sortChecks(checks []Check) {
	for i := range checks {
		if checks[i].Standard == "" {
			checks[i].Standard = checks[i].ID.Standard()
		}
		if checks[i].Details == nil {
			checks[i].Details = map[string]any{}
		}
	}
	slices.SortStableFunc(checks, func(a, b Check) int { return check.Compare(a.ID, b.ID) })
}

// run is the state of probing one domain: its DNS cache, validator and dialer.
type run struct {
	cfg       Config
	domain    string
	dns       *resolver.Cache
	validator *dnssec.Validator
	dialer    *netguard.Dialer
	// slots caps this probe's connections per server, batchSlots those of
	// all the engine's probes (hostSlots).
	slots, batchSlots *hostSlots

	// webScan is the TLS scan of the web targets, made once for the TLS
	// checks and web DANE (which takes the chain its handshake received).
	webScan     sync.Once
	webScanning []tlsTarget

	// servers, in a batch, holds the mail servers measured for the
	// batch's domains (batchServers); nil for a single probe.
	servers *batchServers

	// shared holds the web pages several checks ask for alike.
	shared sharedGets
}

func newRun(e *Engine, domain string) *run { return newRunVia(e, domain, e.client) }

// newRunVia is newRun asking q (a batch's Shared cache) instead of the
// engine's resolver client.
func newRunVia(e *Engine, domain string, q resolver.Querier) *run {
	cache := resolver.NewCache(q)
	return &run{
		cfg:        e.cfg,
		domain:     domain,
		dns:        cache,
		validator:  dnssec.New(cache, e.cfg.TrustAnchors, dnssec.WithNow(e.cfg.Now)),
		dialer:     &netguard.Dialer{AllowPrivate: e.cfg.AllowPrivate, AllowNets: e.cfg.AllowNets, Timeout: e.cfg.ConnTimeout, Observe: e.observeDial},
		slots:      newHostSlots(e.cfg.MaxConnsPerHost),
		batchSlots: e.slots,
	}
}

// newCheck builds a check with its standard filled in.
func newCheck(id check.ID, status Status, summary string, details map[string]any) Check {
	if details == nil {
		details = map[string]any{}
	}
	return Check{ID: id, Status: status, Summary: summary, Standard: id.Standard(), Details: details}
}

// newFinding builds a check whose summary is the English message
// finding.<code> with params, and keeps the code and params so a page can
// show the finding in its reader's language.
func newFinding(id check.ID, status Status, code string, params map[string]any, details map[string]any) Check {
	c := newCheck(id, status, findingText(i18n.Default, code, params), details)
	c.Finding, c.FindingParams = code, params
	return c
}

// findingText is the message finding.<code> in lang.
func findingText(lang, code string, params map[string]any) string {
	return i18n.Messages().Text(lang, "finding."+code, params)
}

// Sub is a finding inside another finding's parameters (finding.Sub).
type Sub = finding.Sub

// FindingText is the finding code with params in lang from catalogue c
// (finding.Text).
func FindingText(c *i18n.Catalogue, lang, code string, params map[string]any) string {
	return finding.Text(c, lang, code, params)
}

// errorChecks reports the same error for every id of a group.
func errorChecks(err error, ids ...check.ID) []Check {
	out := make([]Check, 0, len(ids))
	for _, id := range ids {
		out = append(out, newFinding(id, StatusError, "untestable", map[string]any{"error": err.Error()}, map[string]any{"error": err.Error()}))
	}
	return out
}

// lookupAddrs returns the A and AAAA addresses of host (CNAMEs followed by the
// resolver). An NXDOMAIN or NODATA answer is not an error: the slice is empty.
func (r *run) lookupAddrs(ctx context.Context, host string) (v4, v6 []netip.Addr, err error) {
	// Both types at once: neither question depends on the other's answer.
	var (
		msgs [2]*dns.Msg
		errs [2]error
		wg   sync.WaitGroup
	)
	qtypes := [2]uint16{dns.TypeA, dns.TypeAAAA}
	for i, qt := range qtypes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msgs[i], errs[i] = r.dns.Query(ctx, host, qt)
		}()
	}
	wg.Wait()
	for i, qt := range qtypes {
		m, qerr := msgs[i], errs[i]
		if qerr != nil {
			return nil, nil, qerr
		}
		if m.Rcode != dns.RcodeSuccess && m.Rcode != dns.RcodeNameError {
			return nil, nil, fmt.Errorf("dns %s %s: %s", dns.TypeToString[qt], host, dns.RcodeToString[m.Rcode])
		}
		for _, rr := range m.Answer {
			switch a := rr.(type) {
			case *dns.A:
				if ip, ok := netip.AddrFromSlice(a.A.To4()); ok {
					v4 = append(v4, ip)
				}
			case *dns.AAAA:
				if ip, ok := netip.AddrFromSlice(a.AAAA.To16()); ok {
					v6 = append(v6, ip)
				}
			}
		}
	}
	return v4, v6, nil
}

// txtRecords returns the TXT strings at name, each record's strings joined.
func (r *run) txtRecords(ctx context.Context, name string) (txts []string, rcode int, err error) {
	m, err := r.dns.Query(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, 0, err
	}
	for _, rr := range m.Answer {
		if t, ok := rr.(*dns.TXT); ok {
			txts = append(txts, strings.Join(t.Txt, ""))
		}
	}
	return txts, m.Rcode, nil
}

// MaxMX is the number of mail servers checked, as internet.nl does.
const MaxMX = 10

// mxHosts returns the domain's mail servers by preference (at most MaxMX), and
// whether the domain publishes a null MX (RFC 7505) meaning it takes no mail.
// A null MX next to other MX records is not one: the other hosts are
// returned, as senders that skip the null MX deliver there (mailServers
// says the set is mixed). MX records naming localhost are left out, as
// internet.nl does (checks/tasks/shared.py do_mail_get_servers).
func (r *run) mxHosts(ctx context.Context) (hosts []string, nullMX bool, err error) {
	m, err := r.dns.Query(ctx, r.domain, dns.TypeMX)
	if err != nil {
		return nil, false, err
	}
	if m.Rcode != dns.RcodeSuccess && m.Rcode != dns.RcodeNameError {
		return nil, false, fmt.Errorf("dns MX %s: %s", r.domain, dns.RcodeToString[m.Rcode])
	}
	var mxs []*dns.MX
	for _, rr := range m.Answer {
		if mx, ok := rr.(*dns.MX); ok {
			mxs = append(mxs, mx)
		}
	}
	sort.SliceStable(mxs, func(i, j int) bool { return mxs[i].Preference < mxs[j].Preference })
	for _, mx := range mxs {
		host := strings.ToLower(strings.TrimSuffix(mx.Mx, "."))
		switch {
		case mx.Mx == ".":
			nullMX = true
			continue
		case host == "localhost":
			continue
		}
		hosts = append(hosts, host)
	}
	if len(hosts) > MaxMX {
		hosts = hosts[:MaxMX]
	}
	return hosts, nullMX && len(hosts) == 0, nil
}

// english is the sub-finding in English.
func english(s Sub) string { return findingText(i18n.Default, s.Code, s.Params) }

// texts are sub-findings in English, for details that list them.
func texts(subs []Sub) []string {
	out := make([]string, len(subs))
	for i, s := range subs {
		out[i] = english(s)
	}
	return out
}

// subs are a parser's problems as sub-findings.
func subs(problems []parse.Problem) []Sub {
	out := make([]Sub, len(problems))
	for i, p := range problems {
		out[i] = problemSub(p)
	}
	return out
}

// problemSub is a parser's problem as a sub-finding, problems in its
// parameters included.
func problemSub(p parse.Problem) Sub {
	var params map[string]any
	if p.Params != nil {
		params = make(map[string]any, len(p.Params))
		for k, v := range p.Params {
			if inner, ok := v.(parse.Problem); ok {
				v = problemSub(inner)
			}
			params[k] = v
		}
	}
	return Sub{Code: p.Code, Params: params}
}

// errorSub is err as a sub-finding: a parser's coded error as its
// problem, any other error as its text.
func errorSub(err error) Sub {
	var coded *parse.ProblemError
	if errors.As(err, &coded) {
		return problemSub(coded.Problem)
	}
	var lookup *rpki.LookupError
	if errors.As(err, &lookup) {
		return Sub{Code: lookup.Code, Params: lookup.Params}
	}
	return Sub{Code: "error", Params: map[string]any{"error": err.Error()}}
}
