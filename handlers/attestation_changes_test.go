package handlers

import (
	"strings"
	"testing"

	"tenderprobe/app/receipt"
)

// TestChangesAreNamedInTheReadersWords checks that what changed between
// two versions reaches a page as words: the field as the answer form
// labels it, an answer status and a planned date as the reader's
// language writes them, never their codes.
func TestChangesAreNamedInTheReadersWords(t *testing.T) {
	cases := []struct {
		name, lang string
		change     receipt.Change
		want       changeView
	}{
		{"an answer status in Dutch", "nl", receipt.Change{Standard: "DNSSEC", Field: "status", Before: "does_not_comply", After: "partial"},
			changeView{Standard: "DNSSEC", Field: "Antwoord", Before: "Voldoet niet", After: "Voldoet gedeeltelijk"}},
		{"a first answer in Spanish", "es", receipt.Change{Standard: "HTTPS", Field: "status", Before: "", After: "complies"},
			changeView{Standard: "HTTPS", Field: "Respuesta", Before: "Sin responder", After: "Cumple"}},
		{"a planned date in Dutch", "nl", receipt.Change{Standard: "DNSSEC", Field: "planned_date", Before: "2026-06-30", After: "2026-09-30"},
			changeView{Standard: "DNSSEC", Field: "Geplande datum", Before: "30 jun 2026", After: "30 sep 2026"}},
		{"the web domains in Spanish", "es", receipt.Change{Field: "web domains", Before: "a.example", After: "b.example"},
			changeView{Field: "Dominios web", Before: "a.example", After: "b.example"}},
	}
	for _, tc := range cases {
		t.Run(tc.name+" is in words", func(t *testing.T) {
			got := changeViews(tc.lang, []receipt.Change{tc.change}, nil)
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestReceiptDifferencesAreInTheReadersLanguage checks the differences a
// failed receipt check lists: the changed declaration in words, and the
// record's own details in one sentence instead of field codes.
func TestReceiptDifferencesAreInTheReadersLanguage(t *testing.T) {
	v := receipt.Verification{
		DocumentChanged: true,
		Changes:         []receipt.Change{{Standard: "HTTPS", Field: "explanation", Before: "", After: "Now explained"}},
		Differences:     []string{"x", "submitted_at: saved a, now b", "y"},
	}
	got := strings.Join(receiptDifferences("nl", v), "\n")
	for _, want := range []string{
		"het opgeslagen canonieke document komt niet meer overeen",
		"HTTPS, Toelichting: gewijzigd van “(leeg)” in “Now explained”",
		"Gegevens van de registratie zelf verschillen",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the differences lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "submitted_at") {
		t.Errorf("a field code reaches the page:\n%s", got)
	}
}
