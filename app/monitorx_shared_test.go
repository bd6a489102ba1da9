package app

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"tenderprobe/models"
)

// monitorFiles are the files of a monitor link besides its page.
var monitorFiles = []string{"/monitor.csv", "/monitor-standards.csv", "/monitor-explanations.csv", "/monitor.json", "/monitor.xlsx", "/monitor.pdf"}

func TestSharedMonitorLink(t *testing.T) {
	t.Parallel()
	w := newMonitorWorld(t)
	a := w.a
	officer, visitor := a.session("officer@demo.test"), a.anonymous()

	res := officer.post("/shared-links", url.Values{"kind": {"monitor"}, "label": {"Monitor for the council"}, "year": {w.year}})
	if res.status != 201 {
		t.Fatalf("create: status %d\n%s", res.status, errorText(res.body))
	}
	m := sharedURL.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("the page does not show the new link")
	}
	token := m[1]

	t.Run("the officer's monitor page shows their tender, read-only, in Dutch", func(t *testing.T) {
		res := getIn(visitor, "nl", "/shared/"+token)
		if res.status != 200 {
			t.Fatalf("status %d", res.status)
		}
		if !strings.Contains(res.body, w.markA) || strings.Contains(res.body, w.markB) {
			t.Errorf("own tender %v, other buyer's %v", strings.Contains(res.body, w.markA), strings.Contains(res.body, w.markB))
		}
		if !strings.Contains(res.body, "Standaardenmonitor "+w.year) || !strings.Contains(res.body, `id="shared-standards"`) {
			t.Error("no Dutch title or standards table")
		}
		if strings.Contains(res.body, "/tenders/") || strings.Contains(res.body, "/tender-documents/") || strings.Contains(res.body, `action="`) {
			t.Error("the public page links to private pages or has a form")
		}
	})
	t.Run("each file of the link answers with the officer's scope only", func(t *testing.T) {
		for _, f := range monitorFiles {
			res := visitor.get("/shared/" + token + f)
			if res.status != 200 {
				t.Errorf("%s: status %d", f, res.status)
				continue
			}
			if strings.Contains(res.body, w.markB) {
				t.Errorf("%s holds the other buyer's tender", f)
			}
			if (f == "/monitor.csv" || f == "/monitor.json") && !strings.Contains(res.body, w.markA) {
				t.Errorf("%s lacks the officer's tender", f)
			}
		}
		var j struct {
			Scope, Buyer string
			Tenders      []struct{ Title string }
		}
		if err := json.Unmarshal([]byte(visitor.get("/shared/"+token+"/monitor.json").body), &j); err != nil || j.Scope != "buyer" || len(j.Tenders) == 0 {
			t.Errorf("json %+v (%v)", j, err)
		}
		f := openWorkbook(t, []byte(visitor.get("/shared/"+token+"/monitor.xlsx").body))
		sameAsCSV(t, f, "Tenders "+w.year, csvOf(t, visitor.get("/shared/"+token+"/monitor.csv").body))
		sameAsCSV(t, f, "Standards "+w.year, csvOf(t, visitor.get("/shared/"+token+"/monitor-standards.csv").body))
		if res := visitor.get("/shared/" + token + "/monitor.pdf"); res.header.Get("Content-Type") != "application/pdf" {
			t.Errorf("pdf Content-Type %q", res.header.Get("Content-Type"))
		}
	})
	t.Run("names of another kind's or no table are not found", func(t *testing.T) {
		for _, f := range []string{"/annual.csv", "/monitor-standards.json", "/monitor-answers.csv", "/monitor.docx"} {
			if res := visitor.get("/shared/" + token + f); res.status != 404 {
				t.Errorf("%s: status %d, want 404", f, res.status)
			}
		}
	})
	t.Run("an auditor's link of one buyer through the API shows only that buyer", func(t *testing.T) {
		res := a.apiClient("auditor@demo.test").postJSON("/api/v1/shared-links", map[string]any{"kind": "monitor", "label": "One buyer", "year": w.mine.PublishedAt.UTC().Year(), "org_id": w.otherOrg.ID})
		if res.status != 201 {
			t.Fatalf("status %d: %s", res.status, res.body)
		}
		var body struct {
			URL   string            `json:"url"`
			Files map[string]string `json:"files"`
		}
		if err := json.Unmarshal([]byte(res.body), &body); err != nil || body.Files["xlsx"] == "" {
			t.Fatalf("%s (%v)", res.body, err)
		}
		tok := sharedURL.FindStringSubmatch(body.URL)[1]
		page := visitor.get("/shared/" + tok).body
		if !strings.Contains(page, w.markB) || strings.Contains(page, w.markA) {
			t.Errorf("other buyer's tender %v, the demo buyer's %v", strings.Contains(page, w.markB), strings.Contains(page, w.markA))
		}
	})
	t.Run("an officer cannot name another buyer, and a supplier is no buyer", func(t *testing.T) {
		api := a.apiClient("officer@demo.test")
		if res := api.postJSON("/api/v1/shared-links", map[string]any{"kind": "monitor", "label": "Theirs", "org_id": w.otherOrg.ID}); res.status != 422 {
			t.Errorf("officer naming another buyer: status %d, want 422", res.status)
		}
		var supplier models.Org
		if err := a.db.Where("kind = ?", models.OrgSupplier).Take(&supplier).Error; err != nil {
			t.Fatal(err)
		}
		if res := a.apiClient("auditor@demo.test").postJSON("/api/v1/shared-links", map[string]any{"kind": "monitor", "label": "Supplier", "org_id": supplier.ID}); res.status != 422 {
			t.Errorf("auditor naming a supplier: status %d, want 422", res.status)
		}
		if res := a.apiClient("auditor@demo.test").postJSON("/api/v1/shared-links", map[string]any{"label": "Default kind"}); res.status != 201 || !strings.Contains(res.body, `"kind":"annual"`) {
			t.Errorf("no kind: status %d, want an annual link", res.status)
		}
	})
	t.Run("the links page offers both kinds and, to auditors, the buyers", func(t *testing.T) {
		if body := officer.get("/shared-links").body; !strings.Contains(body, `value="monitor"`) || strings.Contains(body, `id="shared-org"`) {
			t.Error("the officer's form lacks the monitor kind or offers buyers")
		}
		if body := a.session("auditor@demo.test").get("/shared-links").body; !strings.Contains(body, fmt.Sprintf(`<option value="%d">`, w.otherOrg.ID)) {
			t.Error("the auditor's form does not offer the other buyer")
		}
	})

	var id uint
	if err := a.db.Model(&models.SharedLink{}).Where("label = ?", "Monitor for the council").Pluck("id", &id).Error; err != nil {
		t.Fatal(err)
	}
	if res := officer.post(fmt.Sprintf("/shared-links/%d/revoke", id), nil); res.status != 303 {
		t.Fatalf("revoke: status %d", res.status)
	}
	t.Run("a revoked monitor link is a 404 at once, page and files", func(t *testing.T) {
		for _, f := range append([]string{""}, monitorFiles...) {
			if res := visitor.get("/shared/" + token + f); res.status != 404 {
				t.Errorf("%s: status %d, want 404", f, res.status)
			}
		}
	})
}

// TestAPublicMonitorWithholdsDocumentNames: an analysed document counts in
// the monitor, but a public link shows it by its number, not by the name
// its uploader gave the file (often an unpublished draft); the private
// monitor still names it.
func TestAPublicMonitorWithholdsDocumentNames(t *testing.T) {
	t.Parallel()
	w := newMonitorWorld(t)
	officer, visitor := w.a.session("officer@demo.test"), w.a.anonymous()
	up := w.a.apiClient("officer@demo.test").upload("/api/v1/tender-documents", "file", "secret-draft-plan.txt", []byte(contactDocument))
	if up.status != 201 {
		t.Fatalf("analyse: %d %s", up.status, up.body)
	}
	id := fmt.Sprint(up.json(t)["id"])
	res := officer.post("/shared-links", url.Values{"kind": {"monitor"}, "label": {"Public"}, "year": {w.year}})
	m := sharedURL.FindStringSubmatch(res.body)
	if res.status != 201 || m == nil {
		t.Fatalf("create: %d", res.status)
	}
	for _, f := range []string{"", "/monitor.json", "/monitor.csv", "/monitor.xlsx"} {
		body := visitor.get("/shared/" + m[1] + f).body
		if strings.Contains(body, "secret-draft-plan") {
			t.Errorf("%q publishes the document's file name", f)
		}
		if f == "/monitor.json" && !strings.Contains(body, `"title":"#`+id+`"`) {
			t.Errorf("the JSON does not list the document by its number #%s", id)
		}
	}
	if page := officer.get("/monitor?year=" + w.year); !strings.Contains(page.body, "secret-draft-plan.txt") {
		t.Error("the private monitor no longer names the document")
	}
}

// TestTheAuditedCannotTakeDownTheAuditorsLink: what an auditor published
// about a buyer is not the buyer's officer's to list or revoke; the
// officers' own links are.
func TestTheAuditedCannotTakeDownTheAuditorsLink(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	org := a.user("officer@demo.test").OrgID
	res := a.apiClient("auditor@demo.test").postJSON("/api/v1/shared-links", map[string]any{"kind": "monitor", "label": "Audit of the council", "org_id": *org})
	if res.status != 201 {
		t.Fatalf("auditor's link: %d %s", res.status, res.body)
	}
	idOf := func(r response) string {
		link, _ := r.json(t)["shared_link"].(map[string]any)
		return fmt.Sprint(link["id"])
	}
	auditors := idOf(res)
	mine := a.apiClient("officer@demo.test").postJSON("/api/v1/shared-links", map[string]any{"kind": "monitor", "label": "Ours"})
	if mine.status != 201 {
		t.Fatalf("officer's link: %d", mine.status)
	}
	officer := a.apiClient("officer@demo.test")
	list := officer.get("/api/v1/shared-links").body
	if strings.Contains(list, "Audit of the council") || !strings.Contains(list, "Ours") {
		t.Errorf("the officer's list: %s", list)
	}
	if res := officer.del("/api/v1/shared-links/" + auditors); res.status != 404 {
		t.Errorf("the officer revoked the auditor's link: %d %s", res.status, res.body)
	}
	if res := officer.del("/api/v1/shared-links/" + idOf(mine)); res.status != 204 {
		t.Errorf("the officer's own link: %d", res.status)
	}
}
