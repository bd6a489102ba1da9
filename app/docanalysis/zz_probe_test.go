package docanalysis_test
import ("testing";"fmt")
func TestZZProbe(t *testing.T){
 for _, s := range []string{
  "Standard | Status\nDNSSEC | Required\nDANE | Not required\nIPv6 | Not needed",
  "Norm | Status\nDNSSEC | Verplicht\nDANE | Niet nodig",
  "Norma | Estado\nDNSSEC | Obligatorio\nDANE | No necesario",
  "Award criterion: the bidder supports DANE on inbound mail.",
  "Gunningscriterium: de inschrijver ondersteunt DANE.",
  "Criterio de adjudicación: el licitador admite DANE.",
  "Mejora valorable: soporte de DANE en la recepción.",
  "Requisito mínimo: el licitador admite DANE.",
  "Knock-out: the bidder supports DANE.",
  "# Requirements\n\nThe Council's mail domain already has DMARC at p=reject; the supplier need not change it.",
  "# Eisen\n\nDe gemeente beheert het DMARC-record zelf.",
  "# Requisitos\n\nEl registro DMARC lo gestiona el propio Ayuntamiento; el adjudicatario no tiene que hacer nada.",
  "# Requirements\n\nThe Council manages its DMARC record itself.",
  "The supplier is responsible for ensuring that all domains are signed with DNSSEC.",
  "Explique su experiencia con DNSSEC.",
  "Licht uw aanpak voor IPv6 toe.",
  "How will you implement DNSSEC?",
  "Indique si su solución admite IPv6. Este es un requisito excluyente.",
 } { fmt.Printf("%v  <= %q\n", statusOf(t, s), s) }
}
