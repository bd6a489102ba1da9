package probe

import (
	"context"
	"strings"
	"testing"

	"tenderprobe/app/probe/check"
)

// mailCAAOutcome returns mail_starttls_tls_caa from checkCAA's contribution
// to mail.starttls.
func mailCAAOutcome(t *testing.T, checks []Check) Subtest {
	t.Helper()
	for _, c := range checks {
		if c.ID == check.MailSTARTTLS && c.Status == "" {
			return subtestOf(t, c, "mail_starttls_tls_caa")
		}
	}
	t.Fatalf("no contribution to mail.starttls among %v", checks)
	return Subtest{}
}

func TestCAAOnEveryMailServer(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		records []string
		want    Status
		inWhy   string
	}{
		{"an MX under the domain finds the domain's CAA by climbing the tree", []string{
			"example.test. 60 IN MX 10 mx.example.test.", `example.test. 60 IN CAA 0 issue "ca.test"`}, StatusPass, "example.test"},
		{"an MX in another zone without CAA is a notice naming it", []string{
			"example.test. 60 IN MX 10 mx.mailhost.test.", `example.test. 60 IN CAA 0 issue "ca.test"`}, StatusWarn, "mx.mailhost.test"},
		{"the worst of two mail servers is named", []string{
			"example.test. 60 IN MX 10 mx.example.test.", "example.test. 60 IN MX 20 mx.mailhost.test.", `example.test. 60 IN CAA 0 issue "ca.test"`}, StatusWarn, "mx.mailhost.test"},
		{"CAA without an issue record is a notice", []string{
			"example.test. 60 IN MX 10 mx.mailhost.test.", `mailhost.test. 60 IN CAA 0 iodef "mailto:sec@mailhost.test"`}, StatusWarn, "issue"},
		{"an issue value that is not a domain name is a notice", []string{
			"example.test. 60 IN MX 10 mx.mailhost.test.", `mailhost.test. 60 IN CAA 0 issue "ca_test!"`}, StatusWarn, "mx.mailhost.test"},
		{"an MX in another zone with sound CAA passes", []string{
			"example.test. 60 IN MX 10 mx.mailhost.test.", `mailhost.test. 60 IN CAA 0 issue "ca.test"`, `mailhost.test. 60 IN CAA 0 iodef "https://mailhost.test/caa"`}, StatusPass, "mailhost.test"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := dnsCheckRun(t, "example.test", nil, c.records...)
			got := mailCAAOutcome(t, checkCAA(context.Background(), r))
			if got.Status != c.want || !strings.Contains(got.Reason, c.inWhy) {
				t.Fatalf("mail_starttls_tls_caa = %s (%s), want %s mentioning %q", got.Status, got.Reason, c.want, c.inWhy)
			}
		})
	}
}
