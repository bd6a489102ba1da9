package tlsscan

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"net"
	"strconv"
	"testing"

	"tenderprobe/app/probe/probetest"
)

func TestKexHashOffersOnlyTheWeakHash(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	ecCert := ca.Issue(t, probetest.LeafOptions{}, "example.test")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaCert := ca.Issue(t, probetest.LeafOptions{Key: key}, "example.test")
	openssl := func(args ...string) func(t *testing.T) string {
		return func(t *testing.T) string {
			port := probetest.StartOpenSSL(t, "127.0.0.1", probetest.OpenSSLOptions{Cert: rsaCert, Args: args})
			return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		}
	}
	goServer := func(min uint16) func(t *testing.T) string {
		return func(t *testing.T) string {
			return startTLS(t, &tls.Config{MinVersion: min, Certificates: []tls.Certificate{ecCert}})
		}
	}
	tests := []struct {
		name         string
		server       func(t *testing.T) string
		sha1, sha224 string
	}{
		{"Go's TLS 1.2 refuses SHA-1 (RFC 9155) and has no SHA-224", goServer(tls.VersionTLS12), "", ""},
		{"a TLS 1.3-only server has no TLS 1.2 key exchange to sign", goServer(tls.VersionTLS13), "", ""},
		{"OpenSSL at security level 0 signs with SHA-1", openssl("-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0"), "rsa_pkcs1_sha1", "rsa_sha224"},
		{"OpenSSL limited to SHA-224 and SHA-256 signs with SHA-224 only", openssl("-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", "-sigalgs", "RSA+SHA224:RSA+SHA256"), "", "rsa_sha224"},
	}
	name := func(a *SigAlg) string {
		if a == nil {
			return ""
		}
		return a.Name
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := scan(t, tc.server(t), "example.test", ca, func(c *Config) { c.Versions = []Version{TLS12} })
			kh := rep.KexHash
			if kh == nil || kh.Error != "" || name(kh.SHA1) != tc.sha1 || name(kh.SHA224) != tc.sha224 {
				t.Errorf("got %+v, want SHA-1 %q and SHA-224 %q", kh, tc.sha1, tc.sha224)
			}
		})
	}
}

func TestSignedKexSuitesPutECDHEAndStrongSuitesFirst(t *testing.T) {
	t.Parallel()
	ids := signedKexSuites(64)
	if len(ids) != 64 {
		t.Fatalf("got %d suites, want 64", len(ids))
	}
	first := LookupSuite(ids[0])
	if first.Kex != "ECDH" || !first.Class.Acceptable() {
		t.Errorf("first suite %s, want a sufficient ECDHE suite", first.Name)
	}
	for _, id := range ids {
		if s := LookupSuite(id); s.Kex != "ECDH" && s.Kex != "DH" {
			t.Errorf("%s has no signed ephemeral key exchange", s.Name)
		}
	}
}
