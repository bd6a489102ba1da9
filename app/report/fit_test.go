package report

import (
	"strings"
	"testing"
)

func TestRunningHeaderTitlesAreShortenedToFit(t *testing.T) {
	t.Parallel()
	const kind = "Requirement sheet · "
	oneWord := strings.Repeat("Hostingbeheerdoorontwikkeling", 6)
	longRef := strings.Repeat("REF-", 40)
	for _, single := range []bool{true, false} {
		fonts := "UTF-8"
		if single {
			fonts = "single-byte"
		}
		for _, c := range []struct {
			name, title, ref string
			// shown is how the title shows: "whole", "words" (cut after a
			// word) or "part" (cut within a word or with the line).
			shown string
		}{
			{"a title that fits stays whole", "Hosting of gemeente.example", "TP-1", "whole"},
			{"a long title is cut after a word and keeps the reference", longTitle, "TP-2026-001", "words"},
			{"a title of one long word is cut within it and keeps the reference", oneWord, "TP-2026-001", "part"},
			{"a reference that leaves the title no room shortens the line at its end", longTitle, longRef, "part"},
		} {
			t.Run(c.name+" with the "+fonts+" fonts", func(t *testing.T) {
				pdf := newDocument("x", Options{Created: fixedDate}, single)
				pdf.AddPage()
				pdf.SetFont(fontFamily, "", 8)
				width := lineWidth(pdf)
				got := fitTitle(pdf, width, c.title, func(title string) string { return kind + title + " · " + c.ref })
				if pdf.Err() {
					t.Fatal(pdf.Error())
				}
				if w := pdf.GetStringWidth(got); w > width {
					t.Errorf("%q is %.1f mm wide, wider than the %.1f mm between the margins", got, w, width)
				}
				if c.shown == "whole" {
					if want := kind + c.title + " · " + c.ref; got != want {
						t.Errorf("fitted line %q, want %q", got, want)
					}
					return
				}
				title, rest, cut := strings.Cut(strings.TrimPrefix(got, kind), ellipsis)
				switch {
				case !cut || !strings.HasPrefix(c.title, title) || len(title) < 10:
					t.Errorf("fitted line %q does not show the start of the title and an ellipsis", got)
				case c.ref != longRef && rest != " · "+c.ref:
					t.Errorf("fitted line %q does not end with the whole reference", got)
				case c.shown == "words" && c.title[len(title)] != ' ' && c.title[len(title)] != ',':
					t.Errorf("fitted line %q cuts the title within a word", got)
				}
			})
		}
	}
}
