package probe

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"tenderprobe/app/probe/check"
)

// webCase is one corner case of the HTTP checks: the apex site's setup
// (www does everything right), and the outcome wanted of one subtest and,
// when given, of the check it is judged in.
type webCase struct {
	name  string
	apex  site
	key   check.Subtest
	want  Status
	check Status
	says  string
	// www, when set, replaces the good www site.
	www *site
}

func goodSite(host string) site {
	return site{httpHandler: redirectTo("https://" + host + "/"), headers: goodHeaders(), sectxt: goodSecTxt(host)}
}

// withHeader is the good apex site with header set to value, or removed
// when value is empty, and more lines of it added.
func withHeader(name, value string, more ...string) site {
	s := goodSite("example.test")
	s.headers = goodHeaders()
	delete(s.headers, name)
	if value != "" {
		s.headers[name] = value
	}
	if len(more) > 0 {
		s.more = http.Header{name: more}
	}
	return s
}

func runWebCases(t *testing.T, cases []webCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			www := goodSite("www.example.test")
			if tc.www != nil {
				www = *tc.www
			}
			r := startSites(t, tc.apex, www)
			checks := checkWebHTTP(context.Background(), r)
			info, _ := check.LookupSubtest(tc.key)
			var c Check
			for _, x := range mergeContributions(checks) {
				if x.ID == info.Check {
					c = x
				}
			}
			if c.ID == "" {
				// web.https is built by the TLS checks: judge the
				// contribution on a passing stand-in.
				c = Check{ID: info.Check, Status: StatusPass}
				for _, x := range checks {
					if x.ID == info.Check && x.Status == "" {
						c.judge(x.Details["findings"].(map[check.Subtest]Subtest))
					}
				}
			}
			got := subtestOf(t, c, tc.key)
			if got.Status != tc.want || !strings.Contains(got.Reason, tc.says) {
				t.Errorf("%s = %s %q, want %s saying %q", tc.key, got.Status, got.Reason, tc.want, tc.says)
			}
			if tc.check != "" && c.Status != tc.check {
				t.Errorf("%s = %s (%s), want %s", c.ID, c.Status, c.Summary, tc.check)
			}
		})
	}
}

func TestHTTPCompressionIsNoted(t *testing.T) {
	t.Parallel()
	// The server compresses only for a client that accepts gzip, deflate
	// and br, as the probe says it does.
	gzipped := goodSite("example.test")
	gzipped.adjust = func(w http.ResponseWriter, r *http.Request) {
		accepts := r.Header.Get("Accept-Encoding")
		if r.URL.Path == "/" && strings.Contains(accepts, "gzip") && strings.Contains(accepts, "deflate") && strings.Contains(accepts, "br") {
			w.Header().Set("Content-Encoding", "gzip")
		}
	}
	runWebCases(t, []webCase{
		{name: "an uncompressed answer passes", apex: goodSite("example.test"),
			key: "web_https_http_compress", want: StatusPass, check: StatusPass, says: "not compressed"},
		{name: "a compressed answer is informational and leaves web.https passing", apex: gzipped,
			key: "web_https_http_compress", want: StatusInfo, check: StatusPass, says: "compressed (gzip)"},
	})
}

func TestHSTSHeaderVariants(t *testing.T) {
	t.Parallel()
	hsts := "Strict-Transport-Security"
	cases := []webCase{
		{name: "a quoted max-age is read (RFC 6797; internet.nl fails it)", apex: withHeader(hsts, `max-age="31536000"`), want: StatusPass},
		{name: "directive names are case-insensitive", apex: withHeader(hsts, "MAX-AGE=31536000; INCLUDESUBDOMAINS"), want: StatusPass},
		{name: "whitespace around names and values is allowed", apex: withHeader(hsts, "  max-age = 31536000 ;  includeSubDomains "), want: StatusPass},
		{name: "trailing and empty semicolons are allowed", apex: withHeader(hsts, "max-age=31536000;;includeSubDomains;"), want: StatusPass},
		{name: "includeSubDomains and preload take no value", apex: withHeader(hsts, "max-age=31536000; includeSubDomains; preload"), want: StatusPass},
		{name: "exactly one year passes", apex: withHeader(hsts, "max-age=31536000"), want: StatusPass},
		{name: "one second less than a year fails", apex: withHeader(hsts, "max-age=31535999"), want: StatusFail, says: "below one year"},
		{name: "max-age=0 fails", apex: withHeader(hsts, "max-age=0"), want: StatusFail, says: "below one year"},
		{name: "a repeated directive makes the header invalid", apex: withHeader(hsts, "max-age=31536000; max-age=31536000"), want: StatusFail, says: "more than once"},
		{name: "includeSubDomains with a value makes it invalid", apex: withHeader(hsts, "max-age=31536000; includeSubDomains=yes"), want: StatusFail, says: "takes no value"},
		{name: "a max-age that is not a number is invalid", apex: withHeader(hsts, "max-age=1y"), want: StatusFail, says: "not a number"},
		{name: "a negative max-age is invalid", apex: withHeader(hsts, "max-age=-31536000"), want: StatusFail, says: "not a number"},
		{name: "a header without max-age is invalid", apex: withHeader(hsts, "includeSubDomains"), want: StatusFail, says: "no max-age"},
		{name: "only the first of two headers counts: a long one first passes", apex: withHeader(hsts, "max-age=31536000", "max-age=0"), want: StatusPass},
		{name: "only the first of two headers counts: a short one first fails", apex: withHeader(hsts, "max-age=60", "max-age=31536000"), want: StatusFail, says: "below one year"},
		{name: "no header fails", apex: withHeader(hsts, ""), want: StatusFail, says: "no Strict-Transport-Security"},
	}
	for i := range cases {
		cases[i].key = "web_https_http_hsts"
		cases[i].check = cases[i].want
	}
	runWebCases(t, cases)
}

func TestSecurityHeaderVariants(t *testing.T) {
	t.Parallel()
	csp := "Content-Security-Policy"
	cases := []webCase{
		{name: "CSP directive names and keywords in capitals pass", apex: withHeader(csp, "DEFAULT-SRC 'SELF'; BASE-URI 'SELF'; FRAME-ANCESTORS 'NONE'; FORM-ACTION 'SELF'"),
			key: "web_appsecpriv_csp", want: StatusPass},
		{name: "CSP with extra whitespace and trailing semicolons passes", apex: withHeader(csp, " default-src  'self' ; base-uri 'self';; frame-ancestors 'none'; form-action 'self' ;"),
			key: "web_appsecpriv_csp", want: StatusPass},
		{name: "a CSP directive repeated later is ignored, as browsers do", apex: withHeader(csp, "default-src 'self'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'; default-src *"),
			key: "web_appsecpriv_csp", want: StatusPass},
		{name: "a second CSP header adding unsafe-inline scripts warns", apex: withHeader(csp, goodHeaders()[csp], "script-src 'self' 'unsafe-inline'"),
			key: "web_appsecpriv_csp", want: StatusWarn, says: "'unsafe-inline'"},
		{name: "a CSP default-src naming another site warns", apex: withHeader(csp, "default-src 'self' https://cdn.elsewhere.test; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"),
			key: "web_appsecpriv_csp", want: StatusWarn, says: "default-src allows https://cdn.elsewhere.test"},
		{name: "a CSP without frame-ancestors warns", apex: withHeader(csp, "default-src 'self'; base-uri 'self'; form-action 'self'"),
			key: "web_appsecpriv_csp", want: StatusWarn, says: "no frame-ancestors"},
		{name: "no CSP warns", apex: withHeader(csp, ""), key: "web_appsecpriv_csp", want: StatusWarn, says: "no Content-Security-Policy"},
		{name: "X-Frame-Options sameorigin in lower case passes", apex: withHeader("X-Frame-Options", "sameorigin"), key: "web_appsecpriv_x_frame_options", want: StatusPass},
		{name: "X-Frame-Options ALLOW-FROM is informational when CSP does not limit framing either",
			apex: func() site {
				s := withHeader("X-Frame-Options", "ALLOW-FROM https://example.test")
				s.headers[csp] = "default-src 'self'; base-uri 'self'; form-action 'self'"
				return s
			}(),
			key: "web_appsecpriv_x_frame_options", want: StatusInfo, says: "DENY or SAMEORIGIN"},
		{name: "the first X-Frame-Options value counts", apex: withHeader("X-Frame-Options", "DENY, ALLOW-FROM https://x.test"), key: "web_appsecpriv_x_frame_options", want: StatusPass},
		{name: "X-Content-Type-Options nosniff given twice passes", apex: withHeader("X-Content-Type-Options", "nosniff, nosniff"), key: "web_appsecpriv_x_content_type_options", want: StatusPass},
		{name: "a wrong X-Content-Type-Options warns", apex: withHeader("X-Content-Type-Options", "sniff"), key: "web_appsecpriv_x_content_type_options", want: StatusWarn, says: "must be nosniff"},
		{name: "the last Referrer-Policy value counts", apex: withHeader("Referrer-Policy", "unsafe-url, no-referrer"), key: "web_appsecpriv_referrer_policy", want: StatusPass},
		{name: "the last of several Referrer-Policy headers counts", apex: withHeader("Referrer-Policy", "no-referrer", "unsafe-url"), key: "web_appsecpriv_referrer_policy", want: StatusWarn, says: "unsafe-url"},
		{name: "strict-origin-when-cross-origin is a recommendation", apex: withHeader("Referrer-Policy", "strict-origin-when-cross-origin"), key: "web_appsecpriv_referrer_policy", want: StatusInfo, says: "sends the origin"},
		{name: "no Referrer-Policy is a recommendation", apex: withHeader("Referrer-Policy", ""), key: "web_appsecpriv_referrer_policy", want: StatusInfo, says: "no Referrer-Policy"},
	}
	runWebCases(t, cases)
}

// hops redirects /hop/N to /hop/N+1 on https until N reaches last, then
// serves the page.
func hops(last int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hop/"))
		if err != nil || n >= last {
			fmt.Fprint(w, "arrived")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("https://example.test/hop/%d", n+1), http.StatusFound)
	}
}

func TestRedirectPaths(t *testing.T) {
	t.Parallel()
	site := func(http80 http.HandlerFunc, extra http.HandlerFunc) site {
		s := goodSite("example.test")
		s.httpHandler, s.extra = http80, extra
		return s
	}
	cases := []webCase{
		{name: "https on the same host first, then on to www, passes",
			apex: site(redirectTo("https://example.test/start"), redirectTo("https://www.example.test/")), want: StatusPass},
		{name: "http to www first, then https, fails",
			apex: site(redirectTo("http://www.example.test/"), nil), want: StatusFail, says: "not to https"},
		{name: "https on another host first fails",
			apex: site(redirectTo("https://www.example.test/"), nil), want: StatusFail, says: "another host"},
		{name: "back to http later in the chain fails",
			apex: site(redirectTo("https://example.test/hop"), redirectTo("http://www.example.test/")), want: StatusFail, says: "downgrade"},
		{name: "a loop fails",
			apex: site(redirectTo("https://example.test/loop"), redirectTo("https://example.test/loop")), want: StatusFail, says: "more than 20 redirects"},
		{name: "twenty redirects are followed, as browsers do",
			apex: site(redirectTo("https://example.test/hop/1"), hops(20)), want: StatusPass},
		{name: "twenty-one redirects are too many",
			apex: site(redirectTo("https://example.test/hop/1"), hops(21)), want: StatusFail, says: "more than 20 redirects"},
		{name: "a redirect without Location fails",
			apex: site(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusMovedPermanently) }, nil), want: StatusFail, says: "without redirecting"},
	}
	for i := range cases {
		cases[i].key = "web_https_http_redirect"
		cases[i].check = cases[i].want
	}
	runWebCases(t, cases)
}

func TestSecurityTxtVariants(t *testing.T) {
	t.Parallel()
	expires := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339) }
	body := func(lines ...string) string { return strings.Join(lines, "\n") + "\n" }
	contact := "Contact: mailto:security@example.test"
	canonical := "Canonical: https://example.test/.well-known/security.txt"
	withTxt := func(text, contentType string) site {
		s := goodSite("example.test")
		s.sectxt, s.sectxtType = text, contentType
		return s
	}
	signature := "-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEE\n-----END PGP SIGNATURE-----\n"
	signed := "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" + body(contact, "Expires: "+expires(90*24*time.Hour), canonical) + signature
	signedWithKey := func(host string) string {
		return "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" +
			body("Contact: mailto:security@"+host, "Encryption: https://"+host+"/pgp-key.txt", "Expires: "+expires(90*24*time.Hour),
				"Canonical: https://"+host+"/.well-known/security.txt") + signature
	}
	signedWWW := goodSite("www.example.test")
	signedWWW.sectxt = signedWithKey("www.example.test")
	redirected := func(to string) site {
		s := goodSite("example.test")
		s.sectxt = ""
		s.extra = func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/.well-known/security.txt" {
				http.Redirect(w, r, to, http.StatusFound)
				return
			}
			http.NotFound(w, r)
		}
		return s
	}
	cases := []webCase{
		{name: "a signed file with Encryption and Canonical passes without advice", apex: withTxt(signedWithKey("example.test"), ""), www: &signedWWW, want: StatusPass, check: StatusPass, says: "valid, expires"},
		{name: "an unsigned file passes, and internet.nl's advice to sign it informs", apex: withTxt(goodSecTxt("example.test"), "text/plain"),
			want: StatusInfo, check: StatusPass, says: "not signed with OpenPGP"},
		{name: "text/plain with charset utf-8 passes", apex: withTxt(goodSecTxt("example.test"), "text/plain; charset=UTF-8"), want: StatusInfo, check: StatusPass, says: "valid, with advice"},
		{name: "an e-mail contact without an Encryption field informs", apex: withTxt(goodSecTxt("example.test"), ""), want: StatusInfo, check: StatusPass, says: "without an Encryption field"},
		{name: "an unknown field informs", apex: withTxt(goodSecTxt("example.test")+"Bounty: none\n", ""), want: StatusInfo, check: StatusPass, says: "unknown field Bounty"},
		{name: "no space after a colon fails", apex: withTxt(strings.Replace(goodSecTxt("example.test"), "Contact: ", "Contact:", 1), ""), want: StatusWarn, check: StatusFail, says: "no space after the colon"},
		{name: "an http Policy fails", apex: withTxt(goodSecTxt("example.test")+"Policy: http://example.test/policy\n", ""), want: StatusWarn, check: StatusFail, says: "Policy is an http URI"},
		{name: "an invalid Preferred-Languages tag fails", apex: withTxt(goodSecTxt("example.test")+"Preferred-Languages: nl, english!\n", ""), want: StatusWarn, check: StatusFail, says: "is not a language tag"},
		{name: "an Expires with a space between date and time is read", apex: withTxt(body(contact, "Expires: "+strings.Replace(expires(90*24*time.Hour), "T", " ", 1)), ""), want: StatusInfo, check: StatusPass, says: "valid, with advice"},
		{name: "another charset fails", apex: withTxt(goodSecTxt("example.test"), "text/plain; charset=iso-8859-1"), want: StatusWarn, check: StatusFail, says: "not utf-8"},
		{name: "a wrong content type fails", apex: withTxt(goodSecTxt("example.test"), "application/octet-stream"), want: StatusWarn, check: StatusFail, says: "not text/plain"},
		{name: "a file signed with an OpenPGP cleartext signature is read", apex: withTxt(signed, ""), want: StatusInfo, check: StatusPass, says: "without an Encryption field"},
		{name: "a missing Contact fails", apex: withTxt(body("Expires: "+expires(time.Hour*24), canonical), ""), want: StatusWarn, check: StatusFail, says: "no Contact"},
		{name: "a missing Expires fails", apex: withTxt(body(contact, canonical), ""), want: StatusWarn, check: StatusFail, says: "no Expires"},
		{name: "two Expires fail", apex: withTxt(body(contact, "Expires: "+expires(time.Hour*24), "Expires: "+expires(time.Hour*48)), ""), want: StatusWarn, check: StatusFail, says: "2 Expires"},
		{name: "an Expires in the past fails", apex: withTxt(body(contact, "Expires: "+expires(-time.Hour)), ""), want: StatusWarn, check: StatusFail, says: "expired"},
		{name: "an Expires more than a year ahead is a recommendation", apex: withTxt(body(contact, "Expires: "+expires(400*24*time.Hour)), ""), want: StatusInfo, check: StatusWarn, says: "more than a year"},
		{name: "a Canonical naming another address fails", apex: withTxt(body(contact, "Expires: "+expires(time.Hour*24), "Canonical: https://example.test/security.txt"), ""), want: StatusWarn, check: StatusFail, says: "no Canonical URI matches"},
		{name: "a file that is not UTF-8 fails", apex: withTxt(contact+"\nExpires: "+expires(time.Hour*24)+"\n# caf\xe9\n", ""), want: StatusWarn, check: StatusFail, says: "not valid UTF-8"},
		{name: "a file over 100 KB fails", apex: withTxt(goodSecTxt("example.test")+strings.Repeat("#\n", 52000), ""), want: StatusWarn, check: StatusFail, says: "larger than"},
		{name: "a redirect to the same file on another host over https is followed",
			apex: redirected("https://www.example.test/.well-known/security.txt"), want: StatusInfo, check: StatusPass, says: "valid, with advice"},
		{name: "a redirect to http fails",
			apex: redirected("http://www.example.test/.well-known/security.txt"), want: StatusWarn, check: StatusFail, says: "redirected away from https"},
	}
	for i := range cases {
		cases[i].key = "web_appsecpriv_securitytxt"
	}
	runWebCases(t, cases)
}

func TestAClosedPort80PassesOnlyWhenHTTPSAnswers(t *testing.T) {
	t.Parallel()
	closed := closedPort(t, "127.0.0.24")
	r := testRun(t, "example.test", func(c *Config) { c.HTTPPort, c.HTTPSPort = closed, closed },
		"example.test. 300 IN A 127.0.0.24")
	c := findCheck(t, checkWebHTTP(context.Background(), r), check.WebHTTPSRedirect)
	got := subtestOf(t, c, "web_https_http_redirect")
	if got.Status != StatusError || !strings.Contains(got.Reason, "neither http nor https answers") {
		t.Fatalf("web_https_http_redirect = %s %q, want an error: nothing could be measured", got.Status, got.Reason)
	}
	if c.Status != StatusError {
		t.Errorf("web.https-redirect = %s (%s), want error", c.Status, c.Summary)
	}
}
