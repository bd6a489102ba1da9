package report

import (
	_ "embed"
	"io"

	"github.com/jung-kurt/gofpdf"
)

// gofpdf parses a UTF-8 font when it is added to a document and again
// when the document is written (to cut the subset it embeds), and
// compresses the subset: about 15 MB of allocation per document for the
// two DejaVu faces, whatever the document's length. Most documents need
// only the characters of Windows-1252 (English, Dutch, Spanish and most
// Western European text). For them the same DejaVu faces are ready-made
// single-byte TrueType fonts, subset and compressed once (fonts/
// make-tp1252.sh): adding one to a document reads 256 widths and embeds
// the compressed bytes as they are. A document with any other character
// is drawn again with the UTF-8 fonts (render), so nothing is lost.
var (
	//go:embed fonts/DejaVuSans-tp1252.json
	fontRegularSingleJSON []byte
	//go:embed fonts/DejaVuSans-tp1252.z
	fontRegularSingle []byte
	//go:embed fonts/DejaVuSans-Bold-tp1252.json
	fontBoldSingleJSON []byte
	//go:embed fonts/DejaVuSans-Bold-tp1252.z
	fontBoldSingle []byte
)

// tp1252 is the single-byte fonts' encoding: Windows-1252, with U+2717
// (the mark of a contradicted claim) in 0x81, a code 1252 leaves unused.
var tp1252 = func() map[rune]byte {
	m := map[rune]byte{0x2717: 0x81}
	for i, r := range []rune("€\x00‚ƒ„…†‡ˆ‰Š‹Œ\x00Ž\x00\x00‘’“”•–—˜™š›œ\x00žŸ") {
		if r != 0 {
			m[r] = byte(0x80 + i)
		}
	}
	for b := 0xA0; b <= 0xFF; b++ {
		m[rune(b)] = byte(b)
	}
	return m
}()

// doc is a document being drawn. Its text methods shadow gofpdf's so
// that with the single-byte fonts every text is encoded in tp1252.
type doc struct {
	*gofpdf.Fpdf
	single bool
}

// needsUnicode is what a single-byte document panics with on meeting a
// character its fonts lack (Char); render recovers it and draws again.
type needsUnicode struct{ Char rune }

// text encodes s for the document's fonts. Every text a document draws or
// measures passes here, so this is where characters the fonts lack are
// replaced (printable), whichever fonts the document uses.
func (d *doc) text(s string) string {
	s = printable(s)
	if !d.single {
		return s
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r < 0x80 {
			out = append(out, byte(r))
			continue
		}
		b, ok := tp1252[r]
		if !ok {
			panic(needsUnicode{Char: r})
		}
		out = append(out, b)
	}
	return string(out)
}

// CellFormat is gofpdf's CellFormat with txt encoded for the fonts.
func (d *doc) CellFormat(w, h float64, txt, border string, ln int, align string, fill bool, link int, linkStr string) {
	d.Fpdf.CellFormat(w, h, d.text(txt), border, ln, align, fill, link, linkStr)
}

// MultiCell is gofpdf's MultiCell with txt encoded for the fonts.
func (d *doc) MultiCell(w, h float64, txt, border, align string, fill bool) {
	d.Fpdf.MultiCell(w, h, d.text(txt), border, align, fill)
}

// GetStringWidth is gofpdf's GetStringWidth of s encoded for the fonts.
func (d *doc) GetStringWidth(s string) float64 { return d.Fpdf.GetStringWidth(d.text(s)) }

// render draws a document with draw and writes it to w: with the
// single-byte fonts, or, when a text has a character they lack, again from
// the start with the UTF-8 fonts. draw must only draw: it may run twice.
// compress compresses each page (gofpdf makes a compressor of about 1 MB
// for each); the fonts are compressed either way.
func render(w io.Writer, title string, opt Options, what string, compress bool, draw func(*doc)) error {
	d, err := drawWith(true, title, opt, compress, draw)
	if err != nil {
		return err
	}
	if d == nil {
		if d, err = drawWith(false, title, opt, compress, draw); err != nil {
			return err
		}
	}
	return output(d, w, what)
}

// drawWith draws a document with single-byte fonts or UTF-8 ones; it
// returns nil for a single-byte document that met a character its fonts
// lack.
func drawWith(single bool, title string, opt Options, compress bool, draw func(*doc)) (d *doc, err error) {
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(needsUnicode); !ok {
				panic(v)
			}
			d = nil
		}
	}()
	d = newDocument(title, opt, single)
	d.SetCompression(compress)
	draw(d)
	// The header and footer of the last page are drawn when it is
	// closed, inside Output: close it here, where a lacking character
	// can still be caught.
	d.Close()
	return d, nil
}
