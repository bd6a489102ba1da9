package report

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
)

// missingGlyph stands for a character the embedded fonts cannot draw. A
// white square is what readers know from screens as "this font lacks the
// character"; U+FFFD would say the text itself was damaged, and "?" would
// read as a question.
const missingGlyph = "□"

// charSet is a set of characters of the Basic Multilingual Plane.
type charSet [1 << 16 / 64]uint64

func (s *charSet) add(r rune) { s[r>>6] |= 1 << (r & 63) }

// has reports r; nothing outside the BMP is in a charSet, as gofpdf can
// draw nothing there (its width tables end at U+FFFF).
func (s *charSet) has(r rune) bool { return r >= 0 && r <= 0xFFFF && s[r>>6]&(1<<(r&63)) != 0 }

// hasAll reports every character of text.
func (s *charSet) hasAll(text string) bool {
	for _, r := range text {
		if r >= utf8.RuneSelf && !s.has(r) {
			return false
		}
	}
	return true
}

// drawable is the characters both embedded faces have a glyph for, read
// at the first PDF rather than at every start (about 2 ms): a text
// may be drawn in either.
var drawable = sync.OnceValue(func() *charSet {
	regular, err := glyphsOf(fontRegular)
	if err != nil {
		panic(err)
	}
	bold, err := glyphsOf(fontBold)
	if err != nil {
		panic(err)
	}
	for i := range regular {
		regular[i] &= bold[i]
	}
	return regular
})

// glyphsOf reads the characters of the Basic Multilingual Plane a
// TrueType font maps to a glyph (sfnt reads its Unicode character map,
// the one gofpdf uses).
func glyphsOf(font []byte) (*charSet, error) {
	f, err := sfnt.Parse(font)
	if err != nil {
		return nil, fmt.Errorf("report: read font: %w", err)
	}
	var buf sfnt.Buffer
	set := new(charSet)
	for r := rune(0); r < 0xFFFF; r++ {
		if g, err := f.GlyphIndex(&buf, r); err == nil && g != 0 {
			set.add(r)
		}
	}
	return set, nil
}

// printable is text with every character the embedded fonts lack
// replaced, so a PDF never shows a blank box or crashes gofpdf (which
// cannot draw beyond U+FFFF): by its compatibility equivalent when the
// fonts have that (NFKC: a mathematical 𝔘 is a U, a full-width Ａ an A),
// otherwise by missingGlyph. Marks, joiners and variation selectors the fonts lack are
// dropped: they draw nothing of their own.
func printable(text string) string {
	at := -1
	for i, r := range text {
		if r >= utf8.RuneSelf && !drawable().has(r) {
			at = i
			break
		}
	}
	if at < 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	b.WriteString(text[:at])
	for _, r := range text[at:] {
		if r < utf8.RuneSelf || drawable().has(r) {
			b.WriteRune(r)
			continue
		}
		b.WriteString(substitute(r))
	}
	return b.String()
}

// substitute is what printable writes for r, a character the fonts lack.
func substitute(r rune) string {
	if k := norm.NFKC.String(string(r)); k != string(r) && drawable().hasAll(k) {
		return k
	}
	if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Cc, unicode.Variation_Selector) || isEmojiModifier(r) {
		return ""
	}
	return missingGlyph
}

// isEmojiModifier reports a skin-tone modifier, which only colours the
// emoji before it.
func isEmojiModifier(r rune) bool { return r >= 0x1F3FB && r <= 0x1F3FF }
