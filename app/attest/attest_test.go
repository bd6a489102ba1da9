package attest

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tenderprobe/app/probe/probetest"
)

func sampleDocument() Document {
	return Document{
		AttestationID: 7, Version: 1, TenderID: 3, TenderReference: "DSC-1", SupplierOrgID: 4, SupplierName: "Acme <B.V.>",
		Answers: []DocumentAnswer{
			{RequirementID: 9, Standard: "dnssec", Status: "partial", Explanation: "Q2 & later", PlannedDate: "2026-06-30",
				Evidence: []DocumentEvidence{{Kind: "url", URL: "https://b.test"}, {Kind: "file", FileName: "a.pdf", SHA256: "ab", Size: 3}}},
			{RequirementID: 2, Standard: "https", Status: "complies"},
		},
		Scope:    DocumentScope{Web: []string{"www.example.nl", "example.nl"}, Mail: []string{"example.nl"}},
		Declarer: "Vera", SubmittedByID: 5, SubmittedBy: "v@x.test", SubmittedAt: TimeString(time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))),
	}
}

func TestCanonical(t *testing.T) {
	a, err := Canonical(sampleDocument())
	if err != nil {
		t.Fatal(err)
	}
	t.Run("keys are sorted and nothing is HTML-escaped or indented", func(t *testing.T) {
		s := string(a)
		if !strings.HasPrefix(s, `{"answers":[{"evidence":[]`) || strings.Contains(s, `\u003c`) || strings.ContainsAny(s, "\n ") && !strings.Contains(s, "Q2 & later") {
			t.Errorf("canonical form: %s", s)
		}
		if !strings.Contains(s, `"submitted_at":"2026-03-01T09:00:00Z"`) {
			t.Errorf("time is not UTC: %s", s)
		}
	})
	t.Run("the order of answers, evidence and domains does not change the bytes", func(t *testing.T) {
		d := sampleDocument()
		d.Answers[0], d.Answers[1] = d.Answers[1], d.Answers[0]
		d.Answers[1].Evidence[0], d.Answers[1].Evidence[1] = d.Answers[1].Evidence[1], d.Answers[1].Evidence[0]
		d.Scope.Web[0], d.Scope.Web[1] = d.Scope.Web[1], d.Scope.Web[0]
		b, err := Canonical(d)
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("reordered input gave other bytes:\n%s\n%s", a, b)
		}
	})
	t.Run("any declared change changes the receipt", func(t *testing.T) {
		for name, change := range map[string]func(*Document){
			"explanation": func(d *Document) { d.Answers[0].Explanation += "." },
			"status":      func(d *Document) { d.Answers[1].Status = "partial" },
			"date":        func(d *Document) { d.Answers[0].PlannedDate = "2026-07-01" },
			"evidence":    func(d *Document) { d.Answers[0].Evidence[1].SHA256 = "cd" },
			"scope":       func(d *Document) { d.Scope.Mail = nil },
			"declarer":    func(d *Document) { d.Declarer = "Vero" },
			"time":        func(d *Document) { d.SubmittedAt = TimeString(time.Date(2026, 3, 1, 9, 0, 1, 0, time.UTC)) },
		} {
			d := sampleDocument()
			change(&d)
			b, _ := Canonical(d)
			if Hash(a) == Hash(b) {
				t.Errorf("changing the %s kept the receipt", name)
			}
		}
	})
	t.Run("verify names the changed explanation", func(t *testing.T) {
		d := sampleDocument()
		d.Answers[0].Explanation = "tampered"
		v, err := Verify(Hash(a), a, d)
		if err != nil || v.Match || !strings.Contains(strings.Join(v.Differences, "\n"), "tampered") {
			t.Errorf("got %+v, %v", v, err)
		}
		v, err = Verify(Hash(a), a, sampleDocument())
		if err != nil || !v.Match || len(v.Differences) != 0 {
			t.Errorf("unchanged document: %+v, %v", v, err)
		}
	})
	t.Run("the canonical bytes decode back to the same document", func(t *testing.T) {
		var d Document
		if err := json.Unmarshal(a, &d); err != nil || d.Schema != Schema || len(d.Answers) != 2 || d.Answers[0].RequirementID != 2 {
			t.Errorf("decoded %+v, %v", d, err)
		}
	})
}

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
