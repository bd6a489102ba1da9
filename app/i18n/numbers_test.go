package i18n

import (
	"errors"
	"testing"
)

func TestParseAmount(t *testing.T) {
	cases := []struct {
		name, lang, in string
		want           int64
		code, example  string
	}{
		{"Dutch groups with dots and decimals with a comma", "nl", "1.250.000,50", 125000050, "", ""},
		{"Spanish writes like Dutch", "es", "1.250.000,50", 125000050, "", ""},
		{"English groups with commas and decimals with a dot", "en", "1,250,000.50", 125000050, "", ""},
		{"a plain whole number", "nl", "125000", 12500000, "", ""},
		{"one decimal is tenths", "nl", "12,5", 1250, "", ""},
		{"spaces may group digits", "nl", "1 250 000,50", 125000050, "", ""},
		{"a non-breaking space groups too", "es", "1\u00a0250", 125000, "", ""},
		{"Dutch 1.250 is twelve hundred and fifty", "nl", "1.250", 125000, "", ""},
		{"English 1,250 is twelve hundred and fifty", "en", "1,250", 125000, "", ""},
		{"an English decimal point in Dutch is ambiguous", "nl", "1250.50", 0, CodeAmbiguousAmount, "1.250,50"},
		{"English marks in Dutch are ambiguous", "nl", "1,250,000.50", 0, CodeAmbiguousAmount, "1.250.000,50"},
		{"Dutch marks in English are ambiguous", "en", "1.250.000,50", 0, CodeAmbiguousAmount, "1,250,000.50"},
		{"a comma and three digits in Dutch could be English grouping", "nl", "1,250", 0, CodeAmbiguousAmount, "1.250,00"},
		{"a misplaced group mark is not guessed", "nl", "12.50.000", 0, CodeAmbiguousAmount, ""},
		{"three decimals after grouping are too many", "nl", "1.250,505", 0, CodeTooManyDecimals, ""},
		{"a negative amount is refused", "en", "-5", 0, CodeNegative, ""},
		{"letters are not an amount", "nl", "twaalf", 0, CodeNotAnAmount, ""},
		{"empty is not an amount", "es", "  ", 0, CodeNotAnAmount, ""},
		{"a decimal mark without decimals is not an amount", "nl", "12,", 0, CodeNotAnAmount, ""},
		{"beyond a trillion is refused", "en", "10000000000000", 0, CodeTooLarge, ""},
		{"a language without its own file reads as CLDR says", "de", "1.250,50", 125050, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseAmount(c.lang, c.in)
			if c.code == "" {
				if err != nil || got != c.want {
					t.Errorf("ParseAmount(%q, %q) = %d, %v; want %d", c.lang, c.in, got, err, c.want)
				}
				return
			}
			var ae *AmountError
			if !errors.As(err, &ae) || ae.Code != c.code || ae.Example != c.example {
				t.Errorf("ParseAmount(%q, %q) = %d, %#v; want code %s with example %q", c.lang, c.in, got, err, c.code, c.example)
			}
		})
	}
}

func TestFormatMoney(t *testing.T) {
	cases := []struct{ lang, want string }{
		{"en", "€1,250,000.50"},
		{"nl", "€\u00a01.250.000,50"},
		{"es", "1.250.000,50\u00a0€"},
	}
	for _, c := range cases {
		if got := FormatMoney(c.lang, 125000050, "EUR"); got != c.want {
			t.Errorf("%s: %q, want %q", c.lang, got, c.want)
		}
		back, err := ParseAmount(c.lang, FormatNumber(c.lang, 125000050))
		if err != nil || back != 125000050 {
			t.Errorf("%s: a formatted number does not read back: %d %v", c.lang, back, err)
		}
	}
	if !ValidCurrency("EUR") || ValidCurrency("EUX") || len(Currencies()) < 100 {
		t.Error("the ISO 4217 list is wrong")
	}
}
