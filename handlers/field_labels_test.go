package handlers

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"tenderprobe/app/i18n"
)

// fieldNamed finds the field a refusal names in Go source: invalid("f",
// ValidationError{Field: "f" and formField{Name: "f"; a name that ends in
// "+ (a prefix, as in invalid("explanation_"+slug) is caught with its
// underscore.
var fieldNamed = regexp.MustCompile(`(?:\binvalid\(|ValidationError\{Field: *|formField\{Name: *)"([a-z0-9_]+)"`)

// TestEveryRefusedFieldHasALabelInEveryLanguage: an error summary and an
// error page name the refused field by its label (fieldLabelIn); a field
// without one showed its code with spaces ("Evidence url", "Valid until")
// in English to a Dutch or Spanish reader. Every field a model, a domain
// package or a handler can refuse has label.<field> in every language.
func TestEveryRefusedFieldHasALabelInEveryLanguage(t *testing.T) {
	t.Parallel()
	fields := map[string]string{} // field → where it was found
	for _, dir := range []string{"../models", "../app", "."} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range fieldNamed.FindAllSubmatch(src, -1) {
				fields[string(m[1])] = path
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(fields) < 40 {
		t.Fatalf("found only %d refused fields; has the way models name them changed?", len(fields))
	}
	for field, where := range fields {
		for _, lang := range i18n.Available() {
			label := fieldLabelIn(lang, field+"example")
			if !strings.HasSuffix(field, "_") {
				label = fieldLabelIn(lang, field)
				if !messages.Has(lang, "label."+field) {
					t.Errorf("%s: no label.%s in %s (shown as %q)", where, field, lang, label)
				}
				continue
			}
			if strings.Contains(label, "example") || strings.Contains(label, "_") {
				t.Errorf("%s: the fields %s… have no label in %s (shown as %q)", where, field, lang, label)
			}
		}
	}
}
