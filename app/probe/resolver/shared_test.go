package resolver

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// countingQuerier answers every A question with one record of the given
// TTL, or fails while failing is set, and counts the questions it got.
type countingQuerier struct {
	asked   atomic.Int64
	ttl     uint32
	failing atomic.Bool
	gate    chan struct{} // when set, answers wait for it
}

func (q *countingQuerier) Query(_ context.Context, name string, qtype uint16) (*dns.Msg, error) {
	q.asked.Add(1)
	if q.gate != nil {
		<-q.gate
	}
	if q.failing.Load() {
		return nil, errors.New("timeout")
	}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	rr, _ := dns.NewRR(dns.Fqdn(name) + " 300 IN A 192.0.2.1")
	rr.Header().Ttl = q.ttl
	m.Answer = []dns.RR{rr}
	return m, nil
}

func TestSharedKeepsAnswersForTheirTTLAndNotErrors(t *testing.T) {
	ctx := context.Background()
	clock := time.Unix(1_700_000_000, 0)
	now := func() time.Time { return clock }

	t.Run("a question asked again within the TTL is answered from the cache", func(t *testing.T) {
		q := &countingQuerier{ttl: 60}
		s := NewShared(q, 10, now)
		s.Query(ctx, "a.test", dns.TypeA)
		s.Query(ctx, "A.test.", dns.TypeA)
		if q.asked.Load() != 1 {
			t.Errorf("asked %d times, want 1", q.asked.Load())
		}
		clock = clock.Add(61 * time.Second)
		s.Query(ctx, "a.test", dns.TypeA)
		if q.asked.Load() != 2 {
			t.Errorf("asked %d times after the TTL ran out, want 2", q.asked.Load())
		}
	})
	t.Run("identical questions at once are asked once", func(t *testing.T) {
		q := &countingQuerier{ttl: 60, gate: make(chan struct{})}
		s := NewShared(q, 10, now)
		var wg sync.WaitGroup
		for range 5 {
			wg.Add(1)
			go func() { defer wg.Done(); s.Query(ctx, "b.test", dns.TypeA) }()
		}
		time.Sleep(20 * time.Millisecond)
		close(q.gate)
		wg.Wait()
		if q.asked.Load() != 1 {
			t.Errorf("asked %d times, want 1", q.asked.Load())
		}
	})
	t.Run("a failure is not kept for the next domain", func(t *testing.T) {
		q := &countingQuerier{ttl: 60}
		q.failing.Store(true)
		s := NewShared(q, 10, now)
		if _, err := s.Query(ctx, "c.test", dns.TypeA); err == nil {
			t.Fatal("no error from a failing resolver")
		}
		q.failing.Store(false)
		if _, err := s.Query(ctx, "c.test", dns.TypeA); err != nil {
			t.Errorf("the failure was kept: %v", err)
		}
	})
	t.Run("an answer with a TTL of zero is not kept", func(t *testing.T) {
		q := &countingQuerier{ttl: 0}
		s := NewShared(q, 10, now)
		s.Query(ctx, "d.test", dns.TypeA)
		s.Query(ctx, "d.test", dns.TypeA)
		if q.asked.Load() != 2 {
			t.Errorf("asked %d times, want 2", q.asked.Load())
		}
	})
	t.Run("the least recently used answer goes when the cache is full", func(t *testing.T) {
		q := &countingQuerier{ttl: 60}
		s := NewShared(q, 2, now)
		for _, n := range []string{"e1.test", "e2.test", "e1.test", "e3.test"} {
			s.Query(ctx, n, dns.TypeA)
		}
		before := q.asked.Load()
		s.Query(ctx, "e1.test", dns.TypeA) // kept: used after e2
		s.Query(ctx, "e2.test", dns.TypeA) // gone
		if got := q.asked.Load() - before; got != 1 {
			t.Errorf("asked %d more times, want 1 (only the evicted e2.test)", got)
		}
	})
}
