package passwords

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheck(t *testing.T) {
	const email = "Jan.de.Vries@gemeente-utrecht.nl"
	context := []string{email, "Jan de Vries ", ""}
	tests := []struct {
		name     string
		password string
		want     Reason // "" means accepted
	}{
		{"a good passphrase is accepted", "correct horse battery staple", ""},
		{"twelve multi-byte runes are enough although they are 24 bytes", "καλημέρα σας", ""},
		{"a password of exactly twelve characters is accepted", "tenderprobe!", ""},
		{"a long passphrase of spaces and words is accepted", strings.Repeat("offerte ", 100), ""},
		{"an eight-digit sequence is too short", "12345678", TooShort},
		{"the word password is too short", "password", TooShort},
		{"eleven two-byte runes are too short although they are 22 bytes", "ééééééééééé", TooShort},
		{"eight spaces are blank", "        ", Blank},
		{"an empty password is blank", "", Blank},
		{"ideographic spaces are blank once normalised", strings.Repeat("\u3000", 12), Blank},
		{"eight NUL bytes are control characters", strings.Repeat("\x00", 8), ControlCharacter},
		{"a tab inside a long password is a control character", "correct\thorse battery", ControlCharacter},
		{"a trailing newline is a control character", "correct horse battery\n", ControlCharacter},
		{"a C1 control character is refused", "correct horse\u0085battery", ControlCharacter},
		{"invalid UTF-8 is refused", "correct horse \xff battery", InvalidUTF8},
		{"a common twelve-character password is refused", "password1234", Common},
		{"a common password is refused whatever its case", "PassWord1234", Common},
		{"a common password typed in full-width characters is refused", "ｐａｓｓｗｏｒｄ１２３４", Common},
		{"a common password with surrounding spaces is refused", "  1qaz2wsx3edc ", Common},
		{"the user's e-mail address is refused", email, Context},
		{"the user's e-mail address in other case is refused", strings.ToUpper(email), Context},
		{"the local part of the user's e-mail address is refused", "jan.de.vries", Context},
		{"the user's name is refused", "JAN DE VRIES", Context},
		{"a password merely containing the user's name is accepted", "jan de vries tekent graag", ""},
		{"more than the maximum number of runes is too long", strings.Repeat("a", MaxLength+1), TooLong},
		{"input too large to normalise is too long", strings.Repeat("a", 5*MaxLength), TooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.password, context...)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tt.password, err)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Check(%q) = %v, want *Error with reason %s", tt.password, err, tt.want)
			}
			if pe.Reason != tt.want {
				t.Fatalf("Check(%q) reason = %s, want %s", tt.password, pe.Reason, tt.want)
			}
		})
	}
}

func TestCheckErrorData(t *testing.T) {
	tests := []struct {
		name     string
		password string
		want     Error
		text     string
	}{
		{"too short carries the minimum and the rune count", "ééééééééééé",
			Error{Reason: TooShort, Min: 12, Length: 11}, "password: too short (min 12)"},
		{"too long carries the maximum and the rune count", strings.Repeat("x", MaxLength+1),
			Error{Reason: TooLong, Max: MaxLength, Length: MaxLength + 1}, "password: too long (max 1024)"},
		{"a control character names the rune", "correct\thorse battery",
			Error{Reason: ControlCharacter, Rune: '\t'}, `password: control character ('\t')`},
		{"a common password carries only its reason", "password1234",
			Error{Reason: Common}, "password: common"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pe *Error
			if !errors.As(Check(tt.password), &pe) {
				t.Fatalf("Check(%q) did not return *Error", tt.password)
			}
			if *pe != tt.want {
				t.Errorf("error = %+v, want %+v", *pe, tt.want)
			}
			if pe.Error() != tt.text {
				t.Errorf("Error() = %q, want %q", pe.Error(), tt.text)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"a decomposed accent is composed", "cafe\u0301", "caf\u00e9"},
		{"full-width letters become ASCII", "ｔｅｎｄｅｒ", "tender"},
		{"a ligature is split", "\ufb01le", "file"},
		{"a non-breaking space becomes a space", "a\u00a0b", "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLengthCountsRunesNotBytes(t *testing.T) {
	p := "καλημέρα σας"
	if n := utf8.RuneCountInString(p); n != MinLength || len(p) <= MinLength {
		t.Fatalf("fixture has %d runes and %d bytes, want %d runes in more bytes", n, len(p), MinLength)
	}
}

func TestCommonList(t *testing.T) {
	set := commonSet()
	if len(set) < 10000 {
		t.Errorf("list has %d entries, want at least 10000", len(set))
	}
	for _, p := range []string{"123456", "password", "qwerty", "password1234", "1qaz2wsx3edc"} {
		t.Run("the list contains "+p, func(t *testing.T) {
			if _, ok := set[p]; !ok {
				t.Errorf("%q missing from the list", p)
			}
		})
	}
}

// TestCommonListMemory keeps the lazily built set cheap enough to live in
// every server process.
func TestCommonListMemory(t *testing.T) {
	const limit = 4 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	set := loadCommon()
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d entries cost %.2f MiB of heap (%d bytes each)", len(set), float64(grown)/(1<<20), grown/int64(len(set)))
	runtime.KeepAlive(set)
	if grown > limit {
		t.Errorf("set costs %d bytes, want at most %d", grown, limit)
	}
}

func BenchmarkCheck(b *testing.B) {
	commonSet()
	for b.Loop() {
		if err := Check("correct horse battery staple", "jan.de.vries@gemeente-utrecht.nl", "Jan de Vries"); err != nil {
			b.Fatal(err)
		}
	}
}
