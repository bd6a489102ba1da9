package sbom_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"tenderprobe/app/sbom"
	"tenderprobe/app/sbom/sbomtest"
)

func TestParseSBOM(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content string
		format  string
		want    []sbom.Component
		reason  string
		line    int
	}{
		{"a CycloneDX JSON SBOM lists its components, nested ones after their parent", sbomtest.CycloneDXJSON, sbom.CycloneDXJSON, []sbom.Component{
			{Name: "lodash", Version: "4.17.20", PURL: "pkg:npm/lodash@4.17.20", Licence: "MIT"},
			{Name: "express", Version: "4.18.2", PURL: "pkg:npm/express@4.18.2", Licence: "MIT"},
			{Name: "qs", Version: "6.11.0", PURL: "pkg:npm/qs@6.11.0"},
		}, "", 0},
		{"a CycloneDX XML SBOM lists its components", sbomtest.CycloneDXXML, sbom.CycloneDXXML, []sbom.Component{
			{Name: "log4j-core", Version: "2.14.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", Licence: "Apache-2.0"},
		}, "", 0},
		{"an SPDX JSON SBOM lists its packages with their purl", sbomtest.SPDXJSON, sbom.SPDXJSON, []sbom.Component{
			{Name: "openssl", Version: "3.0.1", PURL: "pkg:deb/debian/openssl@3.0.1", Licence: "Apache-2.0"},
		}, "", 0},
		{"an SPDX tag-value SBOM lists its packages", sbomtest.SPDXTagValue, sbom.SPDXTagValue, []sbom.Component{
			{Name: "busybox", Version: "1.36.1", PURL: "pkg:generic/busybox@1.36.1", Licence: "GPL-2.0-only"},
		}, "", 0},
		{"a CycloneDX JSON SBOM with a trailing comma is refused at its line", sbomtest.CycloneDXJSONBroken, sbom.CycloneDXJSON, nil, sbom.ReasonSyntax, 5},
		{"a CycloneDX JSON SBOM whose components are not a list is refused", sbomtest.CycloneDXJSONWrongShape, sbom.CycloneDXJSON, nil, sbom.ReasonStructure, 0},
		{"a CycloneDX XML SBOM with a mismatched tag is refused at its line", sbomtest.CycloneDXXMLBroken, sbom.CycloneDXXML, nil, sbom.ReasonSyntax, 6},
		{"a cut-off SPDX JSON SBOM is refused", sbomtest.SPDXJSONBroken, sbom.SPDXJSON, nil, sbom.ReasonSyntax, 0},
		{"an SPDX JSON SBOM of an unknown version is refused", sbomtest.SPDXJSONUnknownVersion, sbom.SPDXJSON, nil, sbom.ReasonStructure, 0},
		{"an SPDX tag-value SBOM with a package field outside a package is refused", sbomtest.SPDXTagValueBroken, sbom.SPDXTagValue, nil, sbom.ReasonStructure, 0},
		{"a CycloneDX SBOM with a nameless component is refused",
			`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","version":"1.0"}]}`, sbom.CycloneDXJSON, nil, sbom.ReasonNoName, 0},
		{"a CycloneDX SBOM without components is refused",
			`{"bomFormat":"CycloneDX","specVersion":"1.5","version":1}`, sbom.CycloneDXJSON, nil, sbom.ReasonNoComponents, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := sbom.Detect([]byte(tc.content)); got != tc.format {
				t.Fatalf("Detect = %q, want %q", got, tc.format)
			}
			doc, err := sbom.Parse([]byte(tc.content))
			if tc.reason != "" {
				var pe *sbom.ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("Parse error = %v, want a ParseError", err)
				}
				if pe.Reason != tc.reason || pe.Format != tc.format || (tc.line != 0 && pe.Line != tc.line) {
					t.Fatalf("ParseError = %+v, want reason %s, format %s, line %d", pe, tc.reason, tc.format, tc.line)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if doc.Format != tc.format || !slices.Equal(doc.Components, tc.want) {
				t.Fatalf("Parse = %s %+v, want %s %+v", doc.Format, doc.Components, tc.format, tc.want)
			}
		})
	}
}

func TestDetectLeavesOtherFilesAlone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, content string }{
		{"a plain text file", "Our vulnerability disclosure policy is at https://example.com/vdp.\n"},
		{"a JSON file that is no SBOM", `{"report": "pentest", "findings": []}`},
		{"an XML file in another namespace", `<?xml version="1.0"?><report xmlns="urn:example"/>`},
		{"a text that mentions SPDXVersion later", "Notes\nSPDXVersion: SPDX-2.3\n"},
		{"an empty file", ""},
	} {
		t.Run(tc.name+" is not an SBOM", func(t *testing.T) {
			t.Parallel()
			if got := sbom.Detect([]byte(tc.content)); got != "" {
				t.Fatalf("Detect = %q, want none", got)
			}
		})
	}
}

// writeOSVDir writes the sample advisories as files under dir.
func writeOSVDir(t *testing.T, dir string) {
	t.Helper()
	for name, body := range sbomtest.OSV {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// writeOSVZip writes the sample advisories into a zip, like osv.dev's all.zip.
func writeOSVZip(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range sbomtest.OSV {
		w, err := zw.Create(filepath.Base(name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOSVMatchesComponents(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	osvDir := filepath.Join(dir, "osv")
	writeOSVDir(t, osvDir)
	zipPath := filepath.Join(dir, "all.zip")
	writeOSVZip(t, zipPath)
	components := []struct {
		name string
		c    sbom.Component
		want []string
	}{
		{"lodash 4.17.20 is inside a SEMVER range", sbom.Component{Name: "lodash", Version: "4.17.20", PURL: "pkg:npm/lodash@4.17.20"}, []string{"GHSA-35jh-r3h4-6jhm"}},
		{"lodash 4.17.21 is fixed", sbom.Component{Name: "lodash", Version: "4.17.21", PURL: "pkg:npm/lodash@4.17.21"}, nil},
		{"express 4.18.2 is after the fix", sbom.Component{Name: "express", Version: "4.18.2", PURL: "pkg:npm/express@4.18.2"}, nil},
		{"express 4.17.1 is before the fix", sbom.Component{Name: "express", Version: "4.17.1", PURL: "pkg:npm/express@4.17.1"}, []string{"GHSA-hrpp-h998-j3pp"}},
		{"log4j-core 2.14.1 is inside an ECOSYSTEM range by group and name", sbom.Component{Name: "log4j-core", Version: "2.14.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}, []string{"GHSA-jfh8-c2jp-5v3q"}},
		{"openssl 3.0.1 is in a versions list", sbom.Component{Name: "openssl", Version: "3.0.1", PURL: "pkg:deb/debian/openssl@3.0.1?arch=amd64"}, []string{"DSA-5139-1"}},
		{"openssl 3.0.7 is not in the list", sbom.Component{Name: "openssl", Version: "3.0.7", PURL: "pkg:deb/debian/openssl@3.0.7"}, nil},
		{"a component without purl matches nothing", sbom.Component{Name: "lodash", Version: "4.17.20"}, nil},
	}
	for _, src := range []struct{ name, path string }{{"a directory", osvDir}, {"a zip", zipPath}} {
		db, err := sbom.LoadOSV(context.Background(), src.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if db.Advisories != 4 {
			t.Errorf("%s: %d advisories read, want 4 (the withdrawn one left out)", src.name, db.Advisories)
		}
		for _, tc := range components {
			t.Run("from "+src.name+": "+tc.name, func(t *testing.T) {
				var got []string
				for _, v := range db.For(tc.c) {
					got = append(got, v.ID)
				}
				if !slices.Equal(got, tc.want) {
					t.Fatalf("For = %v, want %v", got, tc.want)
				}
			})
		}
	}
}

func TestOSVRefusesABrokenExport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"id": "GHSA-1",`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := sbom.LoadOSV(context.Background(), dir, nil); err == nil {
		t.Fatal("a broken advisory loaded without error")
	}
	if _, err := sbom.LoadOSV(context.Background(), filepath.Join(dir, "missing.zip"), nil); err == nil {
		t.Fatal("a missing file loaded without error")
	}
}

// TestOSVFromAURL loads the zip from a loopback HTTP server the test starts.
func TestOSVFromAURL(t *testing.T) {
	t.Parallel()
	zipPath := filepath.Join(t.TempDir(), "all.zip")
	writeOSVZip(t, zipPath)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/npm/all.zip" {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, zipPath)
	}))
	defer srv.Close()
	db, err := sbom.LoadOSV(context.Background(), srv.URL+"/npm/all.zip", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	if got := db.For(sbom.Component{Name: "lodash", Version: "4.17.20", PURL: "pkg:npm/lodash@4.17.20"}); len(got) != 1 || got[0].ID != "GHSA-35jh-r3h4-6jhm" {
		t.Fatalf("For = %v", got)
	}
	if _, err := sbom.LoadOSV(context.Background(), srv.URL+"/missing.zip", srv.Client()); err == nil {
		t.Fatal("a 404 loaded without error")
	}
}

// TestTooManyComponentsAreRefusedBeforeTheyAreBuilt: a file listing more
// than MaxComponents components, in every format, is refused by a count
// that builds none of them. The decoders built every component first: a
// vendor's 10 MB file of 800,000 tiny components took the server to 1.3
// GB; a file just over the limit allocated 26 to 150 times its size.
// Counted, it allocates at most 16 times (short-lived tokens); and a small
// file is still read.
func TestTooManyComponentsAreRefusedBeforeTheyAreBuilt(t *testing.T) {
	many := func(n int) map[string][]byte {
		var cj, cx, sj, tv bytes.Buffer
		cj.WriteString(`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[`)
		cx.WriteString(`<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"><components>`)
		sj.WriteString(`{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"x","documentNamespace":"https://x.test/x","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: t"]},"packages":[`)
		tv.WriteString("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: x\nDocumentNamespace: https://x.test/x\nCreator: Tool: t\nCreated: 2026-01-01T00:00:00Z\n")
		for i := range n {
			if i > 0 {
				cj.WriteByte(',')
				sj.WriteByte(',')
			}
			fmt.Fprintf(&cj, `{"name":"c%d"}`, i)
			fmt.Fprintf(&cx, `<component type="library"><name>c%d</name></component>`, i)
			fmt.Fprintf(&sj, `{"name":"p%d","SPDXID":"SPDXRef-%d","downloadLocation":"NOASSERTION"}`, i, i)
			fmt.Fprintf(&tv, "\nPackageName: p%d\nSPDXID: SPDXRef-%d\nPackageDownloadLocation: NOASSERTION\n", i, i)
		}
		cj.WriteString(`]}`)
		cx.WriteString(`</components></bom>`)
		sj.WriteString(`]}`)
		return map[string][]byte{sbom.CycloneDXJSON: cj.Bytes(), sbom.CycloneDXXML: cx.Bytes(), sbom.SPDXJSON: sj.Bytes(), sbom.SPDXTagValue: tv.Bytes()}
	}
	for format, content := range many(sbom.MaxComponents + 1) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := sbom.Parse(content)
		runtime.ReadMemStats(&after)
		var pe *sbom.ParseError
		if !errors.As(err, &pe) || pe.Reason != sbom.ReasonTooMany {
			t.Errorf("%s: %v, want too_many", format, err)
			continue
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16*uint64(len(content))+(4<<20) {
			t.Errorf("%s: refusing a %d KB file allocated %d KB", format, len(content)>>10, alloc>>10)
		}
	}
	for format, content := range many(3) {
		if doc, err := sbom.Parse(content); err != nil || len(doc.Components) != 3 {
			t.Errorf("%s: %v, %v: want the three components", format, doc, err)
		}
	}
}
