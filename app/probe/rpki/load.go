package rpki

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// MaxVRPFileSize bounds how much of a VRP file or download is read. A full
// rpki-client export with about 800,000 entries is under 100 MB.
const MaxVRPFileSize = 256 << 20

// LoadVRPs reads a VRP set from a local file or, when pathOrURL starts with
// http:// or https://, from a download with client (nil means
// http.DefaultClient). The source is an operator's setting, not a vendor's
// input, so it is not subject to the probe's private-address guard.
func LoadVRPs(ctx context.Context, pathOrURL string, client *http.Client) (*Set, error) {
	var body io.ReadCloser
	if strings.HasPrefix(pathOrURL, "http://") || strings.HasPrefix(pathOrURL, "https://") {
		if client == nil {
			client = http.DefaultClient
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, pathOrURL, nil)
		if err != nil {
			return nil, fmt.Errorf("rpki: load VRPs from %s: %w", pathOrURL, err)
		}
		req.Header.Set("Accept", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("rpki: load VRPs from %s: %w", pathOrURL, err)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("rpki: load VRPs from %s: HTTP status %s", pathOrURL, resp.Status)
		}
		body = resp.Body
	} else {
		f, err := os.Open(pathOrURL)
		if err != nil {
			return nil, fmt.Errorf("rpki: load VRPs: %w", err)
		}
		body = f
	}
	defer body.Close()
	limited := &io.LimitedReader{R: body, N: MaxVRPFileSize + 1}
	set, err := DecodeVRPs(limited)
	if limited.N <= 0 {
		return nil, fmt.Errorf("rpki: load VRPs from %s: larger than %d bytes", pathOrURL, MaxVRPFileSize)
	}
	if err != nil {
		return nil, fmt.Errorf("rpki: load VRPs from %s: %w", pathOrURL, err)
	}
	return set, nil
}

// vrpJSON is one entry of the "roas" array. rpki-client writes the asn as a
// number, Routinator as "AS64500"; both are accepted.
type vrpJSON struct {
	ASN       asnJSON `json:"asn"`
	Prefix    string  `json:"prefix"`
	MaxLength int     `json:"maxLength"`
}

// asnJSON parses the asn field in place, avoiding a copy per entry.
type asnJSON struct {
	n   uint32
	set bool
}

func (a *asnJSON) UnmarshalJSON(b []byte) error {
	n, err := parseASN(b)
	if err != nil {
		return err
	}
	a.n, a.set = n, true
	return nil
}

// ParseVRPs parses the rpki-client (-j) or Routinator (json, jsonext) export:
// {"roas":[{"asn":"AS64500" or 64500,"prefix":"192.0.2.0/24","maxLength":24,...}]}.
// Other fields (ta, source, expires, metadata) are ignored. An entry that
// cannot be used is an error naming its index, since a half-read set would
// turn Invalid routes into NotFound without anyone noticing.
func ParseVRPs(data []byte) (*Set, error) {
	return DecodeVRPs(bytes.NewReader(data))
}

// DecodeVRPs is ParseVRPs reading from r. It streams the "roas" array entry
// by entry, so a 500,000-entry export never exists twice in memory.
func DecodeVRPs(r io.Reader) (*Set, error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	var (
		vrps    []VRP
		sawROAs bool
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("parse VRP JSON: %w", err)
		}
		key, _ := tok.(string)
		if key != "roas" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fmt.Errorf("parse VRP JSON: field %q: %w", key, err)
			}
			continue
		}
		if sawROAs {
			return nil, errors.New(`parse VRP JSON: "roas" appears twice`)
		}
		sawROAs = true
		if err := expectDelim(dec, '['); err != nil {
			return nil, fmt.Errorf(`%w (in "roas")`, err)
		}
		for i := 0; dec.More(); i++ {
			// maxLength -1 marks "absent" (RFC 6482: then only the prefix itself).
			e := vrpJSON{MaxLength: -1}
			if err := dec.Decode(&e); err != nil {
				return nil, fmt.Errorf("parse VRP JSON: roas[%d]: %w", i, err)
			}
			v, err := e.vrp()
			if err != nil {
				return nil, fmt.Errorf("parse VRP JSON: roas[%d]: %w", i, err)
			}
			vrps = append(vrps, v)
		}
		if err := expectDelim(dec, ']'); err != nil {
			return nil, err
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("parse VRP JSON: data after the top-level object")
	}
	if !sawROAs {
		return nil, errors.New(`parse VRP JSON: no "roas" array`)
	}
	if len(vrps) == 0 {
		return nil, errors.New(`parse VRP JSON: the "roas" array is empty`)
	}
	return NewSet(vrps), nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("parse VRP JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("parse VRP JSON: expected %q, found %v", want, tok)
	}
	return nil
}

func (e vrpJSON) vrp() (VRP, error) {
	if !e.ASN.set {
		return VRP{}, errors.New("asn missing")
	}
	asn := e.ASN.n
	p, err := netip.ParsePrefix(e.Prefix)
	if err != nil {
		return VRP{}, fmt.Errorf("prefix %q: %w", e.Prefix, err)
	}
	if p.Addr().Zone() != "" || p.Addr().Is4In6() {
		return VRP{}, fmt.Errorf("prefix %q: not a plain IPv4 or IPv6 prefix", e.Prefix)
	}
	if p != p.Masked() {
		return VRP{}, fmt.Errorf("prefix %q: host bits set (expected %s)", e.Prefix, p.Masked())
	}
	// RFC 6482: without maxLength only the prefix itself is authorised.
	maxLen := e.MaxLength
	if maxLen == -1 {
		maxLen = p.Bits()
	}
	if maxLen < p.Bits() || maxLen > p.Addr().BitLen() {
		return VRP{}, fmt.Errorf("prefix %s: maxLength %d outside %d-%d", p, maxLen, p.Bits(), p.Addr().BitLen())
	}
	return VRP{ASN: asn, Prefix: p, MaxLength: maxLen}, nil
}

// parseASN accepts 64500, "AS64500", "as64500" and "64500".
func parseASN(raw []byte) (uint32, error) {
	if len(raw) == 0 {
		return 0, errors.New("asn missing")
	}
	s := string(raw)
	if raw[0] == '"' {
		// An AS number never needs JSON escapes; refuse them rather than decode.
		if len(s) < 2 || s[len(s)-1] != '"' || strings.ContainsRune(s, '\\') {
			return 0, fmt.Errorf("asn %s: not an AS number between 0 and 4294967295", raw)
		}
		s = s[1 : len(s)-1]
		if len(s) > 2 && strings.EqualFold(s[:2], "AS") {
			s = s[2:]
		}
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || s == "" || s[0] == '+' {
		return 0, fmt.Errorf("asn %s: not an AS number between 0 and 4294967295", raw)
	}
	return uint32(n), nil
}
