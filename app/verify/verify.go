// Package verify joins a vendor's declaration to live measurement: it turns
// an answer's status, the probe checks of its standard and the check results
// of the domains in the attestation's scope into a verdict. It is pure
// logic; app/jobs runs the probes and stores what this package decides.
//
// Which domains a check applies to follows its target in the check
// registry: web checks run against the web domains of the scope, mail
// checks against the mail domains, name-server checks against both,
// since every domain has name servers, and management checks (ssh.pq-kex)
// against the management endpoints only.
//
// The verdicts, for an answer whose standard has probe checks:
//
//	claims complies, some check fails                      -> contradicted
//	claims complies, no fail, some error                   -> inconclusive
//	claims complies, all pass (warn and info count as pass) -> confirmed
//	partial / does not comply, some check fails            -> consistent
//	partial / does not comply, no fail, some error          -> inconclusive
//	partial / does not comply, all pass                    -> better_than_declared
//	not applicable or unanswered                           -> inconclusive
//	no domain of the needed kind in scope, or every check
//	not applicable                                         -> inconclusive
//	no pass, fail or error on a measured domain, and some
//	check on a domain that was not measured               -> not_measured
//
// A domain was not measured when its probe stored no check other than
// errors (the resolver did not answer, or every check broke): such errors
// say nothing about the domain, so they give not_measured rather than
// inconclusive. A run in which no domain was measured is not measured as a
// whole (Unmeasured); the worker then marks every verdict that rests on
// checks not_measured (NotMeasured).
//
// and attestation_only when the standard has no checks. A fail decides
// even beside errors: one failing measurement already contradicts a claim
// of full compliance. A warn is a recommendation not followed; it neither
// contradicts a claim nor shows a gap.
package verify

import (
	"slices"
	"sort"
	"strconv"

	"tenderprobe/app/probe/check"
	"tenderprobe/models"
)

// Scope is the set of domains an attestation covers, by kind, and its
// management endpoints.
type Scope struct {
	Web  []string
	Mail []string
	// Management are the hosts the management checks (ssh.pq-kex) run
	// against; the domain checks never do.
	Management []string
}

// ScopeOf is the scope of a (loaded with its scope).
func ScopeOf(a *models.Attestation) Scope {
	return Scope{Web: a.ScopeNames(models.ScopeWeb), Mail: a.ScopeNames(models.ScopeMail), Management: a.ScopeNames(models.ScopeManagement)}
}

// Hosts returns every distinct name of the scope, domains and management
// endpoints, sorted: what a run probes. A name that is both is probed
// once, with both kinds of checks (IsDomain, IsManagement).
func (s Scope) Hosts() []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range append(s.Domains(), s.Management...) {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}

// IsDomain reports whether name is a web or mail domain of the scope.
func (s Scope) IsDomain(name string) bool {
	return slices.Contains(s.Web, name) || slices.Contains(s.Mail, name)
}

// IsManagement reports whether name is a management endpoint of the scope.
func (s Scope) IsManagement(name string) bool { return slices.Contains(s.Management, name) }

// Domains returns every distinct domain of the scope, sorted: what a run probes.
func (s Scope) Domains() []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range append(append([]string{}, s.Web...), s.Mail...) {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}

// DomainsFor returns the scope's domains a check applies to; none for an
// id the check registry does not know.
func (s Scope) DomainsFor(id check.ID) []string {
	switch id.Target() {
	case check.Web:
		return s.Web
	case check.Mail:
		return s.Mail
	case check.NameServers:
		return s.Domains()
	case check.Management:
		return s.Management
	}
	return nil
}

// Results are the stored check outcomes by domain and check id.
type Results map[string]map[check.ID]models.ProbeCheck

// ResultsOf indexes stored probe results. A domain whose probe failed as a
// whole has no checks, so every check on it counts as an error.
func ResultsOf(rs []models.ProbeResult) Results {
	out := Results{}
	for _, r := range rs {
		m := map[check.ID]models.ProbeCheck{}
		for _, c := range r.Checks {
			m[c.ID] = c
		}
		out[r.Domain] = m
	}
	return out
}

// Verdict decides the verification status of one answer. answer is the
// answer's status, checks the check ids of its standard. It also returns
// the check outcomes the verdict rests on, in check then domain order.
func Verdict(answer string, checks []check.ID, scope Scope, results Results) (string, []models.VerificationCheck) {
	if len(checks) == 0 {
		return models.VerdictAttestationOnly, []models.VerificationCheck{}
	}
	used := []models.VerificationCheck{}
	var pass, fail, errs, unmeasured int
	for _, id := range checks {
		for _, d := range scope.DomainsFor(id) {
			c, ok := results[d][id]
			if !ok {
				c = models.ProbeCheck{ID: id, Status: check.Error, Summary: "not probed", Finding: "not_probed"}
			}
			used = append(used, models.VerificationCheck{ID: id, Domain: d, Status: c.Status, Summary: c.Summary,
				Finding: c.Finding, FindingParams: c.FindingParams})
			switch c.Status {
			case check.Pass, check.Warn, check.Informational:
				pass++
			case check.Fail:
				fail++
			case check.NotApplicable:
			default:
				if !DomainMeasured(results[d]) {
					unmeasured++
				} else {
					errs++
				}
			}
		}
	}
	notMeasured := pass == 0 && fail == 0 && errs == 0 && unmeasured > 0
	switch answer {
	case models.AnswerComplies:
		switch {
		case fail > 0:
			return models.VerdictContradicted, used
		case notMeasured:
			return models.VerdictNotMeasured, used
		case errs > 0 || unmeasured > 0 || pass == 0:
			return models.VerdictInconclusive, used
		}
		return models.VerdictConfirmed, used
	case models.AnswerPartial, models.AnswerDoesNotComply:
		switch {
		case fail > 0:
			return models.VerdictConsistent, used
		case notMeasured:
			return models.VerdictNotMeasured, used
		case errs > 0 || unmeasured > 0 || pass == 0:
			return models.VerdictInconclusive, used
		}
		return models.VerdictBetterThanDeclared, used
	}
	return models.VerdictInconclusive, used
}

// DomainMeasured reports whether a domain's stored checks measured
// anything: some check ended other than in an error. A domain whose probe
// failed as a whole has no checks and was not measured.
func DomainMeasured(checks map[check.ID]models.ProbeCheck) bool {
	for _, c := range checks {
		if c.Status != check.Error {
			return true
		}
	}
	return false
}

// Unmeasured decides whether a run of domains that stored results
// measured nothing, and why: NotMeasuredNoDomains when there was no
// domain, NotMeasuredAllErrors (with the number of domains and the first
// error) when no domain was measured, "" when some domain was. The worker
// asks the resolver itself to tell an unreachable resolver apart.
func Unmeasured(domains []string, results Results, rs []models.ProbeResult) (string, map[string]string) {
	if len(domains) == 0 {
		return models.NotMeasuredNoDomains, map[string]string{}
	}
	for _, d := range domains {
		if DomainMeasured(results[d]) {
			return "", nil
		}
	}
	first := ""
	for _, r := range rs {
		if r.Error != "" {
			first = r.Error
		}
		for _, c := range r.Checks {
			if first == "" && c.Status == check.Error {
				first = c.Summary
			}
		}
		if first != "" {
			break
		}
	}
	return models.NotMeasuredAllErrors, map[string]string{"domains": strconv.Itoa(len(domains)), "error": first}
}

// NotMeasured turns the verdicts of a run that measured nothing into
// not_measured, except attestation_only (no check could ever verify those).
func NotMeasured(vs []models.Verification) {
	for i := range vs {
		if vs[i].Status != models.VerdictAttestationOnly {
			vs[i].Status = models.VerdictNotMeasured
		}
	}
}

// Attestation decides the verdict of every answer of a (loaded with
// answers, their requirements and standards, and scope) from the results.
// The verdicts carry answer and requirement ids; run and time are set when
// they are stored.
func Attestation(a *models.Attestation, results Results) []models.Verification {
	scope := ScopeOf(a)
	out := make([]models.Verification, 0, len(a.Answers))
	for _, an := range a.Answers {
		var checks []check.ID
		if an.Requirement != nil && an.Requirement.Standard != nil {
			checks = an.Requirement.Standard.Checks
		}
		status, used := Verdict(an.Status, checks, scope, results)
		out = append(out, models.Verification{AnswerID: an.ID, RequirementID: an.RequirementID, Status: status, Checks: used})
	}
	return out
}
