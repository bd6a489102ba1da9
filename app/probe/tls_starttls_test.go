package probe

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
)

func TestSTARTTLSSubtestsPerMailServer(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{}, "mx1.example.test", "mx2.example.test", "mx3.example.test")
	modern := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}, CipherSuites: sound}
	tls10 := &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10, Certificates: []tls.Certificate{cert},
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}}
	stranger := &tls.Config{MinVersion: tls.VersionTLS12, CipherSuites: sound,
		Certificates: []tls.Certificate{probetest.NewCA(t).Issue(t, probetest.LeafOptions{}, "mail.other.test")}}
	type want struct {
		status Status
		// names is in the reason: the mail server the outcome is about.
		names string
	}
	addrs := []string{"127.0.0.31", "127.0.0.32", "127.0.0.33"}
	tests := []struct {
		name string
		// mx holds the servers of mx1, mx2 and mx3; nil means nothing
		// listens, a nil TLS config that STARTTLS is not offered.
		mx    []*probetest.SMTPOptions
		want  map[check.Subtest]want
		check Status
	}{
		{
			name: "three mail servers that differ: each subtest names the worst",
			mx: []*probetest.SMTPOptions{
				{Hostname: "mx1.example.test", TLS: modern},
				{Hostname: "mx2.example.test", TLS: tls10},
				{Hostname: "mx3.example.test"},
			},
			want: map[check.Subtest]want{
				"mail_starttls_tls_available": {StatusFail, "mx3.example.test (127.0.0.33): STARTTLS is not offered"},
				"mail_starttls_tls_version":   {StatusFail, "mx2.example.test (127.0.0.32): Outdated versions accepted: TLS1.0"},
				"mail_starttls_tls_ciphers":   {StatusFail, "mx2.example.test"},
				"mail_starttls_cert_chain":    {StatusPass, ""},
				"mail_starttls_cert_pubkey":   {StatusPass, ""},
			},
			check: StatusFail,
		},
		{
			name: "sound mail servers pass every subtest",
			mx: []*probetest.SMTPOptions{
				{Hostname: "mx1.example.test", TLS: modern},
				{Hostname: "mx2.example.test", TLS: modern},
			},
			want: map[check.Subtest]want{
				"mail_starttls_tls_available": {StatusPass, ""}, "mail_starttls_tls_version": {StatusPass, ""},
				"mail_starttls_tls_compress": {StatusPass, ""}, "mail_starttls_tls_secreneg": {StatusPass, ""},
				"mail_starttls_tls_extendedmastersecret": {StatusPass, ""}, "mail_starttls_tls_ciphers": {StatusPass, ""},
				"mail_starttls_tls_cipherorder": {StatusPass, ""}, "mail_starttls_tls_keyexchange": {StatusPass, ""},
				"mail_starttls_tls_keyexchangehash": {StatusPass, ""}, "mail_starttls_cert_chain": {StatusPass, ""},
				"mail_starttls_cert_pubkey": {StatusPass, ""}, "mail_starttls_cert_sig": {StatusPass, ""},
				"mail_starttls_cert_domain": {StatusPass, ""},
			},
			check: StatusPass,
		},
		{
			name: "an untrusted certificate for another name is information only",
			mx: []*probetest.SMTPOptions{
				{Hostname: "mx1.example.test", TLS: modern},
				{Hostname: "mx2.example.test", TLS: stranger},
			},
			want: map[check.Subtest]want{
				"mail_starttls_cert_chain":  {StatusInfo, "mx2.example.test"},
				"mail_starttls_cert_domain": {StatusInfo, "mail.other.test"},
				"mail_starttls_cert_sig":    {StatusPass, ""},
			},
			check: StatusInfo,
		},
		{
			name: "an unreachable mail server is untestable, not a failure",
			mx: []*probetest.SMTPOptions{
				nil,
				{Hostname: "mx2.example.test", TLS: modern},
			},
			want: map[check.Subtest]want{
				"mail_starttls_tls_available": {StatusError, "mx1.example.test (127.0.0.31): Could not be tested"},
				"mail_starttls_tls_version":   {StatusError, "mx1.example.test"},
			},
			check: StatusError,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			port, lns := listenShared(t, addrs[:len(tc.mx)]...)
			records := []string{}
			for i, o := range tc.mx {
				host := "mx" + string(rune('1'+i)) + ".example.test"
				records = append(records, "example.test. 300 IN MX 10 "+host+".", host+". 300 IN A "+addrs[i])
				if o == nil {
					lns[addrs[i]].Close()
					continue
				}
				probetest.ServeSMTP(t, lns[addrs[i]], *o)
			}
			r := testRun(t, "example.test", func(c *Config) { c.SMTPPort, c.RootCAs = port, ca.Pool }, records...)
			st := findCheck(t, checkMailTransport(context.Background(), r), check.MailSTARTTLS)
			if st.Status != tc.check {
				t.Errorf("mail.starttls = %s (%s), want %s", st.Status, st.Summary, tc.check)
			}
			got, _ := st.Details["findings"].(map[check.Subtest]Subtest)
			for key, w := range tc.want {
				g := got[key]
				if g.Status != w.status || !strings.Contains(g.Reason, w.names) {
					t.Errorf("%s = %s (%s), want %s naming %q", key, g.Status, g.Reason, w.status, w.names)
				}
			}
			for _, info := range check.Subtests() {
				if info.Check == check.MailSTARTTLS && info.Key != "mail_starttls_tls_caa" {
					if _, ok := got[info.Key]; !ok {
						t.Errorf("%s is not recorded", info.Key)
					}
				}
			}
		})
	}
}
