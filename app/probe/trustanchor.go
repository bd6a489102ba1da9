package probe

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/dnssec"
)

// ianaRootAnchors are the DS records of the root zone's key-signing keys as
// IANA publishes them in https://data.iana.org/root-anchors/root-anchors.xml:
// KSK-2017 (key tag 20326, valid from 2017-02-02) and KSK-2024 (key tag
// 38696, valid from 2024-07-18). Both are listed so validation keeps working
// across the rollover from one to the other.
const ianaRootAnchors = `. 172800 IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
. 172800 IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16
`

// DefaultTrustAnchors returns the IANA root KSK DS records built into the
// program, the trust anchors used when no --trust-anchor file is given.
func DefaultTrustAnchors() []dns.RR {
	rrs, err := ParseTrustAnchors(strings.NewReader(ianaRootAnchors))
	if err != nil {
		// The text is a constant checked by the tests; failing here is a build defect.
		panic(err)
	}
	return rrs
}

// digestLen is the hex length of each DS digest type accepted in a trust anchor.
var digestLen = map[uint8]int{dns.SHA1: 40, dns.SHA256: 64, dns.SHA384: 96}

// ParseTrustAnchors reads root trust anchors in zone-file syntax: DS or
// DNSKEY records owned by the root ("."), one per line or spread over lines
// with parentheses, with ";" comments and blank lines allowed (the format of
// unbound's root.key and of `dig . DNSKEY`). Errors name the line. Records
// that could never anchor validation are refused rather than skipped, so a
// typo cannot silently leave the probe without a working anchor.
func ParseTrustAnchors(r io.Reader) ([]dns.RR, error) {
	var out []dns.RR
	err := logicalLines(r, func(line int, text string) error {
		if strings.HasPrefix(text, "$") {
			return fmt.Errorf("line %d: directive %q is not supported in a trust anchor file", line, strings.Fields(text)[0])
		}
		rr, err := dns.NewRR(text)
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if rr == nil {
			return nil
		}
		if rr.Header().Name != "." {
			return fmt.Errorf("line %d: trust anchor owner is %q; only the root zone \".\" is supported", line, rr.Header().Name)
		}
		switch a := rr.(type) {
		case *dns.DS:
			want, ok := digestLen[a.DigestType]
			if !ok {
				return fmt.Errorf("line %d: DS digest type %d is not supported (use 2 for SHA-256)", line, a.DigestType)
			}
			if _, err := hex.DecodeString(a.Digest); err != nil || len(a.Digest) != want {
				return fmt.Errorf("line %d: DS digest must be %d hexadecimal characters for digest type %d", line, want, a.DigestType)
			}
			if !dnssec.AlgorithmSupported(a.Algorithm) {
				return fmt.Errorf("line %d: DS algorithm %d is not supported by the validator", line, a.Algorithm)
			}
		case *dns.DNSKEY:
			if a.Flags&dns.ZONE == 0 || a.Protocol != 3 {
				return fmt.Errorf("line %d: DNSKEY is not a zone key (flags %d, protocol %d)", line, a.Flags, a.Protocol)
			}
			if !dnssec.AlgorithmSupported(a.Algorithm) {
				return fmt.Errorf("line %d: DNSKEY algorithm %d is not supported by the validator", line, a.Algorithm)
			}
			if key, err := base64.StdEncoding.DecodeString(a.PublicKey); err != nil || len(key) == 0 {
				return fmt.Errorf("line %d: DNSKEY public key is not valid base64", line)
			}
		default:
			return fmt.Errorf("line %d: %s record is not a trust anchor; use DS or DNSKEY", line, dns.TypeToString[rr.Header().Rrtype])
		}
		out = append(out, rr)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("probe: trust anchors: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("probe: trust anchors: no DS or DNSKEY record found")
	}
	return out, nil
}

// logicalLines strips comments and joins records spread over lines with
// parentheses, calling fn with each record and the line it starts on.
func logicalLines(r io.Reader, fn func(line int, text string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var (
		buf   strings.Builder
		start int
		depth int
		n     int
	)
	for sc.Scan() {
		n++
		text := stripComment(sc.Text())
		if depth == 0 {
			if strings.TrimSpace(text) == "" {
				continue
			}
			start = n
			buf.Reset()
		}
		for _, c := range text {
			switch c {
			case '(':
				depth++
			case ')':
				depth--
			}
		}
		if depth < 0 {
			return fmt.Errorf("line %d: unbalanced \")\"", n)
		}
		buf.WriteString(strings.NewReplacer("(", " ", ")", " ").Replace(text))
		buf.WriteByte(' ')
		if depth == 0 {
			if err := fn(start, strings.TrimSpace(buf.String())); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %w", n+1, err)
	}
	if depth > 0 {
		return fmt.Errorf("line %d: \"(\" is never closed", start)
	}
	return nil
}

// stripComment removes a ";" comment that is not inside quotes.
func stripComment(s string) string {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			quoted = !quoted
		case ';':
			if !quoted {
				return s[:i]
			}
		}
	}
	return s
}
