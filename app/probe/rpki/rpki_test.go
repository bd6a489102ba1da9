package rpki

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tenderprobe/app/probe/probetest"
	"tenderprobe/app/probe/resolver"
)

const sampleVRPs = `{
  "metadata": {"buildtime": "2026-11-22T04:00:00Z", "vrps": 5},
  "roas": [
    {"asn": "AS64500", "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "ripe"},
    {"asn": 64501, "prefix": "198.51.100.0/22", "maxLength": 24, "ta": "arin"},
    {"asn": "AS0", "prefix": "203.0.113.0/24", "maxLength": 32, "ta": "apnic"},
    {"asn": "as64502", "prefix": "2001:db8::/32", "maxLength": 48, "source": [{"type": "roa"}]},
    {"asn": "64503", "prefix": "2001:db8:1::/48"}
  ]
}`

func TestParseVRPs(t *testing.T) {
	set, err := ParseVRPs([]byte(sampleVRPs))
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != 5 {
		t.Fatalf("got %d VRPs, want 5", set.Len())
	}
	want := []VRP{
		{64500, netip.MustParsePrefix("192.0.2.0/24"), 24},
		{64501, netip.MustParsePrefix("198.51.100.0/22"), 24},
		{0, netip.MustParsePrefix("203.0.113.0/24"), 32},
		{64502, netip.MustParsePrefix("2001:db8::/32"), 48},
		{64503, netip.MustParsePrefix("2001:db8:1::/48"), 48},
	}
	for i, w := range want {
		if set.VRPs[i] != w {
			t.Errorf("VRP %d = %v, want %v", i, set.VRPs[i], w)
		}
	}
}

func TestParseVRPsRejectsBadEntries(t *testing.T) {
	cases := []struct {
		name, doc, wantInErr string
	}{
		{"a document without roas is refused", `{"metadata":{}}`, `no "roas"`},
		{"an empty roas array is refused", `{"roas":[]}`, "empty"},
		{"broken JSON is refused", `{"roas":[`, "parse VRP JSON"},
		{"an AS number out of range names the entry", `{"roas":[{"asn":"AS1","prefix":"192.0.2.0/24","maxLength":24},{"asn":4294967296,"prefix":"192.0.2.0/24","maxLength":24}]}`, "roas[1]: asn"},
		{"a missing asn is refused", `{"roas":[{"prefix":"192.0.2.0/24","maxLength":24}]}`, "roas[0]: asn missing"},
		{"a word as AS is refused", `{"roas":[{"asn":"ASx","prefix":"192.0.2.0/24","maxLength":24}]}`, "roas[0]: asn"},
		{"a bad prefix is refused", `{"roas":[{"asn":1,"prefix":"192.0.2.0/33","maxLength":24}]}`, `roas[0]: prefix "192.0.2.0/33"`},
		{"host bits in the prefix are refused", `{"roas":[{"asn":1,"prefix":"192.0.2.1/24","maxLength":24}]}`, "host bits"},
		{"maxLength shorter than the prefix is refused", `{"roas":[{"asn":1,"prefix":"192.0.2.0/24","maxLength":16}]}`, "maxLength 16"},
		{"a second roas array is refused", `{"roas":[{"asn":1,"prefix":"192.0.2.0/24"}],"roas":[]}`, "twice"},
		{"trailing data after the document is refused", `{"roas":[{"asn":1,"prefix":"192.0.2.0/24"}]} {}`, "after the top-level"},
		{"roas that is not an array is refused", `{"roas":{}}`, "expected"},
		{"an asn with JSON escapes is refused", `{"roas":[{"asn":"AS\u0031","prefix":"192.0.2.0/24"}]}`, "roas[0]"},
		{"maxLength beyond the address size is refused", `{"roas":[{"asn":1,"prefix":"2001:db8::/32","maxLength":129}]}`, "maxLength 129"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseVRPs([]byte(c.doc))
			if err == nil || !strings.Contains(err.Error(), c.wantInErr) {
				t.Fatalf("err = %v, want it to contain %q", err, c.wantInErr)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	set, err := ParseVRPs([]byte(sampleVRPs))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		origin uint32
		route  string
		want   State
		nMatch int
	}{
		{"the authorised AS announcing the exact prefix is valid", 64500, "192.0.2.0/24", Valid, 1},
		{"another AS announcing the prefix is invalid", 64666, "192.0.2.0/24", Invalid, 1},
		{"a more-specific beyond maxLength is invalid", 64500, "192.0.2.128/25", Invalid, 1},
		{"a more-specific within maxLength is valid", 64501, "198.51.101.0/24", Valid, 1},
		{"a less-specific than any VRP is not found", 64500, "192.0.0.0/16", NotFound, 0},
		{"an uncovered prefix is not found", 64500, "100.100.0.0/16", NotFound, 0},
		{"a route covered only by an AS0 VRP is invalid", 0, "203.0.113.0/24", Invalid, 1},
		{"an IPv6 route within maxLength is valid", 64502, "2001:db8:ab00::/40", Valid, 1},
		{"an IPv6 route covered by two VRPs validates against the matching one", 64503, "2001:db8:1::/48", Valid, 1},
		{"an IPv6 route covered by two VRPs of other ASes is invalid with both listed", 64999, "2001:db8:1::/48", Invalid, 2},
		{"an IPv6 route too long for maxLength is invalid", 64502, "2001:db8:ab00::/56", Invalid, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, vrps := set.Validate(c.origin, netip.MustParsePrefix(c.route))
			if st != c.want || len(vrps) != c.nMatch {
				t.Fatalf("Validate(AS%d, %s) = %s with %v, want %s with %d VRPs", c.origin, c.route, st, vrps, c.want, c.nMatch)
			}
		})
	}
}

func TestLooseMaxLength(t *testing.T) {
	v := VRP{64501, netip.MustParsePrefix("198.51.100.0/22"), 24}
	if !LooseMaxLength(v, netip.MustParsePrefix("198.51.100.0/22")) {
		t.Error("a /22 route under a maxLength 24 VRP should be reported as loose (RFC 9319)")
	}
	if LooseMaxLength(v, netip.MustParsePrefix("198.51.100.0/24")) {
		t.Error("a /24 route under a maxLength 24 VRP is not loose")
	}
}

func TestSetLiteralIsIndexedOnFirstUse(t *testing.T) {
	s := &Set{VRPs: []VRP{{64500, netip.MustParsePrefix("192.0.2.0/24"), 24}}}
	if st, _ := s.Validate(64500, netip.MustParsePrefix("192.0.2.0/24")); st != Valid {
		t.Fatalf("state = %s, want valid", st)
	}
}

func TestLoadVRPs(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "vrps.json")
	if err := os.WriteFile(file, []byte(sampleVRPs), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/vrps.json" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, sampleVRPs)
	}))
	defer srv.Close()
	ctx := context.Background()

	t.Run("a local file loads", func(t *testing.T) {
		set, err := LoadVRPs(ctx, file, nil)
		if err != nil || set.Len() != 5 {
			t.Fatalf("got %v, %v", set, err)
		}
	})
	t.Run("an http URL loads", func(t *testing.T) {
		set, err := LoadVRPs(ctx, srv.URL+"/vrps.json", srv.Client())
		if err != nil || set.Len() != 5 {
			t.Fatalf("got %v, %v", set, err)
		}
	})
	t.Run("an http error status is reported", func(t *testing.T) {
		_, err := LoadVRPs(ctx, srv.URL+"/missing.json", srv.Client())
		if err == nil || !strings.Contains(err.Error(), "404") {
			t.Fatalf("err = %v, want a 404", err)
		}
	})
	t.Run("a missing file is reported", func(t *testing.T) {
		_, err := LoadVRPs(ctx, filepath.Join(dir, "nope.json"), nil)
		if err == nil || !strings.Contains(err.Error(), "nope.json") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a bad entry names the source and the entry", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.json")
		os.WriteFile(bad, []byte(`{"roas":[{"asn":"AS1","prefix":"nonsense","maxLength":24}]}`), 0o600)
		_, err := LoadVRPs(ctx, bad, nil)
		if err == nil || !strings.Contains(err.Error(), "bad.json") || !strings.Contains(err.Error(), "roas[0]") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestCymruName(t *testing.T) {
	cases := map[string]string{
		"192.0.2.1":        "1.2.0.192.origin.asn.cymru.com.",
		"::ffff:192.0.2.1": "1.2.0.192.origin.asn.cymru.com.",
		"2001:db8::1":      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.origin6.asn.cymru.com.",
	}
	for in, want := range cases {
		if got := CymruName(netip.MustParseAddr(in)); got != want {
			t.Errorf("CymruName(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestParseCymru(t *testing.T) {
	o, err := ParseCymru("64500 64501 | 192.0.2.0/24 | NL | ripencc | 2010-01-01")
	if err != nil {
		t.Fatal(err)
	}
	if len(o.ASNs) != 2 || o.ASNs[0] != 64500 || o.ASNs[1] != 64501 || o.Prefix.String() != "192.0.2.0/24" || o.Country != "NL" || o.Registry != "ripencc" || o.Allocated != "2010-01-01" {
		t.Fatalf("parsed %+v", o)
	}
	for _, bad := range []string{"", "64500", "x | 192.0.2.0/24", " | 192.0.2.0/24 | NL", "64500 | nonsense"} {
		if _, err := ParseCymru(bad); err == nil {
			t.Errorf("ParseCymru(%q) accepted", bad)
		}
	}
}

func TestLookupOrigins(t *testing.T) {
	srv := probetest.StartDNS(t,
		`1.2.0.192.origin.asn.cymru.com. 60 IN TXT "64500 | 192.0.2.0/24 | NL | ripencc | 2010-01-01"`,
		`1.2.0.192.origin.asn.cymru.com. 60 IN TXT "64510 | 192.0.0.0/16 | NL | ripencc | 2009-01-01"`,
		`1.100.51.198.origin.asn.cymru.com. 60 IN TXT "64501 | 203.0.113.0/24 | US | arin | 2010-01-01"`,
		`1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.origin6.asn.cymru.com. 60 IN TXT "64502 | 2001:db8::/32 | NL | ripencc | 2012-01-01"`,
	)
	q := resolver.NewCache(resolver.New(srv.Addr, 0))
	ctx := context.Background()

	t.Run("every covering route of an IPv4 address is returned", func(t *testing.T) {
		got, err := LookupOrigins(ctx, q, netip.MustParseAddr("192.0.2.1"))
		if err != nil || len(got) != 2 {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("an IPv6 address is looked up by nibbles", func(t *testing.T) {
		got, err := LookupOrigins(ctx, q, netip.MustParseAddr("2001:db8::1"))
		if err != nil || len(got) != 1 || got[0].ASNs[0] != 64502 {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("an address without an answer reports no origin", func(t *testing.T) {
		_, err := LookupOrigins(ctx, q, netip.MustParseAddr("192.0.2.99"))
		if err == nil || !strings.Contains(err.Error(), ErrNoOrigin.Error()) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("an answer for a prefix not containing the address is rejected", func(t *testing.T) {
		_, err := LookupOrigins(ctx, q, netip.MustParseAddr("198.51.100.1"))
		if err == nil || !strings.Contains(err.Error(), "does not cover") {
			t.Fatalf("err = %v", err)
		}
	})
}

func FuzzParseVRPs(f *testing.F) {
	f.Add([]byte(sampleVRPs))
	f.Add([]byte(`{"roas":[{"asn":"AS","prefix":"::/0","maxLength":-1}]}`))
	f.Add([]byte(`{"roas":[{"asn":1e3,"prefix":"1.2.3.4/32"}]}`))
	f.Add([]byte(`{"roas":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := ParseVRPs(data)
		if err != nil {
			return
		}
		for _, v := range set.VRPs {
			if !v.Prefix.IsValid() || v.MaxLength < v.Prefix.Bits() || v.MaxLength > v.Prefix.Addr().BitLen() {
				t.Fatalf("accepted an inconsistent VRP %v", v)
			}
			if st, _ := set.Validate(v.ASN, v.Prefix); v.ASN != 0 && st != Valid {
				t.Fatalf("VRP %v does not validate its own prefix: %s", v, st)
			}
		}
	})
}

// BenchmarkValidate measures one lookup against a set of 500,000 VRPs, the
// size of today's global RPKI.
func BenchmarkValidate(b *testing.B) {
	vrps := make([]VRP, 0, 500000)
	for i := 0; i < 400000; i++ {
		a := netip.AddrFrom4([4]byte{byte(1 + i>>16), byte(i >> 8), byte(i), 0})
		vrps = append(vrps, VRP{uint32(i), netip.PrefixFrom(a, 24), 24})
	}
	for i := 0; i < 100000; i++ {
		var a [16]byte
		a[0], a[1], a[2], a[3] = 0x2a, 0x01, byte(i>>8), byte(i)
		vrps = append(vrps, VRP{uint32(i), netip.PrefixFrom(netip.AddrFrom16(a), 32), 48})
	}
	set := NewSet(vrps)
	route4 := netip.MustParsePrefix("1.1.1.0/24")
	route6 := netip.MustParsePrefix("2a01:1:ab00::/40")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		set.Validate(257, route4)
		set.Validate(1, route6)
	}
}

// BenchmarkParseVRPs parses an rpki-client-sized export: 500,000 entries.
func BenchmarkParseVRPs(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"metadata":{"buildtime":"2026-11-22T04:00:00Z"},"roas":[`)
	for i := 0; i < 500000; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		if i%5 == 0 {
			fmt.Fprintf(&sb, `{"asn":%d,"prefix":"2a01:%x::/32","maxLength":48,"ta":"ripe","expires":1764000000}`, i, i%65536)
		} else {
			fmt.Fprintf(&sb, `{"asn":"AS%d","prefix":"%d.%d.%d.0/24","maxLength":24,"ta":"ripe","expires":1764000000}`, i, 1+i>>16, (i>>8)&255, i&255)
		}
	}
	sb.WriteString(`]}`)
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		set, err := ParseVRPs(data)
		if err != nil || set.Len() != 500000 {
			b.Fatalf("%v %v", set, err)
		}
	}
}

func FuzzParseCymru(f *testing.F) {
	f.Add("64500 | 192.0.2.0/24 | NL | ripencc | 2010-01-01")
	f.Add("64500 64501 | 2001:db8::/32 | | |")
	f.Fuzz(func(t *testing.T, txt string) {
		o, err := ParseCymru(txt)
		if err == nil && (len(o.ASNs) == 0 || !o.Prefix.IsValid()) {
			t.Fatalf("accepted %q as %+v", txt, o)
		}
	})
}
