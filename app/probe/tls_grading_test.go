package probe

import (
	"testing"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/tlsscan"
)

// The renegotiation and early-data measurements come from tlsscan (tested
// there against real servers); these tests hold the grading of their
// results to internet.nl's thresholds.

func TestClientRenegotiationGrading(t *testing.T) {
	t.Parallel()
	tls12 := []tlsscan.VersionResult{{Version: tlsscan.TLS12, Accepted: true}}
	yes := true
	tests := []struct {
		name string
		rep  tlsscan.Report
		want Status
	}{
		{"refused renegotiation passes", tlsscan.Report{Versions: tls12, SecureRenegotiation: &yes, ClientRenegotiation: &tlsscan.RenegResult{Attempts: 11}}, StatusPass},
		{"one accepted renegotiation is information", tlsscan.Report{Versions: tls12, SecureRenegotiation: &yes, ClientRenegotiation: &tlsscan.RenegResult{Accepted: 1, Attempts: 11}}, StatusInfo},
		{"ten accepted renegotiations are information", tlsscan.Report{Versions: tls12, SecureRenegotiation: &yes, ClientRenegotiation: &tlsscan.RenegResult{Accepted: 10, Attempts: 11}}, StatusInfo},
		{"eleven accepted renegotiations are bad, capped to information", tlsscan.Report{Versions: tls12, SecureRenegotiation: &yes, ClientRenegotiation: &tlsscan.RenegResult{Accepted: 11, Attempts: 11}}, StatusInfo},
		{"a failed measurement is an error", tlsscan.Report{Versions: tls12, SecureRenegotiation: &yes, ClientRenegotiation: &tlsscan.RenegResult{Attempts: 11, Error: "reset"}}, StatusError},
		{"no measurement with TLS 1.2 is an error", tlsscan.Report{Versions: tls12, SecureRenegotiation: &yes}, StatusError},
		{"TLS 1.3 alone has no renegotiation", tlsscan.Report{Versions: []tlsscan.VersionResult{{Version: tlsscan.TLS13, Accepted: true}}}, StatusNotApplicable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := subtests{}
			judgeClientReneg(s, "web_https_tls_clientreneg", &tt.rep)
			if got := s["web_https_tls_clientreneg"]; got.Status != tt.want {
				t.Errorf("got %s (%s), want %s", got.Status, got.Reason, tt.want)
			}
		})
	}
	s := subtests{}
	judgeClientReneg(s, "web_https_tls_clientreneg", &tlsscan.Report{Versions: tls12, SecureRenegotiation: &yes, ClientRenegotiation: &tlsscan.RenegResult{Accepted: 11, Attempts: 11}})
	if got := s["web_https_tls_clientreneg"].Reason; got != "Client-initiated renegotiation is not limited: 11 of 11 attempts accepted." {
		t.Errorf("reason %q", got)
	}
}

func TestZeroRTTGrading(t *testing.T) {
	t.Parallel()
	tls13 := []tlsscan.VersionResult{{Version: tlsscan.TLS13, Accepted: true}}
	tests := []struct {
		name string
		rep  tlsscan.Report
		want Status
	}{
		{"early data not offered passes", tlsscan.Report{Versions: tls13, EarlyData: &tlsscan.EarlyDataResult{}}, StatusPass},
		{"early data offered but not accepted passes", tlsscan.Report{Versions: tls13, EarlyData: &tlsscan.EarlyDataResult{Offered: true}}, StatusPass},
		{"early data answered 425 Too Early passes", tlsscan.Report{Versions: tls13, EarlyData: &tlsscan.EarlyDataResult{Offered: true, Accepted: true, HTTPStatus: 425}}, StatusPass},
		{"early data answered 200 fails", tlsscan.Report{Versions: tls13, EarlyData: &tlsscan.EarlyDataResult{Offered: true, Accepted: true, HTTPStatus: 200}}, StatusFail},
		{"a failed measurement is an error", tlsscan.Report{Versions: tls13, EarlyData: &tlsscan.EarlyDataResult{Error: "timeout"}}, StatusError},
		{"without TLS 1.3 there is no 0-RTT", tlsscan.Report{Versions: []tlsscan.VersionResult{{Version: tlsscan.TLS12, Accepted: true}}}, StatusNotApplicable},
		{"TLS 1.3 without an early data measurement is an error, never a pass", tlsscan.Report{Versions: tls13}, StatusError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := subtests{}
			judgeZeroRTT(s, "web_https_tls_0rtt", &tt.rep)
			if got := s["web_https_tls_0rtt"]; got.Status != tt.want {
				t.Errorf("got %s (%s), want %s", got.Status, got.Reason, tt.want)
			}
		})
	}
}

func TestMailKeysLeaveOutWebOnlyTests(t *testing.T) {
	t.Parallel()
	for _, key := range mailTLSKeys.all() {
		if info, ok := check.LookupSubtest(key); !ok || info.Check != check.MailSTARTTLS {
			t.Errorf("%s is not a mail.starttls subtest", key)
		}
	}
	for _, key := range webTLSKeys.all() {
		if info, ok := check.LookupSubtest(key); !ok || info.Check != check.WebTLSVersion && info.Check != check.WebTLSCiphers && info.Check != check.WebTLSCert {
			t.Errorf("%s is not a web TLS subtest", key)
		}
	}
	if len(mailTLSKeys.all()) != 14 || len(webTLSKeys.all()) != 15 {
		t.Errorf("mail %d keys, web %d", len(mailTLSKeys.all()), len(webTLSKeys.all()))
	}
}
