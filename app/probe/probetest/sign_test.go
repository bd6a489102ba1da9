package probetest

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cloudflare/circl/sign/ed448"
	"github.com/miekg/dns"

	"tenderprobe/app/probe/dnssec"
)

func query(t *testing.T, addr, name string, qtype uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.CheckingDisabled = true
	m.SetEdns0(4096, true)
	c := &dns.Client{Net: "tcp"}
	resp, _, err := c.Exchange(m, addr)
	if err != nil {
		t.Fatalf("query %s: %v", name, err)
	}
	return resp
}

func split(rrs []dns.RR) (data []dns.RR, sigs []*dns.RRSIG) {
	for _, rr := range rrs {
		if s, ok := rr.(*dns.RRSIG); ok {
			sigs = append(sigs, s)
		} else {
			data = append(data, rr)
		}
	}
	return data, sigs
}

func TestSignedInternet(t *testing.T) {
	in := NewSignedInternet(t, SignedOptions{})
	in.AddZone(Zone{Name: "example.test.", Records: []string{"@ 300 IN A 127.0.0.1", "a.b 300 IN TXT hello"}})
	in.AddZone(Zone{Name: "n3.test.", NSEC3: true, Records: []string{"www 300 IN A 127.0.0.1"}})
	in.AddZone(Zone{Name: "unsigned.test.", Unsigned: true})
	srv := in.Serve(t)

	t.Run("an answer carries an RRSIG that verifies with the zone's ZSK", func(t *testing.T) {
		_, zsk := in.Keys("example.test.")
		data, sigs := split(query(t, srv.Addr, "example.test.", dns.TypeA).Answer)
		if len(data) != 1 || len(sigs) != 1 {
			t.Fatalf("answer %v", data)
		}
		if err := sigs[0].Verify(zsk, data); err != nil {
			t.Fatalf("verify: %v", err)
		}
		if !sigs[0].ValidityPeriod(in.Now()) {
			t.Fatal("signature not valid now")
		}
	})
	t.Run("the parent's DS matches the child's KSK", func(t *testing.T) {
		ksk, _ := in.Keys("example.test.")
		data, sigs := split(query(t, srv.Addr, "example.test.", dns.TypeDS).Answer)
		if len(data) != 1 || len(sigs) != 1 || sigs[0].SignerName != "test." {
			t.Fatalf("DS answer %v %v", data, sigs)
		}
		if ds := ksk.ToDS(dns.SHA256); ds.Digest != data[0].(*dns.DS).Digest {
			t.Fatalf("DS digest %s, want %s", data[0].(*dns.DS).Digest, ds.Digest)
		}
	})
	t.Run("a missing name gets NXDOMAIN with covering NSEC records", func(t *testing.T) {
		resp := query(t, srv.Addr, "nope.example.test.", dns.TypeA)
		if resp.Rcode != dns.RcodeNameError {
			t.Fatalf("rcode %s", dns.RcodeToString[resp.Rcode])
		}
		nsecs := 0
		for _, rr := range resp.Ns {
			if rr.Header().Rrtype == dns.TypeNSEC {
				nsecs++
			}
		}
		if nsecs == 0 {
			t.Fatalf("no NSEC in %v", resp.Ns)
		}
	})
	t.Run("an empty non-terminal answers NODATA, not NXDOMAIN", func(t *testing.T) {
		if resp := query(t, srv.Addr, "b.example.test.", dns.TypeA); resp.Rcode != dns.RcodeSuccess {
			t.Fatalf("rcode %s", dns.RcodeToString[resp.Rcode])
		}
	})
	t.Run("an NSEC3 zone proves NXDOMAIN with a closest encloser proof", func(t *testing.T) {
		resp := query(t, srv.Addr, "nope.n3.test.", dns.TypeA)
		var n3 []*dns.NSEC3
		for _, rr := range resp.Ns {
			if n, ok := rr.(*dns.NSEC3); ok {
				n3 = append(n3, n)
			}
		}
		var match, cover, wild bool
		for _, n := range n3 {
			match = match || n.Match("n3.test.")
			cover = cover || n.Cover("nope.n3.test.")
			wild = wild || n.Cover("*.n3.test.")
		}
		if !match || !cover || !wild {
			t.Fatalf("proof incomplete (match %v cover %v wildcard %v): %v", match, cover, wild, n3)
		}
	})
	t.Run("an unsigned delegation has NS but no DS in the parent's NSEC", func(t *testing.T) {
		resp := query(t, srv.Addr, "unsigned.test.", dns.TypeDS)
		for _, rr := range resp.Ns {
			if n, ok := rr.(*dns.NSEC); ok && n.Hdr.Name == "unsigned.test." {
				return
			}
		}
		t.Fatalf("no NSEC at the delegation: %v", resp.Ns)
	})
	t.Run("a fault set later shows in the answers and can be repaired", func(t *testing.T) {
		in.SetBreak("example.test.", BreakMissingRRSIG, dns.TypeA)
		if _, sigs := split(query(t, srv.Addr, "example.test.", dns.TypeA).Answer); len(sigs) != 0 {
			t.Fatalf("A still signed: %v", sigs)
		}
		in.SetBreak("example.test.", BreakDSMismatch, 0)
		ksk, _ := in.Keys("example.test.")
		data, _ := split(query(t, srv.Addr, "example.test.", dns.TypeDS).Answer)
		if len(data) != 1 || data[0].(*dns.DS).Digest == ksk.ToDS(dns.SHA256).Digest {
			t.Fatalf("DS still matches: %v", data)
		}
		in.SetBreak("example.test.", BreakNone, 0)
		data, _ = split(query(t, srv.Addr, "example.test.", dns.TypeDS).Answer)
		if len(data) != 1 || data[0].(*dns.DS).Digest != ksk.ToDS(dns.SHA256).Digest {
			t.Fatalf("DS not repaired: %v", data)
		}
		if _, sigs := split(query(t, srv.Addr, "example.test.", dns.TypeA).Answer); len(sigs) != 1 {
			t.Fatalf("A not signed again: %v", sigs)
		}
	})
	t.Run("records added later are signed", func(t *testing.T) {
		srv.Add(t, "_443._tcp.example.test. 300 IN TLSA 3 1 1 0123456789abcdef")
		_, zsk := in.Keys("example.test.")
		data, sigs := split(query(t, srv.Addr, "_443._tcp.example.test.", dns.TypeTLSA).Answer)
		if len(data) != 1 || len(sigs) != 1 {
			t.Fatalf("answer %v", data)
		}
		if err := sigs[0].Verify(zsk, data); err != nil {
			t.Fatalf("verify: %v", err)
		}
	})
}

// BenchmarkLargeZone signs a zone of 2,000 names once, then measures
// negative answers from it (the NSEC chain is searched, not scanned), and
// adding one record (only the changed RRsets are signed again).
func BenchmarkLargeZone(b *testing.B) {
	var records []string
	for i := 0; i < 2000; i++ {
		records = append(records, fmt.Sprintf("d%d 300 IN A 127.0.0.1", i), fmt.Sprintf("d%d 300 IN TXT \"v=spf1 -all\"", i))
	}
	for _, nsec3 := range []bool{false, true} {
		in := NewSignedInternet(b, SignedOptions{})
		start := time.Now()
		in.AddZone(Zone{Name: "bulk.test.", NSEC3: nsec3, Records: records})
		b.Logf("NSEC3 %v: signing 4,000 RRsets took %v", nsec3, time.Since(start))
		srv := in.Serve(b)
		c := &dns.Client{Net: "tcp"}
		b.Run(fmt.Sprintf("nxdomain/nsec3=%v", nsec3), func(b *testing.B) {
			m := new(dns.Msg)
			m.SetQuestion("nope.d1234.bulk.test.", dns.TypeA)
			m.SetEdns0(4096, true)
			for b.Loop() {
				resp, _, err := c.Exchange(m, srv.Addr)
				if err != nil || resp.Rcode != dns.RcodeNameError || len(resp.Ns) < 4 {
					b.Fatalf("%v %v", resp, err)
				}
			}
		})
		b.Run(fmt.Sprintf("add-one-record/nsec3=%v", nsec3), func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				in.Add(b, fmt.Sprintf("x%d.bulk.test. 300 IN A 127.0.0.1", i))
			}
		})
	}
}

func TestSignedInternetKeysAndDelegations(t *testing.T) {
	in := NewSignedInternet(t, SignedOptions{})
	in.AddZone(Zone{Name: "ed448.test.", Algorithm: dns.ED448, Records: []string{"@ 300 IN A 127.0.0.1", "*.wild 300 IN A 127.0.0.2"}})
	in.AddZone(Zone{Name: "roll.test.", KSKs: 2, ZSKs: 2, SigningZSKs: []int{1}, DSFor: []int{1}, DigestTypes: []uint8{dns.SHA1, dns.SHA384},
		ExtraDS: []string{"12345 17 2 " + strings.Repeat("AB", 32)}, Records: []string{"@ 300 IN A 127.0.0.1"}})
	in.AddZone(Zone{Name: "partial.test.", Break: BreakMissingRRSIG, BreakType: dns.TypeA, BreakName: "www", Records: []string{"@ 300 IN A 127.0.0.1", "www 300 IN A 127.0.0.1"}})
	in.AddZone(Zone{Name: "ds-only.test.", Unsigned: true, Break: BreakDSForUnsigned, Records: []string{"@ 300 IN A 127.0.0.1"}})
	srv := in.Serve(t)

	dnskeys := func(t *testing.T, zone string) map[uint16]*dns.DNSKEY {
		data, _ := split(query(t, srv.Addr, zone, dns.TypeDNSKEY).Answer)
		out := map[uint16]*dns.DNSKEY{}
		for _, rr := range data {
			k := rr.(*dns.DNSKEY)
			out[k.KeyTag()] = k
		}
		return out
	}
	t.Run("an Ed448 signature verifies with circl over the RFC 4034 signed data, wildcards too", func(t *testing.T) {
		_, zsk := in.Keys("ed448.test.")
		pub, _ := base64.StdEncoding.DecodeString(zsk.PublicKey)
		for _, name := range []string{"ed448.test.", "x.wild.ed448.test."} {
			data, sigs := split(query(t, srv.Addr, name, dns.TypeA).Answer)
			if len(data) != 1 || len(sigs) != 1 || sigs[0].Algorithm != dns.ED448 {
				t.Fatalf("%s: answer %v %v", name, data, sigs)
			}
			signed, err := dnssec.SignedData(sigs[0], data)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := base64.StdEncoding.DecodeString(sigs[0].Signature)
			if !ed448.Verify(pub, signed, raw, "") {
				t.Fatalf("%s: Ed448 signature does not verify", name)
			}
		}
	})
	t.Run("every KSK signs the DNSKEY RRset, only the chosen ZSK the data", func(t *testing.T) {
		keys := dnskeys(t, "roll.test.")
		if len(keys) != 4 {
			t.Fatalf("%d keys, want 4", len(keys))
		}
		_, sigs := split(query(t, srv.Addr, "roll.test.", dns.TypeDNSKEY).Answer)
		for _, s := range sigs {
			if keys[s.KeyTag].Flags&dns.SEP == 0 {
				t.Errorf("DNSKEY RRset signed by ZSK %d", s.KeyTag)
			}
		}
		_, asigs := split(query(t, srv.Addr, "roll.test.", dns.TypeA).Answer)
		if len(sigs) != 2 || len(asigs) != 1 || keys[asigs[0].KeyTag].Flags&dns.SEP != 0 {
			t.Fatalf("DNSKEY signatures %v, A signatures %v", sigs, asigs)
		}
	})
	t.Run("the DS set holds the chosen KSK in each digest type, plus the extra DS", func(t *testing.T) {
		keys := dnskeys(t, "roll.test.")
		data, _ := split(query(t, srv.Addr, "roll.test.", dns.TypeDS).Answer)
		digests := map[uint8]int{}
		var tags []uint16
		for _, rr := range data {
			ds := rr.(*dns.DS)
			digests[ds.DigestType]++
			if k := keys[ds.KeyTag]; k != nil && k.ToDS(ds.DigestType).Digest == ds.Digest {
				tags = append(tags, ds.KeyTag)
			}
		}
		if len(data) != 3 || digests[dns.SHA1] != 1 || digests[dns.SHA384] != 1 || digests[dns.SHA256] != 1 || len(tags) != 2 || tags[0] != tags[1] {
			t.Fatalf("DS set %v", data)
		}
	})
	t.Run("a fault on one name leaves the zone's other RRsets of the type signed", func(t *testing.T) {
		if _, sigs := split(query(t, srv.Addr, "www.partial.test.", dns.TypeA).Answer); len(sigs) != 0 {
			t.Fatalf("www signed: %v", sigs)
		}
		if _, sigs := split(query(t, srv.Addr, "partial.test.", dns.TypeA).Answer); len(sigs) != 1 {
			t.Fatalf("apex not signed: %v", sigs)
		}
	})
	t.Run("a zone served unsigned can still have a DS in its parent", func(t *testing.T) {
		if data, _ := split(query(t, srv.Addr, "ds-only.test.", dns.TypeDS).Answer); len(data) != 1 {
			t.Fatalf("DS %v", data)
		}
		if len(dnskeys(t, "ds-only.test.")) != 0 {
			t.Fatal("the zone serves DNSKEY records")
		}
	})
}
