// Package report renders Tenderprobe's PDF documents. It knows nothing of
// the database or the web: callers fill plain structs, so the layout can be
// tested on its own with a fixed creation date.
package report

import (
	_ "embed"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"tenderprobe/app/probe/check"
	"tenderprobe/models"
)

// DejaVu Sans (Bitstream Vera licence, see fonts/LICENSE) is embedded so
// clauses in any European language print without missing glyphs.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

const (
	fontFamily = "DejaVu"
	margin     = 18.0 // mm
	lineHeight = 5.0  // mm for 10 pt text
)

// Sheet is a tender's requirement sheet as it goes into the tender
// documents. Status, Level and Domain are codes, written in the sheet's
// language; Standard and Clause are already in it (SheetOf).
type Sheet struct {
	Title            string
	Reference        string
	Buyer            string
	Status           string
	Revision         int
	EstimatedValue   string
	ValueCents       int64
	Currency         string
	Deadline         *time.Time
	PublishedAt      *time.Time
	ScopeTags        []string
	CatalogueVersion string
	Description      string
	Requirements     []SheetRequirement
}

// SheetRequirement is one numbered requirement of a Sheet.
type SheetRequirement struct {
	Standard   string
	Slug       string
	Domain     string
	Level      string
	Clause     string
	Note       string
	References []string
	Checks     []check.ID
}

// Options sets what is not part of the document itself. Created is the
// PDF's creation date; tests fix it so output is reproducible. Lang is the
// document's language (a tender's own language for its sheet and report,
// the reader's for the annual report; default English) and Zone the zone
// its times are stated in (default UTC).
type Options struct {
	Created time.Time
	Lang    string
	Zone    *time.Location
}

// SheetOf copies what the sheet shows from a tender loaded by
// models.FindTender, with the standards' names and clauses in lang.
func SheetOf(t *models.Tender, lang string) Sheet {
	s := Sheet{
		Title: t.Title, Reference: t.Reference, Status: t.Status, Revision: t.Revision,
		ValueCents: t.EstimatedValueCents, Currency: t.Currency, Deadline: t.Deadline, PublishedAt: t.PublishedAt,
		ScopeTags: t.ScopeTags, Description: t.Description,
	}
	if t.BuyerOrg != nil {
		s.Buyer = t.BuyerOrg.Name
	}
	if t.CatalogueVersion != nil {
		s.CatalogueVersion = t.CatalogueVersion.Version
	}
	for i := range t.Requirements {
		r := &t.Requirements[i]
		sr := SheetRequirement{Level: r.Level, Clause: r.ClauseIn(lang), Note: r.PublicNote()}
		if std := r.Standard; std != nil {
			sr.Standard, sr.Slug, sr.Domain, sr.Checks = std.In(lang).Name, std.Slug, std.Domain, std.Checks
			for _, ref := range std.References {
				sr.References = append(sr.References, ref.Label())
			}
		}
		s.Requirements = append(s.Requirements, sr)
	}
	return s
}

// WriteSheet renders s as an A4 PDF to w in opt.Lang: a running header
// with the tender title, the tender's facts, then each requirement with
// its level, clause, note and defining documents, and "Page X of Y" in the
// footer.
func WriteSheet(w io.Writer, s Sheet, opt Options) error {
	s = safeSheet(s)
	wd := wordsOf(opt)
	runningHeader := func(title string) string {
		if s.Reference == "" {
			return wd.t("sheet.running_header", "title", title)
		}
		return wd.t("sheet.running_header", "title", title) + " · " + s.Reference
	}
	// A sheet is a few pages: compressing them would cost more (a
	// compressor of about 1 MB per page) than the few kB it saves.
	return render(w, wd.t("sheet.title", "title", s.Title), opt, fmt.Sprintf("requirement sheet %q", s.Title), false, func(pdf *doc) {
		header(pdf, s.Title, runningHeader)
		footer(pdf, wd, wd.t("report.generated_on", "date", wd.date(opt.Created)))
		pdf.AddPage()

		pdf.SetFont(fontFamily, "B", 18)
		pdf.MultiCell(0, 8, s.Title, "", "L", false)
		pdf.Ln(2)
		table(pdf, facts(wd, s))
		if s.Description != "" {
			pdf.Ln(3)
			pdf.SetFont(fontFamily, "", 10)
			pdf.MultiCell(0, lineHeight, s.Description, "", "L", false)
		}

		pdf.Ln(4)
		pdf.SetFont(fontFamily, "B", 14)
		pdf.CellFormat(0, 8, wd.t("sheet.requirements", "count", len(s.Requirements)), "B", 1, "L", false, 0, "")
		pdf.Ln(2)
		if len(s.Requirements) == 0 {
			pdf.SetFont(fontFamily, "", 10)
			pdf.MultiCell(0, lineHeight, wd.t("sheet.no_requirements"), "", "L", false)
		}
		for i, r := range s.Requirements {
			requirement(pdf, wd, i+1, r)
		}
	})
}

// newDocument sets up an A4 portrait document with the embedded font,
// single-byte or UTF-8 (see render), and fixed metadata.
func newDocument(title string, opt Options, single bool) *doc {
	pdf := gofpdf.New("P", "mm", "A4", "")
	if single {
		pdf.AddFontFromBytes(fontFamily, "", fontRegularSingleJSON, fontRegularSingle)
		pdf.AddFontFromBytes(fontFamily, "B", fontBoldSingleJSON, fontBoldSingle)
	} else {
		pdf.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
		pdf.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	}
	pdf.SetMargins(margin, margin+8, margin)
	pdf.SetAutoPageBreak(true, margin+4)
	pdf.AliasNbPages("{nb}")
	// gofpdf writes the title as UTF-16 without surrogate pairs: it too
	// must keep to the BMP.
	pdf.SetTitle(printable(title), true)
	pdf.SetCreator("Tenderprobe", true)
	pdf.SetProducer("Tenderprobe", true)
	pdf.SetCreationDate(opt.Created)
	pdf.SetModificationDate(opt.Created)
	pdf.SetCatalogSort(true)
	return &doc{Fpdf: pdf, single: single}
}

// header prints line(title) and a rule at the top of every page, on one
// line within the margins: a title too long for it is shortened
// (fitTitle), as the first page prints it whole under the header.
func header(pdf *doc, title string, line func(title string) string) {
	text := ""
	pdf.SetHeaderFunc(func() {
		pdf.SetY(10)
		pdf.SetFont(fontFamily, "", 8)
		pdf.SetTextColor(90, 100, 114)
		if text == "" {
			text = fitTitle(pdf, lineWidth(pdf), title, line)
		}
		pdf.CellFormat(0, 5, text, "B", 1, "L", false, 0, "")
		pdf.SetTextColor(29, 36, 48)
		pdf.SetY(margin + 8)
	})
}

// footer prints note and "Page X of Y" at the bottom of every page, note
// shortened where it would run into the page number.
func footer(pdf *doc, wd words, note string) {
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont(fontFamily, "", 8)
		pdf.SetTextColor(90, 100, 114)
		// "{nb}" is as wide as a four-digit page count, so the width
		// measured here is at least the one printed.
		page := wd.t("report.page", "page", pdf.PageNo(), "pages", "{nb}")
		const gap = 4.0 // mm between note and page number
		pdf.CellFormat(0, 5, fitText(pdf, note, lineWidth(pdf)-pdf.GetStringWidth(page)-gap), "T", 0, "L", false, 0, "")
		pdf.SetX(margin)
		pdf.CellFormat(0, 5, page, "", 0, "R", false, 0, "")
		pdf.SetTextColor(29, 36, 48)
	})
}

// table prints label/value rows; labels and values wrap within their
// columns (a label in Dutch or Spanish is often longer than in English).
func table(pdf *doc, rows [][2]string) {
	const labelWidth = 46.0
	pageWidth, _ := pdf.GetPageSize()
	valueWidth := pageWidth - 2*margin - labelWidth
	for _, row := range rows {
		pdf.SetFont(fontFamily, "B", 10)
		labels := wrapText(pdf, row[0], labelWidth-2)
		pdf.SetFont(fontFamily, "", 10)
		lines := wrapText(pdf, row[1], valueWidth-2-2*cellPadX)
		h := float64(max(len(lines), len(labels)))*lineHeight + 2*cellPadY
		_, pageHeight := pdf.GetPageSize()
		if pdf.GetY()+h > pageHeight-margin-4 {
			pdf.AddPage()
		}
		y := pdf.GetY()
		pdf.SetFont(fontFamily, "B", 10)
		if len(labels) == 1 {
			pdf.CellFormat(labelWidth, h, labels[0], "B", 0, "L", false, 0, "")
		} else {
			pdf.SetXY(margin, y+cellPadY)
			pdf.MultiCell(labelWidth, lineHeight, strings.Join(labels, "\n"), "", "L", false)
			pdf.SetXY(margin, y+h-0.2)
			pdf.CellFormat(labelWidth, 0.2, "", "B", 0, "L", false, 0, "")
		}
		pdf.SetFont(fontFamily, "", 10)
		pdf.SetXY(margin+labelWidth+cellPadX, y+cellPadY)
		pdf.MultiCell(valueWidth-2*cellPadX, lineHeight, strings.Join(lines, "\n"), "", "L", false)
		pdf.SetXY(margin+labelWidth, y+h-0.2)
		pdf.CellFormat(valueWidth, 0.2, "", "B", 1, "L", false, 0, "")
		pdf.SetY(y + h)
	}
}

// facts lists the tender's facts for the table at the top.
func facts(wd words, s Sheet) [][2]string {
	value := s.EstimatedValue
	if s.ValueCents > 0 && s.Currency != "" {
		value = wd.money(s.ValueCents, s.Currency)
	}
	rows := [][2]string{
		{wd.t("report.fact.reference"), wd.orNone(s.Reference)},
		{wd.t("report.fact.buyer"), wd.orNone(s.Buyer)},
		{wd.t("report.fact.status"), wd.t("report.status_revision", "status", wd.word("tender_status", s.Status, s.Status), "revision", s.Revision)},
		{wd.t("report.fact.estimated_value"), wd.orNone(value)},
		{wd.t("report.fact.deadline"), wd.dateTimeOrNone(s.Deadline)},
		{wd.t("report.fact.scope"), wd.orNone(strings.Join(s.ScopeTags, ", "))},
		{wd.t("report.fact.catalogue_version"), wd.orNone(s.CatalogueVersion)},
	}
	if s.PublishedAt != nil {
		rows = append(rows, [2]string{wd.t("report.fact.published"), wd.dateTime(*s.PublishedAt)})
	}
	return rows
}

// verifiedBy says how a requirement is verified: by the vendor's word
// only, or by the probe checks named.
func verifiedBy(wd words, checks []check.ID) string {
	if len(checks) == 0 {
		return wd.t("report.verified_by.attestation")
	}
	return wd.t("report.verified_by.checks", "checks", joinChecks(checks))
}

// references lists the defining documents, or says there are none.
func references(wd words, refs []string) string {
	if len(refs) == 0 {
		return wd.t("report.references.none")
	}
	return strings.Join(refs, ", ")
}

// requirement prints one numbered requirement.
func requirement(pdf *doc, wd words, n int, r SheetRequirement) {
	_, pageHeight := pdf.GetPageSize()
	if pdf.GetY() > pageHeight-margin-40 {
		pdf.AddPage()
	}
	pdf.SetFont(fontFamily, "B", 11)
	pdf.MultiCell(0, 6, fmt.Sprintf("%d. %s — %s", n, r.Standard, strings.ToUpper(wd.level(r.Level))), "", "L", false)
	pdf.SetFont(fontFamily, "", 10)
	pdf.SetFillColor(241, 245, 251)
	pdf.MultiCell(0, lineHeight, r.Clause, "L", "L", true)
	if r.Note != "" {
		pdf.Ln(1)
		pdf.MultiCell(0, lineHeight, wd.t("sheet.note", "note", r.Note), "", "L", false)
	}
	pdf.Ln(1)
	pdf.SetFont(fontFamily, "", 8.5)
	pdf.SetTextColor(90, 100, 114)
	pdf.MultiCell(0, 4.2, wd.t("sheet.requirement_facts", "references", references(wd, r.References), "domain", wd.domain(r.Domain),
		"verified_by", verifiedBy(wd, r.Checks), "slug", r.Slug), "", "L", false)
	pdf.SetTextColor(29, 36, 48)
	pdf.Ln(4)
}
