// Package static holds the stylesheet and the small script of the web UI,
// embedded so the binary serves them without files on disk or a CDN.
package static

import "embed"

// FS holds app.css and app.js.
//
//go:embed *.css *.js
var FS embed.FS
