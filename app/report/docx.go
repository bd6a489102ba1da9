package report

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"tenderprobe/models"
)

// The requirement sheet as a Word document (DOCX, WordprocessingML), for
// officers to paste into their tender documents. It is written here with
// archive/zip and encoding/xml rather than with a library: the Go DOCX
// writers on the module proxy (github.com/gomutex/godocx,
// github.com/fumiama/go-docx) have no tagged release, and neither writes
// footers with page-number fields; unioffice needs a paid licence. The
// document needs only a few parts, each written in full below, and the
// output is the same bytes for the same sheet and creation time, which the
// store of published sheets relies on.
//
// The parts: [Content_Types].xml, the package and document relationships,
// the core properties (title, language, creation time), settings, styles
// (Normal, Heading1, Heading2, Header, Footer, Small, a grid table style;
// the tender's language as the default proofing language), a header with
// the running title, a footer with "Page X of Y" as PAGE and NUMPAGES
// fields, and the document: the title as Heading 1, the tender's facts in a
// two-column table, the description, and the requirements as Heading 2 with
// a table (number, standard, level, clause, verification) whose header row
// repeats on every page.

// DOCXContentType is the media type of a DOCX file.
const DOCXContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// DOCXLayoutVersion names the DOCX layout in the hash of a stored sheet;
// bump it with any change to how this file lays a sheet out.
const DOCXLayoutVersion = 1

const (
	nsW = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsR = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	// A4 in twentieths of a point, with 18 mm side margins as the PDF.
	pageWidth, pageHeight = 11906, 16838
	sideMargin            = 1020
	textWidth             = pageWidth - 2*sideMargin
)

// docxLang is the proofing language Word and LibreOffice check the text
// in: a region is needed for a dictionary to be chosen.
func docxLang(lang string) string {
	switch lang {
	case "nl":
		return "nl-NL"
	case "es":
		return "es-ES"
	case "en":
		return "en-GB"
	}
	return lang
}

// WriteSheetDOCX writes the requirement sheet s as a DOCX document to w in
// opt.Lang, its times in opt.Zone; opt.Created is the document's creation
// time and the time in its footer.
func WriteSheetDOCX(w io.Writer, s Sheet, opt Options) error {
	wd := wordsOf(opt)
	title := wd.t("sheet.title", "title", s.Title)
	running := wd.t("sheet.running_header", "title", s.Title)
	if s.Reference != "" {
		running += " · " + s.Reference
	}

	var body wml
	body.para("Heading1", run{text: title})
	body.table([]int{2600, textWidth - 2600}, nil, factRows(wd, s))
	if s.Description != "" {
		body.para("", run{text: s.Description})
	}
	body.para("Heading2", run{text: wd.t("sheet.requirements", "count", len(s.Requirements))})
	if len(s.Requirements) == 0 {
		body.para("", run{text: wd.t("sheet.no_requirements")})
	} else {
		head := []string{wd.t("office.docx.col.number"), wd.t("office.docx.col.standard"), wd.t("office.docx.col.level"),
			wd.t("office.docx.col.clause"), wd.t("office.docx.col.verification")}
		rows := make([][]cell, len(s.Requirements))
		for i, r := range s.Requirements {
			clause := []paragraph{{runs: []run{{text: r.Clause}}}}
			if r.Note != "" {
				clause = append(clause, paragraph{runs: []run{{text: wd.t("sheet.note", "note", r.Note)}}})
			}
			rows[i] = []cell{
				{{runs: []run{{text: fmt.Sprint(i + 1)}}}},
				{{runs: []run{{text: r.Standard, bold: true}}},
					{style: "Small", runs: []run{{text: wd.t("office.docx.references", "references", references(wd, r.References))}}},
					{style: "Small", runs: []run{{text: wd.t("office.docx.domain", "domain", wd.domain(r.Domain))}}},
					{style: "Small", runs: []run{{text: wd.t("office.docx.catalogue_id", "slug", r.Slug)}}}},
				{{runs: []run{{text: wd.level(r.Level), bold: r.Level == models.LevelMandatory}}}},
				clause,
				{{runs: []run{{text: verifiedBy(wd, r.Checks)}}}},
			}
		}
		body.table([]int{600, 2000, 1550, textWidth - 600 - 2000 - 1550 - 1900, 1900}, head, rows)
	}

	var header, footer wml
	header.para("Header", run{text: running})
	// "Page {page} of {pages}" in the document's words, with the numbers
	// as fields that Word and LibreOffice fill in.
	const pageMark, pagesMark = "\x00PAGE\x00", "\x00NUMPAGES\x00"
	pageRuns := []run{{text: wd.t("report.generated_on", "date", wd.date(opt.Created))}, {tab: true}}
	for _, part := range strings.SplitAfter(wd.t("report.page", "page", pageMark, "pages", pagesMark), "\x00") {
		switch {
		case part == "PAGE\x00":
			pageRuns = append(pageRuns, run{field: "PAGE"})
		case part == "NUMPAGES\x00":
			pageRuns = append(pageRuns, run{field: "NUMPAGES"})
		default:
			pageRuns = append(pageRuns, run{text: strings.TrimSuffix(part, "\x00")})
		}
	}
	footer.para("Footer", pageRuns...)

	created := opt.Created.UTC()
	files := []struct{ name, body string }{
		{"[Content_Types].xml", contentTypesXML},
		{"_rels/.rels", packageRelsXML},
		{"docProps/core.xml", coreXML(title, docxLang(wd.lang), created)},
		{"word/_rels/document.xml.rels", documentRelsXML},
		{"word/document.xml", documentXML(body.String())},
		{"word/styles.xml", stylesXML(docxLang(wd.lang))},
		{"word/settings.xml", settingsXML(docxLang(wd.lang))},
		{"word/header1.xml", partXML("hdr", header.String())},
		{"word/footer1.xml", partXML("ftr", footer.String())},
	}
	zw := zip.NewWriter(w)
	for _, f := range files {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: created})
		if err == nil {
			_, err = io.WriteString(fw, f.body)
		}
		if err != nil {
			return fmt.Errorf("report: sheet docx %s: %w", f.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("report: sheet docx: %w", err)
	}
	return nil
}

// factRows are the tender's facts as label and value cells.
func factRows(wd words, s Sheet) [][]cell {
	facts := facts(wd, s)
	rows := make([][]cell, len(facts))
	for i, f := range facts {
		rows[i] = []cell{{{runs: []run{{text: f[0], bold: true}}}}, {{runs: []run{{text: f[1]}}}}}
	}
	return rows
}

// run is a stretch of text with one look, a tab, or a field (PAGE).
type run struct {
	text  string
	bold  bool
	tab   bool
	field string
}

// paragraph is a paragraph of runs in a paragraph style ("" is Normal).
type paragraph struct {
	style string
	runs  []run
}

// cell is a table cell: one or more paragraphs.
type cell []paragraph

// wml builds WordprocessingML body content.
type wml struct{ bytes.Buffer }

func (b *wml) text(s string) {
	_ = xml.EscapeText(&b.Buffer, []byte(s)) // a bytes.Buffer never fails
}

func (b *wml) para(style string, runs ...run) {
	b.WriteString("<w:p>")
	if style != "" {
		b.WriteString(`<w:pPr><w:pStyle w:val="`)
		b.text(style)
		b.WriteString(`"/></w:pPr>`)
	}
	for _, r := range runs {
		b.run(r)
	}
	b.WriteString("</w:p>")
}

// run writes r; a newline in its text is a line break.
func (b *wml) run(r run) {
	switch {
	case r.tab:
		b.WriteString("<w:r><w:tab/></w:r>")
		return
	case r.field != "":
		b.WriteString(`<w:fldSimple w:instr=" `)
		b.text(r.field)
		b.WriteString(` \* MERGEFORMAT "><w:r><w:t>1</w:t></w:r></w:fldSimple>`)
		return
	}
	b.WriteString("<w:r>")
	if r.bold {
		b.WriteString("<w:rPr><w:b/></w:rPr>")
	}
	for i, line := range strings.Split(strings.ReplaceAll(r.text, "\r\n", "\n"), "\n") {
		if i > 0 {
			b.WriteString("<w:br/>")
		}
		b.WriteString(`<w:t xml:space="preserve">`)
		b.text(line)
		b.WriteString("</w:t>")
	}
	b.WriteString("</w:r>")
}

// table writes a table of rows with columns of widths (twips) filling the
// text width; a non-nil head is a bold, shaded header row that repeats on
// every page. Rows do not split across pages.
func (b *wml) table(widths []int, head []string, rows [][]cell) {
	b.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TenderprobeTable"/>`)
	fmt.Fprintf(b, `<w:tblW w:w="%d" w:type="dxa"/><w:tblLayout w:type="fixed"/>`, textWidth)
	if head != nil {
		b.WriteString(`<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>`)
	}
	b.WriteString(`</w:tblPr><w:tblGrid>`)
	for _, w := range widths {
		fmt.Fprintf(b, `<w:gridCol w:w="%d"/>`, w)
	}
	b.WriteString(`</w:tblGrid>`)
	tc := func(i int, c cell, shade bool) {
		fmt.Fprintf(b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/>`, widths[i])
		if shade {
			b.WriteString(`<w:shd w:val="clear" w:color="auto" w:fill="E8EEF7"/>`)
		}
		b.WriteString(`</w:tcPr>`)
		if len(c) == 0 {
			c = cell{{}}
		}
		for _, p := range c {
			b.para(p.style, p.runs...)
		}
		b.WriteString(`</w:tc>`)
	}
	if head != nil {
		b.WriteString(`<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>`)
		for i, h := range head {
			tc(i, cell{{runs: []run{{text: h, bold: true}}}}, true)
		}
		b.WriteString(`</w:tr>`)
	}
	for _, row := range rows {
		b.WriteString(`<w:tr><w:trPr><w:cantSplit/></w:trPr>`)
		for i, c := range row {
			tc(i, c, false)
		}
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl>`)
	// Word needs a paragraph between a table and what follows it.
	b.para("")
}

func escaped(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

const contentTypesXML = xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>` +
	`<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>` +
	`<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>` +
	`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
	`</Types>`

const packageRelsXML = xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`</Relationships>`

const documentRelsXML = xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>` +
	`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>` +
	`<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>` +
	`</Relationships>`

func coreXML(title, lang string, created time.Time) string {
	at := created.Format(time.RFC3339)
	return xmlHeader + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
		`xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<dc:title>` + escaped(title) + `</dc:title><dc:creator>Tenderprobe</dc:creator><dc:language>` + escaped(lang) + `</dc:language>` +
		`<dcterms:created xsi:type="dcterms:W3CDTF">` + at + `</dcterms:created>` +
		`<dcterms:modified xsi:type="dcterms:W3CDTF">` + at + `</dcterms:modified></cp:coreProperties>`
}

func documentXML(body string) string {
	return xmlHeader + `<w:document xmlns:w="` + nsW + `" xmlns:r="` + nsR + `"><w:body>` + body +
		`<w:sectPr><w:headerReference w:type="default" r:id="rId3"/><w:footerReference w:type="default" r:id="rId4"/>` +
		fmt.Sprintf(`<w:pgSz w:w="%d" w:h="%d"/>`, pageWidth, pageHeight) +
		fmt.Sprintf(`<w:pgMar w:top="1300" w:right="%d" w:bottom="1300" w:left="%d" w:header="600" w:footer="600" w:gutter="0"/>`, sideMargin, sideMargin) +
		`</w:sectPr></w:body></w:document>`
}

// partXML is a header (hdr) or footer (ftr) part with body.
func partXML(kind, body string) string {
	return xmlHeader + `<w:` + kind + ` xmlns:w="` + nsW + `" xmlns:r="` + nsR + `">` + body + `</w:` + kind + `>`
}

func settingsXML(lang string) string {
	// Word refuses a document whose elements are out of the schema's order:
	// compat comes before themeFontLang.
	return xmlHeader + `<w:settings xmlns:w="` + nsW + `"><w:defaultTabStop w:val="720"/>` +
		`<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>` +
		`<w:themeFontLang w:val="` + escaped(lang) + `"/>` +
		`</w:settings>`
}

// stylesXML has the document's styles, with lang as every run's language.
// Arial is on every Windows and Mac; LibreOffice uses the metric-compatible
// Liberation Sans where it is missing.
func stylesXML(lang string) string {
	grey := `<w:color w:val="5A6472"/>`
	return xmlHeader + `<w:styles xmlns:w="` + nsW + `">` +
		`<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="Arial" w:cs="Arial"/>` +
		`<w:sz w:val="20"/><w:szCs w:val="20"/><w:lang w:val="` + escaped(lang) + `" w:eastAsia="` + escaped(lang) + `" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>` +
		`<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
		`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
		`<w:pPr><w:keepNext/><w:spacing w:before="240" w:after="160"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:bCs/><w:color w:val="1D2430"/><w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
		`<w:pPr><w:keepNext/><w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="5A6472"/></w:pBdr><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="1"/></w:pPr>` +
		`<w:rPr><w:b/><w:bCs/><w:color w:val="1D2430"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/><w:basedOn w:val="Normal"/>` +
		`<w:pPr><w:pBdr><w:bottom w:val="single" w:sz="4" w:space="1" w:color="5A6472"/></w:pBdr><w:spacing w:after="0"/></w:pPr><w:rPr>` + grey + `<w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/>` +
		fmt.Sprintf(`<w:pPr><w:pBdr><w:top w:val="single" w:sz="4" w:space="1" w:color="5A6472"/></w:pBdr><w:tabs><w:tab w:val="right" w:pos="%d"/></w:tabs><w:spacing w:after="0"/></w:pPr>`, textWidth) +
		`<w:rPr>` + grey + `<w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr></w:style>` +
		`<w:style w:type="paragraph" w:customStyle="1" w:styleId="Small"><w:name w:val="Small"/><w:basedOn w:val="Normal"/><w:qFormat/>` +
		`<w:pPr><w:spacing w:after="40"/></w:pPr><w:rPr>` + grey + `<w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr></w:style>` +
		`<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/>` +
		`<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
		`<w:style w:type="table" w:customStyle="1" w:styleId="TenderprobeTable"><w:name w:val="Tenderprobe Table"/><w:basedOn w:val="TableNormal"/>` +
		`<w:pPr><w:spacing w:before="40" w:after="40"/></w:pPr>` +
		`<w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="A8B0BC"/><w:left w:val="single" w:sz="4" w:space="0" w:color="A8B0BC"/>` +
		`<w:bottom w:val="single" w:sz="4" w:space="0" w:color="A8B0BC"/><w:right w:val="single" w:sz="4" w:space="0" w:color="A8B0BC"/>` +
		`<w:insideH w:val="single" w:sz="4" w:space="0" w:color="A8B0BC"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="A8B0BC"/></w:tblBorders>` +
		`<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="100" w:type="dxa"/><w:bottom w:w="40" w:type="dxa"/><w:right w:w="100" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
		`</w:styles>`
}
