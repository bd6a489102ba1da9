package probe

import "context"

// checkIPv6 is a placeholder until this check group is written: it reports
// status error for its checks, never a verdict. Delete this file when done.
func checkIPv6(ctx context.Context, r *run) []Check {
	return errorChecks(errNotBuilt, "web.ipv6", "mail.ipv6", "ns.ipv6")
}
