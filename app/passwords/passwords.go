// Package passwords holds the rule every new password must pass, following
// NIST SP 800-63B (rev. 3 §5.1.1.2, rev. 4 §3.1.1.2): a minimum length, a
// generous maximum, no composition rules, and refusal of passwords that are
// commonly used or taken from the account's own context.
//
// Check judges the NFKC form of the password (see Normalize). Callers must
// hash that same form, or a user who typed a decomposed "é" at sign-up and a
// composed one at log-in would be locked out.
package passwords

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MinLength is the least number of characters (runes, after Normalize) a
// password may have. NIST asks for at least 8; 12 buys margin for an
// application that holds tender documents.
const MinLength = 12

// MaxLength is the most characters (runes, after Normalize) a password may
// have. NIST asks verifiers to allow at least 64; the cap only bounds the work
// an attacker can make us do per request.
//
// bcrypt reads only the first 72 bytes (golang.org/x/crypto/bcrypt refuses
// longer input), and 72 bytes can be as few as 18 runes. A caller that hashes
// with bcrypt must therefore pre-hash the normalised password, e.g.
// base64(HMAC-SHA-256(pepper, password)), before bcrypt, or use argon2id, rather
// than refuse or silently truncate long passphrases.
const MaxLength = 1024

// Reason says which part of the rule a password broke. The values are stable
// machine codes; the UI maps them to words in the message catalogue.
type Reason string

// The reasons Check can give, in the order it tests them.
const (
	InvalidUTF8      Reason = "invalid_utf8"
	TooLong          Reason = "too_long"
	ControlCharacter Reason = "control_character"
	Blank            Reason = "blank"
	TooShort         Reason = "too_short"
	Context          Reason = "context"
	Common           Reason = "common"
)

// Error is the refusal Check returns. Only the fields that belong to Reason
// are set.
type Error struct {
	Reason Reason
	Min    int  // TooShort: MinLength
	Max    int  // TooLong: MaxLength
	Length int  // TooShort, TooLong: runes in the normalised password
	Rune   rune // ControlCharacter: the first one found
}

// Error returns a developer's description, not words for the screen.
func (e *Error) Error() string {
	s := "password: " + strings.ReplaceAll(string(e.Reason), "_", " ")
	switch e.Reason {
	case TooShort:
		s += " (min " + strconv.Itoa(e.Min) + ")"
	case TooLong:
		s += " (max " + strconv.Itoa(e.Max) + ")"
	case ControlCharacter:
		s += " (" + strconv.QuoteRune(e.Rune) + ")"
	}
	return s
}

// Normalize returns the Unicode NFKC form of s, the form Check judges and the
// form callers must hash. NFKC folds look-alikes that keyboards and input
// methods produce differently (full-width digits, ligatures, non-breaking
// spaces, composed and decomposed accents) into one spelling.
func Normalize(s string) string {
	return norm.NFKC.String(s)
}

// Check returns nil when password may be used, or an *Error saying why not.
// context holds words an attacker would try first for this account: the
// e-mail address, the user's name, the organisation's name. Empty entries
// are ignored; for an entry holding an "@" the part before it is also
// refused.
func Check(password string, context ...string) error {
	if !utf8.ValidString(password) {
		return &Error{Reason: InvalidUTF8}
	}
	// Bound the normalisation work before doing it: no rune is wider than
	// UTFMax bytes, so longer input cannot fit in MaxLength runes.
	if len(password) > MaxLength*utf8.UTFMax {
		return &Error{Reason: TooLong, Max: MaxLength, Length: utf8.RuneCountInString(password)}
	}
	p := Normalize(password)
	for _, r := range p {
		if unicode.Is(unicode.Cc, r) {
			return &Error{Reason: ControlCharacter, Rune: r}
		}
	}
	key := strings.ToLower(strings.TrimSpace(p))
	if key == "" {
		return &Error{Reason: Blank}
	}
	n := utf8.RuneCountInString(p)
	if n < MinLength {
		return &Error{Reason: TooShort, Min: MinLength, Length: n}
	}
	if n > MaxLength {
		return &Error{Reason: TooLong, Max: MaxLength, Length: n}
	}
	for _, c := range context {
		if matchesContext(key, c) {
			return &Error{Reason: Context}
		}
	}
	if _, ok := commonSet()[key]; ok {
		return &Error{Reason: Common}
	}
	return nil
}

// matchesContext reports whether key, already normalised and lower-cased,
// equals the context word c or, for an e-mail address, its local part.
func matchesContext(key, c string) bool {
	c = strings.ToLower(strings.TrimSpace(Normalize(c)))
	if c == "" {
		return false
	}
	if key == c {
		return true
	}
	if at := strings.LastIndexByte(c, '@'); at > 0 {
		return key == strings.TrimSpace(c[:at])
	}
	return false
}
