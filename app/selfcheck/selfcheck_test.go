package selfcheck_test

import (
	"testing"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/selfcheck"
	"tenderprobe/models"
)

// attestation answers HSTS (web), DMARC (mail) and ISO 27001 (no probe)
// with statuses, web.test and mail.test in scope.
func attestation(hsts, dmarc, iso string) *models.Attestation {
	std := func(slug string, checks ...check.ID) *models.Requirement {
		return &models.Requirement{Standard: &models.Standard{Slug: slug, Checks: checks}}
	}
	return &models.Attestation{
		Answers: []models.Answer{
			{RequirementID: 1, Status: hsts, Requirement: std("hsts", check.WebHSTS)},
			{RequirementID: 2, Status: dmarc, Requirement: std("dmarc", check.MailDMARC)},
			{RequirementID: 3, Status: iso, Requirement: std("iso-27001")},
		},
		Scope: []models.ScopeDomain{{Kind: models.ScopeWeb, Name: "web.test"}, {Kind: models.ScopeMail, Name: "mail.test"}},
	}
}

func results(hsts, dmarc check.Status) []models.ProbeResult {
	return []models.ProbeResult{
		{Domain: "mail.test", Checks: []models.ProbeCheck{{ID: check.MailDMARC, Status: dmarc, Finding: "dmarc_none"}}},
		{Domain: "web.test", Checks: []models.ProbeCheck{{ID: check.WebHSTS, Status: hsts, Finding: "hsts_missing"}}},
	}
}

func TestJudge(t *testing.T) {
	done := &models.ProbeRun{Status: models.RunDone}
	tests := []struct {
		name           string
		a              *models.Attestation
		run            *models.ProbeRun
		results        []models.ProbeResult
		outcomes       [3]string
		contradictions int
		stale          bool
	}{
		{"a failed check contradicts an answer of complies", attestation(models.AnswerComplies, models.AnswerComplies, models.AnswerComplies), done,
			results(check.Fail, check.Pass), [3]string{selfcheck.Failed, selfcheck.Passed, selfcheck.NoProbe}, 1, false},
		{"a failed check beside an admitted gap is no contradiction", attestation(models.AnswerPartial, "", models.AnswerComplies), done,
			results(check.Fail, check.Fail), [3]string{selfcheck.Failed, selfcheck.Failed, selfcheck.NoProbe}, 0, false},
		{"an error is not measured, not a contradiction", attestation(models.AnswerComplies, models.AnswerComplies, ""), done,
			results(check.Error, check.Pass), [3]string{selfcheck.NotMeasured, selfcheck.Passed, selfcheck.NoProbe}, 0, false},
		{"a run that measured nothing says nothing", attestation(models.AnswerComplies, models.AnswerComplies, ""), &models.ProbeRun{Status: models.RunNotMeasured},
			results(check.Fail, check.Pass), [3]string{selfcheck.NotMeasured, selfcheck.NotMeasured, selfcheck.NoProbe}, 0, false},
		{"a host added to the scope since makes it out of date and its checks not probed", func() *models.Attestation {
			a := attestation(models.AnswerComplies, models.AnswerComplies, "")
			a.Scope = append(a.Scope, models.ScopeDomain{Kind: models.ScopeWeb, Name: "new.test"})
			return a
		}(), done, results(check.Pass, check.Pass), [3]string{selfcheck.NotMeasured, selfcheck.Passed, selfcheck.NoProbe}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := selfcheck.Judge(tt.a, tt.run, tt.results)
			for i, q := range r.Requirements {
				if q.Outcome != tt.outcomes[i] {
					t.Errorf("%s: %s, want %s", q.Standard().Slug, q.Outcome, tt.outcomes[i])
				}
				if q.Outcome == selfcheck.Failed && (len(q.Failing) != 1 || q.Failing[0].Finding == "") {
					t.Errorf("%s: failing checks %v", q.Standard().Slug, q.Failing)
				}
			}
			if n := len(r.Contradictions()); n != tt.contradictions {
				t.Errorf("%d contradictions, want %d", n, tt.contradictions)
			}
			if r.Stale != tt.stale {
				t.Errorf("stale %v, want %v", r.Stale, tt.stale)
			}
		})
	}
}
