package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"tenderprobe/models"
)

func renderTender(t *testing.T, r TenderReport) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTenderReport(&buf, r, Options{Created: generated}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func renderAnnual(t *testing.T, r AnnualReport) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteAnnualReport(&buf, r, Options{Created: generated}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writePDF stores pdf in a temp file for the poppler tools.
func writePDF(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// pageTexts returns the text of every page of the PDF at path, in order.
func pageTexts(t *testing.T, path string) []string {
	t.Helper()
	pdftotext := needTool(t, "pdftotext")
	out, err := exec.Command(pdftotext, "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(string(out), "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	return pages
}

func flatText(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestAContradictedAnswerIsNeverMet(t *testing.T) {
	t.Parallel()
	t.Run("in the tender report a contradicted claim is declared but neither met nor verified", func(t *testing.T) {
		s := sampleTender().Summaries()[0]
		if s.Declared != 1 || s.Met != 0 || s.Confirmed != 0 || s.Contradicted != 1 {
			t.Fatalf("Ångström: declared %d, met %d, confirmed %d, contradicted %d; want 1, 0, 0, 1", s.Declared, s.Met, s.Confirmed, s.Contradicted)
		}
		if s.ProbeState() != ProbesContradicted {
			t.Errorf("probes %q, want contradicted", s.ProbeState())
		}
	})
	probes := []struct {
		name     string
		verdicts [2]string
		want     string
	}{
		{"every checkable claim confirmed reads verified", [2]string{models.VerdictConfirmed, models.VerdictConfirmed}, ProbesVerified},
		{"a claim not measured leaves it partly verified", [2]string{models.VerdictConfirmed, models.VerdictNotMeasured}, ProbesPartly},
		{"an inconclusive claim leaves it partly verified", [2]string{models.VerdictInconclusive, models.VerdictConfirmed}, ProbesPartly},
		{"one contradicted claim reads contradicted", [2]string{models.VerdictConfirmed, models.VerdictContradicted}, ProbesContradicted},
	}
	for _, tt := range probes {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleTender()
			v := r.Vendors[0]
			v.Answers = map[uint]VendorAnswer{
				11: {Status: models.AnswerComplies, Verdict: tt.verdicts[0]},
				12: {Status: models.AnswerComplies, Verdict: tt.verdicts[1]},
				13: {Status: models.AnswerComplies, Verdict: models.VerdictAttestationOnly},
			}
			r.Vendors = []Vendor{v}
			s := r.Summaries()[0]
			if s.ProbeState() != tt.want {
				t.Errorf("probes %q (%s), want %q", s.ProbeState(), s.ProbeText(), tt.want)
			}
			met := 0
			for _, verdict := range tt.verdicts {
				if verdict != models.VerdictContradicted {
					met++
				}
			}
			if s.Met != met {
				t.Errorf("mandatory met %d, want %d", s.Met, met)
			}
		})
	}

	t.Run("the annual compliance rate leaves contradicted claims out; declared and verified rates stand beside it", func(t *testing.T) {
		d := &models.AnnualData{Year: 2026, Verified: 1,
			Demand: []models.AnnualDemand{{Slug: "dmarc", Name: "DMARC", Domain: models.DomainCommunication, Level: models.LevelMandatory, Tenders: 1}},
			Answers: []models.AnnualAnswerCount{
				{Slug: "dmarc", Level: models.LevelMandatory, Status: models.AnswerComplies, Verdict: models.VerdictConfirmed, N: 6},
				{Slug: "dmarc", Level: models.LevelMandatory, Status: models.AnswerComplies, Verdict: models.VerdictContradicted, N: 3},
				{Slug: "dmarc", Level: models.LevelMandatory, Status: models.AnswerComplies, Verdict: models.VerdictInconclusive, N: 1},
				{Slug: "dmarc", Level: models.LevelMandatory, Status: models.AnswerPartial, Verdict: models.VerdictConsistent, N: 2},
				{Slug: "dmarc", Level: models.LevelMandatory, Status: models.AnswerNotApplicable, N: 4},
			}}
		r := BuildAnnual(d, nil, "all tenders")
		for _, s := range []StandardStats{r.Standards[0], r.Domains[0], r.Total} {
			if got := s.DeclaredRateText(); got != "83.3%" {
				t.Errorf("%s declared %s, want 83.3%% (10 of 12)", s.Name, got)
			}
			if got := s.RateText(); got != "58.3%" {
				t.Errorf("%s compliance rate %s, want 58.3%% (7 of 12: the 3 contradicted are not met)", s.Name, got)
			}
			if got := s.VerifiedRateText(); got != "50.0%" {
				t.Errorf("%s verified %s, want 50.0%% (6 of 12)", s.Name, got)
			}
		}
		var buf bytes.Buffer
		if err := WriteAnnualCSV(&buf, r, "en"); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := columnAt(annualCSVColumns)
		if got := recs[1]; got[col["compliance_rate"]] != "58.33" || got[col["declared_rate"]] != "83.33" || got[col["verified_rate"]] != "50.00" {
			t.Errorf("CSV rates: compliance %s, declared %s, verified %s", got[col["compliance_rate"]], got[col["declared_rate"]], got[col["verified_rate"]])
		}
		if col["compliance_rate"] != 7+len(models.AnswerStatuses)+6+1 || col["declared_rate"] <= col["previous_rate"] ||
			recs[0][col["compliance_rate"]] != "Compliance rate (%)" || recs[0][col["declared_rate"]] != "Declared rate (%)" {
			t.Errorf("the CSV columns moved: %v", recs[0])
		}
	})
}

func TestAnnualReportOpensWithTheYearInBrief(t *testing.T) {
	t.Parallel()
	r := BuildAnnual(sampleYear(2026, 24, 0.75), sampleYear(2025, 10, 0.5), "all tenders")
	pages := pageTexts(t, writePDF(t, renderAnnual(t, r)))
	first := flatText(pages[0])
	for _, want := range []string{
		"The year in brief",
		"In 2026, 24 tenders were published by 1 buyer organisation, demanding 60 standard requirements (48 mandatory).",
		"Vendors submitted 48 attestations with 120 answers; of the 96 answers that apply, vendors declared 75.0% met and the probes verified 72.9%.",
		"The probes contradicted 2 claims of compliance; the compliance rate counts none of them as met, which gives 72.9%.",
		"Against 2025, the compliance rate changed by +27.9 pp.",
	} {
		if !strings.Contains(first, want) {
			t.Errorf("the first page lacks %q:\n%s", want, first)
		}
	}
	if strings.Index(first, "The year in brief") > strings.Index(first, "Tenders published") {
		t.Error("the summary does not open the report: it comes after the totals")
	}
}

func TestChartsHaveANumericAxisAndTheCountOnEachBar(t *testing.T) {
	t.Parallel()
	r := BuildAnnual(sampleYear(2026, 24, 0.75), nil, "all tenders")
	all := flatText(strings.Join(pageTexts(t, writePDF(t, renderAnnual(t, r))), " "))
	for _, want := range []string{
		"0% 25% 50% 75% 100%", "percent of the answers that apply",
		"75.0% declared · 72.9% verified · n=48",
		"0 5 10 15 20 25", "number of tenders", "24 (24 mand. + 0 rec.)", "12 (0 mand. + 12 rec.)",
		"Website and web application", "Data protection and privacy",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the charts lack %q", want)
		}
	}
	t.Run("a long label wraps instead of being cut", func(t *testing.T) {
		long := BuildAnnual(sampleYear(2026, 4, 0.5), nil, "all tenders")
		long.Standards[1].Name = "Domain-based Message Authentication, Reporting and Conformance with strict alignment"
		text := flatText(strings.Join(pageTexts(t, writePDF(t, renderAnnual(t, long))), " "))
		if !strings.Contains(text, "Reporting and Conformance with strict alignment") || strings.Contains(text, "…") {
			t.Error("the long label is cut off")
		}
	})
}

func TestContradictedClaimsAreMarkedAndFilled(t *testing.T) {
	t.Parallel()
	path := writePDF(t, renderTender(t, sampleTender()))
	pages := pageTexts(t, path)
	var row string
	for _, line := range strings.Split(strings.Join(pages, "\n"), "\n") {
		if strings.Contains(line, "complies") && strings.Contains(line, "dnssec-policy.pdf") {
			row = line
		}
	}
	if !strings.Contains(row, "✗ contradicted") {
		t.Errorf("the contradicted DNSSEC claim has no text mark: %q", row)
	}
	if !strings.Contains(flatText(pages[0]), "Probes") || !strings.Contains(flatText(pages[0]), "contradicted: 1") {
		t.Error("the summary does not say the probes contradicted the vendor")
	}
	if strings.Count(flatText(strings.Join(pages, " ")), "✗ contradicted") != 1 {
		t.Error("a claim that is not contradicted carries the mark")
	}
	// The row is filled as well: count the fill's pixels on page one.
	pdftoppm := needTool(t, "pdftoppm")
	prefix := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command(pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", path, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	f, err := os.Open(prefix + "-1.png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	filled := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r>>8, markFill[0]) && near(g>>8, markFill[1]) && near(bl>>8, markFill[2]) {
				filled++
			}
		}
	}
	if filled < 500 {
		t.Errorf("%d pixels of the highlight fill on page one; the contradicted rows are not filled", filled)
	}
}

func near(a uint32, b int) bool { return int(a)-b <= 3 && b-int(a) <= 3 }

var (
	pageTag = regexp.MustCompile(`<page width="([\d.]+)"`)
	wordTag = regexp.MustCompile(`<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>`)
)

func TestLongLinksAndHashesStayInsideTheMargins(t *testing.T) {
	t.Parallel()
	url := "https://evidence.angstrom.example/certificates/2026/iso-27001/surveillance-audit/" + strings.Repeat("segment-", 12) + "final.pdf?download=1&version=2"
	hash := strings.Repeat("0123456789abcdef", 8)
	r := sampleTender()
	an := r.Vendors[0].Answers[13]
	an.Evidence = []EvidenceItem{{Name: url}, {Name: "scan.pdf", SHA256: hash}}
	an.Explanation = "See " + url
	r.Vendors[0].Answers[13] = an
	r.Vendors[0].Probes[0].Domain = strings.Repeat("very-long-label.", 8) + "example"
	r.Vendors[0].Submissions[0].SHA256 = hash
	path := writePDF(t, renderTender(t, r))
	out, err := exec.Command(needTool(t, "pdftotext"), "-bbox", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	m := pageTag.FindSubmatch(out)
	if m == nil {
		t.Fatal("no page size in pdftotext -bbox")
	}
	width, _ := strconv.ParseFloat(string(m[1]), 64)
	limit := width - margin*72/25.4 + 0.5
	words := 0
	for _, w := range wordTag.FindAllSubmatch(out, -1) {
		words++
		x, _ := strconv.ParseFloat(string(w[1]), 64)
		if x > limit {
			t.Errorf("%q ends at %.1f pt, past the right margin at %.1f pt", w[2], x, limit)
		}
	}
	if words < 500 {
		t.Fatalf("only %d words read", words)
	}
	if !strings.Contains(string(out), "0123456789abcdef0123456789abcdef") {
		t.Error("the hash is not broken at a multiple of 16 characters")
	}
	pieces := 0
	for _, w := range wordTag.FindAllSubmatch(out, -1) {
		word := strings.ReplaceAll(string(w[2]), "&amp;", "&")
		// Only pieces of the link: other words (domains, "version") are
		// whole words of other texts.
		if !strings.Contains(url, word) || strings.HasSuffix(url, word) || !strings.ContainsAny(word, "/-") {
			continue
		}
		pieces++
		if !strings.ContainsAny(word[len(word)-1:], breakAfter) {
			t.Errorf("the link breaks after %q, not after one of %s", word, breakAfter)
		}
	}
	if pieces < 3 {
		t.Errorf("only %d pieces of the long link found", pieces)
	}
}

func TestWrapTextBreaksAtSensiblePoints(t *testing.T) {
	t.Parallel()
	for _, single := range []bool{true, false} {
		t.Run(fmt.Sprintf("with single-byte fonts %v", single), func(t *testing.T) { testWrapText(t, single) })
	}
}

func testWrapText(t *testing.T, single bool) {
	pdf := newDocument("t", Options{Created: generated}, single)
	pdf.AddPage()
	pdf.SetFont(fontFamily, "", gridFontSize)
	tests := []struct {
		name  string
		text  string
		width float64
		check func(t *testing.T, lines []string)
	}{
		{"a hash breaks every 16 characters", strings.Repeat("9f86d081884c7d65", 4), 40, func(t *testing.T, lines []string) {
			for _, l := range lines {
				if len(l)%16 != 0 {
					t.Errorf("line %q is not a multiple of 16 characters", l)
				}
			}
		}},
		{"a URL breaks after a slash, dot or dash", "https://example.org/" + strings.Repeat("abcdefgh/", 10) + "end", 30, func(t *testing.T, lines []string) {
			for _, l := range lines[:len(lines)-1] {
				if !strings.ContainsAny(l[len(l)-1:], breakAfter) {
					t.Errorf("line %q does not end at a break point", l)
				}
			}
		}},
		{"words wrap at spaces", "one two three four five six seven eight nine ten", 20, func(t *testing.T, lines []string) {
			if strings.Join(lines, " ") != "one two three four five six seven eight nine ten" {
				t.Errorf("lines %q", lines)
			}
		}},
		{"a word without break points is cut where it must be", strings.Repeat("x", 80), 20, func(t *testing.T, lines []string) {
			if strings.Join(lines, "") != strings.Repeat("x", 80) || len(lines) < 2 {
				t.Errorf("lines %q", lines)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := wrapText(pdf, tt.text, tt.width)
			for _, l := range lines {
				if w := pdf.GetStringWidth(l); w > tt.width {
					t.Errorf("line %q is %.1f mm wide, more than %.1f", l, w, tt.width)
				}
			}
			tt.check(t, lines)
		})
	}
}

func TestATableRowNeverSplitsAcrossPages(t *testing.T) {
	t.Parallel()
	for _, single := range []bool{true, false} {
		t.Run(fmt.Sprintf("with single-byte fonts %v", single), func(t *testing.T) { testRowsNeverSplit(t, single) })
	}
}

func testRowsNeverSplit(t *testing.T, single bool) {
	pdf := newDocument("rows", Options{Created: generated}, single)
	footer(pdf, wordsOf(Options{}), "rows")
	pdf.AddPage()
	var rows [][]string
	for i := range 40 {
		// Rows of 3 to 11 lines, with a word at their start and end.
		body := fmt.Sprintf("ROWSTART%02d", i)
		for k := range 2 + i%9 {
			body += fmt.Sprintf("\nline %d of row %d", k, i)
		}
		body += fmt.Sprintf("\nROWEND%02d", i)
		rows = append(rows, []string{fmt.Sprint(i), body})
	}
	grid(pdf, []column{{"Row", 20}, {"Text", 154}}, rows)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	pages := pageTexts(t, writePDF(t, buf.Bytes()))
	if len(pages) < 3 {
		t.Fatalf("%d pages; the rows should need several", len(pages))
	}
	for i := range rows {
		start, end := -1, -1
		for p, text := range pages {
			if strings.Contains(text, fmt.Sprintf("ROWSTART%02d", i)) {
				start = p
			}
			if strings.Contains(text, fmt.Sprintf("ROWEND%02d", i)) {
				end = p
			}
		}
		if start < 0 || start != end {
			t.Errorf("row %d starts on page %d and ends on page %d", i, start+1, end+1)
		}
	}
	for p, text := range pages[1:] {
		if !strings.Contains(text, "Row") || !strings.Contains(text, "Text") {
			t.Errorf("page %d does not repeat the heading row", p+2)
		}
	}
}

// TestEveryReportTextHasWords finds every message key the documents use
// and checks that each language's own file has it, so no document shows a
// key or falls back to English.
func TestEveryReportTextHasWords(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`\.t\("([\w.]+)"[,)]`)
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
		}
	}
	for _, state := range []string{ProbesNone, ProbesVerified, ProbesPartly, ProbesContradicted, ProbesNothing} {
		used["report.probes."+state] = true
	}
	for _, k := range []string{"yes", "no", "kind.standard", "kind.domain", "kind.total"} {
		used["csv_report."+k] = true
	}
	for doc, columns := range map[string][]string{"tender": tenderCSVColumns, "annual": annualCSVColumns} {
		for _, c := range columns {
			used["csv_report.col."+doc+"."+c] = true
		}
	}
	for _, scope := range []string{ScopeAll, ScopeOwn} {
		used["annual.scope."+scope] = true
	}
	if len(used) < 100 {
		t.Fatalf("only %d keys found; the scan is broken", len(used))
	}
	cat := catalogue()
	for _, lang := range cat.Languages() {
		for key := range used {
			if !cat.Has(lang, key) {
				t.Errorf("no words for %q in %s.yaml", key, lang)
			}
		}
	}
}
