package handlers

import (
	"fmt"
	"html/template"
	"time"

	"tenderprobe/models"
)

// TemplateFuncs returns the functions the templates may call.
func TemplateFuncs(version string) template.FuncMap {
	return template.FuncMap{
		"version": func() string { return version },
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.Format("2006-01-02")
		},
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2006-01-02 15:04 UTC")
		},
		"inc": func(i int) int { return i + 1 },
		"dec": func(i int) int { return i - 1 },
		// same compares a record's value with a form value that may be
		// missing (nil) without the template failing.
		"same":       func(a, b any) bool { return a != nil && b != nil && fmt.Sprint(a) == fmt.Sprint(b) },
		"domainName": models.DomainName,
		"domains":    func() []string { return models.Domains },
		"roles":      func() []string { return models.Roles },
		"label":      fieldLabel,
	}
}
