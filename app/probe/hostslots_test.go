package probe_test

import (
	"context"
	"errors"
	"net"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"tenderprobe/app/probe"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/app/probe/rpki"
)

// openCounter is a server that accepts connections and never answers,
// counting how many of them the client holds open at once. A connection
// counts until the client's close reaches it. A client's Close may leave
// the socket open a moment longer (until a goroutine blocked reading it
// wakes up, which on a loaded machine can take a while), so each count is
// taken 300 ms after the accept it follows, when the closes the client
// made before that connect have all arrived; the probes hold connections
// to this silent server for their whole timeout of a second.
type openCounter struct {
	mu   sync.Mutex
	held []net.Conn
	max  int
}

func (c *openCounter) serve(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		c.mu.Lock()
		c.held = append(c.held, conn)
		c.mu.Unlock()
		time.AfterFunc(300*time.Millisecond, c.count)
	}
}

func (c *openCounter) count() {
	c.mu.Lock()
	defer c.mu.Unlock()
	live := c.held[:0]
	for _, h := range c.held {
		// A deadline already past fails before reading; one just ahead
		// reads the close if it is there. What the client said (a
		// ClientHello, EHLO) is read and dropped.
		// Reading goes on until the deadline or the close: a client
		// that said something before closing leaves data ahead of the
		// close.
		h.SetReadDeadline(time.Now().Add(time.Millisecond))
		var err error
		for err == nil {
			_, err = h.Read(make([]byte, 4096))
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			live = append(live, h)
			continue
		}
		h.Close()
	}
	c.held = live
	c.max = max(c.max, len(c.held))
}

func (c *openCounter) most() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.max
}

// cappedTestbed is the testbed plus silent web and mail servers on
// 127.0.0.4 and the given domains pointing every name at them, so that
// every scan, fetch and mail session a probe starts waits there at once.
func cappedTestbed(t *testing.T, domains ...string) (*testbed, map[string]*openCounter) {
	t.Helper()
	tb := newTestbed(t)
	const addr = "127.0.0.4"
	for _, d := range domains {
		tb.in.AddZone(probetest.Zone{Name: d + ".", Unsigned: true, Records: []string{
			"@ 300 IN A " + addr,
			"www 300 IN A " + addr,
			"mail 300 IN A " + addr,
			"@ 300 IN MX 10 mail." + d + ".",
		}})
	}
	servers := map[string]*openCounter{}
	for name, port := range map[string]int{"https": tb.httpsPort, "http": tb.httpPort, "smtp": tb.smtpPort} {
		ln, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(port)))
		if err != nil {
			t.Skipf("cannot listen on %s:%d: %v", addr, port, err)
		}
		t.Cleanup(func() { ln.Close() })
		servers[name] = &openCounter{}
		go servers[name].serve(ln)
	}
	return tb, servers
}

func cappedEngine(t *testing.T, tb *testbed, perProbe, perBatch int) *probe.Engine {
	t.Helper()
	vrps, err := rpki.LoadVRPs(context.Background(), tb.vrpFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := probe.New(probe.Config{
		Resolver: tb.resolver, TrustAnchors: tb.in.TrustAnchor(), RootCAs: tb.ca.Pool, VRPs: vrps,
		AllowPrivate: true, HTTPSPort: tb.httpsPort, HTTPPort: tb.httpPort, SMTPPort: tb.smtpPort, NSPort: tb.nsPort,
		Timeout: 4 * time.Second, ConnTimeout: time.Second,
		MaxConnsPerHost: perProbe, MaxBatchConnsPerHost: perBatch,
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestProbeHoldsAtMostTheCapOfConnectionsToOneServer(t *testing.T) {
	t.Parallel()
	tb, servers := cappedTestbed(t, "capped.test")
	const limit = 3
	e := cappedEngine(t, tb, limit, 100)
	res, err := e.Probe(context.Background(), "capped.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Checks) == 0 {
		t.Fatal("no checks")
	}
	for name, s := range servers {
		t.Run("the "+name+" server saw at most the cap at once", func(t *testing.T) {
			// The web and mail servers are wanted by more connections
			// than the cap (the scans' versions, the fetches, the mail
			// sessions), so without it they would see more; with it,
			// exactly the cap. The plain-HTTP server is wanted less.
			if got := s.most(); got != limit && name != "http" || name == "http" && got > limit {
				t.Errorf("%s: at most %d connections open at once, want %d", name, got, limit)
			}
		})
	}
}

func TestABatchHoldsAtMostItsCapOfConnectionsToOneServer(t *testing.T) {
	t.Parallel()
	tb, servers := cappedTestbed(t, "capped1.test", "capped2.test", "capped3.test")
	// Three probes at once, each allowed 4 connections to a server, share
	// 6 for the batch.
	const perProbe, perBatch = 4, 6
	e := cappedEngine(t, tb, perProbe, perBatch)
	results := e.ProbeAll(context.Background(), []string{"capped1.test", "capped2.test", "capped3.test"}, 3, nil)
	if len(results) != 3 {
		t.Fatalf("%d results", len(results))
	}
	for _, name := range []string{"https", "smtp"} {
		t.Run("the "+name+" server saw at most the batch's cap at once", func(t *testing.T) {
			if got := servers[name].most(); got != perBatch {
				t.Errorf("%s: at most %d connections open at once, want %d", name, got, perBatch)
			}
		})
	}
}
