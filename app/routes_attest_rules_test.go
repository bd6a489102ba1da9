package app

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"tenderprobe/app/attest"
	"tenderprobe/models"
)

// dbState is what a refused request must leave unchanged.
type dbState struct {
	Answers, Evidence, Submissions, Scope, Comments, Audit, Invitations int64
	Status                                                              string
	Version, LockVersion, ScopeLock, AnswerLocks                        int
	Files                                                               int
}

func (w *attestWorld) state(t testing.TB) dbState {
	t.Helper()
	db := w.a.db
	var s dbState
	for _, c := range []struct {
		model any
		dst   *int64
	}{
		{&models.Answer{}, &s.Answers}, {&models.Evidence{}, &s.Evidence}, {&models.Submission{}, &s.Submissions},
		{&models.ScopeDomain{}, &s.Scope}, {&models.ReviewComment{}, &s.Comments}, {&models.AuditEntry{}, &s.Audit},
		{&models.Invitation{}, &s.Invitations},
	} {
		if err := db.Model(c.model).Count(c.dst).Error; err != nil {
			t.Fatal(err)
		}
	}
	var a models.Attestation
	if err := db.First(&a, w.att.ID).Error; err != nil {
		t.Fatal(err)
	}
	s.Status, s.Version, s.LockVersion, s.ScopeLock = a.Status, a.Version, a.LockVersion, a.ScopeLock
	if err := db.Model(&models.Answer{}).Where("attestation_id = ?", w.att.ID).Select("COALESCE(SUM(lock_version), 0)").Scan(&s.AnswerLocks).Error; err != nil {
		t.Fatal(err)
	}
	if dir := w.a.h.Attest.Store.Dir; dir != "" {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				s.Files++
			}
			return err
		})
	}
	return s
}

// TestOtherVendorChangesNothing sends every attestation route, as the
// other demo vendor, to an attestation of the first vendor's supplier: each
// is refused (403 or 404) and the database and the evidence store are as
// before.
func TestOtherVendorChangesNothing(t *testing.T) {
	t.Parallel()
	a := newTestApp(t).withEvidenceStore()
	for key, rc := range attestRoleTable() {
		if !strings.Contains(key, "/attestations/:id") {
			continue
		}
		t.Run(key+" is refused to the other vendor", func(t *testing.T) {
			a.t = t
			defer func() { a.t = nil }()
			p, form, body := rc.request(a)
			w := &attestWorld{a: a}
			w.att = &models.Attestation{ID: mustAtoi(t, strings.Split(strings.TrimPrefix(strings.TrimPrefix(p, "/api/v1"), "/attestations/"), "/")[0])}
			before := w.state(t)
			var c *client
			if strings.HasPrefix(p, "/api/") {
				c = a.apiClient("vendor2@demo.test")
			} else {
				c = a.session("vendor2@demo.test")
			}
			method := strings.Fields(key)[0]
			_, upload := body.(uploadBody)
			var res response
			switch {
			case method == "GET":
				res = c.get(p)
			case method == "PUT" || upload:
				res = sendAttest(c, method, p, form, body)
			case strings.HasPrefix(p, "/api/"):
				res = c.postJSON(p, body)
			default:
				res = c.post(p, form)
			}
			if res.status != 403 && res.status != 404 {
				t.Errorf("status %d, want 403 or 404: %s", res.status, errorText(res.body))
			}
			if after := w.state(t); after != before {
				t.Errorf("the database changed:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}
}

func TestAnswerRulesOverTheAPI(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := newAttestWorld(t, a)
	vendor := a.apiClient("vendor@demo.test")
	other := newAttestWorld(t, a)
	cases := []struct {
		name   string
		req    uint
		body   any
		status int
		msg    string
	}{
		{"complies is saved", w.https, map[string]any{"status": "complies"}, 200, ""},
		{"partial without an explanation is refused", w.dnssec, map[string]any{"status": "partial"}, 422, "explanation"},
		{"does not comply without an explanation is refused", w.dnssec, map[string]any{"status": "does_not_comply", "explanation": " "}, 422, "explanation"},
		{"not applicable without an explanation is refused", w.https, map[string]any{"status": "not_applicable"}, 422, "explanation"},
		{"an unknown status is refused", w.https, map[string]any{"status": "yes"}, 422, "status"},
		{"an impossible date is refused", w.dnssec, map[string]any{"status": "partial", "explanation": "x", "planned_date": "2026-02-30"}, 422, "planned_date"},
		{"a date in the past is refused", w.dnssec, map[string]any{"status": "partial", "explanation": "x", "planned_date": "2026-02-28"}, 422, "in the past"},
		{"a date in another format is refused", w.dnssec, map[string]any{"status": "partial", "explanation": "x", "planned_date": "31-12-2026"}, 422, "planned_date"},
		{"a planned date on complies is refused", w.https, map[string]any{"status": "complies", "planned_date": "2026-12-31"}, 422, "planned_date"},
		{"an ftp evidence URL is refused", w.https, map[string]any{"status": "complies", "evidence_url": "ftp://files.example/x"}, 422, "evidence_url"},
		{"an unknown field is refused", w.https, map[string]any{"status": "complies", "colour": "red"}, 400, "unknown field"},
		{"a number for the status is refused", w.https, map[string]any{"status": 1}, 400, "must be a string"},
		{"a requirement of another tender is not found", other.https, map[string]any{"status": "complies"}, 404, ""},
		{"a stale lock version is refused", w.https, map[string]any{"status": "complies", "lock_version": 1}, 409, "changed elsewhere"},
		{"partial with an explanation and a future date is saved", w.dnssec, map[string]any{"status": "partial", "explanation": "Q2", "planned_date": "2026-06-30"}, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := w.state(t)
			res := vendor.putJSON(w.apiPath("/answers/%d", c.req), c.body)
			if res.status != c.status || c.msg != "" && !strings.Contains(res.body, c.msg) {
				t.Fatalf("status %d, want %d with %q: %s", res.status, c.status, c.msg, res.body)
			}
			if after := w.state(t); res.status != 200 && after != before {
				t.Errorf("a refused answer changed the database:\n%+v\n%+v", before, after)
			}
		})
	}
	t.Run("the API shows the saved answers and the completeness", func(t *testing.T) {
		m := vendor.get(w.apiPath("")).json(t)
		answers := m["answers"].([]any)
		second := answers[1].(map[string]any)
		if m["answered"] != float64(2) || second["status"] != "partial" || second["planned_date"] != "2026-06-30" || second["standard"] != "dnssec" {
			t.Errorf("got %v", m)
		}
	})
}

func TestScopeRules(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := newAttestWorld(t, a)
	vendor := a.apiClient("vendor@demo.test")
	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprintf("site%d.example", i)
	}
	cases := []struct {
		name   string
		body   any
		status int
		want   string
	}{
		{"a space in a name is refused", map[string]any{"domains": []string{"exa mple.com"}}, 422, "exa mple.com"},
		{"a leading hyphen is refused", map[string]any{"web": []string{"-bad.example"}}, 422, "-bad.example"},
		{"a single label is refused", map[string]any{"mail": []string{"localhost"}}, 422, "localhost"},
		{"an IP address is refused", map[string]any{"web": []string{"192.0.2.7"}}, 422, "IP address"},
		{"51 names are refused", map[string]any{"web": many}, 422, "at most 50"},
		{"a list of numbers is refused", map[string]any{"domains": []int{1}}, 400, ""},
		{"internationalised names are stored as A-labels", map[string]any{"domains": []string{"Bücher.Example"}, "web": []string{"www.example.nl"}}, 200, "xn--bcher-kva.example"},
		{"a stale scope lock is refused", map[string]any{"domains": []string{"x.example"}, "scope_lock": 1}, 409, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := w.state(t)
			res := vendor.putJSON(w.apiPath("/scope"), c.body)
			if res.status != c.status || !strings.Contains(res.body, c.want) {
				t.Fatalf("status %d, want %d with %q: %s", res.status, c.status, c.want, res.body)
			}
			if res.status != 200 && w.state(t) != before {
				t.Error("a refused scope changed the database")
			}
		})
	}
	got := w.reload(t)
	if web := got.ScopeNames(models.ScopeWeb); len(web) != 2 || web[0] != "xn--bcher-kva.example" {
		t.Errorf("web scope %v", web)
	}
	if mail := got.ScopeNames(models.ScopeMail); len(mail) != 1 {
		t.Errorf("mail scope %v: domains are in scope for mail too", mail)
	}
	t.Run("the web form shows every bad name and keeps what was typed", func(t *testing.T) {
		s := a.session("vendor@demo.test")
		res := s.post(w.path("/scope"), url.Values{"web": {"good.example\nbad_name.example"}, "mail": {"also bad!"}})
		if res.status != 422 || !strings.Contains(res.body, "bad_name.example") || !strings.Contains(res.body, "also bad!") {
			t.Errorf("status %d: %s", res.status, errorText(res.body))
		}
	})
}

func TestSubmitRules(t *testing.T) {
	t.Parallel()
	a := newTestApp(t).withEvidenceStore()
	w := newAttestWorld(t, a)
	vendor := a.apiClient("vendor@demo.test")
	res := vendor.postJSON(w.apiPath("/submit"), map[string]any{"declaration": false, "declarer": ""})
	missing, _ := res.json(t)["missing"].([]any)
	if res.status != 422 || len(missing) != 4 {
		t.Fatalf("empty submit: %d %s", res.status, res.body)
	}
	w.fill(t)
	if res := vendor.postJSON(w.apiPath("/submit"), map[string]any{"declaration": true, "declarer": "  "}); res.status != 422 || !strings.Contains(res.body, "declarer") {
		t.Errorf("no name: %d %s", res.status, res.body)
	}
	if res := vendor.postJSON(w.apiPath("/submit"), map[string]any{"declaration": true, "declarer": "V", "lock_version": 1}); res.status != 409 {
		t.Errorf("a submit from a stale page: %d %s", res.status, res.body)
	}
	res = vendor.postJSON(w.apiPath("/submit"), map[string]any{"declaration": true, "declarer": "Victor Vendor"})
	m := res.json(t)
	receipt, _ := m["receipt"].(string)
	if res.status != 200 || m["status"] != "submitted" || len(receipt) != 64 {
		t.Fatalf("submit: %d %s", res.status, res.body)
	}
	locked := []struct {
		name string
		send func() response
	}{
		{"an answer", func() response {
			return vendor.putJSON(w.apiPath("/answers/%d", w.https), map[string]any{"status": "partial", "explanation": "x"})
		}},
		{"the scope", func() response {
			return vendor.putJSON(w.apiPath("/scope"), map[string]any{"domains": []string{"x.example"}})
		}},
		{"evidence", func() response {
			return vendor.uploadFields(w.apiPath("/evidence/%d", w.https), nil, "x.pdf", pdfBytes)
		}},
		{"a second submission", func() response {
			return vendor.postJSON(w.apiPath("/submit"), map[string]any{"declaration": true, "declarer": "V"})
		}},
	}
	for _, l := range locked {
		t.Run("after submission "+l.name+" cannot change", func(t *testing.T) {
			before := w.state(t)
			if res := l.send(); res.status != 409 {
				t.Errorf("status %d, want 409: %s", res.status, res.body)
			}
			if w.state(t) != before {
				t.Error("the database changed")
			}
		})
	}
	t.Run("the receipt verifies over the API", func(t *testing.T) {
		m := a.apiClient("auditor@demo.test").get(w.apiPath("/receipt")).json(t)
		if m["match"] != true || m["receipt"] != receipt || m["recomputed"] != receipt {
			t.Errorf("got %v", m)
		}
	})
	t.Run("reopening makes version 2, shows what changed and keeps version 1", func(t *testing.T) {
		if res := vendor.postJSON(w.apiPath("/reopen"), map[string]any{}); res.status != 200 || res.json(t)["version"] != float64(2) {
			t.Fatalf("reopen: %d %s", res.status, res.body)
		}
		if res := vendor.putJSON(w.apiPath("/answers/%d", w.dnssec), map[string]any{"status": "complies"}); res.status != 200 {
			t.Fatalf("save: %d %s", res.status, res.body)
		}
		s := a.session("officer@demo.test")
		page := s.get(w.path(""))
		if !strings.Contains(page.body, "Changes since the previous version") || !strings.Contains(page.body, "Signing in Q2") {
			t.Errorf("the page does not show what changed: %s", errorText(page.body))
		}
		v1 := s.get(w.path("/versions/1"))
		if v1.status != 200 || !strings.Contains(v1.body, "Signing in Q2") || !strings.Contains(v1.body, receipt) {
			t.Errorf("version 1: %d %s", v1.status, errorText(v1.body))
		}
	})
	t.Run("after the deadline nothing can be saved or submitted", func(t *testing.T) {
		late := testNow.Add(11 * 24 * time.Hour)
		a.h.Now = func() time.Time { return late }
		defer func() { a.h.Now = func() time.Time { return testNow } }()
		token, err := models.CreateAPIToken(context.Background(), a.db, a.user("vendor@demo.test").ID, time.Hour, late)
		if err != nil {
			t.Fatal(err)
		}
		vendor := a.anonymous()
		vendor.bearer = token
		before := w.state(t)
		if res := vendor.putJSON(w.apiPath("/answers/%d", w.https), map[string]any{"status": "complies"}); res.status != 409 || !strings.Contains(res.body, "deadline") {
			t.Errorf("save: %d %s", res.status, res.body)
		}
		if res := vendor.postJSON(w.apiPath("/submit"), map[string]any{"declaration": true, "declarer": "V"}); res.status != 409 {
			t.Errorf("submit: %d %s", res.status, res.body)
		}
		if w.state(t) != before {
			t.Error("the database changed")
		}
	})
}

func TestEvidenceUploads(t *testing.T) {
	t.Parallel()
	a := newTestApp(t).withEvidenceStore()
	w := newAttestWorld(t, a)
	vendor := a.apiClient("vendor@demo.test")
	big := append(append([]byte{}, pdfBytes...), make([]byte, attest.MaxEvidenceSize)...)
	cases := []struct {
		name    string
		file    string
		content []byte
		status  int
	}{
		{"a file over 10 MB is refused", "big.pdf", big, 413},
		{"HTML named .pdf is refused", "report.pdf", []byte("<!DOCTYPE html><html><body>hi</body></html>"), 415},
		{"a program named .png is refused", "logo.png", []byte("\x7fELF\x02\x01\x01\x00\x00\x00"), 415},
		{"a ZIP is refused", "docs.txt", []byte("PK\x03\x04\x14\x00\x00\x00"), 415},
		{"an empty file is refused", "empty.pdf", []byte{}, 422},
		{"no file is refused", "", nil, 422},
		{"a PDF is stored with its hash", "tls-report.pdf", pdfBytes, 201},
		{"a 5 MB PDF, over the general body limit, is stored", "scan.pdf", append(append([]byte{}, pdfBytes...), make([]byte, 5<<20)...), 201},
		{"a PNG named .txt is stored as a PNG", "chart.txt", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 201},
		{"plain text is stored", "notes.txt", []byte("DNSSEC since 2019.\n"), 201},
		// 255 bytes would end inside the 128th "é"; the name is cut before it.
		{"a long name in two-byte letters is stored, cut at a letter", strings.Repeat("é", 200) + ".txt", []byte("accents\n"), 201},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := w.state(t)
			res := vendor.uploadFields(w.apiPath("/evidence/%d", w.https), nil, c.file, c.content)
			if res.status != c.status {
				t.Fatalf("status %d, want %d: %.300s", res.status, c.status, res.body)
			}
			after := w.state(t)
			if c.status != 201 {
				if after != before {
					t.Errorf("a refused upload changed something:\n%+v\n%+v", before, after)
				}
				return
			}
			m := res.json(t)
			if name, _ := m["file_name"].(string); !utf8.ValidString(name) || len(name) > 255 || name == "" {
				t.Errorf("file name %q (%d bytes)", name, len(name))
			}
			if m["sha256"] != sha256Hex(string(c.content)) || after.Evidence != before.Evidence+1 || after.Files != before.Files+1 {
				t.Errorf("got %v; evidence %d->%d, files %d->%d", m, before.Evidence, after.Evidence, before.Files, after.Files)
			}
		})
	}
	t.Run("the file is served only as an attachment and only to those who may see it", func(t *testing.T) {
		ev := w.reload(t).Answers[0].Evidence[0]
		res := a.session("officer@demo.test").get(w.path("/evidence/%d", ev.ID))
		if res.status != 200 || res.body != string(pdfBytes) || !strings.HasPrefix(res.header.Get("Content-Disposition"), "attachment") ||
			res.header.Get("Content-Type") != "application/pdf" || res.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("status %d, headers %v", res.status, res.header)
		}
		if res := a.session("vendor2@demo.test").get(w.path("/evidence/%d", ev.ID)); res.status != 404 {
			t.Errorf("the other vendor got %d", res.status)
		}
		if res := a.apiClient("vendor2@demo.test").get(w.apiPath("/evidence-files/%d", ev.ID)); res.status != 404 {
			t.Errorf("the other vendor's API got %d", res.status)
		}
	})
	t.Run("a failed transaction leaves no file behind", func(t *testing.T) {
		before := w.state(t)
		st, err := a.h.Attest.Store.Stage(bytes.NewReader([]byte("a new text file\n")))
		if err != nil {
			t.Fatal(err)
		}
		// A stale lock version makes the transaction fail after staging.
		_, err = models.AddFileEvidence(context.Background(), a.db, a.user("vendor@demo.test"), w.att.ID, w.https,
			models.FileEvidence{FileName: "x.txt", ContentType: st.ContentType, Size: st.Size, SHA256: st.SHA256, StoragePath: st.RelPath},
			intPtr(-1), st.Commit, testNow)
		if err == nil {
			t.Fatal("a stale upload was stored")
		}
		st.Cleanup()
		if after := w.state(t); after != before {
			t.Errorf("state changed:\n%+v\n%+v", before, after)
		}
	})
	t.Run("the server refuses an upload over the limit on its Content-Length", func(t *testing.T) {
		res := oversizedPost(t, a.listen(t), w.apiPath("/evidence/%d", w.https), vendor.bearer, 11<<20)
		if res.status != 413 {
			t.Errorf("status %d: %s", res.status, res.body)
		}
	})
}

func intPtr(i int) *int { return &i }
