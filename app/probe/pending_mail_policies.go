package probe

import "context"

// checkMailPolicies is a placeholder until this check group is written: it reports
// status error for its checks, never a verdict. Delete this file when done.
func checkMailPolicies(ctx context.Context, r *run) []Check {
	return errorChecks(errNotBuilt, "mail.mta-sts", "mail.tls-rpt")
}
