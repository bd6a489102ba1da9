package report

import (
	"fmt"
	"io"
	"strings"

	"tenderprobe/models"
)

// WriteTenderReport renders r as an A4 PDF to w in opt.Lang (the tender's
// language): a cover with the tender's facts and the generation time
// (opt.Created), a summary per vendor, a table per requirement of every
// vendor's answer, explanation, planned date, evidence and verdict, all
// explanations in one section, and an appendix with the probe evidence per
// domain and the submission receipts. Every time names its zone.
func WriteTenderReport(w io.Writer, r TenderReport, opt Options) error {
	wd := wordsOf(opt)
	running := func(title string) string {
		if r.Reference == "" {
			return wd.t("report.running_header", "title", title)
		}
		return wd.t("report.running_header", "title", title) + " · " + safeText(r.Reference)
	}
	return render(w, wd.t("report.title", "title", safeText(r.Title)), opt, fmt.Sprintf("tender report %q", r.Title), true, func(pdf *doc) {
		header(pdf, safeText(r.Title), running)
		footer(pdf, wd, wd.t("report.generated_on", "date", wd.dateTime(opt.Created)))
		pdf.AddPage()

		tenderCover(pdf, wd, r, opt)
		tenderSummary(pdf, wd, r)
		tenderRequirements(pdf, wd, r)
		tenderExplanations(pdf, wd, r)
		tenderAppendix(pdf, wd, r)
	})
}

// ofCount is "3 of 5" in the document's language.
func (w words) ofCount(n, total int) string { return w.t("report.of", "n", n, "total", total) }

func tenderCover(pdf *doc, wd words, r TenderReport, opt Options) {
	pdf.SetFont(fontFamily, "", 11)
	pdf.SetTextColor(90, 100, 114)
	pdf.CellFormat(0, 6, wd.t("report.kind"), "", 1, "L", false, 0, "")
	pdf.SetTextColor(29, 36, 48)
	pdf.SetFont(fontFamily, "B", 18)
	pdf.MultiCell(0, 8, safeText(r.Title), "", "L", false)
	pdf.Ln(2)

	mandatory := 0
	for _, q := range r.Requirements {
		if q.Mandatory() {
			mandatory++
		}
	}
	submitted := 0
	for _, v := range r.Vendors {
		if v.Status == "submitted" {
			submitted++
		}
	}
	value := wd.orNone(r.EstimatedValue)
	if r.ValueCents > 0 && r.Currency != "" {
		value = wd.money(r.ValueCents, r.Currency)
	}
	if r.ValueCents > 0 && r.Currency == "EUR" {
		// The Dutch Instructie applies comply-or-explain from EUR 50,000.
		threshold := wd.money(50_000_00, "EUR")
		if r.ValueCents >= 50_000_00 {
			value += " " + wd.t("report.threshold.above", "threshold", threshold)
		} else {
			value += " " + wd.t("report.threshold.below", "threshold", threshold)
		}
	}
	table(pdf, [][2]string{
		{wd.t("report.fact.reference"), wd.orNone(r.Reference)},
		{wd.t("report.fact.buyer"), wd.orNone(r.Buyer)},
		{wd.t("report.fact.status"), wd.t("report.status_revision", "status", wd.word("tender_status", r.Status, r.Status), "revision", r.Revision)},
		{wd.t("report.fact.estimated_value"), value},
		{wd.t("report.fact.published"), wd.dateTimeOrNone(r.PublishedAt)},
		{wd.t("report.fact.deadline"), wd.dateTimeOrNone(r.Deadline)},
		{wd.t("report.fact.catalogue_version"), wd.orNone(r.CatalogueVersion)},
		{wd.t("report.fact.requirements"), wd.t("report.requirements_count", "count", len(r.Requirements), "mandatory", mandatory, "recommended", len(r.Requirements)-mandatory)},
		{wd.t("report.fact.vendors"), wd.t("report.vendors_count", "count", len(r.Vendors), "submitted", submitted)},
		{wd.t("report.fact.generated"), wd.dateTime(opt.Created)},
	})
	if r.Description != "" {
		pdf.Ln(3)
		para(pdf, r.Description)
	}
	pdf.Ln(3)
	if !r.AnyVerified() {
		para(pdf, wd.t("report.no_verification"))
	} else {
		small(pdf, wd.t("report.probe_disclaimer"))
	}
}

func tenderSummary(pdf *doc, wd words, r TenderReport) {
	heading(pdf, wd.t("report.summary.heading"))
	if len(r.Vendors) == 0 {
		para(pdf, wd.t("report.summary.no_vendors"))
		return
	}
	small(pdf, wd.t("report.summary.explained")+" "+wd.t("report.probes.explained"))
	pdf.Ln(1)
	summaries := r.Summaries()
	rows := make([][]string, 0, len(summaries))
	for _, s := range summaries {
		verified := wd.ofCount(s.Confirmed, s.Mandatory)
		if !s.Verified {
			verified = "-"
		}
		contradicted := fmt.Sprint(s.Contradicted)
		if s.Contradicted > 0 {
			contradicted = "✗ " + contradicted
		}
		rows = append(rows, []string{s.Vendor, wd.word("review.attestation", s.Status, s.Status), wd.ofCount(s.Declared, s.Mandatory),
			wd.ofCount(s.Met, s.Mandatory), verified,
			fmt.Sprint(s.Explained), contradicted, fmt.Sprint(s.Open),
			wd.ofCount(s.RecommendedMet, s.Recommended), s.probeText(wd)})
	}
	gridMarked(pdf, []column{{wd.t("report.col.vendor"), 23.5}, {wd.t("report.col.status"), 19}, {wd.t("report.col.mandatory_declared"), 16},
		{wd.t("report.col.mandatory_met"), 15}, {wd.t("report.col.mandatory_verified"), 16}, {wd.t("report.col.explained"), 15.5},
		{wd.t("report.col.contradicted"), 15}, {wd.t("report.col.open"), 12}, {wd.t("report.col.recommended_met"), 14}, {wd.t("report.col.probes"), 28}},
		rows, func(i int) bool { return summaries[i].Contradicted > 0 })
}

func evidenceText(items []EvidenceItem) string {
	if len(items) == 0 {
		return ""
	}
	parts := make([]string, len(items))
	for i, e := range items {
		parts[i] = e.Name
		if e.SHA256 != "" {
			parts[i] += "\nSHA-256 " + e.SHA256
		}
	}
	return strings.Join(parts, "\n")
}

func verdictText(wd words, v Vendor, an VendorAnswer) string {
	text := wd.verdict(an.Verdict)
	switch {
	case !v.Verified:
		text = wd.t("report.probes.none")
	case an.Verdict == "contradicted":
		text = wd.t("report.mark.contradicted")
	}
	return text + reviewText(wd, an)
}

// reviewText is the buyer's decision on an answer under its verdict: an
// accepted answer with the reason given (an accepted contradicted claim
// above all), a clarification asked with the question; nothing while it
// waits for review.
func reviewText(wd words, an VendorAnswer) string {
	var key string
	switch an.Review {
	case models.ReviewAccepted:
		key = "report.review.accepted"
	case models.ReviewClarification:
		key = "report.review.clarification"
	default:
		return ""
	}
	out := "\n" + wd.t(key)
	if note := strings.TrimSpace(an.ReviewNote); note != "" {
		out += ": “" + note + "”"
	}
	return out
}

func tenderRequirements(pdf *doc, wd words, r TenderReport) {
	ensureSpace(pdf, 75) // the heading goes with the first requirement
	heading(pdf, wd.t("report.answers.heading", "count", len(r.Requirements)))
	if len(r.Requirements) == 0 {
		para(pdf, wd.t("report.answers.no_requirements"))
		return
	}
	cols := []column{{wd.t("report.col.vendor"), 28}, {wd.t("report.col.answer"), 22}, {wd.t("report.col.explanation"), 42},
		{wd.t("report.col.planned"), 20}, {wd.t("report.col.evidence"), 34}, {wd.t("report.col.verdict"), 28}}
	for _, q := range r.Requirements {
		title := fmt.Sprintf("%d. %s — %s", q.Position, q.Standard, strings.ToUpper(wd.level(q.Level)))
		facts := wd.t("report.requirement_facts", "domain", wd.domain(q.Domain), "references", references(wd, q.References), "verified_by", verifiedBy(wd, q.Checks))
		// What the vendors answered to: the clause as published.
		demanded := ""
		if strings.TrimSpace(q.Clause) != "" {
			demanded = wd.t("report.demanded", "clause", q.Clause)
		}
		rows := make([][]string, 0, len(r.Vendors))
		contradicted := make([]bool, 0, len(r.Vendors))
		for _, v := range r.Vendors {
			an := v.Answers[q.ID]
			rows = append(rows, []string{v.Name, wd.answer(an.Status), an.Explanation, wd.plannedDate(an.PlannedDate), evidenceText(an.Evidence), verdictText(wd, v, an)})
			contradicted = append(contradicted, v.Verified && an.Verdict == "contradicted")
		}
		// The title and its facts go with the table of answers under it.
		lead := subheadingHeight(pdf, title) + smallHeight(pdf, facts) + 1
		if demanded != "" {
			lead += smallHeight(pdf, demanded)
		}
		keepWithGrid(pdf, lead, cols, rows)
		subheading(pdf, title)
		small(pdf, facts)
		if demanded != "" {
			small(pdf, demanded)
		}
		pdf.Ln(1)
		if len(r.Vendors) == 0 {
			para(pdf, wd.t("report.answers.no_vendors"))
			continue
		}
		gridMarked(pdf, cols, rows, func(i int) bool { return contradicted[i] })
	}
}

// plannedDate writes a planned date (YYYY-MM-DD) as the language writes
// dates; anything else as it was given.
func (w words) plannedDate(s string) string {
	if d, err := parseDay(s); err == nil {
		return catalogue().Date(w.lang, d)
	}
	return s
}

func tenderExplanations(pdf *doc, wd words, r TenderReport) {
	heading(pdf, wd.t("report.explanations.heading"))
	small(pdf, wd.t("report.explanations.intro"))
	pdf.Ln(1)
	var rows [][]string
	for _, q := range r.Requirements {
		for _, v := range r.Vendors {
			an := v.Answers[q.ID]
			if an.Status == "" || an.Status == "complies" {
				continue
			}
			text := an.Explanation
			if an.PlannedDate != "" {
				text += "\n" + wd.t("report.planned", "date", wd.plannedDate(an.PlannedDate))
			}
			rows = append(rows, []string{fmt.Sprintf("%s (%s)", q.Standard, wd.level(q.Level)), v.Name, wd.answer(an.Status), text})
		}
	}
	if len(rows) == 0 {
		para(pdf, wd.t("report.explanations.none"))
		return
	}
	grid(pdf, []column{{wd.t("report.col.requirement"), 36}, {wd.t("report.col.vendor"), 30}, {wd.t("report.col.answer"), 22}, {wd.t("report.col.explanation"), 86}}, rows)
}

// probeRows are the rows of a domain's table of checks in appendix A.
func probeRows(wd words, d DomainEvidence) [][]string {
	rows := make([][]string, 0, len(d.Checks)+1)
	if d.Error != "" {
		rows = append(rows, []string{wd.t("report.appendix_a.domain_row"), wd.word("check_status", "error", "error"), d.Error})
	}
	for _, c := range d.Checks {
		rows = append(rows, []string{string(c.ID), wd.word("check_status", string(c.Status), string(c.Status)), c.Summary})
	}
	return rows
}

// domainTitle heads a domain's table of checks in appendix A, in bold 9
// pt, domainTitleWidth wide.
func domainTitle(wd words, d DomainEvidence) string {
	return safeText(wd.t("report.appendix_a.checked", "domain", d.Domain, "time", wd.dateTime(d.CheckedAt)))
}

func domainTitleWidth(pdf *doc) float64 {
	pageWidth, _ := pdf.GetPageSize()
	return pageWidth - 2*margin - 2
}

func domainTitleHeight(pdf *doc, wd words, d DomainEvidence) float64 {
	pdf.SetFont(fontFamily, "B", 9)
	return 5 * float64(len(wrapText(pdf, domainTitle(wd, d), domainTitleWidth(pdf))))
}

func tenderAppendix(pdf *doc, wd words, r TenderReport) {
	pdf.AddPage()
	heading(pdf, wd.t("report.appendix_a.heading"))
	small(pdf, wd.t("report.probe_disclaimer"))
	pdf.Ln(1)
	if len(r.Vendors) == 0 {
		para(pdf, wd.t("report.appendix_a.no_vendors"))
	}
	checkCols := []column{{wd.t("report.col.check"), 34}, {wd.t("report.col.check_status"), 22}, {wd.t("report.col.finding"), 118}}
	for _, v := range r.Vendors {
		scope := wd.t("report.appendix_a.scope", "web", wd.orNone(strings.Join(v.WebDomains, ", ")), "mail", wd.orNone(strings.Join(v.MailDomains, ", ")))
		finished := wd.t("report.appendix_a.finished", "time", wd.dateTimeOrNone(v.VerifiedAt))
		// The vendor's name goes with its first domain's table.
		lead := subheadingHeight(pdf, v.Name) + smallHeight(pdf, scope)
		if v.Verified && len(v.Probes) > 0 {
			d := v.Probes[0]
			lead += smallHeight(pdf, finished) + 1 + domainTitleHeight(pdf, wd, d)
			keepWithGrid(pdf, lead, checkCols, probeRows(wd, d))
		} else {
			ensureSpace(pdf, lead+2*lineHeight)
		}
		subheading(pdf, v.Name)
		small(pdf, scope)
		if !v.Verified {
			para(pdf, wd.t("report.appendix_a.not_verified"))
			continue
		}
		small(pdf, finished)
		if len(v.Probes) == 0 {
			para(pdf, wd.t("report.appendix_a.no_domains"))
			continue
		}
		for _, d := range v.Probes {
			rows := probeRows(wd, d)
			pdf.Ln(1)
			keepWithGrid(pdf, domainTitleHeight(pdf, wd, d), checkCols, rows)
			pdf.SetFont(fontFamily, "B", 9)
			pdf.MultiCell(0, 5, strings.Join(wrapText(pdf, domainTitle(wd, d), domainTitleWidth(pdf)), "\n"), "", "L", false)
			grid(pdf, checkCols, rows)
		}
	}

	heading(pdf, wd.t("report.appendix_b.heading"))
	small(pdf, wd.t("report.appendix_b.intro"))
	pdf.Ln(1)
	var rows [][]string
	for _, v := range r.Vendors {
		for _, s := range v.Submissions {
			rows = append(rows, []string{v.Name, fmt.Sprint(s.Version), s.Declarer, wd.dateTime(s.SubmittedAt), s.SHA256})
		}
	}
	if len(rows) == 0 {
		para(pdf, wd.t("report.appendix_b.none"))
		return
	}
	grid(pdf, []column{{wd.t("report.col.vendor"), 36}, {wd.t("report.col.version"), 15}, {wd.t("report.col.declarer"), 28},
		{wd.t("report.col.submitted"), 31}, {wd.t("report.col.receipt"), 64}}, rows)
}
