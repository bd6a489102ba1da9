package probe

import (
	"context"
	"strings"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/parse"
)

// mxStatus is what a domain's MX records say about its mail reception,
// in internet.nl's terms (checks/models.py MxStatus, decided by
// checks/tasks/shared.py do_mail_get_servers).
type mxStatus string

// The MX statuses.
const (
	// mxPresent: the domain names mail servers.
	mxPresent mxStatus = "has_mx"
	// mxNone: no MX records; without addresses, or with an SPF record that
	// does not say the domain sends no mail.
	mxNone mxStatus = "no_mx"
	// mxNullAdvised: no MX records, but addresses and the SPF record
	// "v=spf1 -all": the domain takes no mail and a null MX would say so
	// (internet.nl informs).
	mxNullAdvised mxStatus = "no_null_mx"
	// mxNull: a null MX alone (RFC 7505) on a domain with addresses.
	mxNull mxStatus = "null_mx"
	// mxNullWithOthers: a null MX next to other MX records, which RFC 7505
	// section 3 forbids (internet.nl notices).
	mxNullWithOthers mxStatus = "null_mx_with_other_mx"
	// mxNullWithoutAddress: a null MX on a domain without A or AAAA
	// records, where it is not needed (internet.nl informs).
	mxNullWithoutAddress mxStatus = "null_mx_without_a_aaaa"
)

// mailServers is the domain's mail servers and what its MX records say.
type mailServers struct {
	Hosts  []string `json:"hosts,omitempty"`
	Status mxStatus `json:"mx_status"`
}

// mailServers reads the MX records the way internet.nl does:
//  1. MX at the domain (mxHosts: by preference, at most MaxMX, localhost
//     left out).
//  2. A null MX ("0 ."): alone, it is a null MX, or a needless one when
//     the domain has no A or AAAA record; beside other MX it is flagged
//     and the other hosts are still tested (Tenderprobe: senders that skip
//     the null MX deliver there; internet.nl tests none of them).
//  3. No MX: when the domain has addresses and an SPF record of "-all"
//     alone, a null MX is advised; otherwise there is simply no mail server.
func (r *run) mailServers(ctx context.Context) (mailServers, error) {
	hosts, nullMX, err := r.mxHosts(ctx)
	if err != nil {
		return mailServers{}, err
	}
	if len(hosts) > 0 {
		mixed, err := r.hasNullMX(ctx)
		if err != nil {
			return mailServers{}, err
		}
		if mixed {
			return mailServers{Hosts: hosts, Status: mxNullWithOthers}, nil
		}
		return mailServers{Hosts: hosts, Status: mxPresent}, nil
	}
	v4, v6, err := r.lookupAddrs(ctx, r.domain)
	if err != nil {
		return mailServers{}, err
	}
	hasAddress := len(v4)+len(v6) > 0
	switch {
	case nullMX && hasAddress:
		return mailServers{Status: mxNull}, nil
	case nullMX:
		return mailServers{Status: mxNullWithoutAddress}, nil
	case !hasAddress:
		return mailServers{Status: mxNone}, nil
	}
	txts, _, err := r.txtRecords(ctx, r.domain)
	if err != nil {
		return mailServers{}, err
	}
	var spfs []string
	for _, t := range txts {
		if parse.IsSPF(t) {
			spfs = append(spfs, t)
		}
	}
	if len(spfs) == 1 && spfOnlyFailAll(spfs[0]) {
		return mailServers{Status: mxNullAdvised}, nil
	}
	return mailServers{Status: mxNone}, nil
}

// hasNullMX reports whether the domain's MX set holds a null MX (the
// query is answered from the run's cache).
func (r *run) hasNullMX(ctx context.Context) (bool, error) {
	m, err := r.dns.Query(ctx, r.domain, dns.TypeMX)
	if err != nil {
		return false, err
	}
	for _, rr := range m.Answer {
		if mx, ok := rr.(*dns.MX); ok && mx.Mx == "." {
			return true, nil
		}
	}
	return false, nil
}

// spfOnlyFailAll reports internet.nl's "no mail" SPF record for a domain
// without MX: its only term is -all (spf_parse(...)["terms"] == ["-all"];
// a modifier such as exp= is a term too).
func spfOnlyFailAll(record string) bool {
	p, err := parse.ParseSPF(record)
	if err != nil || len(p.Terms) != 1 {
		return false
	}
	t := p.Terms[0]
	return !t.Modifier && t.Name == "all" && t.Qualifier == '-'
}

// reason is why a domain without mail servers is not tested, as a finding.
func (m mailServers) reason() Sub {
	switch m.Status {
	case mxNull:
		return Sub{Code: "null_mx", Params: nil}
	case mxNullWithoutAddress:
		return Sub{Code: "mail_null_mx_without_address", Params: nil}
	case mxNullAdvised:
		return Sub{Code: "mail_null_mx_advised", Params: nil}
	}
	return Sub{Code: "no_mx_no_mail", Params: nil}
}

// notApplicable is the check id of a domain without mail servers, saying why.
func (m mailServers) notApplicable(id check.ID) Check {
	f := m.reason()
	return newFinding(id, StatusNotApplicable, f.Code, f.Params, map[string]any{"mx_status": m.Status, "null_mx": strings.HasPrefix(string(m.Status), "null_mx")})
}

// notTested records keys as internet.nl reports them for a domain without
// mail servers: not tested, with the reason.
func (m mailServers) notTested(keys ...check.Subtest) subtests {
	s := subtests{}
	for _, k := range keys {
		s.set(k, StatusNotApplicable, m.reason())
	}
	return s
}

// withoutServers records, for a domain without mail servers, key as
// internet.nl's MX subtests judge it (a null MX that is not needed, or one
// that should be published, informs; otherwise not tested) and others as
// not tested.
func (m mailServers) withoutServers(key check.Subtest, others ...check.Subtest) subtests {
	s := m.notTested(append(others, key)...)
	if m.Status == mxNullWithoutAddress || m.Status == mxNullAdvised {
		s.set(key, StatusInfo, m.reason())
	}
	return s
}

// noteNullBesideOthers makes key warn on c when a null MX stands beside
// other MX records (RFC 7505 section 3 forbids it; internet.nl notices),
// unless the servers' own outcome is already as bad or worse. The other
// hosts are tested all the same, as senders that skip the null MX deliver
// there.
func (m mailServers) noteNullBesideOthers(c *Check, key check.Subtest) {
	if m.Status != mxNullWithOthers {
		return
	}
	if _, have := c.Subtests(); subtestRank(have[key].Status) >= subtestRank(StatusWarn) {
		return
	}
	s := subtests{}
	s.set(key, StatusWarn, Sub{Code: "mail_null_mx_with_others", Params: nil})
	c.judge(s)
}
