// Package templates holds the HTML templates of the web UI, embedded in the
// binary. Template names are paths without ".html" ("tenders/show"); every
// {{define}} name is unique because Fiber's engine shares one namespace.
package templates

import "embed"

// FS holds every template file.
//
//go:embed layouts partials auth dashboard catalogue tenders admin errors attestations invitations review audit verification account shared library tender_documents monitor
var FS embed.FS
