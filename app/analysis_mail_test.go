package app

import (
	"fmt"
	"html"
	"net"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gorm.io/gorm"

	"tenderprobe/app/mail"
	"tenderprobe/models"
)

// analysisMailRoleTable is the role table of the routes that mail an
// analysis. Whoever may see the analysis may mail it (vendors may not);
// a send without an address is refused as invalid (422) and a preview of
// the API needs none beyond ?to=.
func analysisMailRoleTable() map[string]roleCase {
	const (
		ok, see, unauth, forbidden, invalid = 200, 303, 401, 403, 422
	)
	doc := func(prefix, suffix string) func(*testApp) (string, url.Values, any) {
		return func(a *testApp) (string, url.Values, any) {
			d := newTenderDocument(a.t, a, "officer@demo.test", fmt.Sprintf("mail role table %d.pdf", next()))
			return fmt.Sprintf("%s/tender-documents/%d%s", prefix, d.ID, suffix), url.Values{}, map[string]any{}
		}
	}
	return map[string]roleCase{
		"GET /tender-documents/:id/mail":                {[5]int{see, ok, ok, forbidden, ok}, doc("", "/mail?email=contact@buyer.test")},
		"POST /tender-documents/:id/mail":               {[5]int{unauth, invalid, invalid, forbidden, invalid}, doc("", "/mail")},
		"GET /tenders/:id/analysis/mail":                {[5]int{see, ok, ok, forbidden, ok}, draftPath("/analysis/mail?email=contact@buyer.test", nil, nil)},
		"POST /tenders/:id/analysis/mail":               {[5]int{unauth, invalid, invalid, forbidden, invalid}, draftPath("/analysis/mail", url.Values{}, nil)},
		"GET /api/v1/tender-documents/:id/mail-preview": {[5]int{unauth, ok, ok, forbidden, ok}, doc("/api/v1", "/mail-preview?to=contact@buyer.test")},
		"POST /api/v1/tender-documents/:id/mail":        {[5]int{unauth, invalid, invalid, forbidden, invalid}, doc("/api/v1", "/mail")},
		"GET /api/v1/tenders/:id/analysis/mail-preview": {[5]int{unauth, ok, ok, forbidden, ok}, apiDraftPath("/analysis/mail-preview?to=contact@buyer.test", nil)},
		"POST /api/v1/tenders/:id/analysis/mail":        {[5]int{unauth, invalid, invalid, forbidden, invalid}, apiDraftPath("/analysis/mail", map[string]any{})},
	}
}

// contactDocument is tenderDocumentText with the tender's contact named,
// as a real document names it.
const contactDocument = tenderDocumentText + "\nContactpersoon: J. Jansen, J.Jansen@Demostad.test of inkoop@demostad.test.\n"

var (
	hashField = regexp.MustCompile(`name="hash" value="([0-9a-f]{64})"`)
	mailText  = regexp.MustCompile(`(?s)<pre class="mail-text" id="preview-text" lang="[a-z]+">(.*?)</pre>`)
)

// previewOf returns the hash and text of the preview on a mail page.
func previewOf(t *testing.T, body string) (string, string) {
	t.Helper()
	h, m := hashField.FindStringSubmatch(body), mailText.FindStringSubmatch(body)
	if h == nil || m == nil {
		t.Fatalf("no preview with a send form on the page:\n%s", errorText(body))
	}
	return h[1], html.UnescapeString(m[1])
}

func (a *testApp) mailsOf(where string, args ...any) int64 {
	a.t.Helper()
	var n int64
	if err := a.db.Model(&models.AnalysisMail{}).Where(where, args...).Count(&n).Error; err != nil {
		a.t.Fatal(err)
	}
	return n
}

func TestAnalysisMailOfADocument(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	sink := startMailSink(t)
	a.h.Attest.Mailer = sink.mailer()
	officer := a.session("officer@demo.test")
	res := officer.upload("/tender-documents", "file", "eisen.txt", []byte(contactDocument))
	if res.status != 303 {
		t.Fatalf("upload: status %d\n%s", res.status, errorText(res.body))
	}
	var id uint
	fmt.Sscanf(res.header.Get("Location"), "/tender-documents/%d", &id)
	page := fmt.Sprintf("/tender-documents/%d", id)
	mailPage := page + "/mail"

	t.Run("the analysis page offers the mail and lists none sent yet", func(t *testing.T) {
		body := officer.get(page).body
		if !strings.Contains(body, `id="mail-result"`) || !strings.Contains(body, `href="`+mailPage+`"`) || !strings.Contains(body, "No mail of this analysis has been sent yet.") {
			t.Errorf("the page lacks the mail link or the empty list:\n%s", errorText(body))
		}
	})
	t.Run("the mail page suggests the addresses the document names", func(t *testing.T) {
		body := officer.get(mailPage).body
		for _, want := range []string{`id="contacts-list"`, ">j.jansen@demostad.test</a>", ">inkoop@demostad.test</a>"} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %s", want)
			}
		}
		if strings.Contains(body, `id="mail-send"`) {
			t.Error("a send button before any recipient was given")
		}
	})

	preview := officer.get(mailPage + "?email=J.Jansen@demostad.test")
	hash, text := previewOf(t, preview.body)
	t.Run("the preview is in the document's language, with the missing standards' clauses and no link for a stranger", func(t *testing.T) {
		for _, want := range []string{"Geachte heer, mevrouw,", `"eisen.txt"`, "Geëist (", "DNSSEC", "Niet geëist (", "Toe te voegen bepaling:", "alleen genoemd, niet geëist", "De Leverancier"} {
			if !strings.Contains(text, want) {
				t.Errorf("the mail lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "/tender-documents/") || !strings.Contains(preview.body, `id="preview-link-note"`) {
			t.Errorf("the mail links the analysis for someone who cannot open it:\n%s", text)
		}
		if !strings.Contains(preview.body, "Internetbeveiligingsstandaarden in uw aanbesteding: eisen.txt") || !strings.Contains(preview.body, `id="preview-language">Dutch<`) {
			t.Errorf("the subject or language is not shown:\n%s", errorText(preview.body))
		}
	})
	t.Run("nothing is sent or recorded by looking at the preview", func(t *testing.T) {
		if n := len(sink.messages()); n != 0 || a.mailsOf("document_id = ?", id) != 0 {
			t.Errorf("%d mails sent on GET", n)
		}
	})
	t.Run("a recipient who may open the analysis gets the link", func(t *testing.T) {
		_, auditorText := previewOf(t, officer.get(mailPage+"?email=auditor@demo.test").body)
		if !strings.Contains(auditorText, page) {
			t.Errorf("no link for the auditor:\n%s", auditorText)
		}
		_, vendorText := previewOf(t, officer.get(mailPage+"?email=vendor@demo.test").body)
		if strings.Contains(vendorText, page) {
			t.Errorf("a vendor is sent a link he cannot open")
		}
	})
	t.Run("a malformed address is refused next to the field", func(t *testing.T) {
		r := officer.get(mailPage + "?email=" + url.QueryEscape("a@b.test, c@d.test"))
		if r.status != 422 || !strings.Contains(r.body, `id="email-error"`) || strings.Contains(r.body, `id="mail-send"`) {
			t.Errorf("status %d\n%s", r.status, errorText(r.body))
		}
	})

	t.Run("send delivers exactly the preview and records it", func(t *testing.T) {
		r := officer.post(mailPage, url.Values{"email": {"j.jansen@demostad.test"}, "hash": {hash}})
		if r.status != 303 || r.header.Get("Location") != page+"?flash=analysismail_sent#mails" {
			t.Fatalf("status %d %s\n%s", r.status, r.header.Get("Location"), errorText(r.body))
		}
		msgs := sink.messages()
		if len(msgs) != 1 {
			t.Fatalf("%d mails sent", len(msgs))
		}
		wire := strings.ReplaceAll(msgs[0], "\r\n", "\n")
		if !strings.Contains(wire, "To: j.jansen@demostad.test") || !strings.Contains(wire, "Subject: Internetbeveiligingsstandaarden in uw aanbesteding: eisen.txt") || !strings.Contains(wire, strings.TrimSpace(text)) {
			t.Errorf("the mail sent is not the preview:\n%s\n--- preview:\n%s", wire, text)
		}
		var m models.AnalysisMail
		if err := a.db.Where("document_id = ?", id).Take(&m).Error; err != nil {
			t.Fatal(err)
		}
		if m.Recipient != "j.jansen@demostad.test" || m.Language != "nl" || m.ContentHash != hash || m.SenderID != a.user("officer@demo.test").ID {
			t.Errorf("record %+v", m)
		}
		var audit models.AuditEntry
		if err := a.db.Where("action = ? AND object_id = ?", "analysis.mail", id).Take(&audit).Error; err != nil || !strings.Contains(audit.After, hash) {
			t.Errorf("audit entry %+v: %v", audit, err)
		}
	})
	t.Run("the analysis page lists the sent mail", func(t *testing.T) {
		body := officer.get(page + "?flash=analysismail_sent").body
		if !strings.Contains(body, "The mail was sent.") || !strings.Contains(body, `id="mails-list"`) || !strings.Contains(body, "j.jansen@demostad.test") {
			t.Errorf("the sent mail is not listed:\n%s", errorText(body))
		}
	})
	t.Run("a second mail to the same address within ten minutes is refused and not sent", func(t *testing.T) {
		r := officer.post(mailPage, url.Values{"email": {"j.jansen@demostad.test"}, "hash": {hash}})
		if r.status != 429 || !strings.Contains(r.body, "less than 10 minutes ago") {
			t.Errorf("status %d\n%s", r.status, errorText(r.body))
		}
		if len(sink.messages()) != 1 || a.mailsOf("document_id = ?", id) != 1 {
			t.Error("the second mail went out or was recorded")
		}
	})
	t.Run("a mail that changed since the preview is not sent; the new preview is shown", func(t *testing.T) {
		// The preview was of the document's own kinds; the send asks for
		// other kinds of ICT, so other standards are missing.
		r := officer.post(mailPage, url.Values{"email": {"inkoop@demostad.test"}, "hash": {hash}, "kinds": {"chosen"}, "profile": {"website-hosting"}})
		if r.status != 409 || !strings.Contains(r.body, `id="mail-changed"`) {
			t.Fatalf("status %d\n%s", r.status, errorText(r.body))
		}
		newHash, _ := previewOf(t, r.body)
		if newHash == hash || len(sink.messages()) != 1 {
			t.Errorf("a changed mail was sent, or the new preview has the old hash")
		}
		if !strings.Contains(r.body, `name="profile" value="website-hosting"`) {
			t.Error("the new preview's send form forgets the kinds chosen")
		}
	})
	t.Run("a relay that refuses the mail: a clear error, nothing recorded, and the address may be tried again", func(t *testing.T) {
		a.h.Attest.Mailer = &mail.Mailer{Host: "127.0.0.1", Port: closedPort(t), From: "tenderprobe@buyer.test"}
		h, _ := previewOf(t, officer.get(mailPage+"?email=inkoop@demostad.test").body)
		r := officer.post(mailPage, url.Values{"email": {"inkoop@demostad.test"}, "hash": {h}})
		if r.status != 502 || !strings.Contains(r.body, "did not accept the mail, so nothing was sent") {
			t.Errorf("status %d\n%s", r.status, errorText(r.body))
		}
		if a.mailsOf("recipient = ?", "inkoop@demostad.test") != 0 {
			t.Error("a mail that was not sent was recorded")
		}
		a.h.Attest.Mailer = sink.mailer()
		r = officer.post(mailPage, url.Values{"email": {"inkoop@demostad.test"}, "hash": {h}})
		if r.status != 303 || len(sink.messages()) != 2 {
			t.Errorf("the retry: status %d\n%s", r.status, errorText(r.body))
		}
	})
	t.Run("without a relay the preview says so and offers no send button", func(t *testing.T) {
		a.h.Attest.Mailer = nil
		defer func() { a.h.Attest.Mailer = sink.mailer() }()
		body := officer.get(mailPage + "?email=x@demostad.test").body
		if !strings.Contains(body, `id="mail-not-configured"`) || strings.Contains(body, `id="mail-send"`) {
			t.Errorf("page:\n%s", errorText(body))
		}
	})
	t.Run("an auditor may send; another buyer's officer gets 404 and a vendor 403", func(t *testing.T) {
		auditor := a.session("auditor@demo.test")
		h, _ := previewOf(t, auditor.get(mailPage+"?email=monitor@forum.test").body)
		if r := auditor.post(mailPage, url.Values{"email": {"monitor@forum.test"}, "hash": {h}}); r.status != 303 {
			t.Errorf("auditor: status %d\n%s", r.status, errorText(r.body))
		}
		other := a.session(newOtherBuyerOfficer(t, a))
		if r := other.get(mailPage + "?email=x@y.test"); r.status != 404 {
			t.Errorf("another buyer's officer sees the preview: %d", r.status)
		}
		if r := other.post(mailPage, url.Values{"email": {"x@y.test"}, "hash": {h}}); r.status != 404 {
			t.Errorf("another buyer's officer sends: %d", r.status)
		}
		if r := a.session("vendor@demo.test").get(mailPage); r.status != 403 {
			t.Errorf("a vendor: %d", r.status)
		}
	})
}

func TestAnalysisMailOfAPlatformTender(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	sink := startMailSink(t)
	a.h.Attest.Mailer = sink.mailer()
	officer := a.session("officer@demo.test")
	tn, _ := a.newDraft("Hosting of the council website")
	page := fmt.Sprintf("/tenders/%d/analysis", tn.ID)
	body := officer.get(page + "/mail").body
	creator := a.user("officer@demo.test").Email
	if !strings.Contains(body, ">"+creator+"</a>") {
		t.Errorf("the officer who created the tender is not suggested:\n%s", errorText(body))
	}
	hash, text := previewOf(t, officer.get(page+"/mail?email="+creator).body)
	if !strings.Contains(text, "the tender \"Hosting of the council website\"") || !strings.Contains(text, page) {
		t.Errorf("the mail does not name the tender or lacks the link its officer can open:\n%s", text)
	}
	r := officer.post(page+"/mail", url.Values{"email": {creator}, "hash": {hash}})
	if r.status != 303 || len(sink.messages()) != 1 || a.mailsOf("tender_id = ?", tn.ID) != 1 {
		t.Fatalf("status %d, %d mails\n%s", r.status, len(sink.messages()), errorText(r.body))
	}
	if body := officer.get(page).body; !strings.Contains(body, `id="mails-list"`) || !strings.Contains(body, creator) {
		t.Errorf("the analysis page does not list the mail")
	}
}

func TestAnalysisMailAPI(t *testing.T) {
	t.Parallel()
	demo.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAppOn(t, db)
		sink := startMailSink(t)
		a.h.Attest.Mailer = sink.mailer()
		officer := a.apiClient("officer@demo.test")
		up := officer.upload("/api/v1/tender-documents", "file", "bestek.txt", []byte(contactDocument))
		if up.status != 201 {
			t.Fatalf("upload: status %d\n%s", up.status, up.body)
		}
		id := uint(up.json(t)["id"].(float64))
		base := fmt.Sprintf("/api/v1/tender-documents/%d", id)
		p := officer.get(base + "/mail-preview?to=Contact@Buyer.test")
		if p.status != 200 {
			t.Fatalf("preview: status %d\n%s", p.status, p.body)
		}
		preview := p.json(t)
		t.Run("the preview names recipient, language, subject, text and hash", func(t *testing.T) {
			if preview["to"] != "contact@buyer.test" || preview["language"] != "nl" || !strings.Contains(preview["text"].(string), "DANE") || len(preview["hash"].(string)) != 64 {
				t.Errorf("preview %v", preview)
			}
			if len(sink.messages()) != 0 {
				t.Error("the preview sent a mail")
			}
		})
		t.Run("a wrong hash is 409 with the new preview, nothing sent", func(t *testing.T) {
			r := officer.postJSON(base+"/mail", map[string]string{"to": "contact@buyer.test", "hash": strings.Repeat("0", 64)})
			body := r.json(t)
			if r.status != 409 || body["code"] != "analysismail.changed" || body["preview"] == nil || len(sink.messages()) != 0 {
				t.Errorf("status %d: %v", r.status, body)
			}
		})
		t.Run("the previewed mail is sent: 201 with its record", func(t *testing.T) {
			r := officer.postJSON(base+"/mail", map[string]string{"to": "contact@buyer.test", "hash": preview["hash"].(string)})
			body := r.json(t)
			if r.status != 201 || body["to"] != "contact@buyer.test" || body["content_hash"] != preview["hash"] || body["document_id"] != float64(id) || len(sink.messages()) != 1 {
				t.Errorf("status %d: %v", r.status, body)
			}
		})
		t.Run("the same mail again within ten minutes is 429, across the database", func(t *testing.T) {
			// A second app on the same database stands for a second process.
			b := newTestAppOn(t, db)
			b.h.Attest.Mailer = sink.mailer()
			r := b.apiClient("officer@demo.test").postJSON(base+"/mail", map[string]string{"to": "contact@buyer.test", "hash": preview["hash"].(string)})
			if r.status != 429 || r.json(t)["code"] != "analysismail.rate_limited" || len(sink.messages()) != 1 {
				t.Errorf("status %d: %s", r.status, r.body)
			}
		})
		t.Run("another buyer's officer gets 404", func(t *testing.T) {
			other := a.apiClient(newOtherBuyerOfficer(t, a))
			if r := other.get(base + "/mail-preview?to=x@y.test"); r.status != 404 {
				t.Errorf("preview: %d", r.status)
			}
			if r := other.postJSON(base+"/mail", map[string]string{"to": "x@y.test", "hash": preview["hash"].(string)}); r.status != 404 {
				t.Errorf("send: %d", r.status)
			}
		})
		t.Run("a vendor gets 403", func(t *testing.T) {
			if r := a.apiClient("vendor@demo.test").get(base + "/mail-preview?to=x@y.test"); r.status != 403 {
				t.Errorf("preview: %d", r.status)
			}
		})
	})
}

// closedPort is a loopback port nothing listens on: a relay that refuses
// every connection.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

func TestAnalysisMailAPIOfAPlatformTender(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	sink := startMailSink(t)
	a.h.Attest.Mailer = sink.mailer()
	tn, _ := a.newDraft("Hosting of the council website")
	base := fmt.Sprintf("/api/v1/tenders/%d/analysis", tn.ID)
	officer := a.apiClient("officer@demo.test")
	p := officer.get(base + "/mail-preview?to=contact@buyer.test")
	if p.status != 200 {
		t.Fatalf("preview: status %d\n%s", p.status, p.body)
	}
	preview := p.json(t)
	if preview["language"] != "en" || !strings.Contains(preview["text"].(string), `the tender "Hosting of the council website"`) || len(sink.messages()) != 0 {
		t.Fatalf("preview %v", preview)
	}
	r := officer.postJSON(base+"/mail", map[string]string{"to": "contact@buyer.test", "hash": preview["hash"].(string)})
	if body := r.json(t); r.status != 201 || body["tender_id"] != float64(tn.ID) || len(sink.messages()) != 1 {
		t.Errorf("status %d: %v", r.status, body)
	}
	if r := a.apiClient(newOtherBuyerOfficer(t, a)).get(base + "/mail-preview?to=x@y.test"); r.status != 404 {
		t.Errorf("another buyer's officer: %d", r.status)
	}
}
