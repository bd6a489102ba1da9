package app

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"tenderprobe/models"
	"tenderprobe/seed"
)

// TestADutchTendersDocumentsAreDutchForEveryReader: the sheet, the report
// and the matrix of a Dutch tender are in Dutch whatever the reader's
// language, so what a supplier signs is what the buyer published; the
// annual report, which spans tenders, is in the reader's language.
func TestADutchTendersDocumentsAreDutchForEveryReader(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newTestApp(t)
	buyer, err := models.FindOrgByName(ctx, a.db, seed.DemoBuyer)
	if err != nil {
		t.Fatal(err)
	}
	tn, err := models.FindTenderByReference(ctx, a.db, buyer.ID, "DSC-2026-014")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.db.Model(&models.Tender{}).Where("id = ?", tn.ID).Update("language", "nl").Error; err != nil {
		t.Fatal(err)
	}
	english := []string{"Requirement sheet", "Requirements (", "Reference", "Deadline", "MANDATORY", "Defining documents",
		"Summary per vendor", "Answers per requirement", "Appendix B. Submission receipts", "Page 1 of"}
	tests := []struct {
		name, path string
		client     *client
		want       []string
	}{
		{"the sheet through the API (an English reader)", fmt.Sprintf("/api/v1/tenders/%d/sheet.pdf", tn.ID), a.apiClient("officer@demo.test"),
			[]string{"Eisenlijst", "Eisen (", "Kenmerk", "Sluitingstermijn", "VERPLICHT", "Normdocumenten", "Pagina 1 van"}},
		{"the sheet on the web", fmt.Sprintf("/tenders/%d/sheet.pdf", tn.ID), a.session("officer@demo.test"),
			[]string{"Eisenlijst", "Eisen (", "VERPLICHT", "gepubliceerd (revisie"}},
		{"the tender report", fmt.Sprintf("/tenders/%d/report.pdf", tn.ID), a.session("officer@demo.test"),
			[]string{"Pas-toe-of-leg-uitrapportage", "Samenvatting per leverancier", "Antwoorden per eis", "Bijlage B. Ontvangstbewijzen van indieningen", "verplicht"}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is in Dutch", func(t *testing.T) {
			res := tt.client.get(tt.path)
			if res.status != 200 {
				t.Fatalf("status %d", res.status)
			}
			text := strings.Join(strings.Fields(pdfTextOf(t, res.body)), " ")
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("lacks %q", w)
				}
			}
			for _, w := range english {
				if strings.Contains(text, w) {
					t.Errorf("has the English %q", w)
				}
			}
		})
	}
	t.Run("the matrix CSV keeps its columns and codes and adds Dutch words", func(t *testing.T) {
		res := a.apiClient("admin@demo.test").get(fmt.Sprintf("/api/v1/tenders/%d/report.csv", tn.ID))
		recs, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
		if err != nil || len(recs) < 2 {
			t.Fatalf("%d records, %v", len(recs), err)
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		if recs[0][0] != "tender_id" || col["level"] != 6 || col["met_verified"] != 16 {
			t.Fatalf("the machine columns moved: %v", recs[0])
		}
		row := recs[1]
		if lvl, words := row[col["level"]], row[col["level_words"]]; lvl != models.LevelMandatory || words != "verplicht" {
			t.Errorf("level %q in words %q, want mandatory and verplicht", lvl, words)
		}
		if got := row[col["met_declared_words"]]; got != "ja" && got != "nee" {
			t.Errorf("met_declared_words %q", got)
		}
	})
	t.Run("the annual report is in the reader's language", func(t *testing.T) {
		year := tn.PublishedAt.UTC().Year()
		req := httptest.NewRequest("GET", fmt.Sprintf("/reports/annual.pdf?year=%d", year), nil)
		req.Header.Set("Accept-Language", "es-ES,es;q=0.9")
		res := a.session("auditor@demo.test").do(req)
		if res.status != 200 {
			t.Fatalf("status %d", res.status)
		}
		text := strings.Join(strings.Fields(pdfTextOf(t, res.body)), " ")
		if !strings.Contains(text, fmt.Sprintf("Informe anual de cumplir o explicar %d", year)) || !strings.Contains(text, "El año en resumen") ||
			strings.Contains(text, "The year in brief") {
			t.Errorf("the annual report is not in Spanish:\n%.600s", text)
		}
	})
}

func TestReportCommandLang(t *testing.T) {
	t.Parallel()
	dsn := demo.File(t)
	run := func(args ...string) (int, string, string) {
		var out, errOut strings.Builder
		code := RunReport(context.Background(), append(args, "--db", dsn), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	t.Run("report annual --lang nl writes the annual report in Dutch", func(t *testing.T) {
		code, out, stderr := run("annual", "--year", "2026", "--lang", "nl", "--generated", "2026-12-31T09:00:00Z")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		text := strings.Join(strings.Fields(pdfTextOf(t, out)), " ")
		if !strings.Contains(text, "Pas-toe-of-leg-uit jaarrapportage 2026") || !strings.Contains(text, "31 dec 2026 09:00 UTC") || strings.Contains(text, "Generated") {
			t.Errorf("not in Dutch:\n%.500s", text)
		}
	})
	t.Run("report annual --format csv --lang es keeps the machine header and adds Spanish words", func(t *testing.T) {
		code, out, stderr := run("annual", "--year", "2026", "--lang", "es", "--format", "csv")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(recs) < 2 {
			t.Fatalf("%d records, %v", len(recs), err)
		}
		if recs[0][0] != "year" || recs[0][len(recs[0])-3] != "kind_words" || recs[1][1] != "standard" || recs[1][len(recs[1])-3] != "estándar" {
			t.Errorf("header %v, first row %v", recs[0], recs[1])
		}
	})
	t.Run("an unknown --lang is refused", func(t *testing.T) {
		if code, _, stderr := run("annual", "--year", "2026", "--lang", "xx"); code != 2 || !strings.Contains(stderr, "--lang") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
}
