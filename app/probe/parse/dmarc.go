package parse

import (
	"net/mail"
	"net/url"
	"strconv"
	"strings"
)

// DMARC is a parsed DMARC policy record (RFC 7489 section 6.3, with the
// np, psd and t tags of DMARCbis that emersion/go-msgauth lacks). Absent
// optional tags hold their RFC defaults; Tags records which were present.
type DMARC struct {
	// P is the policy for the domain: none, quarantine or reject.
	P string `json:"p"`
	// SP is the policy for subdomains ("" when absent: P applies).
	SP string `json:"sp,omitempty"`
	// NP is the policy for non-existent subdomains ("" when absent: SP, then P applies).
	NP string `json:"np,omitempty"`
	// PSD is y, n or u (DMARCbis public suffix domain flag; "" when absent).
	PSD string `json:"psd,omitempty"`
	// T is the DMARCbis testing flag: true for t=y.
	T bool `json:"t"`
	// Pct is the percentage the policy applies to (default 100).
	Pct int `json:"pct"`
	// RUA and RUF are the aggregate and failure report destinations.
	RUA []ReportURI `json:"rua,omitempty"`
	RUF []ReportURI `json:"ruf,omitempty"`
	// ADKIM and ASPF are the alignment modes, r (relaxed, default) or s (strict).
	ADKIM string `json:"adkim"`
	ASPF  string `json:"aspf"`
	// FO lists the failure reporting options (0, 1, d, s; default 0).
	FO []string `json:"fo"`
	// RF lists the failure report formats (default afrf).
	RF []string `json:"rf"`
	// RI is the requested aggregate report interval in seconds (default 86400).
	RI uint32 `json:"ri"`
	// Tags lists the tag names present, in order.
	Tags []string `json:"tags"`
	// Unknown lists tags this parser does not know; receivers ignore them.
	Unknown []string `json:"unknown,omitempty"`
}

// ReportURI is a report destination: "mailto:dmarc@example.net!10m".
type ReportURI struct {
	URI string `json:"uri"`
	// Scheme is mailto or https.
	Scheme string `json:"scheme"`
	// Host is the mail domain of a mailto address or the host of an https URI;
	// reports to another organisation need its authorisation (RFC 7489 section 7.1).
	Host string `json:"host"`
	// MaxSize is the optional "!size" suffix, as written.
	MaxSize string `json:"max_size,omitempty"`
}

// IsDMARC reports whether a TXT string is meant as a DMARC record: it starts
// with the v=DMARC1 tag. Other TXT records at _dmarc are ignored (RFC 7489 section 6.6.3).
func IsDMARC(txt string) bool {
	k, v, ok := strings.Cut(strings.SplitN(txt, ";", 2)[0], "=")
	return ok && strings.TrimSpace(k) == "v" && strings.TrimSpace(v) == "DMARC1"
}

var dmarcPolicies = map[string]bool{"none": true, "quarantine": true, "reject": true}

// ParseDMARC parses a DMARC record strictly: v=DMARC1 first, a valid p,
// no duplicate tags and valid values for every known tag. Receivers are more
// forgiving in places (a bad p with a valid rua counts as p=none), but an
// audit should flag what they would have to forgive.
func ParseDMARC(record string) (*DMARC, error) {
	d := &DMARC{Pct: 100, ADKIM: "r", ASPF: "r", FO: []string{"0"}, RF: []string{"afrf"}, RI: 86400}
	seen := map[string]bool{}
	parts := strings.Split(record, ";")
	for i, part := range parts {
		part = strings.Trim(part, " \t\r\n")
		if part == "" {
			if i == 0 {
				return nil, problemErr("dmarc_no_version", nil, `dmarc: record does not start with "v=DMARC1"`)
			}
			continue // a trailing or doubled ';' is allowed
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, problemErr("dmarc_not_tag_value", map[string]any{"part": part}, "dmarc: %q is not a tag=value pair", part)
		}
		k = strings.Trim(k, " \t")
		v = strings.Trim(v, " \t")
		if i == 0 {
			if k != "v" || v != "DMARC1" {
				return nil, problemErr("dmarc_no_version", nil, `dmarc: record does not start with "v=DMARC1"`)
			}
		}
		lk := strings.ToLower(k)
		if seen[lk] {
			return nil, problemErr("dmarc_repeated_tag", map[string]any{"tag": k}, "dmarc: tag %q appears more than once", k)
		}
		seen[lk] = true
		d.Tags = append(d.Tags, lk)
		if err := d.setTag(lk, v, i); err != nil {
			return nil, problemErr("dmarc_bad_tag", map[string]any{"tag": k, "value": v, "problem": problemOf(err)}, "dmarc: tag %s=%q: %v", k, v, err)
		}
	}
	if len(d.Tags) == 0 {
		return nil, problemErr("dmarc_no_version", nil, `dmarc: record does not start with "v=DMARC1"`)
	}
	if d.P == "" {
		return nil, problemErr("dmarc_no_policy", nil, "dmarc: required tag p is missing")
	}
	return d, nil
}

func (d *DMARC) setTag(k, v string, pos int) error {
	var err error
	switch k {
	case "v":
		if pos != 0 {
			return problemErr("dmarc_version_not_first", nil, "v must be the first tag")
		}
	case "p", "sp", "np":
		lv := strings.ToLower(v)
		if !dmarcPolicies[lv] {
			return problemErr("dmarc_bad_policy", nil, "policy must be none, quarantine or reject")
		}
		switch k {
		case "p":
			d.P = lv
		case "sp":
			d.SP = lv
		default:
			d.NP = lv
		}
	case "psd":
		lv := strings.ToLower(v)
		if lv != "y" && lv != "n" && lv != "u" {
			return problemErr("dmarc_must_be_ynu", nil, "must be y, n or u")
		}
		d.PSD = lv
	case "t":
		lv := strings.ToLower(v)
		if lv != "y" && lv != "n" {
			return problemErr("dmarc_must_be_yn", nil, "must be y or n")
		}
		d.T = lv == "y"
	case "pct":
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 0 || n > 100 || strings.HasPrefix(v, "+") {
			return problemErr("dmarc_bad_pct", nil, "must be a whole number from 0 to 100")
		}
		d.Pct = n
	case "rua":
		d.RUA, err = parseReportURIs(v)
	case "ruf":
		d.RUF, err = parseReportURIs(v)
	case "adkim", "aspf":
		lv := strings.ToLower(v)
		if lv != "r" && lv != "s" {
			return problemErr("dmarc_must_be_rs", nil, "must be r or s")
		}
		if k == "adkim" {
			d.ADKIM = lv
		} else {
			d.ASPF = lv
		}
	case "fo":
		d.FO = nil
		for _, o := range strings.Split(v, ":") {
			o = strings.ToLower(strings.TrimSpace(o))
			if o != "0" && o != "1" && o != "d" && o != "s" {
				return problemErr("dmarc_bad_fo", map[string]any{"option": o}, "option %q must be 0, 1, d or s", o)
			}
			d.FO = append(d.FO, o)
		}
	case "rf":
		d.RF = nil
		for _, f := range strings.Split(v, ":") {
			f = strings.ToLower(strings.TrimSpace(f))
			if f != "afrf" {
				return problemErr("dmarc_bad_rf", map[string]any{"format": f}, "format %q is not afrf", f)
			}
			d.RF = append(d.RF, f)
		}
	case "ri":
		n, perr := strconv.ParseUint(v, 10, 32)
		if perr != nil {
			return problemErr("dmarc_bad_ri", nil, "must be a number of seconds")
		}
		d.RI = uint32(n)
	default:
		d.Unknown = append(d.Unknown, k)
	}
	return err
}

// parseReportURIs parses a comma-separated list of DMARC URIs (RFC 7489
// section 6.4: a URI with '!' and ',' escaped, optionally followed by
// "!" size [unit]). mailto and https are accepted.
func parseReportURIs(v string) ([]ReportURI, error) {
	if strings.TrimSpace(v) == "" {
		return nil, problemErr("report_no_address", nil, "no report address")
	}
	var out []ReportURI
	for _, raw := range strings.Split(v, ",") {
		raw = strings.Trim(raw, " \t")
		u, err := ParseReportURI(raw, true)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// ParseReportURI parses one report destination; withSize allows the DMARC
// "!10m" size limit. Only mailto and https are accepted, the schemes DMARC
// and TLS-RPT receivers actually deliver to.
func ParseReportURI(raw string, withSize bool) (ReportURI, error) {
	r := ReportURI{URI: raw}
	if withSize {
		if i := strings.LastIndexByte(raw, '!'); i >= 0 {
			size := raw[i+1:]
			if !validReportSize(size) {
				return r, problemErr("report_bad_size", map[string]any{"uri": raw, "size": size}, "report URI %q: bad size limit %q", raw, size)
			}
			r.MaxSize = size
			raw = raw[:i]
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return r, problemErr("report_bad_uri", map[string]any{"uri": raw, "error": err.Error()}, "report URI %q: %v", raw, err)
	}
	r.Scheme = strings.ToLower(u.Scheme)
	switch r.Scheme {
	case "mailto":
		if u.Opaque == "" {
			return r, problemErr("report_no_mail_address", map[string]any{"uri": raw}, "report URI %q: no mail address", raw)
		}
		addrText, err := url.PathUnescape(u.Opaque)
		if err != nil {
			return r, problemErr("report_bad_uri", map[string]any{"uri": raw, "error": err.Error()}, "report URI %q: %v", raw, err)
		}
		addr, err := mail.ParseAddress(addrText)
		if err != nil || addr.Address != addrText {
			return r, problemErr("report_not_mail_address", map[string]any{"uri": raw, "address": addrText}, "report URI %q: %q is not a mail address", raw, addrText)
		}
		at := strings.LastIndexByte(addr.Address, '@')
		r.Host = strings.ToLower(strings.TrimSuffix(addr.Address[at+1:], "."))
		if err := checkDomainSpec(r.Host); err != nil || strings.Contains(r.Host, "%") {
			return r, problemErr("report_bad_mail_domain", map[string]any{"uri": raw}, "report URI %q: bad mail domain", raw)
		}
	case "https":
		if u.Host == "" || u.User != nil {
			return r, problemErr("report_no_host", map[string]any{"uri": raw}, "report URI %q: no host", raw)
		}
		r.Host = strings.ToLower(u.Hostname())
	case "":
		return r, problemErr("report_no_scheme", map[string]any{"uri": raw}, "report URI %q: no scheme (expected mailto: or https:)", raw)
	default:
		return r, problemErr("report_bad_scheme", map[string]any{"uri": raw, "scheme": u.Scheme}, "report URI %q: scheme %s is not mailto or https", raw, u.Scheme)
	}
	return r, nil
}

func validReportSize(s string) bool {
	if s == "" {
		return false
	}
	n := s
	if c := s[len(s)-1]; c == 'k' || c == 'm' || c == 'g' || c == 't' || c == 'K' || c == 'M' || c == 'G' || c == 'T' {
		n = s[:len(s)-1]
	}
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		if n[i] < '0' || n[i] > '9' {
			return false
		}
	}
	return true
}

// EffectivePolicy returns the policy that applies to mail from a domain
// whose record this is: P for the domain itself, SP (falling back to P)
// when the record was found at the organisational domain of a subdomain.
func (d *DMARC) EffectivePolicy(subdomain bool) string {
	if subdomain && d.SP != "" {
		return d.SP
	}
	return d.P
}
