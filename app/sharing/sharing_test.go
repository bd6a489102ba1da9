package sharing

import "testing"

func TestTheRegistryNamesEachKindOnce(t *testing.T) {
	seen := map[string]bool{}
	for _, code := range Codes() {
		k, ok := Lookup(code)
		if !ok || k.Code != code || k.Load == nil || k.Page == "" || k.TitleKey == "" {
			t.Errorf("kind %q is incomplete: %+v", code, k)
		}
		if seen[code] {
			t.Errorf("kind %q is registered twice", code)
		}
		seen[code] = true
	}
	if _, ok := Lookup("dashboard"); ok {
		t.Error("a kind that is not built is registered")
	}
	if k, ok := Lookup("monitor"); !ok || k.Page != "shared/monitor" {
		t.Error("the monitor kind is not registered")
	}
}

func TestRatesAreWrittenAsTheReaderWritesNumbers(t *testing.T) {
	for _, tc := range []struct {
		name, lang string
		rate       func() (float64, bool)
		want       string
	}{
		{"a Dutch rate has a decimal comma", "nl", func() (float64, bool) { return 83.333, true }, "83,3%"},
		{"an English rate has a decimal point", "en", func() (float64, bool) { return 83.333, true }, "83.3%"},
		{"no rate is said in words", "nl", func() (float64, bool) { return 0, false }, "n.v.t."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := percent(tc.lang, tc.rate); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if got := decimal("es", -2.25, true); got != "-2,2" && got != "-2,3" {
		t.Errorf("a signed Spanish change: %q", got)
	}
}
