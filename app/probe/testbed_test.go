package probe_test

import (
	"sync/atomic"
	"testing"
	"time"

	"tenderprobe/app/probe/probetest"
)

// testbed is probetest.Testbed under the names this package's tests were
// written with; the loopback internet itself lives in probetest so that
// other packages' end-to-end tests (the verification queue, serve) share it.
type testbed struct {
	*probetest.Testbed
	in                                    *probetest.SignedInternet
	dns                                   *probetest.DNSServer
	ca                                    *probetest.CA
	httpsPort, httpPort, smtpPort, nsPort int
	anchorFile, vrpFile, resolver         string
	dnsQueries, accepted                  *atomic.Int64
	listeners                             []*probetest.DelayedListener
}

// roundTrip is one answer as a server saw it.
type roundTrip struct {
	what            string
	asked, answered time.Time
}

// Addresses of the testbed's servers.
const (
	goodV4 = probetest.GoodV4
	goodV6 = probetest.GoodV6
	badV4  = probetest.BadV4
)

// newTestbed starts the DNS server and all web and mail servers.
func newTestbed(t testing.TB) *testbed {
	t.Helper()
	x := probetest.NewTestbed(t)
	return &testbed{Testbed: x, in: x.Internet, dns: x.DNS, ca: x.CA,
		httpsPort: x.HTTPSPort, httpPort: x.HTTPPort, smtpPort: x.SMTPPort, nsPort: x.NSPort,
		anchorFile: x.AnchorFile, vrpFile: x.VRPFile, resolver: x.Resolver,
		dnsQueries: &x.DNSQueries, accepted: &x.Accepted, listeners: x.Listeners}
}

// answers is the number of round trips the servers answered.
func (tb *testbed) answers() int64 { return tb.Answers() }

// startTrace starts recording round trips afresh; stopTrace returns them.
func (tb *testbed) startTrace() { tb.StartTrace() }

func (tb *testbed) stopTrace() []roundTrip {
	trips := tb.StopTrace()
	out := make([]roundTrip, len(trips))
	for i, rt := range trips {
		out[i] = roundTrip{rt.What, rt.Asked, rt.Answered}
	}
	return out
}
