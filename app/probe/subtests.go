package probe

import (
	"slices"

	"tenderprobe/app/i18n"
	"tenderprobe/app/probe/check"
)

// Subtest is the outcome of one internet.nl subtest, kept in its check's
// details under "findings" and internet.nl's batch test key, so a buyer
// can compare both tools test by test. Reason is the finding in English,
// one line; Finding and FindingParams let a page say it in its reader's
// language.
type Subtest struct {
	Status        Status         `json:"status"`
	Reason        string         `json:"reason"`
	Finding       string         `json:"finding"`
	FindingParams map[string]any `json:"finding_params,omitempty"`
}

// subtests are the outcomes a check collects, by key.
type subtests map[check.Subtest]Subtest

// set records key's outcome. status is the outcome as internet.nl grades
// it (pass; fail for a bad result; warn for a phase-out; info; error when
// it could not be measured; not_applicable); a bad outcome is capped by the
// subtest's severity, so a recommended test's failure warns and an
// optional one's informs. f says why, in a line.
func (s subtests) set(key check.Subtest, status Status, f Sub) {
	info, ok := check.LookupSubtest(key)
	if !ok {
		panic("probe: subtest " + string(key) + " is not in the table")
	}
	if worst := info.Severity.Worst(); subtestRank(status) > subtestRank(worst) && status != StatusError {
		status = worst
	}
	s[key] = Subtest{Status: status, Reason: english(f), Finding: f.Code, FindingParams: f.Params}
}

// pass records a passed subtest with its reason.
func (s subtests) pass(key check.Subtest, f Sub) { s.set(key, StatusPass, f) }

// fail records key's bad outcome, capped by its severity.
func (s subtests) fail(key check.Subtest, f Sub) { s.set(key, StatusFail, f) }

// on merges the outcomes of one host (a web address, a mail server) into
// s: per key, the worse outcome wins, its reason naming the host.
func (s subtests) on(host string, other subtests) {
	for key, t := range other {
		f := Sub{Code: t.Finding, Params: t.FindingParams}
		if !names(f, host) {
			f = Sub{Code: "on_host", Params: map[string]any{"host": host, "finding": f}}
		}
		have, ok := s[key]
		if ok && subtestRank(have.Status) >= subtestRank(t.Status) {
			continue
		}
		s[key] = Subtest{Status: t.Status, Reason: english(f), Finding: f.Code, FindingParams: f.Params}
	}
}

// names reports whether a finding already names host in one of its
// parameters, so that merging does not name it twice.
func names(f Sub, host string) bool {
	for _, v := range f.Params {
		if s, ok := v.(string); ok && s == host {
			return true
		}
	}
	return false
}

// subtestRank orders statuses from best to worst for merging outcomes.
func subtestRank(s Status) int {
	switch s {
	case StatusNotApplicable:
		return 0
	case StatusPass:
		return 1
	case StatusInfo:
		return 2
	case StatusWarn:
		return 3
	case StatusError:
		return 4
	case StatusFail:
		return 5
	}
	return 0
}

// judge adds s to c's details.findings and lets them weigh on c's status:
// a failed subtest fails the check, a warning makes a passing check warn,
// and a required subtest that could not be measured turns a check that
// would pass or warn into an error, since an unmeasured requirement is not
// met as far as anyone knows. Informational outcomes never change the
// status. When a subtest makes the check worse, the check's finding
// becomes that subtest's (or "subtests_failed", counting them and naming
// the first, when several are equally bad).
func (c *Check) judge(s subtests) {
	if len(s) == 0 {
		return
	}
	if c.Details == nil {
		c.Details = map[string]any{}
	}
	findings, _ := c.Details["findings"].(map[check.Subtest]Subtest)
	if findings == nil {
		findings = make(map[check.Subtest]Subtest, len(s))
	}
	for k, v := range s {
		findings[k] = v
	}
	c.Details["findings"] = findings
	if c.Status == StatusNotApplicable {
		return
	}
	worst, first, count := c.Status, check.Subtest(""), 0
	for _, key := range sortedSubtests(findings) {
		st := weigh(key, findings[key])
		switch r := subtestRank(st); {
		case r > subtestRank(worst):
			worst, first, count = st, key, 1
		case r == subtestRank(worst) && first != "":
			count++
		}
	}
	if first == "" {
		return
	}
	t := findings[first]
	f := Sub{Code: t.Finding, Params: t.FindingParams}
	if count > 1 {
		f = Sub{Code: "subtests_failed", Params: map[string]any{"first": f, "count": count}}
	}
	c.Status = worst
	c.Summary = findingText(i18n.Default, f.Code, f.Params)
	c.Finding, c.FindingParams = f.Code, f.Params
}

// weigh is the status a subtest's outcome gives its check: its own, but
// info and not_applicable never change a check, and an error counts only
// for a required subtest.
func weigh(key check.Subtest, t Subtest) Status {
	switch t.Status {
	case StatusFail, StatusWarn:
		return t.Status
	case StatusError:
		if info, _ := check.LookupSubtest(key); info.Severity == check.Required {
			return StatusError
		}
	}
	return StatusPass
}

// sortedSubtests lists the keys of m in table order.
func sortedSubtests(m map[check.Subtest]Subtest) []check.Subtest {
	keys := make([]check.Subtest, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, check.CompareSubtests)
	return keys
}

// contribution is a check that only carries subtest outcomes for the check
// id, reported by a checker other than the one that judges id (the HTTP
// checks' compression test belongs to web.https, which the TLS checks
// judge). mergeContributions folds it into that check.
func contribution(id check.ID, s subtests) Check {
	return Check{ID: id, Details: map[string]any{"findings": map[check.Subtest]Subtest(s)}}
}

// mergeContributions judges every contribution's subtests into the check
// of its id and drops the contribution. A contribution whose check was not
// reported stays out; completeChecks reports that id as an error.
func mergeContributions(checks []Check) []Check {
	var extra []Check
	out := checks[:0]
	for _, c := range checks {
		if c.Status == "" {
			extra = append(extra, c)
			continue
		}
		out = append(out, c)
	}
	for _, x := range extra {
		s, _ := x.Details["findings"].(map[check.Subtest]Subtest)
		for i := range out {
			if out[i].ID == x.ID {
				out[i].judge(s)
				break
			}
		}
	}
	return out
}

// Subtests returns the check's subtest outcomes by key, and the keys in
// internet.nl's order.
func (c Check) Subtests() ([]check.Subtest, map[check.Subtest]Subtest) {
	m, _ := c.Details["findings"].(map[check.Subtest]Subtest)
	return sortedSubtests(m), m
}
