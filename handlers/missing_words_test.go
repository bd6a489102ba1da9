package handlers

import (
	"encoding/json"
	"strings"
	"testing"

	"tenderprobe/models"
)

// TestWhatASubmissionLacksNamesTheStandardInTheReadersLanguage: the list
// of what stops a submission names each requirement's standard as the
// reader's language does; the API's missing_items keep the English name.
func TestWhatASubmissionLacksNamesTheStandardInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	std := &models.Standard{Name: "HTTP security headers", Translations: models.StandardTranslations{
		"nl": {Name: "HTTP-beveiligingsheaders", Summary: "s", WhyDemand: "w", Clause: "c"},
		"es": {Name: "Cabeceras de seguridad HTTP", Summary: "s", WhyDemand: "w", Clause: "c"},
	}}
	err := &models.MissingError{Missing: []models.Problem{{Code: "unanswered",
		Params: map[string]any{"requirement_id": 12, "position": 3, "standard": models.NameOf(std)}}}}
	p := problemOf(err)
	for _, tc := range []struct{ lang, want string }{
		{"en", "requirement 3 (HTTP security headers) is not answered"},
		{"nl", "(HTTP-beveiligingsheaders)"},
		{"es", "(Cabeceras de seguridad HTTP)"},
	} {
		t.Run("in "+tc.lang, func(t *testing.T) {
			got := strings.Join(p.missingTexts(tc.lang), "; ")
			if !strings.Contains(got, tc.want) || (tc.lang != "en" && strings.Contains(got, "security headers")) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("the API's items keep the English name", func(t *testing.T) {
		raw, err := json.Marshal(p.json("nl")["missing_items"])
		if err != nil || !strings.Contains(string(raw), `"standard":"HTTP security headers"`) {
			t.Errorf("missing_items %s (%v)", raw, err)
		}
	})
}
