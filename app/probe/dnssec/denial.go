package dnssec

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// denialSet holds the NSEC or NSEC3 records of a negative answer whose
// signatures verified with the keys of zone.
type denialSet struct {
	zone  string
	nsec  []*dns.NSEC
	nsec3 []*dns.NSEC3
	// highIterations is set when the NSEC3 chain uses more iterations than
	// MaxNSEC3Iterations, and unknownHash when its hash algorithm is unknown.
	highIterations uint16
	unknownHash    bool
}

// proof is the outcome of checking a denial of existence.
type proof struct {
	// ok: the denial is proven.
	ok bool
	// insecure: the denial rests on an opt-out span or an NSEC3 chain the
	// validator does not accept as secure; the answer is insecure.
	insecure bool
	// delegation: the proven NODATA is at a delegation point (NS without SOA).
	delegation bool
	evidence   Why
	reason     Why
}

// denialRecords verifies every NSEC and NSEC3 RRset of the authority section
// with the keys of the secure zone st and returns those that verified, and
// the signature faults of those that did not.
func (v *Validator) denialRecords(authority []dns.RR, st *zoneState) (*denialSet, []Why) {
	ds := &denialSet{zone: st.zone}
	var faults []Why
	done := map[string]bool{}
	for _, rr := range authority {
		h := rr.Header()
		if h.Rrtype != dns.TypeNSEC && h.Rrtype != dns.TypeNSEC3 {
			continue
		}
		owner := canonical(h.Name)
		key := fmt.Sprint(owner, h.Rrtype)
		if done[key] {
			continue
		}
		done[key] = true
		set, sigs := rrsetAt(authority, owner, h.Rrtype)
		if !dns.IsSubDomain(st.zone, owner) {
			faults = append(faults, whyf("dnssec_why_outside_zone", map[string]any{"type": dns.TypeToString[h.Rrtype], "name": show(owner), "zone": show(st.zone)},
				"%s %s is outside zone %s", dns.TypeToString[h.Rrtype], show(owner), show(st.zone)))
			continue
		}
		if _, err := v.verifyRRset(set, sigs, st); err != nil {
			faults = append(faults, whyOf(err))
			continue
		}
		switch r := set[0].(type) {
		case *dns.NSEC:
			ds.nsec = append(ds.nsec, r)
		case *dns.NSEC3:
			// An NSEC3 owner is one hashed label directly below the zone apex.
			if parentName(owner) != st.zone {
				faults = append(faults, whyf("dnssec_why_nsec3_not_below_zone", map[string]any{"name": show(owner), "zone": show(st.zone)}, "NSEC3 %s is not directly below zone %s", show(owner), show(st.zone)))
				continue
			}
			if r.Hash != dns.SHA1 {
				ds.unknownHash = true
				continue
			}
			if len(ds.nsec3) > 0 && (r.Iterations != ds.nsec3[0].Iterations || !strings.EqualFold(r.Salt, ds.nsec3[0].Salt)) {
				faults = append(faults, whyf("dnssec_why_nsec3_parameters", map[string]any{"name": show(owner)}, "NSEC3 %s has other parameters than the rest", show(owner)))
				continue
			}
			if r.Iterations > MaxNSEC3Iterations {
				ds.highIterations = r.Iterations
			}
			ds.nsec3 = append(ds.nsec3, r)
		}
	}
	return ds, faults
}

// proveNXDOMAIN checks that name does not exist and that no wildcard could
// have answered for it (RFC 4035 section 5.4, RFC 5155 section 8.4).
func (d *denialSet) proveNXDOMAIN(name string) proof {
	if p, done := d.nsec3Unusable(); done {
		return p
	}
	if len(d.nsec3) > 0 {
		ce, nc, ncCover, reason := d.closestEncloser(name)
		if ce == "" {
			return proof{reason: reason}
		}
		if ce == name {
			return proof{reason: whyf("dnssec_why_nsec3_name_exists", map[string]any{"name": show(name)}, "NSEC3 matches %s, so the name exists", show(name))}
		}
		if ncCover.Flags&1 == 1 {
			return proof{insecure: true, evidence: whyf("dnssec_why_nxdomain_opt_out", map[string]any{"name": show(name), "next_closer": show(nc)},
				"NXDOMAIN %s: the NSEC3 covering %s has opt-out set, so only an unsigned delegation could be hidden there; insecure", show(name), show(nc))}
		}
		wc := wildcardOf(ce)
		if d.nsec3Match(wc) != nil {
			return proof{reason: whyf("dnssec_why_wildcard_exists", map[string]any{"wildcard": show(wc)}, "a wildcard %s exists and should have answered", show(wc))}
		}
		if d.nsec3Cover(wc) == nil {
			return proof{reason: whyf("dnssec_why_nsec3_no_wildcard_cover", map[string]any{"wildcard": show(wc)}, "no NSEC3 covers the wildcard %s", show(wc))}
		}
		return proof{ok: true, evidence: whyf("dnssec_why_nxdomain_nsec3", map[string]any{"name": show(name), "encloser": show(ce), "next_closer": show(nc), "wildcard": show(wc)},
			"NXDOMAIN %s proven by NSEC3: closest encloser %s, next closer %s covered, wildcard %s covered", show(name), show(ce), show(nc), show(wc))}
	}
	if len(d.nsec) == 0 {
		return proof{reason: whyf("dnssec_why_no_nsec", nil, "no signed NSEC or NSEC3 records in the answer")}
	}
	if m := d.nsecMatch(name); m != nil {
		return proof{reason: whyf("dnssec_why_nsec_name_exists", map[string]any{"name": show(name)}, "NSEC at %s shows the name exists", show(name))}
	}
	c := d.nsecCover(name)
	if c == nil {
		return proof{reason: whyf("dnssec_why_no_nsec_cover", map[string]any{"name": show(name)}, "no NSEC covers %s", show(name))}
	}
	ce := closestEncloserNSEC(name, c)
	wc := wildcardOf(ce)
	if d.nsecMatch(wc) != nil {
		return proof{reason: whyf("dnssec_why_wildcard_exists", map[string]any{"wildcard": show(wc)}, "a wildcard %s exists and should have answered", show(wc))}
	}
	wcover := d.nsecCover(wc)
	if wcover == nil {
		return proof{reason: whyf("dnssec_why_nsec_no_wildcard_cover", map[string]any{"wildcard": show(wc)}, "no NSEC proves that the wildcard %s does not exist", show(wc))}
	}
	return proof{ok: true, evidence: whyf("dnssec_why_nxdomain_nsec", map[string]any{"name": show(name), "wildcard": show(wc),
		"nsec": show(canonical(c.Hdr.Name)) + " -> " + show(canonical(c.NextDomain)), "wildcard_nsec": show(canonical(wcover.Hdr.Name)) + " -> " + show(canonical(wcover.NextDomain))},
		"NXDOMAIN %s proven by NSEC %s -> %s; no wildcard %s (NSEC %s -> %s)",
		show(name), show(canonical(c.Hdr.Name)), show(canonical(c.NextDomain)), show(wc), show(canonical(wcover.Hdr.Name)), show(canonical(wcover.NextDomain)))}
}

// proveNODATA checks that name exists without records of type t (RFC 4035
// section 5.4, RFC 5155 sections 8.5-8.7). For t = DS at a delegation point
// the result says so: the delegation is then provably unsigned.
func (d *denialSet) proveNODATA(name string, t uint16) proof {
	if p, done := d.nsec3Unusable(); done {
		return p
	}
	tname := dns.TypeToString[t]
	if len(d.nsec3) > 0 {
		if m := d.nsec3Match(name); m != nil {
			return bitmapProof("NSEC3", name, t, m.TypeBitMap)
		}
		ce, nc, ncCover, reason := d.closestEncloser(name)
		if ce == "" {
			return proof{reason: reason}
		}
		if t == dns.TypeDS && ncCover.Flags&1 == 1 {
			// RFC 5155 section 8.6: an opt-out span may hide an unsigned delegation.
			return proof{insecure: true, delegation: true,
				evidence: whyf("dnssec_why_ds_opt_out", map[string]any{"name": show(name), "next_closer": show(nc), "encloser": show(ce)},
					"no DS at %s: the NSEC3 covering %s has opt-out set (closest encloser %s); an unsigned delegation", show(name), show(nc), show(ce))}
		}
		wc := wildcardOf(ce)
		if m := d.nsec3Match(wc); m != nil {
			p := bitmapProof("NSEC3", wc, t, m.TypeBitMap)
			p.delegation = false
			return p
		}
		return proof{reason: whyf("dnssec_why_no_nsec3_match", map[string]any{"name": show(name)}, "no NSEC3 matches %s", show(name))}
	}
	if len(d.nsec) == 0 {
		return proof{reason: whyf("dnssec_why_no_nsec", nil, "no signed NSEC or NSEC3 records in the answer")}
	}
	if m := d.nsecMatch(name); m != nil {
		return bitmapProof("NSEC", name, t, m.TypeBitMap)
	}
	c := d.nsecCover(name)
	if c == nil {
		return proof{reason: whyf("dnssec_why_no_nsec_match", map[string]any{"name": show(name)}, "no NSEC matches or covers %s", show(name))}
	}
	// An empty non-terminal: the next name in the zone lies below it.
	next := canonical(c.NextDomain)
	if dns.IsSubDomain(name, next) && next != name {
		return proof{ok: true, evidence: whyf("dnssec_why_empty_non_terminal", map[string]any{"type": tname, "name": show(name), "nsec": show(canonical(c.Hdr.Name)) + " -> " + show(next)},
			"no %s at %s: an empty non-terminal (NSEC %s -> %s)", tname, show(name), show(canonical(c.Hdr.Name)), show(next))}
	}
	// A wildcard that exists but lacks the type (RFC 4035 section 3.1.3.4).
	wc := wildcardOf(closestEncloserNSEC(name, c))
	if m := d.nsecMatch(wc); m != nil {
		p := bitmapProof("NSEC", wc, t, m.TypeBitMap)
		p.delegation = false
		return p
	}
	return proof{reason: whyf("dnssec_why_nsec_denies_name", map[string]any{"name": show(name), "nsec": show(canonical(c.Hdr.Name)) + " -> " + show(next)},
		"no NSEC at %s (NSEC %s -> %s covers it, so the name would not exist)", show(name), show(canonical(c.Hdr.Name)), show(next))}
}

// proveWildcardExpansion checks that an answer synthesised from a wildcard
// with labels labels was needed: the name itself (its next closer name with
// NSEC3) does not exist.
func (d *denialSet) proveWildcardExpansion(name string, labels int) (string, error) {
	ce := name
	for dns.CountLabel(ce) > labels {
		ce = parentName(ce)
	}
	nc := nextCloser(name, ce)
	if len(d.nsec3) > 0 {
		if c := d.nsec3Cover(nc); c != nil {
			if c.Flags&1 == 1 {
				return fmt.Sprintf("wildcard answer for %s; next closer %s covered by an opt-out NSEC3", show(name), show(nc)), nil
			}
			return fmt.Sprintf("wildcard answer for %s from *.%s; next closer %s covered by NSEC3", show(name), show(ce), show(nc)), nil
		}
		return "", &whyError{whyf("dnssec_why_wildcard_no_nsec3", map[string]any{"name": show(name), "next_closer": show(nc)}, "wildcard answer for %s without an NSEC3 covering %s", show(name), show(nc))}
	}
	if c := d.nsecCover(name); c != nil && d.nsecMatch(name) == nil {
		return fmt.Sprintf("wildcard answer for %s from *.%s; NSEC %s -> %s proves the name absent", show(name), show(ce), show(canonical(c.Hdr.Name)), show(canonical(c.NextDomain))), nil
	}
	return "", &whyError{whyf("dnssec_why_wildcard_no_nsec", map[string]any{"name": show(name)}, "wildcard answer for %s without an NSEC proving the name absent", show(name))}
}

// nsec3Unusable turns an NSEC3 chain the validator cannot or will not use
// into an insecure verdict.
func (d *denialSet) nsec3Unusable() (proof, bool) {
	if d.highIterations > 0 {
		return proof{insecure: true, evidence: whyf("dnssec_why_nsec3_iterations", map[string]any{"zone": show(d.zone), "iterations": d.highIterations, "max": MaxNSEC3Iterations},
			"NSEC3 chain of %s uses %d iterations, more than %d; treated as insecure (RFC 9276)", show(d.zone), d.highIterations, MaxNSEC3Iterations)}, true
	}
	if d.unknownHash && len(d.nsec3) == 0 && len(d.nsec) == 0 {
		return proof{insecure: true, evidence: whyf("dnssec_why_nsec3_unknown_hash", map[string]any{"zone": show(d.zone)},
			"NSEC3 chain of %s uses an unknown hash algorithm; treated as insecure (RFC 5155 section 8.1)", show(d.zone))}, true
	}
	return proof{}, false
}

// bitmapProof checks the type bitmap of the NSEC or NSEC3 record matching name.
func bitmapProof(kind, name string, t uint16, bitmap []uint16) proof {
	has := func(x uint16) bool {
		for _, b := range bitmap {
			if b == x {
				return true
			}
		}
		return false
	}
	tname := dns.TypeToString[t]
	if has(t) {
		return proof{reason: whyf("dnssec_why_bitmap_lists_type", map[string]any{"kind": kind, "name": show(name), "type": tname}, "%s at %s lists type %s", kind, show(name), tname)}
	}
	if has(dns.TypeCNAME) {
		return proof{reason: whyf("dnssec_why_bitmap_lists_cname", map[string]any{"kind": kind, "name": show(name)}, "%s at %s lists a CNAME, which should have been followed", kind, show(name))}
	}
	delegation := has(dns.TypeNS) && !has(dns.TypeSOA)
	if delegation && t != dns.TypeDS {
		// The parent side of a cut says nothing about the child's data (RFC 6840 section 4.1).
		return proof{reason: whyf("dnssec_why_bitmap_parent_side", map[string]any{"kind": kind, "name": show(name), "type": tname},
			"%s at %s is the parent side of a delegation and cannot deny %s", kind, show(name), tname)}
	}
	types := make([]string, 0, len(bitmap))
	for _, b := range bitmap {
		types = append(types, dns.TypeToString[b])
	}
	return proof{ok: true, delegation: delegation,
		evidence: whyf("dnssec_why_bitmap_lists_only", map[string]any{"type": tname, "name": show(name), "kind": kind, "types": strings.Join(types, " ")},
			"no %s at %s: %s there lists only %s", tname, show(name), kind, strings.Join(types, " "))}
}

func (d *denialSet) nsecMatch(name string) *dns.NSEC {
	for _, n := range d.nsec {
		if canonical(n.Hdr.Name) == name {
			return n
		}
	}
	return nil
}

// nsecCover returns the NSEC whose span (owner, next) contains name in
// canonical order, the last NSEC of the zone wrapping round to the apex.
// An NSEC at an ancestor delegation or DNAME cannot deny names below it.
func (d *denialSet) nsecCover(name string) *dns.NSEC {
	if !dns.IsSubDomain(d.zone, name) {
		return nil
	}
	for _, n := range d.nsec {
		owner, next := canonical(n.Hdr.Name), canonical(n.NextDomain)
		if owner == name {
			continue
		}
		if dns.IsSubDomain(owner, name) {
			bm := map[uint16]bool{}
			for _, t := range n.TypeBitMap {
				bm[t] = true
			}
			if (bm[dns.TypeNS] && !bm[dns.TypeSOA]) || bm[dns.TypeDNAME] {
				continue
			}
		}
		if canonicalCompare(owner, name) >= 0 {
			continue
		}
		if canonicalCompare(next, owner) <= 0 || canonicalCompare(name, next) < 0 {
			return n
		}
	}
	return nil
}

// closestEncloserNSEC derives the closest encloser of a name from the NSEC
// covering it: the longest ancestor shared with the owner or the next name.
func closestEncloserNSEC(name string, c *dns.NSEC) string {
	a := commonAncestor(name, canonical(c.Hdr.Name))
	b := commonAncestor(name, canonical(c.NextDomain))
	if dns.CountLabel(b) > dns.CountLabel(a) {
		return b
	}
	return a
}

func commonAncestor(a, b string) string {
	n := dns.CompareDomainName(a, b)
	if n == 0 {
		return "."
	}
	labels := dns.SplitDomainName(a)
	return dns.Fqdn(strings.Join(labels[len(labels)-n:], "."))
}

func (d *denialSet) nsec3Match(name string) *dns.NSEC3 {
	for _, n := range d.nsec3 {
		if nsec3Matches(n, name) {
			return n
		}
	}
	return nil
}

func (d *denialSet) nsec3Cover(name string) *dns.NSEC3 {
	for _, n := range d.nsec3 {
		if nsec3Covers(n, name) {
			return n
		}
	}
	return nil
}

// nsec3Hashes returns the hash of name with n's parameters, n's owner hash
// and next hash, all in upper-case base32hex, and whether name lies in n's
// zone. (dns.NSEC3's Match and Cover cannot handle NSEC3 records of the
// root zone, whose owners have a single label.)
func nsec3Hashes(n *dns.NSEC3, name string) (nameHash, owner, next string, inZone bool) {
	ownerName := canonical(n.Hdr.Name)
	// NextLabel gives the offset just past the first label's dot, also
	// when that label is the only one (NSEC3 of the root zone).
	i, _ := dns.NextLabel(ownerName, 0)
	if i < 2 {
		return "", "", "", false
	}
	zone := parentName(ownerName)
	if !dns.IsSubDomain(zone, name) {
		return "", "", "", false
	}
	owner = strings.ToUpper(ownerName[:i-1])
	nameHash = dns.HashName(name, n.Hash, n.Iterations, n.Salt)
	return nameHash, owner, strings.ToUpper(n.NextDomain), nameHash != ""
}

// nsec3Matches reports whether n is the NSEC3 record of name.
func nsec3Matches(n *dns.NSEC3, name string) bool {
	h, owner, _, ok := nsec3Hashes(n, name)
	return ok && h == owner
}

// nsec3Covers reports whether the hash of name falls strictly between n's
// owner and next hashes, the last record of the chain wrapping round.
func nsec3Covers(n *dns.NSEC3, name string) bool {
	h, owner, next, ok := nsec3Hashes(n, name)
	if !ok || h == owner {
		return false
	}
	if owner < next {
		return owner < h && h < next
	}
	// The last span wraps past the end of the hash space (or, with a single
	// record, owner equals next and the span is everything else).
	return h > owner || h < next
}

// closestEncloser finds the closest provable encloser of name (RFC 5155
// section 8.3): the deepest ancestor (or name itself) with a matching NSEC3,
// and the NSEC3 covering the next closer name. ce is empty when there is no proof.
func (d *denialSet) closestEncloser(name string) (ce, nc string, ncCover *dns.NSEC3, reason Why) {
	for s := name; dns.IsSubDomain(d.zone, s); s = parentName(s) {
		m := d.nsec3Match(s)
		if m == nil {
			if s == d.zone || s == "." {
				break
			}
			continue
		}
		if s == name {
			return s, "", nil, Why{}
		}
		bm := map[uint16]bool{}
		for _, t := range m.TypeBitMap {
			bm[t] = true
		}
		if (bm[dns.TypeNS] && !bm[dns.TypeSOA]) || bm[dns.TypeDNAME] {
			return "", "", nil, whyf("dnssec_why_encloser_delegation", map[string]any{"name": show(s)}, "the closest encloser %s is a delegation or DNAME, which cannot deny names below it", show(s))
		}
		nc = nextCloser(name, s)
		ncCover = d.nsec3Cover(nc)
		if ncCover == nil {
			return "", "", nil, whyf("dnssec_why_no_next_closer_cover", map[string]any{"name": show(nc)}, "no NSEC3 covers the next closer name %s", show(nc))
		}
		return s, nc, ncCover, Why{}
	}
	return "", "", nil, whyf("dnssec_why_no_encloser", map[string]any{"name": show(name)}, "no NSEC3 proves a closest encloser of %s", show(name))
}

// nextCloser is the ancestor of name one label longer than ce.
func nextCloser(name, ce string) string {
	n := name
	for n != "." && parentName(n) != ce {
		n = parentName(n)
	}
	return n
}

func wildcardOf(name string) string {
	if name == "." {
		return "*."
	}
	return "*." + name
}

// canonicalCompare orders names as RFC 4034 section 6.1 does: label by label
// from the root, each label compared as lowercase octets.
func canonicalCompare(a, b string) int {
	la, lb := rawLabels(a), rawLabels(b)
	for i, j := len(la)-1, len(lb)-1; i >= 0 && j >= 0; i, j = i-1, j-1 {
		if c := strings.Compare(la[i], lb[j]); c != 0 {
			return c
		}
	}
	return len(la) - len(lb)
}

// rawLabels splits a presentation-format name into lowercase label octets,
// undoing \DDD and \X escapes so that ordering uses the wire bytes.
func rawLabels(name string) []string {
	var labels []string
	for _, l := range dns.SplitDomainName(name) {
		var b []byte
		for i := 0; i < len(l); i++ {
			c := l[i]
			if c == '\\' && i+1 < len(l) {
				if i+3 < len(l) && isDigit(l[i+1]) && isDigit(l[i+2]) && isDigit(l[i+3]) {
					c = (l[i+1]-'0')*100 + (l[i+2]-'0')*10 + (l[i+3] - '0')
					i += 3
				} else {
					i++
					c = l[i]
				}
			}
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
		}
		labels = append(labels, string(b))
	}
	return labels
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
