package docanalysis_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"tenderprobe/app/docanalysis"
)

// TestEveryQuoteSaysWhereItIs: issue 15 promises every hit "its page or
// section", in quotes shaped {"text","page"}. A document without pages
// and without a heading above the hit gives its block ("¶ 2"); the JSON
// always has "page" (0 without pages).
func TestEveryQuoteSaysWhereItIs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, file, text, section string }{
		{"plain text without headings", "t.txt", "Offer for the council.\n\nThe Supplier must sign all DNS zones with DNSSEC.\n", "¶ 2"},
		{"HTML without headings", "t.html", "<p>Offer for the council.</p><p>The Supplier must sign all DNS zones with DNSSEC.</p>", "¶ 2"},
		{"HTML under a heading", "t.html", "<h2>Security</h2><p>The Supplier must sign all DNS zones with DNSSEC.</p>", "Security"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := docanalysis.Extract(context.Background(), tc.file, []byte(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			res := shippedEngine(t).Analyse(doc, docanalysis.Options{})
			for _, s := range res.Standards {
				if s.Slug != "dnssec" {
					continue
				}
				if len(s.Quotes) == 0 {
					t.Fatalf("no quote for dnssec: %+v", s)
				}
				q := s.Quotes[0]
				raw, _ := json.Marshal(q)
				if !strings.Contains(q.Section, tc.section) || !strings.Contains(string(raw), `"page":0`) {
					t.Errorf("quote %s, want section %q and a page", raw, tc.section)
				}
				return
			}
			t.Fatal("no dnssec in the results")
		})
	}
}
