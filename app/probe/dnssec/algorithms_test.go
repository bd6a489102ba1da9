package dnssec_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"testing"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/dnssec"
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
