// Package dnssec validates DNS answers from a configured trust anchor down to
// the queried name, the way a validating resolver does, so that the probe does
// not have to trust the AD bit of whatever resolver it is pointed at.
//
// Validation of name/qtype (RFC 4033-4035, RFC 5155):
//  1. Trust the root: fetch the root DNSKEY RRset, find the keys that match a
//     trust anchor (DS digest or identical DNSKEY) and verify the RRset's RRSIG
//     with one of them.
//  2. Walk down the name one label at a time, asking for the DS RRset at each
//     name (the resolver is queried with CD, so it hands over records,
//     signatures and denial proofs as they are). A signed DS RRset marks a
//     secure zone cut: verify it with the parent's keys, fetch the child's
//     DNSKEY RRset, match a key to the DS and verify the RRset with it. An
//     authenticated NSEC/NSEC3 "no DS, but NS" proof marks an insecure
//     delegation, and everything below is insecure. A proof of "no DS and no
//     NS" means no cut here. NXDOMAIN ends the walk. When the "no DS" answer
//     carries no usable proof, an SOA query tells whether the name is a zone
//     apex: only then is the missing proof fatal (bogus).
//     The walk's result for every name is kept in the Validator, and its DS
//     and DNSKEY questions are sent all at once ahead of the walk when the
//     Querier is a per-run resolver.Cache, so a cold chain costs about one
//     round trip instead of two per label.
//  3. Verify the answer: each RRset (CNAMEs and DNAMEs followed, each target
//     walked as in step 2) must carry a valid RRSIG from the zone that holds
//     it, inside its validity period by the configured clock; wildcard
//     expansions need a proof that the name itself does not exist. A negative answer needs an
//     authenticated NSEC or NSEC3 proof (closest encloser proof, opt-out).
//
// Signatures are verified with miekg/dns, and Ed448 (RFC 8080) with
// circl. Algorithms and digest types the validator cannot verify make a
// zone insecure, not bogus (RFC 4035 section 5.2, RFC 6840 section 5.2),
// and Result.Unsupported says so; so do NSEC3 chains with more than
// MaxNSEC3Iterations iterations (RFC 9276 section 3.2). A DS set with
// SHA-256 or SHA-384 digests has its SHA-1 digests ignored (RFC 4509
// section 3). A secure answer whose chain holds only through SHA-1
// (RSASHA1 and RSASHA1-NSEC3-SHA1 signatures, SHA-1 DS digests) is still
// secure, with the weak links in Result.PhaseOut (RFC 9905).
package dnssec

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/resolver"
)

// Security is the DNSSEC state of an answer (RFC 4033 section 5).
type Security string

// The states an answer can be in.
const (
	Secure        Security = "secure"
	Insecure      Security = "insecure"
	Bogus         Security = "bogus"
	Indeterminate Security = "indeterminate"
)

// MaxNSEC3Iterations is the highest NSEC3 iteration count accepted as secure;
// above it answers are treated as insecure, as RFC 9276 allows.
const MaxNSEC3Iterations = 150

// Result is a validated answer.
type Result struct {
	Security Security `json:"security"`
	// Reason explains a verdict other than secure ("RRSIG expired at ...",
	// "DS mismatch for ...", "resolver answered SERVFAIL").
	Reason string `json:"reason,omitempty"`
	// Why is Reason as a code and parameters, for the probe to show in the
	// reader's language; nil for reasons without a code yet (the proofs of
	// a bogus or insecure verdict), shown as Reason.
	Why *Why `json:"-"`
	// Rcode of the answer (NOERROR, NXDOMAIN).
	Rcode int `json:"rcode"`
	// Zone is the zone whose keys signed (or should have signed) the answer,
	// as a fully qualified name.
	Zone string `json:"zone,omitempty"`
	// UnsignedBy is set when the answer is insecure because Zone is an
	// unsigned delegation: it names the signed parent that proves Zone has
	// no DS. Other insecure answers (unsupported algorithms, NSEC3 opt-out
	// or iteration limits) leave it empty.
	UnsignedBy string `json:"unsigned_by,omitempty"`
	// Unsupported marks an insecure answer whose zone is signed, but only
	// with algorithms or DS digest types this validator cannot check (RFC
	// 4035 section 5.2): signed, yet not validated.
	Unsupported bool `json:"unsupported,omitempty"`
	// PhaseOut gives, for an answer that is secure, each link of its
	// chains of trust that holds only through SHA-1 signing algorithms or
	// DS digests, which RFC 9905 deprecates; nil when none does.
	PhaseOut []Why `json:"-"`
	// Answer holds the records of the queried type (CNAMEs followed).
	Answer []dns.RR `json:"-"`
	// Records lists, as zone-file text, every record of the answer and
	// authority sections: the data, the CNAMEs, the signatures and the proofs.
	Records []string `json:"records,omitempty"`
	// Chain lists, zone by zone, what was checked, as evidence.
	Chain []string `json:"chain,omitempty"`
}

// Option adjusts a Validator.
type Option func(*Validator)

// WithNow sets the clock signature validity periods are checked against;
// nil keeps time.Now.
func WithNow(now func() time.Time) Option {
	return func(v *Validator) {
		if now != nil {
			v.now = now
		}
	}
}

// Validator validates answers against trust anchors. Safe for concurrent use;
// create one per probe run so its cache lives as long as the run: the zone
// cuts and verified DNSKEY sets found for one name are reused for the next.
type Validator struct {
	q       resolver.Querier
	anchors []dns.RR
	now     func() time.Time

	mu     sync.Mutex
	states map[string]*stateEntry
}

type stateEntry struct {
	done chan struct{}
	st   *zoneState
}

// New returns a validator that asks q and trusts anchors (root DS or DNSKEY).
func New(q resolver.Querier, anchors []dns.RR, opts ...Option) *Validator {
	v := &Validator{q: q, anchors: anchors, now: time.Now, states: make(map[string]*stateEntry)}
	for _, o := range opts {
		o(v)
	}
	return v
}

// zoneState is what the walk from the root knows at one name: the closest
// enclosing zone and, when secure, its verified keys.
type zoneState struct {
	security Security
	zone     string
	keys     []*dns.DNSKEY
	why      Why // the reason of a verdict other than secure
	chain    []string
	// nxdomain marks a name that does not exist: nothing below it can be a cut.
	nxdomain bool
	// unsignedBy is the parent zone of a provably unsigned delegation.
	unsignedBy string
	// unsupported marks an insecure zone whose DS records (or the trust
	// anchors) use only algorithms or digest types the validator cannot check.
	unsupported bool
	// phaseOut lists the links of the chain, this zone's or its
	// ancestors', that hold only through SHA-1 (RFC 9905).
	phaseOut []Why
}

// with returns a copy of st with extra evidence lines.
func (st *zoneState) with(lines ...string) *zoneState {
	c := *st
	c.chain = append(append([]string(nil), st.chain...), lines...)
	return &c
}

// Validate queries name/qtype and returns the answer with its security state.
// The error is non-nil exactly when the state is Indeterminate: the resolver
// could not be asked or did not answer usefully; Reason says the same.
func (v *Validator) Validate(ctx context.Context, name string, qtype uint16) (Result, error) {
	name = canonical(name)
	res := Result{Security: Indeterminate}
	v.prefetch(ctx, name)
	resp, err := v.q.Query(ctx, name, qtype)
	if err != nil {
		return indeterminate(res, fmt.Errorf("dnssec: %w", err), queryFailed(err))
	}
	res.Rcode = resp.Rcode
	for _, sec := range [][]dns.RR{resp.Answer, resp.Ns} {
		for _, rr := range sec {
			res.Records = append(res.Records, rr.String())
		}
	}
	if resp.Rcode != dns.RcodeSuccess && resp.Rcode != dns.RcodeNameError {
		return indeterminate(res, fmt.Errorf("dnssec: resolver answered %s for %s %s", dns.RcodeToString[resp.Rcode], dns.TypeToString[qtype], show(name)),
			rcodeWhy(resp.Rcode, qtype, name))
	}

	cur := name
	var prefix []string // evidence from the CNAMEs already followed
	for hops := 0; hops < 12; hops++ {
		st := v.stateFor(ctx, cur, qtype)
		res.Zone = st.zone
		res.PhaseOut = mergeWhy(res.PhaseOut, st.phaseOut)
		res.Chain = mergeChain(prefix, st.chain)
		switch st.security {
		case Indeterminate:
			return indeterminate(res, fmt.Errorf("dnssec: %s", st.why.Text), &st.why)
		case Bogus:
			return bogus(res, st.why), nil
		case Insecure:
			res.Security, res.Reason, res.UnsignedBy = Insecure, st.why.Text, ""
			res.Why, res.Unsupported, res.PhaseOut = &st.why, st.unsupported, nil
			if st.unsignedBy != "" {
				res.UnsignedBy = show(st.unsignedBy)
			}
			res.Answer = followUnchecked(resp.Answer, cur, qtype)
			return res, nil
		}

		rrset, sigs := rrsetAt(resp.Answer, cur, qtype)
		if len(rrset) > 0 {
			lines, err := v.checkRRset(rrset, sigs, resp.Ns, st)
			if err != nil {
				return bogus(res, whyOf(err)), nil
			}
			res.Chain = append(res.Chain, lines...)
			res.Answer = rrset
			res.Security = Secure
			return res, nil
		}
		if target, line, ok, err := v.followDNAME(ctx, resp.Answer, cur, qtype); ok || err != nil {
			if err != nil {
				return bogus(res, whyOf(err)), nil
			}
			prefix = append(res.Chain, line)
			cur = target
			v.prefetch(ctx, cur)
			continue
		}
		if cname, csigs := rrsetAt(resp.Answer, cur, dns.TypeCNAME); len(cname) > 0 && qtype != dns.TypeCNAME {
			lines, err := v.checkRRset(cname, csigs, resp.Ns, st)
			if err != nil {
				return bogus(res, whyOf(err)), nil
			}
			prefix = append(res.Chain, lines...)
			cur = canonical(cname[0].(*dns.CNAME).Target)
			v.prefetch(ctx, cur)
			continue
		}

		// No data: an authenticated denial is needed from the zone of cur.
		ds, reason := v.denialRecords(resp.Ns, st)
		var p proof
		if resp.Rcode == dns.RcodeNameError {
			p = ds.proveNXDOMAIN(cur)
		} else {
			p = ds.proveNODATA(cur, qtype)
		}
		switch {
		case p.insecure:
			res.Security, res.Reason, res.Why, res.PhaseOut = Insecure, p.evidence.Text, &p.evidence, nil
			res.Chain = append(res.Chain, p.evidence.Text)
		case p.ok:
			res.Security = Secure
			res.Chain = append(res.Chain, p.evidence.Text)
		default:
			why := whyf("dnssec_why_no_nodata_proof", map[string]any{"type": dns.TypeToString[qtype], "name": show(cur), "reason": p.reason},
				"no valid NSEC/NSEC3 proof that %s %s no data: %s", dns.TypeToString[qtype], show(cur), p.reason.Text)
			if resp.Rcode == dns.RcodeNameError {
				why = whyf("dnssec_why_no_nxdomain_proof", map[string]any{"type": dns.TypeToString[qtype], "name": show(cur), "reason": p.reason},
					"no valid NSEC/NSEC3 proof that %s %s does not exist: %s", dns.TypeToString[qtype], show(cur), p.reason.Text)
			}
			return bogus(res, joinReason(why, reason)), nil
		}
		return res, nil
	}
	// A loop or an absurdly long chain is a broken zone, not a DNSSEC verdict.
	return indeterminate(res, fmt.Errorf("dnssec: the CNAME chain from %s loops or is longer than 12 names", show(name)),
		&Why{Code: "dnssec_why_cname_loop", Params: map[string]any{"name": show(name), "max": 12}, Text: fmt.Sprintf("the CNAME chain from %s loops or is longer than 12 names", show(name))})
}

// prefetch asks, all at once, for the DS and DNSKEY RRsets the walk down to
// name may need, so that the walk, which checks them one zone after the
// other, finds them answered: its wall time becomes about one round trip
// instead of two per label. It only does so through a per-run cache, where
// every answer is fetched once anyway; labels already walked are skipped.
func (v *Validator) prefetch(ctx context.Context, name string) {
	if _, ok := v.q.(*resolver.Cache); !ok {
		return
	}
	// The answers land in the cache for later callers too, so a caller
	// that gives up early must not leave a cancellation error cached there;
	// the resolver client's own timeout bounds each query.
	ctx = context.WithoutCancel(ctx)
	ask := func(n string, t uint16) {
		go func() { _, _ = v.q.Query(ctx, n, t) }()
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for n := name; ; n = parentName(n) {
		if _, known := v.states[n]; known {
			return
		}
		ask(n, dns.TypeDNSKEY)
		if n == "." {
			return
		}
		ask(n, dns.TypeDS)
	}
}

// checkRRset verifies an answer RRset with the keys of the secure zone st.
// An RRset expanded from a wildcard also needs the proof, from the
// authority section, that its own name does not exist (RFC 4035 section
// 5.3.4, RFC 5155 section 8.8).
func (v *Validator) checkRRset(rrset []dns.RR, sigs []*dns.RRSIG, authority []dns.RR, st *zoneState) ([]string, error) {
	line, sig, err := v.verifySigs(rrset, sigs, st.zone, st.keys)
	if err != nil {
		return nil, err
	}
	owner := canonical(rrset[0].Header().Name)
	if int(sig.Labels) >= dns.CountLabel(owner) {
		return []string{line}, nil
	}
	ds, reason := v.denialRecords(authority, st)
	proofLine, err := ds.proveWildcardExpansion(owner, int(sig.Labels))
	if err != nil {
		return nil, &whyError{joinReason(whyOf(err), reason)}
	}
	return []string{line, proofLine}, nil
}

// followDNAME handles a name redirected by a DNAME at one of its ancestors
// (RFC 6672): the DNAME RRset must verify with the keys of its own zone, and
// the CNAME a resolver synthesises from it (unsigned by nature) must point
// where the DNAME says. ok is false when no DNAME applies.
func (v *Validator) followDNAME(ctx context.Context, answer []dns.RR, cur string, qtype uint16) (target, line string, ok bool, err error) {
	if qtype == dns.TypeDNAME {
		return "", "", false, nil
	}
	for owner := parentName(cur); ; owner = parentName(owner) {
		dname, sigs := rrsetAt(answer, owner, dns.TypeDNAME)
		if len(dname) > 0 {
			st := v.stateAt(ctx, owner)
			switch st.security {
			case Secure:
			case Indeterminate, Bogus:
				return "", "", false, &whyError{whyf("dnssec_why_dname", map[string]any{"name": show(owner), "reason": st.why}, "DNAME %s: %s", show(owner), st.why.Text)}
			default:
				return "", "", false, nil // insecure: the caller's state already says so
			}
			line, err := v.verifyRRset(dname, sigs, st)
			if err != nil {
				return "", "", false, err
			}
			to := canonical(dname[0].(*dns.DNAME).Target)
			target = strings.TrimSuffix(cur, owner) + to
			if to == "." {
				target = strings.TrimSuffix(cur, owner)
			}
			if _, ok := dns.IsDomainName(target); !ok || len(target) > 255 {
				return "", "", false, &whyError{whyf("dnssec_why_dname_too_long", map[string]any{"dname": show(owner), "name": show(cur)}, "DNAME %s makes %s too long", show(owner), show(cur))}
			}
			if cname, _ := rrsetAt(answer, cur, dns.TypeCNAME); len(cname) > 0 && canonical(cname[0].(*dns.CNAME).Target) != target {
				return "", "", false, &whyError{whyf("dnssec_why_cname_not_from_dname", map[string]any{"name": show(cur), "target": show(canonical(cname[0].(*dns.CNAME).Target)), "dname": show(owner), "to": show(to)},
					"CNAME %s -> %s does not follow from DNAME %s -> %s", show(cur), show(canonical(cname[0].(*dns.CNAME).Target)), show(owner), show(to))}
			}
			return target, line, true, nil
		}
		if owner == "." {
			return "", "", false, nil
		}
	}
}

// mergeChain appends the lines of next that prefix does not hold yet: after
// a CNAME the target's walk repeats the root and TLD steps already shown.
func mergeChain(prefix, next []string) []string {
	out := append([]string(nil), prefix...)
	seen := make(map[string]bool, len(prefix))
	for _, l := range prefix {
		seen[l] = true
	}
	for _, l := range next {
		if !seen[l] {
			out = append(out, l)
		}
	}
	return out
}

// mergeWhy appends the reasons of more that list does not hold yet.
func mergeWhy(list, more []Why) []Why {
	for _, w := range more {
		if !slices.ContainsFunc(list, func(h Why) bool { return h.Text == w.Text }) {
			list = append(slices.Clip(list), w)
		}
	}
	return list
}

// Why is a reason as a code and parameters, shown by the probe as the
// finding message finding.<Code>.
type Why struct {
	Code   string
	Params map[string]any
	// Text is the reason in English, as Result.Reason gives it.
	Text string
}

// whyf is a reason with its English text.
func whyf(code string, params map[string]any, format string, args ...any) Why {
	return Why{Code: code, Params: params, Text: fmt.Sprintf(format, args...)}
}

// whyError is an error that carries its reason.
type whyError struct{ why Why }

func (e *whyError) Error() string { return e.why.Text }

// whyOf is the reason of err.
func whyOf(err error) Why {
	var we *whyError
	if errors.As(err, &we) {
		return we.why
	}
	return Why{Code: "error", Params: map[string]any{"error": err.Error()}, Text: err.Error()}
}

// joinReason adds to a the signature faults of the denial records, if any.
func joinReason(a Why, faults []Why) Why {
	if len(faults) == 0 {
		return a
	}
	f := listWhy(faults)
	return Why{Code: "dnssec_why_with_faults", Params: map[string]any{"reason": a, "faults": f}, Text: a.Text + " (" + f.Text + ")"}
}

// listWhy is several reasons as one.
func listWhy(list []Why) Why {
	if len(list) == 1 {
		return list[0]
	}
	texts := make([]string, len(list))
	for i, w := range list {
		texts[i] = w.Text
	}
	return Why{Code: "dnssec_why_list", Params: map[string]any{"reasons": list}, Text: strings.Join(texts, "; ")}
}

// queryFailed is the reason of a query the resolver could not answer.
func queryFailed(err error) *Why {
	return &Why{Code: "dnssec_why_query_failed", Params: map[string]any{"error": err.Error()}, Text: err.Error()}
}

// rcodeWhy is the reason of a resolver's answer with an error rcode.
func rcodeWhy(rcode int, qtype uint16, name string) *Why {
	w := whyf("dnssec_why_rcode", map[string]any{"rcode": dns.RcodeToString[rcode], "type": dns.TypeToString[qtype], "name": show(name)},
		"resolver answered %s for %s %s", dns.RcodeToString[rcode], dns.TypeToString[qtype], show(name))
	return &w
}

func indeterminate(res Result, err error, why *Why) (Result, error) {
	res.Security, res.PhaseOut = Indeterminate, nil
	res.Why = why
	res.Reason = strings.TrimPrefix(err.Error(), "dnssec: ")
	return res, err
}

func bogus(res Result, why Why) Result {
	res.Security, res.PhaseOut = Bogus, nil
	res.Reason, res.Why = why.Text, &why
	res.Answer = nil
	return res
}

// stateFor returns the walk's state for the zone that answers name/qtype: DS
// records live on the parent side of a cut.
func (v *Validator) stateFor(ctx context.Context, name string, qtype uint16) *zoneState {
	if qtype == dns.TypeDS && name != "." {
		return v.stateAt(ctx, parentName(name))
	}
	return v.stateAt(ctx, name)
}

// rrsetAt returns the records of type t owned by name in rrs, and the RRSIGs covering them.
func rrsetAt(rrs []dns.RR, name string, t uint16) (set []dns.RR, sigs []*dns.RRSIG) {
	for _, rr := range rrs {
		h := rr.Header()
		if !strings.EqualFold(h.Name, name) {
			continue
		}
		if sig, ok := rr.(*dns.RRSIG); ok {
			if sig.TypeCovered == t {
				sigs = append(sigs, sig)
			}
			continue
		}
		if h.Rrtype == t {
			set = append(set, rr)
		}
	}
	return set, sigs
}

// followUnchecked returns the records of type t at name, following CNAMEs,
// without checking signatures: for insecure answers.
func followUnchecked(rrs []dns.RR, name string, t uint16) []dns.RR {
	for hops := 0; hops < 12; hops++ {
		if set, _ := rrsetAt(rrs, name, t); len(set) > 0 {
			return set
		}
		cname, _ := rrsetAt(rrs, name, dns.TypeCNAME)
		if len(cname) == 0 || t == dns.TypeCNAME {
			return nil
		}
		name = canonical(cname[0].(*dns.CNAME).Target)
	}
	return nil
}

// canonical lowercases a name and makes it fully qualified.
func canonical(name string) string {
	return strings.ToLower(dns.Fqdn(name))
}

// show writes a name for people: without the trailing dot, except the root.
func show(name string) string {
	if name == "." || name == "" {
		return "."
	}
	return strings.TrimSuffix(name, ".")
}

// parentName strips the first label: "a.b." gives "b.", "b." gives ".".
func parentName(name string) string {
	i, end := dns.NextLabel(name, 0)
	if end || i >= len(name) {
		return "."
	}
	return name[i:]
}

func algName(a uint8) string {
	if s, ok := dns.AlgorithmToString[a]; ok {
		return s
	}
	return fmt.Sprintf("algorithm %d", a)
}

func digestName(d uint8) string {
	switch d {
	case dns.SHA1:
		return "SHA-1"
	case dns.SHA256:
		return "SHA-256"
	case dns.SHA384:
		return "SHA-384"
	}
	return fmt.Sprintf("digest type %d", d)
}

func stamp(t uint32) string {
	return time.Unix(int64(t), 0).UTC().Format(time.RFC3339)
}
