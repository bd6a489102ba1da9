package probe

import "context"

// checkCAA is a placeholder until this check group is written: it reports
// status error for its checks, never a verdict. Delete this file when done.
func checkCAA(ctx context.Context, r *run) []Check { return errorChecks(errNotBuilt, "web.caa") }
func checkWebDANE(ctx context.Context, r *run) []Check {
	return errorChecks(errNotBuilt, "web.dane")
}
