package models

import (
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// Sentinel errors that handlers map to HTTP statuses in one place.
var (
	// ErrNotFound means the record does not exist or the viewer may not see it (404).
	ErrNotFound = errors.New("not found")
	// ErrLocked means the tender is no longer a draft and cannot change (409).
	ErrLocked = errors.New("tender is locked: only a draft can change")
	// ErrConflict means the change clashes with existing data, such as a
	// duplicate e-mail address or a standard already on the sheet (409).
	ErrConflict = errors.New("conflict")
	// ErrForbidden means the acting user's role does not allow the change (403).
	ErrForbidden = errors.New("forbidden")
	// ErrInvalidCredentials is the one answer for an unknown e-mail address, a
	// wrong password and a disabled account, so a caller cannot tell them apart (401).
	ErrInvalidCredentials = errors.New("invalid e-mail address or password")
)

// ValidationError names the input field that is wrong and why (422).
type ValidationError struct {
	Field   string
	Message string
}

// Error returns "field: message".
func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// invalid builds a ValidationError.
func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// notFound turns gorm's record-not-found into ErrNotFound and wraps other
// errors with what was being done.
func notFound(err error, format string, args ...any) error {
	what := fmt.Sprintf(format, args...)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("models: %s: %w", what, ErrNotFound)
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return fmt.Errorf("models: %s: %w", what, ErrConflict)
	}
	return fmt.Errorf("models: %s: %w", what, err)
}

// wrap adds context to err, keeping sentinel errors matchable; a duplicate
// key from the database becomes ErrConflict.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return notFound(err, format, args...)
}

// fmtErr wraps a sentinel error with a formatted message.
func fmtErr(sentinel error, format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, sentinel)...)
}
