package i18n

import (
	"math/big"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/bojanz/currency"
)

// Amount errors: codes for the message catalogue (field.<code>), never
// shown as they are.
const (
	CodeNotAnAmount     = "not_an_amount"
	CodeAmbiguousAmount = "ambiguous_amount"
	CodeTooManyDecimals = "too_many_decimals"
	CodeNegative        = "negative"
	CodeTooLarge        = "amount_too_large"
)

// MaxCents is the largest amount accepted, in cents: a trillion in any
// currency is beyond any tender and far from int64's limit.
const MaxCents = 100_000_000_000_000

// AmountError is an amount a reader typed that cannot be read. Example is,
// for an ambiguous one, how the amount it probably means is written in the
// reader's language.
type AmountError struct {
	Code    string
	Value   string
	Example string
}

func (e *AmountError) Error() string { return "i18n: amount " + strconv.Quote(e.Value) + ": " + e.Code }

// separators are the decimal and grouping marks of a language's numbers,
// taken from CLDR through github.com/bojanz/currency.
type separators struct{ decimal, group rune }

var sepCache sync.Map // lang → separators

func separatorsOf(lang string) separators {
	if s, ok := sepCache.Load(lang); ok {
		return s.(separators)
	}
	f := currency.NewFormatter(currency.NewLocale(lang))
	f.CurrencyDisplay = currency.DisplayNone
	a, _ := currency.NewAmount("1234567.5", "EUR")
	text := f.Format(a) // 1,234,567.50 or 1.234.567,50
	s := separators{decimal: '.', group: ','}
	for _, r := range text {
		if !unicode.IsDigit(r) {
			if s.group == ',' && s.decimal == '.' && r != ',' && r != '.' {
				s.group = r
				continue
			}
			s.group = r
			break
		}
	}
	if i := strings.LastIndexFunc(text, func(r rune) bool { return !unicode.IsDigit(r) }); i >= 0 {
		s.decimal = []rune(text[i:])[0]
	}
	sepCache.Store(lang, s)
	return s
}

// ParseAmount reads a money amount typed by a reader of lang (1.250.000,50
// in Dutch and Spanish, 1,250,000.50 in English; spaces may group digits
// too) and returns it in cents. Input that another language would read
// differently and this one cannot read for sure (1250.50 in Dutch, 1,250
// with three decimals) is refused as ambiguous with an example, never
// guessed.
func ParseAmount(lang, s string) (int64, error) { return parseAmount(lang, s, true) }

// parseAmount is ParseAmount; explain says whether an ambiguous amount
// gets an example (read the other way round, which must not recurse).
func parseAmount(lang, s string, explain bool) (int64, error) {
	value := strings.TrimSpace(s)
	sep := separatorsOf(lang)
	fail := func(code string) (int64, error) { return 0, &AmountError{Code: code, Value: value} }
	if value == "" {
		return fail(CodeNotAnAmount)
	}
	if strings.HasPrefix(value, "-") || strings.HasPrefix(value, "−") {
		return fail(CodeNegative)
	}
	// Spaces group digits in many languages; treat them as the group mark.
	norm := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\u2009':
			return sep.group
		}
		return r
	}, value)
	for _, r := range norm {
		if !unicode.IsDigit(r) && r != sep.decimal && r != sep.group && r != '.' && r != ',' {
			return fail(CodeNotAnAmount)
		}
	}
	intPart, frac, ok := strings.Cut(norm, string(sep.decimal))
	switch {
	case strings.Count(norm, string(sep.decimal)) > 1,
		ok && strings.ContainsRune(frac, sep.group),
		strings.ContainsAny(intPart, otherMarks(sep)):
		// Several decimal marks, a group mark after the decimal one, or a
		// mark this language does not use: written the other way round.
		return ambiguous(lang, value, norm, sep, explain)
	}
	digits, good := ungroup(intPart, sep.group)
	if !good {
		return ambiguous(lang, value, norm, sep, explain)
	}
	if ok {
		if frac == "" || strings.IndexFunc(frac, func(r rune) bool { return !unicode.IsDigit(r) }) >= 0 {
			return fail(CodeNotAnAmount)
		}
		if len(frac) > 2 {
			if len(frac) == 3 && !strings.ContainsRune(intPart, sep.group) {
				// 1,250 in Dutch: 1.25 with a stray 0, or 1250 the English way.
				return ambiguous(lang, value, norm, sep, explain)
			}
			return fail(CodeTooManyDecimals)
		}
	}
	frac = (frac + "00")[:2]
	n, err := strconv.ParseInt(digits+frac, 10, 64)
	if err != nil || n > MaxCents {
		if err != nil && strings.Contains(err.Error(), "range") || n > MaxCents {
			return fail(CodeTooLarge)
		}
		return fail(CodeNotAnAmount)
	}
	return n, nil
}

// otherMarks is the decimal or group mark of the other convention, the one
// lang does not use, as a string for ContainsAny ("" when lang uses both
// of . and , ).
func otherMarks(sep separators) string {
	var out string
	for _, r := range ".," {
		if r != sep.decimal && r != sep.group {
			out += string(r)
		}
	}
	return out
}

// ungroup checks that the group marks of an integer part stand every three
// digits from the right and returns its digits.
func ungroup(s string, group rune) (string, bool) {
	if s == "" {
		return "", false
	}
	parts := strings.Split(s, string(group))
	for i, p := range parts {
		if p == "" || strings.IndexFunc(p, func(r rune) bool { return !unicode.IsDigit(r) }) >= 0 {
			return "", false
		}
		if i > 0 && len(p) != 3 || i == 0 && len(parts) > 1 && len(p) > 3 {
			return "", false
		}
	}
	return strings.Join(parts, ""), true
}

// ambiguous refuses value, with the amount it reads as in a language of
// the other convention, written in lang, as the example.
func ambiguous(lang, value, norm string, sep separators, explain bool) (int64, error) {
	e := &AmountError{Code: CodeAmbiguousAmount, Value: value}
	if !explain {
		return 0, e
	}
	if n, err := parseAmount(swapLang(sep), norm, false); err == nil {
		e.Example = FormatNumber(lang, n)
	}
	return 0, e
}

// swapLang is a language with the other convention of marks, to read an
// ambiguous amount the other way.
func swapLang(sep separators) string {
	if sep.decimal == ',' {
		return "en"
	}
	return "nl"
}

// FormatNumber writes an amount in cents as lang writes numbers, with two
// decimals: 1.250.000,50 or 1,250,000.50.
func FormatNumber(lang string, cents int64) string {
	f := currency.NewFormatter(currency.NewLocale(lang))
	f.CurrencyDisplay = currency.DisplayNone
	a, err := currency.NewAmountFromBigInt(big.NewInt(cents), "EUR")
	if err != nil {
		return strconv.FormatInt(cents, 10)
	}
	return f.Format(a)
}

// FormatMoney writes an amount in cents of an ISO 4217 currency as lang
// writes money: € 1.250.000,50, €1,250,000.50, 1.250.000,50 €.
func FormatMoney(lang string, cents int64, code string) string {
	f := currency.NewFormatter(currency.NewLocale(lang))
	a, err := currency.NewAmountFromBigInt(big.NewInt(cents), code)
	if err != nil {
		return FormatNumber(lang, cents) + " " + code
	}
	return f.Format(a)
}

// Currencies are the ISO 4217 codes a tender's value can be in.
func Currencies() []string { return currency.GetCurrencyCodes() }

// ValidCurrency reports whether code is an ISO 4217 currency code.
func ValidCurrency(code string) bool { return currency.IsValid(code) }
