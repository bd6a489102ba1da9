package docanalysis_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"tenderprobe/app/docanalysis"
)

// TestHostileDocumentsEndTheReaderNotTheServer reads files built to break
// the readers, found in a security review: a PDF whose object lives in
// itself (endless recursion, a fatal stack overflow no recover catches),
// one that asks for a table of a billion entries (a fatal out of memory),
// page trees and object streams that point to themselves (loops with no
// deadline inside), a page of operands with no operator (4 GB in
// process), a font map of 100 million operands, a DOCX of nested
// paragraphs. In process, the first two ended this test binary. Read in a
// child, each is refused within the time allowed, with a reason; the
// readable one is read.
func TestHostileDocumentsEndTheReaderNotTheServer(t *testing.T) {
	// Two seconds stand in for MaxTime; the files run side by side, two
	// at a time (MaxConcurrent).
	t.Cleanup(docanalysis.SetChildTimeout(2 * time.Second))
	for _, tc := range []struct {
		file    string
		reasons []string
	}{
		{"objstm_selfref.pdf", []string{docanalysis.ReasonTooComplex, docanalysis.ReasonUnreadable}},
		{"xref_size_big.pdf", []string{docanalysis.ReasonTooComplex, docanalysis.ReasonUnreadable}},
		{"cycle.pdf", []string{docanalysis.ReasonTimeout, docanalysis.ReasonTooComplex, docanalysis.ReasonUnreadable}},
		{"objstm_extends.pdf", []string{docanalysis.ReasonTimeout, docanalysis.ReasonTooComplex, docanalysis.ReasonUnreadable}},
		{"panic.pdf", []string{docanalysis.ReasonUnreadable, docanalysis.ReasonTooComplex}},
		{"stack_bomb.pdf", []string{docanalysis.ReasonTooComplex, docanalysis.ReasonTimeout, docanalysis.ReasonScanned}},
		{"cmap_mem.pdf", []string{docanalysis.ReasonTooComplex, docanalysis.ReasonTimeout}},
		{"nested_p.docx", []string{docanalysis.ReasonTooComplex, docanalysis.ReasonTimeout, docanalysis.ReasonTooMuchText, docanalysis.ReasonUnpacked}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join("testdata", "hostile", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = docanalysis.ExtractIsolated(context.Background(), tc.file, data)
			var de *docanalysis.Error
			if !errors.As(err, &de) {
				t.Fatalf("%v, want a refusal", err)
			}
			ok := false
			for _, r := range tc.reasons {
				ok = ok || de.Reason == r
			}
			if !ok {
				t.Errorf("refused as %q (%v), want one of %q", de.Reason, de, tc.reasons)
			}
			t.Logf("%s after %v", de.Reason, time.Since(start).Round(time.Millisecond))
			// Its own two seconds, and waiting for a slot behind the others.
			if took := time.Since(start); took > 12*time.Second {
				t.Errorf("took %v", took)
			}
		})
	}
	t.Run("a readable document is read", func(t *testing.T) {
		t.Parallel()
		doc, err := docanalysis.ExtractIsolated(context.Background(), "spec.txt", []byte("1. SECURITY\nThe supplier shall support DNSSEC on every zone.\n"))
		if err != nil || len(doc.Segments) == 0 || doc.Format != docanalysis.FormatText {
			t.Fatalf("%+v, %v", doc, err)
		}
	})
}
