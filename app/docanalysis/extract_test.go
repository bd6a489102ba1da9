package docanalysis_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jung-kurt/gofpdf"

	"tenderprobe/app/docanalysis"
)

// zipOf builds an archive of the named parts, in order.
func zipOf(t *testing.T, parts ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, p := range parts {
		f, err := w.Create(p[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(p[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const wNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`

func docxFixture(t *testing.T) []byte {
	return zipOf(t,
		[2]string{"[Content_Types].xml", `<?xml version="1.0"?><Types/>`},
		[2]string{"word/styles.xml", `<w:styles ` + wNS + `><w:style w:styleId="Kop1"><w:name w:val="heading 1"/></w:style></w:styles>`},
		[2]string{"word/document.xml", `<w:document ` + wNS + `><w:body>
<w:p><w:pPr><w:pStyle w:val="Kop1"/></w:pPr><w:r><w:t>3 Eisen</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">De Leverancier dient </w:t></w:r><w:r><w:t>DNSSEC toe te passen.</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Nr</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Standaard</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Verplicht</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>E1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>IPv6 op alle</w:t></w:r></w:p><w:p><w:r><w:t>servers</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Ja</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:p><w:r><w:delText>SPF geschrapt</w:delText></w:r></w:p>
</w:body></w:document>`},
		[2]string{"word/header1.xml", `<w:hdr ` + wNS + `><w:p><w:r><w:t>Kop: DANE-beleid van de gemeente</w:t></w:r></w:p></w:hdr>`},
		[2]string{"word/footer1.xml", `<w:ftr ` + wNS + `><w:p><w:r><w:t>Voet: versie 1.0</w:t></w:r></w:p></w:ftr>`},
		[2]string{"word/footnotes.xml", `<w:footnotes ` + wNS + `><w:footnote><w:p><w:r><w:t>Zie RFC 7208 voor SPF.</w:t></w:r></w:p></w:footnote></w:footnotes>`},
	)
}

const odtNS = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"`

func odtFixture(t *testing.T) []byte {
	return zipOf(t,
		[2]string{"mimetype", "application/vnd.oasis.opendocument.text"},
		[2]string{"content.xml", `<office:document-content ` + odtNS + `><office:body><office:text>
<text:h text:outline-level="1">3 Requisitos</text:h>
<text:p>El Proveedor deberá<text:s/>firmar las zonas con DNSSEC.<text:note><text:note-citation>1</text:note-citation><text:note-body><text:p>Según RFC 9364.</text:p></text:note-body></text:note></text:p>
<text:list><text:list-item><text:p>IPv6 en todos los servidores</text:p></text:list-item></text:list>
<table:table><table:table-row><table:table-cell><text:p>Estándar</text:p></table:table-cell><table:table-cell><text:p>Obligatorio</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell><text:p>DANE</text:p></table:table-cell><table:table-cell><text:p>No</text:p></table:table-cell></table:table-row></table:table>
</office:text></office:body></office:document-content>`},
		[2]string{"styles.xml", `<office:document-styles ` + odtNS + `><office:styles><style:style><text:p>not a page</text:p></style:style></office:styles><office:master-styles><style:master-page><style:header><text:p>Encabezado: pliego de SPF</text:p></style:header><style:footer><text:p>Pie de página 1</text:p></style:footer></style:master-page></office:master-styles></office:document-styles>`},
	)
}

// pdfFixture is a two-page PDF written with gofpdf: DNSSEC demanded on
// page 1, IPv6 on page 2.
func pdfFixture(t *testing.T) []byte {
	t.Helper()
	p := gofpdf.New("P", "mm", "A4", "")
	p.SetFont("Helvetica", "", 11)
	p.AddPage()
	p.MultiCell(170, 6, "The Supplier shall sign every DNS zone with DNSSEC.", "", "L", false)
	p.AddPage()
	p.MultiCell(170, 6, "The Supplier must make the websites reachable over IPv6.", "", "L", false)
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// segmentWith returns the first segment containing text.
func segmentWith(doc *docanalysis.Document, text string) (docanalysis.Segment, bool) {
	for _, s := range doc.Segments {
		if strings.Contains(s.Text, text) {
			return s, true
		}
	}
	return docanalysis.Segment{}, false
}

func TestExtraction(t *testing.T) {
	t.Parallel()
	html := `<!doctype html><html><head><title>Pliego</title><style>p{color:red}</style><script>var DNSSEC = 1;</script></head><body>
<header>Kopregel SPF-beleid</header><h2>2 Eisen</h2><p>De Leverancier moet <b>DNSSEC</b> toepassen.</p>
<table><tr><th>Eis</th><th>Standaard</th></tr><tr><td>E1</td><td>IPv6</td></tr></table><footer>Voet DANE</footer></body></html>`
	cases := []struct {
		name, file string
		data       func(t *testing.T) []byte
		// want are texts that must be found, each with the page or
		// section its segment must carry.
		want    map[string]string
		missing []string
		pages   int
	}{
		{"DOCX: body, table rows with wrapped cells, header, footer and footnote", "eisen.docx", docxFixture,
			map[string]string{"De Leverancier dient DNSSEC toe te passen.": "3 Eisen", "E1 | IPv6 op alle servers | Ja": "3 Eisen",
				"Kop: DANE-beleid": "header", "Voet: versie": "footer", "Zie RFC 7208": "footnote"}, []string{"SPF geschrapt"}, 0},
		{"ODT: headings, spaces, notes, lists, tables and the master page's header and footer", "pliego.odt", odtFixture,
			map[string]string{"El Proveedor deberá firmar las zonas con DNSSEC.": "3 Requisitos", "Según RFC 9364.": "3 Requisitos",
				"IPv6 en todos": "3 Requisitos", "DANE | No": "3 Requisitos", "Encabezado: pliego de SPF": "header", "Pie de página 1": "footer"},
			[]string{"not a page"}, 0},
		{"HTML: blocks, headings, tables, no scripts or styles", "eisen.html", func(*testing.T) []byte { return []byte(html) },
			map[string]string{"De Leverancier moet DNSSEC toepassen.": "2 Eisen", "E1 | IPv6": "2 Eisen", "Kopregel SPF-beleid": ""},
			[]string{"var DNSSEC", "color:red"}, 0},
		{"plain text in Windows-1252", "eisen.txt", func(*testing.T) []byte {
			return []byte("3.1 Beveiliging\n\nDe Leverancier dient DNSSEC te gebruiken (\xe9\xe9n keer).\n")
		},
			map[string]string{"De Leverancier dient DNSSEC te gebruiken (één keer).": "3.1 Beveiliging"}, nil, 0},
		{"PDF: each sentence keeps its page", "eisen.pdf", pdfFixture,
			map[string]string{"The Supplier shall sign every DNS zone with DNSSEC.": "p1", "reachable over IPv6.": "p2"}, nil, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := docanalysis.Extract(context.Background(), c.file, c.data(t))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Pages != c.pages {
				t.Errorf("pages %d, want %d", doc.Pages, c.pages)
			}
			for text, where := range c.want {
				seg, ok := segmentWith(doc, text)
				if !ok {
					var all []string
					for _, s := range doc.Segments {
						all = append(all, s.Text)
					}
					t.Errorf("no segment with %q in\n%s", text, strings.Join(all, "\n"))
					continue
				}
				got := seg.Section
				if seg.Page > 0 {
					got = "p" + itoa(seg.Page)
				}
				if where != "" && got != where {
					t.Errorf("%q is at %q, want %q", text, got, where)
				}
			}
			for _, text := range c.missing {
				if _, ok := segmentWith(doc, text); ok {
					t.Errorf("%q should not be read", text)
				}
			}
		})
	}
}

func TestExtractionRefuses(t *testing.T) {
	t.Parallel()
	scanned := func() []byte {
		p := gofpdf.New("P", "mm", "A4", "")
		p.AddPage()
		p.SetFillColor(30, 30, 30)
		p.Rect(10, 10, 190, 270, "F")
		var buf bytes.Buffer
		_ = p.Output(&buf)
		return buf.Bytes()
	}()
	// A zip bomb: one part that unpacks far beyond MaxUnpacked.
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	f, _ := zw.Create("word/document.xml")
	chunk := bytes.Repeat([]byte("A"), 1<<20)
	for range docanalysis.MaxUnpacked>>20 + 2 {
		_, _ = f.Write(chunk)
	}
	_ = zw.Close()
	cases := []struct {
		name, file string
		data       []byte
		reason     string
	}{
		{"a scanned PDF without text", "scan.pdf", scanned, docanalysis.ReasonScanned},
		{"a file over 20 MB", "big.txt", make([]byte, docanalysis.MaxFileSize+1), docanalysis.ReasonTooLarge},
		{"a DOCX that unpacks beyond the cap (zip bomb)", "bomb.docx", bomb.Bytes(), docanalysis.ReasonUnpacked},
		{"an empty file", "empty.txt", []byte("  \n"), docanalysis.ReasonEmpty},
		{"an unknown binary format", "photo.bin", []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff, 0xfe, 0, 0, 0x80}, docanalysis.ReasonFormat},
		{"a damaged DOCX", "broken.docx", []byte("PK\x03\x04 not really a zip"), docanalysis.ReasonUnreadable},
	}
	for _, c := range cases {
		t.Run(c.name+" is refused", func(t *testing.T) {
			_, err := docanalysis.Extract(context.Background(), c.file, c.data)
			var de *docanalysis.Error
			if !errors.As(err, &de) || de.Reason != c.reason {
				t.Errorf("err %v, want reason %s", err, c.reason)
			}
		})
	}
}
