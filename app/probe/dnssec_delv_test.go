package probe

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/dnssec"
	"tenderprobe/app/probe/probetest"
)

// TestTheValidatorAgreesWithDelvOnTheCornerCases asks BIND's delv, an
// independent validator, about every name of the DNSSEC corner-case zones,
// through the same DNS server and trust anchor, and expects the probe's
// validator to reach the same verdict: secure, insecure or bogus. It also
// shows that the test signer's Ed448, wildcard and rollover signatures are
// what another implementation accepts.
func TestTheValidatorAgreesWithDelvOnTheCornerCases(t *testing.T) {
	t.Parallel()
	delv, err := exec.LookPath("delv")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("delv (Debian package bind9-dnsutils) is needed in CI")
		}
		t.Skip("delv not installed (Debian package bind9-dnsutils)")
	}
	in := probetest.NewSignedInternet(t, probetest.SignedOptions{})
	for _, z := range cornerZones() {
		in.AddZone(z)
	}
	// One name per corner case (delv starts slowly, so not every name).
	var names []string
	for _, zone := range []string{"alg8", "alg10", "alg14", "alg15", "alg16", "alg5", "alg7", "alg17",
		"ds-sha384", "ds-sha1-sha256", "ds-sha1-good-sha256-bad", "ds-unknown-digest", "ds-unknown-alg", "ksk-new-ds", "ksk-standby",
		"zsk-prepublished", "ksk-not-in-ds", "wild", "wild3", "wild-unproven", "cname", "cname-bogus", "cname-unsigned",
		"future", "partial", "ds-but-unsigned", "www-unsigned"} {
		names = append(names, "www."+zone+".test")
	}
	names = append(names, "partial.test", "nope.alg16.test")
	in.Add(t, cornerExtraRecords...)
	srv := in.Serve(t)
	ds := in.TrustAnchor()[0].(*dns.DS)
	anchor := filepath.Join(t.TempDir(), "anchor.conf")
	text := fmt.Sprintf("trust-anchors {\n\t. static-ds %d %d %d \"%s\";\n};\n", ds.KeyTag, ds.Algorithm, ds.DigestType, ds.Digest)
	if err := os.WriteFile(anchor, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := New(Config{Resolver: srv.Addr, TrustAnchors: in.TrustAnchor(), AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := strings.Cut(srv.Addr, ":")
	v := newRun(e, "corner.test").validator
	var wg sync.WaitGroup
	sem := make(chan struct{}, 6)
	for _, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out, err := exec.Command(delv, "-4", "@"+host, "-p", port, "-a", anchor, "+root=.", name, "A").CombinedOutput()
			if err != nil {
				t.Errorf("delv %s: %v\n%s", name, err, out)
				return
			}
			want := delvVerdict(string(out))
			res, _ := v.Validate(context.Background(), name, dns.TypeA)
			if res.Security != want {
				t.Errorf("%s A: the validator says %s (%s), delv says %s:\n%s", name, res.Security, res.Reason, want, out)
			}
		}()
	}
	wg.Wait()
}

// delvVerdict reads delv's verdict from its output, which has one per
// RRset of a CNAME chain: the worst counts. A negative answer also prints
// "resolution failed: ncache ...", which is no failure.
func delvVerdict(out string) dnssec.Security {
	failed := false
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "resolution failed") && !strings.Contains(line, "ncache") {
			failed = true
		}
	}
	switch {
	case failed:
		return dnssec.Bogus
	case strings.Contains(out, "unsigned answer"):
		return dnssec.Insecure
	case strings.Contains(out, "fully validated"):
		return dnssec.Secure
	}
	return dnssec.Indeterminate
}
