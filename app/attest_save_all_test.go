package app

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tenderprobe/models"
)

// pagePost sends the answer page's one form as multipart, with files
// named by their input (file-<requirement id>).
func (c *client) pagePost(path string, fields url.Values, files map[string][]byte) response {
	c.a.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if c.csrf != "" {
		_ = w.WriteField("_csrf", c.csrf)
	}
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	for name, content := range files {
		fw, err := w.CreateFormFile(name, name+".pdf")
		if err != nil {
			c.a.t.Fatal(err)
		}
		_, _ = fw.Write(content)
	}
	_ = w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// answerOfReq is the stored answer to requirement rid of w's attestation.
func (w *attestWorld) answerOfReq(t *testing.T, rid uint) models.Answer {
	t.Helper()
	a, err := models.FindAttestation(context.Background(), w.a.db, w.att.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, an := range a.Answers {
		if an.RequirementID == rid {
			return an
		}
	}
	t.Fatalf("no answer to requirement %d", rid)
	return models.Answer{}
}

// TestSaveAllAnswersPage covers the answer page's one form: every answer
// saved at once, nothing typed lost when part of it is refused, files and
// removals carried by the same form, and strangers kept out.
func TestSaveAllAnswersPage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.withEvidenceStore()

	t.Run("several answers are saved at once", func(t *testing.T) {
		w := newAttestWorld(t, a)
		res := a.session("vendor@demo.test").post(w.path("/answers"), url.Values{
			fmt.Sprintf("status-%d", w.https): {"complies"}, fmt.Sprintf("explanation-%d", w.https): {""},
			fmt.Sprintf("status-%d", w.dnssec): {"partial"}, fmt.Sprintf("explanation-%d", w.dnssec): {"Signed from June."},
			fmt.Sprintf("planned_date-%d", w.dnssec): {"2026-06-30"}, "at": {fmt.Sprintf("answer-%d", w.dnssec)},
		})
		if res.status != http.StatusSeeOther || !strings.HasSuffix(res.header.Get("Location"), fmt.Sprintf("#answer-%d", w.dnssec)) {
			t.Fatalf("status %d, location %q: %s", res.status, res.header.Get("Location"), errorText(res.body))
		}
		if an := w.answerOfReq(t, w.https); an.Status != "complies" {
			t.Errorf("https answer %+v", an)
		}
		if an := w.answerOfReq(t, w.dnssec); an.Status != "partial" || an.Explanation != "Signed from June." || an.PlannedDate != "2026-06-30" {
			t.Errorf("dnssec answer %+v", an)
		}
	})

	t.Run("a partly invalid page keeps everything typed and marks the refused field", func(t *testing.T) {
		w := newAttestWorld(t, a)
		typed := "Typed text that must survive the refusal <&>"
		res := a.session("vendor@demo.test").post(w.path("/answers"), url.Values{
			fmt.Sprintf("status-%d", w.https): {"complies"}, fmt.Sprintf("explanation-%d", w.https): {"All sites use TLS 1.3."},
			fmt.Sprintf("status-%d", w.dnssec): {"partial"}, fmt.Sprintf("explanation-%d", w.dnssec): {typed},
			fmt.Sprintf("planned_date-%d", w.dnssec): {"2026-01-01"},
		})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422: %s", res.status, errorText(res.body))
		}
		planned := fmt.Sprintf("planned-%d", w.dnssec)
		for _, want := range []string{
			html.EscapeString(typed), `value="2026-01-01"`, "All sites use TLS 1.3.",
			`id="error-summary" role="alert" tabindex="-1"`, `href="#` + planned + `"`,
			`id="` + planned + `" name="planned_date-` + fmt.Sprint(w.dnssec) + `" min="2026-03-01" value="2026-01-01" aria-invalid="true" aria-describedby="` + planned + `-error"`,
			`<p class="error-text" id="` + planned + `-error">`,
		} {
			if !strings.Contains(res.body, want) {
				t.Errorf("the page lacks %s", want)
			}
		}
		if n := strings.Count(res.body, `aria-invalid="true"`); n != 1 {
			t.Errorf("%d fields marked invalid, want only the planned date", n)
		}
		if !regexp.MustCompile(`(?s)<option value="partial" selected>`).MatchString(res.body) {
			t.Error("the refused answer's choice is not kept")
		}
		if an := w.answerOfReq(t, w.https); an.Status != "complies" || an.Explanation != "All sites use TLS 1.3." {
			t.Errorf("the valid answer of the same page was not saved: %+v", an)
		}
		if an := w.answerOfReq(t, w.dnssec); an.Answered() {
			t.Errorf("the refused answer was stored: %+v", an)
		}
	})

	t.Run("a file chosen in the page's form is uploaded with the answers", func(t *testing.T) {
		w := newAttestWorld(t, a)
		res := a.session("vendor@demo.test").pagePost(w.path("/answers"), url.Values{
			fmt.Sprintf("status-%d", w.https): {"complies"}, fmt.Sprintf("status-%d", w.dnssec): {"not_applicable"},
			fmt.Sprintf("explanation-%d", w.dnssec): {"We run no DNS."},
		}, map[string][]byte{fmt.Sprintf("file-%d", w.https): pdfBytes})
		if res.status != http.StatusSeeOther || !strings.Contains(res.header.Get("Location"), "flash=uploaded") {
			t.Fatalf("status %d, location %q: %s", res.status, res.header.Get("Location"), errorText(res.body))
		}
		if an := w.answerOfReq(t, w.https); an.Status != "complies" || len(an.Evidence) != 1 || an.Evidence[0].ContentType != "application/pdf" {
			t.Errorf("https answer %+v", an)
		}
		if an := w.answerOfReq(t, w.dnssec); an.Status != "not_applicable" {
			t.Errorf("dnssec answer %+v", an)
		}
	})

	t.Run("a refused file keeps the typed answers and names the file field", func(t *testing.T) {
		w := newAttestWorld(t, a)
		res := a.session("vendor@demo.test").pagePost(w.path("/answers"), url.Values{
			fmt.Sprintf("status-%d", w.dnssec): {"does_not_comply"}, fmt.Sprintf("explanation-%d", w.dnssec): {"Typed next to a bad file."},
		}, map[string][]byte{fmt.Sprintf("file-%d", w.https): []byte("MZ\x90\x00 not a document")})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, fmt.Sprintf(`href="#file-%d"`, w.https)) {
			t.Fatalf("status %d: %s", res.status, errorText(res.body))
		}
		if an := w.answerOfReq(t, w.dnssec); an.Status != "does_not_comply" || an.Explanation != "Typed next to a bad file." {
			t.Errorf("the typed answer was lost with the refused file: %+v", an)
		}
	})

	t.Run("removing evidence from the page saves the typed answers too", func(t *testing.T) {
		w := newAttestWorld(t, a)
		ev := w.addFile(t)
		res := a.session("vendor@demo.test").post(w.path("/answers"), url.Values{
			fmt.Sprintf("status-%d", w.dnssec): {"partial"}, fmt.Sprintf("explanation-%d", w.dnssec): {"Typed before removing."},
			"remove_evidence": {fmt.Sprint(ev.ID)},
		})
		if res.status != http.StatusSeeOther || !strings.HasSuffix(res.header.Get("Location"), fmt.Sprintf("#answer-%d", w.https)) {
			t.Fatalf("status %d, location %q: %s", res.status, res.header.Get("Location"), errorText(res.body))
		}
		if an := w.answerOfReq(t, w.https); len(an.Evidence) != 0 {
			t.Errorf("the evidence is still there: %+v", an.Evidence)
		}
		if an := w.answerOfReq(t, w.dnssec); an.Explanation != "Typed before removing." {
			t.Errorf("the typed answer was lost: %+v", an)
		}
	})

	t.Run("the page's remove buttons ask before removing evidence", func(t *testing.T) {
		w := newAttestWorld(t, a)
		ev := w.addFile(t)
		page := a.session("vendor@demo.test").get(w.path(""))
		if !regexp.MustCompile(fmt.Sprintf(`<button type="submit" name="remove_evidence" value="%d"[^>]* data-confirm="Remove the evidence report.pdf\?`, ev.ID)).MatchString(page.body) {
			t.Errorf("no confirmation on the remove button:\n%s", page.body)
		}
	})

	t.Run("submitting from the page saves the answers first", func(t *testing.T) {
		w := newAttestWorld(t, a)
		res := a.session("vendor@demo.test").post(w.path("/answers"), url.Values{
			fmt.Sprintf("status-%d", w.https): {"complies"}, fmt.Sprintf("status-%d", w.dnssec): {"complies"},
			"lock_version": {fmt.Sprint(w.att.LockVersion)}, "declaration": {"yes"}, "declarer": {"Victor Vendor"}, "intent": {"submit"},
		})
		if res.status != http.StatusSeeOther || !strings.Contains(res.header.Get("Location"), "flash=submitted") {
			t.Fatalf("status %d, location %q: %s", res.status, res.header.Get("Location"), errorText(res.body))
		}
		if got := w.reload(t); !got.Submitted() {
			t.Errorf("not submitted: %+v", got)
		}
	})

	t.Run("an incomplete submission lists what is missing in the summary", func(t *testing.T) {
		w := newAttestWorld(t, a)
		res := a.session("vendor@demo.test").post(w.path("/answers"), url.Values{
			fmt.Sprintf("status-%d", w.https): {"complies"}, fmt.Sprintf("status-%d", w.dnssec): {""}, "intent": {"submit"},
		})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, fmt.Sprintf(`href="#status-%d"`, w.dnssec)) || !strings.Contains(res.body, `href="#declaration"`) {
			t.Fatalf("status %d: %s", res.status, errorText(res.body))
		}
		if an := w.answerOfReq(t, w.https); an.Status != "complies" {
			t.Errorf("the answer given was not saved: %+v", an)
		}
	})

	t.Run("another supplier's vendor cannot save the page", func(t *testing.T) {
		w := newAttestWorld(t, a)
		res := a.session("vendor2@demo.test").post(w.path("/answers"), url.Values{fmt.Sprintf("status-%d", w.https): {"complies"}})
		if res.status != http.StatusNotFound {
			t.Errorf("status %d, want 404", res.status)
		}
		if an := w.answerOfReq(t, w.https); an.Answered() {
			t.Errorf("a stranger's answer was stored: %+v", an)
		}
	})

	t.Run("the page's script gets the new lock version or the refusal as JSON", func(t *testing.T) {
		w := newAttestWorld(t, a)
		c := a.session("vendor@demo.test")
		send := func(form url.Values) response {
			form = cloneForm(form)
			form.Set("_csrf", c.csrf)
			req := httptest.NewRequest(http.MethodPost, w.path("/answers/%d", w.dnssec), strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept", "application/json")
			return c.do(req)
		}
		res := send(url.Values{"status": {"partial"}, "explanation": {""}, "lock_version": {"1"}})
		if res.status != http.StatusUnprocessableEntity || res.json(t)["field"] != "explanation" {
			t.Errorf("refusal: %d %s", res.status, res.body)
		}
		res = send(url.Values{"status": {"partial"}, "explanation": {"Saved as typed."}, "lock_version": {"1"}})
		if res.status != http.StatusOK || res.json(t)["lock_version"] != float64(2) {
			t.Errorf("save: %d %s", res.status, res.body)
		}
	})
}

// TestVendorFindsWhatToDo covers the vendor's way in: the dashboard says
// when an officer asked for clarification and links to the reply, and
// the tender page links to the vendor's attestation.
func TestVendorFindsWhatToDo(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.withEvidenceStore()

	t.Run("a clarification asked shows as action needed with a link to the reply", func(t *testing.T) {
		w := newAttestWorld(t, a)
		c := a.session("vendor@demo.test")
		link := fmt.Sprintf(`href="/attestations/%d#reply-%d"`, w.att.ID, w.https)
		if strings.Contains(c.get("/").body, link) {
			t.Fatal("action needed before any question")
		}
		w.clarify(t)
		dash := c.get("/")
		if !strings.Contains(dash.body, `id="action-needed"`) || !strings.Contains(dash.body, link) {
			t.Fatalf("the dashboard lacks the action needed:\n%s", dash.body)
		}
		if page := c.get(w.path("")); !strings.Contains(page.body, fmt.Sprintf(`id="reply-%d"`, w.https)) {
			t.Error("the link's target is not on the attestation page")
		}
		if strings.Contains(a.session("vendor2@demo.test").get("/").body, link) {
			t.Error("another supplier's vendor sees the action")
		}
	})

	t.Run("the vendor's tender page links to answer this tender", func(t *testing.T) {
		w := newAttestWorld(t, a)
		c := a.session("vendor@demo.test")
		page := c.get(fmt.Sprintf("/tenders/%d", w.tender.ID))
		if !strings.Contains(page.body, fmt.Sprintf(`href="/tenders/%d/attestation"`, w.tender.ID)) || !strings.Contains(page.body, "Answer this tender") {
			t.Fatalf("no link to answer the tender:\n%s", page.body)
		}
		res := c.get(fmt.Sprintf("/tenders/%d/attestation", w.tender.ID))
		if res.status != http.StatusSeeOther || res.header.Get("Location") != w.path("") {
			t.Errorf("status %d, location %q", res.status, res.header.Get("Location"))
		}
		if res := a.session("vendor2@demo.test").get(fmt.Sprintf("/tenders/%d/attestation", w.tender.ID)); res.status != http.StatusNotFound {
			t.Errorf("another supplier's vendor: status %d, want 404", res.status)
		}
	})
}

// TestInvitationPageShowsEveryFormError sends the invitation page's form
// with each kind of bad input: each answer is the normal page with the
// message next to the field, never a template error.
func TestInvitationPageShowsEveryFormError(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := newAttestWorld(t, a)
	_, token, err := models.Invite(context.Background(), a.db, a.user("officer@demo.test"), w.tender.ID,
		models.InviteInput{Email: "new@invitation-errors.test", Supplier: "Invitation Errors Ltd"}, 24*time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, password, confirm, field, words string
	}{
		{"a too-short password", "short", "short", "password", "must be at least"},
		{"an empty password", "", "", "password", "The password"},
		{"two passwords that differ", "a long enough password", "another long password", "password_confirm", "The two passwords differ."},
		{"a very common password", "password1234", "password1234", "password", "commonly used"},
		{"the e-mail address as password", "new@invitation-errors.test", "new@invitation-errors.test", "password", "e-mail address"},
	}
	for _, tc := range cases {
		t.Run(tc.name+" shows the page with the message", func(t *testing.T) {
			c := a.anonymous()
			page := c.get("/invitations/" + token)
			if page.status != http.StatusOK {
				t.Fatalf("opening the link: %d", page.status)
			}
			c.csrf = csrfFrom(t, page.body)
			res := c.post("/invitations/"+token, url.Values{"password": {tc.password}, "password_confirm": {tc.confirm}})
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", res.status, errorText(res.body))
			}
			for _, bad := range []string{"nil pointer", "template:", "executing"} {
				if strings.Contains(res.body, bad) {
					t.Fatalf("a template error: %s", res.body)
				}
			}
			if !strings.Contains(res.body, w.tender.Title) || !strings.Contains(res.body, tc.words) || !strings.Contains(res.body, `aria-invalid="true"`) {
				t.Errorf("the page lacks the tender, the message %q or the marked field:\n%s", tc.words, res.body)
			}
		})
	}
}

// TestReplyErrorsShowOnThePage sends an empty reply to a clarification:
// the page comes back with the message at the top, linking to the reply
// field, which is marked.
func TestReplyErrorsShowOnThePage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.withEvidenceStore()
	w := newAttestWorld(t, a)
	w.clarify(t)
	res := a.session("vendor@demo.test").post(w.path("/answers/%d/reply", w.https), url.Values{"reply": {"  "}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d: %s", res.status, errorText(res.body))
	}
	for _, want := range []string{
		`id="error-summary"`, fmt.Sprintf(`href="#reply-%d"`, w.https),
		fmt.Sprintf(`id="reply-%d" name="reply" aria-invalid="true" aria-describedby="answer-%d-reply-error"`, w.https, w.https),
		fmt.Sprintf(`id="answer-%d-reply-error"`, w.https),
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
}
