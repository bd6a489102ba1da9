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
