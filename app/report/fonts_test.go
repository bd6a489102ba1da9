package report

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
)

// accented is text of the tenders' languages with every kind of mark the
// single-byte fonts carry.
const accented = "Señor Muñoz — ¿ñandú? «Citroën» café; “quotes” € 1.250,00 • Ë ï Œuvre ✗"

func TestDocumentsKeepEveryCharacterWhicheverFontsTheyUse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, extra string
		single      bool
	}{
		{"Dutch and Spanish text is drawn with the single-byte fonts", "", true},
		{"a Polish name and a Greek letter send the whole sheet to the UTF-8 fonts", " Łódź Ω", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := SheetOf(storedTender(), "nl")
			s.Description = accented + tc.extra
			opt := Options{Created: generated, Lang: "nl", Zone: ZoneOf(storedTender())}
			d, err := drawWith(true, "x", opt, false, func(pdf *doc) {
				pdf.AddPage()
				pdf.SetFont(fontFamily, "", 10)
				pdf.MultiCell(0, lineHeight, s.Description, "", "L", false)
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := d != nil; got != tc.single {
				t.Fatalf("drawn with the single-byte fonts: %v, want %v", got, tc.single)
			}
			var buf bytes.Buffer
			if err := WriteSheet(&buf, s, opt); err != nil {
				t.Fatal(err)
			}
			needTool(t, "pdftotext")
			text := flatText(pdfText(t, buf.Bytes()))
			if want := flatText(accented + tc.extra); !strings.Contains(text, want) {
				t.Fatalf("the PDF's text lacks %q:\n%s", want, text)
			}
		})
	}
}

// TestASheetRenderAllocatesLittle runs alone (no t.Parallel), so the
// process's allocation counter counts the render only.
func TestASheetRenderAllocatesLittle(t *testing.T) {
	s := SheetOf(storedTender(), "nl")
	opt := Options{Created: generated, Lang: "nl", Zone: ZoneOf(storedTender())}
	// The first render loads the message catalogue, once per process.
	if err := WriteSheet(&countingWriter{}, s, opt); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := WriteSheet(&countingWriter{}, s, opt); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	// Parsing and cutting the two UTF-8 fonts alone allocates about 15 MB.
	if mb := float64(after.TotalAlloc-before.TotalAlloc) / 1e6; mb > 4 {
		t.Fatalf("a Dutch sheet's render allocated %.1f MB, want at most 4", mb)
	}
}
