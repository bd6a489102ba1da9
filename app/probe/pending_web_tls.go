package probe

import "context"

// checkWebTLS is a placeholder until this check group is written: it reports
// status error for its checks, never a verdict. Delete this file when done.
func checkWebTLS(ctx context.Context, r *run) []Check {
	return errorChecks(errNotBuilt, "web.https", "web.tls-version", "web.tls-ciphers", "web.tls-cert", "web.tls-pq")
}
