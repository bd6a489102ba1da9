package models_test

import (
	"errors"
	"strings"
	"testing"

	"tenderprobe/models"
)

func TestNormalizeScope(t *testing.T) {
	t.Parallel()
	many := make([]string, 51)
	for i := range many {
		many[i] = "d" + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ".example"
	}
	bad := func(kind, name, reason string) models.Problem {
		return models.Problem{Code: "bad_domain", Params: map[string]any{"kind": kind, "name": name, "reason": reason}}
	}
	cases := []struct {
		name      string
		web, mail []string
		wantWeb   []string
		// problems are what the ValidationError on "scope" must list; a
		// string parameter matches when the actual one contains it.
		problems []models.Problem
	}{
		{"names are lowercased, deduplicated and converted to A-labels", []string{"WWW.Example.nl", "www.example.nl.", "bücher.example"}, nil, []string{"www.example.nl", "xn--bcher-kva.example"}, nil},
		{"an underscore is refused", []string{"bad_name.example"}, nil, nil, []models.Problem{bad("web", "bad_name.example", "idna")}},
		{"a single label is refused", []string{"localhost"}, nil, nil, []models.Problem{bad("web", "localhost", "one_label")}},
		{"an IP address is refused", nil, []string{"192.0.2.1"}, nil, []models.Problem{bad("mail", "192.0.2.1", "ip_address")}},
		{"every bad name is reported, not just the first", []string{"a_b.example", "ok.example", "localhost"}, nil, nil,
			[]models.Problem{bad("web", "a_b.example", "idna"), bad("web", "localhost", "one_label")}},
		{"blank entries are skipped", []string{"", " ", "example.nl"}, nil, []string{"example.nl"}, nil},
		{"a label over 63 characters is refused", []string{strings.Repeat("a", 64) + ".example"}, nil, nil, []models.Problem{bad("web", "aaaa", "bad_label")}},
		{"more than 50 names are refused", many, nil, nil, []models.Problem{{Code: "too_many_domains", Params: map[string]any{"count": 51, "max": 50}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			web, _, err := models.NormalizeScope(c.web, c.mail)
			if c.problems != nil {
				var ve *models.ValidationError
				if !errors.As(err, &ve) || ve.Field != "scope" || ve.Code != "bad_scope" {
					t.Fatalf("got %v, want a bad_scope error on scope", err)
				}
				got, _ := ve.Params["problems"].([]models.Problem)
				if len(got) != len(c.problems) {
					t.Fatalf("got problems %v, want %v", got, c.problems)
				}
				for i, want := range c.problems {
					if !problemMatches(got[i], want) {
						t.Errorf("problem %d is %v, want %v", i, got[i], want)
					}
				}
				return
			}
			if err != nil || strings.Join(web, ",") != strings.Join(c.wantWeb, ",") {
				t.Errorf("got %v, %v; want %v", web, err, c.wantWeb)
			}
		})
	}
}

// problemMatches reports whether got has want's code and parameters, a
// string parameter matching when got's contains it.
func problemMatches(got, want models.Problem) bool {
	if got.Code != want.Code {
		return false
	}
	for k, v := range want.Params {
		if ws, ok := v.(string); ok {
			gs, _ := got.Params[k].(string)
			if !strings.Contains(gs, ws) {
				return false
			}
			continue
		}
		if got.Params[k] != v {
			return false
		}
	}
	return true
}
