package rpki

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// Querier sends one DNS question; the probe's cached resolver client fits.
type Querier interface {
	Query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error)
}

// Origin is one BGP route covering an address, as Team Cymru's IP-to-ASN
// service reports it. Several ASes may originate the same prefix (MOAS).
type Origin struct {
	ASNs      []uint32     `json:"asns"`
	Prefix    netip.Prefix `json:"prefix"`
	Country   string       `json:"country,omitempty"`
	Registry  string       `json:"registry,omitempty"`
	Allocated string       `json:"allocated,omitempty"`
	// Raw is the TXT string the origin was read from, as evidence.
	Raw string `json:"raw"`
}

// CymruName returns the DNS name Team Cymru answers for addr: the reversed
// octets under origin.asn.cymru.com for IPv4, the reversed nibbles under
// origin6.asn.cymru.com for IPv6.
func CymruName(addr netip.Addr) string {
	addr = addr.Unmap().WithZone("")
	var b strings.Builder
	if addr.Is4() {
		a := addr.As4()
		for i := 3; i >= 0; i-- {
			b.WriteString(strconv.Itoa(int(a[i])))
			b.WriteByte('.')
		}
		b.WriteString("origin.asn.cymru.com.")
		return b.String()
	}
	a := addr.As16()
	const hex = "0123456789abcdef"
	for i := 15; i >= 0; i-- {
		b.WriteByte(hex[a[i]&0xf])
		b.WriteByte('.')
		b.WriteByte(hex[a[i]>>4])
		b.WriteByte('.')
	}
	b.WriteString("origin6.asn.cymru.com.")
	return b.String()
}

// ParseCymru parses one TXT string of the form
// "64500 | 192.0.2.0/24 | NL | ripencc | 2010-01-01"; the first field may
// list several ASes separated by spaces.
func ParseCymru(txt string) (Origin, error) {
	fields := strings.Split(txt, "|")
	if len(fields) < 2 {
		return Origin{}, fmt.Errorf("rpki: Cymru answer %q: expected \"ASN | prefix | ...\"", txt)
	}
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
	}
	o := Origin{Raw: txt}
	for _, f := range strings.Fields(fields[0]) {
		n, err := strconv.ParseUint(strings.TrimPrefix(strings.ToUpper(f), "AS"), 10, 32)
		if err != nil {
			return Origin{}, fmt.Errorf("rpki: Cymru answer %q: AS %q is not a number", txt, f)
		}
		o.ASNs = append(o.ASNs, uint32(n))
	}
	if len(o.ASNs) == 0 {
		return Origin{}, fmt.Errorf("rpki: Cymru answer %q: no origin AS", txt)
	}
	p, err := netip.ParsePrefix(fields[1])
	if err != nil {
		return Origin{}, fmt.Errorf("rpki: Cymru answer %q: prefix: %w", txt, err)
	}
	o.Prefix = p.Masked()
	if len(fields) > 2 {
		o.Country = fields[2]
	}
	if len(fields) > 3 {
		o.Registry = fields[3]
	}
	if len(fields) > 4 {
		o.Allocated = fields[4]
	}
	return o, nil
}

// LookupError is a failed origin lookup as a code and parameters, which
// the probe shows as the finding message finding.<Code> in the reader's
// language; Error is the English text.
type LookupError struct {
	Code   string
	Params map[string]any
	Text   string
	Err    error
}

func (e *LookupError) Error() string { return e.Text }
func (e *LookupError) Unwrap() error { return e.Err }

// ErrNoOrigin means the service knows no route covering the address.
var ErrNoOrigin = errors.New("no BGP origin known for the address")

// LookupOrigins asks Team Cymru's service, through q, for the routes covering
// addr. Only routes that actually contain addr are returned; answers that do
// not parse are reported in the error only when nothing usable remains.
func LookupOrigins(ctx context.Context, q Querier, addr netip.Addr) ([]Origin, error) {
	name := CymruName(addr)
	m, err := q.Query(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, &LookupError{Code: "rpki_query_failed", Params: map[string]any{"name": name, "error": err.Error()},
			Text: fmt.Sprintf("rpki: origin of %s: %v", addr, err), Err: err}
	}
	if m.Rcode != dns.RcodeSuccess && m.Rcode != dns.RcodeNameError {
		return nil, &LookupError{Code: "rpki_rcode", Params: map[string]any{"name": name, "rcode": dns.RcodeToString[m.Rcode]},
			Text: fmt.Sprintf("rpki: origin of %s: TXT %s: %s", addr, name, dns.RcodeToString[m.Rcode])}
	}
	var (
		out     []Origin
		badErrs []error
	)
	for _, rr := range m.Answer {
		t, ok := rr.(*dns.TXT)
		if !ok {
			continue
		}
		o, err := ParseCymru(strings.Join(t.Txt, ""))
		if err != nil {
			badErrs = append(badErrs, err)
			continue
		}
		if !o.Prefix.Contains(addr.Unmap().WithZone("")) {
			badErrs = append(badErrs, fmt.Errorf("rpki: Cymru answer %q does not cover %s", o.Raw, addr))
			continue
		}
		out = append(out, o)
	}
	if len(out) == 0 {
		if len(badErrs) > 0 {
			err := errors.Join(badErrs...)
			return nil, &LookupError{Code: "rpki_unusable_answer", Params: map[string]any{"name": name, "error": err.Error()},
				Text: fmt.Sprintf("rpki: origin of %s: %v", addr, err), Err: err}
		}
		return nil, fmt.Errorf("rpki: origin of %s (TXT %s): %w", addr, name, ErrNoOrigin)
	}
	return out, nil
}
