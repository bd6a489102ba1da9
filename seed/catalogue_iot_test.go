package seed_test

import (
	"strings"
	"testing"

	"tenderprobe/app/i18n"
	"tenderprobe/models"
	"tenderprobe/seed"
)

// TestConnectedDevicesAndQuantumReadiness checks the standards and profiles
// of issue 17: a buyer who applies either profile to a tender in any
// language gets every standard's clause in that language, not the English
// fallback.
func TestConnectedDevicesAndQuantumReadiness(t *testing.T) {
	t.Parallel()
	f, err := seed.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	bySlug := map[string]*models.Standard{}
	stds := f.ToModels()
	for i := range stds {
		bySlug[stds[i].Slug] = &stds[i]
	}
	msgs, err := i18n.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	langs := i18n.Available()
	if len(langs) < 3 {
		t.Fatalf("languages %v: want at least en, es and nl", langs)
	}
	for _, tc := range []struct {
		profile string
		// must are standards the profile has to carry.
		must []string
	}{
		{"connected-devices", []string{
			"en-303645-default-passwords", "en-303645-vulnerability-disclosure", "en-303645-software-updates",
			"en-303645-secure-storage-communication", "en-303645-attack-surface", "en-303645-personal-data",
			"en-303645-resilience", "cra-secure-by-design", "cra-sbom", "cra-vulnerability-handling",
			"cra-reporting", "nistir-8259a",
		}},
		{"quantum-readiness", []string{"pq-key-exchange", "pq-ssh-key-exchange", "pq-migration-roadmap", "pq-maturity-level"}},
	} {
		t.Run("the "+tc.profile+" profile exists with a name in every language", func(t *testing.T) {
			p, err := seed.FindProfile(tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			for _, lang := range langs {
				for _, key := range []string{"profile.name." + p.Slug, "profile.description." + p.Slug} {
					if !msgs.Has(lang, key) {
						t.Errorf("%s has no message %s", lang, key)
					}
				}
			}
			have := map[string]bool{}
			for _, it := range p.Items {
				have[it.Standard] = true
			}
			for _, slug := range tc.must {
				if !have[slug] {
					t.Errorf("the profile lacks %s", slug)
				}
			}
		})
		t.Run("every standard of the "+tc.profile+" profile reads in every catalogue language", func(t *testing.T) {
			p, err := seed.FindProfile(tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range p.Items {
				s, ok := bySlug[it.Standard]
				if !ok {
					t.Errorf("%s is not in the catalogue", it.Standard)
					continue
				}
				for _, lang := range langs {
					if !s.Has(lang) {
						t.Errorf("%s has no text in %s", s.Slug, lang)
					}
				}
			}
		})
	}
	t.Run("the Dutch and Spanish clauses are contract text in the catalogue's register", func(t *testing.T) {
		for _, slug := range []string{
			"en-303645-default-passwords", "en-303645-vulnerability-disclosure", "en-303645-software-updates",
			"en-303645-secure-storage-communication", "en-303645-attack-surface", "en-303645-personal-data",
			"en-303645-resilience", "cra-secure-by-design", "cra-sbom", "cra-vulnerability-handling",
			"cra-reporting", "nistir-8259a", "pq-ssh-key-exchange", "pq-migration-roadmap", "pq-maturity-level",
		} {
			s, ok := bySlug[slug]
			if !ok {
				t.Errorf("%s is not in the catalogue", slug)
				continue
			}
			for lang, opening := range map[string]string{"en": "The Supplier shall", "nl": "De Leverancier dient", "es": "El Proveedor deberá"} {
				if got := s.In(lang).Clause; !strings.HasPrefix(got, opening) {
					t.Errorf("%s in %s: clause starts %.40q, want %q", slug, lang, got, opening)
				}
			}
		}
	})
	t.Run("the Cyber Resilience Act standards give both dates it applies from", func(t *testing.T) {
		for _, slug := range []string{"cra-secure-by-design", "cra-sbom", "cra-vulnerability-handling", "cra-reporting"} {
			for lang, dates := range map[string][]string{
				"en": {"11 September 2026", "11 December 2027"},
				"nl": {"11 september 2026", "11 december 2027"},
				"es": {"11 de septiembre de 2026", "11 de diciembre de 2027"},
			} {
				s, ok := bySlug[slug]
				if !ok {
					t.Fatalf("%s is not in the catalogue", slug)
				}
				why := strings.Join(strings.Fields(s.In(lang).WhyDemand), " ")
				for _, d := range dates {
					if !strings.Contains(why, d) {
						t.Errorf("%s in %s: why_demand does not name %s", slug, lang, d)
					}
				}
			}
		}
	})
}
