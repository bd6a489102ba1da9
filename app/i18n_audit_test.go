package app

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tenderprobe/models"
)

// auditChanges are the texts of the "what changed" lists of an audit page.
var auditChanges = regexp.MustCompile(`<ul class="changes">(.*?)</ul>`)

func auditChangeTexts(body string) string {
	var out []string
	for _, m := range auditChanges.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(strings.ReplaceAll(strings.ReplaceAll(m[1], "<li>", ""), "</li>", "; ")))
	}
	return strings.Join(out, "\n")
}

// TestAuditDetailsAndRefusalsSpeakTheReadersLanguage makes changes through
// the web routes and reads the audit page in Dutch and Spanish: every
// field's name and every coded value in the reader's words. A vendor sent
// away from the audit page reads their role's name, not its code.
func TestAuditDetailsAndRefusalsSpeakTheReadersLanguage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	officer, admin := a.session("officer@demo.test"), a.session("admin@demo.test")
	see := func(res response) {
		t.Helper()
		if res.status != 303 {
			t.Fatalf("status %d, want 303: %s", res.status, errorText(res.body))
		}
	}
	res := officer.post("/tenders", url.Values{"title": {"Audited in three languages"}})
	see(res)
	m := createdTender.FindStringSubmatch(res.header.Get("Location"))
	if m == nil {
		t.Fatalf("redirected to %q", res.header.Get("Location"))
	}
	tp := func(suffix string) string { return "/tenders/" + m[1] + suffix }
	see(officer.post(tp("/requirements"), url.Values{"standard": {"dnssec"}, "level": {"mandatory"}, "custom_clause": {"Sign every zone."}}))
	see(officer.post(tp("/profile"), url.Values{"profile": {"website-hosting"}}))
	tn, err := models.FindTender(ctx, a.db, tenderID(t, m[1]))
	if err != nil {
		t.Fatal(err)
	}
	see(officer.post(tp(fmt.Sprintf("/requirements/%d/move", tn.Requirements[0].ID)), url.Values{"position": {"2"}}))
	see(officer.post(tp("/publish"), nil))
	_, token, err := models.Invite(ctx, a.db, a.user("officer@demo.test"), tn.ID, models.InviteInput{Email: "owner@words-supplier.test", Supplier: "Words Supplier"}, time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	vendor := a.anonymous()
	vendor.csrf = csrfFrom(t, vendor.get("/invitations/"+token).body)
	see(vendor.post("/invitations/"+token, url.Values{"password": {"a long vendor password"}, "password_confirm": {"a long vendor password"}}))
	user := a.user("vendor2@demo.test").ID
	see(admin.post(fmt.Sprintf("/admin/users/%d/disabled", user), url.Values{"disabled": {"true"}}))
	see(admin.post(fmt.Sprintf("/admin/users/%d/disabled", user), url.Values{"disabled": {"false"}}))
	see(admin.post(fmt.Sprintf("/admin/users/%d/password", user), url.Values{"password": {"another long password"}}))

	// English words and codes that were shown on Dutch and Spanish pages.
	english := []string{"password set", "used at", "position", "clause", "profile", "added", "disabled", "password:",
		": yes", "mandatory", "recommended", "Website hosting", "changed"}
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"nl", []string{"wachtwoord ingesteld: ja", "gebruikt op: (leeg) →", "positie: 1 → 2", "bepaling: Sign every zone.",
			"niveau: verplicht", "profiel: Websitehosting", "toegevoegd: HTTPS (verplicht)", "HTTP-beveiligingsheaders (aanbevolen)", "geblokkeerd: nee → ja", "wachtwoord: (leeg) → gewijzigd"}},
		{"es", []string{"contraseña establecida: sí", "utilizada el: (vacío) →", "posición: 1 → 2", "cláusula: Sign every zone.",
			"nivel: obligatorio", "perfil: Alojamiento web", "añadidos: HTTPS (obligatorio)", "Cabeceras de seguridad HTTP (recomendado)", "desactivado: no → sí", "contraseña: (vacío) → cambiado"}},
	} {
		t.Run("the audit page in "+tc.lang+" names every change in its words", func(t *testing.T) {
			auditor := a.session("auditor@demo.test")
			auditor.cookies["tp_lang"] = tc.lang
			var texts []string
			for _, path := range []string{"/audit?tender=" + m[1], "/audit?actor=admin@demo.test"} {
				res := auditor.get(path)
				if res.status != 200 {
					t.Fatalf("%s: status %d", path, res.status)
				}
				texts = append(texts, auditChangeTexts(res.body))
			}
			got := strings.Join(texts, "\n")
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("the changes lack %q:\n%s", w, got)
				}
			}
			for _, w := range english {
				if strings.Contains(got, w) {
					t.Errorf("the changes have the English %q:\n%s", w, got)
				}
			}
		})
	}

	for _, tc := range []struct{ lang, want string }{
		{"nl", "Uw rol (leverancier) staat dit niet toe."},
		{"es", "Su rol (proveedor) no le permite hacer esto."},
	} {
		t.Run("a vendor refused the audit page in "+tc.lang+" reads the role's name", func(t *testing.T) {
			c := a.session("vendor@demo.test")
			c.cookies["tp_lang"] = tc.lang
			res := c.get("/audit")
			if res.status != 403 || !strings.Contains(res.body, tc.want) || strings.Contains(res.body, "(vendor)") {
				t.Errorf("status %d, want 403 saying %q:\n%s", res.status, tc.want, errorText(res.body))
			}
		})
	}
}

// tenderID reads a tender id from its address.
func tenderID(t *testing.T, s string) uint {
	t.Helper()
	var id uint
	if _, err := fmt.Sscan(s, &id); err != nil {
		t.Fatal(err)
	}
	return id
}
