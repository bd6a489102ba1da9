package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"tenderprobe/app/mail"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/models"
)

// mailSink is the plain loopback relay the attestation mail tests send to.
type mailSink struct{ *probetest.MailSink }

func startMailSink(t testing.TB) mailSink {
	t.Helper()
	return mailSink{probetest.StartMailSink(t, probetest.MailSinkOptions{})}
}

// messages returns the data of every message accepted so far.
func (s mailSink) messages() []string {
	var out []string
	for _, m := range s.Messages() {
		out = append(out, m.Data)
	}
	return out
}

func (s mailSink) mailer() *mail.Mailer {
	return &mail.Mailer{Host: "127.0.0.1", Port: s.Port, From: "tenderprobe@buyer.test"}
}

func TestInvitationIsMailedWhenSMTPIsSet(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	sink := startMailSink(t)
	a.h.Attest.Mailer = sink.mailer()
	w := newAttestWorld(t, a)
	res := a.session("officer@demo.test").post(fmt.Sprintf("/tenders/%d/invitations", w.tender.ID), url.Values{"email": {"new@mailed-supplier.test"}})
	m := linkPattern.FindStringSubmatch(res.body)
	if res.status != 201 || m == nil || !strings.Contains(res.body, "also sent by e-mail") {
		t.Fatalf("status %d: %s", res.status, errorText(res.body))
	}
	if strings.Contains(res.body, `id="mail-not-configured"`) || !strings.Contains(res.body, `data-copy="invitation-url"`) {
		t.Error("with SMTP set the page must offer the copy button and not ask to send the link by hand")
	}
	msgs := sink.messages()
	if len(msgs) != 1 || !strings.Contains(msgs[0], m[1]) || !strings.Contains(msgs[0], "To: new@mailed-supplier.test") {
		t.Errorf("mails %q, want one with the link %s", msgs, m[1])
	}
	t.Run("over the API the answer says it was mailed", func(t *testing.T) {
		res := a.apiClient("officer@demo.test").postJSON(fmt.Sprintf("/api/v1/tenders/%d/invitations", w.tender.ID), map[string]string{"email": "api@api.mailed-supplier.test"})
		body := res.json(t)
		if res.status != 201 || body["mailed"] != true || !strings.Contains(body["url"].(string), "/invitations/") {
			t.Errorf("status %d: %v", res.status, body)
		}
		if got := len(sink.messages()); got != 2 {
			t.Errorf("%d mails, want 2", got)
		}
	})
	t.Run("with a public address configured the link uses it, whatever Host the officer came in on", func(t *testing.T) {
		a.h.Attest.BaseURL = "https://tenders.buyer.test"
		defer func() { a.h.Attest.BaseURL = "" }()
		res := a.session("officer@demo.test").post(fmt.Sprintf("/tenders/%d/invitations", w.tender.ID), url.Values{"email": {"based@based.mailed-supplier.test"}})
		msgs := sink.messages()
		if res.status != 201 || !strings.Contains(res.body, "https://tenders.buyer.test/invitations/") || !strings.Contains(msgs[len(msgs)-1], "https://tenders.buyer.test/invitations/") {
			t.Errorf("status %d: the shown and mailed links should start with the base URL: %s", res.status, errorText(res.body))
		}
	})
	t.Run("without SMTP the link is only shown", func(t *testing.T) {
		a.h.Attest.Mailer = nil
		res := a.session("officer@demo.test").post(fmt.Sprintf("/tenders/%d/invitations", w.tender.ID), url.Values{"email": {"unmailed@unmailed.mailed-supplier.test"}})
		if res.status != 201 || strings.Contains(res.body, "also sent by e-mail") || len(sink.messages()) != 3 {
			t.Errorf("status %d, %d mails", res.status, len(sink.messages()))
		}
		if !strings.Contains(res.body, `id="mail-not-configured"`) || !strings.Contains(res.body, "send this link to unmailed@unmailed.mailed-supplier.test yourself") {
			t.Errorf("without SMTP the page must say to send the link by hand: %s", errorText(res.body))
		}
		if page := a.session("officer@demo.test").get(fmt.Sprintf("/tenders/%d/invitations", w.tender.ID)); !strings.Contains(page.body, `id="mail-off"`) {
			t.Error("without SMTP the invitation form must say before inviting that links are sent by hand")
		}
	})
}

func TestDeadlineReminders(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	w := newAttestWorld(t, a)
	deadline := testNow.Add(5 * 24 * time.Hour)
	if err := a.db.Model(&models.Tender{}).Where("id = ?", w.tender.ID).Update("deadline", deadline).Error; err != nil {
		t.Fatal(err)
	}
	t.Run("the vendor's dashboard reminds of a near deadline", func(t *testing.T) {
		page := a.session("vendor@demo.test").get("/")
		if page.status != 200 || !strings.Contains(page.body, "Deadlines coming up") || !strings.Contains(page.body, w.tender.Title) {
			t.Errorf("dashboard %d: %s", page.status, errorText(page.body))
		}
	})
	sink := startMailSink(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	const base = "https://tenders.buyer.test"
	path := fmt.Sprintf("%s/attestations/%d", base, w.att.ID)
	mailsFor := func() int {
		n := 0
		for _, m := range sink.messages() {
			if strings.Contains(m, path+" ") && strings.Contains(m, "To: vendor@demo.test") {
				n++
			}
		}
		return n
	}
	steps := []struct {
		name string
		at   time.Time
		want int
	}{
		{"six days before, the one-week reminder goes", deadline.Add(-6 * 24 * time.Hour), 1},
		{"the same stage is not mailed twice", deadline.Add(-5 * 24 * time.Hour), 1},
		{"three days before, the second reminder goes", deadline.Add(-60 * time.Hour), 2},
		{"a day before, the last reminder goes", deadline.Add(-20 * time.Hour), 3},
		{"after the deadline nothing is mailed", deadline.Add(time.Hour), 3},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if _, err := sendReminders(ctx, a.db, sink.mailer(), base, log, s.at); err != nil {
				t.Fatal(err)
			}
			if got := mailsFor(); got != s.want {
				t.Errorf("%d reminders so far, want %d", got, s.want)
			}
		})
	}
	t.Run("a submitted attestation gets no reminder", func(t *testing.T) {
		w2 := newAttestWorld(t, a)
		if err := a.db.Model(&models.Tender{}).Where("id = ?", w2.tender.ID).Update("deadline", deadline).Error; err != nil {
			t.Fatal(err)
		}
		w2.submit(t)
		before := len(sink.messages())
		if _, err := sendReminders(ctx, a.db, sink.mailer(), "", log, deadline.Add(-20*time.Hour)); err != nil {
			t.Fatal(err)
		}
		for _, m := range sink.messages()[before:] {
			if strings.Contains(m, "/attestations/"+strconv.Itoa(int(w2.att.ID))+" ") {
				t.Error("the submitted attestation was reminded")
			}
		}
	})
}

// TestAnInvitationOfAnActiveVendorSaysLogIn: a vendor who has an account
// gets an invitation that asks them to log in; only a new account's asks
// to set a password (from a tender platform that would read as phishing).
func TestAnInvitationOfAnActiveVendorSaysLogIn(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	sink := startMailSink(t)
	a.h.Attest.Mailer = sink.mailer()
	tender := a.newPublished("Hosting")
	officer := a.session("officer@demo.test")
	if res := officer.post(fmt.Sprintf("/tenders/%d/invitations", tender.ID), url.Values{"email": {"vendor@demo.test"}}); res.status != 201 {
		t.Fatalf("invite an active vendor: %d %s", res.status, errorText(res.body))
	}
	if res := officer.post(fmt.Sprintf("/tenders/%d/invitations", tender.ID), url.Values{"email": {"someone@brand-new-supplier.test"}}); res.status != 201 {
		t.Fatalf("invite a new supplier: %d %s", res.status, errorText(res.body))
	}
	var active, fresh string
	for _, m := range sink.messages() {
		switch {
		case strings.Contains(m, "To: vendor@demo.test"):
			active = m
		case strings.Contains(m, "To: someone@brand-new-supplier.test"):
			fresh = m
		}
	}
	if !strings.Contains(active, "log in with your Tenderprobe account") || strings.Contains(active, "password") {
		t.Errorf("the active vendor's mail:\n%s", active)
	}
	if !strings.Contains(fresh, "set your password") {
		t.Errorf("the new account's mail:\n%s", fresh)
	}
}
