package dnssec

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/miekg/dns"
)

// stateAt returns what the walk from the root knows at name, computing each
// ancestor once per Validator; concurrent callers share the work.
func (v *Validator) stateAt(ctx context.Context, name string) *zoneState {
	v.mu.Lock()
	e, ok := v.states[name]
	if ok {
		v.mu.Unlock()
		select {
		case <-e.done:
			return e.st
		case <-ctx.Done():
			return &zoneState{security: Indeterminate, zone: name, why: whyf("dnssec_why_interrupted", map[string]any{"name": show(name), "error": ctx.Err().Error()}, "validating %s: %v", show(name), ctx.Err())}
		}
	}
	e = &stateEntry{done: make(chan struct{})}
	v.states[name] = e
	v.mu.Unlock()

	if name == "." {
		e.st = v.rootState(ctx)
	} else {
		p := v.stateAt(ctx, parentName(name))
		if p.security != Secure || p.nxdomain {
			e.st = p
		} else {
			e.st = v.step(ctx, p, name)
		}
	}
	close(e.done)
	return e.st
}

// rootState trusts the root DNSKEY RRset through the trust anchors.
func (v *Validator) rootState(ctx context.Context) *zoneState {
	st := &zoneState{zone: "."}
	if len(v.anchors) == 0 {
		st.security, st.why = Indeterminate, whyf("dnssec_why_no_trust_anchor", nil, "no trust anchor configured")
		return st
	}
	var dsAnchors []*dns.DS
	var keyAnchors []*dns.DNSKEY
	for _, rr := range v.anchors {
		switch a := rr.(type) {
		case *dns.DS:
			if canonical(a.Hdr.Name) == "." {
				dsAnchors = append(dsAnchors, a)
			}
		case *dns.DNSKEY:
			if canonical(a.Hdr.Name) == "." {
				keyAnchors = append(keyAnchors, a)
			}
		}
	}
	if len(dsAnchors) == 0 && len(keyAnchors) == 0 {
		st.security, st.why = Indeterminate, whyf("dnssec_why_anchor_no_root", nil, "the trust anchors hold no DS or DNSKEY record for the root")
		return st
	}
	usable := usableDS(dsAnchors)
	for _, k := range keyAnchors {
		if algorithmSupported(k.Algorithm) {
			usable = append(usable, k.ToDS(dns.SHA256))
		}
	}
	if len(usable) == 0 {
		st.security, st.unsupported = Insecure, true
		st.why = whyf("dnssec_why_anchor_unsupported", nil, "the trust anchors use only algorithms or digest types this validator does not support (RFC 4035 section 5.2)")
		return st
	}
	return v.trustKeys(ctx, st, ".", usable, "trust anchor")
}

// step examines the DS RRset at name, a child of the secure zone state p.
func (v *Validator) step(ctx context.Context, p *zoneState, name string) *zoneState {
	resp, err := v.q.Query(ctx, name, dns.TypeDS)
	if err != nil {
		return &zoneState{security: Indeterminate, zone: p.zone, why: *queryFailed(err)}
	}
	if resp.Rcode != dns.RcodeSuccess && resp.Rcode != dns.RcodeNameError {
		return &zoneState{security: Indeterminate, zone: p.zone,
			why: *rcodeWhy(resp.Rcode, dns.TypeDS, name)}
	}
	dsSet, sigs := rrsetAt(resp.Answer, name, dns.TypeDS)
	if len(dsSet) > 0 {
		line, err := v.verifyRRset(dsSet, sigs, p)
		if err != nil {
			return &zoneState{security: Bogus, zone: p.zone, chain: p.chain, why: whyOf(err)}
		}
		var ds []*dns.DS
		for _, rr := range dsSet {
			ds = append(ds, rr.(*dns.DS))
		}
		usable := usableDS(ds)
		next := p.with(line)
		next.zone, next.keys = name, nil
		if len(usable) == 0 {
			next.security, next.unsupported = Insecure, true
			next.why = whyf("dnssec_why_ds_unsupported", map[string]any{"name": show(name), "ds": describeDS(ds)},
				"the DS records of %s use only algorithms or digest types this validator does not support (%s); treated as insecure (RFC 4035 section 5.2)", show(name), describeDS(ds))
			next.chain = append(next.chain, next.why.Text)
			return next
		}
		return v.trustKeys(ctx, next, name, usable, "DS")
	}
	if cname, _ := rrsetAt(resp.Answer, name, dns.TypeCNAME); len(cname) > 0 {
		// A CNAME owner cannot be a zone apex; the name is in p's zone.
		return p
	}
	if resp.Rcode == dns.RcodeNameError {
		// Nothing exists at or below name; the answer for the queried name
		// itself carries (and must prove) the denial.
		st := *p
		st.nxdomain = true
		return &st
	}
	ds, sigReason := v.denialRecords(resp.Ns, p)
	pr := ds.proveNODATA(name, dns.TypeDS)
	switch {
	case pr.insecure && !pr.delegation:
		// The proof is in a form not trusted as secure (too many NSEC3
		// iterations): only a zone cut makes that matter, as below.
		return v.noProof(ctx, p, name, Insecure, whyf("dnssec_why_at", map[string]any{"name": show(name), "reason": pr.evidence}, "%s: %s", show(name), pr.evidence.Text))
	case pr.insecure || (pr.ok && pr.delegation):
		next := p.with(pr.evidence.Text)
		next.security, next.zone, next.keys = Insecure, name, nil
		next.unsignedBy = p.zone
		next.why = whyf("dnssec_why_unsigned_delegation", map[string]any{"name": show(name), "parent": show(p.zone), "proof": pr.evidence},
			"%s is an unsigned delegation from %s: %s", show(name), show(p.zone), pr.evidence.Text)
		return next
	case pr.ok:
		return p // no cut at name
	}
	return v.noProof(ctx, p, name, Bogus, joinReason(whyf("dnssec_why_no_ds_proof", map[string]any{"name": show(name), "reason": pr.reason},
		"no NSEC proof that %s has no DS: %s", show(name), pr.reason.Text), sigReason))
}

// noProof handles a DS answer at name without a usable denial. The absent
// DS only matters if name is a zone apex: a name inside p's zone is no cut
// whatever its denial says, and the answer's own signatures decide its
// state. So ask for the SOA: at a cut the verdict is sec with reason; else
// the walk goes on in p's zone. (Misleading SOA answers can only turn secure
// into bogus, never the reverse: data from a hidden child zone would not
// carry p's signatures.)
func (v *Validator) noProof(ctx context.Context, p *zoneState, name string, sec Security, reason Why) *zoneState {
	soa, err := v.q.Query(ctx, name, dns.TypeSOA)
	if err != nil {
		return &zoneState{security: Indeterminate, zone: p.zone, why: *queryFailed(err)}
	}
	if set, _ := rrsetAt(soa.Answer, name, dns.TypeSOA); len(set) > 0 || soa.Rcode != dns.RcodeSuccess && soa.Rcode != dns.RcodeNameError {
		next := p.with()
		next.security, next.why = sec, reason
		if sec == Insecure {
			next.zone, next.keys = name, nil
			next.chain = append(next.chain, reason.Text)
		}
		return next
	}
	return p.with(fmt.Sprintf("DS %s: %s; but %s has no SOA, so it is no zone cut", show(name), reason.Text, show(name)))
}

// trustKeys fetches the DNSKEY RRset of zone, finds the keys that match the
// DS records (or anchors) and verifies the RRset with one of them.
func (v *Validator) trustKeys(ctx context.Context, st *zoneState, zone string, ds []*dns.DS, via string) *zoneState {
	resp, err := v.q.Query(ctx, zone, dns.TypeDNSKEY)
	if err != nil {
		return &zoneState{security: Indeterminate, zone: zone, chain: st.chain, why: *queryFailed(err)}
	}
	if resp.Rcode != dns.RcodeSuccess {
		return &zoneState{security: Indeterminate, zone: zone, chain: st.chain,
			why: *rcodeWhy(resp.Rcode, dns.TypeDNSKEY, zone)}
	}
	set, sigs := rrsetAt(resp.Answer, zone, dns.TypeDNSKEY)
	fail := func(why Why) *zoneState {
		return &zoneState{security: Bogus, zone: zone, chain: st.chain, why: why}
	}
	if zone == "." && (len(set) == 0 || len(sigs) == 0) {
		// The root is always signed: a resolver that hands out its keys
		// without signatures (or none at all) drops DNSSEC data, and says
		// nothing about the domain.
		return &zoneState{security: Indeterminate, zone: zone, chain: st.chain,
			why: whyf("dnssec_why_no_do_bit", nil, "the resolver returned the root DNSKEY RRset without signatures; it does not pass DNSSEC records through (DO bit)")}
	}
	if len(set) == 0 {
		return fail(whyf("dnssec_why_no_dnskey", map[string]any{"zone": show(zone)}, "DS for %s exists but the zone has no DNSKEY", show(zone)))
	}
	var keys, matched []*dns.DNSKEY
	for _, rr := range set {
		k := rr.(*dns.DNSKEY)
		keys = append(keys, k)
		if k.Flags&dns.ZONE == 0 || k.Protocol != 3 || k.Flags&dns.REVOKE != 0 {
			// Revoked keys no longer vouch for anything (RFC 5011 section 2.1).
			continue
		}
		for _, d := range ds {
			if keyMatchesDS(k, d) {
				matched = append(matched, k)
				break
			}
		}
	}
	if len(matched) == 0 {
		tags := make([]string, 0, len(ds))
		for _, d := range ds {
			tags = append(tags, fmt.Sprint(d.KeyTag))
		}
		if via == "trust anchor" {
			return fail(whyf("dnssec_why_anchor_mismatch", map[string]any{"keytags": strings.Join(tags, ", ")},
				"trust anchor mismatch for the root: no DNSKEY matches DS keytag %s", strings.Join(tags, ", ")))
		}
		return fail(whyf("dnssec_why_ds_mismatch", map[string]any{"zone": show(zone), "keytags": strings.Join(tags, ", ")},
			"DS mismatch for %s: no DNSKEY matches DS keytag %s", show(zone), strings.Join(tags, ", ")))
	}
	// The DNSKEY RRset must be signed by a key the DS vouches for.
	line, sig, err := v.verifySigs(set, sigs, zone, matched)
	if err != nil {
		return fail(whyOf(err))
	}
	next := st.with(fmt.Sprintf("%s DNSKEY: %d keys; key %d (%s) matches the %s", show(zone), len(keys), sig.KeyTag, algName(sig.Algorithm), via), line)
	next.security, next.zone, next.keys = Secure, zone, keys
	for _, w := range v.phaseOut(zone, ds, matched, set, sigs) {
		next.phaseOut = append(slices.Clip(next.phaseOut), w)
		next.chain = append(next.chain, w.Text)
	}
	return next
}

// phaseOut tells whether the link into zone holds only through SHA-1, the
// signing algorithms RSASHA1 and RSASHA1-NSEC3-SHA1 or DS digests of type
// 1, which RFC 9905 (updating RFC 8624) deprecates: a validator that has
// dropped them would find no usable path and call the zone insecure. Each
// weakness is one reason; none when a path without SHA-1 verifies.
func (v *Validator) phaseOut(zone string, ds []*dns.DS, matched []*dns.DNSKEY, set []dns.RR, sigs []*dns.RRSIG) []Why {
	verifiesWith := func(keep func(d *dns.DS) bool) bool {
		var keys []*dns.DNSKEY
		for _, k := range matched {
			for _, d := range ds {
				if keep(d) && keyMatchesDS(k, d) {
					keys = append(keys, k)
					break
				}
			}
		}
		if len(keys) == 0 {
			return false
		}
		_, _, err := v.verifySigs(set, sigs, zone, keys)
		return err == nil
	}
	strongAlg := func(d *dns.DS) bool { return !sha1Algorithm(d.Algorithm) }
	strongDigest := func(d *dns.DS) bool { return d.DigestType != dns.SHA1 }
	if verifiesWith(func(d *dns.DS) bool { return strongAlg(d) && strongDigest(d) }) {
		return nil
	}
	var out []Why
	if !verifiesWith(strongAlg) {
		algs := map[string]bool{}
		var names []string
		for _, k := range matched {
			if n := algName(k.Algorithm); sha1Algorithm(k.Algorithm) && !algs[n] {
				algs[n] = true
				names = append(names, n)
			}
		}
		out = append(out, whyf("dnssec_why_sha1_algorithm", map[string]any{"zone": show(zone), "algorithm": strings.Join(names, ", ")},
			"%s is signed only with %s, a SHA-1 algorithm that RFC 9905 deprecates: validators are dropping it", show(zone), strings.Join(names, ", ")))
	}
	if !verifiesWith(strongDigest) {
		out = append(out, whyf("dnssec_why_ds_sha1_only", map[string]any{"zone": show(zone)},
			"the DS records of %s that lead to its keys use only SHA-1 digests, which RFC 9905 deprecates: validators are dropping them", show(zone)))
	}
	if len(out) == 0 {
		// Only the combination of a strong algorithm and a strong digest
		// is missing: name the digest, the one the parent can fix.
		out = append(out, whyf("dnssec_why_ds_sha1_only", map[string]any{"zone": show(zone)},
			"the DS records of %s that lead to its keys use only SHA-1 digests, which RFC 9905 deprecates: validators are dropping them", show(zone)))
	}
	return out
}

// keyMatchesDS reports whether k is the key d was made from (RFC 4034 section 5.2).
func keyMatchesDS(k *dns.DNSKEY, d *dns.DS) bool {
	if k.Algorithm != d.Algorithm || k.KeyTag() != d.KeyTag {
		return false
	}
	got := k.ToDS(d.DigestType)
	return got != nil && strings.EqualFold(got.Digest, d.Digest) && canonical(got.Hdr.Name) == canonical(d.Hdr.Name)
}

// usableDS keeps the DS records whose algorithm and digest type can be
// checked, dropping SHA-1 digests when SHA-256 or SHA-384 ones exist (RFC
// 4509 section 3 says so for SHA-256; Unbound likewise uses only the
// strongest digest type present): a DS set with a SHA-256 digest that
// matches no key is bogus even if its SHA-1 digest matches one.
func usableDS(ds []*dns.DS) []*dns.DS {
	var out []*dns.DS
	hasSHA256 := false
	for _, d := range ds {
		if algorithmSupported(d.Algorithm) && (d.DigestType == dns.SHA256 || d.DigestType == dns.SHA384) {
			hasSHA256 = true
		}
	}
	for _, d := range ds {
		if !algorithmSupported(d.Algorithm) {
			continue
		}
		switch d.DigestType {
		case dns.SHA256, dns.SHA384:
			out = append(out, d)
		case dns.SHA1:
			if !hasSHA256 {
				out = append(out, d)
			}
		}
	}
	return out
}

func describeDS(ds []*dns.DS) string {
	var parts []string
	for _, d := range ds {
		parts = append(parts, fmt.Sprintf("key %d %s %s", d.KeyTag, algName(d.Algorithm), digestName(d.DigestType)))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

// verifyRRset checks rrset against the keys of the secure zone st.
func (v *Validator) verifyRRset(rrset []dns.RR, sigs []*dns.RRSIG, st *zoneState) (string, error) {
	line, _, err := v.verifySigs(rrset, sigs, st.zone, st.keys)
	return line, err
}

// verifySigs accepts rrset when one RRSIG by zone, made with one of keys,
// verifies and is inside its validity period. The error names the most
// telling fault: missing, expired, not yet valid, unknown key, bad signature.
func (v *Validator) verifySigs(rrset []dns.RR, sigs []*dns.RRSIG, zone string, keys []*dns.DNSKEY) (string, *dns.RRSIG, error) {
	h := rrset[0].Header()
	what := fmt.Sprintf("%s %s", dns.TypeToString[h.Rrtype], show(canonical(h.Name)))
	if len(sigs) == 0 {
		return "", nil, &whyError{whyf("dnssec_why_no_rrsig", map[string]any{"rrset": what}, "missing RRSIG over %s", what)}
	}
	now := v.now()
	var faults []Why
	for _, sig := range sigs {
		if canonical(sig.SignerName) != zone {
			faults = append(faults, whyf("dnssec_why_rrsig_signer", map[string]any{"rrset": what, "signer": show(canonical(sig.SignerName)), "zone": show(zone)},
				"RRSIG over %s is by %s, not by its zone %s", what, show(canonical(sig.SignerName)), show(zone)))
			continue
		}
		if !algorithmSupported(sig.Algorithm) {
			faults = append(faults, whyf("dnssec_why_rrsig_algorithm", map[string]any{"rrset": what, "algorithm": algName(sig.Algorithm)},
				"RRSIG over %s uses unsupported %s", what, algName(sig.Algorithm)))
			continue
		}
		if int(sig.Labels) > dns.CountLabel(h.Name) {
			faults = append(faults, whyf("dnssec_why_rrsig_labels", map[string]any{"rrset": what}, "RRSIG over %s has a labels field larger than the name", what))
			continue
		}
		if !sig.ValidityPeriod(now) {
			if int64(sig.Inception) > now.Unix() && now.Unix() < int64(sig.Expiration) {
				faults = append(faults, whyf("dnssec_why_rrsig_not_yet_valid", map[string]any{"rrset": what, "time": stamp(sig.Inception)},
					"RRSIG over %s not valid before %s", what, stamp(sig.Inception)))
			} else {
				faults = append(faults, whyf("dnssec_why_rrsig_expired", map[string]any{"rrset": what, "time": stamp(sig.Expiration)},
					"RRSIG over %s expired at %s", what, stamp(sig.Expiration)))
			}
			continue
		}
		var key *dns.DNSKEY
		for _, k := range keys {
			if k.KeyTag() == sig.KeyTag && k.Algorithm == sig.Algorithm && k.Flags&dns.ZONE != 0 {
				if err := verifySig(sig, k, rrset); err == nil {
					return fmt.Sprintf("%s: RRSIG by %s key %d (%s) verifies, valid until %s", what, show(zone), sig.KeyTag, algName(sig.Algorithm), stamp(sig.Expiration)), sig, nil
				}
				key = k
			}
		}
		if key == nil {
			faults = append(faults, whyf("dnssec_why_rrsig_unknown_key", map[string]any{"rrset": what, "keytag": sig.KeyTag, "zone": show(zone)},
				"RRSIG over %s names key %d, which is not a trusted DNSKEY of %s", what, sig.KeyTag, show(zone)))
		} else {
			faults = append(faults, whyf("dnssec_why_rrsig_bad", map[string]any{"rrset": what, "keytag": sig.KeyTag}, "RRSIG over %s by key %d does not verify", what, sig.KeyTag))
		}
	}
	return "", nil, &whyError{listWhy(faults)}
}
