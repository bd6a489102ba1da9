package handlers

import (
	"fmt"
	"regexp"
	"strings"
	"tenderprobe/app/catalogue"
	"tenderprobe/app/i18n"

	"tenderprobe/models"
)

// english is the message catalogue: every text a user reads, by a stable,
// dotted key, read from app/i18n/locales/en.yaml. problemOf (errors.go)
// picks the key; message fills in the parameters. The Dutch and Spanish
// files sit next to it with the same keys.
//
// Namespaces: field.<code> for a *models.ValidationError (the words shown
// next to the field), state.<code> for a *models.StateError,
// forbidden.<code> for a *models.ForbiddenError, missing.<code> for the
// items of a *models.MissingError, scope.<code> for the problems of a bad
// scope, answer_status.<status> for the words of an answer status; the
// others name the handlers' own refusals.
//
// A template names a parameter as {name}; {name:ns} looks the value up as
// the key ns.<value> (a status code becomes words), or for a list of
// models.Problem writes each as ns.<code>, separated by semicolons.
var english = mustEnglish()

// mustEnglish reads the English messages from the embedded language files;
// a broken file is a broken build, found by every test.
func mustEnglish() map[string]string {
	c, err := i18n.Embedded()
	if err != nil {
		panic(err)
	}
	return c.Texts(i18n.Default)
}

// placeholder matches {name} and {name:namespace} in a template.
var placeholder = regexp.MustCompile(`\{(\w+)(?::(\w+))?\}`)

// message returns the words of key with its parameters filled in. It is
// the one function that turns keys into words; a missing key shows as
// itself, and the catalogue test makes sure none is missing.
func message(key string, params map[string]any) string {
	tmpl, ok := english[key]
	if !ok {
		return key
	}
	return placeholder.ReplaceAllStringFunc(tmpl, func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		v, ok := params[sub[1]]
		if !ok {
			return m
		}
		return paramText(v, sub[2])
	})
}

// paramText writes one parameter: a list of problems as their messages in
// namespace ns, a list of words joined by commas, a code with ns as the
// words of ns.<code>, anything else as it prints.
func paramText(v any, ns string) string {
	switch v := v.(type) {
	case []models.Problem:
		parts := make([]string, len(v))
		for i, p := range v {
			parts[i] = message(ns+"."+p.Code, p.Params)
		}
		return strings.Join(parts, "; ")
	case []string:
		parts := make([]string, len(v))
		for i, s := range v {
			parts[i] = paramText(s, ns)
		}
		return strings.Join(parts, ", ")
	case string:
		if w, ok := english[ns+"."+v]; ok && ns != "" {
			return w
		}
		return v
	}
	return fmt.Sprint(v)
}

// statusTitle is the heading of the error page for status.
func statusTitle(status int) string {
	switch {
	case status >= 500:
		return message("title.500", nil)
	case english[fmt.Sprintf("title.%d", status)] != "":
		return message(fmt.Sprintf("title.%d", status), nil)
	}
	return message("title.refused", nil)
}

// fieldLabel is the words of a form field's label, for the error summary
// above a form: label.<field> in the catalogue, or the field's name with
// spaces when the catalogue has none.
func fieldLabel(field string) string {
	if text, ok := english["label."+field]; ok {
		return text
	}
	words := strings.ReplaceAll(field, "_", " ")
	return strings.ToUpper(words[:1]) + words[1:]
}

// CatalogueProblems fills in the words of each problem of a catalogue file
// (catalogue.problem.<code>), for the import page, the API and the
// catalogue command.
func CatalogueProblems(ps []catalogue.Problem) []catalogue.Problem {
	out := make([]catalogue.Problem, len(ps))
	for i, p := range ps {
		if p.Message == "" {
			p.Message = message("catalogue.problem."+p.Code, p.Params)
		}
		out[i] = p
	}
	return out
}

// validKey is what a message key in a query may look like.
var validKey = regexp.MustCompile(`^[a-z_]{1,40}$`)
