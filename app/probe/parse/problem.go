package parse

import (
	"errors"
	"fmt"
)

// Problem is one problem a parser or validator found, as a code and
// parameters: the probe shows it as the finding message finding.<Code> in
// the reader's language. Text is the same problem in English, for the
// parsers' own callers, logs and the checks' details.
type Problem struct {
	Code   string
	Params map[string]any
	Text   string
}

// ProblemError is a parser's error as a coded problem; Error is its
// English text.
type ProblemError struct{ Problem }

func (e *ProblemError) Error() string { return e.Text }

// problemErr is the error of a coded problem.
func problemErr(code string, params map[string]any, format string, args ...any) error {
	return &ProblemError{Problem{Code: code, Params: params, Text: fmt.Sprintf(format, args...)}}
}

// problemOf is err's problem: its own when it has a code, else its text
// as the problem "error".
func problemOf(err error) Problem {
	var coded *ProblemError
	if errors.As(err, &coded) {
		return coded.Problem
	}
	return Problem{Code: "error", Params: map[string]any{"error": err.Error()}, Text: err.Error()}
}

// texts are the English texts of problems.
func texts(problems []Problem) []string {
	if problems == nil {
		return nil
	}
	out := make([]string, len(problems))
	for i, p := range problems {
		out[i] = p.Text
	}
	return out
}
