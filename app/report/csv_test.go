package report

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"tenderprobe/models"
)

// csvRecords writes a CSV with write and reads it back.
func csvRecords(t *testing.T, write func(*bytes.Buffer) error) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	return recs
}

// columnAt gives each column's position in the fixed order, as a
// program reading the CSV does.
func columnAt(columns []string) map[string]int {
	at := make(map[string]int, len(columns))
	for i, c := range columns {
		at[c] = i
	}
	return at
}

func TestReportCSVsFollowTheOneCSVConvention(t *testing.T) {
	t.Parallel()
	tender := sampleTender()
	withDomainCodes(tender.Requirements, func(q *ReportRequirement, code string) { q.Domain = code })
	annual := BuildAnnual(sampleYear(2026, 24, 0.75), sampleYear(2025, 10, 0.5), "all tenders")
	docs := []struct {
		name    string
		doc     string
		columns []string
		write   func(lang string) func(*bytes.Buffer) error
	}{
		{"the tender matrix CSV", "tender", tenderCSVColumns, func(lang string) func(*bytes.Buffer) error {
			return func(b *bytes.Buffer) error { return WriteTenderCSV(b, tender, lang) }
		}},
		{"the annual CSV", "annual", annualCSVColumns, func(lang string) func(*bytes.Buffer) error {
			return func(b *bytes.Buffer) error { return WriteAnnualCSV(b, annual, lang) }
		}},
	}
	for _, d := range docs {
		for _, lang := range catalogue().Languages() {
			t.Run(d.name+" in "+lang+" has a header of words, one per column, as wide as every row", func(t *testing.T) {
				recs := csvRecords(t, d.write(lang))
				if len(recs[0]) != len(d.columns) {
					t.Fatalf("header has %d cells, the column list %d", len(recs[0]), len(d.columns))
				}
				for i, cell := range recs[0] {
					if !catalogue().Has(lang, "csv_report.col."+d.doc+"."+d.columns[i]) || strings.HasPrefix(cell, "csv_report.") || cell == d.columns[i] {
						t.Errorf("column %d (%s) is headed %q, not words in %s", i, d.columns[i], cell, lang)
					}
				}
				if seen := slices.Compact(slices.Sorted(slices.Values(recs[0]))); len(seen) != len(recs[0]) {
					t.Errorf("two columns share a header: %v", recs[0])
				}
				for _, rec := range recs[1:] {
					if len(rec) != len(d.columns) {
						t.Fatalf("a row of %d cells under %d columns: %v", len(rec), len(d.columns), rec)
					}
				}
			})
		}
	}

	t.Run("the Dutch tender CSV has a Dutch header and codes in its code columns", func(t *testing.T) {
		recs := csvRecords(t, docs[0].write("nl"))
		col := columnAt(tenderCSVColumns)
		head := recs[0]
		for column, want := range map[string]string{
			"tender_id": "Nummer van de aanbesteding", "level": "Niveau (code)", "answer": "Antwoord (code)", "verdict": "Oordeel (code)",
			"met": "Voldaan, tenzij de metingen het tegenspreken (yes/no)", "level_words": "Niveau", "verdict_words": "Oordeel",
		} {
			if got := head[col[column]]; got != want {
				t.Errorf("%s is headed %q, want %q", column, got, want)
			}
		}
		// The first vendor's answer to the DNSSEC requirement: complies,
		// contradicted by the probes.
		row := recs[1]
		for column, want := range map[string]string{
			"tender_id": "7", "slug": "dnssec", "domain": "Network infrastructure", "level": models.LevelMandatory,
			"attestation_status": "submitted", "answer": models.AnswerComplies, "verdict": models.VerdictContradicted,
			"met_declared": "yes", "met": "no", "met_verified": "no",
			"domain_words": "Netwerkinfrastructuur", "level_words": "verplicht", "attestation_status_words": "ingediend",
			"answer_words": "voldoet", "verdict_words": "tegengesproken", "met_declared_words": "ja", "met_words": "nee",
		} {
			if got := row[col[column]]; got != want {
				t.Errorf("%s holds %q, want %q", column, got, want)
			}
		}
	})

	t.Run("the Spanish annual CSV has a Spanish header and codes in its code columns", func(t *testing.T) {
		recs := csvRecords(t, docs[1].write("es"))
		col := columnAt(annualCSVColumns)
		head, row := recs[0], recs[1]
		for column, want := range map[string]string{
			"year": "Año", "kind": "Tipo de fila (código)", "answers_complies": "Respuestas: cumple (número)",
			"verdict_not_measured": "Veredictos: sin medir (número)", "kind_words": "Tipo de fila",
		} {
			if got := head[col[column]]; got != want {
				t.Errorf("%s is headed %q, want %q", column, got, want)
			}
		}
		if row[col["year"]] != "2026" || row[col["kind"]] != "standard" || row[col["kind_words"]] != "estándar" || !slices.Contains(models.Domains, row[col["domain"]]) {
			t.Errorf("first row %v", row)
		}
	})

	t.Run("the annual CSV has a column for every answer status and verdict", func(t *testing.T) {
		for _, s := range models.AnswerStatuses {
			if !slices.Contains(csvAnswerStatuses, s) || !slices.Contains(annualCSVColumns, "answers_"+s) {
				t.Errorf("answer status %s has no column", s)
			}
		}
		for _, v := range append(csvVerdicts, models.VerdictNotMeasured) {
			if !slices.Contains(annualCSVColumns, "verdict_"+v) {
				t.Errorf("verdict %s has no column", v)
			}
		}
	})
}
