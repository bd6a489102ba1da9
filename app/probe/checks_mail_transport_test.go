package probe

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
)

// signedRun serves zones in a DNSSEC-signed test internet and returns a run
// for domain that trusts its root.
func signedRun(t testing.TB, domain string, mod func(*Config), zones ...probetest.Zone) *run {
	t.Helper()
	in := probetest.NewSignedInternet(t, probetest.SignedOptions{})
	for _, z := range zones {
		in.AddZone(z)
	}
	srv := in.Serve(t)
	cfg := Config{Resolver: srv.Addr, AllowPrivate: true, ConnTimeout: 5 * time.Second, TrustAnchors: in.TrustAnchor()}
	if mod != nil {
		mod(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return newRun(e, domain)
}

func TestCheckMailTransport(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{}, "mx1.example.test", "mx2.example.test")
	other := ca.Issue(t, probetest.LeafOptions{}, "mx1.example.test")
	selfSigned := ca.Issue(t, probetest.LeafOptions{SelfSigned: true}, "mx1.example.test")
	// Go's default suite list still has CBC-SHA1 suites, insufficient
	// under NCSC-NL 2025-05, so a sound server names its suites.
	aead := []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}
	modern := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}, CipherSuites: aead}
	tlsa := func(c tls.Certificate) string { return "3 1 1 " + probetest.SPKISHA256(t, c) }

	tests := []struct {
		name string
		// servers for mx1 (127.0.0.31) and mx2 (127.0.0.32); a nil entry
		// means nothing listens on that address.
		mx1, mx2 *probetest.SMTPOptions
		tlsa     string // for mx1, "" for none
		unsigned bool
		want     map[check.ID]Status
		contains string
	}{
		{
			name: "two MX with modern STARTTLS and a matching signed TLSA pass",
			mx1:  &probetest.SMTPOptions{Hostname: "mx1.example.test", TLS: modern},
			mx2:  &probetest.SMTPOptions{Hostname: "mx2.example.test", TLS: modern},
			tlsa: tlsa(cert),
			want: map[check.ID]Status{"mail.starttls": StatusPass},
		},
		{
			name:     "an MX that does not offer STARTTLS fails, and so does its DANE",
			mx1:      &probetest.SMTPOptions{Hostname: "mx1.example.test"},
			mx2:      &probetest.SMTPOptions{Hostname: "mx2.example.test", TLS: modern},
			tlsa:     tlsa(cert),
			want:     map[check.ID]Status{"mail.starttls": StatusFail, "mail.dane": StatusFail},
			contains: "STARTTLS not offered",
		},
		{
			name: "an MX accepting TLS 1.0 fails",
			mx1: &probetest.SMTPOptions{Hostname: "mx1.example.test", TLS: &tls.Config{MinVersion: tls.VersionTLS10, Certificates: []tls.Certificate{cert},
				CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}},
			mx2:      &probetest.SMTPOptions{Hostname: "mx2.example.test", TLS: modern},
			want:     map[check.ID]Status{"mail.starttls": StatusFail},
			contains: "TLS1.0",
		},
		{
			name:     "a self-signed certificate is only information for mail",
			mx1:      &probetest.SMTPOptions{Hostname: "mx1.example.test", TLS: &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{selfSigned}, CipherSuites: aead}},
			mx2:      &probetest.SMTPOptions{Hostname: "mx2.example.test", TLS: modern},
			tlsa:     tlsa(selfSigned),
			want:     map[check.ID]Status{"mail.starttls": StatusInfo},
			contains: "not trusted",
		},
		{
			name:     "an unreachable MX is untestable, not a failure",
			mx1:      nil,
			mx2:      &probetest.SMTPOptions{Hostname: "mx2.example.test", TLS: modern},
			want:     map[check.ID]Status{"mail.starttls": StatusError},
			contains: "untestable",
		},
		{
			name:     "an MX greeting with 554 is untestable",
			mx1:      &probetest.SMTPOptions{Hostname: "mx1.example.test", RejectGreeting: true},
			mx2:      &probetest.SMTPOptions{Hostname: "mx2.example.test", TLS: modern},
			want:     map[check.ID]Status{"mail.starttls": StatusError},
			contains: "554",
		},
		{
			name:     "a TLSA record for another key fails DANE",
			mx1:      &probetest.SMTPOptions{Hostname: "mx1.example.test", TLS: modern},
			mx2:      &probetest.SMTPOptions{Hostname: "mx2.example.test", TLS: modern},
			tlsa:     tlsa(other),
			want:     map[check.ID]Status{"mail.starttls": StatusPass, "mail.dane": StatusFail},
			contains: "matches none",
		},
		{
			name:     "no TLSA at all fails DANE for mail",
			mx1:      &probetest.SMTPOptions{Hostname: "mx1.example.test", TLS: modern},
			mx2:      &probetest.SMTPOptions{Hostname: "mx2.example.test", TLS: modern},
			want:     map[check.ID]Status{"mail.dane": StatusFail},
			contains: "no TLSA",
		},
		{
			name:     "a matching TLSA in an unsigned zone fails DANE",
			mx1:      &probetest.SMTPOptions{Hostname: "mx1.example.test", TLS: modern},
			mx2:      &probetest.SMTPOptions{Hostname: "mx2.example.test", TLS: modern},
			tlsa:     tlsa(cert),
			unsigned: true,
			want:     map[check.ID]Status{"mail.starttls": StatusPass, "mail.dane": StatusFail},
			contains: "not DNSSEC-signed",
		},
		{
			name:     "a DANE-TA record for the test CA matches the chain",
			mx1:      &probetest.SMTPOptions{Hostname: "mx1.example.test", TLS: modern},
			mx2:      &probetest.SMTPOptions{Hostname: "mx2.example.test", TLS: modern},
			tlsa:     "2 0 1 " + func() string { s := sha256.Sum256(ca.Cert.Raw); return hex.EncodeToString(s[:]) }(),
			want:     map[check.ID]Status{"mail.starttls": StatusPass},
			contains: "",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			port, lns := listenShared(t, "127.0.0.31", "127.0.0.32")
			for addr, o := range map[string]*probetest.SMTPOptions{"127.0.0.31": tc.mx1, "127.0.0.32": tc.mx2} {
				if o == nil {
					lns[addr].Close()
					continue
				}
				probetest.ServeSMTP(t, lns[addr], *o)
			}
			records := []string{
				"@ 300 IN MX 10 mx1.example.test.", "@ 300 IN MX 20 mx2.example.test.",
				"mx1 300 IN A 127.0.0.31", "mx2 300 IN A 127.0.0.32",
			}
			if tc.tlsa != "" {
				records = append(records,
					fmt.Sprintf("_%d._tcp.mx1 300 IN TLSA %s", port, tc.tlsa),
					fmt.Sprintf("_%d._tcp.mx2 300 IN TLSA %s", port, tlsa(cert)))
			}
			r := signedRun(t, "example.test", func(c *Config) { c.SMTPPort, c.RootCAs = port, ca.Pool },
				probetest.Zone{Name: "example.test.", Records: records, Unsigned: tc.unsigned})
			checks := checkMailTransport(context.Background(), r)
			if len(checks) != 2 {
				t.Fatalf("got %d checks, want 2", len(checks))
			}
			if _, ok := tc.want["mail.dane"]; !ok && tc.tlsa != "" {
				tc.want["mail.dane"] = StatusPass
			}
			all := ""
			for id, want := range tc.want {
				got := findCheck(t, checks, id)
				all += got.Summary
				if got.Status != want {
					t.Errorf("%s = %s (%s), want %s", id, got.Status, got.Summary, want)
				}
			}
			if !strings.Contains(all, tc.contains) {
				t.Errorf("summaries %q lack %q", all, tc.contains)
			}
			st := findCheck(t, checks, "mail.starttls")
			if mx := st.Details["mx"].([]mxResult); tc.mx2 != nil && len(mx) == 2 && len(mx[1].Targets) > 0 && len(mx[1].Targets[0].Transcript) < 4 {
				t.Errorf("mx2 transcript too short: %q", mx[1].Targets[0].Transcript)
			}
		})
	}
}

func TestCheckMailTransportWithoutMailIsNotApplicable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		records []string
	}{
		{"a null MX makes the mail checks not applicable", []string{"example.test. 300 IN MX 0 ."}},
		{"no MX at all makes the mail checks not applicable", []string{"example.test. 300 IN A 127.0.0.1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := testRun(t, "example.test", nil, tc.records...)
			for _, c := range checkMailTransport(context.Background(), r) {
				if c.Status != StatusNotApplicable {
					t.Errorf("%s = %s (%s), want not_applicable", c.ID, c.Status, c.Summary)
				}
			}
		})
	}
}

func TestCheckMailTransportRefusesLoopbackMX(t *testing.T) {
	t.Parallel()
	srv := probetest.StartSMTP(t, probetest.SMTPOptions{Hostname: "mx.example.test"})
	port := srv.Addr[strings.LastIndex(srv.Addr, ":")+1:]
	r := testRun(t, "example.test", func(c *Config) {
		c.AllowPrivate = false
		fmt.Sscan(port, &c.SMTPPort)
	}, "example.test. 300 IN MX 10 mx.example.test.", "mx.example.test. 300 IN A 127.0.0.1")
	st := findCheck(t, checkMailTransport(context.Background(), r), "mail.starttls")
	if st.Status != StatusError || !strings.Contains(st.Summary, "refused") {
		t.Errorf("mail.starttls = %s (%s), want an untestable error saying loopback was refused", st.Status, st.Summary)
	}
	if n := srv.Sessions.Load(); n != 0 {
		t.Errorf("the loopback SMTP server saw %d sessions", n)
	}
}

// FuzzSTARTTLSClient plays arbitrary server bytes against the SMTP client
// part: it must never panic and never read past what the server sent.
func FuzzSTARTTLSClient(f *testing.F) {
	f.Add([]byte("220 mx ESMTP\r\n250-mx\r\n250 STARTTLS\r\n220 go\r\n"))
	f.Add([]byte("220 mx\r\n250-mx\r\n250\r\n"))
	f.Add([]byte("220-a\r\n220-b\r\n220 c\r\n250 mx\r\n"))
	f.Add([]byte("2\r\n"))
	f.Fuzz(func(t *testing.T, server []byte) {
		client, srv := net.Pipe()
		defer client.Close()
		go io.Copy(io.Discard, srv)
		go func() {
			srv.Write(server)
			srv.Close()
		}()
		client.SetDeadline(time.Now().Add(2 * time.Second))
		var transcript []string
		startTLS(client, &transcript)
	})
}
