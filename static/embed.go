// Package static holds the stylesheet and the small script of the web UI,
// embedded so the binary serves them without files on disk or a CDN.
package static

import "embed"

// FS holds the stylesheets and scripts: app.* for every page, one pair
// per area (attest, review, tenders, report, verify) that only acts on its
// own pages.
//
//go:embed *.css *.js
var FS embed.FS
