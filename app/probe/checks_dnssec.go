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
// own validator from the configured trust anchor (never the resolver's AD bit).
//
// Steps:
//  1. Validate the SOA of the domain, as internet.nl does; when the name has
//     no SOA of its own (it is not a zone apex) validate its A record instead.
//     Secure passes; insecure (a provably unsigned delegation) and bogus
//     fail; a resolver failure is an error.
//  2. For mail, look up the MX records and validate the A record of every
//     mail server (at most MaxMX), so that each mail server's zone is shown
//     to be signed; the domain itself must be secure as in step 1. A domain
//     without MX or with a null MX has no mail servers to check.
func checkDNSSEC(ctx context.Context, r *run) []Check {
	// The mail servers' validations do not wait for the domain's.
	mx := make(chan mxValidation, 1)
	go func() { mx <- validateMX(ctx, r) }()
	domain := dnssecTarget(ctx, r, r.domain)
	return []Check{webDNSSECCheck(r.domain, domain), mailDNSSECCheck(r, domain, <-mx)}
}

// mxValidation is the validation of every mail server of the domain.
type mxValidation struct {
	hosts  []string
	nullMX bool
	names  []dnssecName
	err    error
}

// validateMX looks up the domain's mail servers and validates the address
// record of each, concurrently.
func validateMX(ctx context.Context, r *run) mxValidation {
	hosts, nullMX, err := r.mxHosts(ctx)
	if err != nil {
		return mxValidation{err: err}
	}
	names := make([]dnssecName, len(hosts))
	var wg sync.WaitGroup
	for i, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			names[i] = validateName(ctx, r, h, dns.TypeA)
		}()
	}
	wg.Wait()
	return mxValidation{hosts: hosts, nullMX: nullMX, names: names}
}

// dnssecName is the validation of one name, as reported in details.
type dnssecName struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Security string   `json:"security"`
	Reason   string   `json:"reason,omitempty"`
	Rcode    string   `json:"rcode"`
	Zone     string   `json:"zone,omitempty"`
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
	if err != nil && out.Reason == "" {
		out.Reason = err.Error()
	}
	return out
}

// dnssecTarget validates the domain's SOA, falling back to its A record
// when the SOA answer says the name is not a zone apex.
func dnssecTarget(ctx context.Context, r *run, name string) dnssecName {
	soa := validateName(ctx, r, name, dns.TypeSOA)
	if soa.res.Security == dnssec.Indeterminate || soa.res.Rcode != dns.RcodeSuccess || len(soa.res.Answer) > 0 {
		return soa
	}
	if soa.res.Security == dnssec.Bogus && len(soa.res.Answer) == 0 {
		// A bogus denial of the SOA is itself the verdict.
		return soa
	}
	return validateName(ctx, r, name, dns.TypeA)
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

func webDNSSECCheck(domain string, v dnssecName) Check {
	details := map[string]any{"names": []dnssecName{v}}
	if v.res.Rcode == dns.RcodeNameError && v.res.Security != dnssec.Bogus && v.res.Security != dnssec.Indeterminate {
		return newFinding(check.WebDNSSEC, StatusError, "dnssec_nxdomain_as", map[string]any{"domain": domain, "security": fmt.Sprint(v.res.Security)}, details)
	}
	status, phrase := dnssecVerdict(v)
	return newFinding(check.WebDNSSEC, status, sentence(phrase), map[string]any{"phrase": phrase}, details)
}

func mailDNSSECCheck(r *run, domain dnssecName, mxv mxValidation) Check {
	if mxv.err != nil {
		return errorChecks(fmt.Errorf("looking up MX of %s: %w", r.domain, mxv.err), check.MailDNSSEC)[0]
	}
	hosts, mx := mxv.hosts, mxv.names
	names := []dnssecName{domain}
	details := map[string]any{"mx_hosts": hosts}
	domStatus, domPhrase := dnssecVerdict(domain)
	if domain.res.Rcode == dns.RcodeNameError && domStatus == StatusPass {
		domStatus, domPhrase = StatusError, Sub{Code: "dnssec_nxdomain", Params: map[string]any{"domain": r.domain}}
	}
	if len(hosts) == 0 {
		why, code := "it has no MX records", "dnssec_no_mx"
		if mxv.nullMX {
			why, code = "it publishes a null MX (RFC 7505) and takes no mail", "dnssec_null_mx"
		}
		details["mx"] = string(StatusNotApplicable)
		details["mx_note"] = "no mail servers to check: " + why
		details["names"] = names
		return newFinding(check.MailDNSSEC, domStatus, code, map[string]any{"phrase": domPhrase}, details)
	}
	names = append(names, mx...)
	details["names"] = names

	var failed, errored []string
	for _, v := range mx {
		switch st, _ := dnssecVerdict(v); st {
		case StatusFail:
			failed = append(failed, fmt.Sprintf("%s (%s)", v.Name, v.res.Security))
		case StatusError:
			errored = append(errored, v.Name)
		}
	}
	switch {
	case domStatus == StatusFail:
		return newFinding(check.MailDNSSEC, StatusFail, sentence(domPhrase), map[string]any{"phrase": domPhrase}, details)
	case len(failed) > 0:
		return newFinding(check.MailDNSSEC, StatusFail, "mail_dnssec_failed", map[string]any{"hosts": failed}, details)
	case domStatus == StatusError:
		return newFinding(check.MailDNSSEC, StatusError, sentence(domPhrase), map[string]any{"phrase": domPhrase}, details)
	case len(errored) > 0:
		return newFinding(check.MailDNSSEC, StatusError, "mail_dnssec_unvalidated", map[string]any{"hosts": errored}, details)
	}
	return newFinding(check.MailDNSSEC, StatusPass, "mail_dnssec_ok", map[string]any{"domain": r.domain, "count": len(hosts)}, details)
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
