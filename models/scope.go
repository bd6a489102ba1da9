package models

import (
	"errors"
	"strings"

	"tenderprobe/app/dnsname"
)

// MaxScopeDomains is how many distinct domain names one attestation's scope
// may list, web and mail together.
const MaxScopeDomains = 50

// NormalizeScope validates the web and mail domain names of an offer with
// the rule the probe engine applies (package dnsname) and returns them in
// A-label form, lowercased, without duplicates and in the order given, so
// that every name in scope can be probed. Blank entries are skipped. Bad
// names give a ValidationError on "scope" (code bad_scope) whose "problems"
// parameter lists every problem, not just the first: bad_domain (kind,
// name, reason) and too_many_domains (count, max).
func NormalizeScope(web, mail []string) (outWeb, outMail []string, err error) {
	var problems []Problem
	distinct := map[string]bool{}
	norm := func(kind string, in []string) []string {
		out := []string{}
		seen := map[string]bool{}
		for _, raw := range in {
			if strings.TrimSpace(raw) == "" {
				continue
			}
			name, err := dnsname.Normalize(raw)
			if err != nil {
				problems = append(problems, problem("bad_domain", "kind", kind, "name", strings.TrimSpace(raw), "reason", reason(err)))
				continue
			}
			if seen[name] {
				continue
			}
			seen[name], distinct[name] = true, true
			out = append(out, name)
		}
		return out
	}
	outWeb, outMail = norm("web", web), norm("mail", mail)
	if len(distinct) > MaxScopeDomains {
		problems = append(problems, problem("too_many_domains", "count", len(distinct), "max", MaxScopeDomains))
	}
	if len(problems) > 0 {
		return nil, nil, invalid("scope", "bad_scope", "problems", problems)
	}
	return outWeb, outMail, nil
}

// reason is what is wrong with a refused name, without the name, which the
// problem already quotes.
func reason(err error) string {
	var e *dnsname.Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return err.Error()
}
