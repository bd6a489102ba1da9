package app

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/seed"
)

func TestAPI(t *testing.T) {
	t.Parallel()
	demo.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAppOn(t, db)
		anon := a.anonymous()

		var token string
		t.Run("a token is issued for a correct password", func(t *testing.T) {
			res := anon.postJSON("/api/v1/tokens", map[string]string{"email": "officer@demo.test", "password": seed.DemoPassword})
			if res.status != 201 {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			token, _ = res.json(t)["token"].(string)
			if len(token) < 40 {
				t.Fatalf("token %q is too short for 256 bits", token)
			}
			var stored models.APIToken
			if err := a.db.Where("hash = ?", models.HashToken(token)).First(&stored).Error; err != nil {
				t.Fatalf("the token's hash is not stored: %v", err)
			}
			if err := a.db.Where("hash = ?", token).First(&models.APIToken{}).Error; err == nil {
				t.Fatal("the token itself is stored in clear")
			}
		})
		officer := a.anonymous()
		officer.bearer = token

		t.Run("bad token requests get a clear 4xx", func(t *testing.T) {
			for _, tc := range []struct {
				name, body string
				status     int
				msg        string
			}{
				{"wrong password", `{"email":"officer@demo.test","password":"nope"}`, 401, "Wrong e-mail address or password"},
				{"missing password", `{"email":"officer@demo.test"}`, 422, "password: is required"},
				{"not JSON", `email=officer`, 400, "not valid JSON"},
				{"password of the wrong type", `{"email":"officer@demo.test","password":12345678}`, 400, `field "password" must be a string`},
				{"unknown field", `{"email":"a@b.c","password":"x","admin":true}`, 400, `unknown field "admin"`},
				{"empty body", ``, 400, "empty"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					res := anon.postJSON("/api/v1/tokens", tc.body)
					if res.status != tc.status {
						t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
					}
					if msg, _ := res.json(t)["error"].(string); !strings.Contains(msg, tc.msg) {
						t.Fatalf("error %q, want it to mention %q", msg, tc.msg)
					}
				})
			}
		})

		t.Run("requests without a valid token get 401", func(t *testing.T) {
			forged := a.anonymous()
			forged.bearer = "not-a-token"
			for _, c := range []*client{anon, forged} {
				res := c.get("/api/v1/tenders")
				if res.status != 401 || res.header.Get("WWW-Authenticate") == "" {
					t.Fatalf("status %d, WWW-Authenticate %q", res.status, res.header.Get("WWW-Authenticate"))
				}
			}
		})

		t.Run("the standards list has the documented shape", func(t *testing.T) {
			res := officer.get("/api/v1/standards")
			list, _ := res.json(t)["standards"].([]any)
			if res.status != 200 || len(list) < 25 {
				t.Fatalf("status %d with %d standards", res.status, len(list))
			}
			domains := map[string]bool{}
			for _, item := range list {
				s := item.(map[string]any)
				for _, k := range []string{"slug", "name", "domain", "references", "checks"} {
					if _, ok := s[k]; !ok {
						t.Fatalf("standard %v lacks %q", s["slug"], k)
					}
				}
				domains[s["domain"].(string)] = true
			}
			if len(domains) != 4 {
				t.Errorf("standards span %d domains, want 4", len(domains))
			}
			filtered := officer.get("/api/v1/standards?domain=communication")
			for _, item := range filtered.json(t)["standards"].([]any) {
				if d := item.(map[string]any)["domain"]; d != "communication" {
					t.Fatalf("domain filter let through %v", d)
				}
			}
			if res := officer.get("/api/v1/standards?domain=astrology"); res.status != 422 {
				t.Fatalf("unknown domain: %d, want 422", res.status)
			}
		})

		var id int
		t.Run("an officer creates a draft tender", func(t *testing.T) {
			res := officer.postJSON("/api/v1/tenders", map[string]string{
				"title": "API tender", "reference": "API-1", "description": "Made by a script", "deadline": "2026-09-30",
			})
			if res.status != 201 {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			body := res.json(t)
			if body["status"] != "draft" || body["title"] != "API tender" || body["language"] != "en" {
				t.Fatalf("created %v (a tender without a language is in English)", body)
			}
			if reqs, ok := body["requirements"].([]any); !ok || len(reqs) != 0 {
				t.Errorf("a new tender's requirements are %v, want []", body["requirements"])
			}
			id = int(body["id"].(float64))
			if loc := res.header.Get("Location"); loc != fmt.Sprintf("/api/v1/tenders/%d", id) {
				t.Errorf("Location %q", loc)
			}
		})
		tenderPath := fmt.Sprintf("/api/v1/tenders/%d", id)

		t.Run("a tender is created in Dutch and keeps its language through a web edit", func(t *testing.T) {
			res := officer.postJSON("/api/v1/tenders", map[string]string{"title": "Nederlandse aanbesteding", "language": "nl"})
			body := res.json(t)
			if res.status != 201 || body["language"] != "nl" {
				t.Fatalf("status %d: %v", res.status, body)
			}
			nl := int(body["id"].(float64))
			web := a.session("officer@demo.test")
			if r := web.post(fmt.Sprintf("/tenders/%d", nl), url.Values{"title": {"Nederlandse aanbesteding, bewerkt"}}); r.status != 303 {
				t.Fatalf("edit: %d %s", r.status, errorText(r.body))
			}
			if got := officer.get(fmt.Sprintf("/api/v1/tenders/%d", nl)).json(t)["language"]; got != "nl" {
				t.Errorf("after a web edit the language is %v, want nl", got)
			}
			if list := officer.get("/api/v1/tenders").body; !strings.Contains(list, `"language":"nl"`) {
				t.Error("the tender list does not carry the language")
			}
		})

		t.Run("bad tender bodies are refused and create nothing", func(t *testing.T) {
			for _, tc := range []struct {
				name   string
				body   string
				status int
				msg    string
				// overTCP sends the request to a real listener: only the
				// server proper writes the 413 answer.
				overTCP bool
			}{
				{"missing title", `{"reference":"X"}`, 422, "title: is required", false},
				{"title of the wrong type", `{"title":42}`, 400, `field "title" must be a string`, false},
				{"deadline that is not a date", `{"title":"x","deadline":"soon"}`, 422, "deadline", false},
				{"a language Tenderprobe does not speak", `{"title":"x","language":"xx"}`, 422, "language", false},
				{"a currency that is not ISO 4217", `{"title":"x","currency":"EUX"}`, 422, "currency", false},
				{"a list instead of an object", `[{"title":"x"}]`, 400, "JSON object", false},
				{"truncated JSON", `{"title":"x"`, 400, "not valid JSON", false},
				{"two objects", `{"title":"x"}{"title":"y"}`, 400, "after the JSON object", false},
				{"a body over the size limit", `{"title":"x","description":"` + strings.Repeat("a", 1<<20) + `"}`, 413, "larger than the limit", true},
			} {
				t.Run(tc.name, func(t *testing.T) {
					before := a.count(&models.Tender{})
					var res response
					if tc.overTCP {
						res = oversizedPost(t, a.listen(t), "/api/v1/tenders", officer.bearer, len(tc.body))
					} else {
						res = officer.postJSON("/api/v1/tenders", tc.body)
					}
					if res.status != tc.status {
						t.Fatalf("status %d, want %d: %.300s", res.status, tc.status, res.body)
					}
					if msg, _ := res.json(t)["error"].(string); !strings.Contains(msg, tc.msg) {
						t.Fatalf("error %q, want it to mention %q", msg, tc.msg)
					}
					if a.count(&models.Tender{}) != before {
						t.Fatal("a refused body created a tender")
					}
				})
			}
		})

		t.Run("requirements are added by slug and level", func(t *testing.T) {
			for _, std := range []string{"dnssec", "hsts"} {
				res := officer.postJSON(tenderPath+"/requirements", map[string]string{"standard": std, "level": "mandatory"})
				if res.status != 201 {
					t.Fatalf("add %s: %d %s", std, res.status, res.body)
				}
				if r := res.json(t); r["standard"] != std || r["level"] != "mandatory" || r["id"] == nil {
					t.Fatalf("requirement %v", r)
				}
			}
			res := officer.get(tenderPath)
			reqs, _ := res.json(t)["requirements"].([]any)
			if res.status != 200 || len(reqs) != 2 {
				t.Fatalf("GET tender: %d with %d requirements", res.status, len(reqs))
			}
			first := reqs[0].(map[string]any)
			if first["standard"] != "dnssec" || first["level"] != "mandatory" || first["id"] == nil {
				t.Fatalf("first requirement %v", first)
			}
		})

		t.Run("bad requirement bodies are refused and add nothing", func(t *testing.T) {
			for _, tc := range []struct {
				name   string
				path   string
				body   string
				status int
				msg    string
			}{
				{"unknown standard", tenderPath, `{"standard":"telepathy","level":"mandatory"}`, 422, "telepathy"},
				{"unknown level", tenderPath, `{"standard":"spf","level":"nice to have"}`, 422, "level"},
				{"missing level", tenderPath, `{"standard":"spf"}`, 422, "level: is required"},
				{"level of the wrong type", tenderPath, `{"standard":"spf","level":["mandatory"]}`, 400, `field "level" must be a string`},
				{"standard already on the sheet", tenderPath, `{"standard":"dnssec","level":"recommended"}`, 409, "already on the sheet"},
				{"unknown tender", "/api/v1/tenders/999999", `{"standard":"spf","level":"mandatory"}`, 404, "Not found"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					before := a.count(&models.Requirement{})
					res := officer.postJSON(tc.path+"/requirements", tc.body)
					if res.status != tc.status {
						t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
					}
					if msg, _ := res.json(t)["error"].(string); !strings.Contains(msg, tc.msg) {
						t.Fatalf("error %q, want it to mention %q", msg, tc.msg)
					}
					if a.count(&models.Requirement{}) != before {
						t.Fatal("a refused body added a requirement")
					}
				})
			}
		})

		t.Run("publishing answers the published tender and freezes it", func(t *testing.T) {
			res := officer.postJSON(tenderPath+"/publish", "")
			if res.status != 200 || res.json(t)["status"] != "published" {
				t.Fatalf("publish: %d %s", res.status, res.body)
			}
			before := a.count(&models.Requirement{})
			res = officer.postJSON(tenderPath+"/requirements", map[string]string{"standard": "spf", "level": "mandatory"})
			if res.status != 409 {
				t.Fatalf("add after publish: %d, want 409", res.status)
			}
			if a.count(&models.Requirement{}) != before {
				t.Fatal("a requirement was added to a published tender")
			}
			if res := officer.postJSON(tenderPath+"/publish", ""); res.status != 409 {
				t.Fatalf("publishing twice: %d, want 409", res.status)
			}
		})

		t.Run("an empty sheet cannot be published", func(t *testing.T) {
			res := officer.postJSON("/api/v1/tenders", map[string]string{"title": "Empty"})
			empty := int(res.json(t)["id"].(float64))
			res = officer.postJSON(fmt.Sprintf("/api/v1/tenders/%d/publish", empty), "")
			if res.status != 422 {
				t.Fatalf("status %d, want 422", res.status)
			}
		})

		t.Run("vendors see no tender they are not invited to and cannot create one", func(t *testing.T) {
			vendor := a.apiClient("vendor@demo.test")
			// The demo data invites the vendor to the demo tenders, and no others.
			for _, tn := range vendor.get("/api/v1/tenders").json(t)["tenders"].([]any) {
				if ref := tn.(map[string]any)["reference"]; ref != "DSC-2026-014" && ref != "DSC-2026-021" {
					t.Fatalf("vendor sees tender %v, which it is not invited to", ref)
				}
			}
			if res := vendor.get(tenderPath); res.status != 404 {
				t.Fatalf("vendor GET tender: %d, want 404", res.status)
			}
			if res := vendor.postJSON("/api/v1/tenders", map[string]string{"title": "Vendor's own"}); res.status != 403 {
				t.Fatalf("vendor create: %d, want 403", res.status)
			}
		})

		t.Run("unknown ids answer 404 as JSON", func(t *testing.T) {
			for _, p := range []string{"/api/v1/tenders/999999", "/api/v1/nothing-here"} {
				res := officer.get(p)
				if res.status != 404 || res.json(t)["error"] == nil {
					t.Fatalf("GET %s: %d %s", p, res.status, res.body)
				}
			}
		})

		// Issue 9: malformed ids and parameters give 400 with a clear message.
		t.Run("malformed ids answer 400 saying what an id is", func(t *testing.T) {
			for _, p := range []string{"/api/v1/tenders/abc", "/api/v1/tenders/0", "/api/v1/tenders/-1", "/api/v1/tenders/18446744073709551616",
				"/api/v1/attestations/abc", "/api/v1/probe-runs/0"} {
				res := officer.get(p)
				if res.status != 400 || res.json(t)["code"] != "request.bad_id" {
					t.Errorf("GET %s: %d %s", p, res.status, res.body)
				}
			}
		})

		t.Run("the sheet PDF is served to API callers", func(t *testing.T) {
			res := officer.get(tenderPath + "/sheet.pdf")
			if res.status != 200 || !strings.HasPrefix(res.body, "%PDF-") {
				t.Fatalf("status %d", res.status)
			}
		})
	})
}
