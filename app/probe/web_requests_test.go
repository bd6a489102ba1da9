package probe_test

import (
	"context"
	"crypto/tls"
	"sync/atomic"
	"testing"

	"tenderprobe/app/probe/probetest"
)

// TestAProbeAsksEachPageOnceAtEachAddress: the redirect check and the
// IPv4/IPv6 comparison ask for the same http:// and https:// home pages at
// each address; a probe sends each request once, and the compression
// check's request (asking for gzip, deflate and br) once more. (Go's
// client asks for gzip by itself.) And pages are read over a classical
// key exchange: an ML-KEM key share would cost both ends CPU for nothing
// the page checks measure.
func TestAProbeAsksEachPageOnceAtEachAddress(t *testing.T) {
	t.Parallel()
	tb := newTestbed(t)
	e := testbedEngine(t, tb)
	if _, err := e.Probe(context.Background(), "good.test"); err != nil {
		t.Fatal(err)
	}
	got := map[probetest.WebRequest]int64{}
	tb.WebRequests.Range(func(k, v any) bool {
		got[k.(probetest.WebRequest)] = v.(*atomic.Int64).Load()
		return true
	})
	for req, n := range got {
		if n != 1 {
			t.Errorf("%+v asked %d times, want once", req, n)
		}
	}
	tb.WebGroups.Range(func(k, v any) bool {
		if g := k.(tls.CurveID); g != tls.X25519 {
			t.Errorf("%d HTTPS requests came over %v, want X25519", v.(*atomic.Int64).Load(), g)
		}
		return true
	})
	for _, host := range []string{"good.test", "www.good.test"} {
		for _, addr := range []string{goodV4, goodV6} {
			for _, want := range []probetest.WebRequest{
				{Scheme: "http", Host: host, Addr: addr, Path: "/", AcceptEncoding: "gzip"},
				{Scheme: "https", Host: host, Addr: addr, Path: "/", AcceptEncoding: "gzip"},
				{Scheme: "https", Host: host, Addr: addr, Path: "/", AcceptEncoding: "gzip, deflate, br"},
			} {
				if got[want] == 0 {
					t.Errorf("%+v was never asked", want)
				}
			}
		}
	}
}
