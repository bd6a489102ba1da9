package probe

import "context"

// checkMailAuth is a placeholder until this check group is written: it reports
// status error for its checks, never a verdict. Delete this file when done.
func checkMailAuth(ctx context.Context, r *run) []Check {
	return errorChecks(errNotBuilt, "mail.spf", "mail.dkim", "mail.dmarc")
}
