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

// Reasons a name is refused other than the IDNA conversion's own.
const (
	reasonEmpty      = "empty"
	reasonTooLong    = "longer than 253 characters"
	reasonOneLabel   = "needs at least two labels"
	reasonBadLabel   = "empty or over-long label"
	reasonCharacter  = "character %q not allowed in a host name"
	reasonHyphenEdge = "label starts or ends with a hyphen"
	reasonIPAddress  = "an IP address, not a domain name"
)

// Error is a name that cannot be probed and why.
type Error struct {
	// Name is the name as given, without surrounding space and trailing dot.
	Name string
	// Reason says what is wrong, without repeating the name.
	Reason string
	// Err is the IDNA conversion's error when that refused the name.
	Err error
}

// Error reads like "invalid domain name "x": reason".
func (e *Error) Error() string {
	switch e.Reason {
	case reasonEmpty:
		return "empty domain name"
	case reasonIPAddress:
		return fmt.Sprintf("%q is an IP address, not a domain name", e.Name)
	}
	if e.Err != nil {
		return fmt.Sprintf("invalid domain name %q: %v", e.Name, e.Err)
	}
	return fmt.Sprintf("invalid domain name %q: %s", e.Name, e.Reason)
}

// Unwrap returns the IDNA error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Normalize validates a domain name typed by a user and returns its
// lowercase A-label form without the trailing dot. A refused name gives an
// *Error.
func Normalize(s string) (string, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if s == "" {
		return "", &Error{Reason: reasonEmpty}
	}
	ascii, err := idna.Lookup.ToASCII(s)
	if err != nil {
		return "", &Error{Name: s, Reason: strings.TrimPrefix(err.Error(), "idna: "), Err: err}
	}
	ascii = strings.ToLower(ascii)
	if len(ascii) > MaxLength {
		return "", &Error{Name: s, Reason: reasonTooLong}
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return "", &Error{Name: s, Reason: reasonOneLabel}
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return "", &Error{Name: s, Reason: reasonBadLabel}
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", &Error{Name: s, Reason: fmt.Sprintf(reasonCharacter, c)}
			}
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "", &Error{Name: s, Reason: reasonHyphenEdge}
		}
	}
	if _, err := netip.ParseAddr(ascii); err == nil {
		return "", &Error{Name: s, Reason: reasonIPAddress}
	}
	return ascii, nil
}
