package tlsscan

import (
	"cmp"
	"context"
	"slices"
	"sync"
)

// KexHashResult says whether a server signs its TLS 1.2 key exchange with
// a weak hash when the client offers nothing better, as internet.nl tests
// it (NCSC-NL 3.3.5, sslyze with limited signature algorithms): one
// ClientHello offers only SHA-1 signature schemes, another only SHA-224.
// The scheme the server preferred when offered everything (Report's
// KexSigAlgs) does not tell whether it would still accept a weak one.
type KexHashResult struct {
	// SHA1 and SHA224 are the weak scheme the server signed with when
	// offered only those; nil when it refused, or signed with a scheme
	// that was not offered (the client would reject that).
	SHA1   *SigAlg `json:"sha1,omitempty"`
	SHA224 *SigAlg `json:"sha224,omitempty"`
	// Error is set when a hello got no answer that says yes or no.
	Error string `json:"error,omitempty"`
}

// The signature schemes of each weak hash (RFC 5246 7.4.1.4.1: RSA, DSA
// and ECDSA with SHA-1 or SHA-224).
var (
	sha1SigAlgs   = []uint16{0x0201, 0x0203, 0x0202}
	sha224SigAlgs = []uint16{0x0301, 0x0303, 0x0302}
)

// probeKexHash sends the two TLS 1.2 ClientHellos at once, each offering
// the suites whose key exchange the server signs (ECDHE and DHE with RSA,
// ECDSA or DSA), and reads which scheme the ServerKeyExchange is signed
// with. A server that does not speak TLS 1.2 refuses both: there is no
// weak hash to find, as with internet.nl.
func (s *scanner) probeKexHash(ctx context.Context) *KexHashResult {
	suites := signedKexSuites(s.cfg.ChunkSize)
	var (
		res  KexHashResult
		errs [2]error
		wg   sync.WaitGroup
	)
	for i, algs := range [][]uint16{sha1SigAlgs, sha224SigAlgs} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := s.weakKexSignature(ctx, suites, algs)
			errs[i] = err
			if i == 0 {
				res.SHA1 = a
			} else {
				res.SHA224 = a
			}
		}()
	}
	wg.Wait()
	if err := cmp.Or(errs[0], errs[1]); err != nil {
		res.Error = err.Error()
	}
	return &res
}

// weakKexSignature offers only algs and returns the scheme the server
// signed its key exchange with, when it is one of them.
func (s *scanner) weakKexSignature(ctx context.Context, suites, algs []uint16) (*SigAlg, error) {
	sh, err := s.send(ctx, clientHello{version: TLS12, serverName: sniName(s.cfg.ServerName), suites: suites, sigAlgs: algs})
	switch {
	case err != nil && ctx.Err() == nil && refused(err):
		return nil, nil
	case err != nil:
		return nil, err
	case sh.Version != TLS12 || !slices.Contains(algs, sh.KexSigAlg):
		return nil, nil
	}
	a := LookupSigAlg(sh.KexSigAlg)
	return &a, nil
}

// signedKexSuites are the TLS 1.2 suites with a signed ephemeral key
// exchange, ECDHE before DHE and stronger before weaker, at most n.
func signedKexSuites(n int) []uint16 {
	ids := signedKexOrder()
	return slices.Clone(ids[:min(n, len(ids))])
}

// signedKexOrder is signedKexSuites without the bound, sorted once.
var signedKexOrder = sync.OnceValue(func() []uint16 {
	var ids []uint16
	for _, id := range suitesFor(TLS12) {
		s := LookupSuite(id)
		if (s.Kex == "ECDH" || s.Kex == "DH") && (s.Auth == "RSA" || s.Auth == "ECDSA" || s.Auth == "DSS") {
			ids = append(ids, id)
		}
	}
	slices.SortStableFunc(ids, func(a, b uint16) int {
		sa, sb := LookupSuite(a), LookupSuite(b)
		if sa.Kex != sb.Kex {
			return cmp.Compare(sb.Kex, sa.Kex) // "ECDH" before "DH"
		}
		return sa.Class.rank() - sb.Class.rank()
	})
	return ids
})
