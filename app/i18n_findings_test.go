package app

import (
	"fmt"
	"strings"
	"testing"

	"tenderprobe/app/i18n"
	"tenderprobe/models"
)

// The demo's probe results carry finding codes, so a run page and a
// verification page read in Dutch or Spanish show the findings in that
// language, not marked as English, and without the hint that findings are
// in English.
func TestProbeFindingsSpeakTheReadersLanguage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	officer := a.session("officer@demo.test")
	buyer := a.user("officer@demo.test").OrgID
	var att models.Attestation
	if err := a.db.Joins("JOIN tenders ON tenders.id = attestations.tender_id").
		Where("tenders.buyer_org_id = ?", *buyer).
		Where("EXISTS (SELECT 1 FROM probe_runs JOIN probe_results ON probe_results.run_id = probe_runs.id WHERE probe_runs.attestation_id = attestations.id)").
		Order("attestations.id").First(&att).Error; err != nil {
		t.Fatal(err)
	}
	var run models.ProbeRun
	if err := a.db.Where("attestation_id = ? AND EXISTS (SELECT 1 FROM probe_results WHERE probe_results.run_id = probe_runs.id)", att.ID).
		Order("id desc").First(&run).Error; err != nil {
		t.Fatal(err)
	}
	hint := func(lang string) string { return i18n.Messages().Text(lang, "verification.findings_in_english", nil) }
	langs := []struct{ lang, finding string }{
		{"nl", "Demogegevens, niet gemeten: "},
		{"es", "Datos de demostración, no medidos: "},
		{"en", "Demo data, not measured: "},
	}
	for _, l := range langs {
		for _, path := range []string{fmt.Sprintf("/probe-runs/%d", run.ID), fmt.Sprintf("/attestations/%d/verification", att.ID)} {
			t.Run(fmt.Sprintf("%s in %s shows the findings in %s", path, l.lang, l.lang), func(t *testing.T) {
				res := getIn(officer, l.lang, path)
				if res.status != 200 {
					t.Fatalf("status %d: %s", res.status, errorText(res.body))
				}
				if !strings.Contains(res.body, l.finding) {
					t.Errorf("no finding %q on the page", l.finding)
				}
				if strings.Contains(res.body, `lang="en" class="finding"`) {
					t.Error("a finding with a code is still marked as English")
				}
				if l.lang != "en" && strings.Contains(res.body, "Demo data, not measured") {
					t.Error("the English finding is shown")
				}
				if strings.Contains(res.body, hint(l.lang)) {
					t.Error("the hint that findings are in English is shown, though none is")
				}
			})
		}
	}
	t.Run("a finding stored without a code is shown in English, marked so, with the hint", func(t *testing.T) {
		var res models.ProbeResult
		if err := a.db.Where("run_id = ?", run.ID).Order("id").First(&res).Error; err != nil {
			t.Fatal(err)
		}
		res.Checks[0].Finding = ""
		if err := a.db.Model(&res).Select("checks").Updates(&res).Error; err != nil {
			t.Fatal(err)
		}
		page := getIn(officer, "nl", fmt.Sprintf("/probe-runs/%d", run.ID))
		if !strings.Contains(page.body, `<span lang="en" class="finding">Demo data, not measured`) {
			t.Error("the old finding is not shown in English marked lang=en")
		}
		if !strings.Contains(page.body, `class="hint"`) || !strings.Contains(page.body, hint("nl")) {
			t.Error("the hint that some findings are in English is missing")
		}
	})
}
