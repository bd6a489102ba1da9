package probe

import (
	"strings"
	"testing"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/probetest"
)

func TestDefaultTrustAnchors(t *testing.T) {
	t.Parallel()
	anchors := DefaultTrustAnchors()
	want := map[uint16]string{
		20326: "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
		38696: "683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
	}
	t.Run("the built-in anchors are the IANA root KSK-2017 and KSK-2024 DS records", func(t *testing.T) {
		if len(anchors) != len(want) {
			t.Fatalf("%d anchors, want %d", len(anchors), len(want))
		}
		for _, rr := range anchors {
			ds, ok := rr.(*dns.DS)
			if !ok || ds.Hdr.Name != "." || ds.Algorithm != dns.RSASHA256 || ds.DigestType != dns.SHA256 {
				t.Fatalf("unexpected anchor %v", rr)
			}
			if !strings.EqualFold(want[ds.KeyTag], ds.Digest) {
				t.Errorf("key tag %d digest %s, want %s", ds.KeyTag, ds.Digest, want[ds.KeyTag])
			}
		}
	})
	t.Run("the built-in digests are the SHA-256 DS of the published root KSK DNSKEYs", func(t *testing.T) {
		// The root KSKs as published in the root zone (and in BIND's bind.keys):
		// hashing them must give the DS digests IANA lists, and their key tags.
		keys, err := ParseTrustAnchors(strings.NewReader(rootKSKs))
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 2 {
			t.Fatalf("%d keys parsed, want 2", len(keys))
		}
		for _, rr := range keys {
			k := rr.(*dns.DNSKEY)
			ds := k.ToDS(dns.SHA256)
			if want, ok := want[k.KeyTag()]; !ok || !strings.EqualFold(ds.Digest, want) {
				t.Errorf("key tag %d hashes to %s, built-in has %q", k.KeyTag(), ds.Digest, want)
			}
		}
	})
	t.Run("an engine without configured anchors uses the built-in ones", func(t *testing.T) {
		e, err := New(Config{Resolver: "127.0.0.1:53"})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(e.Config().TrustAnchors); got != 2 {
			t.Fatalf("%d anchors configured, want 2", got)
		}
	})
}

func TestParseTrustAnchors(t *testing.T) {
	t.Parallel()
	in := probetest.NewSignedInternet(t, probetest.SignedOptions{})
	ksk, _ := in.Keys(".")
	zsk := func() string { _, z := in.Keys("."); return z.String() }()

	cases := []struct {
		name    string
		text    string
		want    int    // records parsed when no error is expected
		wantErr string // substring of the error
	}{
		{"a DS line as the test internet writes it parses", in.TrustAnchorText(), 1, ""},
		{"the IANA DS records without TTL or class parse",
			". DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n. IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16\n", 2, ""},
		{"a DNSKEY line parses", ksk.String() + "\n", 1, ""},
		{"comments and blank lines are ignored",
			"; root anchors\n\n" + ksk.String() + " ; the KSK\n   \n;; end\n", 1, ""},
		{"a record split over lines with parentheses parses",
			". 172800 IN DS ( 20326 8 2\n  E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D ) ; KSK-2017\n", 1, ""},
		{"a zone-signing key is a valid anchor too", zsk + "\n", 1, ""},
		{"an empty file is refused", "", 0, "no DS or DNSKEY record found"},
		{"a file of comments only is refused", "; nothing here\n", 0, "no DS or DNSKEY record found"},
		{"a record of another type is refused with its line", "; header\n. 3600 IN A 127.0.0.1\n", 0, "line 2: A record is not a trust anchor"},
		{"an anchor for another zone is refused", "example.test. 3600 IN DS 1 13 2 " + strings.Repeat("AB", 32) + "\n", 0, "line 1: trust anchor owner is \"example.test.\""},
		{"a syntax error names the line", ". DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n. DS twenty 8 2 AB\n", 0, "line 2: dns: bad DS KeyTag"},
		{"a short digest is refused", ". DS 20326 8 2 E06D44B80B8F\n", 0, "line 1: DS digest must be 64 hexadecimal characters"},
		{"an unknown digest type is refused", ". DS 20326 8 9 " + strings.Repeat("AB", 32) + "\n", 0, "line 1: DS digest type 9 is not supported"},
		{"an unsupported algorithm is refused", ". DS 20326 17 2 " + strings.Repeat("AB", 32) + "\n", 0, "line 1: DS algorithm 17 is not supported"},
		{"a DNSKEY without the zone key flag is refused", ". 3600 IN DNSKEY 0 3 13 " + ksk.PublicKey + "\n", 0, "line 1: DNSKEY is not a zone key"},
		{"an unclosed parenthesis names its line", "\n. DS ( 20326 8 2\n E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n", 0, "line 2: \"(\" is never closed"},
		{"a stray closing parenthesis names its line", ". DS 20326 8 2 AB )\n", 0, "line 1: unbalanced"},
		{"a directive is refused", "$ORIGIN .\n", 0, "line 1: directive \"$ORIGIN\" is not supported"},
		{"a bad line after good ones names the right line",
			in.TrustAnchorText() + "\n; gap\n. DS 1 8 2 XYZ\n", 0, "line 4"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTrustAnchors(strings.NewReader(tc.text))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if len(got) != tc.want {
				t.Fatalf("%d records, want %d: %v", len(got), tc.want, got)
			}
		})
	}
}

// rootKSKs are the root zone's key-signing keys KSK-2017 and KSK-2024.
const rootKSKs = `. 172800 IN DNSKEY 257 3 8 (
	AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3
	+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kv
	ArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF
	0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+e
	oZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfd
	RUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwN
	R1AkUTV74bU= ) ; KSK-2017, key tag 20326
. 172800 IN DNSKEY 257 3 8 (
	AwEAAa96jeuknZlaeSrvyAJj6ZHv28hhOKkx3rLGXVaC6rXTsDc449/c
	idltpkyGwCJNnOAlFNKF2jBosZBU5eeHspaQWOmOElZsjICMQMC3aeHb
	GiShvZsx4wMYSjH8e7Vrhbu6irwCzVBApESjbUdpWWmEnhathWu1jo+s
	iFUiRAAxm9qyJNg/wOZqqzL/dL/q8PkcRU5oUKEpUge71M3ej2/7CPqp
	dVwuMoTvoB+ZOT4YeGyxMvHmbrxlFzGOHOijtzN+u1TQNatX2XBuzZNQ
	1K+s2CXkPIZo7s6JgZyvaBevYtxPvYLw4z9mR7K2vaF18UYH9Z9GNUUe
	ayffKC73PYc= ) ; KSK-2024, key tag 38696
`
