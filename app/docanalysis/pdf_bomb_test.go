package docanalysis_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"

	"tenderprobe/app/docanalysis"
)

// flatePDF is a one-page PDF whose page content is content, deflated: a
// few kilobytes of file can unpack to megabytes of content.
func flatePDF(t *testing.T, content []byte) []byte {
	t.Helper()
	var comp bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&comp, zlib.BestCompression)
	if _, err := zw.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", comp.Len(), comp.Bytes()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	var out bytes.Buffer
	out.WriteString("%PDF-1.4\n")
	var offsets []int
	for i, o := range objs {
		offsets = append(offsets, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return out.Bytes()
}

// A PDF is read in process, so a page that unpacks to far more than it
// weighs must be refused before it fills the memory: by what its content
// unpacks to, and by the glyphs it shows.
func TestPDFBombsAreRefusedWithinBoundedMemory(t *testing.T) {
	text := []byte("BT /F1 12 Tf 72 720 Td (The supplier shall support DNSSEC and HTTPS.) Tj ET\n")
	glyphs := append([]byte("BT /F1 12 Tf 72 720 Td\n"), bytes.Repeat([]byte("("+string(bytes.Repeat([]byte("a"), 1000))+") Tj\n"), 2000)...)
	glyphs = append(glyphs, "ET\n"...)
	cases := []struct {
		name    string
		content []byte
		reason  string // "" reads the text
	}{
		{"an ordinary page is read", text, ""},
		{"a page showing two million glyphs from a few kilobytes", glyphs, docanalysis.ReasonUnpacked},
		{"a page that unpacks beyond the cap", bytes.Repeat([]byte(" "), docanalysis.MaxUnpacked+1<<20), docanalysis.ReasonUnpacked},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := flatePDF(t, c.content)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			doc, err := docanalysis.Extract(context.Background(), "bomb.pdf", data)
			runtime.ReadMemStats(&after)
			var de *docanalysis.Error
			switch {
			case c.reason == "" && err != nil:
				t.Fatalf("%d bytes: %v", len(data), err)
			case c.reason == "" && len(doc.Segments) == 0:
				t.Fatalf("no text read")
			case c.reason != "" && (!errors.As(err, &de) || de.Reason != c.reason):
				t.Fatalf("%d bytes: err %v, want reason %s", len(data), err, c.reason)
			}
			// Before the caps the glyphs case allocated about 800 MB.
			if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
				t.Errorf("reading %d bytes allocated %d MB", len(data), got>>20)
			}
		})
	}
}
