package handlers

import (
	"strings"
	"testing"
	"time"

	"tenderprobe/app/i18n"
	"tenderprobe/models"
)

// TestAuditChangesReadInTheReadersLanguage writes entries as the models
// record them and reads their changes in each language: every field's
// name and every value that is a code (a yes or no, a level, a kind, a
// profile) in the reader's words; the users' own text as it is.
func TestAuditChangesReadInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	amsterdam, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		object        string
		before, after string
		want          map[string][]string
	}{
		{"an accepted invitation says when it was used and that a password was set", "invitation",
			`{"used_at":null}`, `{"used_at":"2026-03-01T09:00:00Z","password_set":true}`, map[string][]string{
				"en": {"password set: yes", "used at: (empty) → 1 Mar 2026, 10:00 CET"},
				"nl": {"wachtwoord ingesteld: ja", "gebruikt op: (leeg) → 1 mrt 2026 10:00 CET"},
				"es": {"contraseña establecida: sí", "utilizada el: (vacío) → 1 mar 2026, 10:00 CET"},
			}},
		{"an uploaded file names its file, type, size, checksum and requirement", "evidence",
			``, `{"requirement_id":12,"file_name":"policy.pdf","sha256":"abc","size":2048,"content_type":"application/pdf"}`, map[string][]string{
				"en": {"file name: policy.pdf", "content type: application/pdf", "size in bytes: 2048", "SHA-256 checksum: abc", "requirement number: 12"},
				"nl": {"bestandsnaam: policy.pdf", "bestandstype: application/pdf", "grootte in bytes: 2048", "SHA-256-controlegetal: abc", "nummer van de eis: 12"},
				"es": {"nombre del archivo: policy.pdf", "tipo de contenido: application/pdf", "tamaño en bytes: 2048", "suma de comprobación SHA-256: abc", "número del requisito: 12"},
			}},
		{"a reused file says where it came from", "evidence",
			``, `{"reused_from":{"source":"attestation","attestation_id":3,"version":2},"file_name":"a.pdf"}`, map[string][]string{
				"en": {"reused from: attestation 3, version 2"},
				"nl": {"hergebruikt uit: verklaring 3, versie 2"},
				"es": {"reutilizada de: declaración 3, versión 2"},
			}},
		{"a moved requirement names its standard and both positions", "requirement",
			`{"standard":"dnssec","position":3}`, `{"standard":"dnssec","position":1}`, map[string][]string{
				"en": {"position: 3 → 1", "standard: dnssec"},
				"nl": {"positie: 3 → 1", "standaard: dnssec"},
				"es": {"posición: 3 → 1", "estándar: dnssec"},
			}},
		{"an edited requirement names its clause and level in words", "requirement",
			`{"clause":"","level":"recommended"}`, `{"clause":"Sign every zone.","level":"mandatory"}`, map[string][]string{
				"en": {"clause: (empty) → Sign every zone.", "level: recommended → mandatory"},
				"nl": {"bepaling: (leeg) → Sign every zone.", "niveau: aanbevolen → verplicht"},
				"es": {"cláusula: (vacío) → Sign every zone.", "nivel: recomendado → obligatorio"},
			}},
		{"an applied profile names the profile and each level in words", "tender",
			``, `{"profile":"Website hosting","added":["https (mandatory)","csp (recommended)"]}`, map[string][]string{
				"en": {"profile: Website hosting", "added: https (mandatory), csp (recommended)"},
				"nl": {"profiel: Websitehosting", "toegevoegd: https (verplicht), csp (aanbevolen)"},
				"es": {"perfil: Alojamiento web", "añadidos: https (obligatorio), csp (recomendado)"},
			}},
		{"the kinds of ICT of a tender are the profiles' names", "tender",
			`{"kinds":""}`, `{"kinds":"website-hosting, email-service"}`, map[string][]string{
				"en": {"kinds of ICT: (empty) → Website hosting, E-mail service"},
				"nl": {"soorten ICT: (leeg) → Websitehosting, E-maildienst"},
				"es": {"tipos de TIC: (vacío) → Alojamiento web, Servicio de correo electrónico"},
			}},
		{"a disabled account and a reset password read in words", "user",
			`{"disabled":false,"password":""}`, `{"disabled":true,"password":"changed"}`, map[string][]string{
				"en": {"disabled: no → yes", "password: (empty) → changed"},
				"nl": {"geblokkeerd: nee → ja", "wachtwoord: (leeg) → gewijzigd"},
				"es": {"desactivado: no → sí", "contraseña: (vacío) → cambiado"},
			}},
		{"an invitation to a known supplier, revoked later", "invitation",
			`{"revoked_at":null}`, `{"existing_supplier":true,"new_account":false,"emails":["a@x.test","b@x.test"],"revoked_at":"2026-03-02T10:00:00Z"}`, map[string][]string{
				// Times in the reader's zone (Amsterdam here) and words.
				"en": {"existing supplier: yes", "new account: no", "e-mail addresses: a@x.test, b@x.test", "revoked at: (empty) → 2 Mar 2026, 11:00 CET"},
				"nl": {"bestaande leverancier: ja", "nieuw account: nee", "e-mailadressen: a@x.test, b@x.test", "ingetrokken op: (leeg) → 2 mrt 2026 11:00 CET"},
				"es": {"proveedor existente: sí", "cuenta nueva: no", "direcciones de correo electrónico: a@x.test, b@x.test", "revocada el: (vacío) → 2 mar 2026, 11:00 CET"},
			}},
		{"a deadline moved reads in the reader's zone, a planned date as a day", "answer",
			`{"planned_date":"2027-01-31"}`, `{"planned_date":"2027-03-01","deadline":"2027-06-30T21:59:00Z"}`, map[string][]string{
				"en": {"planned date: 31 Jan 2027 → 1 Mar 2027", "30 Jun 2027, 23:59 CEST"},
				"nl": {"geplande datum: 31 jan 2027 → 1 mrt 2027", "30 jun 2027 23:59 CEST"},
				"es": {"1 mar 2027", "30 jun 2027, 23:59 CEST"},
			}},
		{"a tender's deadline reads in the reader's zone and its value in the reader's number style", "tender",
			`{"deadline":"","estimated_value":"EUR 1,250,000.50"}`, `{"deadline":"2027-01-04 12:00 America/Bogota","estimated_value":"EUR 99.00"}`, map[string][]string{
				"en": {"(empty) → 4 Jan 2027, 18:00 CET", "€1,250,000.50 → €99.00"},
				"nl": {"(leeg) → 4 jan 2027 18:00 CET", "€\u00a01.250.000,50 → €\u00a099,00"},
				"es": {"(vacío) → 4 ene 2027, 18:00 CET", "1.250.000,50\u00a0€ → 99,00\u00a0€"},
			}},
		{"a sign-in service's roles by claim value read in words", "sso_provider",
			``, `{"sso_role_map":"staff=officer\nreaders=auditor"}`, map[string][]string{
				"en": {"staff → procurement officer; readers → auditor"},
				"nl": {"staff → inkoper; readers → auditor"},
			}},
		{"a shared link names its kind in words", "shared_link",
			``, `{"kind":"annual","label":"Open data","year":2026}`, map[string][]string{
				"en": {"kind: Annual report"},
				"nl": {"soort: Jaarrapport"},
				"es": {"tipo: Informe anual"},
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := models.AuditEntry{ObjectType: tc.object, Before: tc.before, After: tc.after}
			for lang, want := range tc.want {
				rows := auditRows(Locale{Lang: lang, Zone: amsterdam}, []models.AuditEntry{e}, models.AuditNames{})
				got := strings.Join(rows[0].Changes, "; ")
				for _, w := range want {
					if !strings.Contains(strings.ToLower(got), strings.ToLower(w)) {
						t.Errorf("in %s the changes read %q, want %q", lang, got, w)
					}
				}
				if lang == "en" {
					continue
				}
				for _, english := range []string{"yes", "password", "used at", "file name", "content type", "size", "clause",
					"position", "reused", "mandatory", "recommended", "Website hosting", "annual", "changed", "supplier"} {
					if strings.Contains(got, english) {
						t.Errorf("in %s the changes %q have the English %q", lang, got, english)
					}
				}
			}
		})
	}
}

// TestEveryAuditFieldHasWords lists every field the models record in an
// audit entry (writeAudit's before and after, the auditFields of tenders,
// requirements, users and sign-in services, answer snapshots): each has
// words in the catalogue, so none shows as its name. A new field belongs
// in this list.
func TestEveryAuditFieldHasWords(t *testing.T) {
	t.Parallel()
	fields := []string{
		// tenders, requirements and profiles
		"title", "reference", "description", "estimated_value", "deadline", "scope_tags", "language", "status", "revision",
		"requirements", "new_revision_id", "level", "clause", "note", "position", "note_visibility", "standard", "order",
		"profile", "added", "kinds", "explanation",
		// invitations, colleagues and accounts
		"email", "emails", "supplier_org_id", "existing_supplier", "new_account", "expires_at", "revoked_at", "used_at",
		"password_set", "user_id", "org_id", "name", "role", "disabled", "password", "second_factor", "require_second_factor",
		// answers, evidence, scope and submissions
		"planned_date", "review_status", "lock_version", "comment", "reply", "requirement_id", "file_name", "sha256", "size",
		"content_type", "kind", "url", "reused_from", "web", "mail", "management", "version", "receipt", "declarer",
		// organisations, catalogues, shared links, analysis mails and sign-in services
		"time_zone", "current", "standards", "label", "year", "subject", "content_hash",
		"sso_issuer", "sso_client_id", "sso_client_secret", "sso_domains", "sso_fixed_role", "sso_role_claim", "sso_role_map",
		"sso_approval", "sso_awaiting_approval", "sso_reason",
	}
	for _, lang := range messages.Languages() {
		for _, f := range fields {
			if !messages.Has(lang, "audit.field."+f) && !messages.Has(lang, "label."+f) && !messages.Has(lang, "answer.field."+f) {
				t.Errorf("the audit field %s has no words in %s: it shows as %q", f, lang, auditFieldText(lang, f))
			}
		}
	}
}

// TestTheRoleOfARefusalIsInWords: the 403 for a role a route does not
// admit names the role as the reader's language does.
func TestTheRoleOfARefusalIsInWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ lang, role, want string }{
		{"en", models.RoleVendor, "Your role (vendor) does not allow this."},
		{"en", models.RoleOfficer, "Your role (procurement officer) does not allow this."},
		{"nl", models.RoleVendor, "Uw rol (leverancier) staat dit niet toe."},
		{"nl", models.RoleAdmin, "Uw rol (beheerder) staat dit niet toe."},
		{"es", models.RoleVendor, "Su rol (proveedor) no le permite hacer esto."},
		{"es", models.RoleOfficer, "Su rol (responsable de compras) no le permite hacer esto."},
	} {
		t.Run(tc.lang+" names the role "+tc.role, func(t *testing.T) {
			if got := problemOf(refuse(403, "forbidden.route_role", "role", tc.role)).text(tc.lang); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestAuditNamesStandardsInTheReadersLanguage: a requirement's standard
// and a profile's added standards read as the standards' names in the
// reader's language, not as their slugs.
func TestAuditNamesStandardsInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	names := models.AuditNames{Standards: map[string]models.StandardName{
		"security-txt": models.NameOf(&models.Standard{Name: "security.txt contact file", Translations: models.StandardTranslations{
			"nl": {Name: "security.txt-contactbestand", Summary: "s", WhyDemand: "w", Clause: "c"},
			"es": {Name: "Archivo de contacto security.txt", Summary: "s", WhyDemand: "w", Clause: "c"}}}),
		"hsts": models.NameOf(&models.Standard{Name: "HTTP Strict Transport Security", Translations: models.StandardTranslations{
			"nl": {Name: "HTTP Strict Transport Security (HSTS)", Summary: "s", WhyDemand: "w", Clause: "c"}}}),
	}}
	entries := []models.AuditEntry{
		{ObjectType: "requirement", Before: `{"standard":"security-txt","level":"recommended"}`, After: `{"standard":"security-txt","level":"mandatory"}`},
		{ObjectType: "tender", After: `{"profile":"website-hosting","added":["hsts (mandatory)","security-txt (recommended)"]}`},
	}
	for _, tc := range []struct{ lang, standard, added string }{
		{"en", "security.txt contact file", "HTTP Strict Transport Security (mandatory), security.txt contact file (recommended)"},
		{"nl", "security.txt-contactbestand", "HTTP Strict Transport Security (HSTS) (verplicht), security.txt-contactbestand (aanbevolen)"},
		{"es", "Archivo de contacto security.txt", "HTTP Strict Transport Security ("},
	} {
		rows := auditRows(Locale{Lang: tc.lang, Zone: time.UTC}, entries, names)
		if got := strings.Join(rows[0].Changes, "; "); !strings.Contains(got, tc.standard) || strings.Contains(got, "security-txt") {
			t.Errorf("in %s the requirement's changes read %q, want the standard %q", tc.lang, got, tc.standard)
		}
		if got := strings.Join(rows[1].Changes, "; "); !strings.Contains(got, tc.added) || strings.Contains(got, "hsts") {
			t.Errorf("in %s the profile's changes read %q, want %q", tc.lang, got, tc.added)
		}
	}
}

// TestEveryAuditActionHasWords: the action filter lists every action the
// models record (models.AuditActions); one without words showed as "Other
// change (attestation.amend)" in every language.
func TestEveryAuditActionHasWords(t *testing.T) {
	t.Parallel()
	for _, action := range models.AuditActions {
		for _, lang := range i18n.Available() {
			if !messages.Has(lang, "audit.action."+action) {
				t.Errorf("no audit.action.%s in %s", action, lang)
			}
		}
	}
}
