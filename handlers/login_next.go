package handlers

import (
	"net/url"
	"strings"
	"unicode"
)

// safeNext keeps a post-login redirect on this site: an absolute path of
// this site, parsed and written out again, or else "/". A scheme, host or
// user info, a path not starting with exactly one "/", and backslashes,
// control characters or blanks (raw or percent-encoded) are refused, as
// browsers read some of them as another host ("/%09/evil.example") and
// line breaks would add headers to the response.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	query, err := url.PathUnescape(u.RawQuery)
	if err != nil || strings.ContainsFunc(next, nonASCII) ||
		strings.ContainsFunc(u.Path+query+u.Fragment, unsafeInNext) {
		return "/"
	}
	if !strings.HasPrefix(u.Path, "/") || strings.Contains(u.Path, "//") {
		return "/"
	}
	clean := url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery, Fragment: u.Fragment}
	return clean.String()
}

// unsafeInNext reports whether r may not appear in a post-login redirect,
// raw or decoded: browsers drop tabs and line breaks and read "\" as "/",
// which turns "/\t/evil.example" into "//evil.example", and control
// characters could end the Location header. Invisible and blank runes have
// no place in a path either.
func unsafeInNext(r rune) bool {
	return r == '\\' || r == unicode.ReplacementChar || unicode.IsControl(r) || unicode.IsSpace(r) || !unicode.IsGraphic(r)
}

// nonASCII reports whether r is outside printable ASCII. Browsers send
// addresses percent-encoded, so a raw other rune in next was typed by
// someone else.
func nonASCII(r rune) bool {
	return r < '!' || r > '~'
}
