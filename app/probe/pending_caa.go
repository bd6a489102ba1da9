package probe

import "context"

// checkWebDANE is a placeholder until this check group is written: it reports
// status error for its checks, never a verdict. Delete this file when done.
// (checkCAA now lives in checks_caa.go.)
func checkWebDANE(ctx context.Context, r *run) []Check {
	return errorChecks(errNotBuilt, "web.dane")
}
