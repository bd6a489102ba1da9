package docanalysis

import "time"

// SetChildTimeout makes ExtractIsolated kill its children after d, so
// that a test of a reader that never ends need not wait for MaxTime.
func SetChildTimeout(d time.Duration) (restore func()) {
	old := childTimeout
	childTimeout = d
	return func() { childTimeout = old }
}
