package tlsscan

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
)

// evaluateChain parses a served chain (leaf first) and rates it: trust
// against cfg.RootCAs (or the system pool) with the served intermediates,
// validity at cfg.Now, the name against cfg.ServerName, and the key and
// signature of every certificate but a self-signed root per NCSC-NL 2025-05.
func evaluateChain(ders [][]byte, source string, cfg Config) *CertReport {
	rep := &CertReport{Source: source, KeyClass: Good, SigClass: Good}
	for _, der := range ders {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			rep.TrustError = fmt.Sprintf("unparsable certificate in chain: %v", err)
			continue
		}
		rep.Certificates = append(rep.Certificates, c)
	}
	if len(rep.Certificates) == 0 {
		if rep.TrustError == "" {
			rep.TrustError = "no certificate served"
		}
		rep.KeyClass, rep.SigClass = Insufficient, Insufficient
		return rep
	}
	for _, c := range rep.Certificates {
		sum := summarize(c)
		rep.Chain = append(rep.Chain, sum)
		if sum.SelfSigned && len(rep.Certificates) > 1 {
			// A root sent along is trusted by identity, not by its signature.
			continue
		}
		if sum.KeyClass.Worse(rep.KeyClass) {
			rep.KeyClass = sum.KeyClass
		}
		if sum.SigClass.Worse(rep.SigClass) {
			rep.SigClass = sum.SigClass
		}
	}
	leaf := rep.Certificates[0]
	now := cfg.Now()
	rep.Valid = !now.Before(leaf.NotBefore) && !now.After(leaf.NotAfter)
	inter := x509.NewCertPool()
	for _, c := range rep.Certificates[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{
		Roots:         cfg.RootCAs,
		Intermediates: inter,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		rep.TrustError = err.Error()
	} else {
		rep.Trusted = true
	}
	if name := sniName(cfg.ServerName); name != "" {
		if err := leaf.VerifyHostname(name); err != nil {
			rep.NameError = err.Error()
		} else {
			rep.NameMatch = true
		}
	}
	return rep
}

func summarize(c *x509.Certificate) CertSummary {
	sum := sha256.Sum256(c.Raw)
	s := CertSummary{
		Subject:    c.Subject.String(),
		Issuer:     c.Issuer.String(),
		DNSNames:   c.DNSNames,
		NotBefore:  c.NotBefore,
		NotAfter:   c.NotAfter,
		SigAlg:     c.SignatureAlgorithm.String(),
		SigClass:   classifyCertSig(c.SignatureAlgorithm),
		SelfSigned: bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil,
		SHA256:     hex.EncodeToString(sum[:]),
	}
	s.KeyType, s.KeyBits, s.KeyClass = classifyKey(c.PublicKey)
	if c.PublicKey == nil && isEd448Key(c.RawSubjectPublicKeyInfo) {
		s.KeyType, s.KeyBits, s.KeyClass = "Ed448", 456, Sufficient
	}
	if c.SignatureAlgorithm == x509.UnknownSignatureAlgorithm {
		s.SigAlg, s.SigClass = classifyUnknownSig(c.Raw)
	}
	return s
}

// classifyKey rates a certificate key: RSA of 3072 bits or more sufficient,
// 2048-3071 phase-out, less insufficient; ECDSA on P-256/384/521 good (as the
// ECDHE curves), other curves insufficient; Ed25519 sufficient; DSA and
// anything else insufficient.
func classifyKey(pub any) (string, int, Class) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		bits := k.N.BitLen()
		switch {
		case bits >= 3072:
			return "RSA", bits, Sufficient
		case bits >= 2048:
			return "RSA", bits, PhaseOut
		}
		return "RSA", bits, Insufficient
	case *ecdsa.PublicKey:
		name := k.Curve.Params().Name
		bits := k.Curve.Params().BitSize
		switch name {
		case "P-256", "P-384", "P-521":
			return "ECDSA " + name, bits, Good
		case "P-224":
			return "ECDSA " + name, bits, PhaseOut
		}
		return "ECDSA " + name, bits, Insufficient
	case ed25519.PublicKey:
		return "Ed25519", 256, Sufficient
	}
	return fmt.Sprintf("%T", pub), 0, Insufficient
}

// classifyCertSig rates the hash of a certificate signature: SHA-2 good,
// SHA-1 and MD5 (and DSA) insufficient. RSA-PSS counts as good, although
// internet.nl's list (CERT_SIGALG_SUFFICIENT) leaves it out.
func classifyCertSig(a x509.SignatureAlgorithm) Class {
	switch a {
	case x509.SHA256WithRSA, x509.SHA384WithRSA, x509.SHA512WithRSA,
		x509.ECDSAWithSHA256, x509.ECDSAWithSHA384, x509.ECDSAWithSHA512,
		x509.SHA256WithRSAPSS, x509.SHA384WithRSAPSS, x509.SHA512WithRSAPSS,
		x509.PureEd25519:
		return Good
	}
	return Insufficient
}

// The signature algorithms crypto/x509 does not name (RFC 4055, RFC 5758,
// RFC 8410), which internet.nl rates: SHA-224 phase-out, Ed448 good. Ed448's
// key and signature share the OID.
var (
	oidSHA224WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 14}
	oidECDSAWithSHA224 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}
	oidEd448           = asn1.ObjectIdentifier{1, 3, 101, 113}
)

// classifyUnknownSig names and rates a signature algorithm crypto/x509
// does not know, from the certificate's outer signatureAlgorithm.
func classifyUnknownSig(der []byte) (string, Class) {
	var cert struct {
		TBS    asn1.RawValue
		SigAlg pkix.AlgorithmIdentifier
		Sig    asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &cert); err != nil {
		return "unknown", Insufficient
	}
	switch oid := cert.SigAlg.Algorithm; {
	case oid.Equal(oidSHA224WithRSA):
		return "SHA224-RSA", PhaseOut
	case oid.Equal(oidECDSAWithSHA224):
		return "ECDSA-SHA224", PhaseOut
	case oid.Equal(oidEd448):
		return "Ed448", Good
	default:
		return oid.String(), Insufficient
	}
}

// isEd448Key reports whether a subject public key info is Ed448's, which
// crypto/x509 parses without a key (internet.nl rates Ed448 keys good).
func isEd448Key(spki []byte) bool {
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}
	_, err := asn1.Unmarshal(spki, &info)
	return err == nil && info.Algorithm.Algorithm.Equal(oidEd448)
}
