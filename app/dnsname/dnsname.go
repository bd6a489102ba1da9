// Package dnsname holds the rule for the domain names Tenderprobe accepts:
// host names a probe can be pointed at, as a person types them, turned into
// the one form that is compared, stored and probed. The probe engine, the
// probe CLI and the scope of an attestation all use it, so a name a vendor
// may put in scope is exactly a name the engine will probe. It imports
// nothing of the project.
package dnsname

import (
	"fmt"
	"net/netip"
	"strings"

	"golang.org/x/net/idna"
)

// MaxLength is the longest name accepted, in A-label form without the
// trailing dot (RFC 1035 §2.3.4 allows 255 octets on the wire, which is
// 253 characters of text).
const MaxLength = 253

// Codes of why a name is refused: stable data for the message catalogue,
// never shown as they are.
const (
	CodeEmpty      = "empty"
	CodeIDNA       = "idna"
	CodeTooLong    = "too_long"
	CodeOneLabel   = "one_label"
	CodeBadLabel   = "bad_label"
	CodeCharacter  = "character"
	CodeHyphenEdge = "hyphen_edge"
	CodeIPAddress  = "ip_address"
	CodeNumericTLD = "numeric_tld"
)

// Error is a name that cannot be probed and why.
type Error struct {
	// Name is the name as given, without surrounding space and trailing dot.
	Name string
	// Code says what is wrong: one of the Code constants.
	Code string
	// Char is the character refused, for CodeCharacter.
	Char rune
	// Err is the IDNA conversion's error, for CodeIDNA.
	Err error
}

// reasons are the English words of each code for Error, which logs and
// the probe command show; the web pages use the message catalogue.
var reasons = map[string]string{
	CodeTooLong:    "longer than 253 characters",
	CodeOneLabel:   "needs at least two labels",
	CodeBadLabel:   "empty or over-long label",
	CodeHyphenEdge: "label starts or ends with a hyphen",
	CodeNumericTLD: "the last label is all digits, which no top-level domain is",
}

// Error reads like "invalid domain name "x": reason".
func (e *Error) Error() string {
	switch e.Code {
	case CodeEmpty:
		return "empty domain name"
	case CodeIPAddress:
		return fmt.Sprintf("%q is an IP address, not a domain name", e.Name)
	case CodeIDNA:
		return fmt.Sprintf("invalid domain name %q: %v", e.Name, e.Err)
	case CodeCharacter:
		return fmt.Sprintf("invalid domain name %q: character %q not allowed in a host name", e.Name, e.Char)
	}
	return fmt.Sprintf("invalid domain name %q: %s", e.Name, reasons[e.Code])
}

// Unwrap returns the IDNA error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Normalize validates a domain name typed by a user and returns its
// lowercase A-label form without the trailing dot. A refused name gives an
// *Error.
func Normalize(s string) (string, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if s == "" {
		return "", &Error{Code: CodeEmpty}
	}
	ascii, err := idna.Lookup.ToASCII(s)
	if err != nil {
		return "", &Error{Name: s, Code: CodeIDNA, Err: err}
	}
	ascii = strings.ToLower(ascii)
	if len(ascii) > MaxLength {
		return "", &Error{Name: s, Code: CodeTooLong}
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return "", &Error{Name: s, Code: CodeOneLabel}
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return "", &Error{Name: s, Code: CodeBadLabel}
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", &Error{Name: s, Code: CodeCharacter, Char: c}
			}
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "", &Error{Name: s, Code: CodeHyphenEdge}
		}
	}
	if _, err := netip.ParseAddr(ascii); err == nil {
		return "", &Error{Name: s, Code: CodeIPAddress}
	}
	// No top-level domain is all digits (RFC 3696, 2), and some resolvers
	// read "127.1" as the address 127.0.0.1.
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "", &Error{Name: s, Code: CodeNumericTLD}
	}
	return ascii, nil
}
