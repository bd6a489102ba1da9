package probe

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/rpki"
)

// errNoVRPs is reported when RPKI checks cannot run for want of a VRP set.
var errNoVRPs = errors.New("no RPKI VRP set configured (give --rpki-vrps FILE-or-URL)")

// checkRPKI validates the BGP routes to the domain's servers against the
// configured VRP set (RFC 6811), for web.rpki (apex and www. addresses),
// mail.rpki (the MX addresses) and ns.rpki (the name servers' addresses).
//
// For each address:
//  1. Ask Team Cymru's IP-to-ASN service for the routes covering it: TXT at
//     the reversed address under origin.asn.cymru.com (IPv4) or the reversed
//     nibbles under origin6.asn.cymru.com (IPv6), through the run's resolver.
//  2. Validate every (origin AS, route) pair against the VRPs.
//
// Every covering route must be Valid (internet.nl's rule): an Invalid one
// fails, NotFound (no ROA) or an address without any known route warns.
// A matching VRP whose maxLength is longer than the route is noted
// (RFC 9319) but does not change the verdict.
func checkRPKI(ctx context.Context, r *run) []Check {
	ids := []check.ID{check.WebRPKI, check.MailRPKI, check.NSRPKI}
	if r.cfg.VRPs == nil {
		// In words for whoever reads the result, a vendor too; the
		// operator's setting is named, not a command line.
		checks := make([]Check, 0, len(ids))
		for _, id := range ids {
			checks = append(checks, newFinding(id, StatusError, "rpki_no_vrps", nil, map[string]any{"error": errNoVRPs.Error()}))
		}
		s := subtests{}
		for _, key := range []check.Subtest{"web_rpki_exists", "web_rpki_valid", "mail_rpki_exists", "mail_rpki_valid",
			"mail_mx_ns_rpki_exists", "mail_mx_ns_rpki_valid", "web_ns_rpki_exists", "web_ns_rpki_valid", "mail_ns_rpki_exists", "mail_ns_rpki_valid"} {
			s.set(key, StatusError, Sub{Code: "rpki_no_vrps"})
		}
		for i := range checks {
			checks[i].judge(s.of(checks[i].ID))
		}
		return checks
	}
	var (
		wg     sync.WaitGroup
		checks = make([]Check, 3)
	)
	wg.Add(3)
	go func() {
		defer wg.Done()
		hosts, err := r.webHosts(ctx)
		if err != nil {
			checks[0] = errorChecks(err, ids[0])[0]
			checks[0].judge(rpkiErrorSubtests(err, "web_rpki_exists", "web_rpki_valid"))
			return
		}
		if len(hosts) == 0 {
			code := noWebCode("no_web_server", r.domain)
			checks[0] = newFinding(ids[0], StatusNotApplicable, code, map[string]any{"domain": r.domain}, nil)
			checks[0].judge(rpkiNotTested(Sub{Code: code, Params: map[string]any{"domain": r.domain}}, "web_rpki_exists", "web_rpki_valid"))
			return
		}
		c, ev := r.rpkiForHosts(ctx, ids[0], "web", hosts)
		c.judge(r.rpkiSubtests(ev, "web_rpki_exists", "web_rpki_valid"))
		checks[0] = c
	}()
	go func() {
		defer wg.Done()
		checks[1] = r.mailRPKI(ctx)
	}()
	go func() {
		defer wg.Done()
		keys := []check.Subtest{"web_ns_rpki_exists", "web_ns_rpki_valid", "mail_ns_rpki_exists", "mail_ns_rpki_valid"}
		_, hosts, err := r.nameServers(ctx)
		if err != nil {
			checks[2] = errorChecks(err, ids[2])[0]
			checks[2].judge(rpkiErrorSubtests(err, keys...))
			return
		}
		c, ev := r.rpkiForHosts(ctx, ids[2], "ns", hosts)
		s := r.rpkiSubtests(ev, keys[0], keys[1])
		s[keys[2]], s[keys[3]] = s[keys[0]], s[keys[1]]
		c.judge(s)
		checks[2] = c
	}()
	wg.Wait()
	return checks
}

// routeEvidence is one validated (origin, route) pair.
type routeEvidence struct {
	Origin  uint32     `json:"origin_asn"`
	Route   string     `json:"route"`
	State   rpki.State `json:"state"`
	VRPs    []string   `json:"vrps,omitempty"`
	Note    string     `json:"note,omitempty"`
	Cymru   string     `json:"cymru_txt"`
	Country string     `json:"country,omitempty"`
	// maxLength is the loose ROA's maxLength behind Note.
	maxLength int
}

// addrEvidence is what was found for one address.
type addrEvidence struct {
	Host    string          `json:"host"`
	Address string          `json:"address"`
	Routes  []routeEvidence `json:"routes,omitempty"`
	Error   string          `json:"error,omitempty"`
	// problem is Error as a finding, in the reader's language.
	problem Sub
	// State is the worst state over the routes ("unknown" without a route).
	State string `json:"state"`
}

// rpkiForHosts validates the routes to hosts; what is "web", "mail" or "ns",
// the kind of server, named in findings as finding.server(s).<what>.
func (r *run) rpkiForHosts(ctx context.Context, id check.ID, what string, hosts []string) (Check, rpkiFound) {
	evidence, err := r.rpkiEvidence(ctx, hosts)
	if err != nil {
		return errorChecks(err, id)[0], rpkiFound{err: err}
	}
	found := rpkiFound{addrs: evidence}
	details := map[string]any{"hosts": hosts, "vrp_count": r.cfg.VRPs.Len()}
	if len(evidence) == 0 {
		return newFinding(id, StatusWarn, "rpki_no_addresses", map[string]any{"what": what, "hosts": hosts}, details), found
	}
	details["addresses"] = evidence

	var invalid, notFound, unknown []string
	var failed []Sub
	var notes []Sub
	for _, ev := range evidence {
		label := ev.Address + " (" + ev.Host + ")"
		switch ev.State {
		case string(rpki.Invalid):
			invalid = append(invalid, label)
		case string(rpki.NotFound):
			notFound = append(notFound, label)
		case "unknown":
			unknown = append(unknown, label)
		case "error":
			failed = append(failed, Sub{Code: "rpki_lookup_error", Params: map[string]any{"address": ev.Address, "host": ev.Host, "problem": ev.problem}})
		}
		for _, rt := range ev.Routes {
			if rt.Note != "" {
				notes = append(notes, Sub{Code: "rpki_loose_maxlength", Params: map[string]any{"route": rt.Route, "max_length": rt.maxLength}})
			}
		}
	}
	switch {
	case len(invalid) > 0:
		return newFinding(id, StatusFail, "rpki_invalid", map[string]any{"what": what, "addresses": invalid}, details), found
	case len(failed) == len(evidence):
		return newFinding(id, StatusError, "rpki_lookups_all_failed", map[string]any{"errors": failed}, details), found
	case len(failed) > 0:
		return newFinding(id, StatusWarn, "rpki_lookup_failed", map[string]any{"errors": failed}, details), found
	case len(notFound) > 0:
		return newFinding(id, StatusWarn, "rpki_not_found", map[string]any{"what": what, "addresses": notFound}, details), found
	case len(unknown) > 0:
		return newFinding(id, StatusWarn, "rpki_no_route", map[string]any{"what": what, "addresses": unknown}, details), found
	}
	var note any = ""
	if len(notes) > 0 {
		note = Sub{Code: "rpki_notes", Params: map[string]any{"notes": notes}}
	}
	if len(evidence) > 1 {
		return newFinding(id, StatusPass, "rpki_valid_all", map[string]any{"total": len(evidence), "what": what, "note": note}, details), found
	}
	return newFinding(id, StatusPass, "rpki_valid_one", map[string]any{"what": what, "note": note}, details), found
}

// validateAddr finds the routes covering addr and validates each origin.
func (r *run) validateAddr(ctx context.Context, host string, addr netip.Addr) addrEvidence {
	ev := addrEvidence{Host: host, Address: addr.String()}
	origins, err := rpki.LookupOrigins(ctx, r.dns, addr)
	if errors.Is(err, rpki.ErrNoOrigin) {
		ev.State, ev.Error = "unknown", err.Error()
		return ev
	}
	if err != nil {
		ev.State, ev.Error, ev.problem = "error", err.Error(), errorSub(err)
		return ev
	}
	worst := rpki.Valid
	rank := map[rpki.State]int{rpki.Valid: 0, rpki.NotFound: 1, rpki.Invalid: 2}
	for _, o := range origins {
		for _, asn := range o.ASNs {
			state, vrps := r.cfg.VRPs.Validate(asn, o.Prefix)
			rt := routeEvidence{Origin: asn, Route: o.Prefix.String(), State: state, Cymru: o.Raw, Country: o.Country}
			for _, v := range vrps {
				rt.VRPs = append(rt.VRPs, v.String())
			}
			if state == rpki.Valid && rpki.LooseMaxLength(vrps[0], o.Prefix) {
				rt.maxLength = int(vrps[0].MaxLength)
				rt.Note = fmt.Sprintf("is covered by a ROA with maxLength %d, longer than the route (RFC 9319 advises against this: it permits forged-origin sub-prefix hijacks)", vrps[0].MaxLength)
			}
			if rank[state] > rank[worst] {
				worst = state
			}
			ev.Routes = append(ev.Routes, rt)
		}
	}
	ev.State = string(worst)
	return ev
}
