package handlers

import (
	"fmt"
	"regexp"
	"strings"
	"tenderprobe/app/catalogue"

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
	// Confirmations after a redirect (?flash=<key>, handlers/flash.go).
	"flash.created":           "Tender created. Add requirements from the catalogue or apply a profile.",
	"flash.saved":             "Tender details saved.",
	"flash.added":             "Requirement added.",
	"flash.added_several":     "Requirements added.",
	"flash.requirement_saved": "Requirement saved.",
	"flash.org_renamed":       "Organisation renamed.",
	"flash.profile":           "Profile applied: its standards not yet on the sheet were added.",
	"flash.removed":           "Requirement removed.",
	"flash.moved":             "Requirement moved.",
	"flash.published":         "Tender published. Its requirement sheet is now frozen.",
	"flash.amended":           "Amendment started: this is a new draft revision; the published one stays as it was.",
	"flash.imported":          "Catalogue version imported and made current.",
	"flash.org":               "Organisation created.",
	"flash.user":              "User created.",
	"flash.disabled":          "User disabled and logged out everywhere.",
	"flash.enabled":           "User enabled.",
	"flash.password":          "Password reset. The user's sessions were ended.",
	"flash.revoked":           "Invitation revoked: its link no longer works.",
	"flash.attest.welcome":    "Your password is set. Answer each requirement below; every answer is saved as a draft as you go.",
	"flash.attest.saved":      "Answer saved as a draft.",
	"flash.attest.answers":    "Answers saved as a draft.",
	"flash.attest.scope":      "Scope saved.",
	"flash.attest.uploaded":   "Evidence uploaded.",
	"flash.attest.removed":    "Evidence removed.",
	"flash.attest.submitted":  "Attestation submitted. Your receipt is below; keep it.",
	"flash.attest.reopened":   "Attestation reopened as a new version. The submitted version and its receipt stay readable.",
	"flash.attest.reviewed":   "Review saved.",
	"flash.attest.replied":    "Reply sent.",
	"flash.attest.amended":    "Answer amended: a new version was submitted with a new receipt.",
	"flash.attest.revoked":    "Invitation revoked: its link no longer works.",
	"flash.token.revoked":     "API token revoked. Programs using it are refused from now on.",
	"flash.supplier.joined":   "Your password is set. You answer your organisation's tenders together with the colleagues below; the tenders you are invited to are under Attestations.",
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

	"scope.bad_domain":           `{kind} domain "{name}": {reason:dnsname}`,
	"scope.bad_domain_character": `{kind} domain "{name}": the character "{char}" is not allowed in a host name`,
	// Why a domain name is refused (app/dnsname codes).
	"dnsname.empty":          "no name given",
	"dnsname.idna":           "not a valid domain name (letters, digits and hyphens, or an internationalised name)",
	"dnsname.too_long":       "longer than 253 characters",
	"dnsname.one_label":      "needs at least two labels, like example.nl",
	"dnsname.bad_label":      "has an empty part or a part over 63 characters",
	"dnsname.hyphen_edge":    "a part starts or ends with a hyphen",
	"dnsname.ip_address":     "an IP address, not a domain name",
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
	// What is wrong in a catalogue file (app/catalogue problem codes).
	"catalogue.problem.too_large":        "the file is larger than {max} bytes",
	"catalogue.problem.not_utf8":         "the file is not UTF-8 text",
	"catalogue.problem.more_problems":    "and {count} more problems",
	"catalogue.problem.not_a_mapping":    "the file must be a mapping with version, title and standards",
	"catalogue.problem.unknown_field":    "unknown field",
	"catalogue.problem.unknown_field_of": "unknown field; allowed are {allowed}",
	"catalogue.problem.yaml_syntax":      "YAML syntax: {detail}",
	"catalogue.problem.json_syntax":      "JSON syntax: {detail}",
	"catalogue.problem.trailing_data":    "unexpected data after the catalogue object",
	"catalogue.problem.wrong_type":       "must be {want}, not {got}",
	"catalogue.problem.empty_file":       "the file is empty",
	"catalogue.problem.json_ends_early":  "the JSON ends too early",
	"catalogue.problem.required":         "is required",
	"catalogue.problem.bad_version":      `"{value}" must be letters, digits, dots, dashes or underscores (at most 50)`,
	"catalogue.problem.no_standards":     "the catalogue has no standards",
	"catalogue.problem.bad_slug":         `"{value}" must be lowercase words joined by dashes (at most 60 characters)`,
	"catalogue.problem.slug_used":        `"{value}" is already used by standards[{index}]`,
	"catalogue.problem.too_long":         "is longer than {max} characters",
	"catalogue.problem.not_one_of":       `"{value}" is not one of {allowed}`,
	"catalogue.problem.no_references":    "at least one defining document is required",
	"catalogue.problem.not_an_rfc":       `"{value}" is not an RFC number`,
	"catalogue.problem.not_a_web_url":    `"{value}" is not an http(s) address`,
	"catalogue.problem.unknown_check":    `"{value}" is not a probe check; known checks are {allowed}`,
	"catalogue.problem.listed_twice":     `"{value}" is listed twice`,

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

	// honest states (i10-honest)
	"run_not_measured.resolver_unreachable": "Nothing was measured: the resolver {resolver} did not answer, so no domain could be looked up.",
	"run_not_measured.resolver_refused":     "Nothing was measured: the resolver {resolver} refused to answer, so no domain could be looked up.",
	"run_not_measured.every_check_failed":   "Nothing was measured: every check of the {domains} domain(s) in scope ended in an error (the first: {error}).",
	"run_not_measured.no_domains":           "Nothing was measured: the attestation names no web or mail domain to probe.",
	"run_state.queued_to_probe":             "Queued, {count} domain(s) to probe.",
	"run_state.probing":                     "{done} of {total} domain(s) probed.",
	"run_state.probed":                      "{total} domain(s) probed.",
	"run_state.previous_evidence":           "The verdicts and evidence shown are from the previous run {run} of {date}.",
	"run_state.newest_evidence":             "Until this run has finished, the newest evidence is that of run {run} of {date}.",
	// review matrix (i10-review)
	"state.accept_contradicted":              "The probes contradict this answer. Look at the evidence below; accept it only if you are satisfied the vendor complies anyway.",
	"review.accepted":                        "Answer accepted.",
	"review.bulk_accepted":                   "Accepted {count} answers the probes confirmed.",
	"review.bulk_none":                       "No answer the probes confirmed was awaiting review; nothing was accepted.",
	"review.unanswered":                      "not answered",
	"review.refuses_mandatory":               "does not comply with a mandatory requirement",
	"review.needs_accept":                    "mandatory, not applicable: needs your acceptance",
	"review.verdict.none":                    "not verified",
	"review.verdict.confirmed":               "confirmed",
	"review.verdict.contradicted":            "contradicted",
	"review.verdict.consistent":              "gap as declared",
	"review.verdict.better_than_declared":    "better than declared",
	"review.verdict.inconclusive":            "inconclusive",
	"review.verdict.attestation_only":        "no probe check",
	"review.verdict.not_measured":            "not measured",
	"review.meaning.none":                    "no probe run of this version has finished",
	"review.meaning.confirmed":               "by the probes: the vendor claims compliance and every probe check passed",
	"review.meaning.contradicted":            "by the probes: the vendor claims compliance but a probe check failed; accepting shows you the evidence first",
	"review.meaning.consistent":              "the vendor admits a gap and the probes found it",
	"review.meaning.better_than_declared":    "the vendor admits a gap but every probe check passed",
	"review.meaning.inconclusive":            "the probes could not decide",
	"review.meaning.attestation_only":        "no probe can check this standard: only the vendor's word and evidence count",
	"review.meaning.not_measured":            "the probes could not measure (the resolver failed or every check ended in an error); the run page says why",
	"review.meaning.pending":                 "submitted and waiting for you to accept it or ask for clarification",
	"review.meaning.clarification_requested": "you asked the vendor to clarify",
	"review.meaning.accepted":                "you (or a colleague) accepted the answer",
	"review.state.pending":                   "awaiting review",
	"review.state.accepted":                  "accepted",
	"review.state.clarification_requested":   "clarification asked",
	"review.state.not_submitted":             "not submitted yet",
	"review.attestation.draft":               "draft, not submitted",
	"review.attestation.submitted":           "submitted",
	"review.filter.contradicted":             "answers the probes contradict",
	"review.filter.mandatory_not_met":        "mandatory requirements not met",
	"review.filter.awaiting":                 "answers awaiting review",
	"review.sort.name":                       "vendor name, A to Z",
	"review.sort.-name":                      "vendor name, Z to A",
	"review.sort.-mandatory_met":             "most mandatory requirements met first",
	"review.sort.mandatory_met":              "fewest mandatory requirements met first",
	"review.sort.-contradicted":              "most contradicted answers first",
	"review.sort.contradicted":               "fewest contradicted answers first",
	"review.cell.mandatory":                  "mandatory",
	"review.cell.needs_accept":               "needs acceptance",
	"review.cell.accept":                     "Accept",
	"review.cell.of":                         "of",
	"review.head.vendor":                     "Vendor",
	"review.head.requirement":                "Requirement",
	"review.summary.mandatory_met":           "Mandatory met",
	"review.summary.contradicted":            "Contradicted by probes",
	"review.summary.open":                    "Open (not accepted)",
	"review.summary.explained":               "Explained",
	// vendor answers (i10-vendor)
	"field.choose_answer":        "choose an answer: complies, partial, does not comply or not applicable",
	"answer.error_in":            "Requirement {position} ({standard}), {field}: {message}",
	"answer.field.status":        "answer",
	"answer.field.explanation":   "explanation",
	"answer.field.planned_date":  "planned date",
	"answer.field.evidence_url":  "evidence URL",
	"answer.field.file":          "evidence file",
	"answer.field.form":          "not saved",
	"answer.field.reply":         "reply",
	"answer.field.comment":       "comment",
	"answer.field.declaration":   "declaration",
	"answer.scope_error":         "Scope: {message}",
	"answer.autosave_saving":     "Saving…",
	"answer.autosave_saved":      "Saved",
	"answer.autosave_not_saved":  "Not saved: {message}",
	"answer.autosave_offline":    "Not saved: the server could not be reached. What you typed is kept in this browser; it is saved when you save all.",
	"answer.autosave_unanswered": "Choose an answer to save this requirement.",
	"answer.autosave_restored":   "Not saved: this is what you typed before the page was reloaded, but the answer was changed since. Check it, then save.",
	"answer.files_too_large":     "Not sent: the chosen files are larger than {max} MB together. Upload them one save at a time; nothing was lost.",
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

// Labels of the form fields, as the forms show them.
func init() {
	for field, text := range map[string]string{
		"title": "Title", "reference": "Reference", "description": "Description",
		"estimated_value": "Estimated value", "currency": "Currency", "deadline": "Deadline for answers",
		"scope_tags": "Scope tags", "buyer_org_id": "Buying organisation", "name": "Name",
		"email": "E-mail address", "role": "Role", "org_id": "Organisation", "kind": "Kind",
		"password": "Password", "password_confirm": "Password again", "standard": "Standard",
		"level": "Level", "custom_clause": "Custom clause", "note": "Note", "supplier_id": "Existing supplier",
		"supplier_name": "Supplier name", "file": "File", "url": "Link", "year": "Year",
		"explanation": "Explanation", "planned_date": "Planned date", "status": "Status", "profile": "Profile",
		"sort": "Order", "q": "Search", "page": "Page", "state": "State", "org": "Organisation",
	} {
		english["label."+field] = text
	}
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
