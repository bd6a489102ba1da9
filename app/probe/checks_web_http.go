package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/netguard"
	"tenderprobe/app/probe/parse"
	"tenderprobe/app/probe/tlsscan"
)

// Limits of the HTTP checks.
const (
	// maxHTTPRead bounds response headers and bodies (security.txt included).
	maxHTTPRead = 100 << 10
	// maxRedirects is how many redirects of a site are followed: a
	// browser's limit (Chromium and Firefox stop after 20), since a chain a
	// visitor's browser follows is not a failure. internet.nl's library
	// follows 30.
	maxRedirects = 20
	// maxSecurityTxtRedirects is internet.nl's limit for security.txt.
	maxSecurityTxtRedirects = 8
	// hstsMinMaxAge is internet.nl's threshold: one year.
	hstsMinMaxAge = 31536000
)

var webHTTPIDs = []check.ID{check.WebHTTPSRedirect, check.WebHSTS, check.WebSecurityHeaders, check.WebSecurityTxt}

// checkWebHTTP tests what the web servers say over HTTP: the redirect from
// http to https, HSTS, the security headers and security.txt. Protocol
// steps, for each tested address of the apex and www:
//
//  1. GET http://host/ (port HTTPPort) without following redirects; the first
//     answer must redirect to https on the same host (or port 80 is closed),
//     then the chain is followed for at most 8 hops, every hop's address
//     checked by the SSRF guard, and any return to http fails.
//  2. GET https://host/ (port HTTPSPort) with Accept-Encoding: gzip,
//     deflate, br: the first answer's Strict-Transport-Security,
//     X-Content-Type-Options, X-Frame-Options, Referrer-Policy and
//     Content-Security-Policy are judged, and its Content-Encoding for
//     web.https (HTTP compression, BREACH).
//  3. Once per host, GET https://host/.well-known/security.txt (redirects
//     followed over https only, certificate verified), at most 100 KB.
//
// Names are resolved through the run's resolver, never the system's. Each
// check keeps internet.nl's subtests in details.findings; the check's own
// verdict may be stricter (a missing security.txt or header fails it).
func checkWebHTTP(ctx context.Context, r *run) []Check {
	targets, err := webHosts(ctx, r)
	if err != nil {
		return errorChecks(err, webHTTPIDs...)
	}
	if len(targets) == 0 {
		return notApplicable("no_website", webHTTPIDs...)
	}
	redirects := make([]redirectResult, len(targets))
	firsts := make([]httpsResult, len(targets))
	hosts := firstPerHost(targets)
	sectxts := make([]sectxtResult, len(hosts))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(2)
		go func() { defer wg.Done(); redirects[i] = r.checkRedirect(ctx, t) }()
		go func() { defer wg.Done(); firsts[i] = r.fetchFirstHTTPS(ctx, t) }()
	}
	for i, t := range hosts {
		wg.Add(1)
		go func() { defer wg.Done(); sectxts[i] = r.fetchSecurityTxt(ctx, t) }()
	}
	wg.Wait()
	for i := range redirects {
		// internet.nl first asks for https: a closed port 80 is as good as
		// a redirect only when https answers.
		if redirects[i].finding.Code == "port_80_closed" && firsts[i].err != nil {
			redirects[i].set(StatusError, "web_no_http_nor_https", map[string]any{"error": firsts[i].Error})
		}
	}
	return []Check{
		redirectCheck(redirects),
		hstsCheck(firsts),
		securityHeadersCheck(firsts),
		securityTxtCheck(sectxts),
		contribution(check.WebHTTPS, compressionSubtests(firsts)),
	}
}

// compressionSubtests judges internet.nl's web_https_http_compress: the
// first https answer of / to a request accepting gzip, deflate and br
// should carry no Content-Encoding, since compressed responses that
// reflect secrets expose them to BREACH. It is informational.
func compressionSubtests(firsts []httpsResult) subtests {
	all := subtests{}
	for _, res := range firsts {
		s := subtests{}
		switch enc := res.Headers.Get("Content-Encoding"); {
		case res.err != nil:
			s.set("web_https_http_compress", StatusError, Sub{Code: "error", Params: map[string]any{"error": res.Error}})
		case enc != "":
			s.fail("web_https_http_compress", Sub{Code: "web_http_compressed", Params: map[string]any{"encoding": enc}})
		default:
			s.pass("web_https_http_compress", Sub{Code: "web_http_not_compressed", Params: nil})
		}
		all.on(targetLabel(res.Target.Host, res.Target.Addr), s)
	}
	return all
}

// httpClient returns a client that connects only through the SSRF guard:
// the pinned target's host goes to its tested address, other names are
// resolved with the run's resolver, and ports 80 and 443 are mapped to the
// configured HTTP and HTTPS ports. Redirects are never followed by the
// client itself, so that each hop is seen.
func (r *run) httpClient(pin webTarget, verify bool) *http.Client {
	return r.httpClientVia(pin, verify, false)
}

// httpClientVia is httpClient; with sameFamily, other hosts a redirect
// names are reached over the pinned address's family when they have an
// address in it, so that a page fetched "over IPv6" stays on IPv6.
func (r *run) httpClientVia(pin webTarget, verify, sameFamily bool) *http.Client {
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("probe: http dial %q: %w", addr, err)
		}
		switch port {
		case "80":
			port = strconv.Itoa(r.cfg.HTTPPort)
		case "443":
			port = strconv.Itoa(r.cfg.HTTPSPort)
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			if strings.EqualFold(host, pin.Host) {
				ip = pin.Addr
			} else {
				v4, v6, err := r.lookupAddrs(ctx, host)
				if err != nil {
					return nil, err
				}
				switch {
				case sameFamily && pin.Addr.Is6() && len(v6) > 0:
					ip = v6[0]
				case len(v4) > 0:
					ip = v4[0]
				case len(v6) > 0:
					ip = v6[0]
				default:
					return nil, fmt.Errorf("probe: %s has no address", host)
				}
			}
		}
		return r.dialTimed(ctx, network, net.JoinHostPort(ip.String(), port))
	}
	tlsCfg := &tls.Config{
		RootCAs: r.cfg.RootCAs,
		// Headers are read even behind a bad certificate or old TLS
		// (web.tls-* report those); security.txt only over good TLS.
		InsecureSkipVerify: !verify,
		Time:               r.cfg.Now,
		CurvePreferences:   tlsscan.ReadingGroups(),
	}
	if !verify {
		tlsCfg.MinVersion, tlsCfg.CipherSuites = tls.VersionTLS10, tlsscan.GoSuites()
	}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            dial,
		TLSClientConfig:        tlsCfg,
		TLSHandshakeTimeout:    r.cfg.ConnTimeout,
		ResponseHeaderTimeout:  r.cfg.ConnTimeout,
		MaxResponseHeaderBytes: maxHTTPRead,
		DisableKeepAlives:      true,
		ForceAttemptHTTP2:      false,
	}
	// No Client.Timeout: it would count the wait for a free connection
	// slot (hostSlots) against the server; dialTimed bounds the connection.
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// hop is one request of a redirect chain.
type hop struct {
	URL      string `json:"url"`
	Addr     string `json:"addr,omitempty"`
	Status   int    `json:"status,omitempty"`
	Location string `json:"location,omitempty"`
	Error    string `json:"error,omitempty"`
}

// get sends one GET and returns the response with its body read (at most
// maxHTTPRead bytes; truncated reports more) and the address connected to.
func get(ctx context.Context, c *http.Client, u string) (resp *http.Response, body []byte, truncated bool, addr string, err error) {
	return getWith(ctx, c, u, maxHTTPRead, nil)
}

// getWith is get reading at most limit bytes of the body and sending the
// extra request headers.
func getWith(ctx context.Context, c *http.Client, u string, limit int, header http.Header) (resp *http.Response, body []byte, truncated bool, addr string, err error) {
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		addr = info.Conn.RemoteAddr().String()
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, false, "", fmt.Errorf("probe: request %s: %w", u, err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("User-Agent", "tenderprobe/1 (internet standards probe)")
	resp, err = c.Do(req)
	if err != nil {
		return nil, nil, false, addr, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	if len(body) > limit {
		body, truncated = body[:limit], true
	}
	if err != nil && !truncated {
		return resp, body, false, addr, fmt.Errorf("probe: read body of %s: %w", u, err)
	}
	return resp, body, truncated, addr, nil
}

func hostURL(scheme, host, path string) string {
	return (&url.URL{Scheme: scheme, Host: host, Path: path}).String()
}

// redirectResult is the http-to-https verdict for one target.
type redirectResult struct {
	Target  webTarget `json:"target"`
	Hops    []hop     `json:"hops"`
	Status  Status    `json:"status"`
	Verdict string    `json:"verdict"`
	finding Sub
}

// set gives the target its status and verdict, a finding; Verdict is the
// English.
func (res *redirectResult) set(st Status, code string, params map[string]any) {
	res.Status, res.finding = st, Sub{Code: code, Params: params}
	res.Verdict = english(res.finding)
}

func (r *run) checkRedirect(ctx context.Context, t webTarget) redirectResult {
	res := redirectResult{Target: t}
	c := r.httpClient(t, false)
	cur := hostURL("http", t.Host, "/")
	sawHTTPS := false
	for i := 0; ; i++ {
		if i > maxRedirects {
			res.set(StatusFail, "too_many_redirects", map[string]any{"max": maxRedirects})
			return res
		}
		resp, _, _, addr, err := r.getShared(ctx, c, t, cur, maxHTTPRead)
		h := hop{URL: cur, Addr: addr}
		if err != nil {
			h.Error = err.Error()
			res.Hops = append(res.Hops, h)
			var ref *netguard.RefusedError
			switch {
			case errors.As(err, &ref):
				res.set(StatusError, "refused_to_connect", map[string]any{"error": ref.Error()})
			case i == 0 && connectFailed(err):
				// internet.nl: no plain HTTP at all is as good as a redirect.
				res.set(StatusPass, "port_80_closed", nil)
			case i == 0:
				res.set(StatusError, "http_untestable", map[string]any{"error": err.Error()})
			default:
				res.set(StatusFail, "redirect_chain_broken", map[string]any{"url": cur, "error": err.Error()})
			}
			return res
		}
		h.Status = resp.StatusCode
		loc := resp.Header.Get("Location")
		h.Location = loc
		res.Hops = append(res.Hops, h)
		curURL, _ := url.Parse(cur)
		if resp.StatusCode < 300 || resp.StatusCode > 399 || loc == "" {
			if i == 0 {
				res.set(StatusFail, "http_no_redirect", map[string]any{"host": t.Host, "status": resp.StatusCode})
			} else if curURL.Scheme != "https" {
				res.set(StatusFail, "redirect_ends_on_http", map[string]any{"url": cur})
			} else {
				res.set(StatusPass, "redirects_to", map[string]any{"url": cur})
			}
			return res
		}
		next, err := curURL.Parse(loc)
		if err != nil {
			res.set(StatusFail, "invalid_location", map[string]any{"location": strconv.Quote(loc)})
			return res
		}
		switch {
		case i == 0 && next.Scheme != "https":
			res.set(StatusFail, "first_redirect_not_https", map[string]any{"url": next.String()})
			return res
		case i == 0 && !strings.EqualFold(next.Hostname(), t.Host):
			res.set(StatusFail, "first_redirect_other_host", map[string]any{"other": next.Hostname(), "host": t.Host})
			return res
		case next.Scheme == "https":
			sawHTTPS = true
		case next.Scheme == "http" && sawHTTPS:
			res.set(StatusFail, "redirect_downgrade", map[string]any{"url": next.String()})
			return res
		case next.Scheme != "http":
			res.set(StatusFail, "redirect_unsupported_scheme", map[string]any{"url": next.String()})
			return res
		}
		cur = next.String()
	}
}

// connectFailed reports a refused or unreachable port, as opposed to a
// server that answered badly.
func connectFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func redirectCheck(results []redirectResult) Check {
	details := map[string]any{"targets": results}
	var fails, errs []Sub
	for _, res := range results {
		label := Sub{Code: "at_target", Params: map[string]any{"target": targetLabel(res.Target.Host, res.Target.Addr), "problem": res.finding}}
		switch res.Status {
		case StatusFail:
			fails = append(fails, label)
		case StatusError:
			errs = append(errs, label)
		}
	}
	c := targetsVerdict(check.WebHTTPSRedirect, details, fails, errs, nil, "redirect_fails", "", "redirect_ok")
	all := subtests{}
	for _, res := range results {
		s := subtests{}
		s.set("web_https_http_redirect", res.Status, res.finding)
		all.on(targetLabel(res.Target.Host, res.Target.Addr), s)
	}
	c.judge(all)
	return c
}

// targetsVerdict concludes a check over several web targets: any failing
// target fails it, else any target that could not be tested makes it an
// error, else any advice makes it a warning. The fail and warn summaries
// are their lead followed by the targets' notes.
func targetsVerdict(id check.ID, details map[string]any, fails, errs, warns []Sub, failCode, warnCode, passCode string) Check {
	switch {
	case len(fails) > 0:
		return newFinding(id, StatusFail, failCode, map[string]any{"problems": fails}, details)
	case len(errs) > 0:
		return newFinding(id, StatusError, "untestable_targets", map[string]any{"problems": errs}, details)
	case len(warns) > 0:
		return newFinding(id, StatusWarn, warnCode, map[string]any{"problems": warns}, details)
	}
	return newFinding(id, StatusPass, passCode, nil, details)
}

// httpsResult is the first HTTPS response of one target.
type httpsResult struct {
	Target  webTarget   `json:"target"`
	URL     string      `json:"url"`
	Status  int         `json:"status,omitempty"`
	Headers http.Header `json:"headers,omitempty"`
	Error   string      `json:"error,omitempty"`
	err     error
}

func (r *run) fetchFirstHTTPS(ctx context.Context, t webTarget) httpsResult {
	u := hostURL("https", t.Host, "/")
	res := httpsResult{Target: t, URL: u}
	// As internet.nl, one request serves the headers and the compression
	// test; the body is not decoded, only Content-Encoding is looked at.
	accept := http.Header{"Accept-Encoding": {"gzip, deflate, br"}}
	resp, _, _, _, err := getWith(ctx, r.httpClient(t, false), u, maxHTTPRead, accept)
	if err != nil {
		res.Error, res.err = err.Error(), err
		return res
	}
	res.Status = resp.StatusCode
	res.Headers = resp.Header
	return res
}

func hstsCheck(results []httpsResult) Check {
	type row struct {
		Host   string      `json:"host"`
		Addr   string      `json:"addr"`
		Header string      `json:"header,omitempty"`
		Parsed *parse.HSTS `json:"parsed,omitempty"`
		Error  string      `json:"error,omitempty"`
	}
	var rows []row
	var fails, errs []Sub
	all := subtests{}
	for _, res := range results {
		rw := row{Host: res.Target.Host, Addr: res.Target.Addr.String()}
		label := targetLabel(res.Target.Host, res.Target.Addr)
		s := subtests{}
		bad := func(code string, params map[string]any) {
			fails = append(fails, Sub{Code: "at_target", Params: map[string]any{"target": label, "problem": Sub{Code: code, Params: params}}})
			s.fail("web_https_http_hsts", Sub{Code: code, Params: params})
		}
		values := res.Headers.Values("Strict-Transport-Security")
		switch {
		case res.err != nil:
			rw.Error = res.Error
			problem := Sub{Code: "error", Params: map[string]any{"error": res.Error}}
			errs = append(errs, Sub{Code: "at_target", Params: map[string]any{"target": label, "problem": problem}})
			s.set("web_https_http_hsts", StatusError, problem)
		case len(values) == 0:
			bad("hsts_missing", nil)
		default:
			// RFC 6797 section 8.1: only the first header is processed.
			rw.Header = values[0]
			h, err := parse.ParseHSTS(values[0])
			switch {
			case err != nil:
				rw.Error = err.Error()
				bad("hsts_invalid", map[string]any{"error": errorSub(err)})
			case h.MaxAge < hstsMinMaxAge:
				rw.Parsed = &h
				bad("hsts_short", map[string]any{"max_age": h.MaxAge, "min": hstsMinMaxAge})
			default:
				rw.Parsed = &h
				s.pass("web_https_http_hsts", Sub{Code: "web_hsts_max_age", Params: map[string]any{"max_age": h.MaxAge}})
			}
		}
		rows = append(rows, rw)
		all.on(label, s)
	}
	c := targetsVerdict(check.WebHSTS, map[string]any{"targets": rows}, fails, errs, nil, "hsts_fails", "", "hsts_ok")
	c.judge(all)
	return c
}

// headerVerdict is the judgement of one security header.
type headerVerdict struct {
	Value   string   `json:"value,omitempty"`
	Status  Status   `json:"status"`
	Reasons []string `json:"reasons,omitempty"`
	// problems are the Reasons as findings, in the reader's language.
	problems []Sub
	// internetNL is internet.nl's outcome where it differs from Status:
	// info for its recommendations (see judgeHeaders).
	internetNL Status
}

// verdict is a header's judgement with its reasons as findings; the
// details keep them in English.
func verdict(value string, status Status, reasons ...Sub) headerVerdict {
	v := headerVerdict{Value: value, Status: status, problems: reasons}
	for _, r := range reasons {
		v.Reasons = append(v.Reasons, english(r))
	}
	return v
}

// judgeHeaders applies internet.nl's rules: X-Content-Type-Options must be
// nosniff; framing must be limited by X-Frame-Options DENY or SAMEORIGIN (its
// first value) or by CSP frame-ancestors; Referrer-Policy's last valid value
// must be no-referrer or same-origin (strict-origin and
// strict-origin-when-cross-origin are a warning, anything else a failure);
// CSP problems are warnings, as internet.nl rates CSP as a recommendation.
func judgeHeaders(h http.Header, host string) map[string]headerVerdict {
	out := map[string]headerVerdict{}
	csp := parse.ParseCSP(strings.Join(h.Values("Content-Security-Policy"), ","))

	// The first value counts, as in browsers and internet.nl.
	xcto := strings.TrimSpace(strings.Split(h.Get("X-Content-Type-Options"), ",")[0])
	if strings.EqualFold(xcto, "nosniff") {
		out["X-Content-Type-Options"] = headerVerdict{Value: xcto, Status: StatusPass}
	} else {
		out["X-Content-Type-Options"] = verdict(xcto, StatusFail, Sub{Code: "hdr_not_nosniff", Params: nil})
	}

	xfo := strings.TrimSpace(strings.Split(h.Get("X-Frame-Options"), ",")[0])
	switch {
	case strings.EqualFold(xfo, "DENY") || strings.EqualFold(xfo, "SAMEORIGIN"):
		out["X-Frame-Options"] = headerVerdict{Value: xfo, Status: StatusPass}
	case csp.Has("frame-ancestors"):
		out["X-Frame-Options"] = verdict(xfo, StatusPass, Sub{Code: "hdr_framing_by_csp", Params: nil})
	default:
		out["X-Frame-Options"] = verdict(xfo, StatusFail, Sub{Code: "hdr_framing_unlimited", Params: nil})
	}

	rpRaw := strings.Join(h.Values("Referrer-Policy"), ",")
	rp := ""
	for _, v := range strings.Split(rpRaw, ",") {
		// Browsers use the last value they understand.
		switch v = strings.ToLower(strings.TrimSpace(v)); v {
		case "no-referrer", "no-referrer-when-downgrade", "same-origin", "origin", "strict-origin",
			"origin-when-cross-origin", "strict-origin-when-cross-origin", "unsafe-url":
			rp = v
		}
	}
	switch {
	case rp == "no-referrer" || rp == "same-origin":
		out["Referrer-Policy"] = headerVerdict{Value: rpRaw, Status: StatusPass}
	case rp == "strict-origin" || rp == "strict-origin-when-cross-origin":
		v := verdict(rpRaw, StatusWarn, Sub{Code: "hdr_referrer_sends_origin", Params: map[string]any{"policy": rp}})
		v.internetNL = StatusInfo
		out["Referrer-Policy"] = v
	case strings.TrimSpace(rpRaw) == "":
		// Browsers then use strict-origin-when-cross-origin, which
		// internet.nl recommends improving on.
		v := verdict(rpRaw, StatusFail, Sub{Code: "web_referrer_missing", Params: nil})
		v.internetNL = StatusInfo
		out["Referrer-Policy"] = v
	case rp == "":
		out["Referrer-Policy"] = verdict(rpRaw, StatusFail, Sub{Code: "hdr_referrer_invalid", Params: nil})
	default:
		out["Referrer-Policy"] = verdict(rpRaw, StatusFail, Sub{Code: "hdr_referrer_leaks", Params: map[string]any{"policy": rp}})
	}

	cspRaw := strings.Join(h.Values("Content-Security-Policy"), ", ")
	switch problems := csp.AuditProblems(host); {
	case cspRaw == "":
		out["Content-Security-Policy"] = verdict("", StatusWarn, Sub{Code: "hdr_csp_missing", Params: nil})
	case len(problems) > 0:
		out["Content-Security-Policy"] = verdict(cspRaw, StatusWarn, subs(problems)...)
	default:
		out["Content-Security-Policy"] = headerVerdict{Value: cspRaw, Status: StatusPass}
	}
	return out
}

func securityHeadersCheck(results []httpsResult) Check {
	type row struct {
		Host    string                   `json:"host"`
		Addr    string                   `json:"addr"`
		Status  int                      `json:"http_status,omitempty"`
		Headers map[string]headerVerdict `json:"headers,omitempty"`
		Error   string                   `json:"error,omitempty"`
	}
	var rows []row
	var fails, warns, errs []Sub
	all := subtests{}
	for _, res := range results {
		rw := row{Host: res.Target.Host, Addr: res.Target.Addr.String(), Status: res.Status, Error: res.Error}
		label := targetLabel(res.Target.Host, res.Target.Addr)
		s := subtests{}
		if res.err != nil {
			problem := Sub{Code: "error", Params: map[string]any{"error": res.Error}}
			errs = append(errs, Sub{Code: "at_target", Params: map[string]any{"target": label, "problem": problem}})
			for _, h := range securityHeaders {
				s.set(h.key, StatusError, problem)
			}
			rows = append(rows, rw)
			all.on(label, s)
			continue
		}
		rw.Headers = judgeHeaders(res.Headers, res.Target.Host)
		for _, h := range securityHeaders {
			v := rw.Headers[h.name]
			msg := Sub{Code: "header_problem", Params: map[string]any{"target": label, "header": h.name, "reasons": v.problems}}
			switch v.Status {
			case StatusFail:
				fails = append(fails, msg)
			case StatusWarn:
				warns = append(warns, msg)
			}
			s.set(h.key, v.subtestStatus(), v.subtestFinding(h.name))
		}
		rows = append(rows, rw)
		all.on(label, s)
	}
	c := targetsVerdict(check.WebSecurityHeaders, map[string]any{"targets": rows}, fails, errs, warns,
		"headers_fail", "headers_warn", "headers_ok")
	c.judge(all)
	return c
}

// securityHeaders are the headers judged, with internet.nl's subtest of each.
var securityHeaders = []struct {
	name string
	key  check.Subtest
}{
	{"X-Content-Type-Options", "web_appsecpriv_x_content_type_options"},
	{"X-Frame-Options", "web_appsecpriv_x_frame_options"},
	{"Referrer-Policy", "web_appsecpriv_referrer_policy"},
	{"Content-Security-Policy", "web_appsecpriv_csp"},
}

// subtestStatus is the header's outcome as internet.nl grades it: a
// problem is a bad outcome (capped by the subtest's severity), a
// recommendation is info.
func (v headerVerdict) subtestStatus() Status {
	switch {
	case v.internetNL != "":
		return v.internetNL
	case v.Status == StatusPass:
		return StatusPass
	}
	return StatusFail
}

// subtestFinding says in a line what was found in the header.
func (v headerVerdict) subtestFinding(name string) Sub {
	if len(v.problems) == 0 {
		return Sub{Code: "web_header_ok", Params: map[string]any{"header": name, "value": strconv.Quote(v.Value)}}
	}
	return Sub{Code: "web_header_problems", Params: map[string]any{"header": name, "reasons": v.problems}}
}

// sectxtResult is the security.txt found (or not) for one host.
type sectxtResult struct {
	Host        string                    `json:"host"`
	Hops        []hop                     `json:"hops,omitempty"`
	URL         string                    `json:"url,omitempty"`
	ContentType string                    `json:"content_type,omitempty"`
	Parsed      *parse.SecurityTxt        `json:"parsed,omitempty"`
	Verdict     *parse.SecurityTxtVerdict `json:"verdict,omitempty"`
	Status      Status                    `json:"status"`
	Summary     string                    `json:"summary"`
	finding     Sub
	// advice are the warnings and the parser's advice, which internet.nl
	// shows as information (web_appsecpriv_securitytxt).
	advice []Sub
}

// set gives the host its status and finding; Summary is the English.
func (res *sectxtResult) set(st Status, code string, params map[string]any) {
	res.Status, res.finding = st, Sub{Code: code, Params: params}
	res.Summary = english(res.finding)
}

// fetchSecurityTxt fetches https://host/.well-known/security.txt, following
// at most maxSecurityTxtRedirects redirects, all over https with a valid certificate.
func (r *run) fetchSecurityTxt(ctx context.Context, t webTarget) sectxtResult {
	res := sectxtResult{Host: t.Host}
	c := r.httpClient(t, true)
	start := hostURL("https", t.Host, "/.well-known/security.txt")
	cur := start
	for i := 0; ; i++ {
		if i > maxSecurityTxtRedirects {
			res.set(StatusFail, "too_many_redirects", map[string]any{"max": maxSecurityTxtRedirects})
			return res
		}
		resp, body, truncated, addr, err := get(ctx, c, cur)
		h := hop{URL: cur, Addr: addr}
		if err != nil {
			h.Error = err.Error()
			res.Hops = append(res.Hops, h)
			var ref *netguard.RefusedError
			if errors.As(err, &ref) {
				res.set(StatusError, "refused_to_connect", map[string]any{"error": ref.Error()})
			} else if i == 0 && connectFailed(err) {
				res.set(StatusError, "https_unreachable", map[string]any{"error": err.Error()})
			} else {
				res.set(StatusFail, "sectxt_not_fetched", map[string]any{"error": err.Error()})
			}
			return res
		}
		h.Status, h.Location = resp.StatusCode, resp.Header.Get("Location")
		res.Hops = append(res.Hops, h)
		if resp.StatusCode >= 300 && resp.StatusCode <= 399 && h.Location != "" {
			base, _ := url.Parse(cur)
			next, err := base.Parse(h.Location)
			if err != nil || next.Scheme != "https" {
				res.set(StatusFail, "sectxt_redirected_away", map[string]any{"location": h.Location})
				return res
			}
			cur = next.String()
			continue
		}
		if resp.StatusCode != http.StatusOK {
			res.set(StatusFail, "sectxt_missing", map[string]any{"url": cur, "status": resp.StatusCode})
			// internet.nl looks at the legacy location too, to say why.
			legacy := hostURL("https", t.Host, "/security.txt")
			if lr, _, _, _, err := get(ctx, c, legacy); err == nil && lr.StatusCode == http.StatusOK {
				res.Hops = append(res.Hops, hop{URL: legacy, Status: lr.StatusCode})
				res.set(StatusFail, "sectxt_missing_legacy", map[string]any{"url": cur, "status": resp.StatusCode})
			}
			return res
		}
		res.URL = cur
		res.ContentType = resp.Header.Get("Content-Type")
		if truncated {
			res.set(StatusFail, "sectxt_too_large", map[string]any{"max": maxHTTPRead})
			return res
		}
		plain, utf8 := parse.IsPlainText(res.ContentType)
		parsed := parse.ParseSecurityTxt(body)
		res.Parsed = &parsed
		v := parsed.Evaluate(cur, r.cfg.Now())
		if len(parsed.Canonical) > 0 && cur != start {
			// A Canonical naming the address asked for is as good.
			if alt := parsed.Evaluate(start, r.cfg.Now()); len(alt.Errors) < len(v.Errors) {
				v = alt
			}
		}
		if !plain {
			ct := parse.SecurityTxtVerdict{}
			ct.Fail("sectxt_not_plain_text", map[string]any{"content_type": res.ContentType}, "Content-Type is %q, not text/plain", res.ContentType)
			v.Errors = append(ct.Errors, v.Errors...)
			v.ErrorProblems = append(ct.ErrorProblems, v.ErrorProblems...)
		}
		if !utf8 {
			v.Fail("sectxt_not_utf8_charset", nil, "charset is not utf-8")
		}
		res.Verdict = &v
		res.advice = subs(append(slices.Clone(v.WarningProblems), v.AdviceProblems...))
		switch {
		case len(v.Errors) > 0:
			res.set(StatusFail, "sectxt_problems", map[string]any{"problems": subs(v.ErrorProblems)})
		case len(v.Warnings) > 0:
			res.set(StatusWarn, "sectxt_problems", map[string]any{"problems": subs(v.WarningProblems)})
		default:
			res.set(StatusPass, "sectxt_valid", map[string]any{"expires": parsed.ExpiresAt.UTC().Format(time.DateOnly)})
		}
		return res
	}
}

func securityTxtCheck(results []sectxtResult) Check {
	details := map[string]any{"hosts": results}
	worst := StatusPass
	var parts []Sub
	rank := map[Status]int{StatusPass: 0, StatusWarn: 1, StatusError: 2, StatusFail: 3}
	for _, res := range results {
		if rank[res.Status] > rank[worst] {
			worst = res.Status
		}
		parts = append(parts, Sub{Code: "at_target", Params: map[string]any{"target": res.Host, "problem": res.finding}})
	}
	params := map[string]any{"problems": parts}
	var c Check
	switch worst {
	case StatusFail:
		c = newFinding(check.WebSecurityTxt, StatusFail, "sectxt_fails", params, details)
	case StatusError:
		c = newFinding(check.WebSecurityTxt, StatusError, "untestable_targets", params, details)
	case StatusWarn:
		c = newFinding(check.WebSecurityTxt, StatusWarn, "sectxt_advice", params, details)
	default:
		c = newFinding(check.WebSecurityTxt, StatusPass, "sectxt_ok", params, details)
	}
	all := subtests{}
	for _, res := range results {
		s := subtests{}
		switch {
		case res.Status == StatusFail || res.Status == StatusError:
			s.set("web_appsecpriv_securitytxt", res.Status, res.finding)
		case len(res.advice) > 0:
			// internet.nl shows sectxt's recommendations (a signature, an
			// Encryption field, an Expires within a year) as information.
			s.set("web_appsecpriv_securitytxt", StatusInfo, Sub{Code: "web_sectxt_advice", Params: map[string]any{"advice": res.advice}})
		default:
			s.set("web_appsecpriv_securitytxt", res.Status, res.finding)
		}
		all.on(res.Host, s)
	}
	c.judge(all)
	return c
}
