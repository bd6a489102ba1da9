package app

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"tenderprobe/handlers"
)

var fiberParam = regexp.MustCompile(`:([A-Za-z_]+)`)

func TestOpenAPICoversEveryRoute(t *testing.T) {
	t.Parallel()
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Servers []struct{ URL string }                `json:"servers"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(handlers.OpenAPIDocument(), &doc); err != nil {
		t.Fatalf("the OpenAPI document is not valid JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Servers) == 0 || doc.Servers[0].URL != "/api/v1" {
		t.Fatalf("not an OpenAPI 3 document for /api/v1: openapi=%q servers=%v", doc.OpenAPI, doc.Servers)
	}

	a := newTestApp(t)
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+p] = true
		}
	}
	routes := map[string]bool{}
	for _, r := range a.app.GetRoutes(true) {
		if r.Method == "HEAD" || !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		key := r.Method + " " + fiberParam.ReplaceAllString(strings.TrimPrefix(r.Path, "/api/v1"), "{$1}")
		routes[key] = true
		t.Run(key+" is documented", func(t *testing.T) {
			if !documented[key] {
				t.Fatalf("route %s %s is missing from handlers/openapi.json", r.Method, r.Path)
			}
		})
	}
	for key := range documented {
		if !routes[key] {
			t.Errorf("the document describes %s, which the app does not serve", key)
		}
	}

	t.Run("the app serves the document", func(t *testing.T) {
		res := a.anonymous().get("/api/v1/openapi.json")
		if res.status != 200 || res.body != string(handlers.OpenAPIDocument()) {
			t.Fatalf("status %d", res.status)
		}
	})
}
