package handlers

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/attest"
	"tenderprobe/app/docanalysis"
	"tenderprobe/app/mail"
	"tenderprobe/app/sbom"
	"tenderprobe/models"
)

// refusal is a request that handlers refuse before any model is asked: a
// malformed parameter or body, a missing login, an expired form. Like the
// models' errors it carries a message key, not words.
type refusal struct {
	status int
	key    string
	params map[string]any
}

// Error returns a developer's summary such as `handlers: refused 400 request.bad_id`.
func (r *refusal) Error() string {
	return fmt.Sprintf("handlers: refused %d %s %v", r.status, r.key, r.params)
}

// refuse builds a refusal; params alternate names and values.
func refuse(status int, key string, params ...any) error {
	return &refusal{status: status, key: key, params: paramMap(params)}
}

// paramMap turns alternating names and values into message parameters.
func paramMap(params []any) map[string]any {
	if len(params) == 0 {
		return nil
	}
	m := make(map[string]any, len(params)/2)
	for i := 0; i+1 < len(params); i += 2 {
		m[fmt.Sprint(params[i])] = params[i+1]
	}
	return m
}

// problem is what a failed request tells its caller: the HTTP status, the
// message key with its parameters, the form field it concerns (if any),
// for invalid input every refused field (the first of which is the
// problem itself) and, for a submission that lacks something, the list of
// what it lacks.
type problem struct {
	Status  int
	Key     string
	Params  map[string]any
	Field   string
	Invalid []problem
	Missing []models.Problem
}

// problemOf is the one place where an error becomes a status and a message
// key: models' typed errors and sentinels, the evidence store's refusals,
// the handlers' own refusals and Fiber's errors. Anything else is a 500.
func problemOf(err error) problem {
	var (
		r   *refusal
		ves models.ValidationErrors
		ve  *models.ValidationError
		me  *models.MissingError
		se  *models.StateError
		fbd *models.ForbiddenError
		fe  *fiber.Error
		pe  *sbom.ParseError
		de  *docanalysis.Error
		ml  *models.MailLimitedError
	)
	switch {
	case errors.As(err, &r):
		return problem{Status: r.status, Key: r.key, Params: r.params}
	case errors.As(err, &ml):
		return problem{Status: fiber.StatusTooManyRequests, Key: "analysismail.rate_limited", Params: map[string]any{"count": max(int(math.Ceil(ml.Wait.Minutes())), 1)}}
	case errors.Is(err, mail.ErrNoRelay):
		return problem{Status: fiber.StatusServiceUnavailable, Key: "analysismail.no_relay"}
	case errors.Is(err, mail.ErrSendFailed):
		return problem{Status: fiber.StatusBadGateway, Key: "analysismail.send_failed"}
	case errors.As(err, &ves) && len(ves) > 0:
		p := invalidProblem(ves[0])
		for _, ve := range ves {
			p.Invalid = append(p.Invalid, invalidProblem(ve))
		}
		return p
	case errors.As(err, &ve):
		p := invalidProblem(ve)
		p.Invalid = []problem{p}
		return p
	case errors.As(err, &me):
		return problem{Status: fiber.StatusUnprocessableEntity, Key: "attestation.incomplete",
			Params: map[string]any{"missing": me.Missing}, Missing: me.Missing}
	case errors.Is(err, models.ErrInvitationClosed):
		return problem{Status: fiber.StatusGone, Key: "invitation.closed"}
	case errors.As(err, &se):
		return problem{Status: fiber.StatusConflict, Key: "state." + se.Code, Params: se.Params}
	case errors.As(err, &fbd):
		return problem{Status: fiber.StatusForbidden, Key: "forbidden." + fbd.Code}
	case errors.Is(err, models.ErrNotFound):
		return problem{Status: fiber.StatusNotFound, Key: "not_found"}
	case errors.Is(err, models.ErrConflict):
		return problem{Status: fiber.StatusConflict, Key: "conflict.exists"}
	case errors.Is(err, models.ErrForbidden):
		return problem{Status: fiber.StatusForbidden, Key: "forbidden.role"}
	case errors.Is(err, models.ErrSecondFactorInvalid):
		return problem{Status: fiber.StatusUnprocessableEntity, Key: "totp.code_invalid", Field: "code"}
	case errors.Is(err, models.ErrSecondFactorOn):
		return problem{Status: fiber.StatusConflict, Key: "totp.already_on"}
	case errors.Is(err, models.ErrNoPendingEnrolment):
		return problem{Status: fiber.StatusConflict, Key: "totp.not_started"}
	case errors.Is(err, models.ErrInvalidCredentials):
		return problem{Status: fiber.StatusUnauthorized, Key: "auth.invalid_credentials"}
	case errors.Is(err, attest.ErrTooLarge):
		return problem{Status: fiber.StatusRequestEntityTooLarge, Key: "evidence.too_large",
			Params: map[string]any{"max": attest.MaxEvidenceSize >> 20}}
	case errors.Is(err, attest.ErrFileType):
		return problem{Status: fiber.StatusUnsupportedMediaType, Key: "evidence.file_type"}
	case errors.Is(err, attest.ErrEmptyFile):
		return problem{Status: fiber.StatusUnprocessableEntity, Key: "field.empty_file", Field: "file"}
	case errors.As(err, &pe):
		// An upload that claims to be an SBOM but does not parse: the
		// reason (and the line, when the reader tells it) in words.
		key := "sbom.invalid." + pe.Reason
		if pe.Line > 0 && (pe.Reason == sbom.ReasonSyntax || pe.Reason == sbom.ReasonStructure) {
			key += "_at"
		}
		return problem{Status: fiber.StatusUnprocessableEntity, Key: key, Field: "file",
			Params: map[string]any{"format": pe.Format, "line": pe.Line, "max": sbom.MaxComponents}}
	case errors.As(err, &de):
		// A tender document the analysis cannot read: the reason in words.
		return documentProblem(de)
	case errors.As(err, &fe):
		// Fiber's own refusals (no route, wrong method, unreadable request):
		// the status decides the words, never Fiber's English text.
		key := "http." + strconv.Itoa(fe.Code)
		if !hasMessage(key) {
			key = "http.refused"
		}
		if fe.Code >= 500 {
			key = "server.error"
		}
		return problem{Status: fe.Code, Key: key}
	}
	return problem{Status: fiber.StatusInternalServerError, Key: "server.error"}
}

// invalidProblem is the problem of one refused input field (422); a
// problem without a field concerns the whole form.
func invalidProblem(ve *models.ValidationError) problem {
	field := ve.Field
	if field == "" {
		field = "form"
	}
	return problem{Status: fiber.StatusUnprocessableEntity, Key: "field." + ve.Code, Params: ve.Params, Field: field}
}

// text is the whole message, naming the field when there is one
// ("title: is required"), for error pages and JSON.
func (p problem) text(lang string) string {
	if p.Field != "" && p.Field != "form" {
		return fieldLabelIn(lang, p.Field) + ": " + p.fieldText(lang)
	}
	return p.fieldText(lang)
}

// fieldText is the message without the field, for next to a form field.
func (p problem) fieldText(lang string) string {
	return messageIn(lang, p.Key, p.Params)
}

// missingTexts are the messages of what a submission lacks, one per item.
func (p problem) missingTexts(lang string) []string {
	out := make([]string, len(p.Missing))
	for i, m := range p.Missing {
		out[i] = messageIn(lang, "missing."+m.Code, m.Params)
	}
	return out
}

// json is the body of a JSON error answer: "error" (the words), "code"
// (the message key, stable for programs), "field" for invalid input and,
// for an incomplete submission, "missing" (the words per item) and
// "missing_items" (their codes and parameters). Invalid input also lists
// every refused field in "errors", each with its own "error", "code" and
// "field"; the first is the one the answer itself names.
func (p problem) json(lang string) fiber.Map {
	body := p.jsonItem(lang)
	if p.Invalid != nil {
		items := make([]fiber.Map, len(p.Invalid))
		for i, ip := range p.Invalid {
			items[i] = ip.jsonItem(lang)
		}
		body["errors"] = items
	}
	if p.Missing != nil {
		body["missing"], body["missing_items"] = p.missingTexts(lang), p.Missing
	}
	return body
}

// jsonItem is the "error", "code" and "field" of a JSON error answer.
func (p problem) jsonItem(lang string) fiber.Map {
	// The API names a field as the JSON body spells it, which is what
	// its caller typed; pages name it by its form label.
	text := p.fieldText(lang)
	if p.Field != "" && p.Field != "form" {
		text = p.Field + ": " + text
	}
	body := fiber.Map{"error": text, "code": p.Key}
	if p.Field != "" {
		body["field"] = p.Field
	}
	return body
}

// fieldErrors turns an error about form fields into the map the templates
// show next to each field ("form" for the form as a whole), every refused
// field at once; ok is false for any other error, which the caller returns
// to the ErrorHandler.
func fieldErrors(c *fiber.Ctx, err error) (map[string]string, bool) {
	if err == nil {
		return nil, false
	}
	p := problemOf(err)
	if p.Field == "" {
		return nil, false
	}
	lang := localeOf(c).Lang
	errs := map[string]string{p.Field: p.fieldText(lang)}
	for _, ip := range p.Invalid {
		errs[ip.Field] = ip.fieldText(lang)
	}
	return errs, true
}

// setFormErrors puts a refused form's errs (fieldErrors') into its data:
// "Errors", the words next to each field, and "ErrorSummary", the lines
// of the error summary above the form in the order of fields.
func setFormErrors(c *fiber.Ctx, data fiber.Map, errs map[string]string, fields []formField) {
	data["Errors"], data["ErrorSummary"] = errs, errorSummaryOf(localeOf(c).Lang, errs, fields)
}

// formField is a field of a form and the id of its input, for the error
// summary's links; ID is empty when it is the field's name.
type formField struct {
	Name, ID string
}

// errorSummaryOf is the error summary of a form refused with errs
// (fieldErrors'): a line per refused field, in the order of fields (the
// form's own order, as the user meets them), each linking to its input.
// Fields not in fields follow in name order; "form", about the whole
// form, comes first and links nowhere.
func errorSummaryOf(lang string, errs map[string]string, fields []formField) []summaryItem {
	var out []summaryItem
	if msg, ok := errs["form"]; ok {
		out = append(out, summaryItem{Text: msg})
	}
	listed := map[string]bool{"form": true}
	line := func(f formField) {
		msg, ok := errs[f.Name]
		if !ok || listed[f.Name] {
			return
		}
		listed[f.Name] = true
		out = append(out, summaryItem{Target: cmp.Or(f.ID, f.Name), Text: fieldLabelIn(lang, f.Name) + ": " + msg})
	}
	for _, f := range fields {
		line(f)
	}
	for _, name := range slices.Sorted(maps.Keys(errs)) {
		line(formField{Name: name})
	}
	return out
}

// formError is the map of one message next to one form field, for the
// checks handlers make themselves.
func formError(c *fiber.Ctx, field, key string, params ...any) map[string]string {
	return map[string]string{field: tr(c, key, paramMap(params))}
}

// invalidInput is a *models.ValidationError for input handlers check
// themselves (a form value that is not a number, a missing field), so it
// is answered like the models' own.
func invalidInput(field, code string, params ...any) error {
	return &models.ValidationError{Field: field, Code: code, Params: paramMap(params)}
}
