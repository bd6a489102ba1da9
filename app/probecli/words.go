package probecli

import (
	"strings"
	"sync"

	"tenderprobe/app/i18n"
)

// catalogue holds the words of the tables (namespace cli., with the shared
// check_status. words), read once.
var catalogue = sync.OnceValue(func() *i18n.Catalogue {
	c, err := i18n.Embedded()
	if err != nil {
		panic(err) // the files are built in: a broken one fails every test
	}
	return c
})

func text(lang, key string, pairs ...any) string {
	params := make(map[string]any, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		params[pairs[i].(string)] = pairs[i+1]
	}
	return catalogue().Text(lang, key, params)
}

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
