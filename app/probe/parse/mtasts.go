package parse

import (
	"strconv"
	"strings"
)

// MaxMTASTSPolicySize is the most of a policy file a sender should read;
// RFC 8461 section 3.3 lets senders cap it at 64 KB.
const MaxMTASTSPolicySize = 64 << 10

// MaxMTASTSMaxAge is the longest policy lifetime allowed, 31557600 seconds
// (about a year, RFC 8461 section 3.2).
const MaxMTASTSMaxAge = 31557600

// MTASTSRecord is the _mta-sts TXT record announcing a policy (RFC 8461 section 3.1).
type MTASTSRecord struct {
	// ID changes whenever the policy changes: 1 to 32 letters and digits.
	ID string `json:"id"`
	// Extensions are other fields, which senders ignore.
	Extensions map[string]string `json:"extensions,omitempty"`
}

// IsMTASTSRecord reports whether a TXT string is meant as an MTA-STS record:
// it starts with "v=STSv1". Others at _mta-sts are ignored.
func IsMTASTSRecord(txt string) bool {
	k, v, ok := strings.Cut(strings.SplitN(txt, ";", 2)[0], "=")
	return ok && strings.Trim(k, " \t") == "v" && strings.Trim(v, " \t") == "STSv1"
}

// ParseMTASTSRecord parses "v=STSv1; id=20160831085700Z;".
func ParseMTASTSRecord(txt string) (*MTASTSRecord, error) {
	fields, err := parseKVRecord(txt, "v", "STSv1")
	if err != nil {
		return nil, problemErr("mtasts_syntax", map[string]any{"problem": problemOf(err)}, "mta-sts record: %v", err)
	}
	rec := &MTASTSRecord{}
	for _, f := range fields {
		switch f.key {
		case "id":
			if rec.ID != "" {
				return nil, problemErr("mtasts_repeated_id", nil, "mta-sts record: id appears more than once")
			}
			if len(f.value) < 1 || len(f.value) > 32 || !isAlnum(f.value) {
				return nil, problemErr("mtasts_bad_id", map[string]any{"id": f.value}, "mta-sts record: id %q must be 1 to 32 letters and digits", f.value)
			}
			rec.ID = f.value
		default:
			if rec.Extensions == nil {
				rec.Extensions = map[string]string{}
			}
			rec.Extensions[f.key] = f.value
		}
	}
	if rec.ID == "" {
		return nil, problemErr("mtasts_no_id", nil, "mta-sts record: required field id is missing")
	}
	return rec, nil
}

// MTASTSPolicy is a parsed policy file from
// https://mta-sts.<domain>/.well-known/mta-sts.txt (RFC 8461 section 3.2).
type MTASTSPolicy struct {
	// Mode is enforce, testing or none.
	Mode string `json:"mode"`
	// MaxAge is the policy lifetime in seconds.
	MaxAge int64 `json:"max_age"`
	// MX lists the allowed MX host patterns ("mail.example.com", "*.example.net").
	MX []string `json:"mx"`
	// Extensions are other fields, which senders ignore.
	Extensions map[string]string `json:"extensions,omitempty"`
}

// ParseMTASTSPolicy parses a policy file: "key: value" lines separated by
// LF or CRLF, with version STSv1, mode, max_age and (unless mode is none)
// at least one mx. A field other than mx given twice is an error, because
// senders would silently use only the first.
func ParseMTASTSPolicy(text string) (*MTASTSPolicy, error) {
	if len(text) > MaxMTASTSPolicySize {
		return nil, problemErr("mtasts_policy_too_large", map[string]any{"max": MaxMTASTSPolicySize}, "mta-sts policy: larger than %d bytes", MaxMTASTSPolicySize)
	}
	p := &MTASTSPolicy{MaxAge: -1}
	version := ""
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.Trim(line, " \t") == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return nil, problemErr("mtasts_bad_line", map[string]any{"line": n + 1, "text": line}, "mta-sts policy: line %d %q is not \"key: value\"", n+1, line)
		}
		k = strings.Trim(k, " \t")
		v = strings.Trim(v, " \t")
		if k == "" || !isFieldName(k) {
			return nil, problemErr("mtasts_bad_field_name", map[string]any{"line": n + 1, "name": k}, "mta-sts policy: line %d: bad field name %q", n+1, k)
		}
		dup := func(set bool) error {
			if set {
				return problemErr("mtasts_repeated_field", map[string]any{"line": n + 1, "name": k}, "mta-sts policy: line %d: field %s appears more than once", n+1, k)
			}
			return nil
		}
		switch k {
		case "version":
			if err := dup(version != ""); err != nil {
				return nil, err
			}
			if v != "STSv1" {
				return nil, problemErr("mtasts_bad_version", map[string]any{"version": v}, "mta-sts policy: version %q is not STSv1", v)
			}
			version = v
		case "mode":
			if err := dup(p.Mode != ""); err != nil {
				return nil, err
			}
			if v != "enforce" && v != "testing" && v != "none" {
				return nil, problemErr("mtasts_bad_mode", map[string]any{"mode": v}, "mta-sts policy: mode %q is not enforce, testing or none", v)
			}
			p.Mode = v
		case "max_age":
			if err := dup(p.MaxAge >= 0); err != nil {
				return nil, err
			}
			if v == "" || len(v) > 10 || !isDigits(v) {
				return nil, problemErr("mtasts_bad_max_age", map[string]any{"value": v}, "mta-sts policy: max_age %q is not a number of seconds", v)
			}
			age, _ := strconv.ParseInt(v, 10, 64)
			if age > MaxMTASTSMaxAge {
				return nil, problemErr("mtasts_max_age_too_long", map[string]any{"max_age": age, "max": MaxMTASTSMaxAge}, "mta-sts policy: max_age %d exceeds %d", age, MaxMTASTSMaxAge)
			}
			p.MaxAge = age
		case "mx":
			if err := checkMXPattern(v); err != nil {
				return nil, problemErr("mtasts_line", map[string]any{"line": n + 1, "problem": problemOf(err)}, "mta-sts policy: line %d: %v", n+1, err)
			}
			p.MX = append(p.MX, strings.ToLower(strings.TrimSuffix(v, ".")))
		default:
			if p.Extensions == nil {
				p.Extensions = map[string]string{}
			}
			p.Extensions[k] = v
		}
	}
	switch {
	case version == "":
		return nil, problemErr("mtasts_missing_field", map[string]any{"name": "version"}, "mta-sts policy: required field version is missing")
	case p.Mode == "":
		return nil, problemErr("mtasts_missing_field", map[string]any{"name": "mode"}, "mta-sts policy: required field mode is missing")
	case p.MaxAge < 0:
		return nil, problemErr("mtasts_missing_field", map[string]any{"name": "max_age"}, "mta-sts policy: required field max_age is missing")
	case len(p.MX) == 0 && p.Mode != "none":
		return nil, problemErr("mtasts_no_mx", nil, "mta-sts policy: no mx field, required unless mode is none")
	}
	return p, nil
}

// checkMXPattern accepts a host name or "*." followed by a host name.
func checkMXPattern(v string) error {
	name := strings.TrimPrefix(v, "*.")
	if strings.Contains(name, "*") {
		return problemErr("mtasts_mx_wildcard", map[string]any{"pattern": v}, "mx pattern %q: a wildcard is only allowed as the whole leftmost label", v)
	}
	if err := checkHostName(name); err != nil {
		return problemErr("mtasts_bad_mx", map[string]any{"pattern": v, "problem": problemOf(err)}, "mx pattern %q: %v", v, err)
	}
	return nil
}

// MatchMX reports whether an MX host name matches a policy pattern (RFC 8461
// section 4.1): exactly, or "*.example.net" matching one extra leftmost label.
func MatchMX(pattern, host string) bool {
	pattern = strings.ToLower(strings.TrimSuffix(pattern, "."))
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if rest, ok := strings.CutPrefix(pattern, "*."); ok {
		_, parent, found := strings.Cut(host, ".")
		return found && parent == rest
	}
	return pattern == host
}

// MatchesAnyMX reports whether host matches one of the policy's patterns.
func (p *MTASTSPolicy) MatchesAnyMX(host string) bool {
	for _, pat := range p.MX {
		if MatchMX(pat, host) {
			return true
		}
	}
	return false
}

func checkHostName(name string) error {
	name = strings.TrimSuffix(name, ".")
	if name == "" || len(name) > 253 {
		return problemErr("host_not_name", nil, "not a host name")
	}
	for _, l := range strings.Split(name, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return problemErr("host_bad_label", nil, "empty, over-long or hyphen-edged label")
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !isAlpha(c) && !(c >= '0' && c <= '9') && c != '-' && c != '_' {
				return problemErr("host_bad_character", map[string]any{"character": string(rune(c))}, "character %q not allowed in a host name", c)
			}
		}
	}
	return nil
}

func isFieldName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !(c >= '0' && c <= '9') && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlpha(s[i]) && !(s[i] >= '0' && s[i] <= '9') {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

type kv struct{ key, value string }

// parseKVRecord parses the "v=X; key=value; ..." syntax shared by the
// MTA-STS and TLS-RPT TXT records: the version first with exactly the
// expected value, fields separated by ';' with optional spaces, an
// optional trailing ';'. It returns the fields after the version.
func parseKVRecord(txt, versionKey, version string) ([]kv, error) {
	parts := strings.Split(txt, ";")
	var out []kv
	for i, part := range parts {
		part = strings.Trim(part, " \t")
		if part == "" {
			if i == len(parts)-1 && i > 0 {
				continue
			}
			return nil, problemErr("record_empty_field", nil, "empty field")
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, problemErr("record_not_key_value", map[string]any{"part": part}, "%q is not a key=value field", part)
		}
		k, v = strings.Trim(k, " \t"), strings.Trim(v, " \t")
		if i == 0 {
			if k != versionKey || v != version {
				return nil, problemErr("record_no_version", map[string]any{"version": versionKey + "=" + version}, "record does not start with %s=%s", versionKey, version)
			}
			continue
		}
		if k == "" || !isFieldName(k) {
			return nil, problemErr("record_bad_field_name", map[string]any{"name": k}, "bad field name %q", k)
		}
		for j := 0; j < len(v); j++ {
			if k == "rua" && (v[j] == ' ' || v[j] == '\t') {
				continue // RFC 8460 allows spaces around the commas of rua
			}
			if v[j] < 0x21 || v[j] > 0x7e || v[j] == '=' && k != "rua" {
				return nil, problemErr("record_bad_character", map[string]any{"name": k, "character": string(rune(v[j]))}, "field %s: character %q not allowed", k, v[j])
			}
		}
		out = append(out, kv{k, v})
	}
	return out, nil
}
