package probe

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
)

func TestCheckWebDANE(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{}, "example.test", "www.example.test")
	other := ca.Issue(t, probetest.LeafOptions{}, "example.test")
	leafSHA512 := func() string { s := sha512.Sum512(cert.Certificate[0]); return hex.EncodeToString(s[:]) }()
	caSHA256 := func() string { s := sha256.Sum256(ca.Cert.Raw); return hex.EncodeToString(s[:]) }()
	tests := []struct {
		name     string
		tlsa     []string // owner-relative TLSA data for the apex and www
		zone     probetest.Zone
		want     Status
		contains string
		// exist and valid are web_https_dane_exist and _valid.
		exist, valid Status
	}{
		{
			name: "a signed DANE-EE SPKI record matching the served key passes",
			tlsa: []string{"3 1 1 " + probetest.SPKISHA256(t, cert)},
			want: StatusPass, exist: StatusPass, valid: StatusPass,
		},
		{
			name: "a DANE-EE full-certificate SHA-512 record passes",
			tlsa: []string{"3 0 2 " + leafSHA512},
			want: StatusPass, exist: StatusPass, valid: StatusPass,
		},
		{
			name: "a PKIX-TA record for the trusted root passes",
			tlsa: []string{"0 0 1 " + caSHA256},
			want: StatusPass, exist: StatusPass, valid: StatusPass,
		},
		{
			name:     "a signed record for another key fails",
			tlsa:     []string{"3 1 1 " + probetest.SPKISHA256(t, other)},
			want:     StatusFail,
			contains: "matches none",
			exist:    StatusPass, valid: StatusWarn,
		},
		{
			name:     "no TLSA record is information only",
			want:     StatusInfo,
			contains: "no TLSA",
			exist:    StatusInfo, valid: StatusNotApplicable,
		},
		{
			name:     "a TLSA record with an expired signature is bogus and fails",
			tlsa:     []string{"3 1 1 " + probetest.SPKISHA256(t, cert)},
			zone:     probetest.Zone{Break: probetest.BreakExpiredRRSIG},
			want:     StatusFail,
			contains: "bogus",
			exist:    StatusInfo, valid: StatusNotApplicable,
		},
		{
			name:     "a TLSA record in an unsigned zone fails",
			tlsa:     []string{"3 1 1 " + probetest.SPKISHA256(t, cert)},
			zone:     probetest.Zone{Unsigned: true},
			want:     StatusFail,
			contains: "not DNSSEC-signed",
			exist:    StatusInfo, valid: StatusNotApplicable,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			port, lns := listenShared(t, "127.0.0.41", "127.0.0.42")
			for _, ln := range lns {
				serveHTTPS(t, ln, &tls.Config{Certificates: []tls.Certificate{cert}}, nil)
			}
			z := tc.zone
			z.Name = "example.test."
			z.Records = []string{"@ 300 IN A 127.0.0.41", "www 300 IN A 127.0.0.42"}
			for _, d := range tc.tlsa {
				z.Records = append(z.Records, fmt.Sprintf("_%d._tcp 300 IN TLSA %s", port, d), fmt.Sprintf("_%d._tcp.www 300 IN TLSA %s", port, d))
			}
			r := signedRun(t, "example.test", func(c *Config) { c.HTTPSPort, c.RootCAs = port, ca.Pool }, z)
			checks := checkWebDANE(context.Background(), r)
			if len(checks) != 1 {
				t.Fatalf("got %d checks, want 1", len(checks))
			}
			if got := checks[0]; got.Status != tc.want || !strings.Contains(got.Summary, tc.contains) {
				t.Errorf("web.dane = %s (%s), want %s mentioning %q", got.Status, got.Summary, tc.want, tc.contains)
			}
			expectSubtests(t, checks[0], map[check.Subtest]Status{"web_https_dane_exist": tc.exist, "web_https_dane_valid": tc.valid})
		})
	}
}

// FuzzMatchTLSA feeds arbitrary TLSA records (as a zone file would carry
// them) to the matcher: it must never panic, and must only match a record
// whose data really is the certificate's or its key's digest.
func FuzzMatchTLSA(f *testing.F) {
	ca := probetest.NewCA(f)
	cert := ca.Issue(f, probetest.LeafOptions{}, "fuzz.example.test")
	chain := []*x509.Certificate{cert.Leaf, ca.Cert}
	f.Add(uint8(3), uint8(1), uint8(1), probetest.SPKISHA256(f, cert))
	f.Add(uint8(2), uint8(0), uint8(0), hex.EncodeToString(ca.Cert.Raw))
	f.Add(uint8(9), uint8(7), uint8(5), "zz")
	f.Fuzz(func(t *testing.T, usage, selector, matching uint8, data string) {
		rr := &dns.TLSA{Hdr: dns.RR_Header{Name: "_443._tcp.fuzz.example.test.", Rrtype: dns.TypeTLSA, Class: dns.ClassINET},
			Usage: usage, Selector: selector, MatchingType: matching, Certificate: data}
		l := daneLookup{tlsa: []*dns.TLSA{rr}, Records: []tlsaRecord{{}}}
		ok := matchTLSA(&l, chain, ca.Pool, x509.VerifyOptions{}, usage%2 == 0)
		if ok && usage != 0 && usage != 1 && usage != 2 && usage != 3 {
			t.Fatalf("usage %d matched", usage)
		}
	})
}

// TestWebDANEOfAWWWOnTheApexAddressMatchesItsOwnCertificate: a www that
// shares the apex's address shares its TLS configuration scan, never its
// certificate (scanWebTargets): its TLSA records are matched against the
// chain served for www.
func TestWebDANEOfAWWWOnTheApexAddressMatchesItsOwnCertificate(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	apexCert := ca.Issue(t, probetest.LeafOptions{}, "example.test")
	wwwCert := ca.Issue(t, probetest.LeafOptions{}, "www.example.test")
	port, lns := listenShared(t, "127.0.0.43")
	serveHTTPS(t, lns["127.0.0.43"], &tls.Config{Certificates: []tls.Certificate{apexCert, wwwCert}}, nil)
	// Both names publish the apex's key: www's own certificate matches none.
	apexKey := probetest.SPKISHA256(t, apexCert)
	z := probetest.Zone{Name: "example.test.", Records: []string{
		"@ 300 IN A 127.0.0.43", "www 300 IN A 127.0.0.43",
		fmt.Sprintf("_%d._tcp 300 IN TLSA 3 1 1 %s", port, apexKey),
		fmt.Sprintf("_%d._tcp.www 300 IN TLSA 3 1 1 %s", port, apexKey),
	}}
	r := signedRun(t, "example.test", func(c *Config) { c.HTTPSPort, c.RootCAs = port, ca.Pool }, z)
	got := checkWebDANE(context.Background(), r)[0]
	if got.Status != StatusFail {
		t.Errorf("web.dane = %s (%s), want fail", got.Status, got.Summary)
	}
	for _, h := range got.Details["hosts"].([]daneHost) {
		if want := map[string]Status{"example.test": StatusPass, "www.example.test": StatusFail}[h.Host]; h.Status != want {
			t.Errorf("%s: %s (%s), want %s", h.Host, h.Status, h.Note, want)
		}
	}
	for _, s := range r.webScans(context.Background(), nil) {
		if s.Host == "www.example.test" && s.configMeasuredOn() == "" {
			t.Errorf("www on the apex's address had a configuration scan of its own")
		}
	}
}
