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
	t.Parallel()
	ca := probetest.NewCA(t)
	got := webSubtests(t, ca, goServer(ca.Issue(t, probetest.LeafOptions{}, "example.test"))(t))
	want := map[check.Subtest]Status{
		"web_https_http_available": StatusPass, "web_https_tls_version": StatusPass, "web_https_tls_compress": StatusPass,
		"web_https_tls_secreneg": StatusPass, "web_https_tls_extendedmastersecret": StatusPass,
		"web_https_tls_ciphers": StatusPass, "web_https_tls_cipherorder": StatusPass, "web_https_tls_keyexchange": StatusPass,
		"web_https_tls_keyexchangehash": StatusPass, "web_https_cert_chain": StatusPass, "web_https_cert_pubkey": StatusPass,
		"web_https_cert_sig": StatusPass, "web_https_cert_domain": StatusPass,
		// The leaf names no OCSP responder; Go's server takes no early data.
		"web_https_tls_ocsp": StatusNotApplicable, "web_https_tls_0rtt": StatusPass,
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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

// opensslServer runs openssl s_server on 127.0.0.11 with an RSA 3072 leaf
// (for DHE-RSA and RSA signatures) and the given flags.
func opensslServer(ca *probetest.CA, cert tls.Certificate, config string, args ...string) func(t *testing.T) int {
	return func(t *testing.T) int {
		return probetest.StartOpenSSL(t, "127.0.0.11", probetest.OpenSSLOptions{Cert: cert, Args: args, Config: config})
	}
}

// noEMS switches off the extended master secret in s_server through
// -ssl_config noems.
const noEMS = `openssl_conf = conf
[conf]
ssl_conf = ssl
[ssl]
noems = noems
[noems]
Options = -ExtendedMasterSecret
`

func TestWebTLSKeyExchangeSubtestsWithOpenSSL(t *testing.T) {
	t.Parallel()
	probetest.OpenSSL(t)
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{Key: rsaKey(t, 3072)}, "example.test")
	dhe := func(dhparam string, seclevel0 bool) func(t *testing.T) int {
		return func(t *testing.T) int {
			cipher := "DHE-RSA-AES128-GCM-SHA256"
			if seclevel0 {
				cipher += ":@SECLEVEL=0"
			}
			args := []string{"-tls1_2", "-cipher", cipher}
			if dhparam != "" {
				args = append(args, "-dhparam", dhparam)
			}
			return opensslServer(ca, cert, "", args...)(t)
		}
	}
	group := func(g string) string {
		return probetest.OpenSSLDHParams(t, "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:"+g)
	}
	const kex, hash = "web_https_tls_keyexchange", "web_https_tls_keyexchangehash"
	runSubtestCases(t, ca, []subtestCase{
		{
			// OpenSSL's defaults sign with SHA-224 when asked to.
			name:   "an ECDHE server signing with SHA-256 and better only passes the key-exchange hash",
			server: opensslServer(ca, cert, "", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256", "-sigalgs", "RSA+SHA256:RSA-PSS+SHA256:RSA+SHA384"),
			want:   map[check.Subtest]Status{hash: StatusPass, kex: StatusPass, "web_https_tls_extendedmastersecret": StatusPass},
		},
		{
			name:   "OpenSSL's default signature schemes include SHA-224, to be phased out",
			server: opensslServer(ca, cert, "", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"),
			want:   map[check.Subtest]Status{hash: StatusWarn},
		},
		{
			name:   "a server that signs the key exchange with SHA-1 when asked fails",
			server: opensslServer(ca, cert, "", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0"),
			want:   map[check.Subtest]Status{hash: StatusFail},
			key:    hash, reason: "rsa_pkcs1_sha1",
		},
		{
			name:   "a server that signs with SHA-224 but not SHA-1 is to be phased out",
			server: opensslServer(ca, cert, "", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", "-sigalgs", "RSA+SHA224:RSA+SHA256"),
			want:   map[check.Subtest]Status{hash: StatusWarn},
			key:    hash, reason: "rsa_sha224",
		},
		{
			name:   "a server following the client's order, which puts a phase-out suite first, fails the order",
			server: opensslServer(ca, cert, "", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256"),
			want:   map[check.Subtest]Status{"web_https_tls_cipherorder": StatusFail, "web_https_tls_ciphers": StatusWarn},
			key:    "web_https_tls_cipherorder", reason: "TLS1.2",
		},
		{
			name:   "the same suites in the server's own order pass the order",
			server: opensslServer(ca, cert, "", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256", "-serverpref"),
			want:   map[check.Subtest]Status{"web_https_tls_cipherorder": StatusPass},
		},
		{
			// crypto/tls cannot sign with P-224; OpenSSL can.
			name: "an ECDSA P-224 leaf is to be phased out",
			server: opensslServer(ca, ca.Issue(t, probetest.LeafOptions{Key: ecKey(t, elliptic.P224())}, "example.test"), "",
				"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"),
			want: map[check.Subtest]Status{"web_https_cert_pubkey": StatusWarn},
			key:  "web_https_cert_pubkey", reason: "ECDSA P-224",
		},
		{
			name:   "a TLS 1.2 server without extended master secret fails",
			server: opensslServer(ca, cert, noEMS, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256", "-ssl_config", "noems"),
			want:   map[check.Subtest]Status{"web_https_tls_extendedmastersecret": StatusFail, "web_https_tls_secreneg": StatusPass},
		},
		{
			name:   "DHE with ffdhe2048 fails the key exchange",
			server: dhe(group("ffdhe2048"), false),
			want:   map[check.Subtest]Status{kex: StatusFail, "web_https_tls_ciphers": StatusWarn},
			key:    kex, reason: "ffdhe2048",
		},
		{
			name:   "DHE with ffdhe3072 is to be phased out",
			server: dhe(group("ffdhe3072"), false),
			want:   map[check.Subtest]Status{kex: StatusWarn},
			key:    kex, reason: "ffdhe3072",
		},
		{
			name:   "DHE with ffdhe4096 is to be phased out",
			server: dhe(group("ffdhe4096"), false),
			want:   map[check.Subtest]Status{kex: StatusWarn},
			key:    kex, reason: "ffdhe4096",
		},
		{
			name:   "DHE with a custom 2048-bit group fails",
			server: dhe(probetest.CustomDHParams(t, 2048), false),
			want:   map[check.Subtest]Status{kex: StatusFail},
			key:    kex, reason: "DH-2048",
		},
		{
			name:   "DHE with a 1024-bit group fails",
			server: dhe(probetest.CustomDHParams(t, 1024), true),
			want:   map[check.Subtest]Status{kex: StatusFail},
			key:    kex, reason: "DH-1024",
		},
		{
			name:   "TLS 1.3 with the ffdhe2048 named group fails",
			server: opensslServer(ca, cert, "", "-tls1_3", "-groups", "ffdhe2048"),
			want:   map[check.Subtest]Status{kex: StatusFail},
			key:    kex, reason: "ffdhe2048",
		},
		{
			name:   "TLS 1.3 with the ffdhe3072 named group is to be phased out",
			server: opensslServer(ca, cert, "", "-tls1_3", "-groups", "ffdhe3072"),
			want:   map[check.Subtest]Status{kex: StatusWarn},
			key:    kex, reason: "ffdhe3072",
		},
	})
}

func TestWebTLSCompressionAndRenegotiationSubtests(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{}, "example.test")
	raw := func(o probetest.RawTLSOptions) func(t *testing.T) int {
		return func(t *testing.T) int {
			o.CertDER = cert.Certificate[0]
			return probetest.StartFirstFlightServer(t, "127.0.0.11", o)
		}
	}
	runSubtestCases(t, ca, []subtestCase{
		{
			name:   "a server with RFC 5746 and without compression passes both",
			server: raw(probetest.RawTLSOptions{}),
			want:   map[check.Subtest]Status{"web_https_tls_compress": StatusPass, "web_https_tls_secreneg": StatusPass},
		},
		{
			name:   "a server choosing DEFLATE fails compression",
			server: raw(probetest.RawTLSOptions{Compress: true}),
			want:   map[check.Subtest]Status{"web_https_tls_compress": StatusFail, "web_https_tls_secreneg": StatusPass},
		},
		{
			name:   "a server without renegotiation_info fails secure renegotiation",
			server: raw(probetest.RawTLSOptions{NoRenegotiationInfo: true}),
			want:   map[check.Subtest]Status{"web_https_tls_secreneg": StatusFail, "web_https_tls_compress": StatusPass},
		},
	})
}

func TestWebHTTPSAvailableNamesTheAddressWithoutHTTPS(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	port, lns := listenShared(t, "127.0.0.11", "127.0.0.12")
	serveHTTPS(t, lns["127.0.0.11"], &tls.Config{Certificates: []tls.Certificate{ca.Issue(t, probetest.LeafOptions{}, "example.test")}}, nil)
	lns["127.0.0.12"].Close()
	r := testRun(t, "example.test", func(c *Config) { c.RootCAs = ca.Pool; c.HTTPSPort = port },
		"example.test. 300 IN A 127.0.0.11", "www.example.test. 300 IN A 127.0.0.12")
	https := findCheck(t, checkWebTLS(context.Background(), r), check.WebHTTPS)
	got := https.Details["findings"].(map[check.Subtest]Subtest)["web_https_http_available"]
	if got.Status != StatusFail || !strings.HasPrefix(got.Reason, "www.example.test (127.0.0.12): No working HTTPS") {
		t.Errorf("web_https_http_available = %s (%s), want a failure naming www", got.Status, got.Reason)
	}
}
