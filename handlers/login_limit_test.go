package handlers

import "testing"

// TestAnAccountsFailuresAreCountedPerNetwork: an IPv4 client is its
// address; an IPv6 client is its /64, which one household or server holds
// whole, so a guesser cannot take a fresh allowance from each address.
func TestAnAccountsFailuresAreCountedPerNetwork(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, ip, want string }{
		{"an IPv4 address is its own network", "192.0.2.7", "account:a@x.test|net:192.0.2.7"},
		{"an IPv6 address counts as its /64", "2001:db8:1:2:aaaa::1", "account:a@x.test|net:2001:db8:1:2::/64"},
		{"another address in that /64 counts the same", "2001:db8:1:2:ffff:ffff:ffff:ffff", "account:a@x.test|net:2001:db8:1:2::/64"},
		{"an IPv4-mapped address is IPv4", "::ffff:192.0.2.7", "account:a@x.test|net:::ffff:192.0.2.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			account, fromNet := accountKeys("a@x.test", tc.ip)
			if account != "account:a@x.test" || fromNet != tc.want {
				t.Errorf("keys %q, %q; want %q", account, fromNet, tc.want)
			}
		})
	}
}
