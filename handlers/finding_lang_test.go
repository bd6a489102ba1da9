package handlers

import (
	"strings"
	"testing"
)

// TestAProbesEnglishErrorIsMarkedAsEnglish: inside a Dutch or Spanish
// finding, the error the probe reported in English is marked lang="en"
// (also inside a sub-finding), and everything is escaped.
func TestAProbesEnglishErrorIsMarkedAsEnglish(t *testing.T) {
	t.Parallel()
	params := map[string]any{"error": "no NS records found for <x>.example"}
	for _, tc := range []struct{ lang, want string }{
		{"es", `No se pudo comprobar: <span lang="en">no NS records found for &lt;x&gt;.example</span>`},
		{"nl", `<span lang="en">no NS records found for &lt;x&gt;.example</span>`},
		{"en", `no NS records found for &lt;x&gt;.example`},
	} {
		got := string(findingHTML(tc.lang, "untestable", params))
		if !strings.Contains(got, tc.want) || tc.lang == "en" && strings.Contains(got, "<span") {
			t.Errorf("%s: %s", tc.lang, got)
		}
	}
}
