package verify_test

import (
	"reflect"
	"testing"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/verify"
	"tenderprobe/models"
)

// results builds Results from "domain check status" triples.
func results(triples ...[3]string) verify.Results {
	out := verify.Results{}
	for _, t := range triples {
		if out[t[0]] == nil {
			out[t[0]] = map[check.ID]models.ProbeCheck{}
		}
		id := check.ID(t[1])
		out[t[0]][id] = models.ProbeCheck{ID: id, Status: check.Status(t[2])}
	}
	return out
}

func TestVerdict(t *testing.T) {
	web := verify.Scope{Web: []string{"shop.test"}}
	mail := verify.Scope{Mail: []string{"mail.test"}}
	both := verify.Scope{Web: []string{"shop.test"}, Mail: []string{"mail.test"}}
	tests := []struct {
		name    string
		answer  string
		checks  []check.ID
		scope   verify.Scope
		results verify.Results
		want    string
	}{
		{"a standard without checks is attestation only", models.AnswerComplies, nil, both, nil, models.VerdictAttestationOnly},
		{"a compliance claim with a passing check is confirmed", models.AnswerComplies, []check.ID{"web.hsts"}, web,
			results([3]string{"shop.test", "web.hsts", "pass"}), models.VerdictConfirmed},
		{"a compliance claim with a failing check is contradicted", models.AnswerComplies, []check.ID{"web.hsts"}, web,
			results([3]string{"shop.test", "web.hsts", "fail"}), models.VerdictContradicted},
		{"one failing check among passing ones contradicts", models.AnswerComplies, []check.ID{"web.https", "web.https-redirect"}, web,
			results([3]string{"shop.test", "web.https", "pass"}, [3]string{"shop.test", "web.https-redirect", "fail"}), models.VerdictContradicted},
		{"a fail beside an error still contradicts", models.AnswerComplies, []check.ID{"web.tls-version", "web.tls-cert"}, web,
			results([3]string{"shop.test", "web.tls-version", "error"}, [3]string{"shop.test", "web.tls-cert", "fail"}), models.VerdictContradicted},
		{"an error without any fail is inconclusive", models.AnswerComplies, []check.ID{"web.tls-version", "web.tls-cert"}, web,
			results([3]string{"shop.test", "web.tls-version", "error"}, [3]string{"shop.test", "web.tls-cert", "pass"}), models.VerdictInconclusive},
		{"a warning does not contradict a compliance claim", models.AnswerComplies, []check.ID{"web.security-headers"}, web,
			results([3]string{"shop.test", "web.security-headers", "warn"}), models.VerdictConfirmed},
		{"a check the probe never ran on a measured domain counts as an error", models.AnswerComplies, []check.ID{"web.hsts"}, web,
			results([3]string{"shop.test", "web.https", "pass"}), models.VerdictInconclusive},
		{"a domain the probe never reached is not measured", models.AnswerComplies, []check.ID{"web.hsts"}, web,
			results(), models.VerdictNotMeasured},
		{"a domain whose every check broke is not measured, not inconclusive", models.AnswerComplies, []check.ID{"web.hsts", "web.https"}, web,
			results([3]string{"shop.test", "web.hsts", "error"}, [3]string{"shop.test", "web.https", "error"}), models.VerdictNotMeasured},
		{"a measured domain decides beside one that was not measured", models.AnswerComplies, []check.ID{"mail.dmarc"}, verify.Scope{Mail: []string{"mail.test", "down.test"}},
			results([3]string{"mail.test", "mail.dmarc", "pass"}, [3]string{"down.test", "mail.dmarc", "error"}), models.VerdictInconclusive},
		{"a mail check is not judged on a web-only scope", models.AnswerComplies, []check.ID{"mail.dmarc"}, web,
			results([3]string{"shop.test", "mail.dmarc", "fail"}), models.VerdictInconclusive},
		{"a web check is not judged on a mail-only scope", models.AnswerComplies, []check.ID{"web.hsts"}, mail,
			results([3]string{"mail.test", "web.hsts", "fail"}), models.VerdictInconclusive},
		{"mail checks apply to the mail domains", models.AnswerComplies, []check.ID{"mail.dmarc"}, both,
			results([3]string{"mail.test", "mail.dmarc", "fail"}, [3]string{"shop.test", "mail.dmarc", "pass"}), models.VerdictContradicted},
		{"name server checks apply to web and mail domains", models.AnswerComplies, []check.ID{"ns.ipv6"}, both,
			results([3]string{"shop.test", "ns.ipv6", "pass"}, [3]string{"mail.test", "ns.ipv6", "fail"}), models.VerdictContradicted},
		{"checks that are all not applicable are inconclusive", models.AnswerComplies, []check.ID{"mail.starttls"}, mail,
			results([3]string{"mail.test", "mail.starttls", "not_applicable"}), models.VerdictInconclusive},
		{"an admitted gap that the checks show is consistent", models.AnswerPartial, []check.ID{"web.hsts"}, web,
			results([3]string{"shop.test", "web.hsts", "fail"}), models.VerdictConsistent},
		{"a declared non-compliance that the checks show is consistent", models.AnswerDoesNotComply, []check.ID{"mail.dmarc"}, mail,
			results([3]string{"mail.test", "mail.dmarc", "fail"}), models.VerdictConsistent},
		{"an admitted gap that the checks do not find is better than declared", models.AnswerDoesNotComply, []check.ID{"web.hsts"}, web,
			results([3]string{"shop.test", "web.hsts", "pass"}), models.VerdictBetterThanDeclared},
		{"an admitted gap with errors is inconclusive", models.AnswerPartial, []check.ID{"web.hsts"}, web,
			results([3]string{"shop.test", "web.hsts", "error"}, [3]string{"shop.test", "web.https", "pass"}), models.VerdictInconclusive},
		{"an admitted gap on a domain that was not measured is not measured", models.AnswerPartial, []check.ID{"web.hsts"}, web,
			results([3]string{"shop.test", "web.hsts", "error"}), models.VerdictNotMeasured},
		{"a not applicable answer is inconclusive whatever the checks say", models.AnswerNotApplicable, []check.ID{"web.hsts"}, web,
			results([3]string{"shop.test", "web.hsts", "fail"}), models.VerdictInconclusive},
		{"an empty scope is inconclusive", models.AnswerComplies, []check.ID{"web.hsts"}, verify.Scope{}, nil, models.VerdictInconclusive},
		{"a check the registry does not know is judged on no domain", models.AnswerComplies, []check.ID{"web.gopher"}, both,
			results([3]string{"shop.test", "web.gopher", "fail"}), models.VerdictInconclusive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := verify.Verdict(tt.answer, tt.checks, tt.scope, tt.results)
			if got != tt.want {
				t.Errorf("verdict %s, want %s", got, tt.want)
			}
		})
	}
}

func TestVerdictListsTheChecksItRestsOn(t *testing.T) {
	scope := verify.Scope{Web: []string{"a.test", "b.test"}, Mail: []string{"a.test"}}
	_, used := verify.Verdict(models.AnswerComplies, []check.ID{"web.dnssec", "mail.dnssec"}, scope,
		results([3]string{"a.test", "web.dnssec", "pass"}, [3]string{"b.test", "web.dnssec", "fail"}, [3]string{"a.test", "mail.dnssec", "pass"}))
	want := []models.VerificationCheck{
		{ID: "web.dnssec", Domain: "a.test", Status: "pass"},
		{ID: "web.dnssec", Domain: "b.test", Status: "fail"},
		{ID: "mail.dnssec", Domain: "a.test", Status: "pass"},
	}
	if !reflect.DeepEqual(used, want) {
		t.Errorf("checks %+v, want %+v", used, want)
	}
}

func TestScopeDomainsFor(t *testing.T) {
	scope := verify.Scope{Web: []string{"www.test"}, Mail: []string{"mail.test"}, Management: []string{"ssh.test"}}
	tests := []struct {
		name string
		id   check.ID
		want []string
	}{
		{"a web check applies to the web domains", check.WebTLSCert, []string{"www.test"}},
		{"a mail check applies to the mail domains", check.MailSPF, []string{"mail.test"}},
		{"a name-server check applies to every domain, not to management endpoints", check.NSRPKI, []string{"mail.test", "www.test"}},
		{"the SSH check applies to the management endpoints only", check.SSHPQKex, []string{"ssh.test"}},
		{"an unknown check applies to none, whatever its id looks like", "web.unknown", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scope.DomainsFor(tt.id); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DomainsFor(%s) = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
}

func TestScopeHosts(t *testing.T) {
	s := verify.Scope{Web: []string{"b.test"}, Mail: []string{"a.test"}, Management: []string{"b.test", "ssh.test"}}
	if got, want := s.Hosts(), []string{"a.test", "b.test", "ssh.test"}; !reflect.DeepEqual(got, want) {
		t.Errorf("hosts %v, want %v: a run probes every name once", got, want)
	}
	if !s.IsDomain("b.test") || !s.IsManagement("b.test") || s.IsDomain("ssh.test") || s.IsManagement("a.test") {
		t.Error("a name's kinds are wrong")
	}
}

// A post-quantum claim is decided by the web and SSH checks of its
// standard together, each on its own kind of name.
func TestVerdictOfTheSSHCheck(t *testing.T) {
	scope := verify.Scope{Web: []string{"shop.test"}, Management: []string{"ssh.test"}}
	pq := []check.ID{check.WebTLSPQ, check.SSHPQKex}
	tests := []struct {
		name  string
		res   verify.Results
		want  string
		nUsed int
	}{
		{"hybrids on the web and over SSH confirm", results([3]string{"shop.test", "web.tls-pq", "pass"}, [3]string{"ssh.test", "ssh.pq-kex", "pass"}), models.VerdictConfirmed, 2},
		{"no hybrid over SSH informs, which does not contradict", results([3]string{"shop.test", "web.tls-pq", "pass"}, [3]string{"ssh.test", "ssh.pq-kex", "info"}), models.VerdictConfirmed, 2},
		{"an unreadable SSH server leaves the claim inconclusive", results([3]string{"shop.test", "web.tls-pq", "pass"}, [3]string{"ssh.test", "ssh.pq-kex", "error"}), models.VerdictInconclusive, 2},
		{"the SSH check is never looked up on a web domain", results([3]string{"shop.test", "web.tls-pq", "pass"}, [3]string{"shop.test", "ssh.pq-kex", "error"}, [3]string{"ssh.test", "ssh.pq-kex", "pass"}), models.VerdictConfirmed, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, used := verify.Verdict(models.AnswerComplies, pq, scope, tt.res)
			if got != tt.want || len(used) != tt.nUsed {
				t.Errorf("verdict %s on %+v, want %s on %d checks", got, used, tt.want, tt.nUsed)
			}
		})
	}
}

func TestScopeDomainsAreDistinctAndSorted(t *testing.T) {
	got := verify.Scope{Web: []string{"b.test", "a.test"}, Mail: []string{"a.test", "c.test"}}.Domains()
	if want := []string{"a.test", "b.test", "c.test"}; !reflect.DeepEqual(got, want) {
		t.Errorf("domains %v, want %v", got, want)
	}
}

func TestAttestationGivesEveryAnswerAVerdict(t *testing.T) {
	hsts := &models.Standard{Slug: "hsts", Checks: []check.ID{"web.hsts"}}
	iso := &models.Standard{Slug: "iso-27001"}
	a := &models.Attestation{
		Scope: []models.ScopeDomain{{Kind: models.ScopeWeb, Name: "shop.test"}},
		Answers: []models.Answer{
			{ID: 1, RequirementID: 10, Status: models.AnswerComplies, Requirement: &models.Requirement{Standard: hsts}},
			{ID: 2, RequirementID: 11, Status: models.AnswerComplies, Requirement: &models.Requirement{Standard: iso}},
		},
	}
	got := verify.Attestation(a, results([3]string{"shop.test", "web.hsts", "fail"}))
	if len(got) != 2 || got[0].AnswerID != 1 || got[0].Status != models.VerdictContradicted || got[1].RequirementID != 11 || got[1].Status != models.VerdictAttestationOnly {
		t.Errorf("verdicts %+v", got)
	}
}

func TestUnmeasured(t *testing.T) {
	broke := []models.ProbeResult{{Domain: "shop.test", Checks: []models.ProbeCheck{{ID: "web.hsts", Status: check.Error, Summary: "dns A shop.test: refused"}}}}
	tests := []struct {
		name     string
		domains  []string
		results  []models.ProbeResult
		wantCode string
	}{
		{"a run without domains measured nothing", nil, nil, models.NotMeasuredNoDomains},
		{"a run whose every check broke measured nothing", []string{"shop.test"}, broke, models.NotMeasuredAllErrors},
		{"a run whose domain failed as a whole measured nothing", []string{"shop.test"}, []models.ProbeResult{{Domain: "shop.test", Error: "bad name"}}, models.NotMeasuredAllErrors},
		{"a run with one measured domain measured something", []string{"down.test", "shop.test"},
			[]models.ProbeResult{{Domain: "down.test", Error: "timeout"}, {Domain: "shop.test", Checks: []models.ProbeCheck{{ID: "web.hsts", Status: check.Fail}}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, params := verify.Unmeasured(tt.domains, verify.ResultsOf(tt.results), tt.results)
			if code != tt.wantCode {
				t.Fatalf("code %q, want %q", code, tt.wantCode)
			}
			if code == models.NotMeasuredAllErrors && params["error"] == "" {
				t.Errorf("no first error in %v", params)
			}
		})
	}
}

func TestNotMeasuredKeepsAttestationOnly(t *testing.T) {
	vs := []models.Verification{{Status: models.VerdictInconclusive}, {Status: models.VerdictAttestationOnly}, {Status: models.VerdictConfirmed}}
	verify.NotMeasured(vs)
	got := []string{vs[0].Status, vs[1].Status, vs[2].Status}
	want := []string{models.VerdictNotMeasured, models.VerdictAttestationOnly, models.VerdictNotMeasured}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("verdicts %v, want %v", got, want)
	}
}
