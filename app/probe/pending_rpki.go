package probe

import "context"

// checkRPKI is a placeholder until this check group is written: it reports
// status error for its checks, never a verdict. Delete this file when done.
func checkRPKI(ctx context.Context, r *run) []Check {
	return errorChecks(errNotBuilt, "web.rpki", "mail.rpki", "ns.rpki")
}
