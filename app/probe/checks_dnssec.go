package probe

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/dnssec"
)

// checkDNSSEC reports web.dnssec and mail.dnssec, validated by the probe's
// own validator from the configured trust anchor (never the resolver's AD
// bit), for every name the web and mail checks rely on.
//
// Steps:
//  1. Web: validate the domain's SOA (what internet.nl asks), and the A and
//     AAAA records of the domain and of www.<domain>, the addresses the web
//     checks connect to; www only when it exists. CNAME chains are followed
//     with each link validated, a target in another zone through that
//     zone's own chain of trust.
//  2. Mail: validate the domain's SOA and its MX RRset, then the A and AAAA
//     records of every mail server (at most MaxMX), CNAMEs followed alike.
//     A domain without mail servers is judged as internet.nl judges it:
//     null MX, no MX, a null MX next to other MX records.
//  3. Each name is judged twice, as internet.nl's subtests do: *_exist is
//     whether it is signed (a provably unsigned delegation fails), *_valid
//     whether the signed data validates (bogus fails). Zones signed only
//     with algorithms or digest types the validator does not support are
//     signed but not validated: a warning, as internet.nl's
//     "unsupported-ds-algo". A chain that holds only through SHA-1
//     (deprecated by RFC 9905) is valid with a warning. A name that could
//     not be validated (the resolver failed) is an error. Per subtest the
//     worst name wins, and its reason names the name and the link at fault.
func checkDNSSEC(ctx context.Context, r *run) []Check {
	var web, mail Check
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); web = r.webDNSSEC(ctx) }()
	go func() { defer wg.Done(); mail = r.mailDNSSEC(ctx) }()
	wg.Wait()
	return []Check{web, mail}
}

// dnssecQuery is one name and type to validate.
type dnssecQuery struct {
	name  string
	qtype uint16
}

// addressQueries are the A and AAAA questions for host.
func addressQueries(host string) []dnssecQuery {
	return []dnssecQuery{{host, dns.TypeA}, {host, dns.TypeAAAA}}
}

// validateAll validates the queries concurrently, in their order.
func (r *run) validateAll(ctx context.Context, qs []dnssecQuery) []dnssecName {
	out := make([]dnssecName, len(qs))
	var wg sync.WaitGroup
	for i, q := range qs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = validateName(ctx, r, q.name, q.qtype)
		}()
	}
	wg.Wait()
	return out
}

// dnssecName is the validation of one name, as reported in details.
type dnssecName struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Security string   `json:"security"`
	Reason   string   `json:"reason,omitempty"`
	Rcode    string   `json:"rcode"`
	Zone     string   `json:"zone,omitempty"`
	PhaseOut []string `json:"phase_out,omitempty"`
	Chain    []string `json:"chain,omitempty"`
	Records  []string `json:"records,omitempty"`
	res      dnssec.Result
}

// validateName validates name/qtype and converts the result for details.
func validateName(ctx context.Context, r *run, name string, qtype uint16) dnssecName {
	res, err := r.validator.Validate(ctx, name, qtype)
	out := dnssecName{
		Name:     name,
		Type:     dns.TypeToString[qtype],
		Security: string(res.Security),
		Reason:   res.Reason,
		Rcode:    dns.RcodeToString[res.Rcode],
		Zone:     strings.TrimSuffix(res.Zone, "."),
		Chain:    res.Chain,
		Records:  res.Records,
		res:      res,
	}
	for _, w := range res.PhaseOut {
		out.PhaseOut = append(out.PhaseOut, w.Text)
	}
	if err != nil && out.Reason == "" {
		out.Reason = err.Error()
	}
	return out
}

// nonexistent reports a name that does not exist, as far as validation
// can tell (a bogus or unvalidated NXDOMAIN proves nothing).
func (v dnssecName) nonexistent() bool {
	return v.res.Rcode == dns.RcodeNameError && v.res.Security != dnssec.Bogus && v.res.Security != dnssec.Indeterminate
}

// webDNSSEC validates the domain and www.<domain>.
func (r *run) webDNSSEC(ctx context.Context) Check {
	qs := append([]dnssecQuery{{r.domain, dns.TypeSOA}}, addressQueries(r.domain)...)
	if names := webNames(r.domain); len(names) > 1 {
		qs = append(qs, addressQueries(names[1])...)
	}
	all := r.validateAll(ctx, qs)
	domain, wwwNames := all[:3], all[3:]
	details := map[string]any{"names": all}
	if domain[0].nonexistent() {
		return nxdomainDNSSEC(check.WebDNSSEC, "dnssec_nxdomain_as", r.domain, domain[0], details)
	}
	names := domain
	if wwwRelied(wwwNames) {
		names = append(names[:3:3], wwwNames...)
	}
	details["names"] = names
	exist, valid := judgeNames(names)
	s := subtests{}
	exist.record(s, "web_dnssec_exist")
	valid.record(s, "web_dnssec_valid")
	c := newFinding(check.WebDNSSEC, StatusPass, "dnssec_web_secure", map[string]any{"names": strings.Join(hostsOf(names), ", ")}, details)
	c.judge(s)
	return c
}

// wwwRelied reports whether the web checks rely on www's validations: it
// has an address, or a validation failed (a bogus answer hides whether it
// has one).
func wwwRelied(www []dnssecName) bool {
	for _, v := range www {
		if len(v.res.Answer) > 0 || v.res.Security == dnssec.Bogus || v.res.Security == dnssec.Indeterminate {
			return true
		}
	}
	return false
}

// hostsOf lists the distinct names validated, in order.
func hostsOf(names []dnssecName) []string {
	var out []string
	for _, v := range names {
		if len(out) == 0 || out[len(out)-1] != v.Name {
			out = append(out, v.Name)
		}
	}
	return out
}

// nxdomainDNSSEC is the check of a domain that does not exist: nothing to
// judge, so both subtests (and the check) are errors.
func nxdomainDNSSEC(id check.ID, code, domain string, soa dnssecName, details map[string]any) Check {
	params := map[string]any{"domain": domain}
	if code == "dnssec_nxdomain_as" {
		params["security"] = string(soa.res.Security)
	}
	c := newFinding(id, StatusError, code, params, details)
	s := subtests{}
	f := Sub{Code: code, Params: params}
	keys := []check.Subtest{"web_dnssec_exist", "web_dnssec_valid"}
	if id == check.MailDNSSEC {
		keys = []check.Subtest{"mail_dnssec_mailto_exist", "mail_dnssec_mailto_valid", "mail_dnssec_mx_exist", "mail_dnssec_mx_valid"}
	}
	for _, k := range keys {
		s.set(k, StatusError, f)
	}
	c.judge(s)
	return c
}

// mailDNSSEC validates the mail domain and its mail servers.
func (r *run) mailDNSSEC(ctx context.Context) Check {
	domain := r.validateAll(ctx, []dnssecQuery{{r.domain, dns.TypeSOA}, {r.domain, dns.TypeMX}})
	details := map[string]any{"names": domain}
	if domain[0].nonexistent() {
		return nxdomainDNSSEC(check.MailDNSSEC, "dnssec_nxdomain", r.domain, domain[0], details)
	}
	s := subtests{}
	exist, valid := judgeNames(domain)
	exist.record(s, "mail_dnssec_mailto_exist")
	valid.record(s, "mail_dnssec_mailto_valid")

	servers, err := r.dnssecMailServers(ctx)
	if err != nil {
		c := errorChecks(fmt.Errorf("looking up MX of %s: %w", r.domain, err), check.MailDNSSEC)[0]
		c.Details["names"] = domain
		f := errorSub(err)
		s.set("mail_dnssec_mx_exist", StatusError, f)
		s.set("mail_dnssec_mx_valid", StatusError, f)
		c.judge(s)
		return c
	}
	details["mx_hosts"] = servers.hosts
	if servers.none != nil {
		details["mx"] = string(StatusNotApplicable)
		details["mx_note"] = english(servers.none.f)
		servers.none.record(s, "mail_dnssec_mx_exist")
		outcome{StatusNotApplicable, servers.none.f}.record(s, "mail_dnssec_mx_valid")
		var c Check
		switch {
		case len(servers.hosts) > 0: // a null MX among others: the warning says it
			f := sentenceOf(servers.none.f)
			c = newFinding(check.MailDNSSEC, StatusPass, f.Code, f.Params, details)
		case servers.nullMX:
			c = newFinding(check.MailDNSSEC, StatusPass, "dnssec_null_mx", map[string]any{"phrase": Sub{Code: "dnssec_secure", Params: map[string]any{"name": r.domain}}}, details)
		default:
			c = newFinding(check.MailDNSSEC, StatusPass, "dnssec_no_mx", map[string]any{"phrase": Sub{Code: "dnssec_secure", Params: map[string]any{"name": r.domain}}}, details)
		}
		c.judge(s)
		return c
	}

	var qs []dnssecQuery
	for _, h := range servers.hosts {
		qs = append(qs, addressQueries(h)...)
	}
	mx := r.validateAll(ctx, qs)
	details["names"] = append(domain, mx...)
	exist, valid = judgeNames(mx)
	exist.record(s, "mail_dnssec_mx_exist")
	valid.record(s, "mail_dnssec_mx_valid")
	c := newFinding(check.MailDNSSEC, StatusPass, "mail_dnssec_ok", map[string]any{"domain": r.domain, "count": len(servers.hosts)}, details)
	c.judge(s)
	return c
}

// mailServerSet is the domain's mail servers as the DNSSEC subtests see
// them; none, when set, is the mx_exist outcome of a domain without mail
// servers to check.
type mailServerSet struct {
	hosts  []string
	nullMX bool
	none   *outcome
}

// dnssecMailServers is the mail servers to validate, and the mx_exist
// outcome of a domain without them, as internet.nl's MailDnssecMxExists
// judges what mailServers found: a null MX alone on a domain with
// addresses, or no MX at all, leave nothing to test (not applicable); a
// null MX on a domain without addresses is unnecessary, and no MX on a
// domain with addresses and SPF "v=spf1 -all" should be a null MX (both
// informational); a null MX next to other MX records contradicts them (a
// warning, the others untested, as internet.nl does).
func (r *run) dnssecMailServers(ctx context.Context) (mailServerSet, error) {
	ms, err := r.mailServers(ctx)
	if err != nil {
		return mailServerSet{}, err
	}
	set := mailServerSet{hosts: ms.Hosts, nullMX: ms.Status == mxNull || ms.Status == mxNullWithoutAddress}
	params := map[string]any{"domain": r.domain}
	switch ms.Status {
	case mxNullWithOthers:
		set.none = &outcome{StatusWarn, Sub{Code: "dnssec_mx_null_with_other_mx", Params: params}}
	case mxNull:
		set.none = &outcome{StatusNotApplicable, Sub{Code: "dnssec_mx_null", Params: params}}
	case mxNullWithoutAddress:
		set.none = &outcome{StatusInfo, Sub{Code: "dnssec_mx_null_without_address", Params: params}}
	case mxNullAdvised:
		set.none = &outcome{StatusInfo, Sub{Code: "dnssec_mx_no_null_mx", Params: params}}
	case mxNone:
		set.none = &outcome{StatusNotApplicable, Sub{Code: "dnssec_mx_none", Params: params}}
	}
	return set, nil
}

// outcome is one subtest's status and reason, a phrase.
type outcome struct {
	status Status
	f      Sub
}

// record sets key's outcome, its phrase made a sentence.
func (o outcome) record(s subtests, key check.Subtest) {
	s.set(key, o.status, sentenceOf(o.f))
}

// nameOutcomes judges one validation for the *_exist and *_valid
// subtests, as internet.nl's get_domain_results and get_mx_results do:
// secure and bogus names are signed, insecure ones are not (and have
// nothing to validate), unsupported algorithms are signed but only warn
// for validity. A resolver failure is an error for both.
func nameOutcomes(v dnssecName) (exist, valid outcome) {
	signed := outcome{StatusPass, Sub{Code: "dnssec_signed", Params: map[string]any{"name": v.Name}}}
	status, phrase := dnssecVerdict(v)
	switch v.res.Security {
	case dnssec.Secure:
		if len(v.res.PhaseOut) > 0 {
			reasons := make([]Sub, len(v.res.PhaseOut))
			for i, w := range v.res.PhaseOut {
				reasons[i] = whyToSub(w)
			}
			return signed, outcome{StatusWarn, Sub{Code: "dnssec_phase_out", Params: map[string]any{"name": v.Name, "reasons": reasons}}}
		}
		return signed, outcome{StatusPass, phrase}
	case dnssec.Insecure:
		if v.res.Unsupported {
			return signed, outcome{StatusWarn, Sub{Code: "dnssec_unsupported", Params: map[string]any{"name": v.Name, "reason": whySub(v.res.Why, v.Reason)}}}
		}
		return outcome{StatusFail, phrase}, outcome{StatusNotApplicable, Sub{Code: "dnssec_nothing_to_validate", Params: map[string]any{"name": v.Name}}}
	case dnssec.Bogus:
		return signed, outcome{StatusFail, phrase}
	}
	return outcome{status, phrase}, outcome{status, phrase}
}

// judgeNames judges several validations for one pair of subtests: per
// subtest the worst outcome wins; when several names share it, the first
// one's reason is given with a count of the others, or, when all is well,
// one reason lists them.
func judgeNames(names []dnssecName) (exist, valid outcome) {
	// One outcome per host first: its A and AAAA (and SOA) usually share
	// a reason, and a host counts once.
	type hostOutcome struct {
		name         string
		exist, valid outcome
	}
	var hosts []hostOutcome
	for _, v := range names {
		e, va := nameOutcomes(v)
		if n := len(hosts); n > 0 && hosts[n-1].name == v.Name {
			h := &hosts[n-1]
			if subtestRank(e.status) > subtestRank(h.exist.status) {
				h.exist = e
			}
			if subtestRank(va.status) > subtestRank(h.valid.status) {
				h.valid = va
			}
			continue
		}
		hosts = append(hosts, hostOutcome{v.Name, e, va})
	}
	worst := func(pick func(h hostOutcome) outcome, allWell string) outcome {
		var best outcome
		var same []string
		for _, h := range hosts {
			o := pick(h)
			switch r := subtestRank(o.status); {
			case len(same) == 0 || r > subtestRank(best.status):
				best, same = o, []string{h.name}
			case r == subtestRank(best.status):
				same = append(same, h.name)
			}
		}
		switch {
		case len(same) <= 1:
			return best
		case best.status == StatusPass || best.status == StatusNotApplicable:
			code := allWell
			if best.status == StatusNotApplicable {
				code = "dnssec_names_nothing_to_validate"
			}
			return outcome{best.status, Sub{Code: code, Params: map[string]any{"names": strings.Join(same, ", ")}}}
		}
		return outcome{best.status, Sub{Code: "dnssec_and_more", Params: map[string]any{"first": best.f, "count": len(same) - 1}}}
	}
	return worst(func(h hostOutcome) outcome { return h.exist }, "dnssec_names_signed"),
		worst(func(h hostOutcome) outcome { return h.valid }, "dnssec_names_secure")
}

// sentenceOf is a phrase as a sentence (sentence).
func sentenceOf(phrase Sub) Sub {
	return Sub{Code: sentence(phrase), Params: map[string]any{"phrase": phrase}}
}

// dnssecVerdict turns a validation into a status and a phrase for
// summaries, a finding without its full stop.
func dnssecVerdict(v dnssecName) (Status, Sub) {
	reason := v.Reason
	switch v.res.Security {
	case dnssec.Secure:
		return StatusPass, Sub{Code: "dnssec_secure", Params: map[string]any{"name": v.Name}}
	case dnssec.Insecure:
		if v.res.UnsignedBy == "." {
			return StatusFail, Sub{Code: "dnssec_unsigned_below_root", Params: map[string]any{"name": v.Name, "zone": v.Zone}}
		}
		if v.res.UnsignedBy != "" {
			return StatusFail, Sub{Code: "dnssec_unsigned", Params: map[string]any{"name": v.Name, "parent": v.res.UnsignedBy, "zone": v.Zone}}
		}
		return StatusFail, Sub{Code: "dnssec_insecure", Params: map[string]any{"name": v.Name, "reason": whySub(v.res.Why, reason)}}
	case dnssec.Bogus:
		return StatusFail, Sub{Code: "dnssec_bogus", Params: map[string]any{"name": v.Name, "reason": whySub(v.res.Why, reason)}}
	}
	return StatusError, Sub{Code: "dnssec_unvalidated", Params: map[string]any{"name": v.Name, "reason": whySub(v.res.Why, reason)}}
}

// sentence is the finding that makes a phrase a sentence: with a full
// stop, unless the phrase already ends in one (a reason naming the root,
// ".", does).
func sentence(phrase Sub) string {
	if strings.HasSuffix(english(phrase), ".") {
		return "phrase_as_is"
	}
	return "phrase"
}

// whySub is a validator's coded reason as a sub-finding, or the English
// reason for the reasons that have no code yet.
func whySub(why *dnssec.Why, reason string) any {
	if why == nil || why.Code == "" {
		return reason
	}
	return whyToSub(*why)
}

// whyToSub is a validator's reason as a sub-finding, reasons in its
// parameters included.
func whyToSub(w dnssec.Why) Sub {
	var params map[string]any
	if w.Params != nil {
		params = make(map[string]any, len(w.Params))
		for k, v := range w.Params {
			switch v := v.(type) {
			case dnssec.Why:
				params[k] = whyToSub(v)
			case []dnssec.Why:
				list := make([]Sub, len(v))
				for i, e := range v {
					list[i] = whyToSub(e)
				}
				params[k] = list
			default:
				params[k] = v
			}
		}
	}
	return Sub{Code: w.Code, Params: params}
}
