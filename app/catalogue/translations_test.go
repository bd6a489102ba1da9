package catalogue_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/catalogue"
	"tenderprobe/models"
	"tenderprobe/models/dbtest"
	"tenderprobe/seed"
)

// translatedYAML is goodYAML with DNSSEC in Dutch and Spanish and ISO/IEC
// 27001 in Dutch only.
var translatedYAML = strings.Replace(strings.Replace(goodYAML, "    checks: [web.dnssec, mail.dnssec]\n", `    checks: [web.dnssec, mail.dnssec]
    translations:
      nl:
        name: DNSSEC
        summary: Ondertekende DNS.
        why_demand: Vervalste antwoorden.
        clause: De Leverancier dient te ondertekenen.
      es:
        name: DNSSEC
        summary: DNS firmado.
        why_demand: Respuestas falsificadas.
        clause: El Proveedor deberá firmar.
`, 1), "    checks: []\n", `    checks: []
    translations:
      nl:
        name: ISO/IEC 27001
        summary: Managementsysteem.
        why_demand: Beheersing.
        clause: De Leverancier dient gecertificeerd te zijn.
`, 1)

func TestParseTranslations(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, input       string
		field, code       string
		line              int
		params            map[string]any
		wantNoTranslation bool
	}{
		{name: "a file without translations still parses", input: goodYAML, wantNoTranslation: true},
		{name: "a file with translations parses", input: translatedYAML},
		{name: "a language Tenderprobe does not speak is refused, naming the standard and the language",
			input: strings.Replace(translatedYAML, "      es:\n", "      de:\n", 1),
			field: "standards[0].translations.de", code: catalogue.CodeUnknownLanguage, line: 19,
			params: map[string]any{"value": "de", "slug": "dnssec"}},
		{name: "a translation into English, the source language, is refused",
			input: strings.Replace(translatedYAML, "      es:\n", "      en:\n", 1),
			field: "standards[0].translations.en", code: catalogue.CodeSourceLanguage, line: 19},
		{name: "a translation without its clause is refused at the clause's field",
			input: strings.Replace(translatedYAML, "        clause: El Proveedor deberá firmar.\n", "        clause: \"  \"\n", 1),
			field: "standards[0].translations.es.clause", code: "required", line: 23},
		{name: "a misspelt field of a translation is refused",
			input: strings.Replace(translatedYAML, "why_demand: Respuestas", "why_demnd: Respuestas", 1),
			field: "standards[0].translations.es.why_demnd", code: catalogue.CodeUnknownFieldOf, line: 22},
	}
	titled := strings.Replace(translatedYAML, "title: Test catalogue\n", "title: Test catalogue\ntranslations:\n  nl: {title: Testcatalogus}\n", 1)
	cases = append(cases, []struct {
		name, input       string
		field, code       string
		line              int
		params            map[string]any
		wantNoTranslation bool
	}{
		{name: "the title may be translated", input: titled},
		{name: "a title in a language Tenderprobe does not speak is refused",
			input: strings.Replace(titled, "  nl: {title: Testcatalogus}", "  fr: {title: Catalogue de test}", 1),
			field: "translations.fr", code: catalogue.CodeUnknownLanguageOfTitle, line: 4, params: map[string]any{"value": "fr"}},
	}...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := catalogue.Parse(strings.NewReader(c.input), catalogue.FormatYAML)
			if c.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				got := f.ToModels()[0]
				if c.wantNoTranslation {
					if len(got.Translations) != 0 || got.In("nl").Lang != "en" {
						t.Fatalf("translations %v", got.Translations)
					}
					return
				}
				if nl := got.In("nl"); nl.Lang != "nl" || nl.Clause != "De Leverancier dient te ondertekenen." {
					t.Fatalf("Dutch text %+v", nl)
				}
				return
			}
			var invalid *catalogue.InvalidFileError
			if !errors.As(err, &invalid) {
				t.Fatalf("got %v, want an invalid file", err)
			}
			p := invalid.Problems[0]
			if p.Field != c.field || p.Code != c.code || p.Line != c.line {
				t.Fatalf("got %+v, want line %d field %s code %s", p, c.line, c.field, c.code)
			}
			for k, v := range c.params {
				if p.Params[k] != v {
					t.Errorf("param %s = %v, want %v", k, p.Params[k], v)
				}
			}
		})
	}
}

func TestParseTranslationsInJSON(t *testing.T) {
	t.Parallel()
	in := `{"version": "2030.1", "title": "T", "standards": [{
  "slug": "dnssec", "name": "DNSSEC", "domain": "network-infrastructure",
  "references": [{"kind": "RFC", "id": "9364", "title": "DNSSEC", "url": "https://www.rfc-editor.org/rfc/rfc9364"}],
  "summary": "Signed DNS.", "why_demand": "Forged answers.", "clause": "The Supplier shall sign.", "checks": [],
  "translations": {
    "nl": {"name": "DNSSEC", "summary": "Ondertekend.", "why_demand": "Vervalsing.", "clause": "De Leverancier dient te ondertekenen."},
    "xx": {"name": "DNSSEC", "summary": "x", "why_demand": "x", "clause": "x"}
  }}]}`
	_, err := catalogue.Parse(strings.NewReader(in), catalogue.FormatJSON)
	var invalid *catalogue.InvalidFileError
	if !errors.As(err, &invalid) || len(invalid.Problems) != 1 {
		t.Fatalf("got %v, want one problem", err)
	}
	if p := invalid.Problems[0]; p.Code != catalogue.CodeUnknownLanguage || p.Field != "standards[0].translations.xx" || p.Line != 7 {
		t.Fatalf("got %+v, want the unknown language xx on line 7", p)
	}
	f, err := catalogue.Parse(strings.NewReader(strings.Replace(in, `"xx"`, `"es"`, 1)), catalogue.FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.ToModels()[0].In("es"); got.Lang != "es" || got.Summary != "x" {
		t.Fatalf("Spanish text %+v", got)
	}
}

func TestTranslationsRoundTrip(t *testing.T) {
	t.Parallel()
	for _, format := range []string{catalogue.FormatYAML, catalogue.FormatJSON} {
		t.Run("the "+format+" export carries the translations and imports again with them", func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
				ctx := context.Background()
				if _, err := catalogue.Import(ctx, db, strings.NewReader(translatedYAML), catalogue.FormatYAML); err != nil {
					t.Fatal(err)
				}
				var out bytes.Buffer
				if err := catalogue.Export(ctx, db, &out, format); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(out.String(), "El Proveedor deberá firmar.") {
					t.Fatalf("the export lacks the Spanish clause:\n%s", out.String())
				}
				next := strings.Replace(out.String(), "2030.1", "2030.2", 1)
				if _, err := catalogue.Import(ctx, db, strings.NewReader(next), format); err != nil {
					t.Fatal(err)
				}
				s, err := models.FindStandardBySlug(ctx, db, "iso-27001")
				if err != nil {
					t.Fatal(err)
				}
				if nl, es := s.In("nl"), s.In("es"); nl.Clause != "De Leverancier dient gecertificeerd te zijn." || es.Lang != "en" {
					t.Fatalf("after the round trip: nl %+v, es %+v", nl, es)
				}
			})
		})
	}
}

func TestImportRefusesAStandardWithoutALanguageOfPublishedTenders(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := seed.Demo(ctx, db); err != nil {
			t.Fatal(err)
		}
		officer, err := models.FindUserByEmail(ctx, db, "officer@demo.test")
		if err != nil {
			t.Fatal(err)
		}
		tender := func(lang, status string) {
			t.Helper()
			tn, err := models.CreateTender(ctx, db, officer, models.TenderInput{Title: "In " + lang, Language: lang}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Model(&models.Tender{}).Where("id = ?", tn.ID).Update("status", status).Error; err != nil {
				t.Fatal(err)
			}
		}
		// A published Dutch tender counts; a Spanish draft and a withdrawn
		// Spanish tender do not.
		tender("nl", models.StatusPublished)
		tender("es", models.StatusDraft)
		tender("es", models.StatusWithdrawn)

		if _, err := catalogue.Import(ctx, db, strings.NewReader(translatedYAML), catalogue.FormatYAML); err != nil {
			t.Fatalf("every standard has Dutch, yet: %v", err)
		}
		noDutch := strings.Replace(strings.Replace(translatedYAML, "2030.1", "2030.2", 1),
			"      nl:\n        name: ISO/IEC 27001\n        summary: Managementsysteem.\n        why_demand: Beheersing.\n        clause: De Leverancier dient gecertificeerd te zijn.\n", "", 1)
		_, err = catalogue.Import(ctx, db, strings.NewReader(noDutch), catalogue.FormatYAML)
		var invalid *catalogue.InvalidFileError
		if !errors.As(err, &invalid) {
			t.Fatalf("got %v, want the file refused", err)
		}
		p := invalid.Problems[0]
		if p.Code != catalogue.CodeMissingLanguage || p.Params["slug"] != "iso-27001" || p.Params["language"] != "nl" ||
			p.Field != "standards[1].translations" || p.Line != 33 {
			t.Fatalf("got %+v, want iso-27001 missing Dutch at its line", p)
		}
		if cv, _ := models.CurrentCatalogue(ctx, db); cv.Version != "2030.1" {
			t.Fatalf("the refused version %s became current", cv.Version)
		}
		tender("es", models.StatusClosed)
		if _, err := catalogue.Import(ctx, db, strings.NewReader(strings.Replace(translatedYAML, "2030.1", "2030.3", 1)), catalogue.FormatYAML); !errors.As(err, &invalid) ||
			invalid.Problems[0].Params["language"] != "es" || invalid.Problems[0].Params["slug"] != "iso-27001" {
			t.Fatalf("with a closed Spanish tender: %v, want iso-27001 missing Spanish", err)
		}
	})
}
