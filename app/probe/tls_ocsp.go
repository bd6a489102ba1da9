package probe

import (
	"bytes"
	"crypto/x509"
	"errors"
	"slices"
	"time"

	"golang.org/x/crypto/ocsp"

	"tenderprobe/app/probe/tlsscan"
)

// ocspTime is how OCSP validity times are shown in a finding.
const ocspTime = "2006-01-02 15:04 UTC"

// judgeOCSP grades OCSP stapling (web_https_tls_ocsp, evaluation.py
// TLSOCSPEvaluation): a leaf that names no OCSP responder has nothing to
// staple; no staple is information; a staple must be a response for the
// leaf, signed by its issuer or by a responder the issuer delegated to
// (RFC 6960 4.2.2.2), saying "good" and current at now. internet.nl (via
// OpenSSL's OCSP_basic_verify) checks the signature only; Tenderprobe also
// rejects a staple that says revoked or has expired, as a browser would.
func judgeOCSP(c *tlsscan.CertReport, hs *tlsscan.Handshake, now time.Time) (Status, Sub) {
	if c == nil || len(c.Certificates) == 0 {
		return StatusError, Sub{Code: "tls_cert_none", Params: nil}
	}
	leaf := c.Certificates[0]
	switch {
	case len(leaf.OCSPServer) == 0:
		return StatusNotApplicable, Sub{Code: "tls_ocsp_not_in_cert", Params: nil}
	case hs == nil:
		// Only a complete handshake shows a staple.
		return StatusError, Sub{Code: "tls_not_measured", Params: nil}
	case len(hs.OCSPResponse) == 0:
		return StatusInfo, Sub{Code: "tls_ocsp_not_stapled", Params: nil}
	}
	resp, err := verifyStaple(hs.OCSPResponse, c.Certificates)
	if err != nil {
		return StatusFail, Sub{Code: "tls_ocsp_invalid", Params: map[string]any{"error": err.Error()}}
	}
	switch {
	case resp.Status == ocsp.Revoked:
		return StatusFail, Sub{Code: "tls_ocsp_revoked", Params: nil}
	case resp.Status != ocsp.Good:
		return StatusFail, Sub{Code: "tls_ocsp_unknown", Params: nil}
	case now.Before(resp.ThisUpdate) || !resp.NextUpdate.IsZero() && now.After(resp.NextUpdate):
		return StatusFail, Sub{Code: "tls_ocsp_stale", Params: map[string]any{
			"this_update": resp.ThisUpdate.UTC().Format(ocspTime), "next_update": resp.NextUpdate.UTC().Format(ocspTime)}}
	}
	return StatusPass, Sub{Code: "tls_ocsp_good", Params: nil}
}

// errNoIssuer is a chain without the leaf's issuer: a staple cannot be
// checked without its key.
var errNoIssuer = errors.New("the leaf's issuer is not among the served certificates")

// verifyStaple parses a stapled response for the leaf (chain[0]) and checks
// its signature against the leaf's issuer, found among the served
// certificates. x/crypto/ocsp checks a delegated responder's certificate
// against the issuer but not its purpose, so that is checked here.
func verifyStaple(der []byte, chain []*x509.Certificate) (*ocsp.Response, error) {
	leaf := chain[0]
	i := slices.IndexFunc(chain[1:], func(c *x509.Certificate) bool { return leaf.CheckSignatureFrom(c) == nil })
	if i < 0 {
		return nil, errNoIssuer
	}
	issuer := chain[1+i]
	resp, err := ocsp.ParseResponseForCert(der, leaf, issuer)
	if err != nil {
		return nil, err
	}
	if rc := resp.Certificate; rc != nil && !bytes.Equal(rc.Raw, issuer.Raw) && !slices.Contains(rc.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning) {
		return nil, errors.New("the responder certificate is not authorised to sign OCSP responses")
	}
	return resp, nil
}
