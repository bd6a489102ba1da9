package app

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http/httptest"
	"slices"
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
	t.Run("the matrix CSV has a Dutch header, keeps its columns and codes and adds Dutch words", func(t *testing.T) {
		res := a.apiClient("admin@demo.test").get(fmt.Sprintf("/api/v1/tenders/%d/report.csv", tn.ID))
		recs, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
		if err != nil || len(recs) < 2 {
			t.Fatalf("%d records, %v", len(recs), err)
		}
		// Programs read the columns by position: 6 is the level's code,
		// 9 the answer's, 16 met_verified, 18 the level in words and 22
		// met_declared in words.
		head, row := recs[0], recs[1]
		if len(head) != 25 || head[0] != "Nummer van de aanbesteding" || head[6] != "Niveau (code)" || head[9] != "Antwoord (code)" ||
			head[16] != "Voldaan en bevestigd door de metingen (yes/no)" || head[18] != "Niveau" {
			t.Fatalf("the header is not the Dutch one, or the columns moved: %v", head)
		}
		if lvl, words := row[6], row[18]; lvl != models.LevelMandatory || words != "verplicht" {
			t.Errorf("level %q in words %q, want mandatory and verplicht", lvl, words)
		}
		if !slices.Contains(models.AnswerStatuses, row[9]) && row[9] != "" {
			t.Errorf("answer column holds %q, not a code", row[9])
		}
		if got := row[14]; got != "yes" && got != "no" {
			t.Errorf("met_declared %q, want the code yes or no", got)
		}
		if got := row[22]; got != "ja" && got != "nee" {
			t.Errorf("met_declared in words %q", got)
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
	t.Run("report annual --format csv --lang es writes a Spanish header, the codes and Spanish words", func(t *testing.T) {
		code, out, stderr := run("annual", "--year", "2026", "--lang", "es", "--format", "csv")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(recs) < 2 {
			t.Fatalf("%d records, %v", len(recs), err)
		}
		// By position: 0 the year, 1 the row's kind (code), the third from
		// the end the kind in words.
		head, row := recs[0], recs[1]
		if head[0] != "Año" || head[1] != "Tipo de fila (código)" || head[len(head)-3] != "Tipo de fila" || row[1] != "standard" || row[len(row)-3] != "estándar" {
			t.Errorf("header %v, first row %v", head, row)
		}
	})
	t.Run("an unknown --lang is refused", func(t *testing.T) {
		if code, _, stderr := run("annual", "--year", "2026", "--lang", "xx"); code != 2 || !strings.Contains(stderr, "--lang") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
}
