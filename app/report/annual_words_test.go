package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"tenderprobe/models"
)

// oneOfEach is a year of one tender by one buyer demanding one standard,
// with one submitted answer whose claim the probes contradicted: every
// count of the summary is 1.
func oneOfEach(year int) *models.AnnualData {
	return &models.AnnualData{
		Year: year,
		Tenders: []models.AnnualTender{{ID: 1, Reference: "GV-1", Title: "Hosting", Buyer: "Gemeente Voorbeeld", Status: "closed",
			PublishedAt: time.Date(year, 3, 3, 9, 0, 0, 0, time.UTC), Requirements: 1, Mandatory: 1, Attestations: 1, Submitted: 1}},
		Demand: []models.AnnualDemand{{Slug: "dnssec", Name: "DNSSEC", Domain: models.DomainNetwork, Level: models.LevelMandatory, Tenders: 1}},
		Answers: []models.AnnualAnswerCount{{Slug: "dnssec", Level: models.LevelMandatory, Status: models.AnswerComplies,
			Verdict: models.VerdictContradicted, N: 1}},
		Verified: 1,
	}
}

// translated gives the sample year's standards names that differ in every
// language, as a catalogue with translations does; ISO 27001's Dutch
// translation lacks its clause, so it is no translation to use.
func translated(d *models.AnnualData) *models.AnnualData {
	names := map[string]models.StandardTranslations{
		"dnssec": {"nl": {Name: "Ondertekende DNS-zones", Summary: "s", WhyDemand: "w", Clause: "c"},
			"es": {Name: "Zonas DNS firmadas", Summary: "s", WhyDemand: "w", Clause: "c"}},
		"https": {"nl": {Name: "Versleutelde webverbindingen", Summary: "s", WhyDemand: "w", Clause: "c"},
			"es": {Name: "Conexiones web cifradas", Summary: "s", WhyDemand: "w", Clause: "c"}},
		"iso-27001": {"nl": {Name: "Half vertaald", Summary: "s", WhyDemand: "w"}},
	}
	english := map[string]string{"dnssec": "Signed DNS zones", "https": "Encrypted web connections", "iso-27001": "ISO/IEC 27001"}
	for i := range d.Demand {
		d.Demand[i].Name, d.Demand[i].Translations = english[d.Demand[i].Slug], names[d.Demand[i].Slug]
	}
	for i := range d.Explanations {
		d.Explanations[i].Standard = english[d.Explanations[i].Slug]
	}
	return d
}

func TestAnnualReportCountsAndNamesInItsLanguage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		lang      string
		data      *models.AnnualData
		want, not []string
	}{
		{"one of each reads in the singular in English", "en", oneOfEach(2026), []string{
			"In 2026, 1 tender was published by 1 buyer organisation, demanding 1 standard requirement (1 mandatory).",
			"Vendors submitted 1 attestation with 1 answer; of the 1 answer that applies,",
			"The probes contradicted 1 claim of compliance; the compliance rate does not count it as met",
			"once mandatory, 0 times recommended (1 standard)", "1 of 1 submitted attestation ", "1 answer claimed compliance",
		}, []string{"(s)", "1 tenders were", "1 answers;"}},
		{"one of each reads in the singular in Dutch", "nl", oneOfEach(2026), []string{
			"In 2026 is 1 aanbesteding gepubliceerd door 1 aanbestedende dienst, met samen 1 eis voor standaarden (1 verplicht).",
			"Leveranciers dienden 1 verklaring in met 1 antwoord; van het 1 antwoord dat van toepassing is,",
			"De metingen spraken 1 verklaring van naleving tegen; het nalevingspercentage telt die niet als voldaan",
			"1 keer verplicht, 0 keer aanbevolen (1 standaard)", "1 van 1 ingediende verklaring ", "1 antwoord verklaarde naleving",
		}, []string{"(en)", "1 aanbestedingen gepubliceerd", "1 antwoorden;"}},
		{"one of each reads in the singular in Spanish", "es", oneOfEach(2026), []string{
			"En 2026 se publicó 1 licitación de 1 comprador, que exigía 1 requisito de estándares (1 obligatorio).",
			"Los proveedores presentaron 1 declaración con 1 respuesta; de 1 respuesta aplicable,",
			"Las sondas contradijeron 1 declaración de cumplimiento; la tasa de cumplimiento no la cuenta como cumplida",
			"1 vez obligatorio, 0 veces recomendado (1 estándar)", "1 de 1 declaración presentada", "1 presentada ", "1 respuesta declaró",
		}, []string{"(es)", "(s)", "1 licitaciones de", "1 respuestas;"}},
		{"many read in the plural in Dutch", "nl", sampleYear(2026, 24, 0.75), []string{
			"In 2026 zijn 24 aanbestedingen gepubliceerd door 1 aanbestedende dienst, met samen 60 eisen voor standaarden (48 verplicht).",
			"Leveranciers dienden 48 verklaringen in met 120 antwoorden; van de 96 antwoorden die van toepassing zijn,",
			"De metingen spraken 2 verklaringen van naleving tegen",
			"48 keer verplicht, 12 keer aanbevolen (3 verschillende standaarden)",
		}, []string{"(en)"}},
		{"standards have their Dutch names in every table, chart and heading", "nl", translated(sampleYear(2026, 24, 0.75)), []string{
			"Ondertekende DNS-zones: 12 toegelichte antwoorden", "Versleutelde webverbindingen", "ISO/IEC 27001",
		}, []string{"Signed", "Encrypted", "Half vertaald"}},
		{"standards have their Spanish names in every table, chart and heading", "es", translated(sampleYear(2026, 24, 0.75)), []string{
			"Zonas DNS firmadas: 12 respuestas explicadas", "Conexiones web cifradas", "ISO/IEC 27001",
		}, []string{"Signed", "Encrypted"}},
		{"standards keep their English names in English", "en", translated(sampleYear(2026, 24, 0.75)), []string{
			"Signed DNS zones: 12 explained answers", "Encrypted web connections",
		}, []string{"Ondertekende", "Zonas DNS"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := BuildAnnual(tt.data, nil, ScopeAll)
			var buf bytes.Buffer
			if err := WriteAnnualReport(&buf, r, Options{Created: generated, Lang: tt.lang}); err != nil {
				t.Fatal(err)
			}
			text := flatText(strings.Join(pageTexts(t, writePDF(t, buf.Bytes())), " "))
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("the report lacks %q", w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(text, w) {
					t.Errorf("the report has %q", w)
				}
			}
			if t.Failed() {
				t.Logf("text: %s", text)
			}
		})
	}
}

// TestAnnualTablesNameStandardsInTheirLanguage: the CSV's words column
// names a standard in the reader's language; the name column keeps the
// catalogue's English name for programs.
func TestAnnualTablesNameStandardsInTheirLanguage(t *testing.T) {
	t.Parallel()
	r := BuildAnnual(translated(sampleYear(2026, 6, 0.5)), nil, ScopeAll)
	for _, tt := range []struct{ lang, want string }{
		{"en", "Signed DNS zones"}, {"nl", "Ondertekende DNS-zones"}, {"es", "Zonas DNS firmadas"},
	} {
		t.Run("the "+tt.lang+" CSV", func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteAnnualCSV(&buf, r, tt.lang); err != nil {
				t.Fatal(err)
			}
			var row string
			for _, line := range strings.Split(buf.String(), "\n") {
				if strings.Contains(line, ",dnssec,") {
					row = line
				}
			}
			if !strings.Contains(row, ",Signed DNS zones,") || !strings.HasSuffix(strings.TrimSpace(row), ","+tt.want+","+wordsOf(Options{Lang: tt.lang}).domain(models.DomainNetwork)) {
				t.Errorf("the DNSSEC row %q lacks the English name and the %s name %q", row, tt.lang, tt.want)
			}
		})
	}
}
