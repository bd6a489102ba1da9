package app

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"tenderprobe/app/sbom"
	"tenderprobe/app/sbom/sbomtest"
	"tenderprobe/models"
)

// addSBOM uploads the CycloneDX JSON sample as evidence of the https
// answer through the app, as the vendor, and returns the stored evidence.
func (w *attestWorld) addSBOM(t testing.TB) *models.Evidence {
	t.Helper()
	if w.a.h.Attest.Store.Dir == "" {
		w.a.withEvidenceStore()
	}
	res := w.a.session("vendor@demo.test").uploadFields(w.path("/evidence/%d", w.https), nil, "bom.json", []byte(sbomtest.CycloneDXJSON))
	if res.status != http.StatusSeeOther {
		t.Fatalf("SBOM upload: %d %s", res.status, errorText(res.body))
	}
	var ev models.Evidence
	if err := w.a.db.Order("id DESC").First(&ev).Error; err != nil {
		t.Fatal(err)
	}
	return &ev
}

// uploadIn sends an evidence upload with an Accept-Language header.
func uploadIn(c *client, lang, path, filename string, content []byte) response {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("_csrf", c.csrf)
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		c.a.t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Accept-Language", lang)
	return c.do(req)
}

// TestSBOMUploadRefusesAMalformedSBOMWithTheReason uploads SBOMs that do
// not parse: each is refused next to the file field, in the reader's
// language, and nothing is stored.
func TestSBOMUploadRefusesAMalformedSBOMWithTheReason(t *testing.T) {
	t.Parallel()
	a := newTestApp(t).withEvidenceStore()
	w := newAttestWorld(t, a)
	vendor := a.session("vendor@demo.test")
	cases := []struct {
		name, lang, file, content, words string
	}{
		{"a CycloneDX JSON file with a syntax error is refused in English with its line", "en", "bom.json", sbomtest.CycloneDXJSONBroken,
			"looks like an SBOM (CycloneDX JSON) but is not well-formed at line 5"},
		{"a CycloneDX XML file with a syntax error is refused in Dutch", "nl", "bom.xml", sbomtest.CycloneDXXMLBroken,
			"Het bestand lijkt een SBOM (CycloneDX XML), maar is op regel 6 niet goed opgebouwd"},
		{"an SPDX JSON file of an unknown version is refused in Spanish", "es", "sbom.spdx.json", sbomtest.SPDXJSONUnknownVersion,
			"parece una SBOM (SPDX JSON), pero no sigue ese formato"},
		{"an SPDX tag-value file named .txt is judged by its content", "en", "notes.txt", sbomtest.SPDXTagValueBroken,
			"looks like an SBOM (SPDX tag-value) but does not follow that format"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := a.count(&models.Evidence{})
			res := uploadIn(vendor, tc.lang, w.path("/evidence/%d", w.https), tc.file, []byte(tc.content))
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", res.status, errorText(res.body))
			}
			if !strings.Contains(res.body, tc.words) {
				t.Fatalf("the page does not say %q:\n%s", tc.words, errorText(res.body))
			}
			if a.count(&models.Evidence{}) != before || a.count(&models.SBOM{}) != 0 {
				t.Fatal("a refused SBOM was stored")
			}
		})
	}
}

// TestSBOMRefusalThroughSaveAllAndTheAPI sends a malformed SBOM with the
// page's "save all" form and through the JSON API: both refuse it with the
// reason and store nothing.
func TestSBOMRefusalThroughSaveAllAndTheAPI(t *testing.T) {
	t.Parallel()
	a := newTestApp(t).withEvidenceStore()
	w := newAttestWorld(t, a)
	t.Run("the save-all form shows the reason next to the answer's file field", func(t *testing.T) {
		before := a.count(&models.Evidence{})
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		c := a.session("vendor@demo.test")
		_ = mw.WriteField("_csrf", c.csrf)
		fw, err := mw.CreateFormFile(fmt.Sprintf("file-%d", w.https), "bom.json")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write([]byte(sbomtest.CycloneDXJSONBroken))
		_ = mw.Close()
		req := httptest.NewRequest(http.MethodPost, w.path("/answers"), &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res := c.do(req)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "is not well-formed at line 5") {
			t.Fatalf("status %d, want 422 with the reason:\n%s", res.status, errorText(res.body))
		}
		if a.count(&models.SBOM{}) != 0 || a.count(&models.Evidence{}) != before {
			t.Fatal("a refused SBOM was stored")
		}
	})
	t.Run("the API answers 422 with the reason's code", func(t *testing.T) {
		res := a.apiClient("vendor@demo.test").upload(w.apiPath("/evidence/%d", w.https), "file", "bom.xml", []byte(sbomtest.CycloneDXXMLBroken))
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422\n%s", res.status, res.body)
		}
		body := res.json(t)
		if body["code"] != "sbom.invalid.syntax_at" || body["field"] != "file" || !strings.Contains(fmt.Sprint(body["error"]), "line 6") {
			t.Fatalf("answer %v", body)
		}
	})
}

// TestSBOMUploadShowsComponents uploads each valid sample through the app
// and finds its components on the SBOM page, linked from the answer.
func TestSBOMUploadShowsComponents(t *testing.T) {
	t.Parallel()
	a := newTestApp(t).withEvidenceStore()
	cases := []struct {
		name, file, content, contentType string
		want                             []string
	}{
		{"a CycloneDX JSON SBOM", "bom.json", sbomtest.CycloneDXJSON, "application/vnd.cyclonedx+json",
			[]string{"lodash", "4.17.20", "pkg:npm/lodash@4.17.20", "MIT", "qs", "6.11.0", "CycloneDX JSON"}},
		{"a CycloneDX XML SBOM", "bom.xml", sbomtest.CycloneDXXML, "application/vnd.cyclonedx+xml",
			[]string{"log4j-core", "2.14.1", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "Apache-2.0"}},
		{"an SPDX JSON SBOM", "sbom.spdx.json", sbomtest.SPDXJSON, "application/spdx+json",
			[]string{"openssl", "3.0.1", "pkg:deb/debian/openssl@3.0.1"}},
		{"an SPDX tag-value SBOM", "sbom.spdx", sbomtest.SPDXTagValue, "text/spdx; charset=utf-8",
			[]string{"busybox", "1.36.1", "GPL-2.0-only", "SPDX tag-value"}},
	}
	for _, tc := range cases {
		t.Run(tc.name+" is stored with its components and shown", func(t *testing.T) {
			w := newAttestWorld(t, a)
			vendor := a.session("vendor@demo.test")
			res := vendor.uploadFields(w.path("/evidence/%d", w.https), nil, tc.file, []byte(tc.content))
			if res.status != http.StatusSeeOther {
				t.Fatalf("upload: %d %s", res.status, errorText(res.body))
			}
			var ev models.Evidence
			if err := a.db.Order("id DESC").First(&ev).Error; err != nil {
				t.Fatal(err)
			}
			if ev.ContentType != tc.contentType {
				t.Errorf("stored as %q, want %q", ev.ContentType, tc.contentType)
			}
			link := fmt.Sprintf(`href="/attestations/%d/evidence/%d/sbom"`, w.att.ID, ev.ID)
			if page := vendor.get(w.path("")); !strings.Contains(page.body, link) {
				t.Fatalf("the answer does not link to the SBOM:\n%s", page.body)
			}
			page := a.session("officer@demo.test").get(w.path("/evidence/%d/sbom", ev.ID))
			if page.status != http.StatusOK {
				t.Fatalf("SBOM page: %d %s", page.status, errorText(page.body))
			}
			for _, s := range tc.want {
				if !strings.Contains(page.body, s) {
					t.Errorf("the SBOM page lacks %q", s)
				}
			}
			if !strings.Contains(page.body, `id="sbom-no-osv"`) {
				t.Error("without an OSV export the page does not say so")
			}
		})
	}

	t.Run("a plain text file stays plain evidence", func(t *testing.T) {
		w := newAttestWorld(t, a)
		res := a.session("vendor@demo.test").uploadFields(w.path("/evidence/%d", w.https), nil, "bom.json", []byte(`{"not": "an SBOM"}`))
		if res.status != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", res.status, errorText(res.body))
		}
		var ev models.Evidence
		if err := a.db.Order("id DESC").First(&ev).Error; err != nil {
			t.Fatal(err)
		}
		if res := a.session("vendor@demo.test").get(w.path("/evidence/%d/sbom", ev.ID)); res.status != http.StatusNotFound {
			t.Errorf("the SBOM page of a plain file answered %d, want 404", res.status)
		}
	})
}

// TestSBOMPageListsVulnerabilitiesFromOSV loads an OSV export written by
// the test and finds the advisory of the listed lodash version, not the
// one of an express version the SBOM does not list; and only people who
// may see the attestation see the page; on SQLite and PostgreSQL.
func TestSBOMPageListsVulnerabilitiesFromOSV(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, body := range sbomtest.OSV {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vulns, err := sbom.LoadOSV(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	demo.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAppOn(t, db).withEvidenceStore()
		a.h.SBOM.Vulns = vulns
		w := newAttestWorld(t, a)
		ev := w.addSBOM(t)
		path := w.path("/evidence/%d/sbom", ev.ID)

		page := a.session("officer@demo.test").get(path)
		if page.status != http.StatusOK {
			t.Fatalf("SBOM page: %d %s", page.status, errorText(page.body))
		}
		for _, s := range []string{`id="sbom-vuln-table"`, "GHSA-35jh-r3h4-6jhm", "CVE-2021-23337", "1 component has known vulnerabilities (advisories in all: 1)"} {
			if !strings.Contains(page.body, s) {
				t.Errorf("the SBOM page lacks %q", s)
			}
		}
		if strings.Contains(page.body, "GHSA-hrpp-h998-j3pp") {
			t.Error("an advisory of express before 4.17.3 is listed for express 4.18.2")
		}
		nl := httptest.NewRequest(http.MethodGet, path, nil)
		nl.Header.Set("Accept-Language", "nl")
		if res := a.session("officer@demo.test").do(nl); !strings.Contains(res.body, "1 component heeft bekende kwetsbaarheden") {
			t.Errorf("the Dutch page lacks the summary:\n%s", errorText(res.body))
		}

		for _, who := range []struct {
			email string
			want  int
		}{
			{"vendor@demo.test", http.StatusOK},
			{"auditor@demo.test", http.StatusOK},
			{"vendor2@demo.test", http.StatusNotFound},
		} {
			t.Run(fmt.Sprintf("%s gets %d", who.email, who.want), func(t *testing.T) {
				if res := a.session(who.email).get(path); res.status != who.want {
					t.Fatalf("status %d, want %d", res.status, who.want)
				}
			})
		}
		t.Run("the SBOM of another attestation is not found through this one", func(t *testing.T) {
			other := newAttestWorld(t, a)
			if res := a.session("officer@demo.test").get(other.path("/evidence/%d/sbom", ev.ID)); res.status != http.StatusNotFound {
				t.Fatalf("status %d, want 404", res.status)
			}
		})
	})
}

// TestOSVSettingIsReadAtStart opens the server with --osv naming a zip
// the test wrote, and with one that does not exist.
func TestOSVSettingIsReadAtStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "all.zip")
	f, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range sbomtest.OSV {
		w, err := zw.Create(filepath.Base(name))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, osv  string
		advisories int
	}{
		{"a zip of advisories is loaded", zipPath, 4},
		{"a missing export stops the start", filepath.Join(dir, "missing.zip"), -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseServeConfig([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "osv.db"),
				"--data-dir", t.TempDir(), "--probe-workers", "0", "--osv", tc.osv}, func(string) string { return "" }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
			if tc.advisories < 0 {
				if err == nil || !strings.Contains(err.Error(), "--osv") {
					srv.Close()
					t.Fatalf("Open = %v, want an error naming --osv", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			if v := srv.Handler.SBOM.Vulns; v == nil || v.Advisories != tc.advisories {
				t.Fatalf("OSV export loaded: %+v, want %d advisories", v, tc.advisories)
			}
		})
	}
}
