package probe

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"maps"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
)

// webSubtests probes example.test, whose one address 127.0.0.11 serves
// HTTPS on port, and returns the subtests of every web TLS check.
func webSubtests(t *testing.T, ca *probetest.CA, port int) map[check.Subtest]Subtest {
	t.Helper()
	r := testRun(t, "example.test", func(c *Config) { c.RootCAs = ca.Pool; c.HTTPSPort = port }, "example.test. 300 IN A 127.0.0.11")
	out := map[check.Subtest]Subtest{}
	for _, c := range checkWebTLS(context.Background(), r) {
		if f, ok := c.Details["findings"].(map[check.Subtest]Subtest); ok {
			maps.Copy(out, f)
		}
	}
	return out
}

// serveGoTLS serves HTTPS with cfg on 127.0.0.11 and returns the port.
func serveGoTLS(t *testing.T, cfg *tls.Config) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.11:0")
	if err != nil {
		t.Fatal(err)
	}
	serveHTTPS(t, ln, cfg, nil)
	return ln.Addr().(*net.TCPAddr).Port
}

// sound are suites every key type can use, all sufficient.
var sound = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// goServer is a TLS 1.2 and 1.3 server with sound suites serving cert.
func goServer(cert tls.Certificate) func(t *testing.T) int {
	return func(t *testing.T) int {
		return serveGoTLS(t, &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}, CipherSuites: sound})
	}
}

func rsaKey(t testing.TB, bits int) crypto.Signer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ecKey(t testing.TB, c elliptic.Curve) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

type subtestCase struct {
	name   string
	server func(t *testing.T) int
	want   map[check.Subtest]Status
	// reason, when set, must be part of the first wanted key's reason.
	key    check.Subtest
	reason string
}

func runSubtestCases(t *testing.T, ca *probetest.CA, tests []subtestCase) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := webSubtests(t, ca, tc.server(t))
			for key, want := range tc.want {
				if g, ok := got[key]; !ok || g.Status != want {
					t.Errorf("%s = %s (%s), want %s", key, g.Status, g.Reason, want)
				}
			}
			if tc.reason != "" && !strings.Contains(got[tc.key].Reason, tc.reason) {
				t.Errorf("%s reason %q lacks %q", tc.key, got[tc.key].Reason, tc.reason)
			}
		})
	}
}

func TestWebTLSSubtestsOfASoundServerAllPass(t *testing.T) {
	ca := probetest.NewCA(t)
	got := webSubtests(t, ca, goServer(ca.Issue(t, probetest.LeafOptions{}, "example.test"))(t))
	want := map[check.Subtest]Status{
		"web_https_http_available": StatusPass, "web_https_tls_version": StatusPass, "web_https_tls_compress": StatusPass,
		"web_https_tls_secreneg": StatusPass, "web_https_tls_extendedmastersecret": StatusPass,
		"web_https_tls_ciphers": StatusPass, "web_https_tls_cipherorder": StatusPass, "web_https_tls_keyexchange": StatusPass,
		"web_https_tls_keyexchangehash": StatusPass, "web_https_cert_chain": StatusPass, "web_https_cert_pubkey": StatusPass,
		"web_https_cert_sig": StatusPass, "web_https_cert_domain": StatusPass,
		// The leaf names no OCSP responder; early data is measured elsewhere.
		"web_https_tls_ocsp": StatusNotApplicable, "web_https_tls_0rtt": StatusNotApplicable,
	}
	for key, w := range want {
		if g := got[key]; g.Status != w {
			t.Errorf("%s = %s (%s), want %s", key, g.Status, g.Reason, w)
		}
	}
	for _, info := range check.Subtests() {
		if strings.HasPrefix(string(info.Key), "web_https_tls_") || strings.HasPrefix(string(info.Key), "web_https_cert_") {
			if _, ok := got[info.Key]; !ok && info.Key != "web_https_tls_caa" {
				t.Errorf("%s is not recorded", info.Key)
			}
		}
	}
	if r := got["web_https_tls_version"].Reason; !strings.HasPrefix(r, "example.test (127.0.0.11): ") {
		t.Errorf("the reason %q does not name the address", r)
	}
}

func TestWebTLSProtocolSubtests(t *testing.T) {
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{}, "example.test")
	runSubtestCases(t, ca, []subtestCase{
		{
			name: "TLS 1.0 with a CBC-SHA1 suite fails the version and the suites",
			server: func(t *testing.T) int {
				return serveGoTLS(t, &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert},
					CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}})
			},
			want: map[check.Subtest]Status{"web_https_tls_version": StatusFail, "web_https_tls_ciphers": StatusFail},
			key:  "web_https_tls_version", reason: "TLS1.0, TLS1.1",
		},
		{
			name: "a CBC-SHA256 suite is to be phased out",
			server: func(t *testing.T) int {
				return serveGoTLS(t, &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert},
					CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256}})
			},
			want: map[check.Subtest]Status{"web_https_tls_ciphers": StatusWarn, "web_https_tls_cipherorder": StatusPass, "web_https_tls_0rtt": StatusNotApplicable},
			key:  "web_https_tls_ciphers", reason: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
		},
	})
}

func TestWebTLSOCSPStapling(t *testing.T) {
	ca := probetest.NewCA(t)
	stapled := func(staple func(leaf *x509.Certificate) []byte) func(t *testing.T) int {
		return func(t *testing.T) int {
			cert := ca.IssueWithOCSP(t, "example.test")
			if staple != nil {
				cert.OCSPStaple = staple(cert.Leaf)
			}
			return goServer(cert)(t)
		}
	}
	wrongKey := ecKey(t, elliptic.P256())
	delegate, delegateKey := ca.OCSPResponder(t, true)
	notDelegate, notDelegateKey := ca.OCSPResponder(t, false)
	const key = "web_https_tls_ocsp"
	runSubtestCases(t, ca, []subtestCase{
		{
			name: "a good response signed by the issuer passes",
			server: stapled(func(leaf *x509.Certificate) []byte {
				return ca.OCSPResponse(t, leaf, probetest.OCSPOptions{})
			}),
			want: map[check.Subtest]Status{key: StatusPass},
		},
		{
			name: "a good response signed by a delegated responder passes",
			server: stapled(func(leaf *x509.Certificate) []byte {
				return ca.OCSPResponse(t, leaf, probetest.OCSPOptions{Signer: delegateKey, Responder: delegate})
			}),
			want: map[check.Subtest]Status{key: StatusPass},
		},
		{
			name: "a response signed by a certificate without the OCSP signing purpose warns",
			server: stapled(func(leaf *x509.Certificate) []byte {
				return ca.OCSPResponse(t, leaf, probetest.OCSPOptions{Signer: notDelegateKey, Responder: notDelegate})
			}),
			want: map[check.Subtest]Status{key: StatusWarn},
			key:  key, reason: "not authorised",
		},
		{
			name: "a response saying revoked warns",
			server: stapled(func(leaf *x509.Certificate) []byte {
				return ca.OCSPResponse(t, leaf, probetest.OCSPOptions{Status: ocsp.Revoked})
			}),
			want: map[check.Subtest]Status{key: StatusWarn},
			key:  key, reason: "revoked",
		},
		{
			name: "an expired response warns",
			server: stapled(func(leaf *x509.Certificate) []byte {
				return ca.OCSPResponse(t, leaf, probetest.OCSPOptions{ThisUpdate: time.Now().Add(-72 * time.Hour), NextUpdate: time.Now().Add(-24 * time.Hour)})
			}),
			want: map[check.Subtest]Status{key: StatusWarn},
			key:  key, reason: "out of date",
		},
		{
			name: "a response signed by the wrong key warns",
			server: stapled(func(leaf *x509.Certificate) []byte {
				return ca.OCSPResponse(t, leaf, probetest.OCSPOptions{Signer: wrongKey})
			}),
			want: map[check.Subtest]Status{key: StatusWarn},
			key:  key, reason: "signature",
		},
		{
			name:   "no staple for a certificate naming a responder is information",
			server: stapled(nil),
			want:   map[check.Subtest]Status{key: StatusInfo},
		},
	})
}

func TestWebTLSCertificateSubtests(t *testing.T) {
	ca := probetest.NewCA(t)
	chain := func(opts probetest.ChainOptions, order func(c *probetest.Chain) []*x509.Certificate) func(t *testing.T) int {
		return func(t *testing.T) int {
			c := ca.IssueChain(t, opts, "example.test")
			certs := []*x509.Certificate{c.Leaf, c.Intermediate}
			if order != nil {
				certs = order(c)
			}
			return goServer(c.Serve(certs...))(t)
		}
	}
	leafKey := func(k crypto.Signer) probetest.ChainOptions { return probetest.ChainOptions{LeafKey: k} }
	pass := map[check.Subtest]Status{"web_https_cert_chain": StatusPass, "web_https_cert_pubkey": StatusPass, "web_https_cert_sig": StatusPass}
	runSubtestCases(t, ca, []subtestCase{
		{name: "a leaf and its intermediate pass", server: chain(probetest.ChainOptions{}, nil), want: pass},
		{
			name: "a chain served in the wrong order still passes",
			server: chain(probetest.ChainOptions{}, func(c *probetest.Chain) []*x509.Certificate {
				return []*x509.Certificate{c.Leaf, ca.Cert, c.Intermediate}
			}),
			want: pass,
		},
		{
			name:   "a missing intermediate fails the chain",
			server: chain(probetest.ChainOptions{}, func(c *probetest.Chain) []*x509.Certificate { return []*x509.Certificate{c.Leaf} }),
			want:   map[check.Subtest]Status{"web_https_cert_chain": StatusFail, "web_https_cert_sig": StatusPass},
		},
		{
			name:   "an expired intermediate fails the chain",
			server: chain(probetest.ChainOptions{InterExpired: true}, nil),
			want:   map[check.Subtest]Status{"web_https_cert_chain": StatusFail},
			key:    "web_https_cert_chain", reason: "expired",
		},
		{
			name:   "a SHA-1 signed intermediate fails the signature",
			server: chain(probetest.ChainOptions{InterSigAlg: x509.ECDSAWithSHA1}, nil),
			want:   map[check.Subtest]Status{"web_https_cert_sig": StatusFail, "web_https_cert_chain": StatusFail},
			key:    "web_https_cert_sig", reason: "ECDSA-SHA1 in CN=Tenderprobe Test Intermediate",
		},
		{
			name:   "an RSA 1024 leaf fails the key",
			server: chain(leafKey(rsaKey(t, 1024)), nil),
			want:   map[check.Subtest]Status{"web_https_cert_pubkey": StatusFail},
			key:    "web_https_cert_pubkey", reason: "RSA of 1024 bits in CN=example.test",
		},
		{
			name:   "an RSA 2048 leaf is to be phased out",
			server: chain(leafKey(rsaKey(t, 2048)), nil),
			want:   map[check.Subtest]Status{"web_https_cert_pubkey": StatusWarn},
		},
		{
			name:   "an RSA 2048 intermediate is to be phased out too",
			server: chain(probetest.ChainOptions{InterKey: rsaKey(t, 2048)}, nil),
			want:   map[check.Subtest]Status{"web_https_cert_pubkey": StatusWarn, "web_https_cert_chain": StatusPass},
			key:    "web_https_cert_pubkey", reason: "Intermediate",
		},
		{name: "an RSA 3072 leaf passes", server: chain(leafKey(rsaKey(t, 3072)), nil), want: pass},
		{name: "an RSA 4096 leaf passes", server: chain(leafKey(rsaKey(t, 4096)), nil), want: pass},
		{name: "an ECDSA P-384 leaf passes", server: chain(leafKey(ecKey(t, elliptic.P384())), nil), want: pass},
		{
			name: "an Ed25519 leaf passes",
			server: chain(leafKey(func() crypto.Signer {
				_, k, err := ed25519.GenerateKey(rand.Reader)
				if err != nil {
					t.Fatal(err)
				}
				return k
			}()), nil),
			want: pass,
		},
		{
			name:   "a certificate for another name fails the domain",
			server: goServer(ca.Issue(t, probetest.LeafOptions{}, "other.test")),
			want:   map[check.Subtest]Status{"web_https_cert_domain": StatusFail, "web_https_cert_chain": StatusPass},
			key:    "web_https_cert_domain", reason: "other.test",
		},
	})
}
