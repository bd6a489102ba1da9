package probe

import (
	"context"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"tenderprobe/app/probe/probetest"
)

func TestHostSlotsWaitForAFreeSlotAndForgetIdleServers(t *testing.T) {
	t.Parallel()
	h := newHostSlots(2)
	a := netip.MustParseAddrPort("192.0.2.1:443")
	b := netip.MustParseAddrPort("192.0.2.1:25")
	ctx := context.Background()
	r1, _ := h.acquire(ctx, a, 0)
	r2, _ := h.acquire(ctx, a, 0)

	t.Run("another server has slots of its own", func(t *testing.T) {
		rb, err := h.acquire(ctx, b, 0)
		if err != nil {
			t.Fatal(err)
		}
		rb()
	})
	t.Run("a third connection to a full server waits until its context ends", func(t *testing.T) {
		short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		if _, err := h.acquire(short, a, 0); err == nil {
			t.Fatal("got a third slot while two were held")
		}
	})
	t.Run("a released slot goes to the one waiting", func(t *testing.T) {
		got := make(chan func(), 1)
		go func() {
			r, err := h.acquire(ctx, a, 0)
			if err == nil {
				got <- r
			}
		}()
		select {
		case <-got:
			t.Fatal("a third slot before any was released")
		case <-time.After(20 * time.Millisecond):
		}
		r1()
		r1() // releasing twice gives back one slot only
		select {
		case r3 := <-got:
			r3()
		case <-time.After(5 * time.Second):
			t.Fatal("the waiting connection never got the released slot")
		}
	})
	r2()
	t.Run("a server nobody holds or waits for is forgotten", func(t *testing.T) {
		h.mu.Lock()
		defer h.mu.Unlock()
		if len(h.hosts) != 0 {
			t.Errorf("%d servers still tracked", len(h.hosts))
		}
	})
}

// TestTheNextConnectionOfAChainTakesThePlaceOfThePreviousOne: a scan's
// chained hello (dialAfter) gets the slot of the connection it follows,
// which is closed before the new one connects, ahead of connections that
// were already waiting for a slot.
func TestTheNextConnectionOfAChainTakesThePlaceOfThePreviousOne(t *testing.T) {
	t.Parallel()
	addr := probetest.Serve(t, probetest.Listen(t), func(c net.Conn) { io.Copy(io.Discard, c) })
	r := testRun(t, "example.test", func(c *Config) { c.MaxConnsPerHost = 1 })
	ctx := context.Background()
	first, err := r.dial(ctx, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	waiter := make(chan net.Conn, 1)
	go func() {
		c, err := r.dial(ctx, "tcp", addr)
		if err == nil {
			waiter <- c
		}
	}()
	time.Sleep(20 * time.Millisecond)
	next, err := r.dialAfter(ctx, first, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Write([]byte("x")); err == nil {
		t.Error("the connection a chain moved on from is still open")
	}
	select {
	case <-waiter:
		t.Fatal("the waiting connection got the slot the chain handed on")
	case <-time.After(20 * time.Millisecond):
	}
	first.Close() // closing the predecessor again gives nothing back
	select {
	case <-waiter:
		t.Fatal("closing the predecessor twice freed a slot")
	case <-time.After(20 * time.Millisecond):
	}
	next.Close()
	select {
	case c := <-waiter:
		c.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting connection never got the slot")
	}
}
