package probecli

import (
	"strings"

	"tenderprobe/app/i18n"
)

// catalogue holds the words of the tables (namespace cli., with the shared
// check_status. words), read once.
var catalogue = i18n.Messages

func text(lang, key string, pairs ...any) string { return catalogue().T(lang, key, pairs...) }

// langFromEnv picks the tables' language from the POSIX locale variables
// in their order of precedence (LC_ALL, LC_MESSAGES, LANG): nl_NL.UTF-8
// reads Dutch; C, POSIX, nothing or a language there are no words for
// read English.
func langFromEnv(getenv func(string) string) string {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(name)
		if v == "" {
			continue
		}
		v, _, _ = strings.Cut(v, ".")
		v, _, _ = strings.Cut(v, "@")
		if v == "C" || v == "POSIX" {
			return i18n.Default
		}
		return catalogue().Negotiate(strings.ReplaceAll(v, "_", "-"))
	}
	return i18n.Default
}
