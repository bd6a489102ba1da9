package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"tenderprobe/models"
)

func TestReviewThreadOverTheWeb(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := newAttestWorld(t, a)
	first := w.submit(t)
	officer := a.session("officer@demo.test")
	vendor := a.session("vendor@demo.test")
	review := w.path("/answers/%d/review", w.dnssec)

	steps := []struct {
		name   string
		who    *client
		path   string
		form   url.Values
		status int
	}{
		{"the officer cannot ask for clarification without a comment", officer, review, url.Values{"decision": {"clarify"}}, 422},
		{"the officer accepts the https answer", officer, w.path("/answers/%d/review", w.https), url.Values{"decision": {"accept"}}, 303},
		{"the officer asks about the dnssec answer", officer, review, url.Values{"decision": {"clarify"}, "comment": {"Which zones are not signed yet?"}}, 303},
		{"the vendor cannot amend an answer nobody asked about", vendor, w.path("/answers/%d/amend", w.https),
			url.Values{"status": {"partial"}, "explanation": {"x"}, "comment": {"x"}, "declaration": {"yes"}, "declarer": {"V"}}, 409},
		{"the vendor replies in the thread", vendor, w.path("/answers/%d/reply", w.dnssec), url.Values{"reply": {"The archive zones, until June."}}, 303},
		{"an amendment needs the declaration again", vendor, w.path("/answers/%d/amend", w.dnssec),
			url.Values{"status": {"complies"}, "comment": {"All zones are signed now."}}, 422},
		{"the vendor amends the dnssec answer", vendor, w.path("/answers/%d/amend", w.dnssec),
			url.Values{"status": {"complies"}, "comment": {"All zones are signed now."}, "declaration": {"yes"}, "declarer": {"Victor Vendor"}}, 303},
		{"a vendor cannot review answers", vendor, review, url.Values{"decision": {"accept"}}, 403},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if res := s.who.post(s.path, s.form); res.status != s.status {
				t.Fatalf("status %d, want %d: %s", res.status, s.status, errorText(res.body))
			}
		})
	}
	got := w.reload(t)
	if got.Version != 2 || !got.Submitted() || got.Answers[1].Status != "complies" || got.Answers[1].ReviewStatus != models.ReviewPending ||
		got.Answers[0].ReviewStatus != models.ReviewAccepted {
		t.Fatalf("after the amendment: version %d, %s, answers %+v", got.Version, got.Status, got.Answers)
	}
	t.Run("both versions keep receipts that verify", func(t *testing.T) {
		for _, v := range []int{1, 2} {
			res, sub, err := models.VerifyReceipt(context.Background(), a.db, w.att.ID, v)
			if err != nil || !res.Match || v == 1 && sub.Receipt != first.Receipt {
				t.Errorf("version %d: %+v, %v", v, res, err)
			}
		}
	})
	t.Run("the thread and the change show on the page", func(t *testing.T) {
		page := officer.get(w.path(""))
		for _, want := range []string{"Which zones are not signed yet?", "The archive zones, until June.", "All zones are signed now.", "Changes since the previous version"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
	})
	t.Run("the matrix shows the review state per vendor", func(t *testing.T) {
		m := a.apiClient("auditor@demo.test").get(fmt.Sprintf("/api/v1/tenders/%d/matrix", w.tender.ID)).json(t)
		rows := m["rows"].([]any)
		https := rows[0].(map[string]any)["cells"].([]any)[0].(map[string]any)
		if https["review_status"] != "accepted" || https["status"] != "complies" {
			t.Errorf("matrix cell %v", https)
		}
	})
	t.Run("the audit log has every step, for auditors only", func(t *testing.T) {
		page := a.session("auditor@demo.test").get(fmt.Sprintf("/audit?attestation_id=%d", w.att.ID))
		for _, want := range []string{"review.accept", "review.clarify", "review.reply", "answer.amend", "attestation.amend", "attestation.submit", "invitation.create"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the audit log lacks %s", want)
			}
		}
		if res := officer.get("/audit"); res.status != 403 {
			t.Errorf("an officer reading the audit log got %d", res.status)
		}
		entries := a.apiClient("admin@demo.test").get(fmt.Sprintf("/api/v1/audit?attestation_id=%d&action=answer.amend", w.att.ID)).json(t)["entries"].([]any)
		if len(entries) != 1 || !strings.Contains(entries[0].(map[string]any)["before"].(string), "partial") {
			t.Errorf("amend entries %v: want one with the answer before", entries)
		}
	})
}

// TestAReviewRefusalDoesNotSpeakOfSavedAnswers: an officer's refused
// review (a clarification without a comment) says nothing was saved; the
// vendor's words about answers saved are not theirs.
func TestAReviewRefusalDoesNotSpeakOfSavedAnswers(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := newAttestWorld(t, a)
	w.submit(t)
	res := a.session("officer@demo.test").post(w.path("/answers/%d/review", w.dnssec), url.Values{"decision": {"clarify"}})
	if res.status != 422 || !strings.Contains(res.body, "Nothing was saved") || strings.Contains(res.body, "were saved") {
		t.Fatalf("%d: %s", res.status, errorText(res.body))
	}
}

// TestAReviewEntryNamesItsStandard: the audit log names the standard of
// each reviewed answer, so that the entries of a bulk acceptance can be
// told apart.
func TestAReviewEntryNamesItsStandard(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := newAttestWorld(t, a)
	w.submit(t)
	if res := a.session("officer@demo.test").post(w.path("/answers/%d/review", w.https), url.Values{"decision": {"accept"}}); res.status != 303 {
		t.Fatalf("accept: %d", res.status)
	}
	page := a.session("auditor@demo.test").get("/audit?action=review.accept")
	if page.status != 200 || !strings.Contains(page.body, "HTTPS") {
		i := strings.Index(page.body, "review")
		t.Fatalf("%d: the entry does not name the standard: %s", page.status, page.body[max(0, i-100):min(len(page.body), i+1500)])
	}
}

// TestARepliedClarificationWaitsForTheBuyer: once the vendor has replied
// to a clarification, it leaves the vendor's "action needed" and the
// officer's matrix says a reply came, until the officer decides.
func TestARepliedClarificationWaitsForTheBuyer(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := newAttestWorld(t, a)
	w.clarify(t)
	vendor := a.session("vendor@demo.test")
	if page := vendor.get("/"); !strings.Contains(page.body, `id="action-needed"`) {
		t.Fatal("the clarification asked is not on the vendor's dashboard")
	}
	if res := vendor.post(w.path("/answers/%d/reply", w.https), url.Values{"reply": {"Every site but the archive."}}); res.status != 303 {
		t.Fatalf("reply: %d %s", res.status, errorText(res.body))
	}
	if page := vendor.get("/"); strings.Contains(page.body, `id="action-needed"`) {
		t.Error("the replied clarification is still on the vendor's to-do list")
	}
	matrix := a.session("officer@demo.test").get(fmt.Sprintf("/tenders/%d/review", w.tender.ID))
	if matrix.status != 200 || !strings.Contains(matrix.body, "reply received") {
		t.Errorf("%d: the matrix does not say a reply came", matrix.status)
	}
}

// TestTheReportShowsTheBuyersDecisions: the comply-or-explain report says
// which answers the buyer accepted (with the reason given) and which it
// asked to clarify (with the question), as the matrix does.
func TestTheReportShowsTheBuyersDecisions(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := newAttestWorld(t, a)
	w.submit(t)
	officer := a.session("officer@demo.test")
	if res := officer.post(w.path("/answers/%d/review", w.https), url.Values{"decision": {"accept"}, "comment": {"Checked at delivery."}}); res.status != 303 {
		t.Fatalf("accept: %d", res.status)
	}
	if res := officer.post(w.path("/answers/%d/review", w.dnssec), url.Values{"decision": {"clarify"}, "comment": {"Which zones?"}}); res.status != 303 {
		t.Fatalf("clarify: %d", res.status)
	}
	res := officer.get(fmt.Sprintf("/tenders/%d/report.pdf", w.tender.ID))
	if res.status != 200 {
		t.Fatalf("report: %d", res.status)
	}
	text := strings.Join(strings.Fields(pdfTextOf(t, res.body)), " ")
	for _, want := range []string{"Accepted by the buyer: “Checked at delivery.”", "Clarification asked: “Which zones?”"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}
