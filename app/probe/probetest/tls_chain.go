package probetest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

// ChainOptions describe a chain of test CA → intermediate → leaf, for the
// certificate corner cases (key sizes, weak signatures, expiry).
type ChainOptions struct {
	// LeafKey and InterKey are the keys; nil means a fresh P-256 key.
	LeafKey, InterKey crypto.Signer
	// InterSigAlg is how the CA signs the intermediate (the CA's key is
	// P-256, so x509.ECDSAWithSHA1 for a SHA-1 signature); zero means the
	// default.
	InterSigAlg x509.SignatureAlgorithm
	// InterExpired ends the intermediate's validity an hour ago.
	InterExpired bool
}

// Chain is a leaf issued by an intermediate CA issued by the test CA.
type Chain struct {
	Leaf, Intermediate *x509.Certificate
	LeafKey            crypto.Signer
}

// IssueChain issues an intermediate CA and a leaf for names under it.
func (ca *CA) IssueChain(t testing.TB, opts ChainOptions, names ...string) *Chain {
	t.Helper()
	interKey := opts.InterKey
	if interKey == nil {
		interKey = newP256(t)
	}
	leafKey := opts.LeafKey
	if leafKey == nil {
		leafKey = newP256(t)
	}
	interEnd := time.Now().Add(5 * 365 * 24 * time.Hour)
	if opts.InterExpired {
		interEnd = time.Now().Add(-time.Hour)
	}
	inter := createCert(t, &x509.Certificate{
		Subject:               pkix.Name{CommonName: "Tenderprobe Test Intermediate"},
		NotBefore:             time.Now().Add(-48 * time.Hour),
		NotAfter:              interEnd,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		SignatureAlgorithm:    opts.InterSigAlg,
	}, ca.Cert, interKey.Public(), ca.Key)
	leaf := createCert(t, &x509.Certificate{
		Subject:     pkix.Name{CommonName: names[0]},
		DNSNames:    names,
		NotBefore:   time.Now().Add(-time.Hour),
		NotAfter:    time.Now().Add(90 * 24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, inter, leafKey.Public(), interKey)
	return &Chain{Leaf: leaf, Intermediate: inter, LeafKey: leafKey}
}

// Serve is the chain as a server sends it: certs in the given order (the
// leaf first, normally; leave the intermediate out or swap them for the
// corner cases), with the leaf's key.
func (c *Chain) Serve(certs ...*x509.Certificate) tls.Certificate {
	ders := make([][]byte, len(certs))
	for i, cert := range certs {
		ders[i] = cert.Raw
	}
	return tls.Certificate{Certificate: ders, PrivateKey: c.LeafKey, Leaf: c.Leaf}
}

func newP256(t testing.TB) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("probetest: P-256 key: %v", err)
	}
	return k
}

// createCert signs tmpl (a fresh serial is set) with parent's key.
func createCert(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	t.Helper()
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatalf("probetest: serial: %v", err)
	}
	tmpl.SerialNumber = serial
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatalf("probetest: create certificate %s: %v", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("probetest: parse certificate: %v", err)
	}
	return cert
}
