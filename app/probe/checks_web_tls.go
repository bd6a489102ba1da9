package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"sync"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/netguard"
	"tenderprobe/app/probe/tlsscan"
)

// webTarget is one address of one web host that is tested, as internet.nl
// does: the first IPv4 and the first IPv6 address of the apex and of www.
type webTarget struct {
	Host string     `json:"host"`
	Addr netip.Addr `json:"addr"`
}

func (t webTarget) hostPort(port int) string {
	return net.JoinHostPort(t.Addr.String(), strconv.Itoa(port))
}

// webHosts returns the domain and, when it has an A or AAAA record, its www
// name, with the addresses to test. It fails only when the apex lookup does.
func webHosts(ctx context.Context, r *run) ([]webTarget, error) {
	hosts := webNames(r.domain)
	var addrs [2]struct {
		v4, v6 []netip.Addr
		err    error
	}
	// Both names at once: the run's cache shares the answers with the other
	// web checks, and the lookups do not add up on the critical path.
	var wg sync.WaitGroup
	for i, host := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			addrs[i].v4, addrs[i].v6, addrs[i].err = r.lookupAddrs(ctx, host)
		}()
	}
	wg.Wait()
	var targets []webTarget
	for i, host := range hosts {
		a := addrs[i]
		if a.err != nil {
			if i == 0 {
				return nil, fmt.Errorf("probe: addresses of %s: %w", host, a.err)
			}
			continue
		}
		if len(a.v4) > 0 {
			targets = append(targets, webTarget{Host: host, Addr: a.v4[0]})
		}
		if len(a.v6) > 0 {
			targets = append(targets, webTarget{Host: host, Addr: a.v6[0]})
		}
	}
	return targets, nil
}

// firstPerHost keeps the first target of each host, for the checks made
// once per name rather than once per address. webHosts lists a host's
// targets next to each other.
func firstPerHost(targets []webTarget) []webTarget {
	var hosts []webTarget
	for _, t := range targets {
		if len(hosts) == 0 || hosts[len(hosts)-1].Host != t.Host {
			hosts = append(hosts, t)
		}
	}
	return hosts
}

// tlsTarget is the scan of one web target.
type tlsTarget struct {
	webTarget
	Report *tlsscan.Report
	Err    error
	// ConfigOf, when set, is the apex target on the same address whose
	// full scan measured this target's configuration (scanWebTargets).
	ConfigOf *webTarget
}

// configMeasuredOn names the target whose scan measured t's
// configuration, for the details rows; empty when t's own scan did.
func (t tlsTarget) configMeasuredOn() string {
	if t.ConfigOf == nil {
		return ""
	}
	return targetLabel(t.ConfigOf.Host, t.ConfigOf.Addr)
}

// webScanConfig is the scan configuration of one web target.
func (r *run) webScanConfig(t webTarget, port int) tlsscan.Config {
	return tlsscan.Config{
		Dial:       r.dial,
		DialAfter:  r.dialAfter,
		Addr:       t.hostPort(port),
		ServerName: t.Host,
		RootCAs:    r.cfg.RootCAs,
		Timeout:    r.cfg.ConnTimeout,
		Now:        r.cfg.Now,
		Mode:       tlsscan.Full,
		// Early data goes with an HTTP request: web only.
		EarlyData: true,
	}
}

// scanWebTargets scans the web targets concurrently. The TLS
// configuration (versions, suites and their order, key exchange and its
// hash, compression, renegotiation, extended master secret, 0-RTT, the
// post-quantum hybrid) belongs to the server at an address and port, so
// when www has the apex's address it is measured once, by the apex's full
// scan, and www gets only what can differ by name: a handshake of its own
// for its certificate (tlsscan.ScanName), with the apex's configuration
// beside it (tlsscan.Report.WithName; ConfigOf names the apex target).
// What this gives up: a server that serves another configuration for www
// on the same address is judged by the apex's. When www's handshake does
// not complete, or the apex's scan did not, www gets a full scan of its
// own after all, as it does on an address of its own.
func scanWebTargets(ctx context.Context, r *run, targets []webTarget, port int) []tlsTarget {
	apexAt := map[netip.Addr]int{}
	for i, t := range targets {
		if t.Host == r.domain {
			apexAt[t.Addr] = i
		}
	}
	out := make([]tlsTarget, len(targets))
	done := make([]chan struct{}, len(targets))
	for i := range done {
		done[i] = make(chan struct{})
	}
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[i])
			cfg := r.webScanConfig(t, port)
			if j, ok := apexAt[t.Addr]; ok && j != i {
				own, err := tlsscan.ScanName(ctx, cfg)
				<-done[j]
				apex := out[j]
				if err == nil && own.Handshake != nil && apex.Err == nil && apex.Report.Handshake != nil {
					out[i] = tlsTarget{webTarget: t, Report: apex.Report.WithName(own), ConfigOf: &apex.webTarget}
					return
				}
			}
			rep, err := tlsscan.Scan(ctx, cfg)
			out[i] = tlsTarget{webTarget: t, Report: rep, Err: err}
		}()
	}
	wg.Wait()
	return out
}

// scanWeb is scanWebTargets; a benchmark measures the probe without its
// TLS configuration scans by putting another scan in its place.
var scanWeb = scanWebTargets

// webScans is the TLS scan of the web targets (scanWebTargets), made once
// per run: the TLS checks and web DANE both ask with the same targets
// (webHosts, from the run's DNS cache) and the run's context.
func (r *run) webScans(ctx context.Context, targets []webTarget) []tlsTarget {
	r.webScan.Do(func() { r.webScanning = scanWeb(ctx, r, targets, r.cfg.HTTPSPort) })
	return r.webScanning
}

// webTLSIDs are the checks one TLS scan answers.
var webTLSIDs = []check.ID{check.WebHTTPS, check.WebTLSVersion, check.WebTLSCiphers, check.WebTLSCert, check.WebTLSPQ}

// checkWebTLS scans HTTPS on the apex and www (first IPv4 and IPv6 address
// each) and reports reachability, versions, suites and key exchange,
// certificate and post-quantum key exchange. Protocol steps:
//
//  1. Resolve A and AAAA of the apex and www through the run's resolver; www
//     is tested when it has an address.
//  2. For every target, concurrently, a full tlsscan.Scan on HTTPSPort through
//     the SSRF-guarded dialer, at most DefaultMaxConnsPerHost connections to
//     one server at a time: raw ClientHellos per version (SSLv3 to TLS 1.3)
//     enumerating accepted suites in chunks of 64, the order test, one
//     crypto/tls handshake for the chain and group, one more offering only
//     post-quantum hybrids when the first did not pick one. A www on one of
//     the apex's addresses gets only its own crypto/tls handshake, for its
//     certificate; its configuration is the apex's scan of that address
//     (scanWebTargets), and its rows say so (config_measured_on).
//  3. Judge per NCSC-NL 2025-05: web.https (a TLS handshake completes on
//     every target), web.tls-version (nothing below TLS 1.2),
//     web.tls-ciphers (suites, order, groups, DH primes, key-exchange
//     signature hash, compression, RFC 5746, RFC 7627), web.tls-cert (trust,
//     validity, name, key, signature hash), web.tls-pq (a hybrid group).
//  4. Grade internet.nl's subtests per target (judgeTLS) into
//     details.findings of the check each belongs to, the worst target
//     named: versions, compression, renegotiation, 0-RTT and extended
//     master secret in web.tls-version; suites, order, key exchange and its
//     hash in web.tls-ciphers; chain, key, signature, name and OCSP
//     stapling in web.tls-cert.
func checkWebTLS(ctx context.Context, r *run) []Check {
	targets, err := webHosts(ctx, r)
	if err != nil {
		return errorChecks(err, webTLSIDs...)
	}
	if len(targets) == 0 {
		return notApplicable("no_website", webTLSIDs...)
	}
	scans := r.webScans(ctx, targets)
	var ok []tlsTarget
	for _, s := range scans {
		if s.Err == nil && s.Report.Handshake != nil || s.Err == nil && len(s.Report.AcceptedVersions()) > 0 {
			ok = append(ok, s)
		}
	}
	checks := []Check{httpsCheck(scans, r.cfg.HTTPSPort)}
	all := httpsAvailable(scans)
	if len(ok) == 0 {
		err := errors.New("no HTTPS server could be reached, so TLS could not be tested")
		checks = append(checks, errorChecks(err, webTLSIDs[1:]...)...)
		judgeChecks(checks, all)
		return checks
	}
	checks = append(checks,
		versionCheck(check.WebTLSVersion, ok),
		cipherCheck(check.WebTLSCiphers, ok, true),
		certCheck(check.WebTLSCert, ok, false),
		pqCheck(ok),
	)
	for _, s := range ok {
		one := judgeTLS(webTLSKeys, s.Report, r.cfg.Now())
		if on := s.configMeasuredOn(); on != "" {
			one.measuredOn(on, webTLSKeys.config())
		}
		all.on(targetLabel(s.Host, s.Addr), one)
	}
	judgeChecks(checks, all)
	return checks
}

// httpsAvailable grades web_https_http_available per target: a TLS
// handshake on the HTTPS port. internet.nl reports a server it cannot
// reach as "not reachable" (an error); Tenderprobe fails an address the
// name publishes that does not answer HTTPS, as web.https does.
func httpsAvailable(scans []tlsTarget) subtests {
	const key = "web_https_http_available"
	all := subtests{}
	for _, s := range scans {
		one := subtests{}
		var ref *netguard.RefusedError
		switch {
		case errors.As(s.Err, &ref):
			one.set(key, StatusError, Sub{Code: "tls_https_refused", Params: nil})
		case s.Err != nil:
			one.fail(key, Sub{Code: "tls_https_failed", Params: map[string]any{"error": s.Err.Error()}})
		case s.Report.Handshake == nil:
			one.fail(key, Sub{Code: "tls_https_failed", Params: map[string]any{"error": s.Report.HandshakeError}})
		default:
			one.pass(key, Sub{Code: "tls_https_ok", Params: map[string]any{"version": s.Report.Handshake.Version.String()}})
		}
		all.on(targetLabel(s.Host, s.Addr), one)
	}
	return all
}

// notApplicable reports the same reason, a finding code without
// parameters, for every id of a group.
func notApplicable(code string, ids ...check.ID) []Check {
	out := make([]Check, 0, len(ids))
	for _, id := range ids {
		out = append(out, newFinding(id, StatusNotApplicable, code, nil, nil))
	}
	return out
}

// targetLabel names a target in summaries: "www.example.nl (2001:db8::1)".
func targetLabel(host string, addr netip.Addr) string {
	return fmt.Sprintf("%s (%s)", host, addr)
}

func httpsCheck(scans []tlsTarget, port int) Check {
	type row struct {
		Host     string `json:"host"`
		Addr     string `json:"addr"`
		Port     int    `json:"port"`
		Version  string `json:"version,omitempty"`
		Suite    string `json:"suite,omitempty"`
		Error    string `json:"error,omitempty"`
		Refused  bool   `json:"refused_by_policy,omitempty"`
		Complete bool   `json:"handshake_complete"`
	}
	var rows []row
	var failed, refused []string
	for _, s := range scans {
		rw := row{Host: s.Host, Addr: s.Addr.String(), Port: port}
		var ref *netguard.RefusedError
		switch {
		case errors.As(s.Err, &ref):
			rw.Error, rw.Refused = s.Err.Error(), true
			refused = append(refused, targetLabel(s.Host, s.Addr))
		case s.Err != nil:
			rw.Error = s.Err.Error()
			failed = append(failed, targetLabel(s.Host, s.Addr))
		case s.Report.Handshake == nil:
			rw.Error = s.Report.HandshakeError
			failed = append(failed, targetLabel(s.Host, s.Addr))
		default:
			rw.Complete = true
			rw.Version = s.Report.Handshake.Version.String()
			rw.Suite = s.Report.Handshake.Suite.Name
		}
		rows = append(rows, rw)
	}
	details := map[string]any{"targets": rows}
	switch {
	case len(refused) > 0:
		return newFinding(check.WebHTTPS, StatusError, "https_refused_private", map[string]any{"targets": refused}, details)
	case len(failed) > 0:
		return newFinding(check.WebHTTPS, StatusFail, "https_failed", map[string]any{"targets": failed}, details)
	}
	return newFinding(check.WebHTTPS, StatusPass, "https_ok", map[string]any{"count": len(scans)}, details)
}

func versionCheck(id check.ID, scans []tlsTarget) Check {
	type row struct {
		Host     string            `json:"host"`
		Addr     string            `json:"addr"`
		Accepted []tlsscan.Version `json:"accepted"`
		Errors   map[string]string `json:"errors,omitempty"`
		// The evidence of the renegotiation and 0-RTT subtests.
		ClientRenegotiation *tlsscan.RenegResult     `json:"client_renegotiation,omitempty"`
		EarlyData           *tlsscan.EarlyDataResult `json:"early_data,omitempty"`
		// ConfigMeasuredOn names the target whose scan of the same
		// address measured this row (a www on the apex's address).
		ConfigMeasuredOn string `json:"config_measured_on,omitempty"`
	}
	var rows []row
	bad := map[tlsscan.Version][]string{}
	var unknown []Sub
	for _, s := range scans {
		rw := row{Host: s.Host, Addr: s.Addr.String(), Accepted: s.Report.AcceptedVersions(),
			ClientRenegotiation: s.Report.ClientRenegotiation, EarlyData: s.Report.EarlyData, ConfigMeasuredOn: s.configMeasuredOn()}
		for _, v := range s.Report.Versions {
			if v.Error != "" {
				if rw.Errors == nil {
					rw.Errors = map[string]string{}
				}
				rw.Errors[v.Version.String()] = v.Error
			}
			if v.Accepted && v.Class == tlsscan.Insufficient {
				bad[v.Version] = append(bad[v.Version], targetLabel(s.Host, s.Addr))
			}
			if !v.Accepted && v.Error != "" && v.Class == tlsscan.Insufficient {
				unknown = append(unknown, Sub{Code: "version_on", Params: map[string]any{"version": v.Version.String(), "targets": []string{targetLabel(s.Host, s.Addr)}}})
			}
		}
		rows = append(rows, rw)
	}
	details := map[string]any{"targets": rows}
	if len(bad) > 0 {
		var parts []Sub
		for _, v := range tlsscan.AllVersions {
			if hosts, ok := bad[v]; ok {
				parts = append(parts, Sub{Code: "version_on", Params: map[string]any{"version": v.String(), "targets": hosts}})
			}
		}
		return newFinding(id, StatusFail, "tls_versions_outdated", map[string]any{"versions": parts}, details)
	}
	if len(unknown) > 0 {
		return newFinding(id, StatusError, "tls_versions_unknown", map[string]any{"versions": unknown}, details)
	}
	return newFinding(id, StatusPass, "tls_versions_ok", nil, details)
}

// cipherCheck rates the suites, their order and the key exchange. For mail
// (web false) a weak key-exchange hash is a warning, as internet.nl has it.
func cipherCheck(id check.ID, scans []tlsTarget, web bool) Check {
	type row struct {
		Host                 string                  `json:"host"`
		Addr                 string                  `json:"addr"`
		Versions             []tlsscan.VersionResult `json:"versions"`
		KexGroups            []tlsscan.Group         `json:"kex_groups,omitempty"`
		DHGroups             []tlsscan.DHGroup       `json:"dh_groups,omitempty"`
		KexSigAlgs           []tlsscan.SigAlg        `json:"kex_signature_algorithms,omitempty"`
		Compression          bool                    `json:"compression"`
		SecureRenegotiation  *bool                   `json:"secure_renegotiation,omitempty"`
		ExtendedMasterSecret *bool                   `json:"extended_master_secret,omitempty"`
		Connections          int                     `json:"connections"`
		// KexHash is the weak-hash test behind the kex-hash subtest.
		KexHash *tlsscan.KexHashResult `json:"kex_hash,omitempty"`
		// ConfigMeasuredOn: as in versionCheck's rows.
		ConfigMeasuredOn string `json:"config_measured_on,omitempty"`
	}
	var rows []row
	var fails, warns []Sub
	add := func(list *[]Sub, code string, params map[string]any) {
		msg := Sub{Code: code, Params: params}
		if !slices.ContainsFunc(*list, func(s Sub) bool { return english(s) == english(msg) }) {
			*list = append(*list, msg)
		}
	}
	for _, s := range scans {
		rep := s.Report
		var accepted []tlsscan.VersionResult
		for _, v := range rep.Versions {
			if v.Accepted {
				accepted = append(accepted, v)
			}
		}
		rows = append(rows, row{
			Host: s.Host, Addr: s.Addr.String(), Versions: accepted,
			KexGroups: rep.KexGroups, DHGroups: rep.DHGroups, KexSigAlgs: rep.KexSigAlgs,
			Compression: rep.Compression, SecureRenegotiation: rep.SecureRenegotiation,
			ExtendedMasterSecret: rep.ExtendedMasterSecret, Connections: rep.Connections,
			KexHash: rep.KexHash, ConfigMeasuredOn: s.configMeasuredOn(),
		})
		for _, su := range rep.Suites() {
			switch su.Class {
			case tlsscan.Insufficient:
				add(&fails, "cipher_insufficient_suite", map[string]any{"name": su.Name})
			case tlsscan.PhaseOut:
				add(&warns, "cipher_phase_out_suite", map[string]any{"name": su.Name})
			}
		}
		for _, v := range accepted {
			if v.OrderOK != nil && !*v.OrderOK {
				add(&fails, "cipher_order", map[string]any{"version": v.Version.String()})
			}
		}
		for _, g := range rep.KexGroups {
			switch g.Class {
			case tlsscan.Insufficient:
				add(&fails, "cipher_insufficient_group", map[string]any{"name": g.Name})
			case tlsscan.PhaseOut:
				add(&warns, "cipher_phase_out_group", map[string]any{"name": g.Name})
			}
		}
		for _, g := range rep.DHGroups {
			p := map[string]any{"name": g.Name, "bits": g.Bits}
			if g.Class == tlsscan.Insufficient {
				add(&fails, "cipher_insufficient_dh", p)
			} else if g.Class == tlsscan.PhaseOut {
				add(&warns, "cipher_phase_out_dh", p)
			}
		}
		for _, a := range rep.KexSigAlgs {
			if a.Class == tlsscan.Insufficient && web {
				add(&fails, "cipher_kex_signature", map[string]any{"name": a.Name})
			} else if !a.Class.Acceptable() {
				add(&warns, "cipher_kex_signature", map[string]any{"name": a.Name})
			}
		}
		if rep.Compression {
			add(&fails, "cipher_compression", nil)
		}
		if rep.SecureRenegotiation != nil && !*rep.SecureRenegotiation {
			add(&fails, "cipher_no_secure_renegotiation", nil)
		}
		if rep.ExtendedMasterSecret != nil && !*rep.ExtendedMasterSecret {
			add(&warns, "cipher_no_ems", nil)
		}
	}
	details := map[string]any{"targets": rows}
	switch {
	case len(fails) > 0:
		details["problems"] = texts(fails)
		details["warnings"] = texts(warns)
		return newFinding(id, StatusFail, "cipher_weak", map[string]any{"problems": fails}, details)
	case len(warns) > 0:
		details["warnings"] = texts(warns)
		return newFinding(id, StatusWarn, "cipher_phase_out", map[string]any{"problems": warns}, details)
	}
	return newFinding(id, StatusPass, "cipher_ok", nil, details)
}

// certCheck rates the served certificates. For mail (infoTrust) an
// untrusted chain or a name mismatch is information only, as internet.nl
// has it: SMTP clients rarely check them without DANE.
func certCheck(id check.ID, scans []tlsTarget, infoTrust bool) Check {
	type row struct {
		Host string              `json:"host"`
		Addr string              `json:"addr"`
		Cert *tlsscan.CertReport `json:"certificate"`
	}
	var rows []row
	var fails, warns, infos []Sub
	at := func(label, code string, params map[string]any) Sub {
		return Sub{Code: "at_target", Params: map[string]any{"target": label, "problem": Sub{Code: code, Params: params}}}
	}
	for _, s := range scans {
		c := s.Report.Certificate
		rows = append(rows, row{Host: s.Host, Addr: s.Addr.String(), Cert: c})
		label := targetLabel(s.Host, s.Addr)
		if c == nil {
			fails = append(fails, at(label, "cert_none", nil))
			continue
		}
		trustList := &fails
		if infoTrust {
			trustList = &infos
		}
		if !c.Valid {
			fails = append(fails, at(label, "cert_not_valid", nil))
		}
		if !c.Trusted {
			*trustList = append(*trustList, at(label, "cert_untrusted", map[string]any{"error": c.TrustError}))
		}
		if !c.NameMatch {
			*trustList = append(*trustList, at(label, "cert_name_mismatch", nil))
		}
		switch c.KeyClass {
		case tlsscan.Insufficient:
			fails = append(fails, at(label, "cert_key_insufficient", keyDesc(c)))
		case tlsscan.PhaseOut:
			warns = append(warns, at(label, "cert_key_phase_out", keyDesc(c)))
		}
		if c.SigClass == tlsscan.Insufficient {
			fails = append(fails, at(label, "cert_weak_signature", sigDesc(c)))
		}
	}
	details := map[string]any{"targets": rows}
	if len(infos) > 0 {
		details["notes"] = texts(infos)
	}
	switch {
	case len(fails) > 0:
		details["problems"] = texts(fails)
		return newFinding(id, StatusFail, "cert_problems", map[string]any{"problems": fails}, details)
	case len(warns) > 0:
		details["warnings"] = texts(warns)
		return newFinding(id, StatusWarn, "cert_warnings", map[string]any{"problems": warns}, details)
	case len(infos) > 0:
		return newFinding(id, StatusInfo, "cert_not_public", map[string]any{"problems": infos}, details)
	}
	return newFinding(id, StatusPass, "cert_ok", nil, details)
}

// keyDesc names the key of the chain that has the certificate's key
// class: its type, size and subject.
func keyDesc(c *tlsscan.CertReport) map[string]any {
	for _, s := range c.Chain {
		if s.KeyClass == c.KeyClass {
			return map[string]any{"key_type": s.KeyType, "bits": s.KeyBits, "subject": s.Subject}
		}
	}
	return map[string]any{"key_type": "?", "bits": 0, "subject": "?"}
}

// sigDesc names the signature of the chain that has the certificate's
// signature class: its algorithm and subject.
func sigDesc(c *tlsscan.CertReport) map[string]any {
	for _, s := range c.Chain {
		if s.SigClass == c.SigClass {
			return map[string]any{"algorithm": s.SigAlg, "subject": s.Subject}
		}
	}
	return map[string]any{"algorithm": "?", "subject": "?"}
}

func pqCheck(scans []tlsTarget) Check {
	type row struct {
		Host      string             `json:"host"`
		Addr      string             `json:"addr"`
		Handshake *tlsscan.Handshake `json:"handshake,omitempty"`
		PQ        *tlsscan.PQResult  `json:"pq,omitempty"`
		// ConfigMeasuredOn: as in versionCheck's rows (PQ is the
		// endpoint's; Handshake is the target's own).
		ConfigMeasuredOn string `json:"config_measured_on,omitempty"`
	}
	var rows []row
	var with []Sub
	var without []string
	for _, s := range scans {
		rows = append(rows, row{Host: s.Host, Addr: s.Addr.String(), Handshake: s.Report.Handshake, PQ: s.Report.PQ, ConfigMeasuredOn: s.configMeasuredOn()})
		label := targetLabel(s.Host, s.Addr)
		if pq := s.Report.PQ; pq != nil && pq.Negotiated != nil {
			with = append(with, Sub{Code: "pq_target_group", Params: map[string]any{"target": label, "group": pq.Negotiated.Name}})
		} else {
			without = append(without, label)
		}
	}
	details := map[string]any{"targets": rows}
	if len(without) == 0 {
		return newFinding(check.WebTLSPQ, StatusPass, "pq_ok", map[string]any{"targets": with}, details)
	}
	return newFinding(check.WebTLSPQ, StatusInfo, "pq_missing", map[string]any{"targets": without}, details)
}
