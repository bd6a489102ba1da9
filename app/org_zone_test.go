package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"tenderprobe/models"
)

func TestAdminSetsAnOrganisationsTimeZone(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	admin := a.session("admin@demo.test")
	buyer, err := models.FindOrgByName(ctx, a.db, "Demostad City Council")
	if err != nil {
		t.Fatal(err)
	}
	zoneOf := func(id uint) string {
		o, err := models.FindOrg(ctx, a.db, id)
		if err != nil {
			t.Fatal(err)
		}
		return o.TimeZone
	}
	cases := []struct {
		name, lang string
		form       url.Values
		status     int
		zone       string // the zone stored after
		words      string // on the page after a refusal
	}{
		{"a known zone is stored with the name", "en", url.Values{"name": {buyer.Name}, "time_zone": {"Europe/Madrid"}}, 303, "Europe/Madrid", ""},
		{"an unknown zone is refused in the reader's language and nothing changes", "nl", url.Values{"name": {"Renamed Council"}, "time_zone": {"Europe/Atlantis"}}, 422, "Europe/Madrid", "is geen tijdzone"},
		{"an empty zone is the default zone", "en", url.Values{"name": {buyer.Name}, "time_zone": {""}}, 303, models.DefaultOrgZone, ""},
		{"a rename without the zone field keeps the zone", "en", url.Values{"name": {buyer.Name + " "}}, 303, models.DefaultOrgZone, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			admin.cookies["tp_lang"] = c.lang
			res := admin.post(fmt.Sprintf("/admin/orgs/%d", buyer.ID), c.form)
			if res.status != c.status {
				t.Fatalf("status %d, want %d: %s", res.status, c.status, errorText(res.body))
			}
			if got := zoneOf(buyer.ID); got != c.zone {
				t.Errorf("zone %q, want %q", got, c.zone)
			}
			if c.words != "" && !strings.Contains(res.body, c.words) {
				t.Errorf("the page lacks %q: %s", c.words, errorText(res.body))
			}
		})
	}
	t.Run("a new organisation gets the zone chosen", func(t *testing.T) {
		admin.cookies["tp_lang"] = "en"
		res := admin.post("/admin/orgs", url.Values{"name": {"Ayuntamiento de Ejemplo"}, "kind": {"buyer"}, "time_zone": {"Europe/Madrid"}})
		if res.status != 303 {
			t.Fatalf("status %d: %s", res.status, errorText(res.body))
		}
		o, err := models.FindOrgByName(ctx, a.db, "Ayuntamiento de Ejemplo")
		if err != nil || o.TimeZone != "Europe/Madrid" {
			t.Fatalf("org %+v, %v", o, err)
		}
	})
}
