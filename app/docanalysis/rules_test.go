package docanalysis_test

import (
	"context"
	"maps"
	"slices"
	"testing"

	"tenderprobe/app/docanalysis"
)

// TestClassificationRules covers the general classes of language behind
// the blind holdout's errors, each in English, Dutch and Spanish, in
// running text and in tables. The sentences are written for this test.
func TestClassificationRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		text string
		want map[string]string
	}{
		// 1. Marker cells of prioritisation schemes decide their row.
		{"a MoSCoW Won't row is not a demand", "ID | Requirement | MoSCoW\nR1 | Zones are signed with DNSSEC. | Must\nR2 | Inbound mail is protected by DANE. | Won't", map[string]string{"dnssec": req, "dane": men}},
		{"MoSCoW letters under a priority column decide their rows", "Ref | Description | Priority\nA1 | The mail domain publishes SPF records. | M\nA2 | The mail domain publishes MTA-STS. | S\nA3 | A security.txt file is published. | C", map[string]string{"spf": req, "mta-sts": men, "security-txt": men}},
		{"an O under an M/O column is an option", "Nr | Requirement | M/O\n1 | The bidder must join MANRS. | O\n2 | All routers validate routes with RPKI. | M", map[string]string{"manrs": men, "rpki": req}},
		{"an award criterion row is not a demand", "Item | Description | Type\n1 | The supplier holds ISO 27001 certification. | Award criterion\n2 | The site is reachable over IPv6. | Mandatory", map[string]string{"iso-27001": men, "ipv6": req}},
		{"a Dutch Gunningscriterium row is not a demand", "Nr | Omschrijving | Soort\n1 | De leverancier ondersteunt DANE. | Gunningscriterium\n2 | De maildienst publiceert DMARC met p=reject. | Knock-out", map[string]string{"dane": men, "dmarc": req}},
		{"a Dutch E/W column decides its rows", "Nr | Eis | E/W\n1 | Ondertekening met DNSSEC | E\n2 | Bereikbaar via IPv6 | W", map[string]string{"dnssec": req, "ipv6": men}},
		{"a Spanish Valorable row is not a demand", "Código | Descripción | Carácter\nT1 | Firma de las zonas con DNSSEC | Obligatorio\nT2 | Publicación de un fichero security.txt | Valorable\nT3 | Compatibilidad con IPv6 | Mejora", map[string]string{"dnssec": req, "security-txt": men, "ipv6": men}},
		{"a Spanish Excluyente row is a demand and Deseable is not", "Código | Requisito | Tipo\nR1 | Uso de DKIM en los envíos | Excluyente\nR2 | Soporte de DANE | Deseable", map[string]string{"dkim": req, "dane": men}},

		{"a marker cell with its word in brackets decides its row", "ID | Requirement | Priority\nR1 | DNSSEC on all zones | M (Must)\nR2 | DANE on inbound mail | W – Won't have", map[string]string{"dnssec": req, "dane": men}},

		{"a Won't marker in a list item is not a demand", "The supplier must deliver the following:\n\n- DNSSEC on all zones (Must)\n- DANE for inbound mail (Won't have)\n", map[string]string{"dnssec": req, "dane": men}},
		{"a Dutch Wens marker in a list item is not a demand", "De leverancier moet het volgende leveren:\n\n- DNSSEC op alle domeinen (Eis)\n- DANE voor inkomende mail (Wens)\n", map[string]string{"dnssec": req, "dane": men}},
		{"a Spanish Valorable marker in a list item is not a demand", "El adjudicatario deberá aportar lo siguiente:\n\n- DNSSEC en todos los dominios (Obligatorio)\n- DANE en la recepción de correo (Valorable)\n", map[string]string{"dnssec": req, "dane": men}},

		// 2. Relative and comparison clauses about another party.
		{"a standard behind which-is-based-on is background", "The supplier shall encrypt all backups, as set out in the Authority's security policy, which is itself based on ISO/IEC 27001.", map[string]string{"iso-27001": men}},
		{"an English comparison with the buyer's own practice is background", "The contractor must sign every zone it hosts, just as the Council already does with DNSSEC for its own domains.", map[string]string{"dnssec": men}},
		{"an English relative clause with its own must stays a demand", "The supplier shall deliver a resolver service, which must validate DNSSEC on every answer.", map[string]string{"dnssec": req}},
		{"a Dutch relative clause about another authority is background", "Opdrachtnemer moet alle verbindingen versleutelen, net als de provincie die sinds 2022 DANE gebruikt voor de eigen maildomeinen.", map[string]string{"dane": men}},
		{"a Dutch appositive guideline that prescribes for others is background", "De webserver moet HTTPS afdwingen, waarbij de gemeente verwijst naar een Europese richtlijn die daarnaast ook DNSSEC voorschrijft voor ministeries.", map[string]string{"https": req, "dnssec": men}},
		{"a Spanish comparison with the buyer is background", "El contratista deberá firmar las zonas DNS, al igual que hace la Diputación, que aplica DNSSEC en sus propios dominios desde 2020.", map[string]string{"dnssec": men}},
		{"a Spanish relative clause after a comparison goes on about the other party", "El adjudicatario deberá alojar el portal, como ya hace el Ministerio, que utiliza IPv6 en todos sus servicios.", map[string]string{"ipv6": men}},
		{"Spanish como before examples lists what the demand names", "El servicio de correo deberá admitir mecanismos de autenticación, como el DKIM y el SPF.", map[string]string{"dkim": req, "spf": req}},
		{"a Dutch comparison with the buyer's own domains is background", "Opdrachtnemer moet alle sites via HTTPS aanbieden, zoals de gemeente dat nu al doet met HSTS op haar eigen domeinen.", map[string]string{"https": req, "hsts": men}},
		{"a Spanish restrictive relative clause stays a demand", "El adjudicatario deberá prestar un servicio de correo que admita DANE en la recepción.", map[string]string{"dane": req}},

		{"such as lists what the demand names", "The mail service must support modern standards such as DANE and MTA-STS.", map[string]string{"dane": req, "mta-sts": req}},
		{"as described in names the norm of the demand", "The supplier shall configure TLS, as described in the NCSC TLS guidelines.", map[string]string{"tls": req}},
		{"Dutch zoals beschreven in names the norm of the demand", "De leverancier moet de verbindingen inrichten zoals beschreven in de NCSC TLS-richtlijnen, die de gemeente hanteert.", map[string]string{"tls": req}},
		{"Spanish conforme a names the norm of the demand", "El adjudicatario deberá configurar TLS, conforme a las recomendaciones del CCN, que el Instituto aplica.", map[string]string{"tls": req}},
		{"a purpose clause's can is no wish", "# Eisen aan de oplevering\n\nDe leverancier levert bij elke release een SBOM, zodat de gemeente de componenten kan volgen.", map[string]string{"cra-sbom": req}},

		{"based on after a comma names the norm of the demand", "The supplier must operate an information security management system, based on ISO/IEC 27001.", map[string]string{"iso-27001": req}},
		{"Spanish basado en after a comma names the norm of the demand", "El adjudicatario deberá mantener un sistema de gestión, basado en la norma ISO/IEC 27001.", map[string]string{"iso-27001": req}},
		{"a Dutch relative clause about the supplier's own work stays a demand", "De leverancier levert een maildienst, die hij volgens DANE moet inrichten.", map[string]string{"dane": req}},

		{"a policy that requires something of its own systems is no demand on the supplier", "The Council's information security policy requires ISO/IEC 27001 for all its internal systems.", map[string]string{"iso-27001": men}},
		{"a policy that requires something of suppliers is a demand", "Our security policy requires ISO/IEC 27001 certification of every supplier.", map[string]string{"iso-27001": req}},
		{"a Dutch law that requires something of others is no demand on the supplier", "De Duitse wet vereist DNSSEC voor alle federale domeinen.", map[string]string{"dnssec": men}},
		{"a Spanish norm that requires something of others is no demand on the supplier", "El Esquema Nacional de Seguridad exige IPv6 a los organismos de la Administración General.", map[string]string{"ipv6": men}},

		// 3. Questions asking the bidder to describe or explain.
		{"describe how is a mention", "Describe how you will roll out MTA-STS for the Council's domains and which requirements you have of us.", map[string]string{"mta-sts": men}},
		{"explain how with mandatory is a demand", "Explain how you will meet the mandatory requirement to sign all zones with DNSSEC.", map[string]string{"dnssec": req}},
		{"Dutch beschrijf hoe is a mention", "Beschrijf hoe u DANE invoert voor de inkomende mail en welke eisen dat aan ons stelt.", map[string]string{"dane": men}},
		{"Dutch geef aan hoe is a mention", "Vraag 4: Geef aan hoe uw oplossing RPKI toepast op de randrouters.", map[string]string{"rpki": men}},
		{"Dutch licht toe with verplicht is a demand", "Licht toe hoe u voldoet aan de verplichte ondersteuning van IPv6.", map[string]string{"ipv6": req}},
		{"Spanish describa cómo is a mention", "Describa cómo aplicará DMARC en los dominios del Ayuntamiento y qué requisitos técnicos plantea.", map[string]string{"dmarc": men}},
		{"Spanish explique with excluyente is a demand", "Explique cómo cumplirá el requisito excluyente de IPv6 en todos los enlaces.", map[string]string{"ipv6": req}},
		{"a numbered Dutch question is a mention under a demand heading", "# Eisen\n\nVraag 3: Beschrijf hoe u DNSSEC inricht.", map[string]string{"dnssec": men}},
		{"a demand quoted after a colon in a question keeps its must", "Describe how you will meet requirement R4: the solution must support DNSSEC.", map[string]string{"dnssec": req}},
		{"a question row is a mention", "Nr | Question\nQ1 | Describe your approach to DNSSEC key rollovers.", map[string]string{"dnssec": men}},

		// 4. Negations and "no need".
		{"English does not need is not a demand", "The portal does not need HSTS, because the load balancer of the Council adds it.", map[string]string{"hsts": men}},
		{"English is not necessary is not a demand", "For this lot DNSSEC is not necessary.", map[string]string{"dnssec": men}},
		{"Dutch hoeft niets te doen is not a demand", "Het SPF-record wordt door de gemeente zelf beheerd; de leverancier hoeft daarvoor niets te doen.", map[string]string{"spf": men}},
		{"Dutch is niet nodig is not a demand", "Ondersteuning van DANE is voor deze opdracht niet nodig.", map[string]string{"dane": men}},
		{"Spanish no hace falta is not a demand", "No hace falta que la plataforma admita IPv6 en esta fase.", map[string]string{"ipv6": men}},
		{"Spanish no necesita is not a demand", "El portal no necesita DNSSEC porque el dominio lo gestiona el Ministerio.", map[string]string{"dnssec": men}},

		{"Spanish no tiene que hacer nada is not a demand", "# Requisitos\n\nEl registro SPF lo mantiene el propio Ayuntamiento; el contratista no tiene que hacer nada al respecto.", map[string]string{"spf": men}},
		{"what the buyer manages itself is no demand under a demand heading", "# Requirements\n\nThe Council manages its own SPF record itself.", map[string]string{"spf": men}},
		{"what the Dutch buyer already has is no demand under a demand heading", "# Eisen\n\nDe provincie heeft al DNSSEC op al haar domeinen.", map[string]string{"dnssec": men}},
		{"what the Spanish buyer already has is no demand under a demand heading", "# Requisitos\n\nLa Diputación ya publica registros DMARC en sus dominios.", map[string]string{"dmarc": men}},
		{"a statement without modal under a demand heading is still a demand", "# Requirements\n\nThe supplier signs all zones with DNSSEC.", map[string]string{"dnssec": req}},

		// 5. Demand phrases.
		{"English is obliged to is a demand", "The contractor is obliged to publish a DMARC policy for every sending domain.", map[string]string{"dmarc": req}},
		{"English undertakes to is a demand", "The supplier undertakes to publish a security.txt file on every web server.", map[string]string{"security-txt": req}},
		{"English is responsible for ensuring is a demand", "The provider is responsible for ensuring that the website sets HSTS on every response.", map[string]string{"hsts": req}},
		{"an English knock-out marker after a semicolon decides the clause before", "Resolvers validate DNSSEC on every response; this is a knock-out requirement.", map[string]string{"dnssec": req}},
		{"Dutch draagt zorg voor is a demand", "De leverancier draagt zorg voor een SBOM bij iedere oplevering.", map[string]string{"cra-sbom": req}},
		{"Dutch verplicht zich is a demand", "Opdrachtnemer verplicht zich om RPKI-validatie toe te passen op alle randrouters.", map[string]string{"rpki": req}},
		{"Dutch staat ervoor in dat is a demand", "Opdrachtnemer staat ervoor in dat alle mail met DKIM wordt ondertekend.", map[string]string{"dkim": req}},
		{"a Dutch knock-out marker after a semicolon decides the clause before", "De webservers ondersteunen IPv6; dit is een knock-outeis.", map[string]string{"ipv6": req}},
		{"Spanish estará obligado a is a demand", "El contratista estará obligado a firmar los correos con DKIM.", map[string]string{"dkim": req}},
		{"Spanish garantizará is a demand", "El proveedor garantizará la validación de DNSSEC en los resolutores.", map[string]string{"dnssec": req}},
		{"Spanish se compromete a is a demand", "La empresa adjudicataria se compromete a publicar registros SPF en todos los dominios.", map[string]string{"spf": req}},
		{"a Spanish excluyente marker after a semicolon decides the clause before", "Los servidores publicarán registros DMARC; este es un requisito excluyente.", map[string]string{"dmarc": req}},

		// 3. Questions and answers: the answer decides, a later answer
		// overrides an earlier one, and a question only quotes.
		{"an English answer No withdraws the demand its question quotes", "Clarifications\n\nQ1. Section 3 demands DNSSEC for every zone. Is DNSSEC mandatory for the parked domains too? A1. No. The Authority signs those zones itself.\n\nQ2. Must the resolvers validate DNSSEC? A2. Yes.\n\nQ3. Is RPKI a requirement? A3. Yes, RPKI is mandatory on every border router.", map[string]string{"dnssec": req, "rpki": req}},
		{"a bare No to a question about an extension keeps the demand", "Clarifications\n\nQ1. Is IPv6 required? A1. Yes.\n\nQ2. Must IPv6 also be offered on the guest network? A2. No.", map[string]string{"ipv6": req}},
		{"a later answer turns a demand into a wish", "Q&A\n\nQ1. Is DANE required? A1. Yes, DANE is required.\n\nQ2. Following answer 1: for which domains? A2. The Authority has changed answer 1: DANE is no longer required and is now an award criterion.", map[string]string{"dane": men}},
		{"an answer makes a wish of the tender a demand", "The supplier should support MTA-STS.\n\nQuestion 1: Will MTA-STS be evaluated? Answer: The requirement has changed: the supplier must support MTA-STS from the start.\n\nQuestion 2: When is the deadline? Answer: 3 June.", map[string]string{"mta-sts": req}},
		{"a Dutch Q&A table's Ja makes the quoted standard a demand", "Nr | Vraag | Antwoord\n1 | Is ondersteuning van DKIM een eis? | Ja.\n2 | Moet de dienst SPF publiceren voor alle subdomeinen? | Nee.\n3 | Is DANE een eis of een wens? | Een wens.", map[string]string{"dkim": req, "spf": men, "dane": men}},
		{"a Dutch answer that says geen eis meer withdraws an earlier answer", "Nr | Vraag | Antwoord\n1 | Is HSTS verplicht? | Ja.\n2 | Geldt antwoord 1 ook voor de testomgeving? | De gemeente komt terug op antwoord 1: HSTS is geen eis meer.", map[string]string{"hsts": men}},
		{"a Spanish answer with deja de ser obligatorio withdraws the demand", "Consulta 1\n\nEl pliego exige WebAuthn para los administradores. ¿Se admiten otros métodos?\n\nRespuesta: Sí. WebAuthn deja de ser obligatorio y se valorará.\n\nConsulta 2\n\n¿Es obligatorio el uso de IPv6?\n\nRespuesta: Sí, es un requisito obligatorio.", map[string]string{"webauthn": men, "ipv6": req}},
		{"a blank response form is no Q&A", "Q1. The supplier must sign all zones with DNSSEC. Confirm. Answer: Yes/No\n\nQ2. The supplier must publish SPF records. Confirm. Answer: Yes/No", map[string]string{"dnssec": req, "spf": req}},
		{"outside a Q&A document a later wish does not undo a demand", "The supplier must sign all zones with DNSSEC.\n\nFor the test domains DNSSEC is optional.", map[string]string{"dnssec": req}},

		// 4. Prohibitions and withdrawals are no demand.
		{"Dutch moet geen is no demand", "De leverancier moet geen eigen DMARC-record publiceren; dat doet de provincie.", map[string]string{"dmarc": men}},
		{"Dutch moet niet alleen is still a demand", "De leverancier moet niet alleen DKIM maar ook SPF inrichten.", map[string]string{"dkim": req, "spf": req}},
		{"English is withdrawn is no demand", "Requirement 4.2 (IPv6 on all links) is withdrawn.", map[string]string{"ipv6": men}},
		{"Spanish se suprime is no demand", "Se suprime el requisito de DANE del apartado 4.", map[string]string{"dane": men}},

		// 5. A law's duty on a class of others is no demand of the tender.
		{"a law's duty on manufacturers is background", "From 2027 manufacturers must publish a software bill of materials under Article 13 of the Cyber Resilience Act.", map[string]string{"cra-sbom": men}},
		{"a Dutch law's duty on fabrikanten is background", "Op grond van artikel 14 van de Cyberweerbaarheidsverordening moeten fabrikanten actief misbruikte kwetsbaarheden melden, zoals de verordening voorschrijft.", map[string]string{"cra-reporting": men}},
		{"the supplier as manufacturer under the law stays a demand", "The Supplier, as manufacturer, must report actively exploited vulnerabilities under Article 14 of the Cyber Resilience Act.", map[string]string{"cra-reporting": req}},
		{"a habitual relative clause about others is background", "The supplier must hold a Cyber Essentials Plus certificate, which most bidders obtain together with ISO 27001.", map[string]string{"iso-27001": men}},
		{"a Spanish habitual relative clause is background", "El adjudicatario deberá aportar el certificado del ENS, que muchas empresas obtienen junto con la ISO 27001.", map[string]string{"iso-27001": men}},

		// 6. Tables whose kind column holds letters or points.
		{"letters under a Type column decide their rows", "Ref | Requirement | Type\nT1 | Zones signed with DNSSEC. | M\nT2 | Mail reachable over IPv6. | D\nT3 | The domains do not use DANE today. | I", map[string]string{"dnssec": req, "ipv6": men, "dane": men}},
		{"a Spanish Puntos row only scores", "Clave | Requisito | Tipo\nR1 | Registros SPF en ambos dominios. | Obligatorio\nR2 | Política MTA-STS en modo enforce. | Puntos", map[string]string{"spf": req, "mta-sts": men}},
		{"a table of rated requirements with points is no demand", "Item | Rated requirement | Points\nR1 | ISO/IEC 27001 certification of the operator | 10\nR2 | Support for WebAuthn | 5", map[string]string{"iso-27001": men, "webauthn": men}},
		{"Dutch maakt geen deel uit is out of scope", "Het security.txt-bestand van de provincie maakt geen deel uit van deze opdracht.", map[string]string{"security-txt": men}},
		{"Spanish no forma parte is out of scope", "La firma DNSSEC de los dominios la gestiona el Ayuntamiento y no forma parte del contrato.", map[string]string{"dnssec": men}},
		{"a relative clause about the supplier's deliverable itself stays in the demand row", "ID | Onderdeel | Omschrijving | Soort\nT1 | Tijd | Twee tijdservers, die de meetstations bedienen en die zelf hun tijd betrekken via NTS. | Eis", map[string]string{"nts": req}},

		// 7. A correction quotes the old text it replaces.
		{"the old text a correction replaces is no demand", "Clause 4.1 currently reads \"The Contractor shall support DANE on inbound mail.\" Clause 4.1 is replaced with: \"The Contractor should support DANE on inbound mail.\"", map[string]string{"dane": men}},
		{"the new text of a correction is a demand", "Donde dice: «El adjudicatario podrá publicar registros DMARC.» Debe decir: «El adjudicatario deberá publicar registros DMARC con p=reject.»", map[string]string{"dmarc": req}},
		{"a Dutch correction's old text is no demand", "Waar staat: \"De opdrachtnemer moet DNSSEC toepassen op alle domeinen.\" moet worden gelezen: \"DNSSEC is een wens.\"", map[string]string{"dnssec": men}},

		// 8. Acronyms that the document spells out as something else.
		{"an acronym spelled with a small word is something else", "The design shall have no single point of failure (SPF) in the core. Each SPF found in testing is a defect.", map[string]string{}},
		{"a mixed-case acronym defined as a department is something else", "The Department of Transport (DoT) operates 37 depots. DoT staff must use the new portal.", map[string]string{}},
		{"lower-case dot is no DNS standard", "Each dot on the map must be a depot.", map[string]string{}},
		{"ROV next to underwater cameras is no route origin validation", "The network for ROV images from the underwater cameras must be separate.", map[string]string{}},
		{"ROV next to routing stays route origin validation", "De opdrachtnemer moet ROV toepassen op alle BGP-sessies.", map[string]string{"rpki": req}},

		// 9. Announced lists, marker columns of yes and no, laws on others.
		{"a Dutch sentence announcing the requirements below makes the list demands", "De Inschrijver moet aan alle onderstaande geschiktheidseisen voldoen.\n\n- Informatiebeveiliging: de Inschrijver beschikt over een certificaat volgens ISO 27001.\n- Bereikbaarheid: de website is bereikbaar via IPv6.\n", map[string]string{"iso-27001": req, "ipv6": req}},
		{"an English sentence announcing the requirements below makes the list demands", "The supplier must meet each of the requirements below.\n\n- Certification: a current ISO/IEC 27001 certificate.\n- Mail: DMARC with p=reject on every domain.\n", map[string]string{"iso-27001": req, "dmarc": req}},
		{"a Sí under an Excluyente column is a demand whatever the text's can", "Ref. | Requisito | Excluyente\nC1 | El firmware puede actualizarse de forma remota y segura (disposición 5.3 de ETSI EN 303 645). | Sí\nC2 | Los equipos admiten IPv6. | No", map[string]string{"en-303645-software-updates": req, "ipv6": men}},
		{"a law's obligations on manufacturers under a demanding heading are background", "# Security requirements\n\nThe reporting obligations of Article 14 of the Cyber Resilience Act apply from 2026 to manufacturers of connected products.", map[string]string{"cra-reporting": men}},
		{"withdrawing an award criterion's sentence keeps the demand", "Q1. Is DANE a requirement? A1. Yes, DANE is a knock-out requirement.\n\nQ2. From when? A2. From the start of the service.\n\nChanges\n\nIn the explanation of award criterion K2 the sentence about DANE is deleted.", map[string]string{"dane": req}},
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

// TestSuggestedKindsRules checks the profile keywords on general words:
// data "in transit" is no network purchase, and counting devices and
// data-at-rest services suggest their kinds, in each language.
func TestSuggestedKindsRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		text string
		want []string
	}{
		{"a cloud service that encrypts data in transit is no network purchase", "The hosted service runs in a public cloud in two data centres. Data in transit and data at rest are encrypted.", []string{"cloud-saas"}},
		{"Dutch counting devices are connected devices", "De provincie koopt tellers voor fietspaden. De tellers en detectoren sturen hun telemetrie naar een platform.", []string{"connected-devices"}},
		{"Spanish counters are connected devices", "El Ayuntamiento adquiere contadores de tráfico y detectores con telemetría para las calles del centro.", []string{"connected-devices"}},
		{"a Dutch cloud service on a public cloud", "De gehoste dienst draait in een publieke cloud in twee datacenters; data in rust wordt versleuteld.", []string{"cloud-saas"}},
		{"Spanish IP transit is network connectivity", "El contrato incluye tránsito IP y conectividad para todas las sedes.", []string{"network-connectivity"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := docanalysis.Extract(context.Background(), "t.txt", []byte(c.text))
			if err != nil {
				t.Fatal(err)
			}
			got := shippedEngine(t).SuggestProfiles(doc, "")
			if !slices.Equal(got, c.want) {
				t.Errorf("%q\n got %v\nwant %v", c.text, got, c.want)
			}
		})
	}
}
