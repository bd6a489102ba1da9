package report

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"tenderprobe/app/probe/check"
	"tenderprobe/models"
)

// generated is the fixed generation time of every test report.
var generated = time.Date(2026, 11, 20, 14, 30, 0, 0, time.UTC)

// needTool returns the path of a command-line tool; without it the test
// skips, or fails with CI=true, where .ci/run installs it.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required with CI=true (Debian packages qpdf and poppler-utils)", name)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// checkPDF writes pdf into dir, checks it with qpdf --check, renders its
// first pages to PNG with pdftoppm (so a person can look at them in dir)
// and returns its text as pdftotext extracts it.
func checkPDF(t *testing.T, dir, name string, pdf []byte, pages int) string {
	t.Helper()
	qpdf, pdftotext, pdftoppm := needTool(t, "qpdf"), needTool(t, "pdftotext"), needTool(t, "pdftoppm")
	path := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(qpdf, "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check %s: %v\n%s", name, err, out)
	}
	out, err := exec.Command(pdftoppm, "-png", "-r", "60", "-f", "1", "-l", fmt.Sprint(pages), path, filepath.Join(dir, name)).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm %s: %v\n%s", name, err, out)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, name+"-*.png"))
	if len(pngs) == 0 {
		t.Fatalf("pdftoppm rendered no page of %s", name)
	}
	for _, p := range pngs {
		if fi, err := os.Stat(p); err != nil || fi.Size() < 1000 {
			t.Fatalf("page image %s is missing or nearly empty", p)
		}
	}
	text, err := exec.Command(pdftotext, "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", name, err)
	}
	return string(text)
}

// imageDir is where rendered pages go: TENDERPROBE_REPORT_PNG keeps them
// for a person to look at; otherwise a temporary directory.
func imageDir(t *testing.T) string {
	if d := os.Getenv("TENDERPROBE_REPORT_PNG"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func pageCount(t *testing.T, text string) int {
	t.Helper()
	m := regexp.MustCompile(`Page 1 of (\d+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no \"Page 1 of N\" in the text")
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n
}

const sampleSHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func sampleTender() TenderReport {
	published := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	deadline := time.Date(2026, 4, 15, 12, 0, 0, 0, time.UTC)
	submitted := time.Date(2026, 4, 10, 16, 5, 0, 0, time.UTC)
	verified := time.Date(2026, 4, 11, 3, 0, 0, 0, time.UTC)
	r := TenderReport{
		ID: 7, Title: "Hosting of www.gemeente.example — Ω", Reference: "GV-2026-007", Buyer: "Gemeente Voorbeeld",
		Status: "closed", Revision: 1, EstimatedValue: "EUR 185,000.00", Currency: "EUR", ValueCents: 18_500_000,
		Deadline: &deadline, PublishedAt: &published, CatalogueVersion: "2026.1",
		Description: "Managed hosting of the municipal website.",
		Requirements: []ReportRequirement{
			{ID: 11, Position: 1, Standard: "DNSSEC", Slug: "dnssec", Domain: "Network infrastructure", Level: "mandatory",
				Clause: "Sign every zone.", References: []string{"RFC 4033"}, Checks: []check.ID{"web.dnssec", "mail.dnssec"}},
			{ID: 12, Position: 2, Standard: "HTTPS", Slug: "https", Domain: "Website and web application", Level: "mandatory",
				Clause: "Serve HTTPS only.", Checks: []check.ID{"web.https"}},
			{ID: 13, Position: 3, Standard: "ISO/IEC 27001", Slug: "iso-27001", Domain: "Data protection and privacy", Level: "recommended",
				Clause: "Hold a certificate."},
		},
	}
	long := strings.Repeat("Our registrar does not support DS records for this TLD yet; we move registrar in phase two. ", 60)
	r.Vendors = []Vendor{
		{
			AttestationID: 21, SupplierOrgID: 31, Name: "Ångström Hosting B.V.", Status: "submitted", Version: 2, SubmittedAt: &submitted,
			WebDomains: []string{"www.angstrom.example"}, MailDomains: []string{"angstrom.example"},
			Answers: map[uint]VendorAnswer{
				11: {Status: models.AnswerComplies, Verdict: models.VerdictContradicted,
					Evidence: []EvidenceItem{{Name: "dnssec-policy.pdf", SHA256: sampleSHA}}},
				12: {Status: models.AnswerPartial, Explanation: "The legacy forms site still answers on plain HTTP 🚧 until June.",
					PlannedDate: "2026-06-30", Verdict: models.VerdictConsistent},
				13: {Status: models.AnswerComplies, Verdict: models.VerdictAttestationOnly,
					Evidence: []EvidenceItem{{Name: "https://angstrom.example/iso27001.pdf"}}},
			},
			Submissions: []Receipt{{Version: 1, Declarer: "Zoë Ångström", SubmittedAt: submitted.Add(-48 * time.Hour), SHA256: sampleSHA},
				{Version: 2, Declarer: "Zoë Ångström", SubmittedAt: submitted, SHA256: strings.Repeat("ab", 32)}},
			Verified: true, VerifiedAt: &verified,
			Probes: []DomainEvidence{{Domain: "www.angstrom.example", CheckedAt: verified, Checks: []CheckLine{
				{ID: "web.dnssec", Status: "fail", Summary: "the zone is not signed"},
				{ID: "web.https", Status: "fail", Summary: "http://www.angstrom.example/ does not redirect to HTTPS"},
			}}},
		},
		{
			AttestationID: 22, SupplierOrgID: 32, Name: "Łódź Mail Sp. z o.o.", Status: "submitted", Version: 1, SubmittedAt: &submitted,
			Answers: map[uint]VendorAnswer{
				11: {Status: models.AnswerDoesNotComply, Explanation: long, PlannedDate: "2027-01-31"},
				12: {Status: models.AnswerComplies},
				13: {Status: models.AnswerNotApplicable, Explanation: "=HYPERLINK(\"http://evil.example\") we are too small"},
			},
			Submissions: []Receipt{{Version: 1, Declarer: "Paweł Żółw", SubmittedAt: submitted, SHA256: sampleSHA}},
		},
		{AttestationID: 23, SupplierOrgID: 33, Name: "Nordwind Mail", Status: "draft", Version: 1, Answers: map[uint]VendorAnswer{}},
	}
	return r
}

func TestTenderReport(t *testing.T) {
	t.Parallel()
	render := func(t *testing.T, r TenderReport) []byte {
		t.Helper()
		var buf bytes.Buffer
		if err := WriteTenderReport(&buf, r, Options{Created: generated}); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}

	t.Run("the same data and generation time give the same bytes", func(t *testing.T) {
		a, b := render(t, sampleTender()), render(t, sampleTender())
		if !bytes.HasPrefix(a, []byte("%PDF-")) {
			t.Fatalf("not a PDF: %q", a[:8])
		}
		if !bytes.Equal(a, b) {
			t.Fatal("two renderings of the same report differ")
		}
		other := render(t, func() TenderReport { r := sampleTender(); r.Vendors[0].Name = "Other B.V."; return r }())
		if bytes.Equal(a, other) {
			t.Fatal("a different vendor name gives the same bytes")
		}
	})

	t.Run("summaries count met, explained, contradicted and open mandatory requirements", func(t *testing.T) {
		got := sampleTender().Summaries()
		// Ångström's DNSSEC claim is contradicted: declared, but not met.
		want := []VendorSummary{
			{Vendor: "Ångström Hosting B.V.", Status: "submitted", Mandatory: 2, Met: 0, Explained: 1, Contradicted: 1, Recommended: 1, RecommendedMet: 1, Verified: true,
				Declared: 1, Claims: 1, ClaimsContradicted: 1},
			{Vendor: "Łódź Mail Sp. z o.o.", Status: "submitted", Mandatory: 2, Met: 1, Explained: 1, Recommended: 1, Declared: 1},
			{Vendor: "Nordwind Mail", Status: "draft", Mandatory: 2, Open: 2, Recommended: 1},
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("summaries\n got %+v\nwant %+v", got, want)
		}
	})

	t.Run("the PDF is valid and shows facts, answers, explanations, probe evidence and receipts", func(t *testing.T) {
		dir := imageDir(t)
		text := checkPDF(t, dir, "tender-report", render(t, sampleTender()), 3)
		pages := pageCount(t, text)
		flat := strings.Join(strings.Fields(text), " ")
		for _, want := range []string{
			"Comply-or-explain report", "Hosting of www.gemeente.example — Ω", "GV-2026-007", "Gemeente Voorbeeld",
			"at or above the €50,000.00 threshold", "Generated 20 Nov 2026, 14:30 UTC",
			"Summary per vendor", "Ångström Hosting B.V.", "Łódź Mail Sp. z o.o.", "Zoë Ångström", "Paweł Żółw",
			"DNSSEC — MANDATORY", "contradicted", "dnssec-policy.pdf", "30 Jun 2026", "still answers on plain HTTP",
			"Explanations", "we move registrar in phase two", "Appendix A. Probe evidence per domain", "www.angstrom.example",
			"the zone is not signed", "No verification exists for this vendor", "Appendix B. Submission receipts",
			"Page 1 of " + fmt.Sprint(pages), fmt.Sprintf("Page %d of %d", pages, pages), "Comply-or-explain report · Hosting of",
		} {
			if !strings.Contains(flat, want) {
				t.Errorf("PDF text lacks %q", want)
			}
		}
		// The SHA-256 wraps inside its cell; its start must be there.
		if !strings.Contains(flat, sampleSHA[:24]) {
			t.Errorf("PDF text lacks the evidence's SHA-256")
		}
		if pages < 4 {
			t.Errorf("%d pages; the long explanation alone should need more", pages)
		}
	})

	t.Run("a tender nobody verified says plainly that no verification exists", func(t *testing.T) {
		r := sampleTender()
		r.Vendors = r.Vendors[1:]
		text := checkPDF(t, t.TempDir(), "unverified", render(t, r), 1)
		flat := strings.Join(strings.Fields(text), " ")
		if !strings.Contains(flat, "No verification exists for this tender") {
			t.Fatal("the cover does not say that no verification exists")
		}
	})

	t.Run("a tender without vendors still renders", func(t *testing.T) {
		r := sampleTender()
		r.Vendors = nil
		text := checkPDF(t, t.TempDir(), "novendors", render(t, r), 1)
		if !strings.Contains(text, "No vendor has been invited") {
			t.Fatal("the summary does not say that no vendor was invited")
		}
	})
}

func TestEmojiDoNotCrashTheRenderers(t *testing.T) {
	t.Parallel()
	t.Run("a requirement sheet with an emoji in its title, reference and clause renders", func(t *testing.T) {
		s := sampleSheet(2)
		s.Title, s.Reference, s.Requirements[0].Clause = "Hosting 🚀", "REF 🚀", "Sign 🔏 every zone."
		var buf bytes.Buffer
		if err := WriteSheet(&buf, s, Options{Created: generated}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a tender report with an emoji in the title, buyer and vendor renders", func(t *testing.T) {
		r := sampleTender()
		r.Title, r.Buyer, r.Vendors[0].Name = "Hosting 🚀", "Gemeente 🏛", "Vendor 🐙"
		var buf bytes.Buffer
		if err := WriteTenderReport(&buf, r, Options{Created: generated}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSafeText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, in, want string }{
		{"plain text stays as it is", "Zoë Ångström", "Zoë Ångström"},
		{"an emoji is kept for the document to replace (printable)", "ok 🚧", "ok 🚧"},
		{"carriage returns go and tabs become spaces", "a\r\nb\tc", "a\nb c"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := safeText(c.in); got != c.want {
				t.Fatalf("safeText(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}
