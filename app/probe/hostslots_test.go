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
// wakes up), so each count is taken a little after the accept it follows,
// when the closes the client made before that connect have all arrived;
// the connections of a hung server are held far longer than that.
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
		time.AfterFunc(50*time.Millisecond, c.count)
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
		h.SetReadDeadline(time.Now().Add(time.Millisecond))
		if _, err := h.Read(make([]byte, 4096)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
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

func TestProbeHoldsAtMostTheCapOfConnectionsToOneServer(t *testing.T) {
	tb := newTestbed(t)
	// capped.test's web and mail servers are one silent address, so every
	// scan, fetch and mail session the probe starts waits there at once.
	const addr = "127.0.0.4"
	tb.in.AddZone(probetest.Zone{Name: "capped.test.", Unsigned: true, Records: []string{
		"@ 300 IN A " + addr,
		"www 300 IN A " + addr,
		"mail 300 IN A " + addr,
		"@ 300 IN MX 10 mail.capped.test.",
	}})
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
	vrps, err := rpki.LoadVRPs(context.Background(), tb.vrpFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	const limit = 3
	e, err := probe.New(probe.Config{
		Resolver: tb.resolver, TrustAnchors: tb.in.TrustAnchor(), RootCAs: tb.ca.Pool, VRPs: vrps,
		AllowPrivate: true, HTTPSPort: tb.httpsPort, HTTPPort: tb.httpPort, SMTPPort: tb.smtpPort, NSPort: tb.nsPort,
		Timeout: 4 * time.Second, ConnTimeout: 300 * time.Millisecond, MaxConnsPerHost: limit,
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Probe(context.Background(), "capped.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Checks) == 0 {
		t.Fatal("no checks")
	}
	for name, s := range servers {
		t.Run("the "+name+" server saw at most the cap at once, and the cap filled", func(t *testing.T) {
			// Each server is wanted by more connections than the cap
			// (the scans' versions, the fetches, the mail sessions), so
			// without the cap it would see more; with it, exactly the cap.
			if got := s.most(); got != limit && name != "http" || name == "http" && got > limit {
				t.Errorf("%s: at most %d connections open at once, want %d", name, got, limit)
			}
		})
	}
}
