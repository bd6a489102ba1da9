package handlers

import "unicode"

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
