package parse

import (
	"strings"
)

// TLSRPT is the _smtp._tls TXT record asking senders for SMTP TLS reports
// (RFC 8460 section 3).
type TLSRPT struct {
	// RUA lists where reports go: mailto: addresses or https: URLs.
	RUA []ReportURI `json:"rua"`
	// Extensions are other fields, which senders ignore.
	Extensions map[string]string `json:"extensions,omitempty"`
}

// IsTLSRPT reports whether a TXT string is meant as a TLS-RPT record: it
// starts with "v=TLSRPTv1".
func IsTLSRPT(txt string) bool {
	k, v, ok := strings.Cut(strings.SplitN(txt, ";", 2)[0], "=")
	return ok && strings.Trim(k, " \t") == "v" && strings.Trim(v, " \t") == "TLSRPTv1"
}

// ParseTLSRPT parses "v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://r.example.net/v1".
// rua must appear exactly once with at least one mailto or https URI.
func ParseTLSRPT(txt string) (*TLSRPT, error) {
	fields, err := parseKVRecord(txt, "v", "TLSRPTv1")
	if err != nil {
		return nil, problemErr("tlsrpt_record", map[string]any{"problem": problemOf(err)}, "tls-rpt record: %v", err)
	}
	rec := &TLSRPT{}
	seenRUA := false
	for _, f := range fields {
		if f.key != "rua" {
			if rec.Extensions == nil {
				rec.Extensions = map[string]string{}
			}
			rec.Extensions[f.key] = f.value
			continue
		}
		if seenRUA {
			return nil, problemErr("tlsrpt_repeated_rua", nil, "tls-rpt record: rua appears more than once")
		}
		seenRUA = true
		if f.value == "" {
			return nil, problemErr("tlsrpt_empty_rua", nil, "tls-rpt record: rua is empty")
		}
		for _, raw := range strings.Split(f.value, ",") {
			u, err := ParseReportURI(strings.Trim(raw, " \t"), false)
			if err != nil {
				return nil, problemErr("tlsrpt_record", map[string]any{"problem": problemOf(err)}, "tls-rpt record: %v", err)
			}
			rec.RUA = append(rec.RUA, u)
		}
	}
	if !seenRUA {
		return nil, problemErr("tlsrpt_no_rua", nil, "tls-rpt record: required field rua is missing")
	}
	return rec, nil
}
