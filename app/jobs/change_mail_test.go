package jobs_test

import (
	"strings"
	"testing"

	"tenderprobe/app/jobs"
	"tenderprobe/models"
)

// TestTheChangeMailNamesTheStandardInTheTendersLanguage: the mail about
// changed verdicts is in the tender's language, and so is the name of
// each standard whose verdict changed.
func TestTheChangeMailNamesTheStandardInTheTendersLanguage(t *testing.T) {
	t.Parallel()
	rpki := &models.Standard{Slug: "rpki", Name: "RPKI route origin validation", Translations: models.StandardTranslations{
		"nl": {Name: "RPKI-routeherkomstvalidatie (ROV)", Summary: "s", WhyDemand: "w", Clause: "c"},
		"es": {Name: "Validación del origen de rutas con RPKI", Summary: "s", WhyDemand: "w", Clause: "c"},
	}}
	for _, tc := range []struct{ lang, want string }{
		{"en", "RPKI route origin validation:"},
		{"nl", "RPKI-routeherkomstvalidatie (ROV):"},
		{"es", "Validación del origen de rutas con RPKI:"},
	} {
		t.Run("in "+tc.lang, func(t *testing.T) {
			a := &models.Attestation{ID: 7, Tender: &models.Tender{Title: "Hosting", Language: tc.lang}, SupplierOrg: &models.Org{Name: "Hoster"}}
			_, body := jobs.ChangeMail(a, []models.VerdictChange{{Standard: rpki.Name, Catalogue: rpki, From: "confirmed", To: "contradicted"}})
			if !strings.Contains(body, tc.want) {
				t.Errorf("the mail lacks %q:\n%s", tc.want, body)
			}
			if tc.lang != "en" && strings.Contains(body, "route origin validation") {
				t.Errorf("the mail has the English name:\n%s", body)
			}
		})
	}
}
