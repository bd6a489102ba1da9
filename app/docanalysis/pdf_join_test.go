package docanalysis

import (
	"slices"
	"testing"
)

// TestJoinPageBreaks mends a sentence a page break cut in two, past the
// running footer and header, and leaves alone what is not a cut sentence.
func TestJoinPageBreaks(t *testing.T) {
	t.Parallel()
	seg := func(page int, text string) Segment { return Segment{Page: page, Text: text} }
	cases := []struct {
		name string
		in   []Segment
		want []string
	}{
		{"a sentence cut by a page break is joined past footer and header",
			[]Segment{seg(1, "Title"), seg(1, "Se valorarán, conforme a los criterios del pliego de cláusulas"), seg(1, "Expediente 7 · Página 1 de 2"), seg(2, "Title"), seg(2, "particulares, la publicación de MTA-STS."), seg(2, "Expediente 7 · Página 2 de 2")},
			[]string{"Title", "Se valorarán, conforme a los criterios del pliego de cláusulas particulares, la publicación de MTA-STS.", "Expediente 7 · Página 1 de 2", "Title", "Expediente 7 · Página 2 de 2"}},
		{"a finished sentence is not joined",
			[]Segment{seg(1, "The supplier must sign zones."), seg(1, "Page 1 of 2"), seg(2, "dnssec is explained in the annex."), seg(2, "Page 2 of 2")},
			[]string{"The supplier must sign zones.", "Page 1 of 2", "dnssec is explained in the annex.", "Page 2 of 2"}},
		{"a paragraph starting in capitals is not joined",
			[]Segment{seg(1, "The supplier must sign zones with"), seg(2, "DNSSEC on every domain.")},
			[]string{"The supplier must sign zones with", "DNSSEC on every domain."}},
		{"a lower-case paragraph on the same page is not joined",
			[]Segment{seg(1, "A heading without a stop"), seg(1, "and a paragraph.")},
			[]string{"A heading without a stop", "and a paragraph."}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, s := range joinPageBreaks(c.in) {
				got = append(got, s.Text)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}
