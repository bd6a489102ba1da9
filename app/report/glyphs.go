package report

import (
	"encoding/binary"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

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

// drawable is the characters both embedded faces have a glyph for: a text
// may be drawn in either.
var drawable = func() *charSet {
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
}()

// errCmap is a TrueType font without a readable Unicode BMP cmap.
var errCmap = errors.New("report: font has no readable format 4 cmap")

// glyphsOf reads the characters a TrueType font maps to a glyph from its
// Unicode BMP character map (cmap format 4), the one gofpdf uses.
func glyphsOf(font []byte) (*charSet, error) {
	u16 := func(b []byte, at int) (int, bool) {
		if at < 0 || at+2 > len(b) {
			return 0, false
		}
		return int(binary.BigEndian.Uint16(b[at:])), true
	}
	u32 := func(b []byte, at int) (int, bool) {
		if at < 0 || at+4 > len(b) {
			return 0, false
		}
		return int(binary.BigEndian.Uint32(b[at:])), true
	}
	tables, ok := u16(font, 4)
	if !ok {
		return nil, errCmap
	}
	var cmap []byte
	for i := 0; i < tables; i++ {
		rec := 12 + 16*i
		off, ok1 := u32(font, rec+8)
		n, ok2 := u32(font, rec+12)
		if ok1 && ok2 && rec+4 <= len(font) && string(font[rec:rec+4]) == "cmap" && off+n <= len(font) {
			cmap = font[off : off+n]
		}
	}
	encodings, ok := u16(cmap, 2)
	if !ok {
		return nil, errCmap
	}
	sub := -1
	for i := 0; i < encodings; i++ {
		platform, _ := u16(cmap, 4+8*i)
		encoding, _ := u16(cmap, 6+8*i)
		off, ok := u32(cmap, 8+8*i)
		if format, _ := u16(cmap, off); ok && format == 4 && (platform == 3 && encoding == 1 || platform == 0) {
			sub = off
			break
		}
	}
	segX2, ok := u16(cmap, sub+6)
	if sub < 0 || !ok {
		return nil, errCmap
	}
	ends, starts, deltas, offsets := sub+14, sub+16+segX2, sub+16+2*segX2, sub+16+3*segX2
	set := new(charSet)
	for seg := 0; seg < segX2; seg += 2 {
		end, ok1 := u16(cmap, ends+seg)
		start, ok2 := u16(cmap, starts+seg)
		delta, ok3 := u16(cmap, deltas+seg)
		rangeOff, ok4 := u16(cmap, offsets+seg)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return nil, errCmap
		}
		for c := start; c <= end && c < 0xFFFF; c++ {
			glyph := c
			if rangeOff != 0 {
				if glyph, ok = u16(cmap, offsets+seg+rangeOff+2*(c-start)); !ok {
					return nil, errCmap
				}
				if glyph == 0 {
					continue
				}
			}
			if (glyph+delta)&0xFFFF != 0 {
				set.add(rune(c))
			}
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
		if r >= utf8.RuneSelf && !drawable.has(r) {
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
		if r < utf8.RuneSelf || drawable.has(r) {
			b.WriteRune(r)
			continue
		}
		b.WriteString(substitute(r))
	}
	return b.String()
}

// substitute is what printable writes for r, a character the fonts lack.
func substitute(r rune) string {
	if k := norm.NFKC.String(string(r)); k != string(r) && drawable.hasAll(k) {
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
