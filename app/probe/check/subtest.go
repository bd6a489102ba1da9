package check

import "slices"

// Subtest is an internet.nl subtest, named by its batch API test key (for
// example "web_https_tls_0rtt"). Tenderprobe runs every one of them inside
// the check it belongs to and reports each outcome under this key in the
// check's details.findings, so a buyer can compare both tools test by test.
// The keys are internet.nl's and never change here.
type Subtest string

// Severity is how much a subtest's bad outcome weighs, as internet.nl
// grades it: a required test fails, a recommended one warns, an optional
// one informs.
type Severity string

// The severities.
const (
	Required    Severity = "required"
	Recommended Severity = "recommended"
	Optional    Severity = "optional"
)

// Worst is the status a bad outcome of a subtest of this severity reports.
func (s Severity) Worst() Status {
	switch s {
	case Required:
		return Fail
	case Recommended:
		return Warn
	}
	return Informational
}

// SubtestInfo is one row of the subtest table.
type SubtestInfo struct {
	Key      Subtest
	Check    ID
	Severity Severity
}

// subtests is the table of internet.nl 1.11's subtests and the check each
// one is judged in; the README's comparison table follows it. A key whose
// test internet.nl runs for the web and the mail test alike (the name
// servers' IPv6 and RPKI) is listed under both of its names.
var subtests = []SubtestInfo{
	// Website: IPv6.
	{"web_ipv6_ns_address", NSIPv6, Required},
	{"web_ipv6_ns_reach", NSIPv6, Required},
	{"web_ipv6_ws_address", WebIPv6, Required},
	{"web_ipv6_ws_reach", WebIPv6, Required},
	{"web_ipv6_ws_similar", WebIPv6, Required},
	// Website: DNSSEC.
	{"web_dnssec_exist", WebDNSSEC, Required},
	{"web_dnssec_valid", WebDNSSEC, Required},
	// Website: HTTPS.
	{"web_https_http_available", WebHTTPS, Required},
	{"web_https_http_redirect", WebHTTPSRedirect, Required},
	{"web_https_http_hsts", WebHSTS, Required},
	{"web_https_http_compress", WebHTTPS, Optional},
	{"web_https_tls_version", WebTLSVersion, Required},
	{"web_https_tls_compress", WebTLSVersion, Required},
	{"web_https_tls_secreneg", WebTLSVersion, Required},
	{"web_https_tls_clientreneg", WebTLSVersion, Optional},
	{"web_https_tls_0rtt", WebTLSVersion, Required},
	{"web_https_tls_extendedmastersecret", WebTLSVersion, Required},
	{"web_https_tls_ciphers", WebTLSCiphers, Required},
	{"web_https_tls_cipherorder", WebTLSCiphers, Required},
	{"web_https_tls_keyexchange", WebTLSCiphers, Required},
	{"web_https_tls_keyexchangehash", WebTLSCiphers, Required},
	{"web_https_tls_ocsp", WebTLSCert, Recommended},
	{"web_https_cert_chain", WebTLSCert, Required},
	{"web_https_cert_pubkey", WebTLSCert, Required},
	{"web_https_cert_sig", WebTLSCert, Required},
	{"web_https_cert_domain", WebTLSCert, Required},
	{"web_https_dane_exist", WebDANE, Optional},
	{"web_https_dane_valid", WebDANE, Recommended},
	{"web_https_tls_caa", WebCAA, Recommended},
	// Website: security options.
	{"web_appsecpriv_x_frame_options", WebSecurityHeaders, Optional},
	{"web_appsecpriv_x_content_type_options", WebSecurityHeaders, Recommended},
	{"web_appsecpriv_referrer_policy", WebSecurityHeaders, Recommended},
	{"web_appsecpriv_csp", WebSecurityHeaders, Recommended},
	{"web_appsecpriv_securitytxt", WebSecurityTxt, Recommended},
	// Website: RPKI.
	{"web_rpki_exists", WebRPKI, Required},
	{"web_rpki_valid", WebRPKI, Required},
	{"web_ns_rpki_exists", NSRPKI, Required},
	{"web_ns_rpki_valid", NSRPKI, Required},
	// Mail: IPv6.
	{"mail_ipv6_ns_address", NSIPv6, Required},
	{"mail_ipv6_ns_reach", NSIPv6, Required},
	{"mail_ipv6_mx_address", MailIPv6, Required},
	{"mail_ipv6_mx_reach", MailIPv6, Required},
	// Mail: DNSSEC.
	{"mail_dnssec_mailto_exist", MailDNSSEC, Required},
	{"mail_dnssec_mailto_valid", MailDNSSEC, Required},
	{"mail_dnssec_mx_exist", MailDNSSEC, Required},
	{"mail_dnssec_mx_valid", MailDNSSEC, Required},
	// Mail: authenticity.
	{"mail_auth_dmarc_exist", MailDMARC, Required},
	{"mail_auth_dmarc_policy", MailDMARC, Required},
	{"mail_auth_dkim_exist", MailDKIM, Required},
	{"mail_auth_spf_exist", MailSPF, Required},
	{"mail_auth_spf_policy", MailSPF, Required},
	// Mail: STARTTLS and DANE, for every mail server.
	{"mail_starttls_tls_available", MailSTARTTLS, Required},
	{"mail_starttls_tls_version", MailSTARTTLS, Required},
	{"mail_starttls_tls_compress", MailSTARTTLS, Required},
	{"mail_starttls_tls_secreneg", MailSTARTTLS, Required},
	{"mail_starttls_tls_clientreneg", MailSTARTTLS, Optional},
	{"mail_starttls_tls_0rtt", MailSTARTTLS, Required},
	{"mail_starttls_tls_extendedmastersecret", MailSTARTTLS, Required},
	{"mail_starttls_tls_ciphers", MailSTARTTLS, Required},
	{"mail_starttls_tls_cipherorder", MailSTARTTLS, Required},
	{"mail_starttls_tls_keyexchange", MailSTARTTLS, Required},
	{"mail_starttls_tls_keyexchangehash", MailSTARTTLS, Required},
	{"mail_starttls_cert_chain", MailSTARTTLS, Optional},
	{"mail_starttls_cert_pubkey", MailSTARTTLS, Required},
	{"mail_starttls_cert_sig", MailSTARTTLS, Required},
	{"mail_starttls_cert_domain", MailSTARTTLS, Optional},
	{"mail_starttls_tls_caa", MailSTARTTLS, Recommended},
	{"mail_starttls_dane_exist", MailDANE, Required},
	{"mail_starttls_dane_valid", MailDANE, Required},
	{"mail_starttls_dane_rollover", MailDANE, Optional},
	// Mail: RPKI.
	{"mail_rpki_exists", MailRPKI, Required},
	{"mail_rpki_valid", MailRPKI, Required},
	{"mail_mx_ns_rpki_exists", MailRPKI, Required},
	{"mail_mx_ns_rpki_valid", MailRPKI, Required},
	{"mail_ns_rpki_exists", NSRPKI, Required},
	{"mail_ns_rpki_valid", NSRPKI, Required},
}

var subtestIndex = func() map[Subtest]int {
	m := make(map[Subtest]int, len(subtests))
	for i, s := range subtests {
		m[s.Key] = i
	}
	return m
}()

// Subtests returns the subtest table in report order. The slice is the
// caller's to change.
func Subtests() []SubtestInfo { return slices.Clone(subtests) }

// LookupSubtest returns the table's row of key, and false for a key it
// does not have.
func LookupSubtest(key Subtest) (SubtestInfo, bool) {
	i, ok := subtestIndex[key]
	if !ok {
		return SubtestInfo{}, false
	}
	return subtests[i], true
}

// CompareSubtests orders keys as the table lists them; unknown keys come
// last, by their text.
func CompareSubtests(a, b Subtest) int {
	pa, okA := subtestIndex[a]
	pb, okB := subtestIndex[b]
	switch {
	case okA && okB:
		return pa - pb
	case okA:
		return -1
	case okB:
		return 1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
