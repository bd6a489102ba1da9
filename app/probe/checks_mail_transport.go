package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/dnssec"
	"tenderprobe/app/probe/tlsscan"
)

// SMTP client limits: RFC 5321 section 4.5.3.1 caps reply lines at 512
// octets; some servers send longer ones, so allow a little more.
const (
	smtpMaxLine  = 2048
	smtpMaxLines = 100
	// ehloName is how the probe introduces itself.
	ehloName = "tenderprobe.invalid"
	// mailChunk is the suites per ClientHello for mail servers: every suite
	// of a class in one hello (about 250 at most, 500 bytes), so that a
	// quick scan needs one SMTP session per class and version. MTAs are
	// built on OpenSSL, GnuTLS or SChannel, which take such hellos.
	mailChunk = 400
)

var mailTransportIDs = []check.ID{check.MailSTARTTLS, check.MailDANE}

// smtpSession is one plaintext-then-STARTTLS conversation.
type smtpSession struct {
	conn       net.Conn
	br         *bufio.Reader
	transcript *[]string
}

// reply reads one (possibly multi-line) SMTP reply with bounded lines.
func (s *smtpSession) reply() (int, []string, error) {
	var lines []string
	for len(lines) < smtpMaxLines {
		line, err := s.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return 0, nil, fmt.Errorf("probe: smtp reply line longer than %d bytes", smtpMaxLine)
		}
		if err != nil {
			if len(lines) == 0 && errors.Is(err, io.EOF) {
				return 0, nil, fmt.Errorf("probe: smtp server closed the connection")
			}
			return 0, nil, fmt.Errorf("probe: read smtp reply: %w", err)
		}
		text := strings.TrimRight(string(line), "\r\n")
		if s.transcript != nil {
			*s.transcript = append(*s.transcript, "S: "+text)
		}
		if len(text) < 3 {
			return 0, nil, fmt.Errorf("probe: malformed smtp reply %q", text)
		}
		code, err := strconv.Atoi(text[:3])
		if err != nil {
			return 0, nil, fmt.Errorf("probe: malformed smtp reply %q", text)
		}
		lines = append(lines, text)
		if len(text) == 3 || text[3] != '-' {
			return code, lines, nil
		}
	}
	return 0, nil, fmt.Errorf("probe: smtp reply of more than %d lines", smtpMaxLines)
}

func (s *smtpSession) cmd(line string) (int, []string, error) {
	if s.transcript != nil {
		*s.transcript = append(*s.transcript, "C: "+line)
	}
	if _, err := io.WriteString(s.conn, line+"\r\n"); err != nil {
		return 0, nil, fmt.Errorf("probe: send %s: %w", strings.Fields(line)[0], err)
	}
	return s.reply()
}

// errNoSTARTTLS marks a server whose EHLO answer lacks STARTTLS.
var errNoSTARTTLS = errors.New("STARTTLS not offered")

// startTLS runs the plaintext part: greeting, EHLO, STARTTLS (RFC 3207).
// On success the connection is ready for a ClientHello. It refuses a server
// that sends anything after its 220 to STARTTLS (command injection).
func startTLS(conn net.Conn, transcript *[]string) error {
	s := &smtpSession{conn: conn, br: bufio.NewReaderSize(conn, smtpMaxLine), transcript: transcript}
	code, _, err := s.reply()
	if err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	if code != 220 {
		return fmt.Errorf("probe: server greeted with %d instead of 220", code)
	}
	code, lines, err := s.cmd("EHLO " + ehloName)
	if err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if code != 250 {
		return fmt.Errorf("probe: EHLO answered %d", code)
	}
	offered := false
	for _, l := range lines[1:] {
		if len(l) < 4 {
			continue
		}
		if kw, _, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(l[4:])), " "); kw == "STARTTLS" {
			offered = true
		}
	}
	if !offered {
		s.cmd("QUIT")
		return errNoSTARTTLS
	}
	code, _, err = s.cmd("STARTTLS")
	if err != nil {
		return fmt.Errorf("STARTTLS: %w", err)
	}
	if code != 220 {
		return fmt.Errorf("probe: STARTTLS answered %d", code)
	}
	if s.br.Buffered() > 0 {
		return fmt.Errorf("probe: server sent data after its STARTTLS reply")
	}
	return nil
}

// mxTarget is one address of one mail server.
type mxTarget struct {
	Host       string   `json:"host"`
	Addr       string   `json:"addr"`
	Transcript []string `json:"transcript,omitempty"`
	TLSVersion string   `json:"tls_version,omitempty"`
	TLSSuite   string   `json:"tls_suite,omitempty"`
	Error      string   `json:"error,omitempty"`
	// Untestable: the server could not be reached or refused the session.
	Untestable bool `json:"untestable,omitempty"`
	NoSTARTTLS bool `json:"no_starttls,omitempty"`
	chain      []*x509.Certificate
	report     *tlsscan.Report
	ip         netip.Addr
}

// mxResult is everything learnt about one MX.
type mxResult struct {
	Host    string     `json:"host"`
	Targets []mxTarget `json:"targets"`
	Status  Status     `json:"status"`
	Summary string     `json:"summary"`
	// Findings are the version, cipher and certificate verdicts with their evidence.
	Findings map[string]Check `json:"findings,omitempty"`
	DANE     *daneHost        `json:"-"`
	finding  Sub
}

// set gives the MX its status and its finding; Summary is the English.
func (m *mxResult) set(st Status, finding Sub) {
	m.Status, m.finding, m.Summary = st, finding, english(finding)
}

// checkMailTransport tests every MX (at most MaxMX). Protocol steps, for
// the first IPv4 and first IPv6 address of each MX:
//
//  1. Connect to SMTPPort through the SSRF guard, read the 220 greeting,
//     send EHLO, look for STARTTLS, send STARTTLS, expect 220, complete a TLS
//     handshake with crypto/tls for the certificate chain, then EHLO and QUIT
//     inside TLS. The whole conversation is kept as the transcript.
//  2. At the same time, a quick TLS scan (tlsscan.Quick): per version, one
//     sample suite per class, each ClientHello after its own
//     greeting-EHLO-STARTTLS, so an MX sees about a dozen short sessions,
//     not hundreds, and never more than DefaultMaxConnsPerHost at once from
//     one probe. It is called off when step 1 finds no STARTTLS.
//  3. Versions and suites are judged as for the web; certificate trust and
//     name are information only (internet.nl), key and signature count.
//  4. mail.dane: TLSA at _<port>._tcp.<mx>, DNSSEC-validated, usages 2 and 3
//     only, matched against the chain seen over STARTTLS.
//  5. internet.nl's STARTTLS subtests are graded per address (mxSubtests,
//     judgeTLS) into mail.starttls's details.findings, the worst mail
//     server named; the quick scan's extra two hellos test the
//     key-exchange hash.
//
// A domain with no MX or a null MX gets not_applicable; an MX that cannot be
// reached is "untestable" (status error), never a failure.
func checkMailTransport(ctx context.Context, r *run) []Check {
	ms, err := r.mailServers(ctx)
	if err != nil {
		return errorChecks(err, mailTransportIDs...)
	}
	hosts := ms.Hosts
	if len(hosts) == 0 {
		return noMailTransport(ms)
	}
	results := make([]mxResult, len(hosts))
	var wg sync.WaitGroup
	for i, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = r.probeMX(ctx, h)
		}()
	}
	wg.Wait()
	starttls := starttlsCheck(results)
	ms.noteNullBesideOthers(&starttls, "mail_starttls_tls_available")
	return []Check{starttls, r.daneUsable(ctx, mailDANECheck(results), hosts)}
}

// daneUsable turns a passing mail.dane into a warning when the domain's MX
// records or a mail server's addresses are not DNSSEC-secure: a sending
// server uses TLSA records only for a mail server it found through a
// secure MX RRset, and looks them up at the name whose address records are
// secure (RFC 7672 section 2.2), so matching records then protect no mail.
// internet.nl does not look at this.
func (r *run) daneUsable(ctx context.Context, c Check, hosts []string) Check {
	if c.Status != StatusPass {
		return c
	}
	names := []dnssecName{validateName(ctx, r, r.domain, dns.TypeMX)}
	for _, h := range hosts {
		names = append(names, validateName(ctx, r, h, dns.TypeA))
	}
	for _, n := range names {
		if n.res.Security == dnssec.Secure {
			continue
		}
		c.Details["insecure_for_dane"] = n
		c.Status = StatusWarn
		f := Sub{Code: "mail_dane_mx_insecure", Params: map[string]any{"domain": r.domain, "name": n.Name, "type": n.Type, "security": string(n.res.Security)}}
		c.Summary, c.Finding, c.FindingParams = english(f), f.Code, f.Params
		return c
	}
	return c
}

// noMailTransport is mail.starttls and mail.dane of a domain without mail
// servers: not applicable, and internet.nl's STARTTLS and DANE subtests
// judged as it does (a null MX that is not needed, or one that should be
// published, informs; otherwise nothing is tested).
func noMailTransport(ms mailServers) []Check {
	starttls, dane := ms.notApplicable(check.MailSTARTTLS), ms.notApplicable(check.MailDANE)
	starttls.judge(ms.withoutServers("mail_starttls_tls_available"))
	dane.judge(ms.notTested("mail_starttls_dane_exist", "mail_starttls_dane_valid", "mail_starttls_dane_rollover"))
	return []Check{starttls, dane}
}

func (r *run) probeMX(ctx context.Context, host string) mxResult {
	res := mxResult{Host: host}
	v4, v6, err := r.lookupAddrs(ctx, host)
	if err != nil {
		res.set(StatusError, Sub{Code: "mx_lookup_failed", Params: map[string]any{"error": err.Error()}})
		return res
	}
	var ips []netip.Addr
	if len(v4) > 0 {
		ips = append(ips, v4[0])
	}
	if len(v6) > 0 {
		ips = append(ips, v6[0])
	}
	if len(ips) == 0 {
		res.set(StatusError, Sub{Code: "mx_no_address", Params: nil})
		return res
	}
	res.Targets = make([]mxTarget, len(ips))
	var wg sync.WaitGroup
	for i, ip := range ips {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r.servers != nil {
				res.Targets[i] = r.servers.mxAddr(ctx, r, host, ip)
			} else {
				res.Targets[i] = r.probeMXAddr(ctx, host, ip)
			}
		}()
	}
	var dane daneHost
	wg.Add(1)
	go func() {
		defer wg.Done()
		dane = daneHost{Host: host, TLSA: r.lookupTLSA(ctx, host, r.cfg.SMTPPort)}
	}()
	wg.Wait()
	res.judge()
	res.DANE = r.judgeMailDANE(dane, res.Targets)
	return res
}

// probeMXAddr runs the transcript session and the TLS scan of one address
// side by side, so that the scan's chain of SMTP sessions does not wait for
// the transcript; when the transcript shows that there is nothing to scan
// (no STARTTLS, unreachable), the scan is called off.
func (r *run) probeMXAddr(ctx context.Context, host string, ip netip.Addr) mxTarget {
	addr := net.JoinHostPort(ip.String(), strconv.Itoa(r.cfg.SMTPPort))
	scanCtx, stopScan := context.WithCancel(ctx)
	defer stopScan()
	type scanResult struct {
		rep *tlsscan.Report
		err error
	}
	scanned := make(chan scanResult, 1)
	go func() {
		rep, err := tlsscan.Scan(scanCtx, tlsscan.Config{
			Dial:       r.dial,
			DialAfter:  r.dialAfter,
			Addr:       addr,
			ServerName: host,
			Preamble:   func(_ context.Context, c net.Conn) error { return startTLS(c, nil) },
			RootCAs:    r.cfg.RootCAs,
			Timeout:    r.cfg.ConnTimeout,
			Now:        r.cfg.Now,
			ChunkSize:  mailChunk,
			Mode:       tlsscan.Quick,
			SkipPQ:     true,
		})
		scanned <- scanResult{rep, err}
	}()
	t := r.smtpTranscript(ctx, host, ip, addr)
	if t.NoSTARTTLS || t.Untestable {
		stopScan()
		<-scanned
		return t
	}
	res := <-scanned
	if res.err != nil {
		t.Error = "TLS scan: " + res.err.Error()
		return t
	}
	if t.chain == nil {
		// crypto/tls could not finish a handshake (DHE-only or SSLv3-only
		// servers); the raw scan still saw versions, suites and certificate.
		if len(res.rep.AcceptedVersions()) == 0 {
			return t
		}
		if c := res.rep.Certificate; c != nil {
			t.chain = c.Certificates
		}
	}
	t.report = res.rep
	return t
}

// smtpTranscript holds one recorded session: greeting, EHLO, STARTTLS, a
// crypto/tls handshake for the certificate chain, EHLO and QUIT inside TLS.
func (r *run) smtpTranscript(ctx context.Context, host string, ip netip.Addr, addr string) mxTarget {
	t := mxTarget{Host: host, Addr: addr, ip: ip}
	// The connection's own time starts once it is open: waiting for a
	// free slot at the host (hostSlots) is not the server's slowness.
	conn, err := r.dial(ctx, "tcp", addr)
	if err != nil {
		t.Error, t.Untestable = err.Error(), true
		return t
	}
	defer conn.Close()
	cctx, cancel := context.WithTimeout(ctx, r.cfg.ConnTimeout)
	defer cancel()
	if dl, ok := cctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(cctx, func() { conn.Close() })
	defer stop()
	if err := startTLS(conn, &t.Transcript); err != nil {
		t.Error = err.Error()
		if errors.Is(err, errNoSTARTTLS) {
			t.NoSTARTTLS = true
		} else {
			t.Untestable = true
		}
		return t
	}
	// Every suite Go has, so that even a legacy-only server yields its
	// certificate and the scan can say what is wrong with it.
	tc := tls.Client(conn, &tls.Config{ServerName: host, InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, CipherSuites: tlsscan.GoSuites(),
		CurvePreferences: tlsscan.ReadingGroups()})
	if err := tc.HandshakeContext(cctx); err != nil {
		t.Transcript = append(t.Transcript, "TLS handshake failed: "+err.Error())
		t.Error = "TLS handshake after STARTTLS failed: " + err.Error()
		return t
	}
	st := tc.ConnectionState()
	t.chain = st.PeerCertificates
	t.TLSVersion, t.TLSSuite = tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite)
	t.Transcript = append(t.Transcript, fmt.Sprintf("TLS handshake: %s %s", t.TLSVersion, t.TLSSuite))
	s := &smtpSession{conn: tc, br: bufio.NewReaderSize(tc, smtpMaxLine), transcript: &t.Transcript}
	if _, _, err := s.cmd("EHLO " + ehloName); err == nil {
		s.cmd("QUIT")
	}
	tc.Close()
	return t
}

// judge rates one MX from its targets: no STARTTLS fails; an unreachable
// server is untestable; otherwise versions, suites and certificate decide.
func (m *mxResult) judge() {
	var scans []tlsTarget
	var untestable, noTLS, broken []string
	for _, t := range m.Targets {
		switch {
		case t.NoSTARTTLS:
			noTLS = append(noTLS, t.Addr)
		case t.Untestable:
			untestable = append(untestable, t.Addr+" ("+t.Error+")")
		case t.report == nil:
			broken = append(broken, t.Addr+" ("+t.Error+")")
		default:
			scans = append(scans, tlsTarget{webTarget: webTarget{Host: t.Host, Addr: t.ip}, Report: t.report})
		}
	}
	switch {
	case len(noTLS) > 0:
		m.set(StatusFail, Sub{Code: "starttls_not_offered", Params: map[string]any{"hosts": noTLS}})
		return
	case len(broken) > 0:
		m.set(StatusFail, Sub{Code: "starttls_tls_fails", Params: map[string]any{"hosts": broken}})
		return
	case len(scans) == 0:
		m.set(StatusError, Sub{Code: "mx_untestable", Params: map[string]any{"hosts": untestable}})
		return
	}
	m.Findings = map[string]Check{
		"versions":    versionCheck(check.MailSTARTTLS, scans),
		"ciphers":     cipherCheck(check.MailSTARTTLS, scans, false),
		"certificate": certCheck(check.MailSTARTTLS, scans, true),
	}
	rank := map[Status]int{StatusPass: 0, StatusInfo: 1, StatusWarn: 2, StatusError: 3, StatusFail: 4}
	st := StatusPass
	var parts []Sub
	for _, k := range []string{"versions", "ciphers", "certificate"} {
		f := m.Findings[k]
		if rank[f.Status] > rank[st] {
			st = f.Status
		}
		if f.Status != StatusPass {
			parts = append(parts, Sub{Code: f.Finding, Params: f.FindingParams})
		}
	}
	if len(untestable) > 0 && st == StatusPass {
		st = StatusError
		parts = append(parts, Sub{Code: "mx_untestable", Params: map[string]any{"hosts": untestable}})
	}
	if len(parts) == 0 {
		parts = append(parts, Sub{Code: "starttls_sound", Params: nil})
	}
	// The findings follow one another, each a sentence of its own.
	joined := parts[len(parts)-1]
	for i := len(parts) - 2; i >= 0; i-- {
		joined = Sub{Code: "then", Params: map[string]any{"first": parts[i], "rest": joined}}
	}
	m.set(st, joined)
}

func starttlsCheck(results []mxResult) Check {
	c := starttlsVerdict(results)
	all := subtests{}
	for _, m := range results {
		mxSubtests(all, m)
	}
	c.judge(all)
	return c
}

func starttlsVerdict(results []mxResult) Check {
	rank := map[Status]int{StatusPass: 0, StatusInfo: 1, StatusWarn: 2, StatusError: 3, StatusFail: 4}
	worst := StatusPass
	var parts []Sub
	for _, m := range results {
		if rank[m.Status] > rank[worst] {
			worst = m.Status
		}
		parts = append(parts, Sub{Code: "at_target", Params: map[string]any{"target": m.Host, "problem": m.finding}})
	}
	details := map[string]any{"mx": results}
	params := map[string]any{"hosts": parts}
	switch worst {
	case StatusFail:
		return newFinding(check.MailSTARTTLS, StatusFail, "starttls_not_encrypted", params, details)
	case StatusError:
		return newFinding(check.MailSTARTTLS, StatusError, "starttls_untestable", params, details)
	case StatusWarn:
		return newFinding(check.MailSTARTTLS, StatusWarn, "starttls_phase_out", params, details)
	case StatusInfo:
		return newFinding(check.MailSTARTTLS, StatusInfo, "starttls_works_with_notes", params, details)
	}
	return newFinding(check.MailSTARTTLS, StatusPass, "starttls_ok", map[string]any{"count": len(results)}, details)
}

// mxSubtests grades internet.nl's STARTTLS subtests for every address of
// one MX into all, each named by host and address so that the worst mail
// server is the one a reason names. An MX that could not be resolved or
// reached is untestable ("not reachable" in internet.nl); one without
// STARTTLS fails mail_starttls_tls_available and has nothing else to test.
func mxSubtests(all subtests, m mxResult) {
	const available = "mail_starttls_tls_available"
	if len(m.Targets) == 0 {
		one := untestedTLS(mailTLSKeys, StatusError, m.finding)
		one.set(available, StatusError, m.finding)
		all.on(m.Host, one)
		return
	}
	for _, t := range m.Targets {
		var one subtests
		switch {
		case t.NoSTARTTLS:
			one = untestedTLS(mailTLSKeys, StatusNotApplicable, Sub{Code: "tls_no_starttls", Params: nil})
			one.fail(available, Sub{Code: "tls_starttls_missing", Params: nil})
		case t.Untestable, t.report == nil:
			why := Sub{Code: "tls_untestable", Params: map[string]any{"error": t.Error}}
			one = untestedTLS(mailTLSKeys, StatusError, why)
			if t.Untestable {
				one.set(available, StatusError, why)
			} else {
				one.fail(available, Sub{Code: "tls_starttls_broken", Params: map[string]any{"error": t.Error}})
			}
		default:
			// OCSP is not tested for mail, so the clock is not needed.
			one = judgeTLS(mailTLSKeys, t.report, time.Time{})
			one.pass(available, Sub{Code: "tls_starttls_ok", Params: nil})
		}
		all.on(targetLabel(t.Host, t.ip), one)
	}
}
