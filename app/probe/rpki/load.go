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
	data, err := io.ReadAll(io.LimitReader(body, MaxVRPFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("rpki: load VRPs from %s: read: %w", pathOrURL, err)
	}
	if len(data) > MaxVRPFileSize {
		return nil, fmt.Errorf("rpki: load VRPs from %s: larger than %d bytes", pathOrURL, MaxVRPFileSize)
	}
	set, err := ParseVRPs(data)
	if err != nil {
		return nil, fmt.Errorf("rpki: load VRPs from %s: %w", pathOrURL, err)
	}
	return set, nil
}

// vrpJSON is one entry of the "roas" array. rpki-client writes the asn as a
// number, Routinator as "AS64500"; both are accepted.
type vrpJSON struct {
	ASN       json.RawMessage `json:"asn"`
	Prefix    string          `json:"prefix"`
	MaxLength *int            `json:"maxLength"`
}

// ParseVRPs parses the rpki-client (-j) or Routinator (json, jsonext) export:
// {"roas":[{"asn":"AS64500" or 64500,"prefix":"192.0.2.0/24","maxLength":24,...}]}.
// Other fields (ta, source, expires, metadata) are ignored. An entry that
// cannot be used is an error naming its index, since a half-read set would
// turn Invalid routes into NotFound without anyone noticing.
func ParseVRPs(data []byte) (*Set, error) {
	var doc struct {
		ROAs *[]vrpJSON `json:"roas"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse VRP JSON: %w", err)
	}
	if doc.ROAs == nil {
		return nil, errors.New(`parse VRP JSON: no "roas" array`)
	}
	if len(*doc.ROAs) == 0 {
		return nil, errors.New(`parse VRP JSON: the "roas" array is empty`)
	}
	vrps := make([]VRP, 0, len(*doc.ROAs))
	for i, e := range *doc.ROAs {
		v, err := e.vrp()
		if err != nil {
			return nil, fmt.Errorf("parse VRP JSON: roas[%d]: %w", i, err)
		}
		vrps = append(vrps, v)
	}
	return NewSet(vrps), nil
}

func (e vrpJSON) vrp() (VRP, error) {
	asn, err := parseASN(e.ASN)
	if err != nil {
		return VRP{}, err
	}
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
	maxLen := p.Bits()
	if e.MaxLength != nil {
		maxLen = *e.MaxLength
	}
	if maxLen < p.Bits() || maxLen > p.Addr().BitLen() {
		return VRP{}, fmt.Errorf("prefix %s: maxLength %d outside %d-%d", p, maxLen, p.Bits(), p.Addr().BitLen())
	}
	return VRP{ASN: asn, Prefix: p, MaxLength: maxLen}, nil
}

// parseASN accepts 64500, "AS64500", "as64500" and "64500".
func parseASN(raw json.RawMessage) (uint32, error) {
	if len(raw) == 0 {
		return 0, errors.New("asn missing")
	}
	s := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, fmt.Errorf("asn %s: %w", raw, err)
		}
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
