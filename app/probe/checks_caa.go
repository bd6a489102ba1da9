package probe

import (
	"context"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"sync"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/check"
)

// maxCAARecords is internet.nl's limit on the size of a CAA RRset.
const maxCAARecords = 100

// caaEvidence is what was found for one host name.
type caaEvidence struct {
	Host     string   `json:"host"`
	FoundAt  string   `json:"found_at,omitempty"`
	Climbed  []string `json:"names_queried"`
	Records  []string `json:"records,omitempty"`
	Problems []string `json:"problems,omitempty"`
	Issuers  []string `json:"issuers,omitempty"`
	// problems are Problems as findings; missing is true without any CAA.
	problems []Sub
	missing  bool
}

// checkCAA finds the CAA record set that governs certificate issuance for
// the apex and for www. (when it exists), the way a CA does (RFC 8659
// section 3):
//  1. Query CAA at the host; an empty answer moves the search to the
//     parent name, up to and including the TLD (CNAMEs are followed by the
//     resolver).
//  2. Check every record of the first non-empty set: a known tag (issue,
//     issuewild, iodef, contactemail, contactphone, issuemail, issuevmc) or
//     an unknown one without the critical flag; issue and issuewild values
//     as issuer-domain-name with parameters (RFC 8659 section 4.2); iodef a
//     mailto: or https: URL (internet.nl's rule).
//  3. At least one issue record is required.
//
// No CAA at all is a warn (internet.nl's notice level: CAA is recommended,
// not required); a record set that a CA would misread is a fail. The same
// is done for every mail server's name (internet.nl's mail_caa), judged in
// mail.starttls as mail_starttls_tls_caa.
func checkCAA(ctx context.Context, r *run) []Check {
	var web, mail Check
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); web = r.checkWebCAA(ctx) }()
	go func() { defer wg.Done(); mail = r.mailCAA(ctx) }()
	wg.Wait()
	return []Check{web, mail}
}

// checkWebCAA is web.caa with web_https_tls_caa.
func (r *run) checkWebCAA(ctx context.Context) Check {
	const id = check.WebCAA
	// The domain itself always counts (certificates can be issued for it
	// whether or not it has a web site); www. when it has an address.
	hosts := []string{r.domain}
	web, err := r.webHosts(ctx)
	if err != nil {
		c := errorChecks(err, id)[0]
		c.judge(caaErrorSubtest("web_https_tls_caa", err))
		return c
	}
	for _, h := range web {
		if h != r.domain {
			hosts = append(hosts, h)
		}
	}
	var (
		evidence []caaEvidence
		missing  []string
		broken   []Sub
		all      = subtests{}
	)
	for _, h := range hosts {
		ev, err := r.findCAA(ctx, h)
		if err != nil {
			c := errorChecks(err, id)[0]
			c.judge(caaErrorSubtest("web_https_tls_caa", err))
			return c
		}
		evidence = append(evidence, ev)
		all.on(h, ev.subtest("web_https_tls_caa"))
		switch {
		case ev.missing:
			missing = append(missing, h)
		case len(ev.problems) > 0:
			broken = append(broken, Sub{Code: "caa_host_problems", Params: map[string]any{"host": h, "problems": ev.problems}})
		}
	}
	details := map[string]any{"hosts": evidence}
	var c Check
	switch {
	case len(broken) > 0:
		c = newFinding(id, StatusFail, "caa_problems", map[string]any{"problems": broken}, details)
	case len(missing) > 0:
		c = newFinding(id, StatusWarn, "caa_missing", map[string]any{"hosts": missing}, details)
	default:
		c = newFinding(id, StatusPass, "caa_present", map[string]any{"hosts": hosts}, details)
	}
	c.judge(all)
	return c
}

// mailCAA is mail_starttls_tls_caa for every mail server's name, the
// worst named, as a contribution to mail.starttls.
func (r *run) mailCAA(ctx context.Context) Check {
	const key = "mail_starttls_tls_caa"
	ms, err := r.mailServers(ctx)
	if err != nil {
		return contribution(check.MailSTARTTLS, caaErrorSubtest(key, err))
	}
	if len(ms.Hosts) == 0 {
		return contribution(check.MailSTARTTLS, ms.notTested(key))
	}
	evidence := make([]caaEvidence, len(ms.Hosts))
	errs := make([]error, len(ms.Hosts))
	var wg sync.WaitGroup
	for i, h := range ms.Hosts {
		wg.Add(1)
		go func() { defer wg.Done(); evidence[i], errs[i] = r.findCAA(ctx, h) }()
	}
	wg.Wait()
	all := subtests{}
	for i, h := range ms.Hosts {
		if errs[i] != nil {
			all.on(h, caaErrorSubtest(key, errs[i]))
			continue
		}
		all.on(h, evidence[i].subtest(key))
	}
	c := contribution(check.MailSTARTTLS, all)
	c.Details["mx_caa"] = evidence
	return c
}

// subtest is the CAA subtest key for one host: pass with a sound record
// set, fail (a notice: recommended) without one or with problems.
func (ev caaEvidence) subtest(key check.Subtest) subtests {
	s := subtests{}
	switch {
	case ev.missing:
		s.fail(key, Sub{Code: "caa_missing", Params: map[string]any{"hosts": []string{ev.Host}}})
	case len(ev.problems) > 0:
		s.fail(key, Sub{Code: "caa_problems", Params: map[string]any{"problems": []Sub{{Code: "caa_host_problems", Params: map[string]any{"host": ev.Host, "problems": ev.problems}}}}})
	default:
		s.pass(key, Sub{Code: "mail_caa_found_at", Params: map[string]any{"name": ev.FoundAt}})
	}
	return s
}

func caaErrorSubtest(key check.Subtest, err error) subtests {
	s := subtests{}
	s.set(key, StatusError, errorSub(err))
	return s
}

// findCAA climbs from host to the first name with CAA records and checks them.
func (r *run) findCAA(ctx context.Context, host string) (caaEvidence, error) {
	ev := caaEvidence{Host: host}
	var set []*dns.CAA
	for name := host; ; {
		ev.Climbed = append(ev.Climbed, name)
		m, err := r.dns.Query(ctx, name, dns.TypeCAA)
		if err != nil {
			return ev, err
		}
		if m.Rcode != dns.RcodeSuccess && m.Rcode != dns.RcodeNameError {
			return ev, fmt.Errorf("dns CAA %s: %s", name, dns.RcodeToString[m.Rcode])
		}
		for _, rr := range m.Answer {
			if caa, ok := rr.(*dns.CAA); ok {
				set = append(set, caa)
			}
		}
		_, parent, ok := strings.Cut(name, ".")
		if len(set) > 0 || !ok || parent == "" {
			if len(set) > 0 {
				ev.FoundAt = name
			}
			break
		}
		name = parent
	}
	if len(set) == 0 {
		ev.missing = true
		return ev, nil
	}
	hasIssue := false
	for _, c := range set {
		ev.Records = append(ev.Records, fmt.Sprintf("%d %s %q", c.Flag, c.Tag, c.Value))
		tag := strings.ToLower(c.Tag)
		if tag == "issue" {
			hasIssue = true
		}
		if tag == "issue" || tag == "issuewild" {
			if issuer, bad := checkCAAIssueValue(c.Value); bad != nil {
				ev.problems = append(ev.problems, Sub{Code: "caa_record_problem", Params: map[string]any{"tag": c.Tag, "value": c.Value, "problem": *bad}})
			} else {
				ev.Issuers = append(ev.Issuers, tag+":"+issuer)
			}
			continue
		}
		if bad := checkCAAOther(c); bad != nil {
			ev.problems = append(ev.problems, *bad)
		}
	}
	if !hasIssue {
		ev.problems = append(ev.problems, Sub{Code: "caa_no_issue", Params: nil})
	}
	if len(set) > maxCAARecords {
		ev.problems = append(ev.problems, Sub{Code: "caa_too_many", Params: map[string]any{"count": len(set), "max": maxCAARecords}})
	}
	if len(ev.problems) > 0 {
		ev.Problems = texts(ev.problems)
	}
	return ev, nil
}

// checkCAAIssueValue validates an issue or issuewild value (RFC 8659
// section 4.2): an optional issuer domain name, then ";"-separated
// key=value parameters. An empty issuer (";") forbids issuance, which is
// valid. It returns the issuer, or ";" for "no CA", or the problem.
func checkCAAIssueValue(v string) (string, *Sub) {
	issuer, params, _ := strings.Cut(v, ";")
	issuer = strings.Trim(issuer, " \t")
	if issuer != "" {
		for _, l := range strings.Split(issuer, ".") {
			if l == "" || len(l) > 63 {
				return "", &Sub{Code: "caa_issuer_not_domain", Params: map[string]any{"issuer": issuer}}
			}
			for i := 0; i < len(l); i++ {
				c := l[i]
				if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
					return "", &Sub{Code: "caa_issuer_not_domain", Params: map[string]any{"issuer": issuer}}
				}
			}
		}
	}
	for _, p := range strings.Split(params, ";") {
		p = strings.Trim(p, " \t")
		if p == "" {
			continue
		}
		k, val, ok := strings.Cut(p, "=")
		if !ok || k == "" || val == "" {
			return "", &Sub{Code: "caa_param_not_key_value", Params: map[string]any{"param": p}}
		}
		for i := 0; i < len(k); i++ {
			c := k[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				return "", &Sub{Code: "caa_param_name_chars", Params: map[string]any{"name": k}}
			}
		}
		for i := 0; i < len(val); i++ {
			if val[i] < 0x21 || val[i] > 0x7e {
				return "", &Sub{Code: "caa_param_value_chars", Params: map[string]any{"name": k}}
			}
		}
	}
	if issuer == "" {
		return ";", nil
	}
	return strings.ToLower(issuer), nil
}

// knownCAATags are the property tags of RFC 8659, RFC 8657 and the CA/B Forum.
var knownCAATags = map[string]bool{
	"issue": true, "issuewild": true, "iodef": true,
	"contactemail": true, "contactphone": true, "issuemail": true, "issuevmc": true,
}

// checkCAAOther checks a record other than issue and issuewild and
// returns its problem, if any.
func checkCAAOther(c *dns.CAA) *Sub {
	tag := strings.ToLower(c.Tag)
	if !knownCAATags[tag] {
		if c.Flag&128 != 0 {
			return &Sub{Code: "caa_unknown_critical", Params: map[string]any{"tag": c.Tag}}
		}
		return nil
	}
	if tag != "iodef" {
		return nil
	}
	u, err := url.Parse(c.Value)
	if err != nil {
		return &Sub{Code: "caa_iodef_invalid", Params: map[string]any{"value": c.Value, "error": err.Error()}}
	}
	switch strings.ToLower(u.Scheme) {
	case "mailto":
		if _, err := mail.ParseAddress(u.Opaque); err != nil {
			return &Sub{Code: "caa_iodef_not_mail", Params: map[string]any{"value": c.Value}}
		}
	case "https":
		if u.Host == "" {
			return &Sub{Code: "caa_iodef_no_host", Params: map[string]any{"value": c.Value}}
		}
	default:
		return &Sub{Code: "caa_iodef_scheme", Params: map[string]any{"value": c.Value}}
	}
	return nil
}
