package app

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"tenderprobe/app/i18n"
)

// Inviting an address that is not a supplier's vendor is refused with the
// same words whoever it belongs to: an officer must not learn who is an
// admin, an auditor or another buyer's officer by trying addresses.
func TestRefusedInviteesAreNotToldApartByRole(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := newAttestWorld(t, a)
	other := newOtherBuyer(t, a)
	officer := a.session("officer@demo.test")
	api := a.apiClient("officer@demo.test")
	roleWords := map[string]bool{}
	for _, lang := range i18n.Messages().Languages() {
		for _, role := range []string{"admin", "auditor", "officer"} {
			roleWords[i18n.Messages().Text(lang, "role."+role, nil)] = true
		}
	}
	var said []string
	for _, email := range []string{"admin@demo.test", "auditor@demo.test", other.officer} {
		path := fmt.Sprintf("/tenders/%d/invitations", w.tender.ID)
		web := officer.post(path, url.Values{"email": {email}})
		res := api.postJSON("/api/v1"+path, map[string]string{"email": email})
		msg, _ := res.json(t)["error"].(string)
		if web.status != 422 || res.status != 422 || msg == "" {
			t.Fatalf("%s: web %d, API %d %q; want both refused", email, web.status, res.status, msg)
		}
		words := strings.ToLower(strings.ReplaceAll(msg, email, ""))
		for w := range roleWords {
			if strings.Contains(words, strings.ToLower(w)) {
				t.Errorf("%s: the refusal names a role (%q): %s", email, w, msg)
			}
		}
		said = append(said, strings.ReplaceAll(msg, email, "ADDRESS"))
	}
	if said[0] != said[1] || said[1] != said[2] {
		t.Errorf("the refusals differ by account: %q", said)
	}
}
