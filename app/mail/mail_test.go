package mail

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"tenderprobe/app/probe/probetest"
)

// startSMTP starts a relay that offers AUTH PLAIN (after STARTTLS when
// offerTLS) with a certificate for localhost from a fresh test CA.
func startSMTP(t *testing.T, offerTLS bool) (*probetest.MailSink, *probetest.CA) {
	t.Helper()
	ca := probetest.NewCA(t)
	var opts probetest.MailSinkOptions
	if offerTLS {
		cert := ca.Issue(t, probetest.LeafOptions{}, "localhost")
		opts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	return probetest.StartMailSink(t, opts), ca
}

func TestMailer(t *testing.T) {
	t.Parallel()
	t.Run("a message goes through STARTTLS and AUTH to the relay", func(t *testing.T) {
		s, ca := startSMTP(t, true)
		m := &Mailer{Host: "127.0.0.1", Port: s.Port, Username: "u", Password: "p", From: "tenderprobe@buyer.test",
			TLSConfig: &tls.Config{RootCAs: ca.Pool, ServerName: "localhost"}}
		subject, body := InvitationMail("en", time.UTC, "Demostad", "Hosting", "DSC-1", "https://tp.test/invitations/abc", nil, true)
		if err := m.Send(context.Background(), "vendor@supplier.test", subject, body); err != nil {
			t.Fatal(err)
		}
		log, msgs := strings.Join(s.Verbs(), " "), s.Messages()
		if !strings.Contains(log, "STARTTLS EHLO AUTH MAIL RCPT DATA") || len(msgs) != 1 ||
			!strings.Contains(msgs[0].Data, "https://tp.test/invitations/abc") || !strings.Contains(msgs[0].Data, "Subject: Invitation to answer tender DSC-1") {
			t.Errorf("relay saw %s and %q", log, msgs)
		}
	})
	t.Run("a password is never sent to a relay without STARTTLS", func(t *testing.T) {
		s, _ := startSMTP(t, false)
		m := &Mailer{Host: "127.0.0.1", Port: s.Port, Username: "u", Password: "secret", From: "tp@buyer.test"}
		err := m.Send(context.Background(), "v@s.test", "x", "y")
		if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
			t.Errorf("got %v", err)
		}
		if log := s.Verbs(); strings.Contains(strings.Join(log, " "), "AUTH") {
			t.Errorf("AUTH was sent in clear: %v", log)
		}
	})
	t.Run("header injection is refused", func(t *testing.T) {
		m := &Mailer{Host: "127.0.0.1", Port: 1, From: "a@b.test"}
		if err := m.Send(context.Background(), "v@s.test\r\nBcc: x@y.test", "x", "y"); err == nil {
			t.Error("a recipient with a line break was accepted")
		}
	})
}
