// Package selfcheck reads a vendor's self-check (a probe run with reason
// models.RunReasonSelf) against the attestation as it is now: per
// requirement, what the probes say about its standard, whatever the vendor
// answered, and where that contradicts an answer of "complies". It is pure
// logic on top of package verify, so the verdict rules are the buyer's:
// the self-check shows what the buyer's verification will find.
package selfcheck

import (
	"slices"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/verify"
	"tenderprobe/models"
)

// What the probes say about one requirement's standard.
const (
	// Passed: every check of the standard that applies passed.
	Passed = "passed"
	// Failed: a check of the standard failed on a host in scope.
	Failed = "failed"
	// NotMeasured: the probes could not tell (errors, nothing in scope
	// of the needed kind, a host not probed, a run that measured nothing).
	NotMeasured = "not_measured"
	// NoProbe: no probe check can verify the standard.
	NoProbe = "no_probe"
)

// Requirement is what a self-check says about one answer's requirement.
type Requirement struct {
	Answer *models.Answer
	// Outcome is Passed, Failed, NotMeasured or NoProbe.
	Outcome string
	// Contradicts is set when the vendor answers "complies" and a check
	// failed: what the buyer's verification will call contradicted.
	Contradicts bool
	// Failing are the checks that failed, in check then host order.
	Failing []models.VerificationCheck
}

// Standard is the requirement's standard, or nil.
func (r Requirement) Standard() *models.Standard {
	if r.Answer == nil || r.Answer.Requirement == nil {
		return nil
	}
	return r.Answer.Requirement.Standard
}

// Report is a self-check read against the attestation now.
type Report struct {
	Run          *models.ProbeRun
	Requirements []Requirement
	// Stale is set when the names in scope now differ from those the
	// self-check probed: the scope changed since, so it is out of date.
	Stale bool
}

// Contradictions are the requirements whose answer the self-check
// contradicts, in sheet order: the warnings before submitting.
func (r Report) Contradictions() []Requirement {
	var out []Requirement
	for _, q := range r.Requirements {
		if q.Contradicts {
			out = append(out, q)
		}
	}
	return out
}

// Count is how many requirements have outcome.
func (r Report) Count(outcome string) int {
	n := 0
	for _, q := range r.Requirements {
		if q.Outcome == outcome {
			n++
		}
	}
	return n
}

// Judge reads run (a finished self-check of a) with its stored results
// against a as loaded now: its current answers (with requirements and
// standards) and scope. A host in scope now that the run did not probe
// counts as not probed; a host it probed that is no longer in scope does
// not count. A run that measured nothing measured nothing for anyone.
func Judge(a *models.Attestation, run *models.ProbeRun, results []models.ProbeResult) Report {
	out := Report{Run: run}
	scope := verify.ScopeOf(a)
	probed := make([]string, 0, len(results))
	for _, r := range results {
		probed = append(probed, r.Domain)
	}
	slices.Sort(probed)
	out.Stale = !slices.Equal(slices.Compact(probed), scope.Hosts())
	indexed := verify.ResultsOf(results)
	for i := range a.Answers {
		an := &a.Answers[i]
		var checks []check.ID
		if an.Requirement != nil && an.Requirement.Standard != nil {
			checks = an.Requirement.Standard.Checks
		}
		// Judged as a claim of compliance: what the probes say of the
		// standard, whatever the vendor has answered so far.
		verdict, used := verify.Verdict(models.AnswerComplies, checks, scope, indexed)
		q := Requirement{Answer: an, Outcome: outcomeOf(verdict)}
		if run != nil && run.Status == models.RunNotMeasured && q.Outcome != NoProbe {
			q.Outcome = NotMeasured
		}
		if q.Outcome == Failed {
			for _, c := range used {
				if c.Status == check.Fail {
					q.Failing = append(q.Failing, c)
				}
			}
			q.Contradicts = an.Status == models.AnswerComplies
		}
		out.Requirements = append(out.Requirements, q)
	}
	return out
}

func outcomeOf(verdict string) string {
	switch verdict {
	case models.VerdictConfirmed:
		return Passed
	case models.VerdictContradicted:
		return Failed
	case models.VerdictAttestationOnly:
		return NoProbe
	}
	return NotMeasured
}
