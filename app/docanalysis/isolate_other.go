//go:build !linux

package docanalysis

import "runtime/metrics"

// limitChild sets no operating-system limits outside Linux: the memory
// watch and the parent's kill at MaxTime remain.
func limitChild() {}

// residentBytes is the memory the Go runtime has mapped.
func residentBytes() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}
