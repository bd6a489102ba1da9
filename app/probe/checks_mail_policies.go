package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"sync"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/dnssec"
	"tenderprobe/app/probe/parse"
	"tenderprobe/app/probe/tlsscan"
)

// checkMailPolicies checks the two policies that protect mail delivery to
// the domain against TLS downgrade: MTA-STS (mail.mta-sts, RFC 8461) and
// SMTP TLS reporting (mail.tls-rpt, RFC 8460). Both protect incoming mail,
// so a domain without MX or with a null MX gets not_applicable.
func checkMailPolicies(ctx context.Context, r *run) []Check {
	ms, err := r.mailServers(ctx)
	if err != nil {
		return errorChecks(err, check.MailMTASTS, check.MailTLSRPT)
	}
	hosts := ms.Hosts
	if len(hosts) == 0 {
		return []Check{
			ms.notApplicable(check.MailMTASTS),
			ms.notApplicable(check.MailTLSRPT),
		}
	}
	var (
		wg          sync.WaitGroup
		mtasts, rpt Check
	)
	wg.Add(2)
	go func() { defer wg.Done(); mtasts = r.checkMTASTS(ctx, hosts) }()
	go func() { defer wg.Done(); rpt = r.checkTLSRPT(ctx) }()
	wg.Wait()
	if ms.Status == mxNullWithOthers {
		// RFC 7505 section 3: a null MX must stand alone. The other hosts
		// are tested all the same, since senders that skip it deliver there.
		for _, c := range []*Check{&mtasts, &rpt} {
			c.Details["mx_status"] = ms.Status
		}
	}
	return []Check{mtasts, rpt}
}

// checkMTASTS follows a sending MTA's steps (RFC 8461 sections 3 and 4):
//  1. TXT at _mta-sts.<domain>: exactly one record starting with v=STSv1,
//     with a valid id.
//  2. GET https://mta-sts.<domain>/.well-known/mta-sts.txt with a certificate
//     valid for that name (the configured roots), no redirects followed,
//     status 200, at most 64 KB, text/plain.
//  3. Parse the policy (version, mode, max_age, mx patterns).
//  4. Every MX host must match an mx pattern, or senders enforcing the
//     policy refuse to deliver to it.
//
// enforce with all MX covered passes; testing is a warn (failures are only
// reported); none, a missing or broken record or policy, or an enforce
// policy that does not cover the MX hosts fail.
func (r *run) checkMTASTS(ctx context.Context, mxHosts []string) Check {
	const id = check.MailMTASTS
	name := "_mta-sts." + r.domain
	txts, recs, err := r.policyRecords(ctx, name, parse.IsMTASTSRecord)
	if err != nil {
		return errorChecks(err, id)[0]
	}
	details := map[string]any{"txt_name": name, "txt_records": txts, "mx": mxHosts}
	policyHost := "mta-sts." + r.domain
	url := "https://" + policyHost + "/.well-known/mta-sts.txt"
	// The policy is fetched as soon as the record is known to be one
	// valid record, beside the DNSSEC validation below rather than after
	// it (the fetch needs none of its answers); when validation finds the
	// record bogus, the fetch is called off and its outcome ignored.
	type fetched struct {
		fetch policyFetch
		err   error
	}
	var pending chan fetched
	if len(recs) == 1 {
		if _, err := parse.ParseMTASTSRecord(recs[0]); err == nil {
			fctx, cancel := context.WithCancel(ctx)
			defer cancel()
			pending = make(chan fetched, 1)
			go func() {
				f, err := r.fetchMTASTSPolicy(fctx, policyHost, url)
				pending <- fetched{f, err}
			}()
		}
	}
	// A sender behind a validating resolver never sees a bogus answer (it
	// gets SERVFAIL), so a bogus record is no record; an unsigned one is
	// fine, since the HTTPS fetch authenticates the policy (RFC 8461
	// section 10).
	res, verr := r.validator.Validate(ctx, name, dns.TypeTXT)
	details["txt_dnssec"] = res.Security
	if verr == nil && res.Security == dnssec.Bogus {
		details["dnssec_reason"] = res.Reason
		return newFinding(id, StatusFail, "mail_mtasts_bogus", map[string]any{"name": name, "reason": whySub(res.Why, res.Reason)}, details)
	}
	switch len(recs) {
	case 0:
		return newFinding(id, StatusFail, "mtasts_missing", map[string]any{"name": name}, details)
	case 1:
	default:
		return newFinding(id, StatusFail, "mtasts_several", map[string]any{"count": len(recs), "name": name}, details)
	}
	rec, err := parse.ParseMTASTSRecord(recs[0])
	if err != nil {
		details["error"] = err.Error()
		return newFinding(id, StatusFail, "mtasts_record_invalid", map[string]any{"error": errorSub(err)}, details)
	}
	details["id"] = rec.ID

	details["policy_url"] = url
	got := <-pending
	fetch, err := got.fetch, got.err
	details["fetch"] = fetch
	if err != nil {
		details["error"] = err.Error()
		return newFinding(id, StatusFail, "mtasts_fetch_failed", map[string]any{"url": url, "error": err.Error()}, details)
	}
	details["policy_text"] = fetch.Body
	policy, err := parse.ParseMTASTSPolicy(fetch.Body)
	if err != nil {
		details["error"] = err.Error()
		return newFinding(id, StatusFail, "mtasts_policy_invalid", map[string]any{"error": errorSub(err)}, details)
	}
	details["policy"] = policy
	var uncovered []string
	coverage := map[string]bool{}
	for _, h := range mxHosts {
		ok := policy.MatchesAnyMX(h)
		coverage[h] = ok
		if !ok {
			uncovered = append(uncovered, h)
		}
	}
	details["mx_covered"] = coverage
	switch {
	case policy.Mode == "none":
		return newFinding(id, StatusFail, "mtasts_mode_none", nil, details)
	case len(uncovered) > 0 && policy.Mode == "enforce":
		return newFinding(id, StatusFail, "mtasts_enforced_uncovered", map[string]any{"hosts": uncovered}, details)
	case len(uncovered) > 0:
		return newFinding(id, StatusWarn, "mtasts_testing_uncovered", map[string]any{"hosts": uncovered}, details)
	case policy.Mode == "testing":
		return newFinding(id, StatusWarn, "mtasts_testing", nil, details)
	}
	return newFinding(id, StatusPass, "mtasts_ok", map[string]any{"count": len(mxHosts), "max_age": policy.MaxAge}, details)
}

// policyFetch is the evidence of the HTTPS request for a policy file.
type policyFetch struct {
	Status      int    `json:"status,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	TLSVersion  string `json:"tls_version,omitempty"`
	PeerCert    string `json:"peer_certificate,omitempty"`
	Body        string `json:"-"`
	Bytes       int    `json:"bytes"`
}

// fetchMTASTSPolicy GETs the policy over HTTPS. Addresses come from the run's
// resolver and every connection goes through the SSRF guard; redirects are
// not followed (RFC 8461 section 3.3).
func (r *run) fetchMTASTSPolicy(ctx context.Context, host, url string) (policyFetch, error) {
	var res policyFetch
	// No Client.Timeout, which would count the wait for a free connection
	// slot (hostSlots): dialHostViaResolver bounds each connection instead.
	client := &http.Client{
		Transport: &http.Transport{
			DialContext: r.dialHostViaResolver(r.cfg.HTTPSPort),
			TLSClientConfig: &tls.Config{RootCAs: r.cfg.RootCAs, ServerName: host, MinVersion: tls.VersionTLS12, Time: r.cfg.Now,
				CurvePreferences: tlsscan.ReadingGroups()},
			TLSHandshakeTimeout:    r.cfg.ConnTimeout,
			ResponseHeaderTimeout:  r.cfg.ConnTimeout,
			MaxResponseHeaderBytes: 64 << 10,
			DisableKeepAlives:      true,
			Proxy:                  nil,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return res, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return res, unwrapURLError(err)
	}
	defer resp.Body.Close()
	res.Status = resp.StatusCode
	res.ContentType = resp.Header.Get("Content-Type")
	if resp.TLS != nil {
		res.TLSVersion = tls.VersionName(resp.TLS.Version)
		if len(resp.TLS.PeerCertificates) > 0 {
			c := resp.TLS.PeerCertificates[0]
			res.PeerCert = fmt.Sprintf("subject %q, DNS names %v, valid until %s", c.Subject.String(), c.DNSNames, c.NotAfter.UTC().Format("2006-01-02"))
		}
	}
	if resp.StatusCode != http.StatusOK {
		if loc := resp.Header.Get("Location"); loc != "" {
			return res, fmt.Errorf("HTTP status %d redirecting to %s (senders do not follow redirects)", resp.StatusCode, loc)
		}
		return res, fmt.Errorf("HTTP status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, parse.MaxMTASTSPolicySize+1))
	if err != nil {
		return res, fmt.Errorf("read policy: %w", err)
	}
	res.Bytes = len(body)
	if len(body) > parse.MaxMTASTSPolicySize {
		return res, fmt.Errorf("policy larger than %d bytes", parse.MaxMTASTSPolicySize)
	}
	res.Body = string(body)
	if mt, _, err := mime.ParseMediaType(res.ContentType); err != nil || mt != "text/plain" {
		return res, fmt.Errorf("Content-Type %q, not text/plain", res.ContentType)
	}
	return res, nil
}

// dialHostViaResolver returns a DialContext for HTTP clients that resolves
// the host with the run's resolver (not the system's), connects to port
// whatever the URL says, and tries each address in turn through the SSRF
// guard.
func (r *run) dialHostViaResolver(port int) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		v4, v6, err := r.lookupAddrs(ctx, host)
		if err != nil {
			return nil, err
		}
		addrs := append(v6, v4...)
		if len(addrs) == 0 {
			return nil, fmt.Errorf("%s has no A or AAAA record", host)
		}
		var errs []error
		for _, a := range addrs {
			conn, err := r.dialTimed(ctx, "tcp", net.JoinHostPort(a.String(), strconv.Itoa(port)))
			if err == nil {
				return conn, nil
			}
			errs = append(errs, err)
		}
		return nil, errors.Join(errs...)
	}
}

// unwrapURLError drops net/http's "Get \"url\":" prefix, which the summary
// already says.
func unwrapURLError(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

// policyRecords reads the TXT strings at name (txts, for the evidence) and
// picks those isRecord claims (recs); a failed query or an answer other
// than NOERROR or NXDOMAIN is an error, since then nothing is known.
func (r *run) policyRecords(ctx context.Context, name string, isRecord func(string) bool) (txts, recs []string, err error) {
	txts, rcode, err := r.txtRecords(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	if rcode != dns.RcodeSuccess && rcode != dns.RcodeNameError {
		return nil, nil, fmt.Errorf("dns TXT %s: %s", name, dns.RcodeToString[rcode])
	}
	for _, t := range txts {
		if isRecord(t) {
			recs = append(recs, t)
		}
	}
	return txts, recs, nil
}

// checkTLSRPT reads the TLS reporting policy (RFC 8460 section 3): exactly
// one TXT record starting with v=TLSRPTv1 at _smtp._tls.<domain> with an
// rua of mailto: or https: destinations.
func (r *run) checkTLSRPT(ctx context.Context) Check {
	const id = check.MailTLSRPT
	name := "_smtp._tls." + r.domain
	txts, recs, err := r.policyRecords(ctx, name, parse.IsTLSRPT)
	if err != nil {
		return errorChecks(err, id)[0]
	}
	details := map[string]any{"txt_name": name, "txt_records": txts}
	switch len(recs) {
	case 0:
		return newFinding(id, StatusFail, "tlsrpt_missing", map[string]any{"name": name}, details)
	case 1:
	default:
		return newFinding(id, StatusFail, "tlsrpt_several", map[string]any{"count": len(recs), "name": name}, details)
	}
	details["record"] = recs[0]
	rec, err := parse.ParseTLSRPT(recs[0])
	if err != nil {
		details["error"] = err.Error()
		return newFinding(id, StatusFail, "tlsrpt_invalid", map[string]any{"error": errorSub(err)}, details)
	}
	details["rua"] = rec.RUA
	var dest []string
	for _, u := range rec.RUA {
		dest = append(dest, u.URI)
	}
	return newFinding(id, StatusPass, "tlsrpt_ok", map[string]any{"destinations": dest}, details)
}
