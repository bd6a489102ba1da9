package handlers

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
	"tenderprobe/templates"
)

// TestViewsParseFewSetsForManyZones: a client that sends another time zone
// with every request gets its pages, in UTC once the parse budget is
// spent, and never makes each request parse the templates again.
func TestViewsParseFewSetsForManyZones(t *testing.T) {
	v, err := NewViews(templates.FS, "test")
	if err != nil {
		t.Fatal(err)
	}
	start, began := len(v.sets), time.Now()
	zones := models.TimeZones()[:60]
	var utc int
	for _, z := range zones {
		loc, err := time.LoadLocation(z)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		data := fiber.Map{"Locale": Locale{Lang: "nl", Zone: loc}, "Status": 404, "Message": "x", "Title": "x", "Errors": map[string]string{}}
		if err := v.Render(&out, "errors/error", data, "layouts/main"); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.String(), "Tijden in UTC") {
			utc++
		}
	}
	// The budget is a burst of parsesPerSecond and as many a second after
	// it: a slow machine earns a few more.
	budget := parsesPerSecond + int(time.Since(began).Seconds()*parsesPerSecond) + 1
	if parsed := len(v.sets) - start; parsed > budget {
		t.Errorf("%d zones made %d new template sets in %v, want at most %d", len(zones), parsed, time.Since(began).Round(time.Millisecond), budget)
	}
	if utc == 0 || utc == len(zones) {
		t.Errorf("%d of %d pages in UTC: want the first few in their own zone, the rest in UTC", utc, len(zones))
	}
}

// TestViewsShareTheParseButNotTheirPages: a second Views of the same
// embedded templates uses the UTC sets the first parsed, and renders the
// same pages in the same languages.
func TestViewsShareTheParseButNotTheirPages(t *testing.T) {
	render := func(v *Views, lang, message string) string {
		t.Helper()
		var out bytes.Buffer
		data := fiber.Map{"Locale": Locale{Lang: lang, Zone: time.UTC}, "Status": 404, "Message": message, "Title": "x", "Errors": map[string]string{}}
		if err := v.Render(&out, "errors/error", data, "layouts/main"); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	first, err := NewViews(templates.FS, "test")
	if err != nil {
		t.Fatal(err)
	}
	second, err := NewViews(templates.FS, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "nl", "es"} {
		a, _ := first.set(Locale{Lang: lang, Zone: time.UTC})
		b, _ := second.set(Locale{Lang: lang, Zone: time.UTC})
		if a == nil || a != b {
			t.Errorf("%s: the two Views parsed the templates each (%p, %p)", lang, a, b)
		}
	}
	if nl, again := render(first, "nl", "x"), render(second, "nl", "x"); nl != again || !strings.Contains(nl, `lang="nl"`) {
		t.Errorf("the second Views renders the Dutch page differently:\n%s\nwant:\n%s", again, nl)
	}
	if en, nl := render(second, "en", "x"), render(second, "nl", "x"); en == nl {
		t.Error("the English page is the Dutch one")
	}
}
