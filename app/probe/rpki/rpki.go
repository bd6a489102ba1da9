// Package rpki loads a validated ROA payload (VRP) set in the rpki-client /
// Routinator JSON format and performs route origin validation (RFC 6811).
package rpki

import "net/netip"

// VRP is one validated ROA payload: an origin AS may announce prefix and its
// more-specifics down to MaxLength.
type VRP struct {
	ASN       uint32
	Prefix    netip.Prefix
	MaxLength int
}

// Set is a VRP set ready for lookups.
type Set struct {
	VRPs []VRP
}
