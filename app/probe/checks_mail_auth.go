package probe

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/miekg/dns"
	"golang.org/x/net/publicsuffix"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/parse"
)

// checkMailAuth audits the domain's sender authentication records the way
// internet.nl does: SPF (mail.spf), DKIM (mail.dkim) and DMARC (mail.dmarc).
// SPF and DMARC are looked up concurrently; DKIM's verdict depends on both,
// because a domain that sends no mail needs no DKIM key.
func checkMailAuth(ctx context.Context, r *run) []Check {
	var (
		wg         sync.WaitGroup
		spfCheck   Check
		spfRecord  string
		dmarcCheck Check
		dmarcRec   *dmarcFound
		dkimMsg    *dns.Msg
		dkimErr    error
	)
	wg.Add(3)
	go func() { defer wg.Done(); spfCheck, spfRecord = r.checkSPF(ctx) }()
	go func() { defer wg.Done(); dmarcCheck, dmarcRec = r.checkDMARC(ctx) }()
	go func() {
		defer wg.Done()
		dkimMsg, dkimErr = r.dns.Query(ctx, "_domainkey."+r.domain, dns.TypeTXT)
	}()
	wg.Wait()
	spfSubs := spfSubtests(spfCheck, spfRecord)
	dmarcSubs := dmarcSubtests(dmarcCheck, dmarcRec)
	spfCheck.judge(spfSubs)
	dmarcCheck.judge(dmarcSubs)
	nonSending := nonSendingDomain(spfRecord, spfSubs, dmarcRec, dmarcSubs)
	return []Check{spfCheck, r.checkDKIM(dkimMsg, dkimErr, nonSending, spfRecord, dmarcRec), dmarcCheck}
}

// spfSubtests are internet.nl's SPF subtests read from the check's
// verdict: the record exists when exactly one was found (record is then
// its text); its policy is judged only then.
func spfSubtests(c Check, record string) subtests {
	s := subtests{}
	f := Sub{Code: c.Finding, Params: c.FindingParams}
	switch {
	case record == "" && c.Status == StatusError:
		s.set("mail_auth_spf_exist", StatusError, f)
		s.set("mail_auth_spf_policy", StatusError, f)
	case record == "":
		s.fail("mail_auth_spf_exist", f)
		s.set("mail_auth_spf_policy", StatusNotApplicable, Sub{Code: "mail_spf_no_policy", Params: nil})
	default:
		s.pass("mail_auth_spf_exist", Sub{Code: "mail_spf_found", Params: map[string]any{"record": record}})
		switch c.Status {
		case StatusPass:
			s.pass("mail_auth_spf_policy", f)
		case StatusError:
			s.set("mail_auth_spf_policy", StatusError, f)
		default:
			s.fail("mail_auth_spf_policy", f)
		}
	}
	return s
}

// dmarcSubtests are internet.nl's DMARC subtests read from the check's
// verdict (checks/tasks/mail.py callback): the record exists when exactly
// one v=DMARC1 record applies, even an invalid one, whose policy then
// fails for its syntax; an external report destination without
// authorisation is a notice; pct and t=y with reject, which internet.nl
// does not weigh, leave the policy passing (the check still warns).
func dmarcSubtests(c Check, found *dmarcFound) subtests {
	s := subtests{}
	f := Sub{Code: c.Finding, Params: c.FindingParams}
	const exist, policy = "mail_auth_dmarc_exist", "mail_auth_dmarc_policy"
	switch {
	case c.Status == StatusError:
		s.set(exist, StatusError, f)
		s.set(policy, StatusError, f)
	case c.Finding == "dmarc_invalid":
		s.pass(exist, Sub{Code: "mail_dmarc_found", Params: map[string]any{"name": c.FindingParams["name"]}})
		s.fail(policy, f)
	case found == nil:
		s.fail(exist, f)
		s.set(policy, StatusNotApplicable, Sub{Code: "mail_dmarc_no_policy", Params: nil})
	default:
		s.pass(exist, Sub{Code: "mail_dmarc_found", Params: map[string]any{"name": "_dmarc." + found.at}})
		switch {
		case c.Status == StatusFail:
			s.fail(policy, f)
		case c.Status == StatusWarn && unauthorisedReports(c):
			s.set(policy, StatusWarn, f)
		default:
			s.pass(policy, Sub{Code: "mail_dmarc_policy_ok", Params: map[string]any{"policy": found.record.EffectivePolicy(found.subdomain)}})
		}
	}
	return s
}

// unauthorisedReports reports whether the DMARC check's warnings include
// an external report destination that has not authorised the domain.
func unauthorisedReports(c Check) bool {
	auths, _ := c.Details["report_authorisations"].([]dmarcAuth)
	for _, a := range auths {
		if !a.Authorised {
			return true
		}
	}
	return false
}

// SPF limits of RFC 7208 section 4.6.4.
const (
	spfMaxLookups     = 10
	spfMaxVoidLookups = 2
	// spfMaxDepth stops include chains long before the lookup limit would,
	// should a resolver loop answers back to us.
	spfMaxDepth = 10
)

// spfAudit is the state of walking one SPF policy with its includes and
// redirects, without a sender IP.
type spfAudit struct {
	r         *run
	lookups   []string // "domain: term" for every lookup-costing term
	voids     []string // lookups that found nothing
	records   map[string]string
	problems  []Sub // permerrors found inside included records
	tempErr   error
	visiting  map[string]bool
	macroTerm []string
}

// checkSPF audits the domain's SPF policy (RFC 7208):
//  1. Exactly one TXT record starting with "v=spf1" at the domain.
//  2. It parses (any syntax error is a permerror for receivers).
//  3. include and redirect targets are fetched and parsed in turn (macros
//     cannot be expanded without a sender and are listed, not followed);
//     each must have exactly one SPF record.
//  4. Lookup-costing terms (include, a, mx, ptr, exists, redirect) are
//     counted across the whole tree: at most 10. Lookups of a, mx, include
//     and redirect names that return nothing (NXDOMAIN or no records) are
//     void lookups: at most 2.
//  5. The effective "all" (the record's own, or the redirect target's when
//     it has none) must be -all or ~all; +all, ?all or none fail. ?all
//     inside an include is fine: it only means "no match" there.
//
// It also returns the domain's SPF record text, for the DKIM decision.
func (r *run) checkSPF(ctx context.Context) (Check, string) {
	const id = check.MailSPF
	a := &spfAudit{r: r, records: map[string]string{}, visiting: map[string]bool{}, lookups: []string{}, voids: []string{}}
	txts, rcode, err := r.txtRecords(ctx, r.domain)
	if err != nil {
		return errorChecks(err, id)[0], ""
	}
	if rcode != dns.RcodeSuccess && rcode != dns.RcodeNameError {
		return errorChecks(fmt.Errorf("dns TXT %s: %s", r.domain, dns.RcodeToString[rcode]), id)[0], ""
	}
	var spfs []string
	for _, t := range txts {
		if parse.IsSPF(t) {
			spfs = append(spfs, t)
		}
	}
	details := map[string]any{"txt_records": txts, "spf_records": spfs}
	switch len(spfs) {
	case 0:
		return newFinding(id, StatusFail, "spf_missing", map[string]any{"domain": r.domain}, details), ""
	case 1:
	default:
		return newFinding(id, StatusFail, "spf_several", map[string]any{"count": len(spfs)}, details), ""
	}
	record := spfs[0]
	details["record"] = record
	policy, err := parse.ParseSPF(record)
	if err != nil {
		details["error"] = err.Error()
		return newFinding(id, StatusFail, "spf_invalid", map[string]any{"error": errorSub(err)}, details), record
	}
	a.records[r.domain] = record
	all, allFrom := a.walk(ctx, r.domain, policy, 0)
	details["lookups"] = len(a.lookups)
	details["lookup_terms"] = a.lookups
	details["void_lookups"] = a.voids
	details["records_followed"] = a.records
	if len(a.macroTerm) > 0 {
		details["macro_terms_not_followed"] = a.macroTerm
	}
	for _, t := range policy.Terms {
		if t.Name == "ptr" && !t.Modifier {
			// RFC 7208 section 5.5: slow, unreliable, and SHOULD NOT be used.
			details["note"] = "the record uses the ptr mechanism, which RFC 7208 says should not be used"
		}
	}
	allText := "none"
	if all != nil {
		allText = all.Raw
		details["all_from"] = allFrom
	}
	details["all"] = allText
	if len(a.problems) > 0 {
		details["problems"] = texts(a.problems)
	}
	switch {
	case a.tempErr != nil:
		details["error"] = a.tempErr.Error()
		return newFinding(id, StatusError, "untestable", map[string]any{"error": a.tempErr.Error()}, details), record
	case len(a.problems) > 0:
		return newFinding(id, StatusFail, "spf_problems", map[string]any{"problems": a.problems}, details), record
	case len(a.lookups) > spfMaxLookups:
		return newFinding(id, StatusFail, "spf_too_many_lookups", map[string]any{"lookups": len(a.lookups), "limit": spfMaxLookups}, details), record
	case len(a.voids) > spfMaxVoidLookups:
		return newFinding(id, StatusFail, "spf_too_many_void_lookups", map[string]any{"lookups": len(a.voids), "limit": spfMaxVoidLookups}, details), record
	case all == nil:
		return newFinding(id, StatusFail, "spf_no_all", nil, details), record
	case all.Qualifier == '+' || all.Qualifier == '?':
		return newFinding(id, StatusFail, "spf_permissive_all", map[string]any{"all": strconv.Quote(all.Raw), "domain": r.domain}, details), record
	}
	return newFinding(id, StatusPass, "spf_ok", map[string]any{"all": all.Raw, "lookups": len(a.lookups), "limit": spfMaxLookups}, details), record
}

// walk counts the lookups of policy (found at domain), follows its includes
// and its redirect, and returns the effective all directive and where it
// came from.
func (a *spfAudit) walk(ctx context.Context, domain string, policy *parse.SPF, depth int) (*parse.SPFTerm, string) {
	a.visiting[domain] = true
	defer delete(a.visiting, domain)
	a.prefetch(ctx, domain, policy)
	for _, t := range policy.Terms {
		if !t.IsLookup() {
			continue
		}
		// RFC 7208 section 6.1: redirect is ignored when the record has all.
		if t.Modifier && t.Name == "redirect" && policy.All != nil {
			continue
		}
		a.lookups = append(a.lookups, domain+": "+t.Raw)
		if a.tempErr != nil || len(a.lookups) > spfMaxLookups {
			continue // the verdict is settled; stop asking DNS
		}
		if t.Macro {
			a.macroTerm = append(a.macroTerm, domain+": "+t.Raw)
			continue
		}
		target := strings.ToLower(strings.TrimSuffix(t.Value, "."))
		if target == "" {
			target = domain
		}
		switch t.Name {
		case "include":
			if sub := a.fetch(ctx, domain, t, target, depth); sub != nil {
				a.walk(ctx, target, sub, depth+1)
			}
		case "a", "mx":
			a.checkVoid(ctx, domain, t, target)
		}
	}
	if policy.All != nil {
		return policy.All, domain
	}
	if policy.Redirect != "" && !strings.Contains(policy.Redirect, "%{") && a.tempErr == nil && len(a.lookups) <= spfMaxLookups {
		target := strings.ToLower(strings.TrimSuffix(policy.Redirect, "."))
		if sub := a.fetch(ctx, domain, parse.SPFTerm{Raw: "redirect=" + policy.Redirect, Name: "redirect"}, target, depth); sub != nil {
			return a.walk(ctx, target, sub, depth+1)
		}
	}
	return nil, ""
}

// prefetch asks, all at once, the DNS questions the record's terms will
// need (include and redirect TXT, a and mx names), so the walk below finds
// them in the run's cache: sibling includes cost one round trip, not one each.
func (a *spfAudit) prefetch(ctx context.Context, domain string, policy *parse.SPF) {
	var wg sync.WaitGroup
	ask := func(name string, qt uint16) {
		wg.Add(1)
		go func() { defer wg.Done(); a.r.dns.Query(ctx, name, qt) }()
	}
	for _, t := range policy.Terms {
		if !t.IsLookup() || t.Macro || (t.Modifier && policy.All != nil) {
			continue
		}
		target := strings.ToLower(strings.TrimSuffix(t.Value, "."))
		if target == "" {
			target = domain
		}
		switch t.Name {
		case "include", "redirect":
			ask(target, dns.TypeTXT)
		case "a":
			ask(target, dns.TypeA)
			ask(target, dns.TypeAAAA)
		case "mx":
			ask(target, dns.TypeMX)
		}
	}
	wg.Wait()
}

// fetch retrieves and parses the SPF record an include or redirect points
// at; problems are recorded and nil returned.
func (a *spfAudit) fetch(ctx context.Context, from string, t parse.SPFTerm, target string, depth int) *parse.SPF {
	if a.visiting[target] {
		a.problems = append(a.problems, Sub{Code: "spf_loop", Params: map[string]any{"from": from, "term": t.Raw}})
		return nil
	}
	if depth >= spfMaxDepth {
		a.problems = append(a.problems, Sub{Code: "spf_too_deep", Params: map[string]any{"from": from, "term": t.Raw, "max": spfMaxDepth}})
		return nil
	}
	txts, rcode, err := a.r.txtRecords(ctx, target)
	if err != nil {
		a.tempErr = err
		return nil
	}
	if rcode != dns.RcodeSuccess && rcode != dns.RcodeNameError {
		a.tempErr = fmt.Errorf("dns TXT %s: %s", target, dns.RcodeToString[rcode])
		return nil
	}
	if rcode == dns.RcodeNameError || len(txts) == 0 {
		a.voids = append(a.voids, from+": "+t.Raw)
	}
	var spfs []string
	for _, txt := range txts {
		if parse.IsSPF(txt) {
			spfs = append(spfs, txt)
		}
	}
	if len(spfs) != 1 {
		a.problems = append(a.problems, Sub{Code: "spf_not_one_record", Params: map[string]any{"from": from, "term": t.Raw, "count": len(spfs)}})
		return nil
	}
	a.records[target] = spfs[0]
	policy, err := parse.ParseSPF(spfs[0])
	if err != nil {
		a.problems = append(a.problems, Sub{Code: "spf_included_invalid", Params: map[string]any{"target": target, "from": from, "error": errorSub(err)}})
		return nil
	}
	return policy
}

// checkVoid resolves an a or mx term's name to see whether the lookup finds
// anything (RFC 7208 section 4.6.4 void lookups).
func (a *spfAudit) checkVoid(ctx context.Context, from string, t parse.SPFTerm, target string) {
	types := []uint16{dns.TypeA, dns.TypeAAAA}
	if t.Name == "mx" {
		types = []uint16{dns.TypeMX}
	}
	found := false
	for _, qt := range types {
		m, err := a.r.dns.Query(ctx, target, qt)
		if err != nil {
			a.tempErr = err
			return
		}
		for _, rr := range m.Answer {
			if rr.Header().Rrtype == qt {
				found = true
			}
		}
	}
	if !found {
		a.voids = append(a.voids, from+": "+t.Raw)
	}
}

// dmarcFound is the DMARC record that applies to the domain.
type dmarcFound struct {
	record *parse.DMARC
	text   string
	// at is the domain whose _dmarc name holds the record: the domain itself
	// or its organisational domain.
	at        string
	subdomain bool
}

// checkDMARC audits the domain's DMARC policy (RFC 7489):
//  1. TXT at _dmarc.<domain>; records not starting with v=DMARC1 are
//     ignored; more than one is an error for receivers.
//  2. None there: the same at the organisational domain (the registrable
//     domain from the public suffix list), whose sp= then applies.
//  3. The record parses strictly; the applicable policy must be quarantine
//     or reject (none fails, quarantine with t=y fails, as internet.nl).
//  4. Every rua/ruf destination outside the domain's organisation must
//     authorise it with a v=DMARC1 record at
//     <domain>._report._dmarc.<destination> (RFC 7489 section 7.1); a
//     missing authorisation is a warn, since reports are then dropped.
func (r *run) checkDMARC(ctx context.Context) (Check, *dmarcFound) {
	const id = check.MailDMARC
	details := map[string]any{}
	found, problem, err := r.findDMARC(ctx, r.domain, details)
	if err != nil {
		return errorChecks(err, id)[0], nil
	}
	org, orgErr := publicsuffix.EffectiveTLDPlusOne(r.domain)
	if found == nil && problem.Code == "" && orgErr == nil && org != r.domain {
		found, problem, err = r.findDMARC(ctx, org, details)
		if err != nil {
			return errorChecks(err, id)[0], nil
		}
		if found != nil {
			found.subdomain = true
		}
	}
	if problem.Code != "" {
		return newFinding(id, StatusFail, problem.Code, problem.Params, details), nil
	}
	if found == nil {
		return newFinding(id, StatusFail, "dmarc_missing", map[string]any{"domain": r.domain}, details), nil
	}
	d := found.record
	details["record"] = found.text
	details["found_at"] = "_dmarc." + found.at
	details["policy"] = d
	policy := d.EffectivePolicy(found.subdomain)
	details["applicable_policy"] = policy
	var where any = ""
	if found.subdomain {
		where = Sub{Code: "dmarc_from_org", Params: map[string]any{"org": found.at}}
	}

	var warns []Sub
	auths := r.checkDMARCReportAuth(ctx, found.at, d)
	details["report_authorisations"] = auths
	for _, a := range auths {
		if !a.Authorised {
			warns = append(warns, Sub{Code: "dmarc_report_unauthorised", Params: map[string]any{"destination": a.Destination, "domain": found.at, "name": a.Name}})
		}
	}
	if d.Pct < 100 {
		warns = append(warns, Sub{Code: "dmarc_pct", Params: map[string]any{"pct": d.Pct}})
	}
	if d.T && policy == "reject" {
		warns = append(warns, Sub{Code: "dmarc_testing_reject", Params: nil})
	}
	switch {
	case policy == "none":
		return newFinding(id, StatusFail, "dmarc_none", map[string]any{"where": where}, details), found
	case policy == "quarantine" && d.T:
		return newFinding(id, StatusFail, "dmarc_quarantine_testing", map[string]any{"where": where}, details), found
	case len(warns) > 0:
		return newFinding(id, StatusWarn, "dmarc_with_warnings", map[string]any{"policy": policy, "where": where, "warnings": warns}, details), found
	}
	if policy == "quarantine" {
		return newFinding(id, StatusPass, "dmarc_quarantine", map[string]any{"where": where}, details), found
	}
	return newFinding(id, StatusPass, "dmarc_reject", map[string]any{"policy": policy, "where": where}, details), found
}

// findDMARC reads _dmarc.<domain>. Without any v=DMARC1 record it returns
// nil and no problem, so the caller may look at the organisational domain;
// several records or an invalid one are a problem that ends the search
// (RFC 7489 section 6.6.3 falls back only when there is no record).
func (r *run) findDMARC(ctx context.Context, domain string, details map[string]any) (found *dmarcFound, problem Sub, err error) {
	name := "_dmarc." + domain
	txts, rcode, err := r.txtRecords(ctx, name)
	if err != nil {
		return nil, Sub{}, err
	}
	if rcode != dns.RcodeSuccess && rcode != dns.RcodeNameError {
		return nil, Sub{}, fmt.Errorf("dns TXT %s: %s", name, dns.RcodeToString[rcode])
	}
	seen, _ := details["txt_records"].(map[string][]string)
	if seen == nil {
		seen = map[string][]string{}
		details["txt_records"] = seen
	}
	seen[name] = txts
	var recs []string
	for _, t := range txts {
		if parse.IsDMARC(t) {
			recs = append(recs, t)
		}
	}
	switch len(recs) {
	case 0:
		return nil, Sub{}, nil
	case 1:
	default:
		return nil, Sub{Code: "dmarc_several", Params: map[string]any{"count": len(recs), "name": name}}, nil
	}
	d, err := parse.ParseDMARC(recs[0])
	if err != nil {
		details["record"] = recs[0]
		details["error"] = err.Error()
		return nil, Sub{Code: "dmarc_invalid", Params: map[string]any{"name": name, "error": errorSub(err)}}, nil
	}
	return &dmarcFound{record: d, text: recs[0], at: domain}, Sub{}, nil
}

// dmarcAuth is the evidence for one external report destination.
type dmarcAuth struct {
	Destination string   `json:"destination"`
	Name        string   `json:"name"`
	Records     []string `json:"records"`
	Authorised  bool     `json:"authorised"`
	Error       string   `json:"error,omitempty"`
}

// checkDMARCReportAuth verifies the external destinations of rua and ruf.
// A destination within the same organisational domain needs no record.
func (r *run) checkDMARCReportAuth(ctx context.Context, policyDomain string, d *parse.DMARC) []dmarcAuth {
	ownOrg, err := publicsuffix.EffectiveTLDPlusOne(policyDomain)
	if err != nil {
		ownOrg = policyDomain
	}
	seen := map[string]bool{}
	var out []dmarcAuth
	for _, u := range append(append([]parse.ReportURI{}, d.RUA...), d.RUF...) {
		host := strings.TrimSuffix(u.Host, ".")
		if host == "" || seen[host] {
			continue
		}
		seen[host] = true
		org, err := publicsuffix.EffectiveTLDPlusOne(host)
		if err == nil && org == ownOrg || host == policyDomain || strings.HasSuffix(host, "."+policyDomain) {
			continue
		}
		a := dmarcAuth{Destination: host, Name: policyDomain + "._report._dmarc." + host}
		txts, _, err := r.txtRecords(ctx, a.Name)
		if err != nil {
			a.Error = err.Error()
		}
		a.Records = txts
		for _, t := range txts {
			if parse.IsDMARC(t) || strings.HasPrefix(strings.TrimSpace(t), "v=DMARC1") {
				a.Authorised = true
			}
		}
		out = append(out, a)
	}
	return out
}

// checkDKIM looks for the _domainkey name the way internet.nl does: without
// a selector (which cannot be discovered from outside), an existing
// _domainkey.<domain> (NOERROR, possibly with no data because only
// selectors live below it) means DKIM keys are published, and NXDOMAIN
// means none are. A domain without them that sends no mail (nonSending)
// needs none, so the check does not apply there.
func (r *run) checkDKIM(m *dns.Msg, err error, nonSending bool, spfRecord string, dmarc *dmarcFound) Check {
	const id = check.MailDKIM
	name := "_domainkey." + r.domain
	if err != nil {
		c := errorChecks(err, id)[0]
		c.judge(dkimSubtest(StatusError, Sub{Code: c.Finding, Params: c.FindingParams}))
		return c
	}
	details := map[string]any{"name": name, "rcode": dns.RcodeToString[m.Rcode]}
	var seen []string
	for _, rr := range append(append([]dns.RR{}, m.Answer...), m.Ns...) {
		if rr.Header().Rrtype != dns.TypeRRSIG && rr.Header().Rrtype != dns.TypeNSEC && rr.Header().Rrtype != dns.TypeNSEC3 {
			seen = append(seen, rr.String())
		}
	}
	details["records"] = seen
	var c Check
	switch {
	case m.Rcode == dns.RcodeSuccess:
		c = newFinding(id, StatusPass, "dkim_present", map[string]any{"name": name}, details)
	case m.Rcode == dns.RcodeNameError && nonSending:
		details["spf"], details["dmarc"] = spfRecord, dmarc.text
		c = newFinding(id, StatusNotApplicable, "dkim_not_sending", nil, details)
	case m.Rcode == dns.RcodeNameError:
		c = newFinding(id, StatusFail, "dkim_missing", map[string]any{"name": name}, details)
	default:
		c = errorChecks(errors.New("dns TXT "+name+": "+dns.RcodeToString[m.Rcode]), id)[0]
	}
	c.judge(dkimSubtest(c.Status, Sub{Code: c.Finding, Params: c.FindingParams}))
	return c
}

// dkimSubtest is mail_auth_dkim_exist with the check's outcome.
func dkimSubtest(st Status, f Sub) subtests {
	s := subtests{}
	s.set("mail_auth_dkim_exist", st, f)
	return s
}

// internet.nl's patterns of a domain that sends no mail (checks/__init__.py).
var (
	spfNonSending   = regexp.MustCompile(`^v=spf1 +(?:exp=[^ ]+ +)?-all;?(?: +exp=[^ ]+)?$`)
	dmarcNonSending = regexp.MustCompile(`^v=DMARC1; *p=reject;?`)
)

// dmarcOrgNonSending is internet.nl's DMARC_NON_SENDING_POLICY_ORG,
// `v=DMARC1;(?:.*sp=reject|\ *p=reject(?!.*sp=))` from the start, for a
// record found at the organisational domain (RE2 has no lookahead).
func dmarcOrgNonSending(record string) bool {
	rest, ok := strings.CutPrefix(record, "v=DMARC1;")
	if !ok {
		return false
	}
	if strings.Contains(rest, "sp=reject") {
		return true
	}
	after, ok := strings.CutPrefix(strings.TrimLeft(rest, " "), "p=reject")
	return ok && !strings.Contains(after, "sp=")
}

// nonSendingDomain is internet.nl's rule for skipping DKIM
// (checks/tasks/mail.py skip_dkim_for_non_sending_domain): one valid SPF
// record of "-all" alone, and one valid DMARC record that rejects (p=reject
// first at the domain; sp=reject, or p=reject without sp, at the
// organisational domain), both as written.
func nonSendingDomain(spfRecord string, spf subtests, dmarc *dmarcFound, dmarcSubs subtests) bool {
	if dmarc == nil || spf["mail_auth_spf_policy"].Status != StatusPass || dmarcSubs["mail_auth_dmarc_policy"].Status != StatusPass {
		return false
	}
	if !spfNonSending.MatchString(spfRecord) {
		return false
	}
	if dmarc.subdomain {
		return dmarcOrgNonSending(dmarc.text)
	}
	return dmarcNonSending.MatchString(dmarc.text)
}
