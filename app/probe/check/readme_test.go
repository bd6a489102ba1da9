package check

import (
	"os"
	"regexp"
	"testing"
)

// The README's table of internet.nl's subtests is the subtest table, row by
// row: every key with its check and severity, and no key the table lacks.
func TestTheREADMEListsEverySubtestWithItsCheckAndSeverity(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `((?:web|mail)_[a-z0-9_]+)` \\| `([a-z0-9.-]+)` \\| (required|recommended|optional) \\|")
	listed := map[Subtest][2]string{}
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		listed[Subtest(m[1])] = [2]string{m[2], m[3]}
	}
	for _, s := range Subtests() {
		got, ok := listed[s.Key]
		if !ok {
			t.Errorf("README lacks a row for %s", s.Key)
			continue
		}
		if got != [2]string{string(s.Check), string(s.Severity)} {
			t.Errorf("README says %s is %v, the table says %s %s", s.Key, got, s.Check, s.Severity)
		}
		delete(listed, s.Key)
	}
	for k := range listed {
		t.Errorf("README lists %s, which the table does not have", k)
	}
}
