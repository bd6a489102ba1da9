package tlsscan

import (
	"context"
	"crypto/tls"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"tenderprobe/app/probe/probetest"
)

func TestDealSpreadsSuitesOverAsFewHellosAsChunk(t *testing.T) {
	t.Parallel()
	ids := func(n int) []uint16 {
		out := make([]uint16, n)
		for i := range out {
			out[i] = uint16(i + 1)
		}
		return out
	}
	tests := []struct {
		name string
		ids  []uint16
		n    int
		want [][]uint16
	}{
		{"ten in fours", ids(10), 4, [][]uint16{{1, 4, 7, 10}, {2, 5, 8}, {3, 6, 9}}},
		{"one each", ids(3), 1, [][]uint16{{1}, {2}, {3}}},
		{"all in one", ids(5), 64, [][]uint16{{1, 2, 3, 4, 5}}},
		{"exactly two", ids(4), 2, [][]uint16{{1, 3}, {2, 4}}},
		{"none", nil, 64, [][]uint16{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := deal(tt.ids, tt.n)
			if !slices.EqualFunc(got, tt.want, slices.Equal[[]uint16]) {
				t.Errorf("deal(%v, %d) = %v, want %v", tt.ids, tt.n, got, tt.want)
			}
		})
	}
	// On the real lists: as many hellos as chunk makes, none over the
	// size, every suite once.
	for _, v := range AllVersions {
		all := suitesFor(v)
		dealt := deal(all, 64)
		if len(dealt) != len(chunk(all, 64)) {
			t.Errorf("%s: %d hellos, chunk makes %d", v, len(dealt), len(chunk(all, 64)))
		}
		var back []uint16
		for _, h := range dealt {
			if len(h) > 64 {
				t.Errorf("%s: a hello of %d suites", v, len(h))
			}
			back = append(back, h...)
		}
		if !slices.Equal(suiteIDsSorted(back), suiteIDsSorted(all)) {
			t.Errorf("%s: dealing lost or doubled suites", v)
		}
	}
}

func TestSuitesForOffersEverySuiteOnceTheCommonOnesFirst(t *testing.T) {
	t.Parallel()
	for _, id := range commonSuites {
		if _, ok := suiteByID[id]; !ok {
			t.Errorf("common suite 0x%04X is not in the table", id)
		}
	}
	for _, v := range AllVersions {
		got := suitesFor(v)
		var want, common []uint16
		for _, s := range suiteTable {
			if offeredIn(s, v) {
				want = append(want, s.id)
			}
		}
		for _, id := range commonSuites {
			if offeredIn(suiteByID[id], v) {
				common = append(common, id)
			}
		}
		if !slices.Equal(suiteIDsSorted(got), suiteIDsSorted(want)) {
			t.Errorf("%s: suitesFor offers %d suites, the table has %d for it, or some twice", v, len(got), len(want))
		}
		if !slices.Equal(got[:len(common)], common) {
			t.Errorf("%s: the common suites do not lead: %04X", v, got[:len(common)])
		}
	}
	// The six ECDHE AEAD suites of TLS 1.2, which a modern server accepts
	// three of, go to six different hellos.
	hello := map[uint16]int{}
	for i, h := range deal(suitesFor(TLS12), 64) {
		for _, id := range h {
			hello[id] = i
		}
	}
	seen := map[int]bool{}
	for _, id := range []uint16{0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8} {
		seen[hello[id]] = true
	}
	if len(seen) != 6 {
		t.Errorf("the six ECDHE AEAD suites share hellos: %v", hello)
	}
}

// chainDialer records how deep in a chain of "remove the chosen suite and
// ask again" each connection is (Config.DialAfter continues a chain), and
// how many connections were asked for before the first answer came back.
type chainDialer struct {
	mu       sync.Mutex
	depth    map[net.Conn]int
	deepest  int
	answered bool
	early    int
}

func (d *chainDialer) open(ctx context.Context, addr string, depth int) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	w := &answerConn{Conn: c, d: d}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.depth[w] = depth
	d.deepest = max(d.deepest, depth)
	if !d.answered {
		d.early++
	}
	return w, nil
}

func (d *chainDialer) dial(ctx context.Context, _, addr string) (net.Conn, error) {
	return d.open(ctx, addr, 1)
}

func (d *chainDialer) dialAfter(ctx context.Context, prev net.Conn, _, addr string) (net.Conn, error) {
	d.mu.Lock()
	depth := d.depth[prev] + 1
	d.mu.Unlock()
	prev.Close()
	return d.open(ctx, addr, depth)
}

type answerConn struct {
	net.Conn
	d *chainDialer
}

func (c *answerConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.d.mu.Lock()
		c.d.answered = true
		c.d.mu.Unlock()
	}
	return n, err
}

// A full scan finds a modern server's three TLS 1.2 and three TLS 1.3
// suites side by side: each in a hello of its own, so that no chain is
// longer than an accepted suite and the refusal after it, and every TLS
// 1.2 hello goes out before the first answer is in (it does not wait to
// learn whether TLS 1.2 is spoken at all). Before, the TLS 1.3 suites were
// found one after another (four hellos) and the TLS 1.2 ones after the
// first chunk's refusal.
func TestAFullScanFindsAServersSuitesSideBySide(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{}, "www.example.test")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// Answers come 100 ms late, so that every hello asked for at once is
	// out before the first answer, however busy the machine.
	addr := serveTLSOn(t, probetest.DelayListener(ln, 100*time.Millisecond), &tls.Config{
		Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		},
	})
	for _, tt := range []struct {
		v     Version
		early int
	}{
		{TLS12, len(deal(suitesFor(TLS12), 64))},
		{TLS13, 1},
	} {
		t.Run(tt.v.String(), func(t *testing.T) {
			t.Parallel()
			d := &chainDialer{depth: map[net.Conn]int{}}
			rep := scan(t, addr, "www.example.test", ca, func(c *Config) {
				c.Dial, c.DialAfter, c.Versions = d.dial, d.dialAfter, []Version{tt.v}
			})
			if got := versionResult(rep, tt.v); len(got.Suites) != 3 {
				t.Fatalf("%s: found %v, want three suites", tt.v, suiteIDs(got.Suites))
			}
			if d.deepest > 2 {
				t.Errorf("%s: a chain of %d hellos; want each accepted suite found in a hello of its own", tt.v, d.deepest)
			}
			if d.early < tt.early {
				t.Errorf("%s: %d connections before the first answer, want at least %d", tt.v, d.early, tt.early)
			}
		})
	}
}
