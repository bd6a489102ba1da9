package docanalysis

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// limitChild caps the child's address space at what it has mapped now
// plus 1 GiB (a request for terabytes fails at once instead of being
// paged in) and its CPU time at twice MaxTime.
func limitChild() {
	if size := statm(0); size > 0 {
		lim := uint64(size) + 1<<30
		_ = syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: lim, Max: lim})
	}
	cpu := uint64(2 * MaxTime.Seconds())
	_ = syscall.Setrlimit(syscall.RLIMIT_CPU, &syscall.Rlimit{Cur: cpu, Max: cpu + 5})
}

// residentBytes is the child's resident set.
func residentBytes() int64 { return statm(1) }

// statm is field i of /proc/self/statm (0 size, 1 resident) in bytes.
func statm(i int) int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := bytes.Fields(b)
	if len(fields) <= i {
		return 0
	}
	pages, err := strconv.ParseInt(string(fields[i]), 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}
