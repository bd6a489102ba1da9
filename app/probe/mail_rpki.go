package probe

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/rpki"
)

// rpkiFound is the route origin evidence of a set of hosts, or the error
// that kept their addresses from being found.
type rpkiFound struct {
	addrs []addrEvidence
	err   error
}

// rpkiEvidence validates the routes to every address of hosts.
func (r *run) rpkiEvidence(ctx context.Context, hosts []string) ([]addrEvidence, error) {
	type target struct {
		host string
		addr netip.Addr
	}
	var targets []target
	for _, h := range hosts {
		v4, v6, err := r.lookupAddrs(ctx, h)
		if err != nil {
			return nil, err
		}
		for _, a := range append(v4, v6...) {
			targets = append(targets, target{h, a})
		}
	}
	evidence := make([]addrEvidence, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			evidence[i] = r.validateAddr(ctx, t.host, t.addr)
		}()
	}
	wg.Wait()
	return evidence, nil
}

// rpkiSubtests judges the evidence as internet.nl's rpki.py does
// (generate_roa_existence_report, generate_validity_report):
//   - exists: every address is covered by a ROA (by a route's VRPs, or,
//     for an address without a known route, by any VRP covering the
//     address itself); a missing one is a notice; no address at all is
//     not tested;
//   - valid: every route is Valid; an Invalid one, or one without a ROA
//     (not-found), fails; when no address has a known route the test is
//     not run ("not routed").
//
// A failed origin lookup makes both an error.
func (r *run) rpkiSubtests(f rpkiFound, existsKey, validKey check.Subtest) subtests {
	if f.err != nil {
		return rpkiErrorSubtests(f.err, existsKey, validKey)
	}
	if len(f.addrs) == 0 {
		return rpkiNotTested(Sub{Code: "mail_rpki_no_address", Params: nil}, existsKey, validKey)
	}
	var noROA, invalid, notFound, errs []string
	routes, unrouted := 0, 0
	for _, ev := range f.addrs {
		label := ev.Address + " (" + ev.Host + ")"
		if ev.State == "error" {
			errs = append(errs, label)
			continue
		}
		covered := false
		for _, rt := range ev.Routes {
			routes++
			covered = covered || len(rt.VRPs) > 0
			switch rt.State {
			case rpki.Invalid:
				invalid = append(invalid, rt.Route+" AS"+fmt.Sprint(rt.Origin)+" ("+ev.Host+")")
			case rpki.NotFound:
				notFound = append(notFound, rt.Route+" AS"+fmt.Sprint(rt.Origin)+" ("+ev.Host+")")
			}
		}
		if ev.State == "unknown" {
			unrouted++
			if a, err := netip.ParseAddr(ev.Address); err == nil {
				covered = len(r.cfg.VRPs.Covering(netip.PrefixFrom(a, a.BitLen()))) > 0
			}
		}
		if !covered {
			noROA = append(noROA, label)
		}
	}
	s := subtests{}
	if len(errs) > 0 {
		f := Sub{Code: "mail_rpki_origin_unknown", Params: map[string]any{"addresses": errs}}
		s.set(existsKey, StatusError, f)
		s.set(validKey, StatusError, f)
		return s
	}
	if len(noROA) > 0 {
		s.set(existsKey, StatusWarn, Sub{Code: "mail_rpki_no_roa", Params: map[string]any{"addresses": noROA}})
	} else {
		s.pass(existsKey, Sub{Code: "mail_rpki_roa_for_all", Params: map[string]any{"count": len(f.addrs)}})
	}
	switch {
	case len(invalid) > 0:
		s.fail(validKey, Sub{Code: "mail_rpki_routes_invalid", Params: map[string]any{"routes": invalid}})
	case len(notFound) > 0:
		s.fail(validKey, Sub{Code: "mail_rpki_routes_not_found", Params: map[string]any{"routes": notFound}})
	case routes == 0 && unrouted > 0:
		s.set(validKey, StatusNotApplicable, Sub{Code: "mail_rpki_not_routed", Params: nil})
	default:
		s.pass(validKey, Sub{Code: "mail_rpki_routes_valid", Params: map[string]any{"count": routes}})
	}
	return s
}

// rpkiErrorSubtests records keys as not measured because of err.
func rpkiErrorSubtests(err error, keys ...check.Subtest) subtests {
	s := subtests{}
	for _, k := range keys {
		s.set(k, StatusError, errorSub(err))
	}
	return s
}

// rpkiNotTested records keys as not tested, for the reason f.
func rpkiNotTested(f Sub, keys ...check.Subtest) subtests {
	s := subtests{}
	for _, k := range keys {
		s.set(k, StatusNotApplicable, f)
	}
	return s
}

// of is the part of s judged in the check id.
func (s subtests) of(id check.ID) subtests {
	out := subtests{}
	for k, v := range s {
		if info, ok := check.LookupSubtest(k); ok && info.Check == id {
			out[k] = v
		}
	}
	return out
}

// mailRPKI is mail.rpki: the routes to the mail servers (its own verdict,
// mail_rpki_*) and to the name servers of the mail servers' zones
// (mail_mx_ns_rpki_*, internet.nl's do_mx_ns_rpki), which may differ from
// the domain's own.
func (r *run) mailRPKI(ctx context.Context) Check {
	const id = check.MailRPKI
	keys := []check.Subtest{"mail_rpki_exists", "mail_rpki_valid", "mail_mx_ns_rpki_exists", "mail_mx_ns_rpki_valid"}
	ms, err := r.mailServers(ctx)
	if err != nil {
		c := errorChecks(err, id)[0]
		c.judge(rpkiErrorSubtests(err, keys...))
		return c
	}
	if len(ms.Hosts) == 0 {
		c := ms.notApplicable(id)
		c.judge(ms.notTested(keys...))
		return c
	}
	var (
		c          Check
		mx, mxNS   rpkiFound
		nsHosts    []string
		nsErr      error
		wg         sync.WaitGroup
		nsEvidence []addrEvidence
	)
	wg.Add(2)
	go func() { defer wg.Done(); c, mx = r.rpkiForHosts(ctx, id, "mail", ms.Hosts) }()
	go func() {
		defer wg.Done()
		nsHosts, nsErr = r.mxNameServers(ctx, ms.Hosts)
		if nsErr != nil {
			mxNS = rpkiFound{err: nsErr}
			return
		}
		nsEvidence, nsErr = r.rpkiEvidence(ctx, nsHosts)
		mxNS = rpkiFound{addrs: nsEvidence, err: nsErr}
	}()
	wg.Wait()
	s := r.rpkiSubtests(mx, keys[0], keys[1])
	for k, v := range r.rpkiSubtests(mxNS, keys[2], keys[3]) {
		s[k] = v
	}
	c.Details["mx_name_servers"] = map[string]any{"hosts": nsHosts, "addresses": nsEvidence}
	c.judge(s)
	return c
}

// mxNameServers returns the name servers of the zones of the mail servers,
// each once, sorted.
func (r *run) mxNameServers(ctx context.Context, mxHosts []string) ([]string, error) {
	lists := make([][]string, len(mxHosts))
	errs := make([]error, len(mxHosts))
	var wg sync.WaitGroup
	for i, h := range mxHosts {
		wg.Add(1)
		go func() { defer wg.Done(); lists[i], errs[i] = r.zoneNameServers(ctx, h) }()
	}
	wg.Wait()
	var out []string
	for i, l := range lists {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, l...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// zoneNameServers returns the NS of the zone holding name: NS at name, or
// at the closest ancestor that has them, as internet.nl's do_resolve_ns
// climbs (checks/tasks/shared.py).
func (r *run) zoneNameServers(ctx context.Context, name string) ([]string, error) {
	for {
		m, err := r.dns.Query(ctx, name, dns.TypeNS)
		if err != nil {
			return nil, err
		}
		if m.Rcode != dns.RcodeSuccess && m.Rcode != dns.RcodeNameError {
			return nil, fmt.Errorf("dns NS %s: %s", name, dns.RcodeToString[m.Rcode])
		}
		var hosts []string
		for _, rr := range m.Answer {
			if ns, ok := rr.(*dns.NS); ok && strings.EqualFold(strings.TrimSuffix(ns.Hdr.Name, "."), name) {
				hosts = append(hosts, strings.ToLower(strings.TrimSuffix(ns.Ns, ".")))
			}
		}
		if len(hosts) > 0 {
			return hosts, nil
		}
		_, parent, ok := strings.Cut(name, ".")
		if !ok || !strings.Contains(parent, ".") {
			return nil, fmt.Errorf("no NS records found for %s or its parent zones", name)
		}
		name = parent
	}
}
