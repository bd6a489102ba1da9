package pagecache

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func entry(size int, until time.Duration) *Entry {
	return &Entry{Parts: []string{strings.Repeat("x", size)}, From: t0, Until: t0.Add(until)}
}

func TestTheCacheKeepsWhatFitsAndDropsTheLeastRecentlyUsed(t *testing.T) {
	c := New(3 * 1200)
	for _, k := range []string{"a", "b", "c"} {
		if _, err := c.Fill(k, func() (*Entry, error) { return entry(1000, time.Hour), nil }); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := c.Get("a", t0); !ok { // a is now the most recently used
		t.Fatal("a is not kept")
	}
	_, _ = c.Fill("d", func() (*Entry, error) { return entry(1000, time.Hour), nil })
	if _, ok := c.Get("b", t0); ok {
		t.Error("b, the least recently used, is still kept beyond the bound")
	}
	for _, k := range []string{"a", "c", "d"} {
		if _, ok := c.Get(k, t0); !ok {
			t.Errorf("%s is not kept", k)
		}
	}
	if _, _, bytes := c.Stats(); bytes > 3*1200 {
		t.Errorf("%d bytes held, bound %d", bytes, 3*1200)
	}
	_, _ = c.Fill("huge", func() (*Entry, error) { return entry(10_000, time.Hour), nil })
	if _, ok := c.Get("huge", t0); ok {
		t.Error("an entry larger than the whole cache is kept")
	}
}

func TestAnEntryIsTrueOnlyFromItsRenderUntilItsHorizon(t *testing.T) {
	c := New(1 << 20)
	_, _ = c.Fill("k", func() (*Entry, error) { return entry(10, time.Minute), nil })
	for _, tc := range []struct {
		at   time.Duration
		want bool
	}{{-time.Nanosecond, false}, {0, true}, {time.Minute - time.Nanosecond, true}, {time.Minute, false}} {
		_, _ = c.Fill("k", func() (*Entry, error) { return entry(10, time.Minute), nil })
		if _, ok := c.Get("k", t0.Add(tc.at)); ok != tc.want {
			t.Errorf("at %v: kept %v, want %v", tc.at, ok, tc.want)
		}
	}
}

func TestConcurrentMissesRenderOnce(t *testing.T) {
	c := New(1 << 20)
	var renders atomic.Int32
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, _ = c.Fill("k", func() (*Entry, error) {
				renders.Add(1)
				time.Sleep(50 * time.Millisecond)
				return entry(10, time.Hour), nil
			})
		}()
	}
	close(start)
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Errorf("%d renders for 16 concurrent misses", n)
	}
}

func TestTheBodyTakesEachRequestsToken(t *testing.T) {
	e := &Entry{Parts: []string{"<form>", "</form><form>", "</form>"}}
	got := string(e.AppendBody([]byte("head"), "TOKEN"))
	if want := "head<form>TOKEN</form><form>TOKEN</form>"; got != want || e.Len(5) != len(want)-len("head") {
		t.Errorf("got %q (length %d)", got, e.Len(5))
	}
}

// TestTheCompressedBodyIsTheBodyAndNeverCompressesTheToken: a gzip reader
// gets exactly head, body with the token and tail, for parts of every
// size (empty, small, larger than a stored block, repetitive), and the
// token stands uncompressed in the answer each time it is used.
func TestTheCompressedBodyIsTheBodyAndNeverCompressesTheToken(t *testing.T) {
	big := strings.Repeat("<td>complies</td><td>not verified</td>", 5000)
	random := make([]byte, 70000)
	for i := range random {
		random[i] = byte(i * 7919 % 251)
	}
	cases := []struct {
		name              string
		parts             []string
		head, token, tail string
	}{
		{"one part and no token", []string{big}, "<html>", "", "</html>"},
		{"a token between parts", []string{"<form>", "</form>" + big + "<form>", "</form>"}, "<head>", "TOKEN1234", "</body>"},
		{"empty parts", []string{"", "", ""}, "", "T", ""},
		{"a head longer than a stored block", []string{big, big}, strings.Repeat("h", 150000), "tok", "tail"},
		{"bytes that do not compress", []string{string(random), string(random)}, "x", "secret-token", "y"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := &Entry{Parts: tc.parts}
			if err := e.Compress(); err != nil {
				t.Fatal(err)
			}
			answer := e.AppendGzip([]byte("prefix"), tc.head, tc.token, tc.tail)
			if n := e.GzipLen(len(tc.head), len(tc.token), len(tc.tail)); len(answer) != len("prefix")+n {
				t.Errorf("GzipLen says %d bytes, AppendGzip wrote %d", n, len(answer)-len("prefix"))
			}
			if !bytes.HasPrefix(answer, []byte("prefix")) {
				t.Fatal("dst was not appended to")
			}
			answer = answer[len("prefix"):]
			r, err := gzip.NewReader(bytes.NewReader(answer))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatalf("the gzip stream does not read: %v", err)
			}
			want := tc.head + string(e.AppendBody(nil, tc.token)) + tc.tail
			if string(got) != want {
				t.Fatalf("read %d bytes, want %d", len(got), len(want))
			}
			if tc.token != "" && bytes.Count(answer, []byte(tc.token)) < len(tc.parts)-1 {
				t.Errorf("the token is not in the answer %d times uncompressed", len(tc.parts)-1)
			}
		})
	}
}
