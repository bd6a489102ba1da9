package probe

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/dnssec"
	"tenderprobe/app/probe/tlsscan"
)

// tlsaRecord is a TLSA record as shown in details.
type tlsaRecord struct {
	Usage        uint8  `json:"usage"`
	Selector     uint8  `json:"selector"`
	MatchingType uint8  `json:"matching_type"`
	Data         string `json:"data"`
	// Matched names the certificate it matched, if any.
	Matched string `json:"matched,omitempty"`
	Ignored string `json:"ignored,omitempty"`
}

// daneLookup is the validated TLSA RRset at one name.
type daneLookup struct {
	Name     string          `json:"name"`
	Security dnssec.Security `json:"security"`
	Reason   string          `json:"reason,omitempty"`
	Rcode    string          `json:"rcode,omitempty"`
	Records  []tlsaRecord    `json:"records,omitempty"`
	Error    string          `json:"error,omitempty"`
	tlsa     []*dns.TLSA
	why      *dnssec.Why
}

// lookupTLSA validates the TLSA records at _port._tcp.host.
func (r *run) lookupTLSA(ctx context.Context, host string, port int) daneLookup {
	name := fmt.Sprintf("_%d._tcp.%s.", port, strings.TrimSuffix(host, "."))
	res, err := r.validator.Validate(ctx, name, dns.TypeTLSA)
	l := daneLookup{Name: name, Security: res.Security, Reason: res.Reason, Rcode: dns.RcodeToString[res.Rcode], why: res.Why}
	if err != nil {
		l.Error = err.Error()
		return l
	}
	for _, rr := range res.Answer {
		if t, ok := rr.(*dns.TLSA); ok {
			l.tlsa = append(l.tlsa, t)
			l.Records = append(l.Records, tlsaRecord{Usage: t.Usage, Selector: t.Selector, MatchingType: t.MatchingType, Data: strings.ToLower(t.Certificate)})
		}
	}
	if l.Security == dnssec.Secure && len(l.tlsa) > 0 {
		r.checkTLSANameDenial(ctx, &l)
	}
	return l
}

// checkTLSANameDenial asks for A at the TLSA name, as internet.nl does
// (checks/tasks/tls/scans.py dane): a name server that answers NXDOMAIN
// for another type at a name that has TLSA records breaks resolvers that
// cache the denial for the whole name (RFC 8020); a validator finds that
// NXDOMAIN bogus, and then the TLSA records do not count.
func (r *run) checkTLSANameDenial(ctx context.Context, l *daneLookup) {
	res, err := r.validator.Validate(ctx, l.Name, dns.TypeA)
	if err != nil || res.Rcode != dns.RcodeNameError || res.Security != dnssec.Bogus {
		return
	}
	why := &dnssec.Why{Code: "mail_dane_nxdomain_bogus", Params: map[string]any{"name": strings.TrimSuffix(l.Name, ".")},
		Text: fmt.Sprintf("the name server answers a bogus NXDOMAIN for A at %s, which has TLSA records", strings.TrimSuffix(l.Name, "."))}
	l.Security, l.Reason, l.why = dnssec.Bogus, why.Text, why
}

// matchTLSA reports which records match the served chain (leaf first),
// following RFC 6698 and RFC 7671: DANE-EE(3) matches the leaf alone;
// DANE-TA(2) matches a certificate of the chain other than the leaf, which
// the leaf must chain up to; PKIX-EE(1) and PKIX-TA(0) also need the chain
// to validate against the roots (roots nil = system pool). With mailOnly,
// usages 0 and 1 are ignored as RFC 7672 section 3.1.3 requires for SMTP.
// Selector 0 is the whole certificate, 1 its SubjectPublicKeyInfo; matching
// type 0 compares exactly, 1 by SHA-256 and 2 by SHA-512.
func matchTLSA(l *daneLookup, chain []*x509.Certificate, roots *x509.CertPool, opts x509.VerifyOptions, mailOnly bool) bool {
	if len(chain) == 0 {
		return false
	}
	matched := false
	for i, t := range l.tlsa {
		rec := &l.Records[i]
		if mailOnly && t.Usage < 2 {
			rec.Ignored = "usages 0 and 1 do not apply to SMTP (RFC 7672)"
			continue
		}
		for j, c := range chain {
			if !tlsaMatchesCert(t, c) {
				continue
			}
			ok := false
			switch t.Usage {
			case 3:
				ok = j == 0
			case 2:
				ok = j > 0 && chainsTo(chain, j, opts)
			case 1:
				o := opts
				o.Roots = roots
				ok = j == 0 && chainsTo(chain, -1, o)
			case 0:
				o := opts
				o.Roots = roots
				ok = j > 0 && chainsTo(chain, -1, o)
			}
			if ok {
				rec.Matched = c.Subject.String()
				matched = true
				break
			}
		}
		if rec.Matched == "" && rec.Ignored == "" && t.Usage > 3 {
			rec.Ignored = "unknown usage"
		}
	}
	return matched
}

// chainsTo verifies the leaf up to chain[ta] used as trust anchor, or,
// with ta < 0, up to opts.Roots. Name checks are left to the caller: DANE-EE
// does not need them and DANE-TA for SMTP checks the MX name separately.
func chainsTo(chain []*x509.Certificate, ta int, opts x509.VerifyOptions) bool {
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	opts.Intermediates = inter
	if ta >= 0 {
		pool := x509.NewCertPool()
		pool.AddCert(chain[ta])
		opts.Roots = pool
	}
	opts.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
	_, err := chain[0].Verify(opts)
	return err == nil
}

func tlsaMatchesCert(t *dns.TLSA, c *x509.Certificate) bool {
	var data []byte
	switch t.Selector {
	case 0:
		data = c.Raw
	case 1:
		data = c.RawSubjectPublicKeyInfo
	default:
		return false
	}
	switch t.MatchingType {
	case 1:
		s := sha256.Sum256(data)
		data = s[:]
	case 2:
		s := sha512.Sum512(data)
		data = s[:]
	case 0:
	default:
		return false
	}
	want, err := hex.DecodeString(t.Certificate)
	return err == nil && bytes.Equal(want, data)
}

// servedChain completes one TLS handshake to addr and returns the chain.
// The preamble, if any, runs first (STARTTLS).
func (r *run) servedChain(ctx context.Context, addr, serverName string, preamble func(context.Context, net.Conn) error) ([]*x509.Certificate, error) {
	conn, err := r.dial(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	cctx, cancel := context.WithTimeout(ctx, r.cfg.ConnTimeout)
	defer cancel()
	if dl, ok := cctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	if preamble != nil {
		if err := preamble(cctx, conn); err != nil {
			return nil, err
		}
	}
	tc := tls.Client(conn, &tls.Config{
		ServerName: serverName,
		// DANE decides trust here, not the web PKI.
		InsecureSkipVerify: true,
		MinVersion:         tls.VersionTLS10,
		CipherSuites:       tlsscan.GoSuites(),
		CurvePreferences:   tlsscan.ReadingGroups(),
	})
	if err := tc.HandshakeContext(cctx); err != nil {
		return nil, fmt.Errorf("probe: TLS handshake with %s: %w", addr, err)
	}
	return tc.ConnectionState().PeerCertificates, nil
}

// daneHost is the DANE evaluation of one web host or mail server.
type daneHost struct {
	Host   string     `json:"host"`
	Addr   string     `json:"addr,omitempty"`
	TLSA   daneLookup `json:"tlsa"`
	Chain  []string   `json:"chain,omitempty"`
	Status Status     `json:"status"`
	Note   string     `json:"note"`
	note   Sub
	// subs are the host's DANE subtests (exist, valid and, for mail,
	// rollover).
	subs subtests
}

// set gives the host its status and its note, a finding code with params.
func (h *daneHost) set(st Status, note Sub) {
	h.Status, h.note, h.Note = st, note, english(note)
}

// checkWebDANE validates TLSA records at _<port>._tcp.<host> for the apex
// and www: a DNSSEC-secure RRset that matches the chain served on the first
// address passes; no TLSA is information (internet.nl); a bogus or
// insecure TLSA, or one that matches nothing, fails.
func checkWebDANE(ctx context.Context, r *run) []Check {
	targets, err := webHosts(ctx, r)
	if err != nil {
		return errorChecks(err, check.WebDANE)
	}
	if len(targets) == 0 {
		return notApplicable("no_website", check.WebDANE)
	}
	hosts := firstPerHost(targets)
	out := make([]daneHost, len(hosts))
	var wg sync.WaitGroup
	for i, t := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = r.webDANE(ctx, t, targets)
		}()
	}
	wg.Wait()
	c := combineDANE(check.WebDANE, out)
	all := subtests{}
	for _, h := range out {
		all.on(h.Host, h.subs)
	}
	c.judge(all)
	return []Check{c}
}

// webChain is the chain t serves: the one the web TLS scan's crypto/tls
// handshake received from the same address with the same server name
// (the same question, so the same answer, without another connection),
// or, when that handshake failed, one handshake of its own.
func (r *run) webChain(ctx context.Context, t webTarget, targets []webTarget) ([]*x509.Certificate, error) {
	for _, s := range r.webScans(ctx, targets) {
		if s.webTarget == t && s.Err == nil && s.Report.Handshake != nil && s.Report.Certificate != nil {
			return s.Report.Certificate.Certificates, nil
		}
	}
	return r.servedChain(ctx, net.JoinHostPort(t.Addr.String(), strconv.Itoa(r.cfg.HTTPSPort)), t.Host, nil)
}

func (r *run) webDANE(ctx context.Context, t webTarget, targets []webTarget) daneHost {
	h := daneHost{Host: t.Host, Addr: t.Addr.String()}
	h.TLSA = r.lookupTLSA(ctx, t.Host, r.cfg.HTTPSPort)
	h.subs = daneExistSubtests(&h.TLSA, false, "web_https_dane_exist", "web_https_dane_valid")
	st, note, done := daneRecordVerdict(&h.TLSA, StatusInfo)
	if done {
		h.set(st, note)
		return h
	}
	chain, err := r.webChain(ctx, t, targets)
	if err != nil {
		h.set(StatusError, Sub{Code: "dane_fetch_failed", Params: map[string]any{"error": err.Error()}})
		h.subs.set("web_https_dane_valid", StatusError, h.note)
		return h
	}
	h.Chain = chainNames(chain)
	opts := x509.VerifyOptions{CurrentTime: r.cfg.Now(), DNSName: t.Host}
	if matchTLSA(&h.TLSA, chain, r.cfg.RootCAs, opts, false) {
		h.set(StatusPass, Sub{Code: "dane_web_match", Params: nil})
		h.subs.pass("web_https_dane_valid", h.note)
	} else {
		h.set(StatusFail, Sub{Code: "dane_web_no_match", Params: nil})
		h.subs.fail("web_https_dane_valid", h.note)
	}
	return h
}

// daneExistSubtests judges whether DANE exists at the lookup's name as
// internet.nl does (scans.py dane, tasks_reports.py): a DNSSEC-secure TLSA
// RRset with usable records (for mail usages 2 and 3 only: RFC 7672
// section 3.1.3 and internet.nl ignore 0 and 1). A bogus answer, an
// unsigned or absent RRset fail existence; validity is then not tested.
// When DANE exists, validKey is left for the certificate match to set.
func daneExistSubtests(l *daneLookup, mail bool, existKey, validKey check.Subtest) subtests {
	s := subtests{}
	untested := func(f Sub) {
		s.fail(existKey, f)
		s.set(validKey, StatusNotApplicable, Sub{Code: "mail_dane_no_usable_tlsa", Params: nil})
	}
	st, note, done := daneRecordVerdict(l, StatusFail)
	switch {
	case done && st == StatusError:
		s.set(existKey, StatusError, note)
		s.set(validKey, StatusError, note)
		return s
	case done:
		untested(note)
		return s
	}
	usable := 0
	for _, t := range l.tlsa {
		if !mail || t.Usage == 2 || t.Usage == 3 {
			usable++
		}
	}
	if usable == 0 {
		untested(Sub{Code: "mail_dane_only_pkix", Params: nil})
		return s
	}
	s.pass(existKey, Sub{Code: "mail_dane_tlsa_found", Params: map[string]any{"count": usable}})
	return s
}

// daneRecordVerdict judges the TLSA lookup before any certificate is
// fetched. done is true when that settles it; absent is the status for no
// TLSA at all (information for the web, a failure for mail).
func daneRecordVerdict(l *daneLookup, absent Status) (Status, Sub, bool) {
	switch {
	case l.Error != "" && l.Security != dnssec.Bogus:
		return StatusError, Sub{Code: "dane_tlsa_unvalidated", Params: map[string]any{"error": whySub(l.why, l.Error)}}, true
	case l.Security == dnssec.Bogus:
		return StatusFail, Sub{Code: "dane_tlsa_bogus", Params: map[string]any{"reason": whySub(l.why, l.Reason)}}, true
	case l.Security == dnssec.Indeterminate:
		return StatusError, Sub{Code: "dane_tlsa_indeterminate", Params: map[string]any{"reason": whySub(l.why, l.Reason)}}, true
	case len(l.tlsa) == 0 && l.Security == dnssec.Secure:
		return absent, Sub{Code: "dane_no_tlsa_denied", Params: nil}, true
	case len(l.tlsa) == 0:
		return absent, Sub{Code: "dane_no_tlsa_unsigned", Params: nil}, true
	case l.Security != dnssec.Secure:
		return StatusFail, Sub{Code: "dane_tlsa_unsigned", Params: nil}, true
	}
	return "", Sub{}, false
}

func chainNames(chain []*x509.Certificate) []string {
	var out []string
	for _, c := range chain {
		out = append(out, c.Subject.String())
	}
	return out
}

// combineDANE folds per-host verdicts into one check: any failure fails,
// then errors, then information (no TLSA); all passing passes.
func combineDANE(id check.ID, hosts []daneHost) Check {
	rank := map[Status]int{StatusPass: 0, StatusInfo: 1, StatusError: 2, StatusFail: 3}
	worst := StatusPass
	var parts []Sub
	for _, h := range hosts {
		if rank[h.Status] > rank[worst] {
			worst = h.Status
		}
		parts = append(parts, Sub{Code: "at_target", Params: map[string]any{"target": h.Host, "problem": h.note}})
	}
	details := map[string]any{"hosts": hosts}
	params := map[string]any{"hosts": parts}
	switch worst {
	case StatusFail:
		return newFinding(id, StatusFail, "dane_broken", params, details)
	case StatusError:
		return newFinding(id, StatusError, "dane_untestable", params, details)
	case StatusInfo:
		return newFinding(id, StatusInfo, "dane_not_in_use", params, details)
	}
	return newFinding(id, StatusPass, "dane_in_use", params, details)
}
