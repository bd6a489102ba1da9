package probe

import "context"

// checkWebHTTP is a placeholder until this check group is written: it reports
// status error for its checks, never a verdict. Delete this file when done.
func checkWebHTTP(ctx context.Context, r *run) []Check {
	return errorChecks(errNotBuilt, "web.https-redirect", "web.hsts", "web.security-headers", "web.security-txt")
}
