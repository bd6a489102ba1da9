package probe

import (
	"context"
	"net/netip"
	"testing"
	"time"
)

// A batch keeps at most maxSharedServers measurements: finished ones past
// the window go first, then other finished ones; running ones stay.
func TestBatchForgetsFinishedServersPastItsBound(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	b := newBatchServers(context.Background())
	closed := make(chan struct{})
	close(closed)
	key := func(i int) serverKey {
		return serverKey{netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, byte(i >> 8), byte(i)}), 25), "mx.test"}
	}
	running := key(0)
	b.entries[running] = &serverEntry{done: make(chan struct{}), at: now.Add(-time.Hour)}
	stale := key(1)
	b.entries[stale] = &serverEntry{done: closed, at: now.Add(-time.Hour)}
	for i := 2; i < maxSharedServers; i++ {
		b.entries[key(i)] = &serverEntry{done: closed, at: now}
	}

	b.forget(now)
	if len(b.entries) >= maxSharedServers {
		t.Fatalf("%d measurements kept, want fewer than %d", len(b.entries), maxSharedServers)
	}
	if _, ok := b.entries[stale]; ok {
		t.Error("a finished measurement past the window was kept while fresh ones were dropped")
	}
	if _, ok := b.entries[running]; !ok {
		t.Error("a measurement still running was forgotten")
	}
	if len(b.entries) != maxSharedServers-1 {
		t.Errorf("%d measurements kept, want %d: dropping the stale one was enough", len(b.entries), maxSharedServers-1)
	}
}
