package probe

import (
	"context"
	"errors"
)

// Placeholders while the check groups are being written; each group's file
// replaces its function here. They report status error, never a verdict.
var errNotBuilt = errors.New("check not built yet")

func checkDNSSEC(ctx context.Context, r *run) []Check {
	return errorChecks(errNotBuilt, "web.dnssec", "mail.dnssec")
}
func checkIPv6(ctx context.Context, r *run) []Check {
	return errorChecks(errNotBuilt, "web.ipv6", "mail.ipv6", "ns.ipv6")
}
func checkWebTLS(ctx context.Context, r *run) []Check {
	return errorChecks(errNotBuilt, "web.https", "web.tls-version", "web.tls-ciphers", "web.tls-cert", "web.tls-pq")
}
func checkWebHTTP(ctx context.Context, r *run) []Check {
	return errorChecks(errNotBuilt, "web.https-redirect", "web.hsts", "web.security-headers", "web.security-txt")
}
func checkCAA(ctx context.Context, r *run) []Check { return errorChecks(errNotBuilt, "web.caa") }
func checkWebDANE(ctx context.Context, r *run) []Check {
	return errorChecks(errNotBuilt, "web.dane")
}
func checkMailAuth(ctx context.Context, r *run) []Check {
	return errorChecks(errNotBuilt, "mail.spf", "mail.dkim", "mail.dmarc")
}
func checkMailTransport(ctx context.Context, r *run) []Check {
	return errorChecks(errNotBuilt, "mail.starttls", "mail.dane")
}
func checkMailPolicies(ctx context.Context, r *run) []Check {
	return errorChecks(errNotBuilt, "mail.mta-sts", "mail.tls-rpt")
}
func checkRPKI(ctx context.Context, r *run) []Check {
	return errorChecks(errNotBuilt, "web.rpki", "mail.rpki", "ns.rpki")
}
