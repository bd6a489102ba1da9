package dnssec

import (
	"crypto/sha256"
	"sync"

	"github.com/miekg/dns"
)

// checkedSigs remembers the outcome of signature checks by what was
// checked: signature, key and records in wire form. Verifying a P-256 or
// RSA signature costs tens of microseconds; a batch of a thousand domains
// asks for the same root, TLD and shared-zone signatures a thousand times.
var checkedSigs = &sigMemo{max: 1 << 14}

// sigMemo is a bounded map from the SHA-256 of a signature check's input to
// its outcome; when full it starts afresh (the entries that matter come
// back at once).
type sigMemo struct {
	mu  sync.Mutex
	max int
	m   map[[sha256.Size]byte]error
}

func (s *sigMemo) get(id [sha256.Size]byte) (err error, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	err, ok = s.m[id]
	return err, ok
}

func (s *sigMemo) put(id [sha256.Size]byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil || len(s.m) >= s.max {
		s.m = make(map[[sha256.Size]byte]error, 1024)
	}
	s.m[id] = err
}

// sigID is the SHA-256 of the wire form of sig, key and rrset (in the order
// given), each record prefixed by its length so that no two inputs share
// an id; ok is false when a record cannot be packed (then the check is
// simply made).
func sigID(sig *dns.RRSIG, key *dns.DNSKEY, rrset []dns.RR) (id [sha256.Size]byte, ok bool) {
	h := sha256.New()
	buf := make([]byte, 0, 512)
	for _, rr := range append([]dns.RR{sig, key}, rrset...) {
		n := dns.Len(rr)
		if cap(buf) < n+2 {
			buf = make([]byte, 0, n+2)
		}
		b := buf[:n+2]
		off, err := dns.PackRR(rr, b, 2, nil, false)
		if err != nil {
			return id, false
		}
		b[0], b[1] = byte((off-2)>>8), byte(off-2)
		h.Write(b[:off])
	}
	h.Sum(id[:0])
	return id, true
}
