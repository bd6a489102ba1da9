package tlsscan

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"tenderprobe/app/probe/probetest"
)

// Certificates crypto/x509 cannot name the signature or key of, made by
// openssl: internet.nl rates SHA-224 signatures phase-out and Ed448 good.
func TestCertificatesGoCannotNameAreRatedByTheirOIDs(t *testing.T) {
	t.Parallel()
	bin := probetest.OpenSSL(t)
	tests := []struct {
		name             string
		args             []string
		keyType, sigAlg  string
		keyClass, sigCls Class
	}{
		{"an Ed448 key and signature are good", []string{"-newkey", "ed448"}, "Ed448", "Ed448", Sufficient, Good},
		{"an RSA signature with SHA-224 is to be phased out", []string{"-newkey", "rsa:3072", "-sha224"}, "RSA", "SHA224-RSA", Sufficient, PhaseOut},
		{"an ECDSA signature with SHA-224 is to be phased out", []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-sha224"}, "ECDSA P-256", "ECDSA-SHA224", Good, PhaseOut},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := slices.Concat([]string{"req", "-x509", "-nodes", "-subj", "/CN=cert.test", "-days", "1",
				"-keyout", filepath.Join(dir, "key.pem"), "-out", filepath.Join(dir, "cert.pem")}, tc.args)
			if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
				t.Fatalf("openssl: %v: %s", err, out)
			}
			b, err := os.ReadFile(filepath.Join(dir, "cert.pem"))
			if err != nil {
				t.Fatal(err)
			}
			p, _ := pem.Decode(b)
			c, err := x509.ParseCertificate(p.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			s := summarize(c)
			if s.KeyType != tc.keyType || s.KeyClass != tc.keyClass || s.SigAlg != tc.sigAlg || s.SigClass != tc.sigCls {
				t.Errorf("summarised as key %s (%s), signature %s (%s)", s.KeyType, s.KeyClass, s.SigAlg, s.SigClass)
			}
		})
	}
}
