package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"tenderprobe/models"
)

// sampleYear builds the grouped rows of a year: dnssec and https demanded
// in every tender, iso-27001 recommended in half of them.
func sampleYear(year, tenders int, complyShare float64) *models.AnnualData {
	d := &models.AnnualData{Year: year}
	for i := 0; i < tenders; i++ {
		d.Tenders = append(d.Tenders, models.AnnualTender{ID: uint(i + 1), Reference: fmt.Sprintf("GV-%d-%03d", year, i+1),
			Title: fmt.Sprintf("Tender %d — Zoë Ångström's portal", i+1), Buyer: "Gemeente Voorbeeld", Status: "closed",
			PublishedAt: time.Date(year, time.Month(1+i%12), 3, 9, 0, 0, 0, time.UTC), EstimatedValueCents: 10_000_000,
			Currency: "EUR", Requirements: 3, Mandatory: 2, Attestations: 3, Submitted: 2})
	}
	d.Demand = []models.AnnualDemand{
		{Slug: "dnssec", Name: "DNSSEC", Domain: models.DomainNetwork, Level: models.LevelMandatory, Tenders: tenders},
		{Slug: "https", Name: "HTTPS", Domain: models.DomainWeb, Level: models.LevelMandatory, Tenders: tenders},
		{Slug: "iso-27001", Name: "ISO/IEC 27001", Domain: models.DomainDataProtection, Level: models.LevelRecommended, Tenders: tenders / 2},
	}
	answers := 2 * tenders
	comply := int(float64(answers) * complyShare)
	for _, slug := range []string{"dnssec", "https"} {
		d.Answers = append(d.Answers,
			models.AnnualAnswerCount{Slug: slug, Level: models.LevelMandatory, Status: models.AnswerComplies, Verdict: models.VerdictConfirmed, N: comply - 1},
			models.AnnualAnswerCount{Slug: slug, Level: models.LevelMandatory, Status: models.AnswerComplies, Verdict: models.VerdictContradicted, N: 1},
			models.AnnualAnswerCount{Slug: slug, Level: models.LevelMandatory, Status: models.AnswerDoesNotComply, Verdict: "", N: answers - comply})
	}
	d.Answers = append(d.Answers, models.AnnualAnswerCount{Slug: "iso-27001", Level: models.LevelRecommended, Status: models.AnswerNotApplicable, N: tenders})
	// Each explanation text is given by three answers (the last by what
	// is left); as the database would, only the first AnnualTexts texts
	// are listed, and Explained counts them all.
	explained := answers - comply
	for i := 0; i < explained && i/3 < AnnualTexts; i++ {
		d.Explanations = append(d.Explanations, models.AnnualExplanation{Slug: "dnssec", Standard: "DNSSEC", Level: "mandatory",
			TenderID: uint(i%tenders + 1), TenderReference: fmt.Sprintf("GV-%d-%03d", year, i%tenders+1),
			Supplier: "Łódź Mail Sp. z o.o.", Status: models.AnswerDoesNotComply,
			Explanation: fmt.Sprintf("Our registrar cannot publish DS records (case %d).", i/3), PlannedDate: "2027-06-30",
			Given: min(3, explained-i/3*3)})
	}
	if explained > 0 {
		d.Explained = []models.AnnualExplained{{Slug: "dnssec", Answers: explained, Texts: (explained + 2) / 3}}
	}
	d.Verified = tenders
	return d
}

func TestAnnualReport(t *testing.T) {
	t.Parallel()
	render := func(t *testing.T, r AnnualReport) []byte {
		t.Helper()
		var buf bytes.Buffer
		if err := WriteAnnualReport(&buf, r, Options{Created: generated}); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	r := BuildAnnual(sampleYear(2026, 24, 0.75), sampleYear(2025, 10, 0.5), "all tenders")

	t.Run("rates, domains and the change against the year before are computed", func(t *testing.T) {
		if len(r.Standards) != 3 || len(r.Domains) != 3 {
			t.Fatalf("%d standards and %d domains, want 3 and 3", len(r.Standards), len(r.Domains))
		}
		// 36 of 48 answers declare compliance; the probes contradicted 1
		// of them, which the compliance rate does not count (35 of 48).
		if got := r.Standards[1]; got.Slug != "dnssec" || got.DeclaredRateText() != "75.0%" || got.RateText() != "72.9%" || got.ChangeText() != "+27.9 pp" {
			t.Fatalf("dnssec: %s declared %s rate %s change %s, want 75.0%%, 72.9%% and +27.9 pp", got.Slug, got.DeclaredRateText(), got.RateText(), got.ChangeText())
		}
		if got := r.Standards[0]; got.Slug != "iso-27001" || got.RateText() != "n/a" {
			t.Fatalf("iso-27001 with only not-applicable answers: rate %s, want n/a", got.RateText())
		}
		if r.Total.Verdicts[models.VerdictContradicted] != 2 || r.Total.DemandedMandatory != 48 {
			t.Fatalf("total: %d contradicted, %d demanded mandatory", r.Total.Verdicts[models.VerdictContradicted], r.Total.DemandedMandatory)
		}
	})

	t.Run("the same data and generation time give the same bytes", func(t *testing.T) {
		if !bytes.Equal(render(t, r), render(t, r)) {
			t.Fatal("two renderings differ")
		}
	})

	t.Run("the PDF is valid and holds totals, charts, tables, explanations and the tender list", func(t *testing.T) {
		text := checkPDF(t, imageDir(t), "annual-report", render(t, r), 3)
		flat := strings.Join(strings.Fields(text), " ")
		pages := pageCount(t, text)
		for _, want := range []string{
			"Comply-or-explain annual report 2026", "Tenders published 24", "Compliance rate per domain",
			"Compliance rate per standard", "Tenders demanding each standard", "previous year", "+27.9 pp",
			"Network infrastructure", "Website and web application", "Per standard", "Verification verdicts per standard",
			"Explanations by standard", "Our registrar cannot publish DS records", "Given in (tender · vendor", "GV-2026-001 · Łódź Mail",
			"DNSSEC: 12 explained answers; explanations in different words: 4", "Given 3 times", "case 3",
			"Appendix. Tenders published in 2026 (24)", "GV-2026-024", "Ångström's portal",
			fmt.Sprintf("Page %d of %d", pages, pages),
		} {
			if !strings.Contains(flat, want) {
				t.Errorf("PDF text lacks %q", want)
			}
		}
	})

	t.Run("a year without a previous year says there is no data to compare", func(t *testing.T) {
		alone := BuildAnnual(sampleYear(2026, 4, 0.5), &models.AnnualData{Year: 2025}, "all tenders")
		if alone.HasPrevious || alone.Standards[1].ChangeText() != "" {
			t.Fatal("a comparison appeared without data for the year before")
		}
		text := checkPDF(t, t.TempDir(), "alone", render(t, alone), 1)
		if !strings.Contains(strings.Join(strings.Fields(text), " "), "no data for the year before") {
			t.Fatal("the totals do not say that the year before has no data")
		}
	})

	t.Run("an empty year gives a short report that says so", func(t *testing.T) {
		empty := BuildAnnual(&models.AnnualData{Year: 2031}, &models.AnnualData{Year: 2030}, "all tenders")
		text := checkPDF(t, t.TempDir(), "empty", render(t, empty), 1)
		if !strings.Contains(strings.Join(strings.Fields(text), " "), "No tender was published in 2031") || pageCount(t, text) != 1 {
			t.Fatalf("the empty report does not say so on one page:\n%s", text)
		}
	})

	t.Run("the CSV holds one row per standard, domain and the total", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteAnnualCSV(&buf, r, "en"); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1+3+3+1 {
			t.Fatalf("%d records, want header + 3 standards + 3 domains + total", len(recs))
		}
		col := columnAt(annualCSVColumns)
		if recs[0][col["compliance_rate"]] != "Compliance rate (%)" {
			t.Fatalf("header %v", recs[0])
		}
		dnssec := recs[2]
		if dnssec[col["slug"]] != "dnssec" || dnssec[col["compliance_rate"]] != "72.92" || dnssec[col["previous_rate"]] != "45.00" ||
			dnssec[col["declared_rate"]] != "75.00" ||
			dnssec[col["verdict_contradicted"]] != "1" || dnssec[col["demanded_mandatory"]] != "24" {
			t.Fatalf("dnssec row %v", dnssec)
		}
	})
}

func TestCSVFormulaInjection(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, in, want string }{
		{"a formula gets a leading apostrophe", "=HYPERLINK(\"http://evil.example\")", "'=HYPERLINK(\"http://evil.example\")"},
		{"a plus sign gets one", "+31 20 555", "'+31 20 555"},
		{"a minus sign gets one", "-2+3", "'-2+3"},
		{"an at sign gets one", "@SUM(A1)", "'@SUM(A1)"},
		{"a leading tab gets one", "\t=1", "'\t=1"},
		{"ordinary text stays", "We comply = yes", "We comply = yes"},
		{"an empty cell stays empty", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := safeCell(c.in); got != c.want {
				t.Fatalf("safeCell(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}

	t.Run("a vendor's formula in the tender matrix arrives as text", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteTenderCSV(&buf, sampleTender(), "en"); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1+3*3 {
			t.Fatalf("%d records, want header + 3 requirements x 3 vendors", len(recs))
		}
		found := false
		for _, rec := range recs[1:] {
			for _, cell := range rec {
				if strings.HasPrefix(cell, "=") || strings.HasPrefix(cell, "+") || strings.HasPrefix(cell, "@") {
					t.Errorf("cell %q starts a formula", cell)
				}
				if strings.HasPrefix(cell, "'=HYPERLINK") {
					found = true
				}
			}
		}
		if !found {
			t.Fatal("the vendor's explanation is missing from the matrix")
		}
		if !strings.Contains(buf.String(), "dnssec-policy.pdf sha256:"+sampleSHA) {
			t.Fatal("the evidence's SHA-256 is missing from the matrix")
		}
	})
}
