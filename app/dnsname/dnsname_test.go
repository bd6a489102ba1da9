package dnsname

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string // the whole message, as the probe CLI prints it
		code    string
	}{
		{"a name is lowercased and loses its trailing dot and spaces", " WWW.Example.NL. ", "www.example.nl", "", ""},
		{"an internationalised name becomes its A-label", "bücher.example", "xn--bcher-kva.example", "", ""},
		{"an empty name is refused", "  ", "", "empty domain name", CodeEmpty},
		{"an underscore is refused by IDNA, whose words are kept", "bad_name.example", "",
			`invalid domain name "bad_name.example": idna: disallowed rune U+005F`, CodeIDNA},
		{"a single label is refused", "localhost", "", `invalid domain name "localhost": needs at least two labels`, CodeOneLabel},
		{"a label over 63 characters is refused", strings.Repeat("a", 64) + ".example", "",
			`invalid domain name "` + strings.Repeat("a", 64) + `.example": empty or over-long label`, CodeBadLabel},
		{"a name over 253 characters is refused", strings.Repeat("abcdefghi.", 26) + "example", "",
			`invalid domain name "` + strings.Repeat("abcdefghi.", 26) + `example": longer than 253 characters`, CodeTooLong},
		{"a label ending in a hyphen is refused", "shop-.example", "",
			`invalid domain name "shop-.example": idna: invalid label "shop-"`, CodeIDNA},
		{"an IPv4 address is refused", "192.0.2.1", "", `"192.0.2.1" is an IP address, not a domain name`, CodeIPAddress},
		{"a short-form address is refused", "127.1", "", `invalid domain name "127.1": the last label is all digits, which no top-level domain is`, CodeNumericTLD},
		{"a numeric top-level label is refused", "shop.example.123", "", `invalid domain name "shop.example.123": the last label is all digits, which no top-level domain is`, CodeNumericTLD},
		{"digits elsewhere are fine", "123.example", "123.example", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.in)
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || err.Error() != tt.wantErr || e.Code != tt.code {
				t.Errorf("Normalize(%q) = %q, %v (%#v); want the error %q with code %q", tt.in, got, err, e, tt.wantErr, tt.code)
			}
		})
	}
}
