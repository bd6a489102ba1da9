package parse

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// SecurityTxt is a parsed security.txt file (RFC 9116).
type SecurityTxt struct {
	Contact            []string  `json:"contact,omitempty"`
	Expires            []string  `json:"expires,omitempty"`
	ExpiresAt          time.Time `json:"expires_at,omitzero"`
	Canonical          []string  `json:"canonical,omitempty"`
	Encryption         []string  `json:"encryption,omitempty"`
	Acknowledgments    []string  `json:"acknowledgments,omitempty"`
	PreferredLanguages []string  `json:"preferred_languages,omitempty"`
	Policy             []string  `json:"policy,omitempty"`
	Hiring             []string  `json:"hiring,omitempty"`
	// Signed is true for an OpenPGP cleartext-signed file.
	Signed bool `json:"signed"`
	// Unknown lists the fields RFC 9116 does not define, which sectxt
	// (internet.nl's parser) mentions as advice.
	Unknown []string `json:"unknown,omitempty"`
	// Errors are violations of the format found while parsing, in
	// English; Problems are the same as codes.
	Errors   []string  `json:"errors,omitempty"`
	Problems []Problem `json:"-"`
}

// fail records a format violation.
func (s *SecurityTxt) fail(code string, params map[string]any, format string, args ...any) {
	p := Problem{Code: code, Params: params, Text: fmt.Sprintf(format, args...)}
	s.Problems = append(s.Problems, p)
	s.Errors = append(s.Errors, p.Text)
}

// ParseSecurityTxt parses a security.txt body: "Field: value" lines, "#"
// comments, LF or CRLF line ends, field names case-insensitive, unknown
// fields ignored (RFC 9116 section 2.4). A cleartext OpenPGP signature is
// unwrapped (dash-escaping removed) but not verified. Problems become
// Errors rather than a failure, so that every problem can be shown.
func ParseSecurityTxt(body []byte) SecurityTxt {
	var s SecurityTxt
	if !utf8.Valid(body) {
		s.fail("sectxt_not_utf8", nil, "file is not valid UTF-8")
	}
	text := strings.ReplaceAll(string(body), "\r\n", "\n")
	lines := strings.Split(text, "\n")
	if len(lines) > 0 && strings.TrimSpace(lines[0]) == "-----BEGIN PGP SIGNED MESSAGE-----" {
		s.Signed = true
		lines = unwrapCleartext(lines[1:])
	}
	for i, line := range lines {
		line = strings.TrimRight(line, " \t")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			s.fail("sectxt_bad_line", map[string]any{"line": i + 1}, "line %d is not a \"Field: value\" line", i+1)
			continue
		}
		// RFC 9116 section 2.4's ABNF: the colon is followed by a space.
		if value != "" && value[0] != ' ' {
			s.fail("web_sectxt_no_space", map[string]any{"line": i + 1}, "line %d: no space after the colon", i+1)
		}
		value = strings.TrimSpace(value)
		field := strings.ToLower(name)
		if value == "" {
			s.fail("web_sectxt_empty_value", map[string]any{"line": i + 1, "field": name}, "line %d: %s has no value", i+1, name)
			continue
		}
		switch field {
		case "acknowledgments", "canonical", "encryption", "hiring", "policy", "csaf":
			// Contact is checked more closely below.
			if u, err := url.Parse(value); err != nil || u.Scheme == "" {
				s.fail("web_sectxt_no_uri", map[string]any{"line": i + 1, "field": name}, "line %d: %s is not a URI", i+1, name)
			} else if strings.EqualFold(u.Scheme, "http") {
				s.fail("web_sectxt_no_https", map[string]any{"line": i + 1, "field": name}, "line %d: %s is an http URI, not https", i+1, name)
			}
		}
		switch field {
		case "contact":
			s.Contact = append(s.Contact, value)
			if !validContact(value) {
				s.fail("sectxt_bad_contact", map[string]any{"line": i + 1, "value": value}, "line %d: Contact %q is not a mailto:, tel: or https: URI", i+1, value)
			}
		case "expires":
			s.Expires = append(s.Expires, value)
			t, err := parseExpires(value)
			if err != nil {
				s.fail("sectxt_bad_expires", map[string]any{"line": i + 1, "value": value}, "line %d: Expires %q is not an RFC 3339 date-time", i+1, value)
			} else if s.ExpiresAt.IsZero() {
				s.ExpiresAt = t
			}
		case "canonical":
			s.Canonical = append(s.Canonical, value)
		case "encryption":
			s.Encryption = append(s.Encryption, value)
		case "acknowledgments":
			s.Acknowledgments = append(s.Acknowledgments, value)
		case "preferred-languages":
			s.PreferredLanguages = append(s.PreferredLanguages, value)
			for _, tag := range strings.Split(value, ",") {
				if _, err := language.Parse(strings.TrimSpace(tag)); err != nil {
					s.fail("web_sectxt_bad_language", map[string]any{"line": i + 1, "tag": strings.TrimSpace(tag)}, "line %d: %q is not a language tag (RFC 5646)", i+1, strings.TrimSpace(tag))
				}
			}
		case "policy":
			s.Policy = append(s.Policy, value)
		case "hiring":
			s.Hiring = append(s.Hiring, value)
		case "csaf":
		default:
			s.Unknown = append(s.Unknown, name)
		}
	}
	return s
}

// parseExpires reads an RFC 3339 date-time, also with a space or a lower
// case t between date and time, as RFC 3339 section 5.6 allows and
// internet.nl's parser accepts.
func parseExpires(v string) (time.Time, error) {
	if len(v) > 10 && (v[10] == ' ' || v[10] == 't') {
		v = v[:10] + "T" + v[11:]
	}
	if strings.HasSuffix(v, "z") {
		v = v[:len(v)-1] + "Z"
	}
	return time.Parse(time.RFC3339, v)
}

// unwrapCleartext returns the signed text of an OpenPGP cleartext message
// (RFC 4880 section 7): after the hash headers and the blank line, up to the
// signature, with "- " dash-escaping removed.
func unwrapCleartext(lines []string) []string {
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
		i++
	}
	var out []string
	for _, l := range lines[min(i+1, len(lines)):] {
		if strings.TrimSpace(l) == "-----BEGIN PGP SIGNATURE-----" {
			break
		}
		out = append(out, strings.TrimPrefix(l, "- "))
	}
	return out
}

func validContact(v string) bool {
	u, err := url.Parse(v)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "mailto", "tel":
		return u.Opaque != "" || u.Path != ""
	case "https":
		return u.Host != ""
	}
	return false
}

// SecurityTxtVerdict is the evaluation of a security.txt at a location:
// Errors and Warnings in English, ErrorProblems and WarningProblems the
// same as codes.
type SecurityTxtVerdict struct {
	Errors          []string  `json:"errors,omitempty"`
	Warnings        []string  `json:"warnings,omitempty"`
	ErrorProblems   []Problem `json:"-"`
	WarningProblems []Problem `json:"-"`
	// Advice is what internet.nl's parser recommends beyond RFC 9116's
	// requirements (a signature, an Encryption field next to an e-mail
	// contact, no unknown fields): it informs and never fails or warns.
	Advice         []string  `json:"advice,omitempty"`
	AdviceProblems []Problem `json:"-"`
}

// Advise adds advice.
func (v *SecurityTxtVerdict) Advise(code string, params map[string]any, format string, args ...any) {
	p := Problem{Code: code, Params: params, Text: fmt.Sprintf(format, args...)}
	v.AdviceProblems = append(v.AdviceProblems, p)
	v.Advice = append(v.Advice, p.Text)
}

// Fail adds an error.
func (v *SecurityTxtVerdict) Fail(code string, params map[string]any, format string, args ...any) {
	p := Problem{Code: code, Params: params, Text: fmt.Sprintf(format, args...)}
	v.ErrorProblems = append(v.ErrorProblems, p)
	v.Errors = append(v.Errors, p.Text)
}

// Warn adds a warning.
func (v *SecurityTxtVerdict) Warn(code string, params map[string]any, format string, args ...any) {
	p := Problem{Code: code, Params: params, Text: fmt.Sprintf(format, args...)}
	v.WarningProblems = append(v.WarningProblems, p)
	v.Warnings = append(v.Warnings, p.Text)
}

// Evaluate applies RFC 9116 as internet.nl's sectxt does, for a file fetched
// from location at time now: at least one Contact, exactly one valid Expires
// that is not in the past (a warning when more than a year ahead),
// Preferred-Languages at most once, and when Canonical is present one of its
// URIs equal to location; sectxt's recommendations become Advice.
func (s SecurityTxt) Evaluate(location string, now time.Time) SecurityTxtVerdict {
	var v SecurityTxtVerdict
	v.Errors = append(v.Errors, s.Errors...)
	v.ErrorProblems = append(v.ErrorProblems, s.Problems...)
	if len(s.Contact) == 0 {
		v.Fail("sectxt_no_contact", nil, "no Contact field")
	}
	switch {
	case len(s.Expires) == 0:
		v.Fail("sectxt_no_expires", nil, "no Expires field")
	case len(s.Expires) > 1:
		v.Fail("sectxt_several_expires", map[string]any{"count": len(s.Expires)}, "%d Expires fields, exactly one allowed", len(s.Expires))
	case s.ExpiresAt.IsZero():
	case s.ExpiresAt.Before(now):
		at := s.ExpiresAt.UTC().Format(time.RFC3339)
		v.Fail("sectxt_expired", map[string]any{"expires": at}, "expired on %s", at)
	case s.ExpiresAt.After(now.AddDate(1, 0, 0)):
		at := s.ExpiresAt.UTC().Format(time.RFC3339)
		v.Warn("sectxt_expires_far", map[string]any{"expires": at}, "Expires is more than a year ahead (%s)", at)
	}
	if len(s.PreferredLanguages) > 1 {
		v.Fail("sectxt_several_languages", nil, "Preferred-Languages given more than once")
	}
	if !s.Signed {
		v.Advise("web_sectxt_not_signed", nil, "not signed with OpenPGP")
	} else if len(s.Canonical) == 0 {
		v.Advise("web_sectxt_signed_no_canonical", nil, "signed, but without a Canonical field")
	}
	if slices.ContainsFunc(s.Contact, func(c string) bool { return strings.HasPrefix(strings.ToLower(c), "mailto:") }) && len(s.Encryption) == 0 {
		v.Advise("web_sectxt_no_encryption", nil, "an e-mail Contact without an Encryption field")
	}
	for _, f := range s.Unknown {
		v.Advise("web_sectxt_unknown_field", map[string]any{"field": f}, "unknown field %s", f)
	}
	if len(s.Canonical) > 0 {
		match := false
		for _, c := range s.Canonical {
			if sameURL(c, location) {
				match = true
			}
		}
		if !match {
			v.Fail("sectxt_canonical_mismatch", map[string]any{"location": location}, "no Canonical URI matches %s", location)
		}
	}
	return v
}

// sameURL compares two URLs ignoring the case of scheme and host.
func sameURL(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) &&
		ua.EscapedPath() == ub.EscapedPath() && ua.RawQuery == ub.RawQuery
}

// IsPlainText reports whether a Content-Type is text/plain with, if any
// charset is given, utf-8 (RFC 9116 section 3; internet.nl also accepts
// its IANA alias csUTF8).
func IsPlainText(contentType string) (plain, utf8Charset bool) {
	mt, params, _ := strings.Cut(contentType, ";")
	plain = strings.EqualFold(strings.TrimSpace(mt), "text/plain")
	utf8Charset = true
	for _, p := range strings.Split(params, ";") {
		k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		cs := strings.Trim(val, `" `)
		if ok && strings.EqualFold(k, "charset") && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "csutf8") {
			utf8Charset = false
		}
	}
	return plain, utf8Charset
}
