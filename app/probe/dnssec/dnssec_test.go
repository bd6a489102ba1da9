package dnssec_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/dnssec"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/app/probe/resolver"
)

// testInternet builds one signed internet with a zone for every situation
// the validator must tell apart.
func testInternet(t *testing.T) (*probetest.SignedInternet, *probetest.DNSServer) {
	t.Helper()
	in := probetest.NewSignedInternet(t, probetest.SignedOptions{})
	var big []string
	for i := 0; i < 12; i++ {
		big = append(big, fmt.Sprintf("big 300 IN TXT \"%s\"", strings.Repeat(fmt.Sprintf("%c", 'a'+i), 200)))
	}
	zones := []probetest.Zone{
		{Name: "example.test.", Records: append([]string{
			"@ 300 IN A 127.0.0.1",
			"@ 300 IN MX 10 mail.example.test.",
			"www 300 IN CNAME example.test.",
			"a.b 300 IN TXT \"below an empty non-terminal\"",
			"to-unsigned 300 IN CNAME www.unsigned.test.",
			"to-expired 300 IN CNAME expired.test.",
			"*.wild 300 IN A 127.0.0.9",
			"*.alias 300 IN CNAME example.test.",
			"moved 300 IN DNAME n3.test.",
			"gone 300 IN DNAME unsigned.test.",
		}, big...)},
		{Name: "sub.example.test.", Records: []string{"host 300 IN A 127.0.0.2"}},
		{Name: "n3.test.", NSEC3: true, Records: []string{"www 300 IN A 127.0.0.1", "a.b 300 IN A 127.0.0.1", "*.wild 300 IN A 127.0.0.9"}},
		{Name: "optout.test.", NSEC3: true, OptOut: true},
		{Name: "child.optout.test.", Unsigned: true, Records: []string{"www 300 IN A 127.0.0.1"}},
		{Name: "rsa.test.", Algorithm: dns.RSASHA256, Records: []string{"@ 300 IN A 127.0.0.1"}},
		{Name: "ed.test.", Algorithm: dns.ED25519, Records: []string{"@ 300 IN A 127.0.0.1"}},
		{Name: "p384.test.", Algorithm: dns.ECDSAP384SHA384, Records: []string{"@ 300 IN A 127.0.0.1"}},
		{Name: "ed448.test.", Algorithm: dns.ED448, Records: []string{"@ 300 IN A 127.0.0.1"}},
		{Name: "sm2.test.", Algorithm: 17, Records: []string{"@ 300 IN A 127.0.0.1"}},
		{Name: "expired.test.", Break: probetest.BreakExpiredRRSIG, Records: []string{"@ 300 IN A 127.0.0.1"}},
		{Name: "expired-a.test.", Break: probetest.BreakExpiredRRSIG, BreakType: dns.TypeA, Records: []string{"@ 300 IN A 127.0.0.1"}},
		{Name: "future.test.", Break: probetest.BreakFutureRRSIG},
		{Name: "badsig.test.", Break: probetest.BreakBadSignature},
		{Name: "nosig.test.", Break: probetest.BreakMissingRRSIG, Records: []string{"@ 300 IN A 127.0.0.1"}},
		{Name: "dsmismatch.test.", Break: probetest.BreakDSMismatch},
		{Name: "unsigned.test.", Unsigned: true, Records: []string{"www 300 IN A 127.0.0.1"}},
		{Name: "unproven.test.", Unsigned: true, Break: probetest.BreakNoDenial},
		{Name: "bogusdenial.test.", Break: probetest.BreakBogusDenial},
		{Name: "nodenial.test.", Break: probetest.BreakNoDenial, Records: []string{"*.wild 300 IN A 127.0.0.9", "www 300 IN A 127.0.0.1"}},
		{Name: "n3bogus.test.", NSEC3: true, Break: probetest.BreakBogusDenial},
		{Name: "sha1.test.", Algorithm: dns.RSASHA1, Records: []string{"@ 300 IN A 127.0.0.1"}},
		{Name: "nokeysig.test.", Break: probetest.BreakMissingRRSIG, BreakType: dns.TypeDNSKEY},
		{Name: "loop.test.", Records: []string{"a 300 IN CNAME b.loop.test.", "b 300 IN CNAME a.loop.test."}},
		{Name: "salted.test.", NSEC3: true, NSEC3Iterations: 5, NSEC3Salt: "CAFE", Records: []string{"www 300 IN A 127.0.0.1"}},
		{Name: "costly.test.", NSEC3: true, NSEC3Iterations: 500, Records: []string{"www 300 IN A 127.0.0.1"}},
		{Name: "nx-optout.test.", NSEC3: true, OptOut: true},
		{Name: "deleg.nx-optout.test.", Unsigned: true},
	}
	for _, z := range zones {
		in.AddZone(z)
	}
	return in, in.Serve(t)
}

func TestValidate(t *testing.T) {
	in, srv := testInternet(t)
	client := resolver.New(srv.Addr, 5*time.Second)

	cases := []struct {
		name     string
		qname    string
		qtype    uint16
		want     dnssec.Security
		rcode    int
		reason   string // substring of Result.Reason
		nAnswers int    // -1: do not check
	}{
		{"a signed zone's apex address is secure", "example.test", dns.TypeA, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"a signed zone's SOA is secure", "example.test", dns.TypeSOA, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"a CNAME inside a signed zone is followed and secure", "www.example.test", dns.TypeA, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"a grandchild zone is secure through two DS steps", "host.sub.example.test", dns.TypeA, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"the DS of a signed child is secure in the parent", "example.test", dns.TypeDS, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"an RSASHA256 zone is secure", "rsa.test", dns.TypeA, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"an ED25519 zone is secure", "ed.test", dns.TypeA, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"an ECDSAP384SHA384 zone is secure", "p384.test", dns.TypeA, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"a large RRset truncated over UDP is fetched over TCP and secure", "big.example.test", dns.TypeTXT, dnssec.Secure, dns.RcodeSuccess, "", 12},
		{"a missing name is a secure NXDOMAIN by NSEC", "nope.example.test", dns.TypeA, dnssec.Secure, dns.RcodeNameError, "", 0},
		{"a name below a missing name is a secure NXDOMAIN", "deeper.nope.example.test", dns.TypeA, dnssec.Secure, dns.RcodeNameError, "", 0},
		{"a missing type is a secure NODATA by NSEC", "example.test", dns.TypeAAAA, dnssec.Secure, dns.RcodeSuccess, "", 0},
		{"an empty non-terminal is a secure NODATA by NSEC", "b.example.test", dns.TypeA, dnssec.Secure, dns.RcodeSuccess, "", 0},
		{"a missing name is a secure NXDOMAIN by NSEC3", "nope.n3.test", dns.TypeA, dnssec.Secure, dns.RcodeNameError, "", 0},
		{"a missing type is a secure NODATA by NSEC3", "www.n3.test", dns.TypeAAAA, dnssec.Secure, dns.RcodeSuccess, "", 0},
		{"an empty non-terminal is a secure NODATA by NSEC3", "b.n3.test", dns.TypeA, dnssec.Secure, dns.RcodeSuccess, "", 0},
		{"a name in an NSEC3 zone is secure", "www.n3.test", dns.TypeA, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"a wildcard answer with an NSEC proof that the name is absent is secure", "x.wild.example.test", dns.TypeA, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"a wildcard answer with an NSEC3 proof that the next closer name is absent is secure", "x.y.wild.n3.test", dns.TypeA, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"a wildcard CNAME is followed and secure", "x.alias.example.test", dns.TypeA, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"a wildcard without the type is a secure NODATA by NSEC", "x.wild.example.test", dns.TypeAAAA, dnssec.Secure, dns.RcodeSuccess, "", 0},
		{"a wildcard without the type is a secure NODATA by NSEC3", "x.wild.n3.test", dns.TypeAAAA, dnssec.Secure, dns.RcodeSuccess, "", 0},
		{"a name below a signed DNAME is followed and secure", "www.moved.example.test", dns.TypeA, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"a name below a signed DNAME into a missing name is a secure NXDOMAIN", "nope.moved.example.test", dns.TypeA, dnssec.Secure, dns.RcodeNameError, "", 0},
		{"a name below a DNAME into an unsigned zone is insecure", "www.gone.example.test", dns.TypeA, dnssec.Insecure, dns.RcodeSuccess, "unsigned delegation", 1},
		{"a signed name in a zone without denial proofs is still secure", "www.nodenial.test", dns.TypeA, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"a wildcard answer without proof that the name is absent is bogus", "x.wild.nodenial.test", dns.TypeA, dnssec.Bogus, dns.RcodeSuccess, "wildcard answer for x.wild.nodenial.test without an NSEC", -1},
		{"a missing name is a secure NXDOMAIN by salted NSEC3 with iterations", "nope.salted.test", dns.TypeA, dnssec.Secure, dns.RcodeNameError, "", 0},
		{"an NSEC3 chain with too many iterations makes NXDOMAIN insecure", "nope.costly.test", dns.TypeA, dnssec.Insecure, dns.RcodeNameError, "500 iterations", 0},
		{"an NSEC3 chain with too many iterations leaves signed data secure", "www.costly.test", dns.TypeA, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"an NXDOMAIN inside an opt-out span is insecure", "nope.nx-optout.test", dns.TypeA, dnssec.Insecure, dns.RcodeNameError, "opt-out", 0},
		{"the absent DS of an unsigned child is a secure NODATA", "unsigned.test", dns.TypeDS, dnssec.Secure, dns.RcodeSuccess, "", 0},
		{"the root SOA is secure", ".", dns.TypeSOA, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"an unsigned child with an NSEC proof of no DS is insecure", "www.unsigned.test", dns.TypeA, dnssec.Insecure, dns.RcodeSuccess, "unsigned.test is an unsigned delegation", 1},
		{"an unsigned child under an NSEC3 opt-out span is insecure", "www.child.optout.test", dns.TypeA, dnssec.Insecure, dns.RcodeSuccess, "opt-out", 1},
		{"a CNAME into an unsigned zone is insecure", "to-unsigned.example.test", dns.TypeA, dnssec.Insecure, dns.RcodeSuccess, "unsigned delegation", 1},
		{"a zone signed with Ed448 is validated and secure", "ed448.test", dns.TypeA, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"a zone signed with an unsupported algorithm is insecure", "sm2.test", dns.TypeA, dnssec.Insecure, dns.RcodeSuccess, "algorithm 17", 1},
		{"an RSASHA1 zone is still validated and secure", "sha1.test", dns.TypeA, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"a DNSKEY RRset without signature is bogus", "nokeysig.test", dns.TypeSOA, dnssec.Bogus, dns.RcodeSuccess, "missing RRSIG over DNSKEY nokeysig.test", -1},
		{"an expired signature is bogus", "expired.test", dns.TypeSOA, dnssec.Bogus, dns.RcodeSuccess, "RRSIG over SOA expired.test expired at", -1},
		{"an expired signature on the address only is bogus for the address", "expired-a.test", dns.TypeA, dnssec.Bogus, dns.RcodeSuccess, "RRSIG over A expired-a.test expired at", -1},
		{"an expired signature on the address leaves the SOA secure", "expired-a.test", dns.TypeSOA, dnssec.Secure, dns.RcodeSuccess, "", 1},
		{"a CNAME into a zone with expired signatures is bogus", "to-expired.example.test", dns.TypeA, dnssec.Bogus, dns.RcodeSuccess, "expired at", -1},
		{"a signature not yet valid is bogus", "future.test", dns.TypeSOA, dnssec.Bogus, dns.RcodeSuccess, "not valid before", -1},
		{"a corrupt signature is bogus", "badsig.test", dns.TypeSOA, dnssec.Bogus, dns.RcodeSuccess, "does not verify", -1},
		{"a missing signature is bogus", "nosig.test", dns.TypeA, dnssec.Bogus, dns.RcodeSuccess, "missing RRSIG over A nosig.test", -1},
		{"a DS that matches no key is bogus", "dsmismatch.test", dns.TypeSOA, dnssec.Bogus, dns.RcodeSuccess, "DS mismatch for dsmismatch.test: no DNSKEY matches DS keytag", -1},
		{"an unsigned child without proof of no DS is bogus", "unproven.test", dns.TypeSOA, dnssec.Bogus, dns.RcodeSuccess, "no NSEC proof that unproven.test has no DS", -1},
		{"an NXDOMAIN with corrupt NSEC signatures is bogus", "nope.bogusdenial.test", dns.TypeA, dnssec.Bogus, dns.RcodeNameError, "does not verify", -1},
		{"an NXDOMAIN with corrupt NSEC3 signatures is bogus", "nope.n3bogus.test", dns.TypeA, dnssec.Bogus, dns.RcodeNameError, "does not verify", -1},
		{"an NXDOMAIN without NSEC records is bogus", "nope.nodenial.test", dns.TypeA, dnssec.Bogus, dns.RcodeNameError, "no valid NSEC/NSEC3 proof", -1},
		{"a NODATA without NSEC records is bogus", "nodenial.test", dns.TypeAAAA, dnssec.Bogus, dns.RcodeSuccess, "no valid NSEC/NSEC3 proof that AAAA nodenial.test", -1},
	}
	t.Run("the large TXT RRset really is truncated over UDP", func(t *testing.T) {
		m := new(dns.Msg)
		m.SetQuestion("big.example.test.", dns.TypeTXT)
		m.SetEdns0(resolver.UDPSize, true)
		resp, err := dns.Exchange(m, srv.Addr)
		if err != nil || !resp.Truncated {
			t.Fatalf("UDP answer not truncated (err %v)", err)
		}
	})
	v := dnssec.New(client, in.TrustAnchor())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := v.Validate(context.Background(), tc.qname, tc.qtype)
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if res.Security != tc.want || !strings.Contains(res.Reason, tc.reason) {
				t.Fatalf("got %s (%q), want %s with reason containing %q\nchain:\n%s", res.Security, res.Reason, tc.want, tc.reason, strings.Join(res.Chain, "\n"))
			}
			if res.Rcode != tc.rcode {
				t.Errorf("rcode %s, want %s", dns.RcodeToString[res.Rcode], dns.RcodeToString[tc.rcode])
			}
			if tc.nAnswers >= 0 && len(res.Answer) != tc.nAnswers {
				t.Errorf("%d answer records, want %d: %v", len(res.Answer), tc.nAnswers, res.Answer)
			}
			if tc.want == dnssec.Secure && len(res.Chain) < 3 {
				t.Errorf("chain evidence too short: %q", res.Chain)
			}
			// Every verdict other than secure has its reason as a code too,
			// with the same English text.
			if tc.want != dnssec.Secure && (res.Why == nil || res.Why.Code == "" || res.Why.Text != res.Reason) {
				t.Errorf("reason %q has the code %+v", res.Reason, res.Why)
			}
		})
	}
}

func TestValidateTrustAnchors(t *testing.T) {
	in, srv := testInternet(t)
	client := resolver.New(srv.Addr, 5*time.Second)
	rootKSK, _ := in.Keys(".")
	other := probetest.NewSignedInternet(t, probetest.SignedOptions{})
	otherKSK, _ := other.Keys(".")

	cases := []struct {
		name    string
		anchors []dns.RR
		now     func() time.Time
		want    dnssec.Security
		reason  string
	}{
		{"the root DS as anchor makes a signed zone secure", in.TrustAnchor(), nil, dnssec.Secure, ""},
		{"the root KSK DNSKEY as anchor makes a signed zone secure", []dns.RR{rootKSK}, nil, dnssec.Secure, ""},
		{"another root's DS as anchor is bogus", other.TrustAnchor(), nil, dnssec.Bogus, "trust anchor mismatch for the root"},
		{"another root's DNSKEY as anchor is bogus", []dns.RR{otherKSK}, nil, dnssec.Bogus, "trust anchor mismatch"},
		{"no anchor at all is indeterminate", nil, nil, dnssec.Indeterminate, "no trust anchor configured"},
		{"a clock a month ahead finds the signatures expired", in.TrustAnchor(), func() time.Time { return time.Now().Add(30 * 24 * time.Hour) }, dnssec.Bogus, "expired at"},
		{"a clock a day behind finds the signatures not yet valid", in.TrustAnchor(), func() time.Time { return time.Now().Add(-24 * time.Hour) }, dnssec.Bogus, "not valid before"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := dnssec.New(client, tc.anchors, dnssec.WithNow(tc.now))
			res, err := v.Validate(context.Background(), "example.test", dns.TypeA)
			if (err != nil) != (tc.want == dnssec.Indeterminate) {
				t.Fatalf("error %v with state %s", err, res.Security)
			}
			if res.Security != tc.want || !strings.Contains(res.Reason, tc.reason) {
				t.Fatalf("got %s (%q), want %s with reason containing %q", res.Security, res.Reason, tc.want, tc.reason)
			}
			if tc.want == dnssec.Bogus && (res.Why == nil || res.Why.Text != res.Reason) {
				t.Errorf("reason %q has the code %+v", res.Reason, res.Why)
			}
			if tc.want == dnssec.Indeterminate && (res.Why == nil || res.Why.Code != "dnssec_why_no_trust_anchor") {
				t.Errorf("the reason's code is %+v", res.Why)
			}
		})
	}
}

func TestValidateCNAMELoop(t *testing.T) {
	in, srv := testInternet(t)
	v := dnssec.New(resolver.New(srv.Addr, 5*time.Second), in.TrustAnchor())
	t.Run("a CNAME loop the resolver gives up on is indeterminate, not a DNSSEC failure", func(t *testing.T) {
		res, err := v.Validate(context.Background(), "a.loop.test", dns.TypeA)
		if err == nil || res.Security != dnssec.Indeterminate || !strings.Contains(res.Reason, "SERVFAIL") {
			t.Fatalf("got %s (%q), err %v", res.Security, res.Reason, err)
		}
		if res.Why == nil || res.Why.Code != "dnssec_why_rcode" || res.Why.Params["rcode"] != "SERVFAIL" {
			t.Errorf("the reason's code is %+v", res.Why)
		}
	})
}

func TestValidateResolverWithoutDNSSEC(t *testing.T) {
	// A plain server that knows the root keys but hands out no signatures,
	// like a resolver that strips DNSSEC records.
	in := probetest.NewSignedInternet(t, probetest.SignedOptions{})
	ksk, zsk := in.Keys(".")
	srv := probetest.StartDNS(t, "example.test. 300 IN A 127.0.0.1")
	srv.AddRR(ksk, zsk)
	v := dnssec.New(resolver.New(srv.Addr, 2*time.Second), in.TrustAnchor())
	t.Run("a resolver that strips signatures makes the answer indeterminate, not bogus", func(t *testing.T) {
		res, err := v.Validate(context.Background(), "example.test", dns.TypeA)
		if err == nil || res.Security != dnssec.Indeterminate || !strings.Contains(res.Reason, "without signatures") {
			t.Fatalf("got %s (%q), err %v", res.Security, res.Reason, err)
		}
		if res.Why == nil || res.Why.Code != "dnssec_why_no_do_bit" {
			t.Errorf("the reason's code is %+v", res.Why)
		}
	})
}

func TestValidateResolverFailure(t *testing.T) {
	// A UDP port nobody listens on: loopback answers with "connection refused".
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	in := probetest.NewSignedInternet(t, probetest.SignedOptions{})
	v := dnssec.New(resolver.New(addr, 2*time.Second), in.TrustAnchor())
	t.Run("an unreachable resolver makes the answer indeterminate with an error", func(t *testing.T) {
		res, err := v.Validate(context.Background(), "example.test", dns.TypeA)
		if err == nil || res.Security != dnssec.Indeterminate || res.Reason == "" {
			t.Fatalf("got %s (%q), err %v", res.Security, res.Reason, err)
		}
		if res.Why == nil || res.Why.Code != "dnssec_why_query_failed" || res.Why.Params["error"] == "" {
			t.Errorf("the reason's code is %+v", res.Why)
		}
	})
}

// countingQuerier counts the questions that reach the real resolver client.
type countingQuerier struct {
	q  resolver.Querier
	mu sync.Mutex
	n  map[string]int
}

func (c *countingQuerier) Query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	c.mu.Lock()
	c.n[dns.TypeToString[qtype]+" "+dns.Fqdn(name)]++
	c.mu.Unlock()
	return c.q.Query(ctx, name, qtype)
}

func TestValidatorReusesVerifiedKeys(t *testing.T) {
	in, srv := testInternet(t)
	cq := &countingQuerier{q: resolver.New(srv.Addr, 5*time.Second), n: map[string]int{}}
	v := dnssec.New(cq, in.TrustAnchor())
	var wg sync.WaitGroup
	for _, q := range []struct {
		name  string
		qtype uint16
	}{{"example.test", dns.TypeA}, {"example.test", dns.TypeSOA}, {"www.example.test", dns.TypeA}, {"example.test", dns.TypeMX}, {"nope.example.test", dns.TypeA}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if res, err := v.Validate(context.Background(), q.name, q.qtype); err != nil || res.Security != dnssec.Secure {
				t.Errorf("%s: %s %q %v", q.name, res.Security, res.Reason, err)
			}
		}()
	}
	wg.Wait()
	t.Run("each zone's DNSKEY RRset is fetched once per validator", func(t *testing.T) {
		for _, z := range []string{".", "test.", "example.test."} {
			if n := cq.n["DNSKEY "+z]; n != 1 {
				t.Errorf("DNSKEY %s asked %d times, want 1", z, n)
			}
		}
		if n := cq.n["DS example.test."]; n != 1 {
			t.Errorf("DS example.test asked %d times, want 1", n)
		}
	})
}

func TestValidateNSEC3RSAInternet(t *testing.T) {
	// Root and TLD signed like the real root (RSASHA256) and denial by NSEC3
	// throughout, so that insecure delegations are proven by NSEC3 matches.
	in := probetest.NewSignedInternet(t, probetest.SignedOptions{Algorithm: dns.RSASHA256, NSEC3: true})
	in.AddZone(probetest.Zone{Name: "example.test.", NSEC3: true, Records: []string{"@ 300 IN A 127.0.0.1", "www 300 IN CNAME www.plain.test."}})
	in.AddZone(probetest.Zone{Name: "plain.test.", Unsigned: true, Records: []string{"www 300 IN A 127.0.0.1"}})
	srv := in.Serve(t)
	v := dnssec.New(resolver.New(srv.Addr, 5*time.Second), in.TrustAnchor())
	cases := []struct {
		name  string
		qname string
		qtype uint16
		want  dnssec.Security
		rcode int
	}{
		{"a signed zone under an RSASHA256 root is secure", "example.test", dns.TypeA, dnssec.Secure, dns.RcodeSuccess},
		{"a missing TLD is a secure NXDOMAIN proven by the root's NSEC3", "nope.", dns.TypeA, dnssec.Secure, dns.RcodeNameError},
		{"a missing domain is a secure NXDOMAIN proven by the TLD's NSEC3", "nope.test", dns.TypeA, dnssec.Secure, dns.RcodeNameError},
		{"an unsigned child proven by an NSEC3 match without DS is insecure", "www.plain.test", dns.TypeA, dnssec.Insecure, dns.RcodeSuccess},
		{"a CNAME from a signed zone into an unsigned one is insecure", "www.example.test", dns.TypeA, dnssec.Insecure, dns.RcodeSuccess},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := v.Validate(context.Background(), tc.qname, tc.qtype)
			if err != nil {
				t.Fatal(err)
			}
			if res.Security != tc.want || res.Rcode != tc.rcode {
				t.Fatalf("got %s %s (%q), want %s %s\n%s", res.Security, dns.RcodeToString[res.Rcode], res.Reason, tc.want, dns.RcodeToString[tc.rcode], strings.Join(res.Chain, "\n"))
			}
		})
	}
}

// BenchmarkValidateColdDelayed validates one name in a three-level chain
// with 20 ms added to every DNS answer and nothing cached, through the
// per-run cache (which enables prefetching) and through the bare client.
// Compare ns/op with 20 ms times the round trips: a strictly sequential walk
// needs seven (answer, DNSKEY ., DS and DNSKEY for test. and example.test.,
// DS www.example.test).
func BenchmarkValidateColdDelayed(b *testing.B) {
	in := probetest.NewSignedInternet(b, probetest.SignedOptions{})
	in.AddZone(probetest.Zone{Name: "example.test.", Records: []string{"www 300 IN A 127.0.0.1"}})
	srv := in.Serve(b)
	srv.SetDelay(20 * time.Millisecond)
	for _, mode := range []string{"cache-prefetch", "bare-client"} {
		b.Run(mode, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				var q resolver.Querier = resolver.New(srv.Addr, 5*time.Second)
				if mode == "cache-prefetch" {
					q = resolver.NewCache(q)
				}
				res, err := dnssec.New(q, in.TrustAnchor()).Validate(context.Background(), "www.example.test", dns.TypeA)
				if err != nil || res.Security != dnssec.Secure {
					b.Fatalf("%s %q %v", res.Security, res.Reason, err)
				}
			}
		})
	}
}
