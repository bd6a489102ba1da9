package parse

import "testing"

func TestParseHSTS(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    HSTS
		wantErr bool
	}{
		{"a plain max-age is read", "max-age=31536000", HSTS{MaxAge: 31536000}, false},
		{"directives are case-insensitive and includeSubDomains and preload are read", "Max-Age=63072000; INCLUDESUBDOMAINS; preload", HSTS{MaxAge: 63072000, IncludeSubDomains: true, Preload: true}, false},
		{"a quoted max-age is accepted", `max-age="300"`, HSTS{MaxAge: 300}, false},
		{"unknown directives are ignored", "max-age=10; foo=bar", HSTS{MaxAge: 10}, false},
		{"empty parts between semicolons are ignored", ";max-age=5;;", HSTS{MaxAge: 5}, false},
		{"a huge max-age saturates instead of failing", "max-age=99999999999999999999999", HSTS{MaxAge: 1<<63 - 1}, false},
		{"a missing max-age makes the header invalid", "includeSubDomains", HSTS{}, true},
		{"a repeated directive makes the header invalid", "max-age=1; max-age=2", HSTS{}, true},
		{"a negative max-age is invalid", "max-age=-1", HSTS{}, true},
		{"max-age without a value is invalid", "max-age", HSTS{}, true},
		{"an unterminated quote is invalid", `max-age="10`, HSTS{}, true},
		{"includeSubDomains with a value is invalid", "max-age=1; includeSubDomains=yes", HSTS{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseHSTS(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseHSTS(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("ParseHSTS(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzParseHSTS(f *testing.F) {
	for _, s := range []string{"max-age=31536000; includeSubDomains", `max-age="1"`, "max-age=1;max-age=2", ";;", `a="\"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHSTS(s)
		if err == nil && h.MaxAge < 0 {
			t.Fatalf("negative max-age from %q", s)
		}
	})
}
