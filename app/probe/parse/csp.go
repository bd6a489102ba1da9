package parse

import (
	"fmt"
	"strings"
)

// CSP is one parsed Content-Security-Policy (CSP Level 3, section 2.2.1):
// directive names lowercased, each with its source expressions. As in
// browsers, a repeated directive is ignored after its first occurrence.
type CSP struct {
	Directives map[string][]string `json:"directives"`
	// Order keeps the directive names as they appeared.
	Order []string `json:"order"`
	// Duplicates lists directives given more than once.
	Duplicates []string `json:"duplicates,omitempty"`
}

// ParseCSP parses a serialized policy. A header with several policies
// separated by commas yields their union of directives in order, each
// policy's first occurrence winning; internet.nl judges the header as a whole
// the same way.
func ParseCSP(header string) CSP {
	p := CSP{Directives: map[string][]string{}}
	for _, policy := range strings.Split(header, ",") {
		for _, d := range strings.Split(policy, ";") {
			fields := strings.Fields(d)
			if len(fields) == 0 {
				continue
			}
			name := strings.ToLower(fields[0])
			if _, dup := p.Directives[name]; dup {
				p.Duplicates = append(p.Duplicates, name)
				continue
			}
			p.Order = append(p.Order, name)
			p.Directives[name] = fields[1:]
		}
	}
	return p
}

// Has reports whether the policy sets directive.
func (p CSP) Has(directive string) bool {
	_, ok := p.Directives[directive]
	return ok
}

// Audit applies internet.nl's CSP rules for a site on host and returns the
// problems found, empty when the policy is sound:
//
//   - no 'unsafe-inline', 'unsafe-eval' or 'unsafe-hashes' anywhere;
//   - no http: sources, no "*" hosts or wildcards of whole schemes (https:
//     alone), no 127.0.0.1, no host source without a scheme;
//   - no data: in script-src or object-src (or default-src standing in);
//   - default-src and base-uri present, each 'none' alone or 'self' with
//     only sources on the site's own domain beside it; frame-src present
//     directly or through default-src; frame-ancestors present; form-action
//     present.
func (p CSP) Audit(host string) []string { return texts(p.AuditProblems(host)) }

// AuditProblems is Audit with each problem as a code and parameters.
func (p CSP) AuditProblems(host string) []Problem {
	var problems []Problem
	add := func(code string, params map[string]any, format string, args ...any) {
		problems = append(problems, Problem{Code: code, Params: params, Text: fmt.Sprintf(format, args...)})
	}
	for _, name := range p.Order {
		for _, src := range p.Directives[name] {
			s := strings.ToLower(src)
			switch {
			case s == "'unsafe-inline'" || s == "'unsafe-eval'" || s == "'unsafe-hashes'":
				add("csp_allows", map[string]any{"directive": name, "source": src}, "%s allows %s", name, src)
			case s == "*" || strings.HasPrefix(s, "*.") && !strings.Contains(s, "://"):
				add("csp_any_host", map[string]any{"directive": name, "source": src}, "%s allows any host (%s)", name, src)
			case s == "http:" || strings.HasPrefix(s, "http://"):
				add("csp_http_source", map[string]any{"directive": name, "source": src}, "%s allows unencrypted http sources (%s)", name, src)
			case s == "https:":
				add("csp_any_https", map[string]any{"directive": name}, "%s allows any https host", name)
			case strings.Contains(s, "127.0.0.1"):
				add("csp_allows", map[string]any{"directive": name, "source": "127.0.0.1"}, "%s allows 127.0.0.1", name)
			case s == "data:":
				if name == "script-src" || name == "object-src" || name == "default-src" {
					add("csp_data", map[string]any{"directive": name}, "%s allows data: URLs", name)
				}
			case isHostSourceWithoutScheme(s):
				add("csp_host_without_scheme", map[string]any{"directive": name, "source": src}, "%s names host %s without https://", name, src)
			}
		}
	}
	for _, name := range []string{"default-src", "base-uri"} {
		srcs, ok := p.Directives[name]
		switch bad, similar := selfSimilar(srcs, host); {
		case !ok:
			add("csp_no_directive", map[string]any{"directive": name}, "no %s", name)
		case bad != "":
			add("csp_allows", map[string]any{"directive": name, "source": bad}, "%s allows %s", name, bad)
		case !similar:
			add("web_csp_needs_self", map[string]any{"directive": name}, "%s must be 'self' or 'none'", name)
		}
	}
	if !p.Has("frame-src") && !p.Has("default-src") {
		add("csp_no_frame_src", nil, "no frame-src (nor default-src)")
	}
	if !p.Has("frame-ancestors") {
		add("csp_no_directive", map[string]any{"directive": "frame-ancestors"}, "no frame-ancestors")
	}
	if !p.Has("form-action") {
		add("csp_no_directive", map[string]any{"directive": "form-action"}, "no form-action")
	}
	return problems
}

// isHostSourceWithoutScheme spots "example.com" or "cdn.example.com/path":
// source expressions that are neither keywords, nonces, hashes nor schemes.
func isHostSourceWithoutScheme(s string) bool {
	if s == "" || strings.HasPrefix(s, "'") || strings.Contains(s, "://") || strings.HasSuffix(s, ":") {
		return false
	}
	return strings.Contains(s, ".")
}

// selfSimilar is internet.nl's rule for default-src and base-uri: 'none'
// alone, or 'self' with nothing beside it but 'report-sample' and sources
// on the site's own domain. bad is the first source beside 'self' that is
// not allowed; similar is false when 'self' is missing.
func selfSimilar(srcs []string, host string) (bad string, similar bool) {
	if len(srcs) == 1 && strings.EqualFold(srcs[0], "'none'") {
		return "", true
	}
	for _, s := range srcs {
		switch l := strings.ToLower(s); {
		case l == "'self'":
			similar = true
		case l == "'report-sample'":
		case !selfOrOwn(s, host):
			if bad == "" {
				bad = s
			}
		}
	}
	return bad, similar
}

// selfOrOwn accepts 'self', 'none' and https sources on host, a subdomain of
// host, or a parent domain of host.
func selfOrOwn(src, host string) bool {
	s := strings.ToLower(src)
	if s == "'self'" || s == "'none'" {
		return true
	}
	rest, ok := strings.CutPrefix(s, "https://")
	if !ok {
		return false
	}
	h, _, _ := strings.Cut(rest, "/")
	h, _, _ = strings.Cut(h, ":")
	host = strings.ToLower(host)
	return h != "" && (h == host || strings.HasSuffix(h, "."+host) || strings.HasSuffix(host, "."+h))
}
