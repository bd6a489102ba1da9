package models

import (
	"encoding/json"
	"slices"

	"tenderprobe/app/probe/check"
)

// SubtestOutcome is one internet.nl subtest's outcome that a stored check
// keeps in its details under "findings" (the probe engine's Subtest), with
// internet.nl's batch test key, so a page can set both tools side by side.
type SubtestOutcome struct {
	Key           check.Subtest  `json:"-"`
	Status        check.Status   `json:"status"`
	Reason        string         `json:"reason"`
	Finding       string         `json:"finding"`
	FindingParams map[string]any `json:"finding_params,omitempty"`
}

// Subtests returns the check's subtest outcomes in internet.nl's order;
// none for a result stored before the probes recorded them.
func (c *ProbeCheck) Subtests() []SubtestOutcome {
	raw, ok := c.Details["findings"]
	if !ok {
		return nil
	}
	// A fresh result holds the engine's typed map, a stored one decoded
	// JSON; one round trip reads both.
	b, err := json.Marshal(raw)
	if err != nil {
		return nil
	}
	var m map[check.Subtest]SubtestOutcome
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	out := make([]SubtestOutcome, 0, len(m))
	for k, v := range m {
		v.Key = k
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b SubtestOutcome) int { return check.CompareSubtests(a.Key, b.Key) })
	return out
}
