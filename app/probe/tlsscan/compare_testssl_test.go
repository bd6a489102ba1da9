package tlsscan

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"tenderprobe/app/probe/probetest"
)

// TestCompareWithTestssl runs Debian's testssl.sh and this scanner against
// the same loopback servers and compares the protocol versions and cipher
// suites each finds, reporting the wall time of both. It is slow (testssl
// takes minutes), so it runs only with TENDERPROBE_TESTSSL=1. The
// hand-written SSLv3/DHE server of the other tests is left out: testssl
// first completes a handshake with OpenSSL and gives up on a server that
// cannot ("Your OpenSSL cannot connect"). Run it with:
//
//	TENDERPROBE_TESTSSL=1 go test ./app/probe/tlsscan -run TestCompareWithTestssl -v
//
// compare_testssl.sh wraps that command.
func TestCompareWithTestssl(t *testing.T) {
	t.Parallel()
	if os.Getenv("TENDERPROBE_TESTSSL") == "" {
		t.Skip("set TENDERPROBE_TESTSSL=1 to compare with testssl.sh")
	}
	bin := ""
	for _, name := range []string{"testssl", "testssl.sh"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Fatal("testssl.sh is not installed (Debian package testssl.sh)")
	}
	ca := probetest.NewCA(t)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		t.Fatal(err)
	}
	rsaCert := ca.Issue(t, probetest.LeafOptions{Key: rsaKey}, "legacy.example.test")
	ecCert := ca.Issue(t, probetest.LeafOptions{}, "modern.example.test")
	servers := []struct {
		name string
		cfg  *tls.Config
	}{
		{"modern", &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{ecCert}, CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		}}},
		{"legacy", &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{rsaCert}, CipherSuites: []uint16{
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
			tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, tls.TLS_RSA_WITH_AES_128_CBC_SHA,
			tls.TLS_RSA_WITH_AES_256_GCM_SHA384, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
		}}},
	}
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			addr := startTLS(t, srv.cfg)
			start := time.Now()
			rep, err := Scan(context.Background(), Config{Addr: addr, ServerName: srv.name + ".example.test", RootCAs: ca.Pool})
			if err != nil {
				t.Fatal(err)
			}
			ours := time.Since(start)

			jsonFile := filepath.Join(t.TempDir(), "testssl.json")
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "--protocols", "--cipher-per-proto", "--warnings", "batch",
				"--color", "0", "--quiet", "--jsonfile", jsonFile, addr)
			start = time.Now()
			out, err := cmd.CombinedOutput()
			theirs := time.Since(start)
			if err != nil && ctx.Err() != nil {
				t.Fatalf("testssl: %v\n%s", err, out)
			}
			tsVersions, tsSuites := readTestsslJSON(t, jsonFile)
			if len(tsVersions) == 0 {
				t.Logf("testssl output:\n%s", out)
			}

			var ourVersions []string
			for _, v := range rep.AcceptedVersions() {
				ourVersions = append(ourVersions, v.String())
			}
			ourSuites := map[string][]uint16{}
			for _, v := range rep.Versions {
				for _, s := range v.Suites {
					ourSuites[v.Version.String()] = append(ourSuites[v.Version.String()], s.ID)
				}
			}
			for _, m := range []map[string][]uint16{ourSuites, tsSuites} {
				for k := range m {
					slices.Sort(m[k])
				}
			}
			t.Logf("tlsscan: %v, %d connections; testssl.sh: %v", ours.Round(time.Millisecond), rep.Connections, theirs.Round(time.Millisecond))
			t.Logf("versions: tlsscan %v, testssl %v", ourVersions, tsVersions)
			if !slices.Equal(ourVersions, tsVersions) {
				t.Errorf("versions differ: tlsscan %v, testssl %v", ourVersions, tsVersions)
			}
			for _, v := range AllVersions {
				a, b := ourSuites[v.String()], tsSuites[v.String()]
				t.Logf("%s suites: tlsscan %04X, testssl %04X", v, a, b)
				if !slices.Equal(a, b) {
					t.Errorf("%s suites differ: tlsscan %04X, testssl %04X", v, a, b)
				}
			}
		})
	}
}

// readTestsslJSON extracts the offered versions and, per version, the
// code points of the suites from testssl's flat JSON findings.
func readTestsslJSON(t *testing.T, path string) ([]string, map[string][]uint16) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("testssl wrote no JSON: %v", err)
	}
	var findings []struct {
		ID      string `json:"id"`
		Finding string `json:"finding"`
	}
	if err := json.Unmarshal(raw, &findings); err != nil {
		t.Fatalf("parse testssl JSON: %v", err)
	}
	protoIDs := map[string]string{"SSLv3": "SSLv3", "TLS1": "TLS1.0", "TLS1_1": "TLS1.1", "TLS1_2": "TLS1.2", "TLS1_3": "TLS1.3"}
	cipherIDs := map[string]string{"ssl3": "SSLv3", "tls1": "TLS1.0", "tls1_1": "TLS1.1", "tls1_2": "TLS1.2", "tls1_3": "TLS1.3"}
	var versions []string
	suites := map[string][]uint16{}
	for _, f := range findings {
		if v, ok := protoIDs[f.ID]; ok && strings.HasPrefix(f.Finding, "offered") {
			versions = append(versions, v)
		}
		// "cipher-tls1_2_xc02f" names the version and the code point.
		if rest, ok := strings.CutPrefix(f.ID, "cipher-"); ok {
			i := strings.LastIndex(rest, "_x")
			if i < 0 {
				continue
			}
			v, ok := cipherIDs[rest[:i]]
			code, err := strconv.ParseUint(rest[i+2:], 16, 16)
			if !ok || err != nil {
				continue
			}
			suites[v] = append(suites[v], uint16(code))
		}
	}
	order := func(v string) int {
		return slices.IndexFunc(AllVersions, func(x Version) bool { return x.String() == v })
	}
	slices.SortFunc(versions, func(a, b string) int { return order(a) - order(b) })
	return versions, suites
}
