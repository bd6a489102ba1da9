package attest

import (
	"fmt"
	"strings"

	"tenderprobe/app/probe"
)

// MaxScopeDomains is how many distinct domain names one attestation's scope
// may list, web and mail together.
const MaxScopeDomains = 50

// ScopeError names the domain names of a scope that cannot be probed.
type ScopeError struct {
	Problems []string
}

// Error lists the problems.
func (e *ScopeError) Error() string {
	return "attest: scope: " + strings.Join(e.Problems, "; ")
}

// NormalizeScope validates the web and mail domain names of an offer with
// the probe engine's rules and returns them in A-label form, lowercased,
// without duplicates and in the order given. Every bad name is reported,
// not just the first.
func NormalizeScope(web, mail []string) (outWeb, outMail []string, err error) {
	var problems []string
	distinct := map[string]bool{}
	norm := func(kind string, in []string) []string {
		out := []string{}
		seen := map[string]bool{}
		for _, raw := range in {
			if strings.TrimSpace(raw) == "" {
				continue
			}
			name, err := probe.NormalizeDomain(raw)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s domain %q: %v", kind, strings.TrimSpace(raw), unwrapped(err)))
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
		problems = append(problems, fmt.Sprintf("%d domain names given, at most %d are allowed", len(distinct), MaxScopeDomains))
	}
	if len(problems) > 0 {
		return nil, nil, &ScopeError{Problems: problems}
	}
	return outWeb, outMail, nil
}

// unwrapped keeps the probe package's message without repeating the name.
func unwrapped(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.HasPrefix(msg, "invalid domain name") {
		return msg[i+2:]
	}
	return msg
}

// SplitDomains splits what a person typed in a text area (one name per
// line, or separated by commas or spaces) into names.
func SplitDomains(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == '\n' || r == '\r' || r == ',' || r == ' ' || r == '\t' || r == ';'
	})
}
