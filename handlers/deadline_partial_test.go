package handlers

import (
	"bytes"
	"html"
	"strings"
	"testing"
	"time"

	"tenderprobe/models"
	"tenderprobe/templates"
)

// TestTheDeadlinePartialNamesBothZones: partials/deadline shows a
// tender's deadline in the reader's zone, and also on the tender's own
// clock when that reads differently.
func TestTheDeadlinePartialNamesBothZones(t *testing.T) {
	t.Parallel()
	v, err := NewViews(templates.FS, "test")
	if err != nil {
		t.Fatal(err)
	}
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	deadline := time.Date(2027, 1, 4, 22, 59, 0, 0, time.UTC) // 23:59 in Amsterdam
	amsterdam := &models.Tender{Deadline: &deadline, DeadlineZone: "Europe/Amsterdam"}
	for _, c := range []struct {
		name   string
		reader Locale
		tender *models.Tender
		want   []string
		not    []string
	}{
		{"a Dutch reader in Amsterdam sees one time", Locale{Lang: "nl", Zone: zone("Europe/Amsterdam")}, amsterdam,
			[]string{"4 jan 2027", "23:59 CET", `datetime="2027-01-04T22:59:00Z"`}, []string{"tijd van de aanbesteding"}},
		{"a reader in Madrid, on the same clock, sees one time", Locale{Lang: "es", Zone: zone("Europe/Madrid")}, amsterdam,
			[]string{"23:59 CET"}, []string{"hora de la licitación"}},
		{"a reader in New York sees their time and the tender's", Locale{Lang: "en", Zone: zone("America/New_York")}, amsterdam,
			[]string{"4 Jan 2027, 17:59 EST", "(the tender's own time: 4 Jan 2027, 23:59 CET, Europe/Amsterdam)"}, nil},
		{"a Spanish reader in Bogotá sees the day of the tender's zone too", Locale{Lang: "es", Zone: zone("America/Bogota")}, amsterdam,
			[]string{"17:59 UTC-5", "(hora de la licitación: 4 ene 2027, 23:59 CET, Europe/Amsterdam)"}, nil},
		{"a tender without a deadline shows nothing", Locale{Lang: "en", Zone: time.UTC}, &models.Tender{DeadlineZone: "Europe/Amsterdam"},
			nil, []string{"20", "UTC"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			set, err := v.set(c.reader)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := execute(set, &buf, "partials/deadline", c.tender); err != nil {
				t.Fatal(err)
			}
			out := html.UnescapeString(buf.String())
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("%q lacks %q", out, w)
				}
			}
			for _, w := range c.not {
				if strings.Contains(out, w) {
					t.Errorf("%q has %q", out, w)
				}
			}
		})
	}
}
