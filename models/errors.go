package models

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// Errors carry data, never words for the screen: handlers map each kind to
// an HTTP status and a message key (in one place, handlers/errors.go), and
// the message catalogue turns the key and the parameters into words. The
// Error strings below are for logs and developers only.

// Sentinel errors. The typed errors below match them with errors.Is, so a
// caller that only cares about the kind of refusal need not know the type.
var (
	// ErrNotFound means the record does not exist or the viewer may not see it (404).
	ErrNotFound = errors.New("not found")
	// ErrConflict means the change clashes with existing data or with the
	// record's state, such as a duplicate e-mail address (409). Every
	// *StateError matches it.
	ErrConflict = errors.New("conflict")
	// ErrForbidden means the acting user may not do this (403). Every
	// *ForbiddenError matches it.
	ErrForbidden = errors.New("forbidden")
	// ErrInvalidCredentials is the one answer for an unknown e-mail address, a
	// wrong password and a disabled account, so a caller cannot tell them apart (401).
	ErrInvalidCredentials = errors.New("invalid e-mail address or password")
)

// States of the tender and attestation workflows that refuse a step. Each
// is a *StateError, so errors.Is finds it wherever it is wrapped, and each
// matches ErrConflict.
var (
	// ErrLocked means the tender is no longer a draft and its sheet cannot change.
	ErrLocked = &StateError{Code: "tender_locked"}
	// ErrAttestationLocked means the attestation is submitted: answers,
	// evidence and scope cannot change until it is reopened.
	ErrAttestationLocked = &StateError{Code: "attestation_locked"}
	// ErrStale means the record changed since the form was loaded (an
	// optimistic version check failed); the write was refused, not merged.
	ErrStale = &StateError{Code: "stale"}
	// ErrDeadlinePassed means the tender's deadline is over: nothing can be
	// saved, submitted, reopened or invited any more.
	ErrDeadlinePassed = &StateError{Code: "deadline_passed"}
	// ErrNotSubmitted means a step needs a submitted attestation (review,
	// reopen, verification) but it is still a draft.
	ErrNotSubmitted = &StateError{Code: "not_submitted"}
	// ErrTenderNotOpen means the tender is not published (any more), so it
	// takes no invitations or answers.
	ErrTenderNotOpen = &StateError{Code: "tender_not_open"}
)

// ValidationError says which input field is wrong and why (422). Code is a
// stable message key ("required", "too_long", "not_a_date", …) and Params
// holds the values the message names ({"max": 200}).
type ValidationError struct {
	Field  string
	Code   string
	Params map[string]any
}

// Error returns a developer's summary such as
// `models: invalid title: too_long map[max:200]`.
func (e *ValidationError) Error() string {
	field := e.Field
	if field == "" {
		field = "input"
	}
	return "models: invalid " + field + ": " + e.Code + paramString(e.Params)
}

// ValidationErrors lists every refused field of one form or request (422),
// at most one problem per field, in the order the fields were checked: a
// form reports all its problems at once, so nobody submits it again and
// again to meet them one by one. errors.As finds its first
// *ValidationError too, for callers that only look at one.
type ValidationErrors []*ValidationError

// Error returns the developer's summaries of the problems, joined by "; ".
func (e ValidationErrors) Error() string {
	parts := make([]string, len(e))
	for i, ve := range e {
		parts[i] = ve.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap gives errors.As and errors.Is each problem.
func (e ValidationErrors) Unwrap() []error {
	out := make([]error, len(e))
	for i, ve := range e {
		out[i] = ve
	}
	return out
}

// add records err's problems (a *ValidationError or ValidationErrors),
// leaving out a field that already has one: the first check of a field
// is the one its user meets first. It returns any other non-nil error,
// which is not about the input.
func (e *ValidationErrors) add(err error) error {
	var list ValidationErrors
	var one *ValidationError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = ValidationErrors{one}
	default:
		return err
	}
	for _, ve := range list {
		if !slices.ContainsFunc(*e, func(have *ValidationError) bool { return have.Field == ve.Field }) {
			*e = append(*e, ve)
		}
	}
	return nil
}

// invalid records a problem as the function invalid builds it, unless
// field already has one.
func (e *ValidationErrors) invalid(field, code string, params ...any) {
	_ = e.add(invalid(field, code, params...)) // a *ValidationError: never another error
}

// err is e as an error: nil when there is no problem.
func (e ValidationErrors) err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

// JoinInvalid reports the problems of every err together, as one
// ValidationErrors in argument order (one per field, the first kept): a
// handler that finds a field it cannot read passes its problem with the
// models' own, so the form shows them all. nil errors are left out; an
// error that is not about the input is returned as it is; no problem at
// all gives nil.
func JoinInvalid(errs ...error) error {
	var out ValidationErrors
	for _, err := range errs {
		if other := out.add(err); other != nil {
			return other
		}
	}
	return out.err()
}

// StateError says that the state of a record refuses the step (409), such
// as a passed deadline or a stale form. Code is a stable message key and
// Params the values the message names.
type StateError struct {
	Code   string
	Params map[string]any
}

// Error returns a developer's summary such as `state stale`.
func (e *StateError) Error() string { return "state " + e.Code + paramString(e.Params) }

// Is matches ErrConflict and any *StateError with the same Code, so the
// sentinels above work with errors.Is whatever their parameters.
func (e *StateError) Is(target error) bool {
	if target == ErrConflict {
		return true
	}
	t, ok := target.(*StateError)
	return ok && t.Code == e.Code
}

// ForbiddenError says that the acting user may not do what was asked
// (403). Code names the rule that refused: "not_vendor" (only a vendor of
// the supplier may), "not_buyer" (only an officer of the buyer or an admin
// may), "role" (the user's role may not), "vendor_matrix" (vendors may not
// see each other's answers).
type ForbiddenError struct {
	Code string
}

// Error returns a developer's summary such as `forbidden: not_vendor`.
func (e *ForbiddenError) Error() string { return "forbidden: " + e.Code }

// Is matches ErrForbidden and any *ForbiddenError with the same Code.
func (e *ForbiddenError) Is(target error) bool {
	if target == ErrForbidden {
		return true
	}
	t, ok := target.(*ForbiddenError)
	return ok && t.Code == e.Code
}

// Problem is one item of a list of things wrong or missing: a stable code
// and the values its message names.
type Problem struct {
	Code   string         `json:"code"`
	Params map[string]any `json:"params,omitempty"`
}

// MissingError lists what stops a submission (422): unanswered
// requirements and requirements without an explanation (with
// requirement_id, position and standard), the declaration and the
// declarer's name.
type MissingError struct {
	Missing []Problem
}

// Error lists the codes of what is missing.
func (e *MissingError) Error() string {
	codes := make([]string, len(e.Missing))
	for i, p := range e.Missing {
		codes[i] = p.Code + paramString(p.Params)
	}
	return "models: the attestation cannot be submitted yet: " + strings.Join(codes, "; ")
}

// invalid builds a ValidationError; params alternate names and values:
// invalid("title", "too_long", "max", MaxTitleLength).
func invalid(field, code string, params ...any) error {
	return &ValidationError{Field: field, Code: code, Params: paramMap(params)}
}

// newState builds a StateError; params alternate names and values.
func newState(code string, params ...any) *StateError {
	return &StateError{Code: code, Params: paramMap(params)}
}

// problem builds a Problem; params alternate names and values.
func problem(code string, params ...any) Problem {
	return Problem{Code: code, Params: paramMap(params)}
}

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

// paramString writes params in name order for Error strings.
func paramString(params map[string]any) string {
	if len(params) == 0 {
		return ""
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(params)) {
		fmt.Fprintf(&b, " %s=%v", k, params[k])
	}
	return b.String()
}

// wrap adds what was being done to err, as "models: <what>: <err>", and is
// the one way models wrap errors. gorm's record-not-found becomes
// ErrNotFound and a duplicate key ErrConflict, so handlers can map them;
// typed errors and sentinels stay matchable with errors.Is and errors.As.
// A nil err stays nil.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		err = ErrNotFound
	case errors.Is(err, gorm.ErrDuplicatedKey):
		err = ErrConflict
	}
	return fmt.Errorf("models: %s: %w", fmt.Sprintf(format, args...), err)
}

// MessageCode and MessageParams let the message catalogue write a problem
// as the words of its code (i18n.Coded).
func (p Problem) MessageCode() string { return p.Code }

// MessageParams are the values the problem's message names.
func (p Problem) MessageParams() map[string]any { return p.Params }
