package handlers

import (
	"fmt"
	"regexp"
	"strings"

	"tenderprobe/models"
)

// english is the message catalogue: every error text a user reads, by a
// stable, dotted key. problemOf (errors.go) picks the key; message fills
// in the parameters. The Dutch and Spanish catalogues will sit next to it
// with the same keys.
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
var english = map[string]string{
	// Invalid input, shown next to the field.
	"field.required":                    "is required",
	"field.required_for":                "is required for {slug}",
	"field.too_long":                    "is longer than {max} characters",
	"field.not_one_of":                  `"{value}" is not one of {allowed}`,
	"field.not_one_of_for":              `"{value}" of {slug} is not one of {allowed}`,
	"field.not_a_date":                  `"{value}" is not a date like 2026-12-31`,
	"field.in_the_past":                 "{value} is in the past",
	"field.not_a_number":                "is not a number",
	"field.not_a_choice":                "is not a valid choice",
	"field.not_an_amount":               "is not an amount like 125000 or 125000.50",
	"field.too_many_decimals":           "has more than two decimals",
	"field.negative":                    "cannot be negative",
	"field.not_true_or_false":           "must be true or false",
	"field.not_a_currency":              `"{value}" is not a three-letter currency code`,
	"field.tag_too_long":                `tag "{value}" is longer than {max} characters`,
	"field.too_many_tags":               "at most {max} tags",
	"field.not_an_email":                `"{value}" is not an e-mail address`,
	"field.not_a_web_url":               `"{value}" is not an http or https URL`,
	"field.nul_character":               "must not contain NUL characters",
	"field.not_utf8":                    "is not valid UTF-8 text",
	"field.no_such_org":                 "organisation {id} does not exist",
	"field.not_a_buyer":                 "{name} is not a buyer organisation",
	"field.officer_needs_buyer":         "an officer must belong to a buyer organisation",
	"field.vendor_needs_supplier":       "a vendor must belong to a supplier organisation",
	"field.account_exists":              "{email} has an account already",
	"field.account_disabled":            "the account {email} is disabled",
	"field.not_a_vendor_account":        "{email} belongs to a {role} account, not to a supplier's vendor",
	"field.supplier_or_email":           "choose an existing supplier or give an e-mail address for a new one, not both",
	"field.not_a_supplier":              "is not a supplier: choose one from the list",
	"field.no_active_vendor":            "{name} has nobody who can log in yet, so nobody could answer",
	"field.name_taken":                  "an organisation called {name} exists already: to invite an existing supplier, choose it from the list of suppliers; for a new supplier, give a name of its own",
	"field.derived_name_taken":          "no supplier name was given, and the one taken from the address ({name}) belongs to an existing organisation: to invite an existing supplier, choose it from the list of suppliers; for a new supplier, give its name",
	"field.unknown_standard":            `"{value}" is not in the catalogue version of this tender`,
	"field.not_on_sheet":                "requirement {id} is not on the sheet or is listed twice",
	"field.incomplete_order":            "lists {count} of the sheet's {total} requirements",
	"field.empty_sheet":                 "add at least one requirement before publishing",
	"field.not_a_slug":                  `"{value}" is not a lowercase slug`,
	"field.not_a_check":                 `"{value}" of {slug} is not a probe check`,
	"field.no_standards":                "the catalogue has no standards",
	"field.duplicate":                   `"{value}" appears twice`,
	"field.bad_catalogue":               "the file has {count} problems",
	"field.explanation_required":        "is required when the answer is {status:answer_status}: explain why and what you do instead",
	"field.planned_date_not_applicable": "only applies to partial and does not comply answers",
	"field.too_much_evidence":           "an answer carries at most {max} pieces of evidence",
	"field.no_file":                     "choose a file to upload",
	"field.choose_supplier":             "choose a supplier from the list",
	"field.empty_file":                  "is empty",
	"field.clarification_required":      "is required: say what needs clarifying",
	"field.change_comment_required":     "is required: say what you changed",
	"field.bad_scope":                   "{problems:scope}",
	"field.password_too_short":          "must be at least {min} characters (this one has {length}); a few words make a good one",
	"field.password_too_long":           "must be at most {max} characters",
	"field.password_control_character":  "must not contain control characters such as tabs or line breaks",
	"field.password_blank":              "must not be only spaces",
	"field.password_context":            "must not be your e-mail address or name",
	"field.password_common":             "is one of the most commonly used passwords; choose another",
	"field.password_invalid_utf8":       "cannot be used; choose another",

	"scope.bad_domain":       `{kind} domain "{name}": {reason}`,
	"scope.too_many_domains": "{count} domain names given, at most {max} are allowed",

	"answer_status.complies":        "complies",
	"answer_status.partial":         "partial",
	"answer_status.does_not_comply": "does not comply",
	"answer_status.not_applicable":  "not applicable",

	// What an attestation lacks before it can be submitted.
	"attestation.incomplete":    "Cannot submit yet: {missing:missing}.",
	"missing.unanswered":        "requirement {position} ({standard}) is not answered",
	"missing.explanation":       "requirement {position} ({standard}) needs an explanation",
	"missing.declaration":       "tick the declaration that the answers are true and complete",
	"missing.declarer":          "type your name as the declarer",
	"missing.declarer_too_long": "the declarer's name is longer than {max} characters",

	// The workflow's state refuses the step (409).
	"state.tender_locked":            "This tender is published and can no longer change. Amend it to make a new revision.",
	"state.attestation_locked":       "The attestation is submitted and its answers are locked; reopen it to change them.",
	"state.stale":                    "This was changed elsewhere since you loaded the page; reload and apply your change again.",
	"state.deadline_passed":          "The tender's deadline has passed: nothing can be submitted any more.",
	"state.not_submitted":            "The attestation has not been submitted yet.",
	"state.tender_not_open":          "The tender is not open: only a published tender takes invitations and answers.",
	"state.no_clarification_asked":   "The officer has not asked for clarification of this answer.",
	"state.already_on_sheet":         "{standard} is already on the sheet of this tender.",
	"state.not_published":            "Only a published tender can be amended; this one is {status}.",
	"state.already_amended":          "Revision {revision} of this tender already has an amendment.",
	"state.bad_transition":           "A tender cannot go from {from} to {to}.",
	"state.catalogue_version_exists": "Catalogue version {version} was imported before; versions never change, so give the file a new version.",
	"state.link_sets_no_password":    "This invitation does not set a password; log in instead.",
	"conflict.exists":                "This clashes with existing data.",

	// Who may not (403).
	"forbidden.role":              "Your role does not allow this.",
	"forbidden.route_role":        "Your role ({role}) does not allow this.",
	"forbidden.not_buyer":         "Only an officer of the buying organisation can do this.",
	"forbidden.not_vendor":        "Only a vendor of the supplier can do this.",
	"forbidden.not_active_vendor": "Only an active vendor can invite colleagues to its supplier.",
	"forbidden.vendor_matrix":     "Vendors may not see other vendors' answers.",

	"not_found":                   "Not found.",
	"page.not_found":              "There is no page at this address.",
	"receipt.no_such_version":     "No such version.",
	"evidence.is_link":            "This evidence is a link, not a file.",
	"evidence.too_large":          "The file is larger than {max} MB. Nothing was stored.",
	"evidence.file_type":          "The file is not a PDF, PNG, JPEG or plain text file (judged by its content, not its name). Nothing was stored.",
	"invitation.closed":           "This invitation link has expired, was revoked or was already used. Ask the buyer for a new one, or log in if you have set your password.",
	"invitation.mail_failed":      "The e-mail could not be sent; send the link yourself.",
	"invitation.passwords_differ": "The two passwords differ.",
	"org.name_taken":              "An organisation with this name exists already.",
	"user.email_taken":            "An account with this e-mail address exists already.",
	"user.disable_self":           "You cannot disable your own account.",
	"profile.unknown":             "Choose one of the listed profiles.",
	"catalogue.not_imported":      "The file was not imported.",
	"catalogue.no_file":           "choose a YAML or JSON file to upload",

	// Logging in and API tokens.
	"auth.invalid_credentials": "Wrong e-mail address or password.",
	"auth.credentials_missing": "Enter your e-mail address and password.",
	"auth.too_many_logins":     "Too many failed logins. Wait a few minutes and try again.",
	"auth.login_required":      "Log in first.",
	"auth.token_missing":       "send an API token: Authorization: Bearer TOKEN (POST /api/v1/tokens issues one)",
	"auth.token_invalid":       "the API token is unknown, expired or revoked",

	// Requests that cannot be read.
	"request.csrf":          "This form has expired or did not come from this site. Go back, reload the page and send it again.",
	"request.too_large":     "The request body is larger than the limit of {limit} bytes.",
	"request.encoded":       "Compressed request bodies are not accepted; send the body without Content-Encoding.",
	"request.unreadable":    "The request body could not be read.",
	"request.bad_id":        "{name} must be a positive whole number (an id).",
	"request.bad_count":     "{name} must be a whole number from 0 to 1000000.",
	"request.bad_year":      "year must be a four-digit year such as 2026",
	"request.bad_format":    `Format must be "yaml" or "json".`,
	"request.bad_direction": `Direction must be "up" or "down".`,
	"json.empty":            "the request body is empty; send a JSON object",
	"json.content_type":     "send the body as application/json",
	"json.syntax":           "the body is not valid JSON (at byte {offset})",
	"json.truncated":        "the body is not valid JSON (it ends too early)",
	"json.invalid":          "the body is not valid JSON",
	"json.not_object":       "the body must be a JSON object",
	"json.wrong_type":       `field "{field}" must be a {want}, not a {got}`,
	"json.unknown_field":    "unknown field {field}",
	"json.trailing_data":    "the body has data after the JSON object",

	// Fiber's own refusals, by status.
	"http.400":     "The request could not be read.",
	"http.404":     "There is no page at this address.",
	"http.405":     "This address does not take this kind of request.",
	"http.413":     "The request body is too large.",
	"http.refused": "The request was refused.",
	"server.error": "Something went wrong on our side. It has been logged.",

	// Titles of the error page.
	"title.403":     "Not allowed",
	"title.404":     "Not found",
	"title.409":     "Cannot change",
	"title.413":     "Too large",
	"title.429":     "Too many attempts",
	"title.500":     "Server error",
	"title.refused": "Request refused",

	// audit and sheet editor (i10-officer)
	"field.choose_standards": "tick at least one standard",
	"field.out_of_range":     "must be a number from {min} to {max}",

	"audit.action.login":                "Logged in",
	"audit.action.login.failed":         "Failed login",
	"audit.action.tender.create":        "Created a tender",
	"audit.action.tender.edit":          "Edited a tender's details",
	"audit.action.tender.publish":       "Published a tender",
	"audit.action.tender.amend":         "Started an amendment",
	"audit.action.tender.status":        "Changed a tender's status",
	"audit.action.tender.delete":        "Deleted a draft tender",
	"audit.action.requirement.add":      "Added a requirement",
	"audit.action.requirement.edit":     "Edited a requirement",
	"audit.action.requirement.move":     "Moved a requirement",
	"audit.action.requirement.remove":   "Removed a requirement",
	"audit.action.profile.apply":        "Applied a profile",
	"audit.action.invitation.create":    "Invited a supplier",
	"audit.action.invitation.revoke":    "Revoked an invitation",
	"audit.action.invitation.accept":    "Accepted an invitation",
	"audit.action.colleague.invite":     "Invited a colleague",
	"audit.action.colleague.accept":     "Accepted a colleague invitation",
	"audit.action.user.create":          "Created a user",
	"audit.action.user.edit":            "Edited a user",
	"audit.action.user.disable":         "Disabled a user",
	"audit.action.user.enable":          "Enabled a user",
	"audit.action.user.password_reset":  "Reset a user's password",
	"audit.action.org.create":           "Created an organisation",
	"audit.action.org.edit":             "Renamed an organisation",
	"audit.action.catalogue.import":     "Imported a catalogue version",
	"audit.action.answer.save":          "Saved an answer",
	"audit.action.answer.amend":         "Amended an answer",
	"audit.action.evidence.upload":      "Uploaded evidence",
	"audit.action.evidence.remove":      "Removed evidence",
	"audit.action.scope.save":           "Saved the scope",
	"audit.action.attestation.submit":   "Submitted an attestation",
	"audit.action.attestation.resubmit": "Submitted a new version of an attestation",
	"audit.action.attestation.reopen":   "Reopened an attestation",
	"audit.action.review.accept":        "Accepted an answer",
	"audit.action.review.clarify":       "Asked for clarification",
	"audit.action.review.reply":         "Replied to a clarification",
	"audit.action.other":                "Other change ({code})",
	"audit.field.note_visibility":       "note is",
	"audit.field.scope_tags":            "scope",
	"audit.field.estimated_value":       "estimated value",
	"audit.field.custom_clause":         "clause",
	"audit.field.new_revision_id":       "new revision's tender number",
	"audit.field.org_id":                "organisation number",
	"audit.field.supplier_org_id":       "supplier's organisation number",
	"audit.empty":                       "(empty)",
	"audit.removed":                     "(removed)",
	"audit.before":                      "(before)",
	"audit.filter.bad_id":               `"{value}" is not a number such as 12`,
	"audit.filter.bad_action":           `"{value}" is not one of the listed actions`,
	"audit.filter.to_before_from":       "is before the start date {from}",
	"audit.filter.bad_page":             `"{value}" is not a page number`,
	"audit.filter.bad_format":           `format "{value}" is not known; only csv is`,
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
