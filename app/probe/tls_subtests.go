package probe

import (
	"slices"
	"strconv"
	"time"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/tlsscan"
)

// tlsKeys are the subtest keys of one TLS test: the website's or the mail
// servers'. ZeroRTT and OCSP are empty for mail, which internet.nl does
// not test for them (0-RTT needs an HTTP request, #2055; OCSP is disabled
// for mail).
type tlsKeys struct {
	Version, Compress, SecReneg, ClientReneg, EMS      check.Subtest
	Ciphers, CipherOrder, KeyExchange, KeyExchangeHash check.Subtest
	CertChain, CertPubkey, CertSig, CertDomain         check.Subtest
	ZeroRTT, OCSP                                      check.Subtest
	// ZeroRTTNotTested is the 0-RTT key of a test internet.nl lists but
	// never runs (mail: early data goes with an HTTP request).
	ZeroRTTNotTested check.Subtest
}

var (
	webTLSKeys = tlsKeys{
		Version: "web_https_tls_version", Compress: "web_https_tls_compress", SecReneg: "web_https_tls_secreneg",
		ClientReneg: "web_https_tls_clientreneg", EMS: "web_https_tls_extendedmastersecret",
		Ciphers: "web_https_tls_ciphers", CipherOrder: "web_https_tls_cipherorder",
		KeyExchange: "web_https_tls_keyexchange", KeyExchangeHash: "web_https_tls_keyexchangehash",
		CertChain: "web_https_cert_chain", CertPubkey: "web_https_cert_pubkey", CertSig: "web_https_cert_sig",
		CertDomain: "web_https_cert_domain", ZeroRTT: "web_https_tls_0rtt", OCSP: "web_https_tls_ocsp",
	}
	mailTLSKeys = tlsKeys{
		Version: "mail_starttls_tls_version", Compress: "mail_starttls_tls_compress", SecReneg: "mail_starttls_tls_secreneg",
		ClientReneg: "mail_starttls_tls_clientreneg", EMS: "mail_starttls_tls_extendedmastersecret",
		Ciphers: "mail_starttls_tls_ciphers", CipherOrder: "mail_starttls_tls_cipherorder",
		KeyExchange: "mail_starttls_tls_keyexchange", KeyExchangeHash: "mail_starttls_tls_keyexchangehash",
		CertChain: "mail_starttls_cert_chain", CertPubkey: "mail_starttls_cert_pubkey", CertSig: "mail_starttls_cert_sig",
		CertDomain: "mail_starttls_cert_domain", ZeroRTTNotTested: "mail_starttls_tls_0rtt",
	}
)

// all lists the keys that are set.
func (k tlsKeys) all() []check.Subtest {
	keys := []check.Subtest{k.Version, k.Compress, k.SecReneg, k.ClientReneg, k.EMS, k.Ciphers, k.CipherOrder,
		k.KeyExchange, k.KeyExchangeHash, k.CertChain, k.CertPubkey, k.CertSig, k.CertDomain, k.ZeroRTT, k.OCSP, k.ZeroRTTNotTested}
	return slices.DeleteFunc(keys, func(s check.Subtest) bool { return s == "" })
}

// config lists the keys that judge the server's TLS configuration rather
// than the certificate it serves for a name: what a www on the apex's
// address takes from the apex's scan (scanWebTargets).
func (k tlsKeys) config() []check.Subtest {
	keys := []check.Subtest{k.Version, k.Compress, k.SecReneg, k.ClientReneg, k.EMS, k.Ciphers, k.CipherOrder,
		k.KeyExchange, k.KeyExchangeHash, k.ZeroRTT, k.ZeroRTTNotTested}
	return slices.DeleteFunc(keys, func(s check.Subtest) bool { return s == "" })
}

// measuredOn marks the outcomes of keys as measured on target's scan of
// the same address, in their reasons.
func (s subtests) measuredOn(target string, keys []check.Subtest) {
	for _, key := range keys {
		if t, ok := s[key]; ok {
			f := Sub{Code: "tls_config_measured_on", Params: map[string]any{"target": target, "finding": Sub{Code: t.Finding, Params: t.FindingParams}}}
			s[key] = Subtest{Status: t.Status, Reason: english(f), Finding: f.Code, FindingParams: f.Params}
		}
	}
}

// maxClientRenegotiations is how many client-initiated renegotiations
// count as "limited" (NCSC-NL 3.4.2, internet.nl's
// MAX_SECURE_RENEG_ATTEMPTS); a scan makes one attempt more.
const maxClientRenegotiations = 10

// judgeTLS grades one scanned address for internet.nl's TLS and
// certificate subtests, as checks/tasks/tls/evaluation.py and
// tasks_reports.py do: a bad outcome is "fail" and the subtest's severity
// caps it, a phase-out is "warn".
func judgeTLS(k tlsKeys, rep *tlsscan.Report, now time.Time) subtests {
	s := subtests{}
	judgeVersions(s, k.Version, rep)
	if rep.Compression {
		s.fail(k.Compress, Sub{Code: "tls_compression_on", Params: nil})
	} else {
		s.pass(k.Compress, Sub{Code: "tls_compression_off", Params: nil})
	}
	switch sr := rep.SecureRenegotiation; {
	case sr == nil:
		s.set(k.SecReneg, StatusNotApplicable, Sub{Code: "tls_reneg_no_tls12", Params: nil})
	case *sr:
		s.pass(k.SecReneg, Sub{Code: "tls_secreneg_ok", Params: nil})
	default:
		s.fail(k.SecReneg, Sub{Code: "tls_secreneg_missing", Params: nil})
	}
	judgeClientReneg(s, k.ClientReneg, rep)
	switch ems := rep.ExtendedMasterSecret; {
	case !slices.Contains(rep.AcceptedVersions(), tlsscan.TLS12) || ems == nil:
		// internet.nl looks at TLS 1.2 alone (na_no_tls_1_2).
		s.set(k.EMS, StatusNotApplicable, Sub{Code: "tls_ems_no_tls12", Params: nil})
	case *ems:
		s.pass(k.EMS, Sub{Code: "tls_ems_ok", Params: nil})
	default:
		s.fail(k.EMS, Sub{Code: "tls_ems_missing", Params: nil})
	}
	judgeSuites(s, k, rep)
	judgeKeyExchange(s, k.KeyExchange, rep)
	judgeKexHash(s, k.KeyExchangeHash, rep.KexHash)
	judgeCertificate(s, k, rep.Certificate)
	if k.ZeroRTT != "" {
		judgeZeroRTT(s, k.ZeroRTT, rep)
	}
	if k.ZeroRTTNotTested != "" {
		s.set(k.ZeroRTTNotTested, StatusNotApplicable, Sub{Code: "tls_0rtt_mail", Params: nil})
	}
	if k.OCSP != "" {
		st, f := judgeOCSP(rep.Certificate, rep.Handshake, now)
		s.set(k.OCSP, st, f)
	}
	return s
}

// untestedTLS records every key with status st for an address without a
// TLS report, saying why.
func untestedTLS(k tlsKeys, st Status, why Sub) subtests {
	s := subtests{}
	for _, key := range k.all() {
		s.set(key, st, why)
	}
	return s
}

func judgeVersions(s subtests, key check.Subtest, rep *tlsscan.Report) {
	var bad, unknown, accepted []string
	for _, v := range rep.Versions {
		switch {
		case v.Accepted:
			accepted = append(accepted, v.Version.String())
			if v.Class == tlsscan.Insufficient {
				bad = append(bad, v.Version.String())
			}
		case v.Error != "" && v.Class == tlsscan.Insufficient:
			unknown = append(unknown, v.Version.String())
		}
	}
	switch {
	case len(bad) > 0:
		s.fail(key, Sub{Code: "tls_version_bad", Params: map[string]any{"versions": bad}})
	case len(unknown) > 0:
		s.set(key, StatusError, Sub{Code: "tls_version_unknown", Params: map[string]any{"versions": unknown}})
	default:
		s.pass(key, Sub{Code: "tls_version_ok", Params: map[string]any{"versions": accepted}})
	}
}

// judgeClientReneg grades client-initiated renegotiation (evaluation.py
// TLSRenegotiationEvaluation): refused is good, up to ten is information,
// more is bad (an optional test, so information too).
func judgeClientReneg(s subtests, key check.Subtest, rep *tlsscan.Report) {
	cr := rep.ClientRenegotiation
	switch {
	case cr == nil && rep.SecureRenegotiation == nil:
		s.set(key, StatusNotApplicable, Sub{Code: "tls_reneg_no_tls12", Params: nil})
	case cr == nil:
		s.set(key, StatusError, Sub{Code: "tls_not_measured", Params: nil})
	case cr.Accepted == 0 && cr.Error != "":
		s.set(key, StatusError, Sub{Code: "tls_measure_error", Params: map[string]any{"error": cr.Error}})
	case cr.Accepted == 0:
		s.pass(key, Sub{Code: "tls_clientreneg_refused", Params: nil})
	case cr.Accepted <= maxClientRenegotiations:
		s.set(key, StatusInfo, Sub{Code: "tls_clientreneg_limited", Params: map[string]any{"count": cr.Accepted, "attempts": cr.Attempts}})
	default:
		s.fail(key, Sub{Code: "tls_clientreneg_unlimited", Params: map[string]any{"count": cr.Accepted, "attempts": cr.Attempts}})
	}
}

// judgeZeroRTT grades TLS 1.3 early data: accepted and answered with
// anything but 425 Too Early is bad (RFC 8470), as the request could be
// replayed.
func judgeZeroRTT(s subtests, key check.Subtest, rep *tlsscan.Report) {
	ed := rep.EarlyData
	switch {
	case !slices.Contains(rep.AcceptedVersions(), tlsscan.TLS13):
		s.set(key, StatusNotApplicable, Sub{Code: "tls_0rtt_no_tls13", Params: nil})
	case ed == nil:
		// TLS 1.3 was accepted but early data was not tried: a required
		// test without a measurement is an error, never a pass.
		s.set(key, StatusError, Sub{Code: "tls_0rtt_not_tested", Params: nil})
	case ed.Accepted && ed.HTTPStatus == 425:
		s.pass(key, Sub{Code: "tls_0rtt_425", Params: nil})
	case ed.Accepted:
		s.fail(key, Sub{Code: "tls_0rtt_on", Params: map[string]any{"status": ed.HTTPStatus}})
	case ed.Error != "":
		s.set(key, StatusError, Sub{Code: "tls_measure_error", Params: map[string]any{"error": ed.Error}})
	default:
		s.pass(key, Sub{Code: "tls_0rtt_off", Params: nil})
	}
}

// judgeSuites grades the accepted suites and, for the highest version
// below TLS 1.3 as internet.nl does (scans.test_cipher_order), whether the
// server prefers its good and sufficient suites over the phase-out ones.
func judgeSuites(s subtests, k tlsKeys, rep *tlsscan.Report) {
	var bad, phaseOut []string
	for _, su := range rep.Suites() {
		switch su.Class {
		case tlsscan.Insufficient:
			bad = append(bad, su.Name)
		case tlsscan.PhaseOut:
			phaseOut = append(phaseOut, su.Name)
		}
	}
	switch {
	case len(bad) > 0:
		s.fail(k.Ciphers, Sub{Code: "tls_ciphers_bad", Params: map[string]any{"suites": bad}})
	case len(phaseOut) > 0:
		s.set(k.Ciphers, StatusWarn, Sub{Code: "tls_ciphers_phase_out", Params: map[string]any{"suites": phaseOut}})
	default:
		s.pass(k.Ciphers, Sub{Code: "tls_ciphers_ok", Params: nil})
	}
	var order *tlsscan.VersionResult
	for i, v := range rep.Versions {
		if v.Accepted && v.Version < tlsscan.TLS13 && (order == nil || v.Version > order.Version) {
			order = &rep.Versions[i]
		}
	}
	switch {
	case order == nil || order.OrderOK == nil:
		s.pass(k.CipherOrder, Sub{Code: "tls_cipherorder_na", Params: nil})
	case *order.OrderOK:
		s.pass(k.CipherOrder, Sub{Code: "tls_cipherorder_ok", Params: map[string]any{"version": order.Version.String()}})
	default:
		s.fail(k.CipherOrder, Sub{Code: "tls_cipherorder_bad", Params: map[string]any{"version": order.Version.String()}})
	}
}

// judgeKeyExchange grades the ECDHE groups and DHE groups seen
// (TLSForwardSecrecyParameterEvaluation): the good curves, secp224r1 and
// the RFC 7919 groups of 3072 bits and more phase-out, ffdhe2048 and every
// other group bad. No ephemeral key exchange at all passes, as there.
func judgeKeyExchange(s subtests, key check.Subtest, rep *tlsscan.Report) {
	var bad, phaseOut, seen []string
	add := func(name string, class tlsscan.Class) {
		seen = append(seen, name)
		switch class {
		case tlsscan.Insufficient:
			bad = append(bad, name)
		case tlsscan.PhaseOut:
			phaseOut = append(phaseOut, name)
		}
	}
	for _, g := range rep.KexGroups {
		add(g.Name, g.Class)
	}
	for _, g := range rep.DHGroups {
		name := g.Name
		if name == "custom" {
			name = "DH-" + strconv.Itoa(g.Bits)
		}
		add(name, g.Class)
	}
	switch {
	case len(bad) > 0:
		s.fail(key, Sub{Code: "tls_kex_bad", Params: map[string]any{"params": bad}})
	case len(phaseOut) > 0:
		s.set(key, StatusWarn, Sub{Code: "tls_kex_phase_out", Params: map[string]any{"params": phaseOut}})
	case len(seen) == 0:
		s.pass(key, Sub{Code: "tls_kex_none", Params: nil})
	default:
		s.pass(key, Sub{Code: "tls_kex_ok", Params: map[string]any{"params": seen}})
	}
}

// judgeKexHash grades the key-exchange signature hash a server accepts
// when offered nothing better: SHA-1 bad, SHA-224 phase-out.
func judgeKexHash(s subtests, key check.Subtest, kh *tlsscan.KexHashResult) {
	switch {
	case kh == nil:
		s.set(key, StatusError, Sub{Code: "tls_not_measured", Params: nil})
	case kh.SHA1 != nil:
		s.fail(key, Sub{Code: "tls_kexhash_sha1", Params: map[string]any{"algorithm": kh.SHA1.Name}})
	case kh.SHA224 != nil:
		s.set(key, StatusWarn, Sub{Code: "tls_kexhash_sha224", Params: map[string]any{"algorithm": kh.SHA224.Name}})
	case kh.Error != "":
		s.set(key, StatusError, Sub{Code: "tls_measure_error", Params: map[string]any{"error": kh.Error}})
	default:
		s.pass(key, Sub{Code: "tls_kexhash_ok", Params: nil})
	}
}

// judgeCertificate grades the served chain (scans.cert_checks): trust
// (information only for mail, by the subtest's severity), the key and
// signature of every certificate but a root, and the name. For mail
// internet.nl fails a name mismatch when the MX has a DANE-TA record;
// Tenderprobe reports it as information whatever the TLSA records.
func judgeCertificate(s subtests, k tlsKeys, c *tlsscan.CertReport) {
	if c == nil || len(c.Certificates) == 0 {
		none := Sub{Code: "tls_cert_none", Params: nil}
		for _, key := range []check.Subtest{k.CertChain, k.CertPubkey, k.CertSig, k.CertDomain} {
			s.set(key, StatusError, none)
		}
		return
	}
	if c.Trusted {
		s.pass(k.CertChain, Sub{Code: "tls_cert_trusted", Params: nil})
	} else {
		s.fail(k.CertChain, Sub{Code: "tls_cert_untrusted", Params: map[string]any{"error": c.TrustError}})
	}
	switch c.KeyClass {
	case tlsscan.Insufficient:
		s.fail(k.CertPubkey, Sub{Code: "tls_cert_key_bad", Params: keyDesc(c)})
	case tlsscan.PhaseOut:
		s.set(k.CertPubkey, StatusWarn, Sub{Code: "tls_cert_key_phase_out", Params: keyDesc(c)})
	default:
		s.pass(k.CertPubkey, Sub{Code: "tls_cert_key_ok", Params: nil})
	}
	switch c.SigClass {
	case tlsscan.Insufficient:
		s.fail(k.CertSig, Sub{Code: "tls_cert_sig_bad", Params: sigDesc(c)})
	case tlsscan.PhaseOut:
		s.set(k.CertSig, StatusWarn, Sub{Code: "tls_cert_sig_phase_out", Params: sigDesc(c)})
	default:
		s.pass(k.CertSig, Sub{Code: "tls_cert_sig_ok", Params: nil})
	}
	if c.NameMatch {
		s.pass(k.CertDomain, Sub{Code: "tls_cert_name_ok", Params: nil})
	} else {
		names := c.Certificates[0].DNSNames
		if len(names) == 0 {
			names = []string{c.Certificates[0].Subject.CommonName}
		}
		s.fail(k.CertDomain, Sub{Code: "tls_cert_name_mismatch", Params: map[string]any{"names": names}})
	}
}

// judgeChecks judges each check of checks with the subtests of s that
// belong to it.
func judgeChecks(checks []Check, s subtests) {
	for i := range checks {
		own := subtests{}
		for key, t := range s {
			if info, _ := check.LookupSubtest(key); info.Check == checks[i].ID {
				own[key] = t
			}
		}
		checks[i].judge(own)
	}
}
