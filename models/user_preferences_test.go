package models_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

func TestEveryOfferedZoneLoads(t *testing.T) {
	zones := models.TimeZones()
	for _, z := range zones {
		if _, err := time.LoadLocation(z); err != nil || !models.ValidTimeZone(z) {
			t.Errorf("%s is offered but does not load: %v", z, err)
		}
	}
	for _, want := range []string{"Europe/Amsterdam", "Europe/Madrid", "America/Bogota", "UTC"} {
		if !slices.Contains(zones, want) {
			t.Errorf("%s is not offered", want)
		}
	}
	for _, bad := range []string{"", "Local", "Mars/Olympus", "../etc/passwd", "Europe/../UTC"} {
		if models.ValidTimeZone(bad) {
			t.Errorf("%q is taken as a time zone", bad)
		}
	}
}

func TestSetPreferences(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		u, err := models.CreateUser(ctx, db, nil, "prefs@demo.test", "Prefs", "a long enough password", models.RoleAuditor, nil, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name, lang, zone string
			field            string // "" when accepted
		}{
			{"a language and a zone are stored", "nl", "Europe/Amsterdam", ""},
			{"empty follows the browser", "", "", ""},
			{"a language Tenderprobe does not speak is refused", "fy", "", "language"},
			{"an unknown zone is refused", "es", "Mars/Olympus", "time_zone"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before, _ := models.FindUser(ctx, db, u.ID)
				got, err := models.SetPreferences(ctx, db, u, c.lang, c.zone, time.Now())
				var ve *models.ValidationError
				switch {
				case c.field == "" && err != nil:
					t.Fatal(err)
				case c.field == "" && (got.Language != c.lang || got.TimeZone != c.zone):
					t.Errorf("stored %q %q", got.Language, got.TimeZone)
				case c.field != "" && (!errors.As(err, &ve) || ve.Field != c.field):
					t.Fatalf("err %v, want a refusal of %s", err, c.field)
				case c.field != "":
					after, _ := models.FindUser(ctx, db, u.ID)
					if after.Language != before.Language || after.TimeZone != before.TimeZone {
						t.Error("a refused setting changed the account")
					}
				}
			})
		}
	})
}
