package probetest

import (
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudflare/circl/sign/ed448"
	"github.com/miekg/dns"

	"tenderprobe/app/probe/dnssec"
)

// Break selects a deliberate DNSSEC fault in a signed test zone, so that tests
// can check that the validator calls it bogus (or insecure) for the right reason.
type Break int

// The faults a zone can be given.
const (
	// BreakNone signs the zone correctly.
	BreakNone Break = iota
	// BreakExpiredRRSIG signs with a validity period that ended a day ago.
	BreakExpiredRRSIG
	// BreakFutureRRSIG signs with a validity period that starts tomorrow.
	BreakFutureRRSIG
	// BreakBadSignature flips bits in the signatures so they do not verify.
	BreakBadSignature
	// BreakMissingRRSIG leaves RRsets without any RRSIG.
	BreakMissingRRSIG
	// BreakDSMismatch publishes a DS in the parent whose digest matches no key.
	BreakDSMismatch
	// BreakNoDenial leaves NSEC/NSEC3 proofs out of negative answers. On an
	// unsigned zone it applies to the parent: the answer that the delegation
	// has no DS carries no proof, so the delegation cannot be shown insecure.
	BreakNoDenial
	// BreakBogusDenial corrupts the signatures over the zone's NSEC/NSEC3 records.
	BreakBogusDenial
	// BreakDSForUnsigned serves an unsigned zone (Unsigned must be set)
	// while its parent publishes a DS for it, of a key the zone never
	// serves: the delegation promises a signed zone that is not there.
	BreakDSForUnsigned
)

// Zone describes one zone of a signed test internet.
type Zone struct {
	// Name is the apex, e.g. "example.test." (the trailing dot is optional).
	Name string
	// Records are zone-file lines; relative owner names and "@" are taken
	// relative to Name. An SOA and an NS record ("ns1.<zone>") are added
	// when none is given.
	Records []string
	// Unsigned leaves the zone without keys and signatures; the parent then
	// has no DS for it (an insecure delegation).
	Unsigned bool
	// Algorithm of the zone's keys; zero means ECDSAP256SHA256. RSASHA1,
	// RSASHA1NSEC3SHA1, RSASHA256, RSASHA512, ECDSAP384SHA384 and ED25519
	// sign for real with miekg/dns, ED448 with circl. Any other algorithm
	// (unassigned or private ones, such as 17 or 253) produces keys and
	// signatures of random bytes: a validator that does not support it
	// must treat the zone as insecure (RFC 4035 section 5.2).
	Algorithm uint8
	// DigestTypes are the DS digest types the parent publishes for each
	// KSK (dns.SHA1, dns.SHA256, dns.SHA384); nil means SHA-256 only.
	DigestTypes []uint8
	// ExtraDS are DS records the parent publishes besides the zone's own,
	// as RDATA text ("12345 8 2 0AB1..."): stale or foreign DS records, or
	// one for an algorithm no validator knows.
	ExtraDS []string
	// KSKs and ZSKs are the numbers of key-signing and zone-signing keys
	// in the DNSKEY RRset (zero means one of each), for key rollovers.
	KSKs, ZSKs int
	// SigningKSKs and SigningZSKs list the keys (indexes from 0) that sign:
	// the KSKs the DNSKEY RRset, the ZSKs everything else. Nil means all
	// keys of the kind: two ZSKs give a double-signature rollover; a ZSK
	// left out is pre-published.
	SigningKSKs, SigningZSKs []int
	// DSFor lists the KSKs (indexes) the parent's DS records point at; nil
	// means all of them.
	DSFor []int
	// NSEC3 selects NSEC3 (SHA-1, no extra iterations, no salt, as RFC 9276
	// recommends) instead of NSEC for authenticated denial.
	NSEC3 bool
	// OptOut sets the NSEC3 opt-out flag and leaves unsigned delegations out of the chain.
	OptOut bool
	// NSEC3Iterations and NSEC3Salt (hex) override the RFC 9276 defaults
	// (0 and none), e.g. to test validators' iteration limits.
	NSEC3Iterations uint16
	NSEC3Salt       string
	// Break is a deliberate fault; BreakType narrows the signature faults
	// (expired, future, bad, missing) to RRsets of one type. With BreakType
	// zero they apply to every RRset except the DNSKEY RRset, so the chain
	// of trust into the zone still holds and the fault shows at the data.
	// BreakName narrows them further to one owner name (relative to Name,
	// or absolute): a partly signed zone.
	Break     Break
	BreakType uint16
	BreakName string
}

// SignedOptions configures a signed test internet.
type SignedOptions struct {
	// Now is the moment signatures are made for; zero means time.Now().
	Now time.Time
	// Algorithm for the root and "test." zones; zero means ECDSAP256SHA256.
	Algorithm uint8
	// NSEC3 makes the root and "test." zones use NSEC3.
	NSEC3 bool
}

// SignedInternet is a DNSSEC-signed test internet: a root zone ".", a TLD
// "test." and the zones a test adds. Every change re-signs the zones it
// touches, and servers started with Serve answer from the new data at once.
type SignedInternet struct {
	t   testing.TB
	now time.Time

	mu    sync.RWMutex
	zones map[string]*zone
}

// zone is the signer's state for one zone: its keys and unsigned records,
// plus the signed snapshot the server answers from.
type zone struct {
	cfg  Zone
	apex string
	// ksk and zsk are the first key of each kind, keys all of them.
	ksk  *dns.DNSKEY
	zsk  *dns.DNSKEY
	keys []zoneKey
	// breakName is Zone.BreakName made absolute.
	breakName string
	// data holds the unsigned authoritative records, delegation NS and DS included.
	data map[rrKey][]dns.RR
	// noDenialFor names delegations whose negative DS answers carry no proof.
	noDenialFor map[string]bool
	served      *servedZone
	// sigCache keeps the signatures of RRsets that did not change since the
	// last signing, so that adding one record does not re-sign the zone.
	sigCache map[rrKey]cachedSig
}

// zoneKey is one key of a zone and its part in signing.
type zoneKey struct {
	key  *dns.DNSKEY
	priv crypto.Signer
	ksk  bool
	// signs: the key signs its RRsets (the DNSKEY RRset for a KSK); ds:
	// the parent publishes a DS for it.
	signs, ds bool
}

type cachedSig struct {
	fingerprint string
	sigs        []dns.RR
}

// NewSignedInternet creates a signed root "." and TLD "test.". The root's DS
// is the trust anchor (TrustAnchor).
func NewSignedInternet(t testing.TB, opts SignedOptions) *SignedInternet {
	t.Helper()
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	in := &SignedInternet{t: t, now: now, zones: make(map[string]*zone)}
	in.AddZone(Zone{Name: ".", Algorithm: opts.Algorithm, NSEC3: opts.NSEC3})
	in.AddZone(Zone{Name: "test.", Algorithm: opts.Algorithm, NSEC3: opts.NSEC3})
	return in
}

// Now is the moment the internet's signatures are made for.
func (in *SignedInternet) Now() time.Time { return in.now }

// AddZone creates a zone, signs it, and delegates to it from the closest
// enclosing zone already present (NS, plus DS when signed). Add parents before children.
func (in *SignedInternet) AddZone(cfg Zone) {
	in.t.Helper()
	apex := strings.ToLower(dns.Fqdn(cfg.Name))
	cfg.Name = apex
	if cfg.Algorithm == 0 {
		cfg.Algorithm = dns.ECDSAP256SHA256
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if _, ok := in.zones[apex]; ok {
		in.t.Fatalf("probetest: zone %s added twice", apex)
	}
	z := &zone{cfg: cfg, apex: apex, data: make(map[rrKey][]dns.RR), noDenialFor: make(map[string]bool)}
	for _, line := range cfg.Records {
		zp := dns.NewZoneParser(strings.NewReader(line), apex, "")
		for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
			z.add(rr)
		}
		if err := zp.Err(); err != nil {
			in.t.Fatalf("probetest: zone %s: parse %q: %v", apex, line, err)
		}
	}
	if len(z.data[rrKey{apex, dns.TypeSOA}]) == 0 {
		z.add(mustRR(in.t, fmt.Sprintf("%s 3600 IN SOA ns1.%s hostmaster.%s 1 7200 3600 1209600 300", apex, trimRoot(apex), trimRoot(apex))))
	}
	if len(z.data[rrKey{apex, dns.TypeNS}]) == 0 {
		z.add(mustRR(in.t, fmt.Sprintf("%s 3600 IN NS ns1.%s", apex, trimRoot(apex))))
	}
	if cfg.BreakName != "" {
		z.breakName = strings.ToLower(dns.Fqdn(cfg.BreakName))
		if !dns.IsFqdn(cfg.BreakName) {
			z.breakName = strings.ToLower(cfg.BreakName) + "." + trimRoot(apex)
		}
	}
	if !cfg.Unsigned || cfg.Break == BreakDSForUnsigned {
		in.makeKeys(z)
	}
	in.zones[apex] = z
	in.delegate(z)
	in.sign(z)
}

// makeKeys generates the zone's KSKs and ZSKs and marks which sign and
// which the parent's DS records point at.
func (in *SignedInternet) makeKeys(z *zone) {
	cfg := z.cfg
	picked := func(list []int, i int) bool { return list == nil || slices.Contains(list, i) }
	for i := range max(cfg.KSKs, 1) {
		k, priv := newKey(in.t, z.apex, cfg.Algorithm, dns.ZONE|dns.SEP)
		z.keys = append(z.keys, zoneKey{key: k, priv: priv, ksk: true, signs: picked(cfg.SigningKSKs, i), ds: picked(cfg.DSFor, i)})
	}
	for i := range max(cfg.ZSKs, 1) {
		k, priv := newKey(in.t, z.apex, cfg.Algorithm, dns.ZONE)
		z.keys = append(z.keys, zoneKey{key: k, priv: priv, signs: picked(cfg.SigningZSKs, i)})
	}
	for _, k := range z.keys {
		if k.ksk && z.ksk == nil {
			z.ksk = k.key
		}
		if !k.ksk && z.zsk == nil {
			z.zsk = k.key
		}
	}
}

// delegate writes z's delegation into its parent (NS, and DS when signed)
// and re-signs the parent.
func (in *SignedInternet) delegate(z *zone) {
	parent := in.parentOf(z.apex)
	if parent == nil {
		return
	}
	parent.data[rrKey{z.apex, dns.TypeNS}] = nil
	for _, ns := range z.data[rrKey{z.apex, dns.TypeNS}] {
		parent.add(dns.Copy(ns))
	}
	delete(parent.data, rrKey{z.apex, dns.TypeDS})
	delete(parent.noDenialFor, z.apex)
	if !z.cfg.Unsigned || z.cfg.Break == BreakDSForUnsigned {
		digests := z.cfg.DigestTypes
		if digests == nil {
			digests = []uint8{dns.SHA256}
		}
		for _, k := range z.keys {
			if !k.ksk || !k.ds {
				continue
			}
			for _, d := range digests {
				ds := k.key.ToDS(d)
				if ds == nil {
					in.t.Fatalf("probetest: zone %s: DS digest type %d cannot be made", z.apex, d)
				}
				ds.Hdr.Ttl = 3600
				if z.cfg.Break == BreakDSMismatch {
					ds.Digest = strings.Repeat("0", len(ds.Digest))
				}
				parent.add(ds)
			}
		}
		for _, text := range z.cfg.ExtraDS {
			parent.add(mustRR(in.t, z.apex+" 3600 IN DS "+text))
		}
	} else if z.cfg.Break == BreakNoDenial {
		parent.noDenialFor[z.apex] = true
	}
	in.sign(parent)
}

// SetBreak changes the deliberate fault of a zone added earlier (BreakNone
// repairs it) and re-signs the zone and its parent.
func (in *SignedInternet) SetBreak(apex string, b Break, rtype uint16) {
	in.t.Helper()
	in.mu.Lock()
	defer in.mu.Unlock()
	z := in.zones[strings.ToLower(dns.Fqdn(apex))]
	if z == nil {
		in.t.Fatalf("probetest: SetBreak: no zone %s", apex)
	}
	z.cfg.Break, z.cfg.BreakType = b, rtype
	in.delegate(z)
	in.sign(z)
}

// trimRoot turns "." into "" so that "ns1."+apex reads well for the root.
func trimRoot(apex string) string {
	if apex == "." {
		return ""
	}
	return apex
}

// Add parses absolute zone-file lines, puts each record in the closest
// enclosing zone and re-signs the zones changed.
func (in *SignedInternet) Add(t testing.TB, records ...string) {
	t.Helper()
	var rrs []dns.RR
	for _, line := range records {
		rr, err := dns.NewRR(line)
		if err != nil {
			t.Fatalf("probetest: parse record %q: %v", line, err)
		}
		if rr != nil {
			rrs = append(rrs, rr)
		}
	}
	in.AddRR(rrs...)
}

// AddRR adds parsed records like Add. RRSIG, NSEC and NSEC3 records are
// ignored: the signer makes its own.
func (in *SignedInternet) AddRR(rrs ...dns.RR) {
	in.mu.Lock()
	defer in.mu.Unlock()
	changed := map[*zone]bool{}
	for _, rr := range rrs {
		switch rr.Header().Rrtype {
		case dns.TypeRRSIG, dns.TypeNSEC, dns.TypeNSEC3:
			continue
		}
		z := in.zoneOf(strings.ToLower(rr.Header().Name))
		z.add(rr)
		changed[z] = true
	}
	for z := range changed {
		in.sign(z)
	}
}

// Remove deletes the records of rtype at name and re-signs the zone.
func (in *SignedInternet) Remove(name string, rtype uint16) {
	in.mu.Lock()
	defer in.mu.Unlock()
	name = strings.ToLower(dns.Fqdn(name))
	z := in.zoneOf(name)
	delete(z.data, rrKey{name, rtype})
	in.sign(z)
}

// TrustAnchor returns the root zone's DS record, to configure as the
// validator's trust anchor.
func (in *SignedInternet) TrustAnchor() []dns.RR {
	in.mu.RLock()
	defer in.mu.RUnlock()
	ds := in.zones["."].ksk.ToDS(dns.SHA256)
	ds.Hdr.Ttl = 172800
	return []dns.RR{ds}
}

// TrustAnchorText returns TrustAnchor in zone-file syntax, as a --trust-anchor file holds it.
func (in *SignedInternet) TrustAnchorText() string {
	var b strings.Builder
	for _, rr := range in.TrustAnchor() {
		b.WriteString(rr.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Keys returns the KSK and ZSK of a signed zone (nil for an unsigned one).
func (in *SignedInternet) Keys(apex string) (ksk, zsk *dns.DNSKEY) {
	in.mu.RLock()
	defer in.mu.RUnlock()
	z := in.zones[strings.ToLower(dns.Fqdn(apex))]
	if z == nil {
		return nil, nil
	}
	return z.ksk, z.zsk
}

// Serve starts a DNS server on 127.0.0.1 answering for the whole signed
// internet, like a recursive resolver in front of it. Records added through
// the server's Add go into the signed zones and are signed.
func (in *SignedInternet) Serve(t testing.TB) *DNSServer {
	t.Helper()
	s := StartDNS(t)
	s.mu.Lock()
	s.internet = in
	s.mu.Unlock()
	return s
}

// parentOf returns the closest zone strictly above apex, or nil for the root.
func (in *SignedInternet) parentOf(apex string) *zone {
	if apex == "." {
		return nil
	}
	return in.zoneOf(parentName(apex))
}

// zoneOf returns the closest zone at or above name; the root always exists.
func (in *SignedInternet) zoneOf(name string) *zone {
	for n := name; ; n = parentName(n) {
		if z, ok := in.zones[n]; ok {
			return z
		}
		if n == "." {
			return nil
		}
	}
}

// parentName strips the first label: "a.b." gives "b.", "b." gives ".".
func parentName(name string) string {
	i, end := dns.NextLabel(name, 0)
	if end || i >= len(name) {
		return "."
	}
	return name[i:]
}

func (z *zone) add(rr dns.RR) {
	h := rr.Header()
	h.Name = strings.ToLower(h.Name)
	k := rrKey{h.Name, h.Rrtype}
	for _, old := range z.data[k] {
		if dns.IsDuplicate(old, rr) {
			return
		}
	}
	z.data[k] = append(z.data[k], rr)
}

func mustRR(t testing.TB, s string) dns.RR {
	rr, err := dns.NewRR(s)
	if err != nil {
		t.Fatalf("probetest: parse %q: %v", s, err)
	}
	return rr
}

// newKey makes a zone key. Algorithms miekg/dns cannot generate get random
// public key bytes of a plausible length.
func newKey(t testing.TB, apex string, alg uint8, flags uint16) (*dns.DNSKEY, crypto.Signer) {
	k := &dns.DNSKEY{
		Hdr:       dns.RR_Header{Name: apex, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags:     flags,
		Protocol:  3,
		Algorithm: alg,
	}
	bits := 256
	switch alg {
	case dns.RSASHA1, dns.RSASHA1NSEC3SHA1, dns.RSASHA256, dns.RSASHA512:
		// 1024 bits keeps key generation quick in tests; validation does
		// not depend on the size.
		bits = 1024
	case dns.ECDSAP384SHA384:
		bits = 384
	}
	if alg == dns.ED448 {
		// miekg/dns cannot make Ed448 keys; circl can (RFC 8080).
		for {
			pub, priv, err := ed448.GenerateKey(rand.Reader)
			if err != nil {
				t.Fatalf("probetest: generate ED448 key for %s: %v", apex, err)
			}
			k.PublicKey = base64.StdEncoding.EncodeToString(pub)
			if k.KeyTag() != 0 {
				return k, priv
			}
		}
	}
	if !canSign(alg) {
		k.PublicKey = base64.StdEncoding.EncodeToString(randomBytes(57))
		return k, nil
	}
	for {
		priv, err := k.Generate(bits)
		if err != nil {
			t.Fatalf("probetest: generate %s key for %s: %v", dns.AlgorithmToString[alg], apex, err)
		}
		// miekg/dns refuses to sign with key tag 0 (one key in 65,536 has it).
		if k.KeyTag() != 0 {
			return k, priv.(crypto.Signer)
		}
	}
}

func canSign(alg uint8) bool {
	switch alg {
	case dns.RSASHA1, dns.RSASHA1NSEC3SHA1, dns.RSASHA256, dns.RSASHA512,
		dns.ECDSAP256SHA256, dns.ECDSAP384SHA384, dns.ED25519, dns.ED448:
		return true
	}
	return false
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

// sign rebuilds z's served snapshot: its RRsets, their signatures and the
// NSEC or NSEC3 chain.
func (in *SignedInternet) sign(z *zone) {
	in.t.Helper()
	sz := &servedZone{
		apex:        z.apex,
		rrsets:      make(map[rrKey][]dns.RR),
		sigs:        make(map[rrKey][]dns.RR),
		names:       map[string]bool{z.apex: true},
		delegations: make(map[string]bool),
		noDenialFor: z.noDenialFor,
		noDenial:    z.cfg.Break == BreakNoDenial && !z.cfg.Unsigned,
	}
	for k := range z.data {
		if k.rtype == dns.TypeNS && k.name != z.apex && len(z.data[k]) > 0 {
			sz.delegations[k.name] = true
		}
	}
	// typesAt collects the bitmap for each authoritative owner name.
	typesAt := map[string][]uint16{}
	for k, rrs := range z.data {
		if len(rrs) == 0 || sz.belowDelegation(k.name) {
			continue
		}
		sz.rrsets[k] = rrs
		typesAt[k.name] = append(typesAt[k.name], k.rtype)
		for n := k.name; n != z.apex && n != "."; n = parentName(n) {
			sz.names[n] = true
		}
	}
	if z.cfg.Unsigned {
		z.served = sz
		return
	}
	var keys []dns.RR
	for _, k := range z.keys {
		keys = append(keys, k.key)
	}
	sz.rrsets[rrKey{z.apex, dns.TypeDNSKEY}] = keys
	typesAt[z.apex] = append(typesAt[z.apex], dns.TypeDNSKEY)
	var nsec3param *dns.NSEC3PARAM
	if z.cfg.NSEC3 {
		nsec3param = &dns.NSEC3PARAM{
			Hdr:        dns.RR_Header{Name: z.apex, Rrtype: dns.TypeNSEC3PARAM, Class: dns.ClassINET, Ttl: 0},
			Hash:       dns.SHA1,
			Iterations: z.cfg.NSEC3Iterations,
			SaltLength: uint8(len(z.cfg.NSEC3Salt) / 2),
			Salt:       z.cfg.NSEC3Salt,
		}
		sz.rrsets[rrKey{z.apex, dns.TypeNSEC3PARAM}] = []dns.RR{nsec3param}
		typesAt[z.apex] = append(typesAt[z.apex], dns.TypeNSEC3PARAM)
	}

	for k, rrs := range sz.rrsets {
		if k.rtype == dns.TypeNS && sz.delegations[k.name] {
			continue // delegation NS are not authoritative in the parent
		}
		sz.sigs[k] = in.signRRset(z, k, rrs)
	}

	minTTL := uint32(300)
	if soa, ok := z.data[rrKey{z.apex, dns.TypeSOA}]; ok {
		minTTL = soa[0].(*dns.SOA).Minttl
	}
	if z.cfg.NSEC3 {
		in.buildNSEC3(z, sz, typesAt, minTTL)
	} else {
		in.buildNSEC(z, sz, typesAt, minTTL)
	}
	z.served = sz
}

// signRRset signs one RRset with the KSK (DNSKEY) or ZSK (anything else),
// applying the zone's deliberate fault when it targets this RRset.
func (in *SignedInternet) signRRset(z *zone, k rrKey, rrs []dns.RR) []dns.RR {
	var fp strings.Builder
	fmt.Fprintf(&fp, "%d/%d/%s|", z.cfg.Break, z.cfg.BreakType, z.breakName)
	for _, k := range z.keys {
		fmt.Fprintf(&fp, "%d/%v/%v|", k.key.KeyTag(), k.ksk, k.signs)
	}
	for _, rr := range rrs {
		fp.WriteString(rr.String())
		fp.WriteByte('\n')
	}
	if c, ok := z.sigCache[k]; ok && c.fingerprint == fp.String() {
		return c.sigs
	}
	sigs := in.makeRRSIG(z, k, rrs)
	if z.sigCache == nil {
		z.sigCache = make(map[rrKey]cachedSig)
	}
	z.sigCache[k] = cachedSig{fingerprint: fp.String(), sigs: sigs}
	return sigs
}

// makeRRSIG signs one RRset for real, once with each signing key of its
// kind: the KSKs sign the DNSKEY RRset, the ZSKs everything else.
func (in *SignedInternet) makeRRSIG(z *zone, k rrKey, rrs []dns.RR) []dns.RR {
	broken := z.breaks(k)
	if broken == BreakMissingRRSIG {
		return nil
	}
	var out []dns.RR
	for _, zk := range z.keys {
		if zk.signs && zk.ksk == (k.rtype == dns.TypeDNSKEY) {
			out = append(out, in.signWith(z, zk, k, rrs, broken))
		}
	}
	return out
}

// signWith makes one RRSIG over rrs with key zk, applying the fault.
func (in *SignedInternet) signWith(z *zone, zk zoneKey, k rrKey, rrs []dns.RR, broken Break) dns.RR {
	key, priv := zk.key, zk.priv
	inception, expiration := in.now.Add(-time.Hour), in.now.Add(7*24*time.Hour)
	switch broken {
	case BreakExpiredRRSIG:
		inception, expiration = in.now.Add(-14*24*time.Hour), in.now.Add(-24*time.Hour)
	case BreakFutureRRSIG:
		inception, expiration = in.now.Add(24*time.Hour), in.now.Add(14*24*time.Hour)
	}
	sig := &dns.RRSIG{
		Hdr:        dns.RR_Header{Ttl: rrs[0].Header().Ttl},
		Algorithm:  key.Algorithm,
		KeyTag:     key.KeyTag(),
		SignerName: z.apex,
		Inception:  uint32(inception.Unix()),
		Expiration: uint32(expiration.Unix()),
	}
	switch {
	case key.Algorithm == dns.ED448:
		in.signED448(sig, priv.(ed448.PrivateKey), k, rrs)
	case canSign(key.Algorithm):
		if err := sig.Sign(priv, rrs); err != nil {
			in.t.Fatalf("probetest: sign %s %s: %v", k.name, dns.TypeToString[k.rtype], err)
		}
	default:
		// A validator cannot check this algorithm anyway; fill in the
		// fields Sign would have and random signature bytes.
		fillRRSIG(sig, rrs)
		sig.Signature = base64.StdEncoding.EncodeToString(randomBytes(114))
	}
	if broken == BreakBadSignature || (z.cfg.Break == BreakBogusDenial && (k.rtype == dns.TypeNSEC || k.rtype == dns.TypeNSEC3)) {
		raw, _ := base64.StdEncoding.DecodeString(sig.Signature)
		for i := range raw {
			raw[i] ^= 0x5a
		}
		sig.Signature = base64.StdEncoding.EncodeToString(raw)
	}
	return sig
}

// fillRRSIG sets the fields RRSIG.Sign derives from the RRset.
func fillRRSIG(sig *dns.RRSIG, rrs []dns.RR) {
	h := rrs[0].Header()
	sig.Hdr = dns.RR_Header{Name: h.Name, Rrtype: dns.TypeRRSIG, Class: h.Class, Ttl: h.Ttl}
	sig.TypeCovered = h.Rrtype
	sig.OrigTtl = h.Ttl
	sig.Labels = uint8(dns.CountLabel(h.Name))
	if strings.HasPrefix(h.Name, "*") {
		sig.Labels-- // a wildcard's own label does not count
	}
}

// signED448 signs with pure Ed448 and an empty context (RFC 8080 section
// 4) over the data RFC 4034 section 3.1.8.1 defines.
func (in *SignedInternet) signED448(sig *dns.RRSIG, priv ed448.PrivateKey, k rrKey, rrs []dns.RR) {
	fillRRSIG(sig, rrs)
	data, err := dnssec.SignedData(sig, rrs)
	if err != nil {
		in.t.Fatalf("probetest: sign %s %s: %v", k.name, dns.TypeToString[k.rtype], err)
	}
	sig.Signature = base64.StdEncoding.EncodeToString(ed448.Sign(priv, data, ""))
}

// breaks returns the signature fault that applies to the RRset k.
func (z *zone) breaks(k rrKey) Break {
	if z.breakName != "" && k.name != z.breakName {
		return BreakNone
	}
	switch z.cfg.Break {
	case BreakExpiredRRSIG, BreakFutureRRSIG, BreakBadSignature, BreakMissingRRSIG:
		if z.cfg.BreakType == k.rtype || (z.cfg.BreakType == 0 && k.rtype != dns.TypeDNSKEY) {
			return z.cfg.Break
		}
	}
	return BreakNone
}

// buildNSEC links the zone's authoritative names in canonical order (RFC 4034 section 4).
func (in *SignedInternet) buildNSEC(z *zone, sz *servedZone, typesAt map[string][]uint16, ttl uint32) {
	owners := make([]string, 0, len(typesAt))
	for n := range typesAt {
		owners = append(owners, n)
	}
	sort.Slice(owners, func(i, j int) bool { return canonicalLess(owners[i], owners[j]) })
	for i, owner := range owners {
		types := append([]uint16{dns.TypeNSEC, dns.TypeRRSIG}, typesAt[owner]...)
		nsec := &dns.NSEC{
			Hdr:        dns.RR_Header{Name: owner, Rrtype: dns.TypeNSEC, Class: dns.ClassINET, Ttl: ttl},
			NextDomain: owners[(i+1)%len(owners)],
			TypeBitMap: sortTypes(types),
		}
		k := rrKey{owner, dns.TypeNSEC}
		sz.rrsets[k] = []dns.RR{nsec}
		sz.sigs[k] = in.signRRset(z, k, sz.rrsets[k])
		sz.nsec = append(sz.nsec, nsec)
	}
}

// buildNSEC3 hashes every name (empty non-terminals included) and links the
// hashes in order (RFC 5155 section 7.1). With opt-out, unsigned delegations
// are left out of the chain.
func (in *SignedInternet) buildNSEC3(z *zone, sz *servedZone, typesAt map[string][]uint16, ttl uint32) {
	type entry struct {
		hash  string
		types []uint16
	}
	var entries []entry
	for n := range sz.names {
		types := typesAt[n]
		unsignedDelegation := sz.delegations[n] && len(sz.rrsets[rrKey{n, dns.TypeDS}]) == 0
		if z.cfg.OptOut && unsignedDelegation {
			continue
		}
		if len(types) > 0 && !unsignedDelegation {
			types = append(types, dns.TypeRRSIG)
		}
		entries = append(entries, entry{hash: dns.HashName(n, dns.SHA1, z.cfg.NSEC3Iterations, z.cfg.NSEC3Salt), types: types})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].hash < entries[j].hash })
	var flags uint8
	if z.cfg.OptOut {
		flags = 1
	}
	for i, e := range entries {
		owner := strings.ToLower(e.hash) + "." + z.apex
		if z.apex == "." {
			owner = strings.ToLower(e.hash) + "."
		}
		n3 := &dns.NSEC3{
			Hdr:        dns.RR_Header{Name: owner, Rrtype: dns.TypeNSEC3, Class: dns.ClassINET, Ttl: ttl},
			Hash:       dns.SHA1,
			Flags:      flags,
			Iterations: z.cfg.NSEC3Iterations,
			SaltLength: uint8(len(z.cfg.NSEC3Salt) / 2),
			Salt:       z.cfg.NSEC3Salt,
			HashLength: 20,
			NextDomain: entries[(i+1)%len(entries)].hash,
			TypeBitMap: sortTypes(e.types),
		}
		k := rrKey{owner, dns.TypeNSEC3}
		sz.rrsets[k] = []dns.RR{n3}
		sz.sigs[k] = in.signRRset(z, k, sz.rrsets[k])
		sz.nsec3 = append(sz.nsec3, n3)
	}
}

func sortTypes(ts []uint16) []uint16 {
	seen := map[uint16]bool{}
	var out []uint16
	for _, t := range ts {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
