package probe

import (
	"context"
	"net/netip"
	"testing"
	"time"
)

func TestHostSlotsWaitForAFreeSlotAndForgetIdleServers(t *testing.T) {
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
