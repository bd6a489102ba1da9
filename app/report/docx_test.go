package report

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// docxPackage is a DOCX read back: its parts by name.
type docxPackage map[string][]byte

// readDOCX unzips a DOCX and checks the package: every part is well-formed
// XML, has a content type (a Default by extension or an Override), and
// every relationship's target exists.
func readDOCX(t *testing.T, body []byte) docxPackage {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	pkg := docxPackage{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		pkg[f.Name] = b
		d := xml.NewDecoder(bytes.NewReader(b))
		for {
			if _, err := d.Token(); err != nil {
				if !errors.Is(err, io.EOF) {
					t.Errorf("%s is not well-formed XML: %v", f.Name, err)
				}
				break
			}
		}
	}
	var types contentTypes
	if err := xml.Unmarshal(pkg["[Content_Types].xml"], &types); err != nil {
		t.Fatalf("[Content_Types].xml: %v", err)
	}
	for name := range pkg {
		if name != "[Content_Types].xml" && !types.has(name) {
			t.Errorf("part %s has no content type", name)
		}
	}
	for name, b := range pkg {
		if !strings.HasSuffix(name, ".rels") {
			continue
		}
		var rels struct {
			Rel []struct {
				Target string `xml:"Target,attr"`
			} `xml:"Relationship"`
		}
		if err := xml.Unmarshal(b, &rels); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		base := path.Dir(path.Dir(name)) // _rels/x.rels names targets from the folder of _rels
		for _, r := range rels.Rel {
			if target := strings.TrimPrefix(path.Join(base, r.Target), "/"); pkg[target] == nil {
				t.Errorf("%s names %s, which the package lacks", name, target)
			}
		}
	}
	return pkg
}

// contentTypes is [Content_Types].xml.
type contentTypes struct {
	Defaults []struct {
		Extension string `xml:"Extension,attr"`
	} `xml:"Default"`
	Overrides []struct {
		PartName string `xml:"PartName,attr"`
	} `xml:"Override"`
}

// has reports whether the part name has a content type.
func (c contentTypes) has(name string) bool {
	for _, o := range c.Overrides {
		if o.PartName == "/"+name {
			return true
		}
	}
	for _, d := range c.Defaults {
		if strings.HasSuffix(name, "."+d.Extension) {
			return true
		}
	}
	return false
}

// wordDoc is what a test reads of document.xml: the body's paragraphs
// with their styles and text, and its tables.
type wordDoc struct {
	Body struct {
		Items []wordItem `xml:",any"`
	} `xml:"body"`
}

type wordItem struct {
	XMLName xml.Name
	Style   struct {
		Val string `xml:"val,attr"`
	} `xml:"pPr>pStyle"`
	Texts []string `xml:"r>t"`
	Rows  []struct {
		Header *struct{}  `xml:"trPr>tblHeader"`
		Cells  []wordCell `xml:"tc"`
	} `xml:"tr"`
}

func (it wordItem) text() string { return strings.Join(it.Texts, "") }

// wordCell is a table cell's paragraphs.
type wordCell struct {
	Paras []struct {
		Texts []string `xml:"r>t"`
	} `xml:"p"`
}

// cellText is a cell's text, a line per paragraph.
func cellText(c wordCell) string {
	var parts []string
	for _, p := range c.Paras {
		parts = append(parts, strings.Join(p.Texts, ""))
	}
	return strings.Join(parts, "\n")
}

func TestSheetDOCX(t *testing.T) {
	t.Parallel()
	amsterdam, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	write := func(t *testing.T, s Sheet, lang string) []byte {
		t.Helper()
		var buf bytes.Buffer
		if err := WriteSheetDOCX(&buf, s, Options{Created: fixedDate, Lang: lang, Zone: amsterdam}); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for _, lang := range catalogue().Languages() {
		t.Run("the "+lang+" sheet has its headings, facts, clauses and a requirements table with a repeated header row", func(t *testing.T) {
			s := sampleSheet(3)
			s.Requirements[1].Clause = "Line one.\nLine two & <more>."
			s.Requirements[2].Level = "recommended"
			pkg := readDOCX(t, write(t, s, lang))
			wd := wordsOf(Options{Lang: lang, Zone: amsterdam})
			var doc wordDoc
			if err := xml.Unmarshal(pkg["word/document.xml"], &doc); err != nil {
				t.Fatal(err)
			}
			var headings []string
			var tables []wordItem
			for _, it := range doc.Body.Items {
				switch {
				case it.XMLName.Local == "p" && strings.HasPrefix(it.Style.Val, "Heading"):
					headings = append(headings, it.Style.Val+": "+it.text())
				case it.XMLName.Local == "tbl":
					tables = append(tables, it)
				}
			}
			wantHeadings := []string{"Heading1: " + wd.t("sheet.title", "title", s.Title), "Heading2: " + wd.t("sheet.requirements", "count", 3)}
			if !slices.Equal(headings, wantHeadings) {
				t.Errorf("headings %q, want %q", headings, wantHeadings)
			}
			if len(tables) != 2 {
				t.Fatalf("%d tables, want the facts and the requirements", len(tables))
			}
			factTable := tables[0].Rows
			if len(factTable) != len(facts(wd, s)) || cellText(factTable[0].Cells[0]) != wd.t("report.fact.reference") || cellText(factTable[0].Cells[1]) != s.Reference {
				t.Errorf("facts table: %d rows, first %q", len(factTable), cellText(factTable[0].Cells[0]))
			}
			reqs := tables[1].Rows
			if len(reqs) != 4 || reqs[0].Header == nil || reqs[1].Header != nil {
				t.Fatalf("requirements table: %d rows; the first must be a header row repeated on every page, and only it", len(reqs))
			}
			var head []string
			for _, c := range reqs[0].Cells {
				head = append(head, cellText(c))
			}
			wantHead := []string{wd.t("office.docx.col.number"), wd.t("office.docx.col.standard"), wd.t("office.docx.col.level"),
				wd.t("office.docx.col.clause"), wd.t("office.docx.col.verification")}
			if !slices.Equal(head, wantHead) {
				t.Errorf("header row %q, want %q", head, wantHead)
			}
			second := reqs[2].Cells
			if got := cellText(second[0]); got != "2" {
				t.Errorf("the second requirement is numbered %q", got)
			}
			if got := cellText(second[2]); got != wd.level("mandatory") {
				t.Errorf("level %q", got)
			}
			if got := cellText(second[3]); !strings.HasPrefix(got, "Line one.Line two & <more>.") || !strings.Contains(got, "Zürich") {
				t.Errorf("clause cell %q lacks the clause and the note", got)
			}
			if !strings.Contains(string(pkg["word/document.xml"]), "Line one.</w:t><w:br/>") {
				t.Error("a newline in a clause is not a line break")
			}
			if got := cellText(reqs[3].Cells[2]); got != wd.level("recommended") {
				t.Errorf("level %q", got)
			}
			if got := cellText(second[4]); got != wd.t("report.verified_by.checks", "checks", "web.dnssec") {
				t.Errorf("verification %q", got)
			}
			if got := cellText(second[1]); !strings.Contains(got, "RFC 4033") || !strings.Contains(got, s.Requirements[1].Standard) {
				t.Errorf("standard cell %q", got)
			}
			styles := string(pkg["word/styles.xml"])
			for _, want := range []string{`w:styleId="Heading1"`, `w:styleId="Heading2"`, `<w:name w:val="heading 1"/>`, `w:lang w:val="` + docxLang(lang) + `"`} {
				if !strings.Contains(styles, want) {
					t.Errorf("styles.xml lacks %s", want)
				}
			}
			footer := string(pkg["word/footer1.xml"])
			for _, want := range []string{`w:instr=" PAGE `, `w:instr=" NUMPAGES `, escaped(wd.t("report.generated_on", "date", wd.date(fixedDate)))} {
				if !strings.Contains(footer, want) {
					t.Errorf("footer lacks %s", want)
				}
			}
			if !strings.Contains(string(pkg["word/header1.xml"]), escaped(s.Reference)) {
				t.Error("the running header lacks the reference")
			}
		})
	}
	t.Run("the same sheet and creation time give the same bytes", func(t *testing.T) {
		if !bytes.Equal(write(t, sampleSheet(2), "nl"), write(t, sampleSheet(2), "nl")) {
			t.Error("two writes differ")
		}
	})
	t.Run("a sheet without requirements says so", func(t *testing.T) {
		pkg := readDOCX(t, write(t, sampleSheet(0), "es"))
		if !strings.Contains(string(pkg["word/document.xml"]), escaped(wordsOf(Options{Lang: "es"}).t("sheet.no_requirements"))) {
			t.Error("no sentence saying the sheet is empty")
		}
	})
	t.Run("LibreOffice opens it and reads its text", func(t *testing.T) {
		soffice, err := exec.LookPath("soffice")
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("CI=true but soffice (Debian's libreoffice-writer-nogui) is missing")
			}
			t.Skip("soffice not installed")
		}
		dir := t.TempDir()
		s := sampleSheet(2)
		file := filepath.Join(dir, "sheet.docx")
		if err := os.WriteFile(file, write(t, s, "nl"), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(soffice, "--headless", "--norestore", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
			"--convert-to", "txt:Text (encoded):UTF8", "--outdir", dir, file)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("soffice: %v\n%s", err, out)
		}
		text, err := os.ReadFile(filepath.Join(dir, "sheet.txt"))
		if err != nil {
			t.Fatalf("LibreOffice wrote no text: %v", err)
		}
		for _, want := range []string{"Eisenlijst: " + s.Title, "Eisen (2)", "Bepaling", "Verificatie", "The supplier signs every DNS zone", "Zürich", "verplicht"} {
			if !strings.Contains(string(text), want) {
				t.Errorf("LibreOffice's text lacks %q:\n%s", want, text)
			}
		}
	})
}
