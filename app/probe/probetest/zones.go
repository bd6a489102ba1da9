package probetest

import (
	"sort"
	"strings"

	"github.com/miekg/dns"
)

// servedZone is a signed snapshot of one zone, what the server answers from.
type servedZone struct {
	apex        string
	rrsets      map[rrKey][]dns.RR
	sigs        map[rrKey][]dns.RR
	names       map[string]bool // every existing name, empty non-terminals included
	delegations map[string]bool
	nsec        []*dns.NSEC
	nsec3       []*dns.NSEC3
	noDenial    bool
	noDenialFor map[string]bool
}

// belowDelegation reports whether name lies under a delegation point of the
// zone (glue): such records are not the zone's authoritative data.
func (sz *servedZone) belowDelegation(name string) bool {
	for n := parentName(name); n != sz.apex && n != "."; n = parentName(n) {
		if sz.delegations[n] {
			return true
		}
	}
	return false
}

// zoneFor picks the zone that answers name/qtype: the closest enclosing
// zone, except that DS at a zone apex comes from the parent side of the cut.
func (in *SignedInternet) zoneFor(name string, qtype uint16) *zone {
	if qtype == dns.TypeDS && name != "." {
		if _, ok := in.zones[name]; ok {
			return in.zoneOf(parentName(name))
		}
	}
	return in.zoneOf(name)
}

// resolve fills resp the way a validating-capable recursive resolver queried
// with CD would: the answer with its RRSIGs (following CNAMEs across zones),
// or for a negative answer the SOA and the NSEC/NSEC3 records that prove it.
// The caller holds in.mu for reading.
func (in *SignedInternet) resolve(resp *dns.Msg, q dns.Question, do bool) {
	name := strings.ToLower(q.Name)
	for hops := 0; hops < 8; hops++ {
		z := in.zoneFor(name, q.Qtype)
		if z == nil || z.served == nil {
			resp.Rcode = dns.RcodeServerFailure
			return
		}
		sz := z.served
		if rrs, ok := sz.rrsets[rrKey{name, q.Qtype}]; ok {
			resp.Answer = append(resp.Answer, rrs...)
			if do {
				resp.Answer = append(resp.Answer, sz.sigs[rrKey{name, q.Qtype}]...)
			}
			return
		}
		cname, ok := sz.rrsets[rrKey{name, dns.TypeCNAME}]
		if ok && q.Qtype != dns.TypeCNAME {
			resp.Answer = append(resp.Answer, cname...)
			if do {
				resp.Answer = append(resp.Answer, sz.sigs[rrKey{name, dns.TypeCNAME}]...)
			}
			name = strings.ToLower(cname[0].(*dns.CNAME).Target)
			continue
		}
		if owner, dname := sz.dnameAbove(name); dname != nil {
			// RFC 6672: the DNAME with its signatures, and a CNAME
			// synthesised on the spot, which nobody can sign.
			resp.Answer = append(resp.Answer, dname)
			if do {
				resp.Answer = append(resp.Answer, sz.sigs[rrKey{owner, dns.TypeDNAME}]...)
			}
			target := strings.TrimSuffix(name, owner) + strings.ToLower(dname.Target)
			resp.Answer = append(resp.Answer, &dns.CNAME{
				Hdr:    dns.RR_Header{Name: name, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: dname.Hdr.Ttl},
				Target: target,
			})
			name = target
			continue
		}
		nx := !sz.names[name]
		if nx {
			if target, done := in.expandWildcard(resp, sz, name, q.Qtype, do); done {
				return
			} else if target != "" {
				name = target
				continue
			}
		}
		if nx {
			resp.Rcode = dns.RcodeNameError
		}
		soa := rrKey{sz.apex, dns.TypeSOA}
		resp.Ns = append(resp.Ns, sz.rrsets[soa]...)
		if do {
			resp.Ns = append(resp.Ns, sz.sigs[soa]...)
			if !sz.noDenial && !sz.noDenialFor[name] {
				for _, rr := range sz.denial(name, nx) {
					resp.Ns = append(resp.Ns, rr)
					resp.Ns = append(resp.Ns, sz.sigs[rrKey{rr.Header().Name, rr.Header().Rrtype}]...)
				}
			}
		}
		return
	}
	resp.Rcode = dns.RcodeServerFailure
}

// denial returns the NSEC or NSEC3 records that prove name (nx) or the
// queried type at name does not exist (RFC 4035 section 3.1.3, RFC 5155
// section 7.2).
func (sz *servedZone) denial(name string, nx bool) []dns.RR {
	var out []dns.RR
	seen := map[string]bool{}
	add := func(rr dns.RR) {
		if rr != nil && !seen[rr.Header().Name] {
			seen[rr.Header().Name] = true
			out = append(out, rr)
		}
	}
	ce := name
	for !sz.names[ce] && ce != sz.apex && ce != "." {
		ce = parentName(ce)
	}
	if len(sz.nsec) > 0 {
		if !nx {
			for _, n := range sz.nsec {
				if n.Hdr.Name == name {
					return []dns.RR{n}
				}
			}
		}
		// The name (or empty non-terminal) is covered; for NXDOMAIN also
		// the wildcard at the closest encloser.
		add(sz.nsecCovering(name))
		if nx {
			add(sz.nsecCovering(wildcardOf(ce)))
		}
		return out
	}
	if len(sz.nsec3) == 0 {
		return nil
	}
	if !nx {
		if n := sz.nsec3Matching(name); n != nil {
			return []dns.RR{n}
		}
	}
	// Closest encloser proof (RFC 5155 section 7.2.1): the deepest ancestor
	// with an NSEC3, and an NSEC3 covering the next closer name.
	ce = name
	if nx {
		ce = parentName(name)
	}
	for sz.nsec3Matching(ce) == nil && ce != sz.apex && ce != "." {
		ce = parentName(ce)
	}
	add(sz.nsec3Matching(ce))
	add(sz.nsec3Covering(nextCloser(name, ce)))
	if nx {
		add(sz.nsec3Covering(wildcardOf(ce)))
	}
	return out
}

func wildcardOf(name string) string {
	if name == "." {
		return "*."
	}
	return "*." + name
}

// nextCloser is the ancestor of name one label longer than ce.
func nextCloser(name, ce string) string {
	n := name
	for parentName(n) != ce && n != "." {
		n = parentName(n)
	}
	return n
}

// nsecCovering returns the NSEC that matches or covers name, by binary
// search in the canonically ordered chain (zones in benchmarks hold
// thousands of names).
func (sz *servedZone) nsecCovering(name string) dns.RR {
	if len(sz.nsec) == 0 || !dns.IsSubDomain(sz.apex, name) {
		return nil
	}
	i := sort.Search(len(sz.nsec), func(i int) bool { return canonicalLess(name, sz.nsec[i].Hdr.Name) })
	if i == 0 {
		return nil // before the apex: not in the zone
	}
	return sz.nsec[i-1]
}

// nsec3Matching and nsec3Covering search the chain, which is sorted by hash.
func (sz *servedZone) nsec3Matching(name string) dns.RR {
	n := sz.nsec3Around(name)
	if n != nil && nsec3Matches(n, name) {
		return n
	}
	return nil
}

func (sz *servedZone) nsec3Covering(name string) dns.RR {
	n := sz.nsec3Around(name)
	if n != nil && nsec3Covers(n, name) {
		return n
	}
	return nil
}

// nsec3Around returns the NSEC3 whose owner hash is the greatest at or
// below the hash of name, wrapping round to the last one.
func (sz *servedZone) nsec3Around(name string) *dns.NSEC3 {
	if len(sz.nsec3) == 0 {
		return nil
	}
	first := sz.nsec3[0]
	h := dns.HashName(name, first.Hash, first.Iterations, first.Salt)
	i := sort.Search(len(sz.nsec3), func(i int) bool { return nsec3OwnerHash(sz.nsec3[i]) > h })
	if i == 0 {
		return sz.nsec3[len(sz.nsec3)-1]
	}
	return sz.nsec3[i-1]
}

func nsec3OwnerHash(n *dns.NSEC3) string {
	owner := n.Hdr.Name
	if i := strings.IndexByte(owner, '.'); i > 0 {
		owner = owner[:i]
	}
	return strings.ToUpper(owner)
}

// canonicalLess orders names in DNSSEC canonical order (RFC 4034 section 6.1).
func canonicalLess(a, b string) bool {
	la := dns.SplitDomainName(strings.ToLower(a))
	lb := dns.SplitDomainName(strings.ToLower(b))
	for i, j := len(la)-1, len(lb)-1; i >= 0 && j >= 0; i, j = i-1, j-1 {
		if la[i] != lb[j] {
			return la[i] < lb[j]
		}
	}
	return len(la) < len(lb)
}

// expandWildcard answers for a name that does not exist from a wildcard at
// its closest encloser (RFC 4592), with the proof that the name itself does
// not exist (RFC 4035 section 3.1.3.3, RFC 5155 section 7.2.6). It reports
// done when resp is complete, or the CNAME target to follow next; neither
// when there is no wildcard.
func (in *SignedInternet) expandWildcard(resp *dns.Msg, sz *servedZone, name string, qtype uint16, do bool) (target string, done bool) {
	ce := name
	for !sz.names[ce] && ce != sz.apex && ce != "." {
		ce = parentName(ce)
	}
	wc := wildcardOf(ce)
	if !sz.names[wc] || sz.belowDelegation(name) {
		return "", false
	}
	synth := func(t uint16) bool {
		k := rrKey{wc, t}
		rrs, ok := sz.rrsets[k]
		if !ok {
			return false
		}
		if do {
			rrs = append(append([]dns.RR(nil), rrs...), sz.sigs[k]...)
		}
		for _, rr := range rrs {
			c := dns.Copy(rr)
			c.Header().Name = name
			resp.Answer = append(resp.Answer, c)
		}
		return true
	}
	var proof []dns.RR
	if len(sz.nsec) > 0 {
		proof = []dns.RR{sz.nsecCovering(name)}
	} else if n := sz.nsec3Covering(nextCloser(name, ce)); n != nil {
		proof = []dns.RR{n}
	}
	addProof := func(extra ...dns.RR) {
		if !do || sz.noDenial {
			return
		}
		seen := map[string]bool{}
		for _, rr := range append(proof, extra...) {
			if rr == nil || seen[rr.Header().Name] {
				continue
			}
			seen[rr.Header().Name] = true
			resp.Ns = append(resp.Ns, rr)
			resp.Ns = append(resp.Ns, sz.sigs[rrKey{rr.Header().Name, rr.Header().Rrtype}]...)
		}
	}
	switch {
	case synth(qtype):
		addProof()
		return "", true
	case qtype != dns.TypeCNAME && synth(dns.TypeCNAME):
		addProof()
		return strings.ToLower(sz.rrsets[rrKey{wc, dns.TypeCNAME}][0].(*dns.CNAME).Target), false
	}
	// The wildcard exists but has no such type: a wildcard NODATA.
	soa := rrKey{sz.apex, dns.TypeSOA}
	resp.Ns = append(resp.Ns, sz.rrsets[soa]...)
	if do {
		resp.Ns = append(resp.Ns, sz.sigs[soa]...)
	}
	if len(sz.nsec) > 0 {
		addProof(sz.nsecCovering(wc))
	} else {
		addProof(sz.nsec3Matching(ce), sz.nsec3Matching(wc))
	}
	return "", true
}

// nsec3Matches and nsec3Covers compare hashes like dns.NSEC3's Match and
// Cover, which cannot handle the root zone's single-label NSEC3 owners.
func nsec3Matches(n *dns.NSEC3, name string) bool {
	h, owner, _, ok := nsec3Hashes(n, name)
	return ok && h == owner
}

func nsec3Covers(n *dns.NSEC3, name string) bool {
	h, owner, next, ok := nsec3Hashes(n, name)
	if !ok || h == owner {
		return false
	}
	if owner < next {
		return owner < h && h < next
	}
	return h > owner || h < next
}

func nsec3Hashes(n *dns.NSEC3, name string) (nameHash, owner, next string, inZone bool) {
	ownerName := strings.ToLower(n.Hdr.Name)
	// NextLabel gives the offset just past the first label's dot, also
	// when that label is the only one (NSEC3 of the root zone).
	i, _ := dns.NextLabel(ownerName, 0)
	if i < 2 {
		return "", "", "", false
	}
	if !dns.IsSubDomain(parentName(ownerName), name) {
		return "", "", "", false
	}
	nameHash = dns.HashName(name, n.Hash, n.Iterations, n.Salt)
	return nameHash, strings.ToUpper(ownerName[:i-1]), strings.ToUpper(n.NextDomain), nameHash != ""
}

// dnameAbove returns the DNAME at the closest proper ancestor of name inside the zone, if any.
func (sz *servedZone) dnameAbove(name string) (string, *dns.DNAME) {
	if name == sz.apex || !dns.IsSubDomain(sz.apex, name) {
		return "", nil
	}
	for n := parentName(name); ; n = parentName(n) {
		if rrs := sz.rrsets[rrKey{n, dns.TypeDNAME}]; len(rrs) > 0 {
			return n, rrs[0].(*dns.DNAME)
		}
		if n == sz.apex || n == "." {
			return "", nil
		}
	}
}
