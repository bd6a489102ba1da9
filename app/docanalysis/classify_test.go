package docanalysis_test

import (
	"maps"
	"testing"
)

const (
	req = "requested"
	men = "mentioned"
)

func TestClassification(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		text string
		want map[string]string
	}{
		{"an English must is a demand", "The Supplier must sign all DNS zones with DNSSEC.", map[string]string{"dnssec": req}},
		{"shall with an RFC number names the standard", "The mail service shall publish an SPF record as defined in RFC 7208.", map[string]string{"spf": req}},
		{"a negation is not a demand", "DNSSEC is not required for this lot, but the supplier must support IPv6.", map[string]string{"dnssec": men, "ipv6": req}},
		{"optional in English is not a demand", "Support for DANE is optional.", map[string]string{"dane": men}},
		{"should is a wish, not a demand", "The supplier should support DANE for inbound mail.", map[string]string{"dane": men}},
		{"nice to have is not a demand", "MTA-STS is a nice to have.", map[string]string{"mta-sts": men}},
		{"a Dutch dient te is a demand", "De Leverancier dient alle domeinnamen te ondertekenen met DNSSEC.", map[string]string{"dnssec": req}},
		{"Dutch moet names the NCSC guidelines", "De verbinding moet voldoen aan de NCSC TLS-richtlijnen.", map[string]string{"tls": req}},
		{"Dutch niet vereist is not a demand", "IPv6 is voor deze opdracht niet vereist.", map[string]string{"ipv6": men}},
		{"a Dutch wish is not a demand", "Wens: de dienst ondersteunt DANE.", map[string]string{"dane": men}},
		{"Dutch optioneel is not a demand", "Ondersteuning van MTA-STS is optioneel.", map[string]string{"mta-sts": men}},
		{"a Dutch table row with Eis is a demand", "Nr | Type | Omschrijving\nE1 | Eis | DNSSEC op alle domeinen\nW1 | Wens | DANE voor inkomende mail", map[string]string{"dnssec": req, "dane": men}},
		{"a table under a mandatory column is a demand unless it says no", "Standard | Mandatory\nDNSSEC | Yes\nDANE | No", map[string]string{"dnssec": req, "dane": men}},
		{"Spanish deberá is a demand", "El Proveedor deberá firmar todas las zonas con DNSSEC.", map[string]string{"dnssec": req}},
		{"Spanish se exige is a demand", "Se exige el cumplimiento de DMARC con política de rechazo.", map[string]string{"dmarc": req}},
		{"Spanish no se exige is not a demand", "No se exige DNSSEC en este lote.", map[string]string{"dnssec": men}},
		{"Spanish se valorará is not a demand", "Se valorará la compatibilidad con IPv6.", map[string]string{"ipv6": men}},
		{"Spanish opcional is not a demand", "El soporte de DANE es opcional.", map[string]string{"dane": men}},
		{"sun protection factor is not the mail standard", "Staff working outside must be given sunscreen with SPF 30.", map[string]string{}},
		{"an acronym defined as something else is not the standard", "The supplier provides Sun Protection Factor (SPF) products. All SPF products must be certified.", map[string]string{}},
		{"TLS-RPT is not TLS", "The supplier must support TLS-RPT.", map[string]string{"tls-rpt": req}},
		{"STARTTLS is not TLS", "Mail servers must offer STARTTLS.", map[string]string{"starttls": req}},
		{"a URL is not a demand for HTTPS", "Questions must be sent through https://tenders.example.", map[string]string{}},
		{"a lead-in demand reaches its list", "The supplier must support the following standards:\n\n- DNSSEC\n- IPv6\n", map[string]string{"dnssec": req, "ipv6": req}},
		{"a mention without demand", "Our current provider already uses IPv6.", map[string]string{"ipv6": men}},
		{"an ISO standard in Dutch form", "De leverancier is gecertificeerd volgens NEN-ISO/IEC 27001 en moet dat blijven.", map[string]string{"iso-27001": req}},
		{"May as a month is no wish", "In May the supplier must have DNSSEC in place.", map[string]string{"dnssec": req}},
		{"a prohibition is not a request", "The supplier must not rely on SPF alone.", map[string]string{"spf": men}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := statusOf(t, c.text)
			if !maps.Equal(got, c.want) {
				t.Errorf("%q\n got %v\nwant %v", c.text, got, c.want)
			}
		})
	}
}
