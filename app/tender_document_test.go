package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/jung-kurt/gofpdf"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// tenderDocumentText is a small Dutch tender document: DNSSEC and SPF
// demanded, DANE only a wish, IPv6 not required.
const tenderDocumentText = `Aanbesteding e-maildienst

3 Eisen aan de maildienst
De Leverancier dient alle domeinnamen te ondertekenen met DNSSEC.
De mailservers moeten een SPF-record publiceren volgens RFC 7208.
Wens: de dienst ondersteunt DANE voor inkomende e-mail.
IPv6 is voor deze opdracht niet vereist.
`

// newTenderDocument stores an analysis made by email's account, named name.
func newTenderDocument(t testing.TB, a *testApp, email, name string) *models.TenderDocument {
	t.Helper()
	d := &models.TenderDocument{Name: name, Format: "txt", Language: "nl", Kinds: []string{"email-service"},
		Result: `{"document":{"name":"` + name + `","pages":0,"language":"nl","kinds":["email-service"],"kinds_suggested":false},"standards":[{"slug":"dnssec","status":"requested","quotes":[{"text":"DNSSEC is vereist.","demand":true}]}],"relevant":["dnssec","dane"],"missing":["dane"]}`}
	if err := models.CreateTenderDocument(context.Background(), a.db, a.user(email), d, testNow); err != nil {
		t.Fatal(err)
	}
	return d
}

// tenderDocument is an analysis of the first buyer, named with a private
// mark.
func (w *authzWorld) tenderDocument(t testing.TB) uint {
	var d models.TenderDocument
	if err := w.a.db.Where("org_id = ?", w.buyer).Order("id").Take(&d).Error; err == nil {
		return d.ID
	}
	return newTenderDocument(t, w.a, "officer@demo.test", markDraft+".docx").ID
}

// docanalysisRoleTable is the role table of the document analysis routes.
// An upload without a file is refused as invalid (422) to those allowed;
// the admin has no buyer organisation, so a tender cannot be started for
// one (422).
func docanalysisRoleTable() map[string]roleCase {
	const (
		ok, see, unauth, forbidden, invalid = 200, 303, 401, 403, 422
	)
	doc := func(suffix string, form url.Values) func(*testApp) (string, url.Values, any) {
		return func(a *testApp) (string, url.Values, any) {
			d := newTenderDocument(a.t, a, "officer@demo.test", fmt.Sprintf("role table %d.pdf", next()))
			return fmt.Sprintf("/tender-documents/%d%s", d.ID, suffix), form, nil
		}
	}
	return map[string]roleCase{
		"GET /tender-documents":             {[5]int{see, ok, ok, forbidden, ok}, path("/tender-documents")},
		"POST /tender-documents":            {[5]int{unauth, invalid, invalid, forbidden, invalid}, path("/tender-documents")},
		"GET /tender-documents/:id":         {[5]int{see, ok, ok, forbidden, ok}, doc("", nil)},
		"POST /tender-documents/:id/tender": {[5]int{unauth, invalid, see, forbidden, forbidden}, doc("/tender", url.Values{"kinds": {"chosen"}, "profile": {"email-service"}})},
		"GET /tenders/:id/analysis":         {[5]int{see, ok, ok, forbidden, ok}, draftPath("/analysis?profile=website-hosting", nil, nil)},
		"POST /api/v1/tender-documents": {[5]int{unauth, invalid, invalid, forbidden, invalid}, func(*testApp) (string, url.Values, any) {
			return "/api/v1/tender-documents", nil, map[string]any{}
		}},
		"GET /api/v1/tender-documents/:id": {[5]int{unauth, ok, ok, forbidden, ok}, func(a *testApp) (string, url.Values, any) {
			d := newTenderDocument(a.t, a, "officer@demo.test", fmt.Sprintf("role table %d.pdf", next()))
			return fmt.Sprintf("/api/v1/tender-documents/%d", d.ID), nil, nil
		}},
	}
}

func TestTenderDocumentAPI(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	officer := a.apiClient("officer@demo.test")
	res := officer.upload("/api/v1/tender-documents", "file", "eisen.txt", []byte(tenderDocumentText))
	if res.status != 201 {
		t.Fatalf("upload: status %d\n%s", res.status, res.body)
	}
	var got struct {
		ID       uint `json:"id"`
		Document struct {
			Name     string   `json:"name"`
			Pages    int      `json:"pages"`
			Language string   `json:"language"`
			Kinds    []string `json:"kinds"`
		} `json:"document"`
		Standards []struct {
			Slug   string `json:"slug"`
			Status string `json:"status"`
			Quotes []struct {
				Text    string `json:"text"`
				Section string `json:"section"`
			} `json:"quotes"`
		} `json:"standards"`
		Relevant []string `json:"relevant"`
		Missing  []string `json:"missing"`
	}
	if err := json.Unmarshal([]byte(res.body), &got); err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, s := range got.Standards {
		status[s.Slug] = s.Status
		if s.Status != "absent" && (len(s.Quotes) == 0 || s.Quotes[0].Section == "") {
			t.Errorf("%s is %s without a quote and its section: %+v", s.Slug, s.Status, s.Quotes)
		}
	}
	t.Run("the answer names the document, its language and the kind of purchase", func(t *testing.T) {
		if got.Document.Name != "eisen.txt" || got.Document.Language != "nl" || !slices.Contains(got.Document.Kinds, "email-service") {
			t.Errorf("document %+v", got.Document)
		}
	})
	t.Run("every standard of the catalogue is listed with its status", func(t *testing.T) {
		want := map[string]string{"dnssec": "requested", "spf": "requested", "dane": "mentioned", "ipv6": "mentioned", "dkim": "absent"}
		for slug, w := range want {
			if status[slug] != w {
				t.Errorf("%s is %q, want %q", slug, status[slug], w)
			}
		}
		if len(got.Standards) < 40 {
			t.Errorf("only %d standards listed", len(got.Standards))
		}
	})
	t.Run("relevant standards that are not requested are missing", func(t *testing.T) {
		for _, slug := range []string{"dane", "dkim", "dmarc", "ipv6"} {
			if !slices.Contains(got.Missing, slug) {
				t.Errorf("%s not missing: %v", slug, got.Missing)
			}
		}
		if slices.Contains(got.Missing, "dnssec") || !slices.Contains(got.Relevant, "dnssec") {
			t.Errorf("dnssec: relevant %v, missing %v", got.Relevant, got.Missing)
		}
	})
	t.Run("the stored analysis reads the same", func(t *testing.T) {
		again := officer.get(fmt.Sprintf("/api/v1/tender-documents/%d", got.ID))
		if again.status != 200 || again.body != strings.TrimSpace(res.body) && again.body != res.body {
			t.Errorf("status %d\n%s\nwant\n%s", again.status, again.body, res.body)
		}
	})
	t.Run("the officer's choice of profile and language decides", func(t *testing.T) {
		r := officer.postMultipart("/api/v1/tender-documents", map[string]string{"profile": "website-hosting", "language": "es"}, "eisen.txt", []byte(tenderDocumentText))
		if r.status != 201 {
			t.Fatalf("status %d\n%s", r.status, r.body)
		}
		doc := r.json(t)["document"].(map[string]any)
		if doc["language"] != "es" || fmt.Sprint(doc["kinds"]) != "[website-hosting]" {
			t.Errorf("document %v", doc)
		}
	})
	t.Run("an unknown profile is refused", func(t *testing.T) {
		r := officer.postMultipart("/api/v1/tender-documents", map[string]string{"profile": "spaceships"}, "eisen.txt", []byte(tenderDocumentText))
		if r.status != 422 || r.json(t)["field"] != "profile" {
			t.Errorf("status %d\n%s", r.status, r.body)
		}
	})
	t.Run("an officer of another buyer gets 404", func(t *testing.T) {
		other := newOtherBuyerOfficer(t, a)
		if r := a.apiClient(other).get(fmt.Sprintf("/api/v1/tender-documents/%d", got.ID)); r.status != 404 {
			t.Errorf("status %d", r.status)
		}
		if r := a.session(other).get(fmt.Sprintf("/tender-documents/%d", got.ID)); r.status != 404 {
			t.Errorf("page: status %d", r.status)
		}
		if r := a.session(other).get("/tender-documents"); strings.Contains(r.body, "eisen.txt") {
			t.Errorf("the other buyer's list shows the analysis")
		}
	})
	t.Run("a vendor is refused", func(t *testing.T) {
		if r := a.apiClient("vendor@demo.test").upload("/api/v1/tender-documents", "file", "eisen.txt", []byte(tenderDocumentText)); r.status != 403 {
			t.Errorf("status %d", r.status)
		}
	})
	t.Run("a scanned PDF is refused with a clear message", func(t *testing.T) {
		before := a.count(&models.TenderDocument{})
		r := officer.upload("/api/v1/tender-documents", "file", "scan.pdf", scannedPDF(t))
		if r.status != 422 || r.json(t)["code"] != "docanalysis.error.scanned" {
			t.Errorf("status %d\n%s", r.status, r.body)
		}
		if a.count(&models.TenderDocument{}) != before {
			t.Errorf("a refused upload was stored")
		}
	})
	t.Run("a document over 20 MB is refused", func(t *testing.T) {
		big := make([]byte, 20<<20+1)
		copy(big, tenderDocumentText)
		r := officer.upload("/api/v1/tender-documents", "file", "big.txt", big)
		if r.status != 413 || r.json(t)["code"] != "docanalysis.error.too_large" {
			t.Errorf("status %d\n%s", r.status, errorText(r.body))
		}
		if r := oversizedPost(t, a.listen(t), "/api/v1/tender-documents", officer.bearer, 30<<20); r.status != 413 {
			t.Errorf("a 30 MB body: status %d", r.status)
		}
	})
}

func TestTenderDocumentPages(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	officer := a.session("officer@demo.test")
	res := officer.upload("/tender-documents", "file", "eisen.txt", []byte(tenderDocumentText))
	if res.status != 303 || !strings.HasPrefix(res.header.Get("Location"), "/tender-documents/") {
		t.Fatalf("upload: status %d %s\n%s", res.status, res.header.Get("Location"), errorText(res.body))
	}
	show := officer.get(res.header.Get("Location"))
	t.Run("the report shows quotes and the clauses to add in the document's language", func(t *testing.T) {
		for _, want := range []string{"De Leverancier dient alle domeinnamen te ondertekenen met DNSSEC.", `id="clause-dane" readonly rows="5" lang="nl"`, "De Leverancier dient", `id="start-tender"`} {
			if !strings.Contains(show.body, want) {
				t.Errorf("the report lacks %q", want)
			}
		}
	})
	t.Run("the list shows the analysis", func(t *testing.T) {
		if l := officer.get("/tender-documents"); !strings.Contains(l.body, "eisen.txt") {
			t.Errorf("not listed")
		}
	})
	t.Run("an unreadable upload is refused next to the field", func(t *testing.T) {
		r := officer.upload("/tender-documents", "file", "scan.pdf", pdfBytes)
		if r.status != 422 || !strings.Contains(r.body, `id="file-error"`) {
			t.Errorf("status %d", r.status)
		}
	})
	t.Run("starting a tender puts the missing standards on its sheet", func(t *testing.T) {
		path := strings.TrimPrefix(res.header.Get("Location"), "")
		path = path[:strings.Index(path, "?")]
		officer.csrf = csrfFrom(t, show.body)
		r := officer.post(path+"/tender", url.Values{"kinds": {"chosen"}, "profile": {"email-service"}})
		if r.status != 303 || !strings.HasPrefix(r.header.Get("Location"), "/tenders/") {
			t.Fatalf("status %d\n%s", r.status, errorText(r.body))
		}
		var id uint
		fmt.Sscanf(r.header.Get("Location"), "/tenders/%d", &id)
		tn, err := models.FindTender(context.Background(), a.db, id)
		if err != nil {
			t.Fatal(err)
		}
		var slugs []string
		for _, req := range tn.Requirements {
			slugs = append(slugs, req.Standard.Slug)
		}
		if tn.Status != models.StatusDraft || tn.Language != "nl" || !slices.Contains(slugs, "dane") || slices.Contains(slugs, "dnssec") {
			t.Errorf("tender %q (%s, %s) requirements %v", tn.Title, tn.Status, tn.Language, slugs)
		}
	})
	t.Run("a platform tender's requirements count as requested", func(t *testing.T) {
		tn, _ := a.newDraft("Hosting of the council website")
		r := officer.get(fmt.Sprintf("/tenders/%d/analysis", tn.ID))
		if r.status != 200 || !strings.Contains(r.body, `id="requested"`) || !strings.Contains(r.body, `id="clause-hsts"`) {
			t.Errorf("status %d\n%s", r.status, errorText(r.body))
		}
	})
	t.Run("a recommended requirement is a wish and the officer's kinds decide, as in the monitor", func(t *testing.T) {
		ctx := context.Background()
		tn, _ := a.newDraft("Hosting of the council website")
		if _, err := models.AddRequirement(ctx, a.db, dbtest.ManagerOf(a.db, tn.ID), tn.ID, models.RequirementInput{Standard: "dkim", Level: models.LevelRecommended}, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := models.SetTenderKinds(ctx, a.db, a.user("officer@demo.test"), tn.ID, []string{"email-service"}, []string{"email-service", "website-hosting"}, time.Now()); err != nil {
			t.Fatal(err)
		}
		body := officer.get(fmt.Sprintf("/tenders/%d/analysis", tn.ID)).body
		// between is the page from the heading with id from up to the next
		// heading with id to (or the end).
		between := func(from, to string) string {
			i := strings.Index(body, `id="`+from+`"`)
			if i < 0 {
				return ""
			}
			rest := body[i:]
			if j := strings.Index(rest, `id="`+to+`"`); j >= 0 {
				rest = rest[:j]
			}
			return rest
		}
		missing, requested := between("missing-heading", "requested-heading"), between("requested-heading", "mentioned-heading")
		// The officer chose e-mail: DKIM is relevant and, being only a wish,
		// missing, marked as mentioned; HTTPS (mandatory) is requested but
		// no longer relevant, and HSTS is not asked for.
		dkim := between("std-dkim", "std-dmarc")
		if !strings.Contains(missing, `id="clause-dkim"`) || !strings.Contains(dkim, `class="badge mentioned"`) {
			t.Errorf("the recommended DKIM is not a missing, mentioned standard:\n%s", dkim)
		}
		if strings.Contains(requested, `id="std-dkim"`) || !strings.Contains(requested, `id="std-https"`) {
			t.Errorf("requested holds the wish DKIM or lacks the mandatory HTTPS:\n%s", requested)
		}
		if strings.Contains(body, `id="clause-hsts"`) {
			t.Errorf("the officer's kinds (e-mail) do not decide what is relevant: HSTS is offered")
		}
	})
}

// newOtherBuyerOfficer makes an officer of a second buyer and returns the
// e-mail address.
func newOtherBuyerOfficer(t *testing.T, a *testApp) string {
	t.Helper()
	ctx := context.Background()
	org, err := models.CreateOrg(ctx, a.db, nil, fmt.Sprintf("Other Buyer %d", next()), models.OrgBuyer, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	email := fmt.Sprintf("officer%d@other-buyer.test", next())
	if _, err := models.CreateUser(ctx, a.db, nil, email, "Other Officer", "a long enough password", models.RoleOfficer, &org.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	return email
}

// postMultipart uploads content as the field "file" with the other fields.
func (c *client) postMultipart(path string, fields map[string]string, filename string, content []byte) response {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if c.csrf != "" {
		_ = w.WriteField("_csrf", c.csrf)
	}
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		c.a.t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// scannedPDF is a one-page PDF with a picture and no text, as a scanner
// makes.
func scannedPDF(t testing.TB) []byte {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddPage()
	pdf.SetFillColor(40, 40, 40)
	pdf.Rect(20, 20, 170, 250, "F")
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
