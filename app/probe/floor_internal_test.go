package probe

import (
	"context"
	"os"

	"tenderprobe/app/probe/tlsscan"
)

// HandshakeOnlyEnv, set in a probe child's environment, replaces every web
// address's TLS configuration scan with the handshake that reads its
// certificate (BenchmarkProbe1000DomainsFloor).
const HandshakeOnlyEnv = "TENDERPROBE_TEST_HANDSHAKE_ONLY"

func init() {
	if os.Getenv(HandshakeOnlyEnv) != "" {
		scanWeb = handshakeOnly
	}
}

func handshakeOnly(ctx context.Context, r *run, targets []webTarget, port int) []tlsTarget {
	out := make([]tlsTarget, len(targets))
	for i, t := range targets {
		rep, err := tlsscan.ScanName(ctx, r.webScanConfig(t, port))
		out[i] = tlsTarget{webTarget: t, Report: rep, Err: err}
	}
	return out
}
