package handlers

import (
	"fmt"
	"regexp"
	"strings"
	"tenderprobe/app/catalogue"
	"tenderprobe/app/i18n"
)

// The messages live in app/i18n/locales/<lang>.yaml (see messages in
// locale.go): every text a user reads, by a stable, dotted key.
// problemOf (errors.go) picks the key; messageIn fills in the parameters.
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

// messageIn returns the words of key in lang with its parameters filled
// in. A missing key shows as itself, and the catalogue tests make sure
// none is missing.
func messageIn(lang, key string, params map[string]any) string {
	return messages.Text(lang, key, params)
}

// hasMessage reports whether the catalogue has key (in English, which
// every language falls back to).
func hasMessage(key string) bool { return messages.Has(i18n.Default, key) }

// statusTitle is the heading of the error page for status.
func statusTitle(lang string, status int) string {
	switch {
	case status >= 500:
		return messageIn(lang, "title.500", nil)
	case hasMessage(fmt.Sprintf("title.%d", status)):
		return messageIn(lang, fmt.Sprintf("title.%d", status), nil)
	}
	return messageIn(lang, "title.refused", nil)
}

// fieldLabel is the words of a form field's label, for the error summary
// above a form: label.<field> in the catalogue; for a field of a family
// named by a prefix (explanation_<slug>, one per standard), the family's
// label; or the field's name with spaces when the catalogue has neither
// (a test keeps every field a model refuses labelled).
func fieldLabelIn(lang, field string) string {
	if hasMessage("label." + field) {
		return messageIn(lang, "label."+field, nil)
	}
	for _, family := range labelFamilies {
		if strings.HasPrefix(field, family+"_") {
			return messageIn(lang, "label."+family, nil)
		}
	}
	words := strings.ReplaceAll(field, "_", " ")
	return strings.ToUpper(words[:1]) + words[1:]
}

// labelFamilies are the fields named <family>_<key>, labelled as the family.
var labelFamilies = []string{"explanation"}

// CatalogueProblems fills in the words of each problem of a catalogue file
// (catalogue.problem.<code>), for the import page, the API and the
// catalogue command.
func CatalogueProblems(lang string, ps []catalogue.Problem) []catalogue.Problem {
	out := make([]catalogue.Problem, len(ps))
	for i, p := range ps {
		if p.Message == "" {
			p.Message = messageIn(lang, "catalogue.problem."+p.Code, p.Params)
		}
		out[i] = p
	}
	return out
}

// validKey is what a message key in a query may look like.
var validKey = regexp.MustCompile(`^[a-z_]{1,40}$`)
