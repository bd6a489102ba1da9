package handlers

import (
	"strings"
	"testing"

	"tenderprobe/models"
)

// TestRunStatesCountDomainsInProperPlurals: "1 domain probed", "3 domains
// probed", never "domain(s)", in every language.
func TestRunStatesCountDomainsInProperPlurals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		lang    string
		run     models.ProbeRun
		toProbe int
		want    string
	}{
		{"one probed", "en", models.ProbeRun{Status: models.RunDone, Done: 1}, 1, "1 domain probed."},
		{"three probed", "es", models.ProbeRun{Status: models.RunDone, Done: 3}, 3, "3 dominios sondeados."},
		{"one probed", "es", models.ProbeRun{Status: models.RunDone, Done: 1}, 1, "1 dominio sondeado."},
		{"probing", "nl", models.ProbeRun{Status: models.RunRunning, Done: 1}, 2, "1 van 2 domeinen gemeten."},
		{"queued", "en", models.ProbeRun{Status: models.RunQueued}, 1, "Queued, 1 domain to probe."},
		{"nothing measured", "es", models.ProbeRun{Status: models.RunNotMeasured, NotMeasuredCode: models.NotMeasuredAllErrors,
			NotMeasuredParams: map[string]string{"domains": "2", "error": "timeout"}}, 2, "de los 2 dominios del alcance"},
	} {
		t.Run(tc.lang+" "+tc.name, func(t *testing.T) {
			if got := runStateText(tc.lang, &tc.run, tc.toProbe); !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
