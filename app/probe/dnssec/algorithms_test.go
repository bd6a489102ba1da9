package dnssec_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/dnssec"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/app/probe/resolver"
)

// TestSignedDataIsWhatMiekgSigns checks the signed data the validator
// builds for Ed448 against miekg/dns's own: an Ed25519 signature, made by
// miekg/dns over its data, must verify over ours, for RRsets whose
// canonical form needs work (mixed case, wildcards, unsorted RDATA).
func TestSignedDataIsWhatMiekgSigns(t *testing.T) {
	key := &dns.DNSKEY{Hdr: dns.RR_Header{Name: "example.test.", Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags: 256, Protocol: 3, Algorithm: dns.ED25519}
	priv, err := key.Generate(256)
	if err != nil {
		t.Fatal(err)
	}
	rrsets := map[string][]string{
		"an MX RRset with upper-case names in the RDATA, out of order": {
			"Example.TEST. 300 IN MX 20 MX2.Example.test.", "example.test. 300 IN MX 10 mx1.example.test.",
		},
		"a wildcard RRset": {"*.wild.example.test. 300 IN A 192.0.2.2", "*.wild.example.test. 300 IN A 192.0.2.1"},
		"an SOA":           {"example.test. 3600 IN SOA NS1.example.test. Hostmaster.example.test. 1 7200 3600 1209600 300"},
	}
	for name, lines := range rrsets {
		t.Run(name+" gives the bytes miekg/dns signs", func(t *testing.T) {
			var rrs []dns.RR
			for _, l := range lines {
				rr, err := dns.NewRR(l)
				if err != nil {
					t.Fatal(err)
				}
				rrs = append(rrs, rr)
			}
			sig := &dns.RRSIG{Algorithm: dns.ED25519, KeyTag: key.KeyTag(), SignerName: "example.test.",
				Inception: uint32(time.Now().Add(-time.Hour).Unix()), Expiration: uint32(time.Now().Add(time.Hour).Unix())}
			if err := sig.Sign(priv.(ed25519.PrivateKey), rrs); err != nil {
				t.Fatal(err)
			}
			data, err := dnssec.SignedData(sig, rrs)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := base64.StdEncoding.DecodeString(sig.Signature)
			pub, _ := base64.StdEncoding.DecodeString(key.PublicKey)
			if !ed25519.Verify(pub, data, raw) {
				t.Fatal("miekg/dns's signature does not verify over SignedData")
			}
			sig.Inception++
			data, _ = dnssec.SignedData(sig, rrs)
			if ed25519.Verify(pub, data, raw) {
				t.Fatal("a changed RRSIG field still verifies: the RRSIG RDATA is not in the signed data")
			}
		})
	}
}

func TestValidatorNamesTheLinksThatHoldOnlyThroughSHA1(t *testing.T) {
	in := probetest.NewSignedInternet(t, probetest.SignedOptions{})
	a := []string{"@ 300 IN A 127.0.0.1"}
	for _, z := range []probetest.Zone{
		{Name: "p256.test.", Records: a},
		{Name: "rsasha1.test.", Algorithm: dns.RSASHA1, Records: a},
		{Name: "nsec3rsasha1.test.", Algorithm: dns.RSASHA1NSEC3SHA1, NSEC3: true, Records: a},
		{Name: "ds-sha1.test.", DigestTypes: []uint8{dns.SHA1}, Records: a},
		{Name: "ds-both.test.", DigestTypes: []uint8{dns.SHA1, dns.SHA256}, Records: a},
		{Name: "sha1-everything.test.", Algorithm: dns.RSASHA1, DigestTypes: []uint8{dns.SHA1}, Records: a},
		{Name: "cname.test.", Records: []string{"www 300 IN CNAME rsasha1.test."}},
		{Name: "unknown.test.", Algorithm: 17, Records: a},
	} {
		in.AddZone(z)
	}
	srv := in.Serve(t)
	v := dnssec.New(resolver.New(srv.Addr, 5*time.Second), in.TrustAnchor())
	tests := []struct {
		name        string
		qname       string
		security    dnssec.Security
		unsupported bool
		phaseOut    []string // the codes, in order
	}{
		{"an ECDSA zone with a SHA-256 DS has no weak link", "p256.test", dnssec.Secure, false, nil},
		{"an RSASHA1 zone is secure with its algorithm named", "rsasha1.test", dnssec.Secure, false, []string{"dnssec_why_sha1_algorithm"}},
		{"an RSASHA1-NSEC3-SHA1 zone is secure with its algorithm named", "nsec3rsasha1.test", dnssec.Secure, false, []string{"dnssec_why_sha1_algorithm"}},
		{"a SHA-1 DS alone is secure with the digest named", "ds-sha1.test", dnssec.Secure, false, []string{"dnssec_why_ds_sha1_only"}},
		{"a SHA-1 DS next to a SHA-256 one is no weak link", "ds-both.test", dnssec.Secure, false, nil},
		{"SHA-1 everywhere names both", "sha1-everything.test", dnssec.Secure, false, []string{"dnssec_why_sha1_algorithm", "dnssec_why_ds_sha1_only"}},
		{"a CNAME into an RSASHA1 zone carries the weak link along", "www.cname.test", dnssec.Secure, false, []string{"dnssec_why_sha1_algorithm"}},
		{"an unknown algorithm is insecure, marked unsupported, with no weak link", "unknown.test", dnssec.Insecure, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := v.Validate(context.Background(), tt.qname, dns.TypeA)
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, w := range res.PhaseOut {
				codes = append(codes, w.Code)
			}
			if res.Security != tt.security || res.Unsupported != tt.unsupported || fmt.Sprint(codes) != fmt.Sprint(tt.phaseOut) {
				t.Fatalf("got %s unsupported=%v phase-out %v (%s), want %s %v %v", res.Security, res.Unsupported, codes, res.Reason, tt.security, tt.unsupported, tt.phaseOut)
			}
		})
	}
}
