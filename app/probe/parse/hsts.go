package parse

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// HSTS is a parsed Strict-Transport-Security header value (RFC 6797 section 6.1).
type HSTS struct {
	MaxAge            int64 `json:"max_age"`
	IncludeSubDomains bool  `json:"include_subdomains"`
	Preload           bool  `json:"preload"`
}

// ParseHSTS parses one Strict-Transport-Security value. Following RFC 6797
// section 6.1, directive names are case-insensitive, values may be quoted,
// unknown directives are ignored, and a directive given twice or a missing
// or malformed max-age makes the whole header invalid (a browser ignores it).
func ParseHSTS(value string) (HSTS, error) {
	var h HSTS
	seen := map[string]bool{}
	for _, part := range strings.Split(value, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, hasVal := strings.Cut(part, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		val = strings.TrimSpace(val)
		if name == "" || !isToken(name) {
			return HSTS{}, problemErr("hsts_malformed_directive", map[string]any{"directive": part}, "parse: hsts: malformed directive %q", part)
		}
		if seen[name] {
			return HSTS{}, problemErr("hsts_repeated_directive", map[string]any{"directive": name}, "parse: hsts: directive %q given more than once", name)
		}
		seen[name] = true
		if hasVal {
			unq, err := unquote(val)
			if err != nil {
				var inner *ProblemError
				if !errors.As(err, &inner) {
					return HSTS{}, fmt.Errorf("parse: hsts: directive %q: %w", name, err)
				}
				return HSTS{}, problemErr("hsts_bad_value", map[string]any{"directive": name, "problem": inner.Problem}, "parse: hsts: directive %q: %s", name, inner.Text)
			}
			val = unq
		}
		switch name {
		case "max-age":
			if !hasVal || val == "" {
				return HSTS{}, problemErr("hsts_max_age_empty", nil, "parse: hsts: max-age without a value")
			}
			for _, c := range val {
				if c < '0' || c > '9' {
					return HSTS{}, problemErr("hsts_max_age_not_number", map[string]any{"value": val}, "parse: hsts: max-age %q is not a number of seconds", val)
				}
			}
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				// Only overflow gets here: a huge max-age is as good as the largest.
				n = 1<<63 - 1
			}
			h.MaxAge = n
		case "includesubdomains":
			if hasVal {
				return HSTS{}, problemErr("hsts_include_subdomains_value", nil, "parse: hsts: includeSubDomains takes no value")
			}
			h.IncludeSubDomains = true
		case "preload":
			h.Preload = true
		}
	}
	if !seen["max-age"] {
		return HSTS{}, problemErr("hsts_no_max_age", nil, "parse: hsts: no max-age directive")
	}
	return h, nil
}

// isToken reports whether s is an HTTP token (RFC 9110 section 5.6.2).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return s != ""
}

// unquote removes the quotes of an HTTP quoted-string, or returns a token as is.
func unquote(s string) (string, error) {
	if !strings.HasPrefix(s, `"`) {
		if !isToken(s) && s != "" {
			return "", problemErr("hsts_not_token", map[string]any{"value": s}, "value %q is neither a token nor a quoted string", s)
		}
		return s, nil
	}
	if len(s) < 2 || !strings.HasSuffix(s, `"`) {
		return "", problemErr("hsts_unterminated_quote", map[string]any{"value": s}, "unterminated quoted string %q", s)
	}
	var b strings.Builder
	inner := s[1 : len(s)-1]
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		if c == '\\' && i+1 < len(inner) {
			i++
			c = inner[i]
		} else if c == '"' || c == '\\' {
			return "", problemErr("hsts_stray_quote", map[string]any{"value": s}, "stray quote in %q", s)
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}
