package attest

import "strings"

// SplitDomains splits what a person typed in a text area (one name per
// line, or separated by commas or spaces) into names; models.NormalizeScope
// judges them.
func SplitDomains(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == '\n' || r == '\r' || r == ',' || r == ' ' || r == '\t' || r == ';'
	})
}

// ManagementEndpoints is the management endpoints a form gives: nil when
// the form has no such field (models.SetScopeAll then keeps the current
// ones), otherwise the names typed, an empty list clearing them.
func ManagementEndpoints(present bool, text string) []string {
	if !present {
		return nil
	}
	names := SplitDomains(text)
	if names == nil {
		names = []string{}
	}
	return names
}
