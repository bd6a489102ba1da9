package passwords

import (
	_ "embed"
	"strings"
	"sync"
)

// commonList holds 47,023 commonly used passwords, one a line, most frequent
// first. It is data/passwords.txt of github.com/trustelem/zxcvbn v1.0.1 (MIT)
// with the frequency counts stripped; zxcvbn's authors derived it from Mark
// Burnett's ten-million-password corpus. README.md in this directory has the
// licence notices.
//
//go:embed common-passwords.txt
var commonList string

// commonSet is built on first use so programs that never check a password
// do not pay for it. Keys slice commonList, so only the map itself is
// allocated.
var commonSet = sync.OnceValue(loadCommon)

func loadCommon() map[string]struct{} {
	set := make(map[string]struct{}, strings.Count(commonList, "\n"))
	for line := range strings.Lines(commonList) {
		// Entries get the same treatment as the password they are compared
		// with; for the ASCII entries shipped this returns them unchanged.
		key := strings.ToLower(strings.TrimSpace(Normalize(line)))
		if key != "" {
			set[key] = struct{}{}
		}
	}
	return set
}
