package probecli

import (
	"fmt"
	"os"

	"github.com/miekg/dns"

	"tenderprobe/app/probe"
)

// loadTrustAnchors reads the --trust-anchor file of root DS or DNSKEY
// records; without a file the IANA root KSKs built into the probe apply.
func loadTrustAnchors(path string) ([]dns.RR, error) {
	if path == "" {
		return probe.DefaultTrustAnchors(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--trust-anchor: %w", err)
	}
	defer f.Close()
	rrs, err := probe.ParseTrustAnchors(f)
	if err != nil {
		return nil, fmt.Errorf("--trust-anchor %s: %w", path, err)
	}
	return rrs, nil
}
