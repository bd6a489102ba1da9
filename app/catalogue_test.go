package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tenderprobe/app/catalogue"
	"tenderprobe/models"
	"tenderprobe/seed"
)

// nextVersion returns the shipped catalogue file renamed to version, so an
// import is new.
func nextVersion(t *testing.T, version string) []byte {
	t.Helper()
	f := seed.CatalogueFile()
	out := bytes.Replace(f, []byte("version: "), []byte("version: "+version+" # was "), 1)
	if bytes.Equal(out, f) {
		t.Fatal("the shipped catalogue has no version line")
	}
	return out
}

func TestCatalogueWeb(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	admin := a.session("admin@demo.test")
	officer := a.session("officer@demo.test")

	t.Run("the catalogue lists at least 25 standards in four domains", func(t *testing.T) {
		res := officer.get("/catalogue")
		if res.status != 200 || strings.Count(res.body, `<a href="/catalogue/`) < 25 {
			t.Fatalf("status %d with %d standards", res.status, strings.Count(res.body, `<a href="/catalogue/`))
		}
	})

	t.Run("search and domain filter narrow the list", func(t *testing.T) {
		res := officer.get("/catalogue?q=dmarc")
		if !strings.Contains(res.body, `href="/catalogue/dmarc"`) || strings.Contains(res.body, `href="/catalogue/hsts"`) {
			t.Fatal("search for dmarc does not narrow to DMARC")
		}
		res = officer.get("/catalogue?domain=communication")
		if !strings.Contains(res.body, `href="/catalogue/spf"`) || strings.Contains(res.body, `href="/catalogue/hsts"`) {
			t.Fatal("the communication domain filter is wrong")
		}
		res = officer.get("/catalogue?domain=astrology")
		if res.status != 422 || !strings.Contains(res.body, `id="domain-error"`) {
			t.Fatalf("unknown domain: %d, want 422 with the error next to the field", res.status)
		}
	})

	t.Run("a standard's page shows references, clause and checks", func(t *testing.T) {
		res := officer.get("/catalogue/dnssec")
		for _, want := range []string{"RFC 4033", "web.dnssec", "Tender clause", "https://"} {
			if !strings.Contains(res.body, want) {
				t.Errorf("DNSSEC page lacks %q", want)
			}
		}
		if res := officer.get("/catalogue/no-such-standard"); res.status != 404 {
			t.Fatalf("unknown standard: %d, want 404", res.status)
		}
	})

	t.Run("an invalid upload is refused with the line and field", func(t *testing.T) {
		before := a.count(&models.CatalogueVersion{})
		bad := []byte("version: broken-1\ntitle: Broken\nstandards:\n  - slug: dnssec\n    name: DNSSEC\n    domain: outer-space\n")
		res := admin.upload("/catalogue/import", "file", "broken.yaml", bad)
		if res.status != 422 {
			t.Fatalf("status %d, want 422", res.status)
		}
		if !strings.Contains(res.body, "Line 6") || !strings.Contains(res.body, "domain") {
			t.Fatalf("the refusal does not name line 6 and the domain field: %s", errorText(res.body))
		}
		if res := admin.upload("/catalogue/import", "file", "", nil); res.status != 422 {
			t.Fatalf("no file: %d, want 422", res.status)
		}
		if a.count(&models.CatalogueVersion{}) != before {
			t.Fatal("a refused upload stored a catalogue version")
		}
	})

	t.Run("a valid upload becomes the current version and tenders keep theirs", func(t *testing.T) {
		tender, _ := a.newDraft("Built on the old catalogue")
		res := admin.upload("/catalogue/import", "file", "next.yaml", nextVersion(t, "2099.1"))
		if res.status != 303 {
			t.Fatalf("status %d: %s", res.status, errorText(res.body))
		}
		cv, err := models.CurrentCatalogue(context.Background(), a.db)
		if err != nil || cv.Version != "2099.1" {
			t.Fatalf("current catalogue %v, %v", cv, err)
		}
		kept := a.tender(t, fmt.Sprint(tender.ID))
		if kept.CatalogueVersion.Version == "2099.1" {
			t.Fatal("the tender moved to the new catalogue version")
		}
		if res := admin.upload("/catalogue/import", "file", "again.yaml", nextVersion(t, "2099.1")); res.status != 409 {
			t.Fatalf("importing the same version again: %d, want 409", res.status)
		}
	})

	t.Run("the export downloads the current catalogue in a format the import takes", func(t *testing.T) {
		for _, format := range []string{"yaml", "json"} {
			res := officer.get("/catalogue/export?format=" + format)
			if res.status != 200 {
				t.Fatalf("%s: %d", format, res.status)
			}
			if _, err := catalogue.Parse(strings.NewReader(res.body), format); err != nil {
				t.Fatalf("the %s export does not parse: %v", format, err)
			}
		}
		if res := officer.get("/catalogue/export?format=xml"); res.status != 400 {
			t.Fatalf("xml: %d, want 400", res.status)
		}
	})
}

func TestCatalogueCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cli.db")
	t.Setenv("TENDERPROBE_DB", db)
	ctx := context.Background()

	t.Run("export writes the shipped catalogue as YAML", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "cat.yaml")
		if code := RunCatalogue(ctx, []string{"export", "-o", out}, io.Discard, os.Stderr); code != 0 {
			t.Fatalf("exit %d", code)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := catalogue.Parse(bytes.NewReader(data), catalogue.FormatYAML); err != nil {
			t.Fatalf("export does not parse: %v", err)
		}
	})

	t.Run("import of a new version makes it current", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "next.yaml")
		if err := os.WriteFile(file, nextVersion(t, "2099.2"), 0o600); err != nil {
			t.Fatal(err)
		}
		var stdout bytes.Buffer
		if code := RunCatalogue(ctx, []string{"import", file}, &stdout, io.Discard); code != 0 {
			t.Fatalf("exit %d", code)
		}
		if !strings.Contains(stdout.String(), "2099.2") {
			t.Fatalf("stdout %q", stdout.String())
		}
		var json bytes.Buffer
		if code := RunCatalogue(ctx, []string{"export", "--format", "json"}, &json, io.Discard); code != 0 || !strings.Contains(json.String(), `"version": "2099.2"`) {
			t.Fatalf("export after import: exit %d, %.200s", code, json.String())
		}
	})

	t.Run("an invalid file is refused naming the file, line and field", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "bad.json")
		if err := os.WriteFile(file, []byte("{\n  \"version\": \"x\",\n  \"standards\": [{\"slug\": 7}]\n}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		if code := RunCatalogue(ctx, []string{"import", file}, io.Discard, &stderr); code != 1 {
			t.Fatalf("exit %d, want 1", code)
		}
		if !strings.Contains(stderr.String(), "bad.json") || !strings.Contains(stderr.String(), "line 3") {
			t.Fatalf("stderr %q", stderr.String())
		}
	})

	t.Run("import without a file exits 2", func(t *testing.T) {
		if code := RunCatalogue(ctx, []string{"import"}, io.Discard, io.Discard); code != 2 {
			t.Fatalf("exit %d, want 2", code)
		}
	})
}

func TestCataloguePagesInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	officer := a.session("officer@demo.test")
	get := func(path, lang string) response {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Language", lang)
		return officer.do(req)
	}
	cases := []struct {
		name, path, lang string
		want, notWant    []string
	}{
		{"the list in Dutch shows Dutch names and summaries", "/catalogue", "nl",
			[]string{"Catalogus van standaarden", "Internetbeveiligingsstandaarden voor inkoop", "RPKI-routeherkomstvalidatie (ROV)", "Bronadresvalidatie (BCP 38)", "alleen verklaring"},
			[]string{"RPKI route origin validation", "Standards catalogue", "attestation only", "Internet security standards for procurement"}},
		{"the list in Spanish shows Spanish names", "/catalogue", "es",
			[]string{"Catálogo de estándares", "Validación de la dirección de origen (BCP 38)"},
			[]string{"Source address validation"}},
		{"a search in Dutch finds a standard by its Dutch name", "/catalogue?q=bronadres", "nl",
			[]string{`href="/catalogue/source-address-validation"`}, []string{`href="/catalogue/dnssec"`}},
		{"a standard's page in Dutch shows the Dutch clause, the references as published", "/catalogue/dnssec", "nl",
			[]string{"Bepaling voor de aanbesteding", "De Leverancier dient elke DNS-zone", "DNS Security Introduction and Requirements"},
			[]string{"The Supplier shall sign every DNS zone", "Tender clause"}},
		{"a standard's page in Spanish shows the Spanish clause", "/catalogue/dane", "es",
			[]string{"Cláusula para la licitación", "El Proveedor deberá publicar registros TLSA"},
			[]string{"The Supplier shall publish"}},
		{"English stays English", "/catalogue/dnssec", "en",
			[]string{"Tender clause", "The Supplier shall sign every DNS zone"}, []string{"De Leverancier"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := get(c.path, c.lang)
			if res.status != 200 {
				t.Fatalf("status %d", res.status)
			}
			for _, w := range c.want {
				if !strings.Contains(res.body, w) {
					t.Errorf("lacks %q", w)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(res.body, w) {
					t.Errorf("shows %q", w)
				}
			}
		})
	}

	t.Run("the standards API lists every standard's texts by language", func(t *testing.T) {
		api := a.apiClient("officer@demo.test")
		res := api.get("/api/v1/standards?q=bronadresvalidatie&lang=nl")
		body := res.json(t)
		list, _ := body["standards"].([]any)
		if res.status != 200 || len(list) != 1 {
			t.Fatalf("status %d, %d standards: %s", res.status, len(list), res.body)
		}
		tr, _ := list[0].(map[string]any)["translations"].(map[string]any)
		nl, _ := tr["nl"].(map[string]any)
		en, _ := tr["en"].(map[string]any)
		if !strings.HasPrefix(fmt.Sprint(nl["clause"]), "De Leverancier") || !strings.HasPrefix(fmt.Sprint(en["clause"]), "The Supplier") || tr["es"] == nil {
			t.Fatalf("translations %v", tr)
		}
	})
}

// TestTheCataloguePageKeptRenderedFollowsItsVersionAndReader: the list is
// rendered once per version revision, language, domain and reader kind;
// an admin's link never reaches an officer, and a change to the version
// (its revision) shows at once.
func TestTheCataloguePageKeptRenderedFollowsItsVersionAndReader(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	officer, admin := a.session("officer@demo.test"), a.session("admin@demo.test")
	get := func(c *client, path string) string {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Language", "nl")
		res := c.do(req)
		if res.status != 200 {
			t.Fatalf("GET %s: %d", path, res.status)
		}
		return res.body
	}
	const importLink = `href="/catalogue/import"`
	// The admin's page first, so an officer's would be the kept one if the
	// reader kind were not part of the key.
	for range 2 {
		if body := get(admin, "/catalogue"); !strings.Contains(body, importLink) {
			t.Fatal("the admin lacks the import link")
		}
		if body := get(officer, "/catalogue"); strings.Contains(body, importLink) {
			t.Fatal("an officer sees the admin's import link")
		}
	}
	if body := get(officer, "/catalogue?domain=network-infrastructure"); strings.Contains(body, `href="/catalogue/dmarc"`) || !strings.Contains(body, `href="/catalogue/rpki"`) {
		t.Fatal("the network domain shows another domain's list")
	}
	const dutch = "RPKI-routeherkomstvalidatie (ROV)"
	if body := get(officer, "/catalogue"); !strings.Contains(body, dutch) {
		t.Fatalf("no %q in Dutch", dutch)
	}
	// The version loses its translations, as AddMissingTranslations would
	// change it: with the revision counted.
	cv, err := models.CurrentCatalogue(context.Background(), a.db)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.db.Exec("UPDATE standards SET translations = NULL WHERE catalogue_version_id = ?", cv.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := a.db.Exec("UPDATE catalogue_versions SET revision = revision + 1 WHERE id = ?", cv.ID).Error; err != nil {
		t.Fatal(err)
	}
	if body := get(officer, "/catalogue"); strings.Contains(body, dutch) || !strings.Contains(body, "RPKI route origin validation") {
		t.Fatal("the list kept showing the version as it was before its revision")
	}
}
