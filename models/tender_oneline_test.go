package models_test

import (
	"testing"

	"tenderprobe/models"
)

// TestATendersTitleAndReferenceAreOneLine: both go into the subjects of
// mails about the tender, so a break typed through the API is a space.
func TestATendersTitleAndReferenceAreOneLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, title, reference, wantTitle, wantReference string }{
		{"CR LF", "Cloud\r\nBcc: x@evil.example", "R\n1", "Cloud Bcc: x@evil.example", "R 1"},
		{"a line separator and tabs", "Cloud\u2028hosting\t\t2027", " \tREF-7\v", "Cloud hosting 2027", "REF-7"},
		{"runs of spaces", "  Cloud   hosting  ", "A  B", "Cloud hosting", "A B"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := models.TenderInput{Title: tc.title, Reference: tc.reference}
			if err := in.Validate(); err != nil {
				t.Fatal(err)
			}
			if in.Title != tc.wantTitle || in.Reference != tc.wantReference {
				t.Errorf("title %q, reference %q; want %q, %q", in.Title, in.Reference, tc.wantTitle, tc.wantReference)
			}
		})
	}
}
