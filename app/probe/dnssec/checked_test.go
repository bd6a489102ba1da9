package dnssec

import (
	"crypto"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// A remembered signature check answers only for the very same signature,
// key and records: a changed record or another key is checked afresh.
func TestVerifySigRemembersOnlyTheSameSignatureKeyAndRecords(t *testing.T) {
	newKey := func() (*dns.DNSKEY, crypto.Signer) {
		k := &dns.DNSKEY{Hdr: dns.RR_Header{Name: "memo.test.", Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 300},
			Flags: 257, Protocol: 3, Algorithm: dns.ECDSAP256SHA256}
		priv, err := k.Generate(256)
		if err != nil {
			t.Fatal(err)
		}
		return k, priv.(crypto.Signer)
	}
	key, priv := newKey()
	other, _ := newKey()
	a := func(ip string) []dns.RR {
		rr, err := dns.NewRR("www.memo.test. 300 IN A " + ip)
		if err != nil {
			t.Fatal(err)
		}
		return []dns.RR{rr}
	}
	sig := &dns.RRSIG{Hdr: dns.RR_Header{Name: "www.memo.test.", Rrtype: dns.TypeRRSIG, Class: dns.ClassINET, Ttl: 300},
		KeyTag: key.KeyTag(), SignerName: key.Hdr.Name, Algorithm: key.Algorithm,
		Inception: uint32(time.Now().Add(-time.Hour).Unix()), Expiration: uint32(time.Now().Add(time.Hour).Unix())}
	if err := sig.Sign(priv, a("192.0.2.1")); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		key   *dns.DNSKEY
		rrset []dns.RR
		ok    bool
	}{
		{"the signed records verify", key, a("192.0.2.1"), true},
		{"the same check again verifies from memory", key, a("192.0.2.1"), true},
		{"another address under the same signature fails", key, a("192.0.2.2"), false},
		{"the same records under another key fail", other, a("192.0.2.1"), false},
		{"the signed records still verify afterwards", key, a("192.0.2.1"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := verifySig(sig, tt.key, tt.rrset); (err == nil) != tt.ok {
				t.Errorf("verifySig = %v, want ok %v", err, tt.ok)
			}
			id, _ := sigID(sig, tt.key, tt.rrset)
			if _, seen := checkedSigs.get(id); !seen {
				t.Error("the outcome was not remembered")
			}
		})
	}
}
