package i18n

import (
	"strings"
	"testing"
)

// TestADayIsWrittenAsTheReaderWritesDates: a date in a message (a planned
// date in the past, a link's last day) reads as the reader writes dates;
// what a user typed that is no date stays as typed.
func TestADayIsWrittenAsTheReaderWritesDates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang, key string
		day       Day
		want      string
	}{
		{"en", "field.in_the_past", "2026-11-30", "30 Nov 2026 is in the past"},
		{"nl", "field.in_the_past", "2026-11-30", "30 nov 2026 ligt in het verleden"},
		{"es", "field.in_the_past", "2026-11-30", "30 nov 2026"},
		{"en", "field.in_the_past", "30/11", "30/11 is in the past"},
	} {
		if got := Messages().T(tc.lang, tc.key, "value", tc.day); !strings.Contains(got, tc.want) {
			t.Errorf("%s %q: %q, want %q in it", tc.lang, tc.day, got, tc.want)
		}
	}
}
