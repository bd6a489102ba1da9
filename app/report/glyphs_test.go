package report

import "testing"

func TestPrintableReplacesWhatTheFontsLack(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, in, want string }{
		{"text the fonts can draw stays as it is", "Zoë Łódź Ω — € ✗ □ ✈\uFE0F a\nb", "Zoë Łódź Ω — € ✗ □ ✈\uFE0F a\nb"},
		{"a mathematical letter becomes its plain letter", "𝔘trecht 𝐀𝐁", "Utrecht AB"},
		{"full-width letters become their plain letters", "ＮＬ-２０２６", "NL-2026"},
		{"an emoji and Chinese become white squares, not replacement characters", "Hosting 🚀 中文", "Hosting □ □□"},
		{"a skin tone goes with the emoji it colours", "ok 👍🏽", "ok □"},
		{"a control character the fonts lack is dropped", "a\u0085b", "ab"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := printable(c.in); got != c.want {
				t.Fatalf("printable(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestBothFacesDrawTheMissingGlyphMark(t *testing.T) {
	t.Parallel()
	for _, font := range []struct {
		name string
		ttf  []byte
	}{{"regular", fontRegular}, {"bold", fontBold}} {
		t.Run("the "+font.name+" face has a glyph for "+missingGlyph+" and none for 中", func(t *testing.T) {
			set, err := glyphsOf(font.ttf)
			if err != nil {
				t.Fatal(err)
			}
			if !set.hasAll(missingGlyph+"AzÅŁΩЖ€✗") || set.has('中') {
				t.Fatal("the font's character map reads wrong")
			}
		})
	}
}
