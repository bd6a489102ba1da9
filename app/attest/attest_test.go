package attest

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tenderprobe/app/probe/probetest"
)

func TestEvidenceStore(t *testing.T) {
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 100)...)
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	jpeg := []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00")
	cases := []struct {
		name    string
		content []byte
		ct      string
		err     error
	}{
		{"a PDF is recognised by its magic", pdf, "application/pdf", nil},
		{"a PNG is accepted", png, "image/png", nil},
		{"a JPEG is accepted", jpeg, "image/jpeg", nil},
		{"plain text is accepted", []byte("DNSSEC signed since 2019.\n"), "text/plain; charset=utf-8", nil},
		{"HTML is refused even though it is text", []byte("<html><script>alert(1)</script>"), "", ErrFileType},
		{"a ZIP is refused", []byte("PK\x03\x04rest"), "", ErrFileType},
		{"an executable is refused", []byte("\x7fELF\x02\x01\x01"), "", ErrFileType},
		{"an empty file is refused", nil, "", ErrEmptyFile},
		{"a file over 10 MB is refused", append(append([]byte{}, pdf...), make([]byte, MaxEvidenceSize)...), "", ErrTooLarge},
		{"exactly 10 MB is accepted", append(append([]byte{}, pdf...), make([]byte, MaxEvidenceSize-len(pdf))...), "application/pdf", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Store{Dir: t.TempDir()}
			st, err := s.Stage(bytes.NewReader(c.content))
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Errorf("got %v, want %v", err, c.err)
				}
				if left := files(t, s.Dir); len(left) != 0 {
					t.Errorf("a refused upload left %v", left)
				}
				return
			}
			if err != nil || st.ContentType != c.ct || st.Size != int64(len(c.content)) {
				t.Fatalf("got %+v, %v", st, err)
			}
			if err := st.Commit(); err != nil {
				t.Fatal(err)
			}
			if h, err := s.HashFile(st.RelPath); err != nil || h != st.SHA256 {
				t.Errorf("stored file hashes to %s, %v; want %s", h, err, st.SHA256)
			}
		})
	}
	t.Run("cleanup after a failed transaction removes the file it created", func(t *testing.T) {
		s := Store{Dir: t.TempDir()}
		st, err := s.Stage(bytes.NewReader(pdf))
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Commit(); err != nil {
			t.Fatal(err)
		}
		st.Cleanup()
		if left := files(t, s.Dir); len(left) != 0 {
			t.Errorf("left %v", left)
		}
	})
	t.Run("a path outside the store cannot be opened", func(t *testing.T) {
		s := Store{Dir: t.TempDir()}
		for _, p := range []string{"../etc/passwd", "/etc/passwd", "evidence/../../x"} {
			if _, err := s.Open(p); err == nil {
				t.Errorf("%s opened", p)
			}
		}
	})
}

func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

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
	t.Run("a message goes through STARTTLS and AUTH to the relay", func(t *testing.T) {
		s, ca := startSMTP(t, true)
		m := &Mailer{Host: "127.0.0.1", Port: s.Port, Username: "u", Password: "p", From: "tenderprobe@buyer.test",
			TLSConfig: &tls.Config{RootCAs: ca.Pool, ServerName: "localhost"}}
		subject, body := InvitationMail("Demostad", "Hosting", "DSC-1", "https://tp.test/invitations/abc", "2026-04-01")
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
