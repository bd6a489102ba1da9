package app

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"
)

var htmlLang = regexp.MustCompile(`<html lang="([a-z-]+)"`)

func langOf(t *testing.T, res response) string {
	t.Helper()
	m := htmlLang.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("no <html lang> in %d page", res.status)
	}
	return m[1]
}

// TestWhoSeesWhichLanguage walks the order of issue 11: the account's
// setting, else the language switch, else Accept-Language, else English.
func TestWhoSeesWhichLanguage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	getWith := func(c *client, path, accept string) response {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		return c.do(req)
	}

	t.Run("a visitor gets the browser's language, else English", func(t *testing.T) {
		cases := []struct{ accept, want string }{
			{"", "en"}, {"nl-NL,nl;q=0.9,en;q=0.8", "nl"}, {"es-419", "es"}, {"de, fr;q=0.5", "en"}, {"fy", "nl"}, {"en-GB", "en"}, {"not a header", "en"},
		}
		for _, c := range cases {
			if got := langOf(t, getWith(a.anonymous(), "/login", c.accept)); got != c.want {
				t.Errorf("Accept-Language %q: page in %q, want %q", c.accept, got, c.want)
			}
		}
	})
	t.Run("the switch wins over the browser and goes back to the page", func(t *testing.T) {
		c := a.anonymous()
		page := getWith(c, "/login", "nl")
		c.csrf = csrfFrom(t, page.body)
		res := c.post("/language", url.Values{"lang": {"es"}, "next": {"/login?next=%2Ftenders"}})
		if res.status != 303 || res.header.Get("Location") != "/login?next=%2Ftenders" {
			t.Fatalf("switch: %d to %q", res.status, res.header.Get("Location"))
		}
		if got := langOf(t, getWith(c, "/login", "nl")); got != "es" {
			t.Errorf("after switching to Spanish the page is in %q", got)
		}
	})
	t.Run("the switch refuses a language there is not and sends nobody elsewhere", func(t *testing.T) {
		c := a.anonymous()
		c.csrf = csrfFrom(t, c.get("/login").body)
		if res := c.post("/language", url.Values{"lang": {"xx"}, "next": {"/"}}); res.status != 422 {
			t.Errorf("unknown language: %d", res.status)
		}
		if res := c.post("/language", url.Values{"lang": {"nl"}, "next": {"https://evil.example/"}}); res.status != 303 || res.header.Get("Location") != "/" {
			t.Errorf("foreign next: %d to %q", res.status, res.header.Get("Location"))
		}
	})
	t.Run("a signed-in user's choice follows them to a new browser", func(t *testing.T) {
		c := a.session("auditor@demo.test")
		if res := c.post("/language", url.Values{"lang": {"nl"}, "next": {"/"}}); res.status != 303 {
			t.Fatalf("switch: %d", res.status)
		}
		fresh := a.session("auditor@demo.test") // no cookie of the switch
		if got := langOf(t, getWith(fresh, "/", "es")); got != "nl" {
			t.Errorf("the account's Dutch lost to the browser's Spanish: %q", got)
		}
		if res := fresh.post("/account/preferences", url.Values{"language": {""}, "time_zone": {"Europe/Madrid"}}); res.status != 303 {
			t.Fatalf("preferences: %d %s", res.status, errorText(res.body))
		}
		if got := langOf(t, getWith(a.session("auditor@demo.test"), "/", "es")); got != "es" {
			t.Errorf("with no language chosen the browser's Spanish is not used: %q", got)
		}
		if body := getWith(a.session("auditor@demo.test"), "/", "es").body; !regexp.MustCompile(`Europe/Madrid`).MatchString(body) {
			t.Error("the page does not name the account's time zone")
		}
	})
}
