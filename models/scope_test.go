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
	cases := []struct {
		name      string
		web, mail []string
		wantWeb   []string
		problem   string
	}{
		{"names are lowercased, deduplicated and converted to A-labels", []string{"WWW.Example.nl", "www.example.nl.", "bücher.example"}, nil, []string{"www.example.nl", "xn--bcher-kva.example"}, ""},
		{"an underscore is refused", []string{"bad_name.example"}, nil, nil, "bad_name.example"},
		{"a single label is refused", []string{"localhost"}, nil, nil, "localhost"},
		{"an IP address is refused", nil, []string{"192.0.2.1"}, nil, `mail domain "192.0.2.1": an IP address`},
		{"every bad name is reported, not just the first", []string{"a_b.example", "ok.example", "localhost"}, nil, nil, `web domain "localhost": needs at least two labels`},
		{"blank entries are skipped", []string{"", " ", "example.nl"}, nil, []string{"example.nl"}, ""},
		{"a label over 63 characters is refused", []string{strings.Repeat("a", 64) + ".example"}, nil, nil, "aaaa"},
		{"more than 50 names are refused", many, nil, nil, "at most 50"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			web, _, err := models.NormalizeScope(c.web, c.mail)
			if c.problem != "" {
				var ve *models.ValidationError
				if !errors.As(err, &ve) || ve.Field != "scope" || !strings.Contains(ve.Message, c.problem) {
					t.Errorf("got %v, want a problem about %q", err, c.problem)
				}
				return
			}
			if err != nil || strings.Join(web, ",") != strings.Join(c.wantWeb, ",") {
				t.Errorf("got %v, %v; want %v", web, err, c.wantWeb)
			}
		})
	}
}
