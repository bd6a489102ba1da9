// Package check is the registry of the probe checks: their ids, the
// catalogue standard each one verifies, the kind of domain it is run
// against and the order results are reported in, all in one table, plus
// the statuses a check reports. It imports nothing of the project, so the
// probe engine, the models, verification, reports and seed data can all
// share it without pulling in the engine and its DNS library.
//
// The ids are a public interface: they appear in the probe CLI's JSON, in
// catalogue files and in stored results. A check may be added; an id is
// never renamed or reused.
package check

import (
	"cmp"
	"slices"
)

// ID names one check, such as "web.hsts".
type ID string

// The checks, in report order.
const (
	WebDNSSEC          ID = "web.dnssec"
	WebIPv6            ID = "web.ipv6"
	WebHTTPS           ID = "web.https"
	WebHTTPSRedirect   ID = "web.https-redirect"
	WebHSTS            ID = "web.hsts"
	WebTLSVersion      ID = "web.tls-version"
	WebTLSCiphers      ID = "web.tls-ciphers"
	WebTLSCert         ID = "web.tls-cert"
	WebTLSPQ           ID = "web.tls-pq"
	WebSecurityHeaders ID = "web.security-headers"
	WebSecurityTxt     ID = "web.security-txt"
	WebCAA             ID = "web.caa"
	WebDANE            ID = "web.dane"
	WebRPKI            ID = "web.rpki"
	MailDNSSEC         ID = "mail.dnssec"
	MailIPv6           ID = "mail.ipv6"
	MailSPF            ID = "mail.spf"
	MailDKIM           ID = "mail.dkim"
	MailDMARC          ID = "mail.dmarc"
	MailSTARTTLS       ID = "mail.starttls"
	MailDANE           ID = "mail.dane"
	MailMTASTS         ID = "mail.mta-sts"
	MailTLSRPT         ID = "mail.tls-rpt"
	MailRPKI           ID = "mail.rpki"
	NSIPv6             ID = "ns.ipv6"
	NSRPKI             ID = "ns.rpki"
	SSHPQKex           ID = "ssh.pq-kex"
)

// Target is the kind of domain name of an offer's scope a check is run
// against.
type Target string

// The targets.
const (
	// Web checks run against the domains of the scope that serve websites.
	Web Target = "web"
	// Mail checks run against the domains of the scope that receive mail.
	Mail Target = "mail"
	// NameServers checks run against the name servers of every domain of
	// the scope, web or mail, since each one has name servers.
	NameServers Target = "ns"
	// Management checks run against the hosts the scope lists as
	// management endpoints (SSH servers), never against its web or mail
	// domains.
	Management Target = "management"
)

// Info is everything the registry knows about one check.
type Info struct {
	ID ID
	// Standard is the slug of the catalogue standard the check verifies.
	Standard string
	Target   Target
}

// registry is the one table of checks; its order is the report order.
var registry = []Info{
	{WebDNSSEC, "dnssec", Web},
	{WebIPv6, "ipv6", Web},
	{WebHTTPS, "https", Web},
	{WebHTTPSRedirect, "https", Web},
	{WebHSTS, "hsts", Web},
	{WebTLSVersion, "tls", Web},
	{WebTLSCiphers, "tls", Web},
	{WebTLSCert, "tls", Web},
	{WebTLSPQ, "pq-key-exchange", Web},
	{WebSecurityHeaders, "security-headers", Web},
	{WebSecurityTxt, "security-txt", Web},
	{WebCAA, "caa", Web},
	{WebDANE, "dane", Web},
	{WebRPKI, "rpki", Web},
	{MailDNSSEC, "dnssec", Mail},
	{MailIPv6, "ipv6", Mail},
	{MailSPF, "spf", Mail},
	{MailDKIM, "dkim", Mail},
	{MailDMARC, "dmarc", Mail},
	{MailSTARTTLS, "starttls", Mail},
	{MailDANE, "dane", Mail},
	{MailMTASTS, "mta-sts", Mail},
	{MailTLSRPT, "tls-rpt", Mail},
	{MailRPKI, "rpki", Mail},
	{NSIPv6, "ipv6", NameServers},
	{NSRPKI, "rpki", NameServers},
	{SSHPQKex, "pq-ssh-key-exchange", Management},
}

// position maps an id to its index in registry.
var position = func() map[ID]int {
	m := make(map[ID]int, len(registry))
	for i, c := range registry {
		m[c.ID] = i
	}
	return m
}()

// All returns every check in report order. The slice is the caller's to change.
func All() []Info { return slices.Clone(registry) }

// IDs returns every check id in report order. The slice is the caller's to change.
func IDs() []ID {
	out := make([]ID, len(registry))
	for i, c := range registry {
		out[i] = c.ID
	}
	return out
}

// DomainIDs returns the ids of the checks run against a domain of the
// scope (web, mail and name-server checks), in report order: every id but
// those of management endpoints. A domain's probe result carries exactly
// these. The slice is the caller's to change.
func DomainIDs() []ID { return TargetIDs(Web, Mail, NameServers) }

// TargetIDs returns the ids of the checks run against one of targets, in
// report order. The slice is the caller's to change.
func TargetIDs(targets ...Target) []ID {
	var out []ID
	for _, c := range registry {
		if slices.Contains(targets, c.Target) {
			out = append(out, c.ID)
		}
	}
	return out
}

// Lookup returns the registry entry of id, and false for an id no check has.
func Lookup(id ID) (Info, bool) {
	i, ok := position[id]
	if !ok {
		return Info{}, false
	}
	return registry[i], true
}

// Known reports whether id is a check the probe engine runs.
func Known(id ID) bool {
	_, ok := position[id]
	return ok
}

// Standard returns the slug of the standard the check verifies, or "" for
// an unknown id.
func (id ID) Standard() string {
	c, _ := Lookup(id)
	return c.Standard
}

// Target returns the kind of domain the check runs against, or "" for an
// unknown id.
func (id ID) Target() Target {
	c, _ := Lookup(id)
	return c.Target
}

// Compare orders ids as reports list them (for slices.SortFunc). Ids that
// are not in the registry, as results stored by an older or newer release
// may hold, come after every known one, in the order of their text.
func Compare(a, b ID) int {
	pa, okA := position[a]
	pb, okB := position[b]
	switch {
	case okA && okB:
		return cmp.Compare(pa, pb)
	case okA:
		return -1
	case okB:
		return 1
	}
	return cmp.Compare(a, b)
}

// Status is the verdict of one check, in internet.nl's vocabulary.
type Status string

// The statuses a check can report. The "info" status is called
// Informational because Info names a registry entry.
const (
	// Pass: the domain meets the standard.
	Pass Status = "pass"
	// Fail: the domain does not meet the standard.
	Fail Status = "fail"
	// Warn: the standard is met, with a recommendation not followed.
	Warn Status = "warn"
	// Informational: a finding worth noting that does not fail the
	// standard, such as no post-quantum key exchange offered yet.
	Informational Status = "info"
	// NotApplicable: the domain has nothing the check could test, such as
	// a domain that takes no mail.
	NotApplicable Status = "not_applicable"
	// Error: the check could not be carried out.
	Error Status = "error"
)

// Statuses lists every status.
func Statuses() []Status {
	return []Status{Pass, Fail, Warn, Informational, NotApplicable, Error}
}
