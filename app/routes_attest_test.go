package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// attestWorld is a published tender of the demo buyer with a mandatory
// https and a recommended dnssec requirement, due ten days after testNow,
// that the first demo vendor is invited to.
type attestWorld struct {
	a             *testApp
	tender        *models.Tender
	att           *models.Attestation
	https, dnssec uint
}

// withEvidenceStore gives the app a data directory of its own.
func (a *testApp) withEvidenceStore() *testApp {
	a.h.Attest.Store.Dir = a.t.TempDir()
	return a
}

func newAttestWorld(t testing.TB, a *testApp) *attestWorld {
	t.Helper()
	ctx := context.Background()
	officer := a.user("officer@demo.test")
	tn, err := models.CreateTender(ctx, a.db, officer, models.TenderInput{Title: fmt.Sprintf("Attest %d", next()), Deadline: ptrTime(testNow.Add(10 * 24 * time.Hour))}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct{ slug, level string }{{"https", models.LevelMandatory}, {"dnssec", models.LevelRecommended}} {
		if _, err := models.AddRequirement(ctx, a.db, dbtest.ManagerOf(a.db, tn.ID), tn.ID, models.RequirementInput{Standard: r.slug, Level: r.level}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if tn, err = models.PublishTender(ctx, a.db, dbtest.ManagerOf(a.db, tn.ID), tn.ID, testNow); err != nil {
		t.Fatal(err)
	}
	inv, _, err := models.Invite(ctx, a.db, officer, tn.ID, models.InviteInput{Email: "vendor@demo.test"}, time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	att, err := models.FindAttestation(ctx, a.db, inv.AttestationID)
	if err != nil {
		t.Fatal(err)
	}
	return &attestWorld{a: a, tender: tn, att: att, https: tn.Requirements[0].ID, dnssec: tn.Requirements[1].ID}
}

func ptrTime(t time.Time) *time.Time { return &t }

// fill answers both requirements as the vendor and returns the attestation.
func (w *attestWorld) fill(t testing.TB) {
	t.Helper()
	ctx, v := context.Background(), w.a.user("vendor@demo.test")
	if _, err := models.SaveAnswer(ctx, w.a.db, v, w.att.ID, w.https, models.AnswerInput{Status: "complies"}, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := models.SaveAnswer(ctx, w.a.db, v, w.att.ID, w.dnssec, models.AnswerInput{Status: "partial", Explanation: "Signing in Q2", PlannedDate: "2026-06-30"}, testNow); err != nil {
		t.Fatal(err)
	}
}

// submit fills and submits the attestation as the vendor.
func (w *attestWorld) submit(t testing.TB) *models.Submission {
	t.Helper()
	w.fill(t)
	sub, err := models.Submit(context.Background(), w.a.db, w.a.user("vendor@demo.test"), w.att.ID, models.SubmitInput{Declaration: true, Declarer: "Victor Vendor"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func (w *attestWorld) path(format string, args ...any) string {
	return fmt.Sprintf("/attestations/%d", w.att.ID) + fmt.Sprintf(format, args...)
}

func (w *attestWorld) apiPath(format string, args ...any) string {
	return fmt.Sprintf("/api/v1/attestations/%d", w.att.ID) + fmt.Sprintf(format, args...)
}

// reload returns the attestation as stored now.
func (w *attestWorld) reload(t testing.TB) *models.Attestation {
	t.Helper()
	a, err := models.FindAttestation(context.Background(), w.a.db, w.att.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// putJSON sends body as a JSON PUT.
func (c *client) putJSON(path string, body any) response {
	raw, err := json.Marshal(body)
	if err != nil {
		c.a.t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPut, path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

// uploadFields posts a multipart form with extra fields and one file.
func (c *client) uploadFields(path string, fields map[string]string, filename string, content []byte) response {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if c.csrf != "" {
		_ = w.WriteField("_csrf", c.csrf)
	}
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if filename != "" {
		fw, err := w.CreateFormFile("file", filename)
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

var linkPattern = regexp.MustCompile(`<code id="invitation-url">([^<]+)</code>`)

var pdfBytes = []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

func TestVendorJourneyOverHTTP(t *testing.T) {
	t.Parallel()
	a := newTestApp(t).withEvidenceStore()
	ctx := context.Background()
	officer := a.session("officer@demo.test")
	tn := newAttestWorld(t, a).tender

	res := officer.post(fmt.Sprintf("/tenders/%d/invitations", tn.ID), url.Values{"email": {"sales@journey.test"}, "supplier": {"Journey Ltd"}})
	if res.status != 201 {
		t.Fatalf("invite: %d %s", res.status, errorText(res.body))
	}
	m := linkPattern.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("no link on the page:\n%s", res.body)
	}
	link, _ := url.Parse(m[1])
	vendor := a.anonymous()
	page := vendor.get(link.Path)
	if page.status != 200 || !strings.Contains(page.body, "Set a password") {
		t.Fatalf("link page: %d %s", page.status, errorText(page.body))
	}
	vendor.csrf = csrfFrom(t, page.body)
	res = vendor.post(link.Path, url.Values{"password": {"journey password"}, "password_confirm": {"journey password"}})
	if res.status != 303 || !strings.HasPrefix(res.header.Get("Location"), "/attestations/") {
		t.Fatalf("set password: %d %s", res.status, errorText(res.body))
	}
	attPath := strings.SplitN(res.header.Get("Location"), "?", 2)[0]
	page = vendor.get(attPath)
	if page.status != 200 || !strings.Contains(page.body, "0 of 2 answered") {
		t.Fatalf("attestation page: %d %s", page.status, errorText(page.body))
	}
	vendor.csrf = csrfFrom(t, page.body)
	if again := a.anonymous().get(link.Path); again.status != 410 {
		t.Errorf("the used link answered %d, want 410", again.status)
	}
	u, err := models.FindUserByEmail(ctx, a.db, "sales@journey.test")
	if err != nil {
		t.Fatal(err)
	}
	att, err := models.FindAttestationFor(ctx, a.db, u, mustAtoi(t, strings.TrimPrefix(attPath, "/attestations/")))
	if err != nil {
		t.Fatal(err)
	}
	r1, r2 := att.Answers[0].RequirementID, att.Answers[1].RequirementID

	res = vendor.post(fmt.Sprintf("%s/answers/%d", attPath, r2), url.Values{"status": {"partial"}})
	if res.status != 422 || !strings.Contains(res.body, "explanation") {
		t.Errorf("partial without explanation: %d %s", res.status, errorText(res.body))
	}
	res = vendor.post(fmt.Sprintf("%s/answers/%d", attPath, r1), url.Values{"status": {"complies"}, "lock_version": {"1"}})
	if res.status != 303 {
		t.Fatalf("save: %d %s", res.status, errorText(res.body))
	}
	res = vendor.post(fmt.Sprintf("%s/answers/%d", attPath, r1), url.Values{"status": {"partial"}, "explanation": {"old tab"}, "lock_version": {"1"}})
	if res.status != 409 {
		t.Errorf("a stale tab answered %d, want 409", res.status)
	}
	res = vendor.uploadFields(fmt.Sprintf("%s/evidence/%d", attPath, r1), nil, "tls-report.pdf", pdfBytes)
	if res.status != 303 {
		t.Fatalf("upload: %d %s", res.status, errorText(res.body))
	}
	res = vendor.post(attPath+"/submit", url.Values{"declarer": {"Jo Journey"}})
	if res.status != 422 || !strings.Contains(res.body, "is not answered") || !strings.Contains(res.body, "tick the declaration") {
		t.Errorf("incomplete submit: %d %s", res.status, errorText(res.body))
	}
	res = vendor.post(fmt.Sprintf("%s/answers/%d", attPath, r2), url.Values{"status": {"partial"}, "explanation": {"Signing in Q2"}, "planned_date": {"2026-06-30"}})
	if res.status != 303 {
		t.Fatalf("save: %d %s", res.status, errorText(res.body))
	}
	res = vendor.post(attPath+"/scope", url.Values{"web": {"www.journey.example\nbücher.example"}, "mail": {"journey.example"}})
	if res.status != 303 {
		t.Fatalf("scope: %d %s", res.status, errorText(res.body))
	}
	res = vendor.post(attPath+"/submit", url.Values{"declaration": {"yes"}, "declarer": {"Jo Journey"}})
	if res.status != 303 {
		t.Fatalf("submit: %d %s", res.status, errorText(res.body))
	}
	page = vendor.get(attPath)
	receipt := regexp.MustCompile(`<code id="receipt-hash">([0-9a-f]{64})</code>`).FindStringSubmatch(page.body)
	if receipt == nil || !strings.Contains(page.body, "xn--bcher-kva.example") {
		t.Fatalf("no receipt on the page:\n%s", page.body)
	}
	verify := officer.get(attPath + "/receipt")
	if verify.status != 200 || !strings.Contains(verify.body, "The receipt matches") || !strings.Contains(verify.body, receipt[1]) {
		t.Errorf("verify page as officer: %d %s", verify.status, errorText(verify.body))
	}
	dl := vendor.get(attPath + "/receipt.json")
	if dl.status != 200 || sha256Hex(dl.body) != receipt[1] || !strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("downloaded receipt hashes to %s, want %s", sha256Hex(dl.body), receipt[1])
	}
	res = vendor.post(fmt.Sprintf("%s/answers/%d", attPath, r1), url.Values{"status": {"partial"}, "explanation": {"x"}})
	if res.status != 409 {
		t.Errorf("changing a submitted answer answered %d, want 409", res.status)
	}
	if m := officer.get(fmt.Sprintf("/tenders/%d/review", tn.ID)); m.status != 200 || !strings.Contains(m.body, "Journey Ltd") {
		t.Errorf("review matrix: %d %s", m.status, errorText(m.body))
	}
	if d := vendor.get("/"); d.status != 200 || !strings.Contains(d.body, tn.Title) {
		t.Errorf("the vendor's dashboard does not list the attestation: %d", d.status)
	}
}

func mustAtoi(t testing.TB, s string) uint {
	t.Helper()
	var n uint
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestWhatChangedNamesTheRequirement: the table of what changed between
// two versions names each requirement as the answer form does ("1.
// HTTPS", in the reader's language), never by the standard's code.
func TestWhatChangedNamesTheRequirement(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := newAttestWorld(t, a)
	w.submit(t)
	ctx, v := context.Background(), a.user("vendor@demo.test")
	if _, err := models.Reopen(ctx, a.db, v, w.att.ID, nil, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := models.SaveAnswer(ctx, a.db, v, w.att.ID, w.https, models.AnswerInput{Status: "partial", Explanation: "One site left"}, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Submit(ctx, a.db, v, w.att.ID, models.SubmitInput{Declaration: true, Declarer: "Victor Vendor"}, testNow); err != nil {
		t.Fatal(err)
	}
	page := a.session("vendor@demo.test").get(w.path("/versions/2"))
	if page.status != 200 || !strings.Contains(page.body, "<td>1. HTTPS</td>") || strings.Contains(page.body, "<td>https</td>") {
		i := strings.Index(page.body, "<tbody>")
		t.Fatalf("%d: %s", page.status, page.body[max(i, 0):min(len(page.body), max(i, 0)+300)])
	}
}
