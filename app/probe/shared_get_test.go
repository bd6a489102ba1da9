package probe

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestSharedGetsAskEachPageOnceAtEachAddress(t *testing.T) {
	t.Parallel()
	var asked sync.Map // "host path" → *atomic.Int64
	slow := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := asked.LoadOrStore(r.Host+" "+r.URL.Path, new(atomic.Int64))
		if n.(*atomic.Int64).Add(1) == 1 && r.URL.Path == "/slow" {
			<-slow
		}
		w.Write([]byte(strings.Repeat("x", 100)))
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	httpPort, _ := strconv.Atoi(port)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
		}}}
	v4, other := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")
	pin := webTarget{Host: "site.test", Addr: v4}
	count := func(host, path string) int64 {
		n, ok := asked.Load(host + " " + path)
		if !ok {
			return 0
		}
		return n.(*atomic.Int64).Load()
	}

	r := &run{cfg: Config{HTTPPort: httpPort, HTTPSPort: 443}}
	ctx := context.Background()
	var wg sync.WaitGroup
	for _, u := range []string{"http://site.test/", "http://SITE.test:" + port + "/", "http://site.test:80/", "http://site.test"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, body, truncated, _, err := r.getShared(ctx, client, pin, u, 1000)
			if err != nil || resp.StatusCode != 200 || len(body) != 100 || truncated {
				t.Errorf("%s: %v, %d bytes, truncated %v", u, err, len(body), truncated)
			}
		}()
	}
	wg.Wait()
	if got := count("site.test", "/"); got != 1 {
		t.Errorf("one page asked for in four spellings at once went %d times to the server, want 1", got)
	}

	// A smaller limit reads the same answer, cut.
	if _, body, truncated, _, err := r.getShared(ctx, client, pin, "http://site.test/", 10); err != nil || len(body) != 10 || !truncated {
		t.Errorf("limit 10: %v, %d bytes, truncated %v; want 10 bytes, truncated", err, len(body), truncated)
	}
	tests := []struct {
		name, host, url string
		pin             webTarget
	}{
		{"another address of the host", "site.test", "http://site.test/", webTarget{Host: "site.test", Addr: other}},
		{"another page", "site.test", "http://site.test/other", pin},
		{"another host than the pinned one", "elsewhere.test", "http://elsewhere.test/", pin},
	}
	for _, tc := range tests {
		before := count(tc.host, strings.TrimPrefix(tc.url, "http://"+tc.host))
		if _, _, _, _, err := r.getShared(ctx, client, tc.pin, tc.url, 1000); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := count(tc.host, strings.TrimPrefix(tc.url, "http://"+tc.host)); got != before+1 {
			t.Errorf("%s: asked %d times, want %d", tc.name, got, before+1)
		}
	}
	// Other hosts are never shared: asked again, they go again.
	r.getShared(ctx, client, pin, "http://elsewhere.test/", 1000)
	if got := count("elsewhere.test", "/"); got != 2 {
		t.Errorf("another host's page asked twice went %d times, want 2", got)
	}

	// The first asker's time runs out while its request waits on the
	// server; one still waiting with time of its own asks again.
	first, cancel := context.WithCancel(ctx)
	firstDone := make(chan error)
	go func() {
		_, _, _, _, err := r.getShared(first, client, pin, "http://site.test/slow", 1000)
		firstDone <- err
	}()
	for count("site.test", "/slow") == 0 {
		runtime.Gosched()
	}
	second := make(chan error)
	go func() {
		resp, body, _, _, err := r.getShared(ctx, client, pin, "http://site.test/slow", 1000)
		if err == nil && (resp.StatusCode != 200 || len(body) != 100) {
			err = fmt.Errorf("status %d, %d bytes", resp.StatusCode, len(body))
		}
		second <- err
	}()
	cancel()
	if err := <-firstDone; err == nil {
		t.Error("the first asker's cancelled request succeeded")
	}
	if err := <-second; err != nil {
		t.Errorf("the second asker, its own time left: %v", err)
	}
	close(slow)
}
