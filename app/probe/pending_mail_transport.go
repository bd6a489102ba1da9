package probe

import "context"

// checkMailTransport is a placeholder until this check group is written: it reports
// status error for its checks, never a verdict. Delete this file when done.
func checkMailTransport(ctx context.Context, r *run) []Check {
	return errorChecks(errNotBuilt, "mail.starttls", "mail.dane")
}
