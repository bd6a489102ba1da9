package dnssec

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/cloudflare/circl/sign/ed448"
	"github.com/miekg/dns"
)

// algorithmSupported lists the signing algorithms the validator can verify:
// those of miekg/dns, and Ed448 (RFC 8080) through circl, since RFC 8624
// section 3.1 recommends validating it.
func algorithmSupported(a uint8) bool {
	switch a {
	case dns.RSASHA1, dns.RSASHA1NSEC3SHA1, dns.RSASHA256, dns.RSASHA512,
		dns.ECDSAP256SHA256, dns.ECDSAP384SHA384, dns.ED25519, dns.ED448:
		return true
	}
	return false
}

// AlgorithmSupported reports whether the validator can verify signatures
// of DNSKEY algorithm a; a zone signed only with others is insecure.
func AlgorithmSupported(a uint8) bool { return algorithmSupported(a) }

// sha1Algorithm reports the signing algorithms built on SHA-1, which RFC
// 9905 (updating RFC 8624) says validators should stop trusting: a zone
// that relies on them is secure today, but about to be insecure for many
// resolvers.
func sha1Algorithm(a uint8) bool { return a == dns.RSASHA1 || a == dns.RSASHA1NSEC3SHA1 }

// verifySig is RRSIG.Verify for every supported algorithm: miekg/dns for
// all but Ed448, which it cannot verify, and circl for Ed448. The outcome
// depends on nothing but the signature, key and records (the validity
// period is checked by the caller), so it is remembered by their wire
// form (checkedSigs): the root's and a TLD's keys are verified once, not
// once per domain of a batch.
func verifySig(sig *dns.RRSIG, key *dns.DNSKEY, rrset []dns.RR) error {
	id, ok := sigID(sig, key, rrset)
	if ok {
		if err, seen := checkedSigs.get(id); seen {
			return err
		}
	}
	err := verifySigNow(sig, key, rrset)
	if ok {
		checkedSigs.put(id, err)
	}
	return err
}

// verifySigNow is verifySig without the memory.
func verifySigNow(sig *dns.RRSIG, key *dns.DNSKEY, rrset []dns.RR) error {
	if sig.Algorithm != dns.ED448 {
		return sig.Verify(key, rrset)
	}
	if err := checkSigFits(sig, key, rrset); err != nil {
		return err
	}
	pub, err := base64.StdEncoding.DecodeString(key.PublicKey)
	if err != nil || len(pub) != ed448.PublicKeySize {
		return dns.ErrKey
	}
	raw, err := base64.StdEncoding.DecodeString(sig.Signature)
	if err != nil || len(raw) != ed448.SignatureSize {
		return dns.ErrSig
	}
	data, err := SignedData(sig, rrset)
	if err != nil {
		return err
	}
	// RFC 8080 section 4: pure Ed448 with an empty context.
	if !ed448.Verify(ed448.PublicKey(pub), data, raw, "") {
		return dns.ErrSig
	}
	return nil
}

// checkSigFits makes the checks RRSIG.Verify makes before any cryptography
// (RFC 4035 section 5.3.1): the key is the one the signature names, a zone
// key of protocol 3, and the RRSIG covers this RRset.
func checkSigFits(sig *dns.RRSIG, key *dns.DNSKEY, rrset []dns.RR) error {
	if !dns.IsRRset(rrset) {
		return dns.ErrRRset
	}
	if sig.KeyTag != key.KeyTag() || sig.Algorithm != key.Algorithm || key.Protocol != 3 || key.Flags&dns.ZONE == 0 ||
		canonical(sig.SignerName) != canonical(key.Hdr.Name) || sig.Hdr.Class != key.Hdr.Class {
		return dns.ErrKey
	}
	h := rrset[0].Header()
	if h.Class != sig.Hdr.Class || h.Rrtype != sig.TypeCovered || dns.CountLabel(h.Name) < int(sig.Labels) ||
		canonical(h.Name) != canonical(sig.Hdr.Name) || !dns.IsSubDomain(canonical(sig.SignerName), canonical(h.Name)) {
		return dns.ErrRRset
	}
	return nil
}

// SignedData is what an RRSIG signs (RFC 4034 section 3.1.8.1): the RRSIG
// RDATA without its signature, then the RRset in canonical form and order
// (section 6), owner names restored to the wildcard the labels field says.
// The validator verifies Ed448 signatures over it; the test signer signs
// with it.
func SignedData(sig *dns.RRSIG, rrset []dns.RR) ([]byte, error) {
	if len(rrset) == 0 {
		return nil, errors.New("dnssec: empty RRset")
	}
	var buf bytes.Buffer
	var head [18]byte
	binary.BigEndian.PutUint16(head[0:], sig.TypeCovered)
	head[2] = sig.Algorithm
	head[3] = sig.Labels
	binary.BigEndian.PutUint32(head[4:], sig.OrigTtl)
	binary.BigEndian.PutUint32(head[8:], sig.Expiration)
	binary.BigEndian.PutUint32(head[12:], sig.Inception)
	binary.BigEndian.PutUint16(head[16:], sig.KeyTag)
	buf.Write(head[:])
	signer := make([]byte, 256)
	n, err := dns.PackDomainName(dns.CanonicalName(sig.SignerName), signer, 0, nil, false)
	if err != nil {
		return nil, fmt.Errorf("dnssec: pack signer name %q: %w", sig.SignerName, err)
	}
	buf.Write(signer[:n])

	type wireRR struct{ all, rdata []byte }
	wires := make([]wireRR, 0, len(rrset))
	for _, rr := range rrset {
		c := dns.Copy(rr)
		h := c.Header()
		h.Ttl = sig.OrigTtl
		if labels := dns.SplitDomainName(h.Name); len(labels) > int(sig.Labels) {
			h.Name = "*." + strings.Join(labels[len(labels)-int(sig.Labels):], ".") + "."
			if sig.Labels == 0 {
				h.Name = "*."
			}
		}
		h.Name = dns.CanonicalName(h.Name)
		lowerRdataNames(c)
		w := make([]byte, dns.Len(c)+1)
		off, err := dns.PackRR(c, w, 0, nil, false)
		if err != nil {
			return nil, fmt.Errorf("dnssec: pack %s: %w", rr.String(), err)
		}
		w = w[:off]
		_, nameEnd, err := dns.UnpackDomainName(w, 0)
		if err != nil {
			return nil, fmt.Errorf("dnssec: unpack owner of %s: %w", rr.String(), err)
		}
		wires = append(wires, wireRR{all: w, rdata: w[nameEnd+10:]})
	}
	// Canonical order compares the RDATA as octet strings (section 6.3);
	// duplicates count once.
	sort.Slice(wires, func(i, j int) bool { return bytes.Compare(wires[i].rdata, wires[j].rdata) < 0 })
	for i, w := range wires {
		if i > 0 && bytes.Equal(w.all, wires[i-1].all) {
			continue
		}
		buf.Write(w.all)
	}
	return buf.Bytes(), nil
}

// lowerRdataNames lowercases the domain names inside the RDATA of the
// types RFC 4034 section 6.2 lists, as corrected by RFC 6840 section 5.1.
func lowerRdataNames(rr dns.RR) {
	switch x := rr.(type) {
	case *dns.NS:
		x.Ns = dns.CanonicalName(x.Ns)
	case *dns.MD:
		x.Md = dns.CanonicalName(x.Md)
	case *dns.MF:
		x.Mf = dns.CanonicalName(x.Mf)
	case *dns.CNAME:
		x.Target = dns.CanonicalName(x.Target)
	case *dns.SOA:
		x.Ns, x.Mbox = dns.CanonicalName(x.Ns), dns.CanonicalName(x.Mbox)
	case *dns.MB:
		x.Mb = dns.CanonicalName(x.Mb)
	case *dns.MG:
		x.Mg = dns.CanonicalName(x.Mg)
	case *dns.MR:
		x.Mr = dns.CanonicalName(x.Mr)
	case *dns.PTR:
		x.Ptr = dns.CanonicalName(x.Ptr)
	case *dns.MINFO:
		x.Rmail, x.Email = dns.CanonicalName(x.Rmail), dns.CanonicalName(x.Email)
	case *dns.MX:
		x.Mx = dns.CanonicalName(x.Mx)
	case *dns.RP:
		x.Mbox, x.Txt = dns.CanonicalName(x.Mbox), dns.CanonicalName(x.Txt)
	case *dns.AFSDB:
		x.Hostname = dns.CanonicalName(x.Hostname)
	case *dns.RT:
		x.Host = dns.CanonicalName(x.Host)
	case *dns.SIG:
		x.SignerName = dns.CanonicalName(x.SignerName)
	case *dns.PX:
		x.Map822, x.Mapx400 = dns.CanonicalName(x.Map822), dns.CanonicalName(x.Mapx400)
	case *dns.NAPTR:
		x.Replacement = dns.CanonicalName(x.Replacement)
	case *dns.KX:
		x.Exchanger = dns.CanonicalName(x.Exchanger)
	case *dns.SRV:
		x.Target = dns.CanonicalName(x.Target)
	case *dns.DNAME:
		x.Target = dns.CanonicalName(x.Target)
	}
}
