// Package parse holds strict parsers for the policy
// records and headers the probes read (SPF, DMARC, MTA-STS, TLS-RPT, HSTS,
// CSP, security.txt). They never touch the network and never panic on any
// input; each is fuzz-tested.
package parse

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// SPF is a parsed Sender Policy Framework record (RFC 7208 section 4.6).
// It is parsed for a policy audit, without a client IP: the probe follows
// include and redirect itself and counts lookups, as internet.nl's
// spf_parser does. Libraries such as blitiri.com.ar/go/spf only evaluate a
// record for a given IP, which is why the parser is our own.
type SPF struct {
	// Terms are the directives and modifiers in record order.
	Terms []SPFTerm `json:"terms"`
	// All is the "all" directive, nil when the record has none.
	All *SPFTerm `json:"all,omitempty"`
	// Redirect is the redirect= target, "" when absent.
	Redirect string `json:"redirect,omitempty"`
	// Exp is the exp= target, "" when absent.
	Exp string `json:"exp,omitempty"`
}

// SPFTerm is one directive ("-all", "include:_spf.example.net", "ip4:192.0.2.0/24")
// or modifier ("redirect=_spf.example.net").
type SPFTerm struct {
	Raw string `json:"raw"`
	// Qualifier is '+', '-', '~' or '?' for directives, 0 for modifiers.
	Qualifier byte `json:"-"`
	// Name is the lowercase mechanism or modifier name ("include", "redirect").
	Name string `json:"name"`
	// Value is what follows ':' or '=' (a domain-spec or a network), "" when absent.
	Value string `json:"value,omitempty"`
	// Modifier is true for name=value terms.
	Modifier bool `json:"modifier,omitempty"`
	// Macro is true when Value contains a macro (RFC 7208 section 7), which
	// an audit without a sender cannot expand.
	Macro bool `json:"macro,omitempty"`
	// Prefix4 and Prefix6 are the dual-cidr-length of a, mx, ip4 and ip6 (-1 when absent).
	Prefix4 int `json:"prefix4"`
	Prefix6 int `json:"prefix6"`
}

// QualifierName spells out a qualifier the way RFC 7208 names its results.
func QualifierName(q byte) string {
	switch q {
	case '+':
		return "pass"
	case '-':
		return "fail"
	case '~':
		return "softfail"
	case '?':
		return "neutral"
	}
	return ""
}

// IsLookup reports whether the term costs a DNS lookup towards the limit of
// ten (RFC 7208 section 4.6.4): include, a, mx, ptr, exists and redirect.
func (t SPFTerm) IsLookup() bool {
	switch t.Name {
	case "include", "a", "mx", "ptr", "exists":
		return !t.Modifier
	case "redirect":
		return t.Modifier
	}
	return false
}

// LookupTerms returns the terms of the record that cost a DNS lookup.
func (s *SPF) LookupTerms() []SPFTerm {
	var out []SPFTerm
	for _, t := range s.Terms {
		if t.IsLookup() {
			out = append(out, t)
		}
	}
	return out
}

// IsSPF reports whether a TXT string is an SPF record at all: it starts with
// "v=spf1" followed by a space or nothing (RFC 7208 section 4.5). Records
// that are not are ignored when selecting the domain's SPF record.
func IsSPF(txt string) bool {
	if len(txt) < 6 || !strings.EqualFold(txt[:6], "v=spf1") {
		return false
	}
	return len(txt) == 6 || txt[6] == ' '
}

// ParseSPF parses an SPF record strictly per the ABNF of RFC 7208 section 12:
// any syntax error is a permerror for receivers, so it is reported as such.
func ParseSPF(record string) (*SPF, error) {
	if !IsSPF(record) {
		return nil, spfErr("spf_no_version", nil, `spf: record does not start with "v=spf1"`)
	}
	s := &SPF{}
	for _, raw := range strings.Split(record[6:], " ") {
		if raw == "" {
			continue // RFC 7208 allows several spaces between terms.
		}
		t, err := parseSPFTerm(raw)
		if err != nil {
			return nil, spfTermErr(raw, err)
		}
		switch {
		case t.Modifier && t.Name == "redirect":
			if s.Redirect != "" {
				return nil, spfErr("spf_several_modifiers", map[string]any{"modifier": "redirect"}, "spf: more than one redirect modifier")
			}
			s.Redirect = t.Value
		case t.Modifier && t.Name == "exp":
			if s.Exp != "" {
				return nil, spfErr("spf_several_modifiers", map[string]any{"modifier": "exp"}, "spf: more than one exp modifier")
			}
			s.Exp = t.Value
		case t.Name == "all" && s.All == nil:
			s.All = &t
		}
		s.Terms = append(s.Terms, t)
	}
	if s.All != nil {
		// Keep a pointer into Terms stable for callers.
		for i := range s.Terms {
			if !s.Terms[i].Modifier && s.Terms[i].Name == "all" {
				s.All = &s.Terms[i]
				break
			}
		}
	}
	return s, nil
}

func parseSPFTerm(raw string) (SPFTerm, error) {
	t := SPFTerm{Raw: raw, Prefix4: -1, Prefix6: -1}
	// A modifier is name "=" value where name is ALPHA *(ALPHA / DIGIT / "-" / "_" / ".").
	if i := strings.IndexAny(raw, "=:/"); i > 0 && raw[i] == '=' {
		name := strings.ToLower(raw[:i])
		if !isModifierName(name) {
			return t, spfErr("spf_bad_modifier_name", nil, "invalid modifier name")
		}
		t.Modifier, t.Name, t.Value = true, name, raw[i+1:]
		macro, err := checkMacroString(t.Value)
		if err != nil {
			return t, err
		}
		t.Macro = macro
		if name == "redirect" || name == "exp" {
			if err := checkDomainSpec(t.Value); err != nil {
				return t, err
			}
		}
		return t, nil
	}

	t.Qualifier = '+'
	if strings.ContainsRune("+-~?", rune(raw[0])) {
		t.Qualifier = raw[0]
		raw = raw[1:]
	}
	name, rest := raw, ""
	if i := strings.IndexAny(raw, ":/"); i >= 0 {
		name, rest = raw[:i], raw[i:]
	}
	t.Name = strings.ToLower(name)
	switch t.Name {
	case "all":
		if rest != "" {
			return t, spfErr("spf_all_argument", nil, "all takes no argument")
		}
	case "include", "exists":
		if !strings.HasPrefix(rest, ":") || len(rest) < 2 {
			return t, spfErr("spf_needs_domain", map[string]any{"mechanism": t.Name}, "%s needs a domain", t.Name)
		}
		t.Value = rest[1:]
		if err := t.checkDomain(); err != nil {
			return t, err
		}
	case "ptr":
		if strings.HasPrefix(rest, "/") {
			return t, spfErr("spf_ptr_prefix", nil, "ptr takes no prefix length")
		}
		if rest != "" {
			t.Value = strings.TrimPrefix(rest, ":")
			if rest == ":" {
				return t, spfErr("spf_empty_domain", nil, "empty domain after ':'")
			}
			if err := t.checkDomain(); err != nil {
				return t, err
			}
		}
	case "a", "mx":
		domain, cidr := rest, ""
		if i := indexOutsideMacro(rest, '/'); i >= 0 {
			domain, cidr = rest[:i], rest[i:]
		}
		if domain != "" {
			if domain == ":" {
				return t, spfErr("spf_empty_domain", nil, "empty domain after ':'")
			}
			t.Value = domain[1:]
			if err := t.checkDomain(); err != nil {
				return t, err
			}
		}
		if err := t.parseDualCIDR(cidr); err != nil {
			return t, err
		}
	case "ip4":
		if !strings.HasPrefix(rest, ":") {
			return t, spfErr("spf_needs_address", map[string]any{"mechanism": "ip4"}, "ip4 needs an address")
		}
		addr, cidr, _ := strings.Cut(rest[1:], "/")
		t.Value = rest[1:]
		ip, err := netip.ParseAddr(addr)
		if err != nil || !ip.Is4() {
			return t, spfErr("spf_not_ipv4", map[string]any{"address": addr}, "%q is not an IPv4 address", addr)
		}
		if strings.Contains(rest[1:], "/") {
			n, err := cidrLength(cidr, 32)
			if err != nil {
				return t, err
			}
			t.Prefix4 = n
		}
	case "ip6":
		if !strings.HasPrefix(rest, ":") {
			return t, spfErr("spf_needs_address", map[string]any{"mechanism": "ip6"}, "ip6 needs an address")
		}
		addr, cidr, _ := strings.Cut(rest[1:], "/")
		t.Value = rest[1:]
		ip, err := netip.ParseAddr(addr)
		if err != nil || !ip.Is6() || ip.Zone() != "" {
			return t, spfErr("spf_not_ipv6", map[string]any{"address": addr}, "%q is not an IPv6 address", addr)
		}
		if strings.Contains(rest[1:], "/") {
			n, err := cidrLength(cidr, 128)
			if err != nil {
				return t, err
			}
			t.Prefix6 = n
		}
	default:
		return t, spfErr("spf_unknown_mechanism", map[string]any{"mechanism": name}, "unknown mechanism %q", name)
	}
	return t, nil
}

func (t *SPFTerm) checkDomain() error {
	macro, err := checkMacroString(t.Value)
	if err != nil {
		return err
	}
	t.Macro = macro
	return checkDomainSpec(t.Value)
}

// parseDualCIDR parses "/24", "//64" or "/24//64".
func (t *SPFTerm) parseDualCIDR(s string) error {
	if s == "" {
		return nil
	}
	v4, v6, dual := strings.Cut(s, "//")
	if dual {
		n, err := cidrLength(v6, 128)
		if err != nil {
			return err
		}
		t.Prefix6 = n
	}
	if v4 != "" {
		if !strings.HasPrefix(v4, "/") {
			return spfErr("spf_bad_prefix", map[string]any{"prefix": s}, "bad prefix length %q", s)
		}
		n, err := cidrLength(v4[1:], 32)
		if err != nil {
			return err
		}
		t.Prefix4 = n
	}
	return nil
}

// indexOutsideMacro finds c outside "%{...}", where '/' may be a delimiter.
func indexOutsideMacro(s string, c byte) int {
	depth := false
	for i := 0; i < len(s); i++ {
		switch {
		case !depth && s[i] == '%' && i+1 < len(s) && s[i+1] == '{':
			depth = true
		case depth && s[i] == '}':
			depth = false
		case !depth && s[i] == c:
			return i
		}
	}
	return -1
}

func cidrLength(s string, max int) (int, error) {
	if s == "" || len(s) > 3 || (len(s) > 1 && s[0] == '0') {
		return 0, spfErr("spf_bad_prefix", map[string]any{"prefix": s}, "bad prefix length %q", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > max {
		return 0, spfErr("spf_bad_prefix", map[string]any{"prefix": s}, "bad prefix length %q", s)
	}
	return n, nil
}

func isModifierName(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// checkMacroString validates a macro-string (RFC 7208 section 7.1) and
// reports whether it contains a macro-expand.
func checkMacroString(s string) (macro bool, err error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e {
			return macro, spfErr("spf_bad_character", map[string]any{"character": string(rune(c))}, "character %q not allowed", c)
		}
		if c != '%' {
			continue
		}
		if i+1 >= len(s) {
			return macro, spfErr("spf_lone_percent", nil, "lone '%%' at the end")
		}
		switch s[i+1] {
		case '%', '_', '-':
			i++
			continue
		case '{':
		default:
			return macro, spfErr("spf_bad_macro", map[string]any{"macro": s[i : i+2]}, "bad macro %q", s[i:i+2])
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return macro, spfErr("spf_unterminated_macro", nil, "unterminated macro")
		}
		body := s[i+2 : i+end]
		if body == "" || !strings.ContainsRune("slodiphcrtvSLODIPHCRTV", rune(body[0])) {
			return macro, spfErr("spf_bad_macro_letter", map[string]any{"macro": s[i : i+end+1]}, "bad macro letter in %q", s[i:i+end+1])
		}
		j := 1
		for j < len(body) && body[j] >= '0' && body[j] <= '9' {
			j++
		}
		if j < len(body) && (body[j] == 'r' || body[j] == 'R') {
			j++
		}
		for ; j < len(body); j++ {
			if !strings.ContainsRune(".-+,/_=", rune(body[j])) {
				return macro, spfErr("spf_bad_macro_transformer", map[string]any{"macro": s[i : i+end+1]}, "bad macro transformer in %q", s[i:i+end+1])
			}
		}
		macro = true
		i += end
	}
	return macro, nil
}

// checkDomainSpec checks what RFC 7208 requires of a domain-spec without
// macros: a name whose top label is not numeric (so an IP address is not
// taken for a domain), with sane label lengths. With macros only the
// literal part can be checked, which checkMacroString already did.
func checkDomainSpec(s string) error {
	if strings.Contains(s, "%{") {
		return nil
	}
	name := strings.TrimSuffix(s, ".")
	if name == "" || len(name) > 253 {
		return spfErr("spf_not_domain", map[string]any{"domain": s}, "%q is not a domain name", s)
	}
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return spfErr("spf_not_fqdn", map[string]any{"domain": s}, "%q is not a fully qualified domain name", s)
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return spfErr("spf_bad_label", map[string]any{"domain": s}, "%q has an empty or over-long label", s)
		}
	}
	top := labels[len(labels)-1]
	numeric := true
	for i := 0; i < len(top); i++ {
		c := top[i]
		if !isAlpha(c) && !(c >= '0' && c <= '9') && c != '-' {
			return spfErr("spf_bad_top_label", map[string]any{"domain": s}, "%q has an invalid top label", s)
		}
		if !(c >= '0' && c <= '9') {
			numeric = false
		}
	}
	if numeric {
		return spfErr("spf_numeric_top_label", map[string]any{"domain": s}, "%q has a numeric top label", s)
	}
	return nil
}

// SPFError is an SPF record's syntax error as a coded problem.
type SPFError = ProblemError

func spfErr(code string, params map[string]any, format string, args ...any) error {
	return problemErr(code, params, format, args...)
}

// spfTermErr is the error of the term raw.
func spfTermErr(raw string, err error) error {
	var inner *SPFError
	if !errors.As(err, &inner) {
		inner = &SPFError{Problem{Code: "error", Params: map[string]any{"error": err.Error()}, Text: err.Error()}}
	}
	return &SPFError{Problem{Code: "spf_bad_term", Params: map[string]any{"term": raw, "problem": inner.Problem},
		Text: fmt.Sprintf("spf: term %q: %s", raw, inner.Text)}}
}
