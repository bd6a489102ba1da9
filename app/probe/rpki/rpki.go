// Package rpki loads a validated ROA payload (VRP) set in the rpki-client /
// Routinator JSON format and performs route origin validation (RFC 6811).
// It also finds the origin AS of an address with Team Cymru's DNS service.
package rpki

import (
	"fmt"
	"net/netip"
	"sort"
	"sync"
)

// VRP is one validated ROA payload: an origin AS may announce prefix and its
// more-specifics down to MaxLength.
type VRP struct {
	ASN       uint32       `json:"asn"`
	Prefix    netip.Prefix `json:"prefix"`
	MaxLength int          `json:"max_length"`
}

// String formats a VRP the way validators print them: "AS64500 192.0.2.0/24-24".
func (v VRP) String() string {
	return fmt.Sprintf("AS%d %s-%d", v.ASN, v.Prefix, v.MaxLength)
}

// State is the outcome of route origin validation (RFC 6811 section 2).
type State string

// The three validation states of RFC 6811.
const (
	Valid    State = "valid"
	Invalid  State = "invalid"
	NotFound State = "not-found"
)

// Set is a VRP set ready for lookups. Build it with NewSet; a Set literal
// with only VRPs filled in is indexed on first use.
type Set struct {
	VRPs []VRP

	once sync.Once
	// byPrefix groups the VRPs by their (masked) prefix so that the covering
	// VRPs of a route are found with one map lookup per prefix length present
	// in the set (at most 33 for IPv4 and 129 for IPv6), whatever the set size.
	byPrefix map[netip.Prefix][]VRP
	// lengths4 and lengths6 are the prefix lengths that occur, longest first.
	lengths4, lengths6 []int
}

// NewSet indexes vrps for validation. The slice is kept, not copied.
func NewSet(vrps []VRP) *Set {
	s := &Set{VRPs: vrps}
	s.index()
	return s
}

// Len is the number of VRPs in the set.
func (s *Set) Len() int { return len(s.VRPs) }

func (s *Set) index() {
	s.once.Do(func() {
		s.byPrefix = make(map[netip.Prefix][]VRP, len(s.VRPs))
		var seen4, seen6 [129]bool
		for _, v := range s.VRPs {
			p := v.Prefix.Masked()
			s.byPrefix[p] = append(s.byPrefix[p], v)
			if p.Addr().Is4() {
				seen4[p.Bits()] = true
			} else {
				seen6[p.Bits()] = true
			}
		}
		for l := 128; l >= 0; l-- {
			if seen4[l] {
				s.lengths4 = append(s.lengths4, l)
			}
			if seen6[l] {
				s.lengths6 = append(s.lengths6, l)
			}
		}
	})
}

// Covering returns the VRPs whose prefix covers route (RFC 6811: the VRP
// prefix length is at most the route's and their bits agree), most specific
// first.
func (s *Set) Covering(route netip.Prefix) []VRP {
	if s == nil || !route.IsValid() {
		return nil
	}
	s.index()
	route = route.Masked()
	addr := route.Addr()
	lengths := s.lengths6
	if addr.Is4() {
		lengths = s.lengths4
	}
	var out []VRP
	for _, l := range lengths {
		if l > route.Bits() {
			continue
		}
		p, err := addr.Prefix(l)
		if err != nil {
			continue
		}
		out = append(out, s.byPrefix[p]...)
	}
	return out
}

// Validate performs route origin validation of a route announced by origin
// (RFC 6811 section 2):
//   - Valid when a covering VRP has the same AS (not AS0, RFC 6483 section 4)
//     and the route is no longer than its maxLength; the matching VRPs are returned;
//   - Invalid when VRPs cover the route but none matches; the covering VRPs are returned;
//   - NotFound when no VRP covers the route.
func (s *Set) Validate(origin uint32, route netip.Prefix) (State, []VRP) {
	covering := s.Covering(route)
	if len(covering) == 0 {
		return NotFound, nil
	}
	var matched []VRP
	for _, v := range covering {
		if v.ASN != 0 && v.ASN == origin && route.Bits() <= v.MaxLength {
			matched = append(matched, v)
		}
	}
	if len(matched) > 0 {
		sort.SliceStable(matched, func(i, j int) bool { return matched[i].MaxLength < matched[j].MaxLength })
		return Valid, matched
	}
	return Invalid, covering
}

// LooseMaxLength reports whether v authorises more-specifics of route that
// route itself does not cover, which RFC 9319 advises against: anyone can
// then announce a forged-origin sub-prefix that still validates.
func LooseMaxLength(v VRP, route netip.Prefix) bool {
	return v.MaxLength > route.Bits()
}
