package resolver

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// lossyResolver answers A queries for example.test over UDP, but drops the
// first dropUDP datagrams it receives, and over TCP when tcp is set.
type lossyResolver struct {
	udpAddr   string
	udpSeen   atomic.Int64
	tcpServed atomic.Int64
}

func startLossyResolver(t *testing.T, dropUDP int64, tcp bool) *lossyResolver {
	t.Helper()
	pc, ln := listenUDPAndTCP(t, tcp)
	lr := &lossyResolver{udpAddr: pc.LocalAddr().String()}
	answer := func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		rr, _ := dns.NewRR("example.test. 60 IN A 192.0.2.1")
		m.Answer = append(m.Answer, rr)
		w.WriteMsg(m)
	}
	udp := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		if lr.udpSeen.Add(1) <= dropUDP {
			return // lost on the way
		}
		answer(w, req)
	})}
	go udp.ActivateAndServe()
	t.Cleanup(func() { udp.Shutdown() })
	if tcp {
		srv := &dns.Server{Listener: ln, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
			lr.tcpServed.Add(1)
			answer(w, req)
		})}
		go srv.ActivateAndServe()
		t.Cleanup(func() { srv.Shutdown() })
	}
	return lr
}

// listenUDPAndTCP listens on a free UDP port of 127.0.0.1 and, when tcp is
// set, on the same TCP port, trying other ports while that one is taken.
func listenUDPAndTCP(t *testing.T, tcp bool) (net.PacketConn, net.Listener) {
	t.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		if !tcp {
			return pc, nil
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln
		}
		pc.Close()
	}
	t.Fatal("no port of 127.0.0.1 free for both UDP and TCP")
	return nil, nil
}

func TestQueryRecoversFromLostDatagrams(t *testing.T) {
	cases := []struct {
		name             string
		dropUDP          int64
		tcp              bool
		wantErr          bool
		wantUDP, wantTCP int64
	}{
		{"an answered query is asked once", 0, true, false, 1, 0},
		{"one lost datagram is sent again over UDP", 1, true, false, 2, 0},
		{"two lost datagrams fall back to TCP", 2, true, false, 2, 1},
		{"a resolver that never answers is an error, not a hang", 1000, false, true, 2, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			lr := startLossyResolver(t, c.dropUDP, c.tcp)
			// 500 ms per UDP attempt: an answer from a busy machine (the
			// whole suite runs at once) must not count as lost.
			client := New(lr.udpAddr, 1500*time.Millisecond)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			m, err := client.Query(ctx, "example.test", dns.TypeA)
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, want error %v", err, c.wantErr)
			}
			if !c.wantErr && len(m.Answer) != 1 {
				t.Fatalf("answer %v", m.Answer)
			}
			if got := lr.udpSeen.Load(); got != c.wantUDP {
				t.Errorf("%d UDP datagrams, want %d", got, c.wantUDP)
			}
			if got := lr.tcpServed.Load(); got != c.wantTCP {
				t.Errorf("%d TCP queries, want %d", got, c.wantTCP)
			}
		})
	}
}
