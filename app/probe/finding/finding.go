// Package finding writes the probes' findings in a reader's language: a
// stored check's finding code and parameters become the message
// finding.<code>. It imports no probe code, so pages and reports can show
// findings without the probe engine.
package finding

import (
	"math"

	"tenderprobe/app/i18n"
)

// Sub is a finding inside another finding's parameters, such as one
// host's result in a list of hosts; a message names it {param:finding}.
// In stored JSON it is an object with "finding" and "finding_params".
type Sub struct {
	Code   string         `json:"finding"`
	Params map[string]any `json:"finding_params,omitempty"`
}

// MessageCode and MessageParams make a Sub an i18n.Coded value.
func (s Sub) MessageCode() string           { return s.Code }
func (s Sub) MessageParams() map[string]any { return s.Params }

// Text is the finding code with params in lang from catalogue c, as pages
// and reports show a stored check's Finding and FindingParams. Params read
// back from JSON turn sub-findings (objects with a "finding" code) into
// Sub again.
func Text(c *i18n.Catalogue, lang, code string, params map[string]any) string {
	return c.Text(lang, "finding."+code, revive(params))
}

// revive turns decoded JSON sub-findings back into Sub values.
func revive(params map[string]any) map[string]any {
	if params == nil {
		return nil
	}
	out := make(map[string]any, len(params))
	for k, v := range params {
		out[k] = reviveValue(v)
	}
	return out
}

func reviveValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if code, ok := v["finding"].(string); ok {
			p, _ := v["finding_params"].(map[string]any)
			return Sub{Code: code, Params: revive(p)}
		}
	case float64:
		// JSON numbers come back as float64; counts, ports and ages are
		// whole numbers and print as such.
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int64(v)
		}
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = reviveValue(e)
		}
		return out
	}
	return v
}
