package models

import (
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// nameCollators hands out collators of the CLDR root order, which puts
// accented letters with their base letter (Ångström with A, Łódź with L)
// in every language; the databases' byte order put them after Z. A
// collator is not safe for concurrent use, so each call takes its own.
var nameCollators = sync.Pool{New: func() any { return collate.New(language.Und, collate.IgnoreCase) }}

// CompareNames orders people's and organisations' names as a reader
// expects in a list, whatever their letters.
func CompareNames(a, b string) int {
	c := nameCollators.Get().(*collate.Collator)
	defer nameCollators.Put(c)
	return c.CompareString(a, b)
}
