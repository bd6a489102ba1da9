package app

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"tenderprobe/models"
)

// malformedIDs are what an attacker puts where an id belongs.
var malformedIDs = []string{"0", "-1", "18446744073709551616", "%20", "%00", "..", "1%2f..", "1e3"}

// badBody is one malformed request body.
type badBody struct {
	name        string
	contentType string
	body        string
	// mayChange: a well-formed request that only looks odd (a duplicated
	// or missing field) may succeed; the database may then change.
	mayChange bool
}

// badBodies derives the malformed bodies of a route from the request an
// authorised caller would send (b).
func badBodies(b authzBody, api bool) []badBody {
	// A route that takes no input may ignore any body and succeed.
	m, _ := b.json.(map[string]any)
	noInput := len(b.form) == 0 && len(m) == 0 && !b.file
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	out := []badBody{
		{name: "an empty body", contentType: "application/json"},
		{name: "JSON that ends early", contentType: "application/json", body: `{"title": "x`},
		{name: "JSON nested 100,000 deep", contentType: "application/json", body: deep},
		{name: "JSON of the wrong shape", contentType: "application/json", body: `[1, "two", {"three": null}]`},
		{name: "a body in a content type nobody sends", contentType: "application/x-unknown", body: "\x00\x01\x02\xff"},
		{name: "a form sent as text/plain", contentType: "text/plain", body: "title=x&status=complies"},
		{name: "a multipart body without its boundary", contentType: "multipart/form-data", body: "--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx\r\n--x--\r\n"},
	}
	for i := range out {
		out[i].mayChange = out[i].mayChange || noInput
	}
	huge := strings.Repeat("x", 200<<10)
	if api && b.json != nil {
		if m, ok := b.json.(map[string]any); ok {
			for k := range m {
				big := cloneMap(m)
				big[k] = huge
				raw, _ := jsonBytes(big)
				out = append(out, badBody{name: "an oversized " + k, contentType: "application/json", body: string(raw)})
				wrong := cloneMap(m)
				wrong[k] = map[string]any{"nested": []any{1, 2}}
				raw, _ = jsonBytes(wrong)
				out = append(out, badBody{name: "an object for " + k, contentType: "application/json", body: string(raw)})
				missing := cloneMap(m)
				delete(missing, k)
				raw, _ = jsonBytes(missing)
				out = append(out, badBody{name: "no " + k, contentType: "application/json", body: string(raw), mayChange: true})
			}
			raw, _ := jsonBytes(m)
			out = append(out, badBody{name: "the same field twice", contentType: "application/json",
				body: strings.Replace(string(raw), "{", `{"status":"complies",`, 1), mayChange: true})
		}
	}
	if !api {
		for k := range b.form {
			big := cloneForm(b.form)
			big.Set(k, huge)
			out = append(out, badBody{name: "an oversized " + k, contentType: "application/x-www-form-urlencoded", body: big.Encode()})
			twice := cloneForm(b.form)
			twice.Add(k, "second value")
			out = append(out, badBody{name: k + " twice", contentType: "application/x-www-form-urlencoded", body: twice.Encode(), mayChange: true})
			missing := cloneForm(b.form)
			missing.Del(k)
			out = append(out, badBody{name: "no " + k, contentType: "application/x-www-form-urlencoded", body: missing.Encode(), mayChange: true})
			ctl := cloneForm(b.form)
			ctl.Set(k, "a\x00b\x1bc\r\nSet-Cookie: x=y")
			out = append(out, badBody{name: "control characters in " + k, contentType: "application/x-www-form-urlencoded", body: ctl.Encode(), mayChange: true})
		}
	}
	return out
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// badQueries are query strings no page expects.
var badQueries = []string{
	"tender_id=%20&attestation_id=-1&limit=abc&offset=%00",
	"tender_id=18446744073709551616&year=99999999999999&version=0",
	"tender_id=1&tender_id=2&status=complies&status=nonsense",
	"format=..%2f..%2fetc%2fpasswd&q=" + strings.Repeat("%25", 600),
	"year=-1&domain=%00&flash=%3Cscript%3E",
}

// TestNoRouteFailsOnBadInput is generated from the route table: every
// route gets malformed ids in each path parameter, malformed bodies and
// malformed query strings, from the caller most likely to get past the
// role check (the admin, or the supplier's vendor on vendor routes). No
// answer may be a 5xx, and a refused request must leave the database as
// it was.
func TestNoRouteFailsOnBadInput(t *testing.T) {
	t.Parallel()
	// The routes run one after another on one database, in the table's
	// order, not in parts (eachRoutePart): some routes' answers depend on
	// what the routes before them did.
	demo.EachParallel(t, testNoRouteFailsOnBadInput)
}

func testNoRouteFailsOnBadInput(t *testing.T, db *gorm.DB) {
	a := newTestAppOn(t, db)
	w := newAuthzWorld(t, a)
	bodies := authzBodies(w)
	fp := newFingerprint(t, a.db)
	for _, r := range routeTable(a.h) {
		key := r.method + " " + r.path
		isAPI := r.access == api
		email := ""
		switch {
		case slices.Contains(r.roles, models.RoleAdmin):
			email = "admin@demo.test"
		case slices.Contains(r.roles, models.RoleVendor):
			email = "vendor@demo.test"
		case r.access == web || isAPI:
			email = "auditor@demo.test"
		}
		caller := func(t *testing.T) *client {
			a.t = t
			var c *client
			switch {
			case isAPI:
				c = a.apiClient(email)
			case email == "":
				c = a.anonymous()
				c.csrf = csrfFrom(t, c.get("/login").body)
			default:
				c = a.session(email)
			}
			return c
		}
		check := func(t *testing.T, res response, before string, mayChange bool) {
			t.Helper()
			if res.status >= 500 || res.status == 0 {
				t.Fatalf("status %d\n%s", res.status, errorText(res.body))
			}
			if after := fp.take(t); after != before && !(mayChange && res.status < 400) {
				t.Errorf("status %d, and the database changed: %s", res.status, fp.diff(before, after))
			}
		}

		segs := strings.Split(r.path, "/")
		for i, s := range segs {
			if !strings.HasPrefix(s, ":") {
				continue
			}
			for _, bad := range malformedIDs {
				t.Run(fmt.Sprintf("%s with %s = %q", key, s, bad), func(st *testing.T) {
					defer func() { a.t = t }()
					c := caller(st)
					p := strings.Split(w.fill(st, r.path), "/")
					p[i] = bad
					before := fp.take(st)
					res := c.send(r.method, strings.Join(p, "/"), bodies[key], isAPI)
					check(st, res, before, false)
					if res.status < 400 && r.method != http.MethodGet {
						st.Errorf("status %d for a malformed id", res.status)
					}
				})
			}
		}

		target := w.fill(t, r.path)
		if r.method == http.MethodGet {
			for _, q := range badQueries {
				t.Run(fmt.Sprintf("%s?%.40s", key, q), func(st *testing.T) {
					defer func() { a.t = t }()
					c := caller(st)
					before := fp.take(st)
					res := c.get(target + "?" + q)
					check(st, res, before, false)
				})
			}
			continue
		}
		for _, bb := range badBodies(bodies[key], isAPI) {
			t.Run(fmt.Sprintf("%s with %s", key, bb.name), func(st *testing.T) {
				defer func() { a.t = t }()
				c := caller(st)
				body := bb.body
				if !isAPI && c.csrf != "" && strings.HasPrefix(bb.contentType, "application/x-www-form-urlencoded") {
					body += "&_csrf=" + url.QueryEscape(c.csrf)
				}
				req := httptest.NewRequest(r.method, target, bytes.NewReader([]byte(body)))
				req.Header.Set("Content-Type", bb.contentType)
				if !isAPI && c.csrf != "" {
					req.Header.Set("X-CSRF-Token", c.csrf)
				}
				before := fp.take(st)
				res := c.do(req)
				check(st, res, before, bb.mayChange)
			})
		}
	}
}
