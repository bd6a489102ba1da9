package probetest

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// OCSPURL is the responder the leaves of IssueWithOCSP name; nothing
// answers there: the probe checks stapled responses only.
const OCSPURL = "http://ocsp.test/"

// IssueWithOCSP returns a TLS certificate (leaf plus CA) for names whose
// leaf names an OCSP responder, so that a server is expected to staple.
func (ca *CA) IssueWithOCSP(t testing.TB, names ...string) tls.Certificate {
	t.Helper()
	key := newP256(t)
	leaf := createCert(t, &x509.Certificate{
		Subject:     pkix.Name{CommonName: names[0]},
		DNSNames:    names,
		NotBefore:   time.Now().Add(-time.Hour),
		NotAfter:    time.Now().Add(90 * 24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		OCSPServer:  []string{OCSPURL},
	}, ca.Cert, key.Public(), ca.Key)
	return tls.Certificate{Certificate: [][]byte{leaf.Raw, ca.Cert.Raw}, PrivateKey: key, Leaf: leaf}
}

// OCSPOptions shape a response; the zero value is a "good" response
// valid from an hour ago for a day, signed by the CA.
type OCSPOptions struct {
	// Status is ocsp.Good (0), ocsp.Revoked or ocsp.Unknown.
	Status int
	// ThisUpdate and NextUpdate bound the response's validity.
	ThisUpdate, NextUpdate time.Time
	// Signer signs instead of the CA's key (a wrong key, or a delegated
	// responder's with Responder as its certificate).
	Signer    crypto.Signer
	Responder *x509.Certificate
}

// OCSPResponse returns a DER OCSP response about leaf made with
// ocsp.CreateResponse, for tls.Certificate.OCSPStaple.
func (ca *CA) OCSPResponse(t testing.TB, leaf *x509.Certificate, o OCSPOptions) []byte {
	t.Helper()
	if o.ThisUpdate.IsZero() {
		o.ThisUpdate = time.Now().Add(-time.Hour)
	}
	if o.NextUpdate.IsZero() {
		o.NextUpdate = time.Now().Add(24 * time.Hour)
	}
	signer, responder := o.Signer, o.Responder
	if signer == nil {
		signer = ca.Key
	}
	if responder == nil {
		responder = ca.Cert
	}
	tmpl := ocsp.Response{
		Status:       o.Status,
		SerialNumber: leaf.SerialNumber,
		ThisUpdate:   o.ThisUpdate,
		NextUpdate:   o.NextUpdate,
	}
	if o.Status == ocsp.Revoked {
		tmpl.RevokedAt = o.ThisUpdate
	}
	if o.Responder != nil {
		tmpl.Certificate = o.Responder
	}
	der, err := ocsp.CreateResponse(ca.Cert, responder, tmpl, signer)
	if err != nil {
		t.Fatalf("probetest: OCSP response: %v", err)
	}
	return der
}

// OCSPResponder issues a delegated responder certificate under the CA,
// with the OCSP signing purpose when signing is true.
func (ca *CA) OCSPResponder(t testing.TB, signing bool) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	key := newP256(t)
	tmpl := &x509.Certificate{
		Subject:   pkix.Name{CommonName: "Tenderprobe Test OCSP Responder"},
		NotBefore: time.Now().Add(-time.Hour),
		NotAfter:  time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:  x509.KeyUsageDigitalSignature,
	}
	if signing {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	}
	return createCert(t, tmpl, ca.Cert, key.Public(), ca.Key), key
}
