package app

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

// X-Forwarded-Host and -Proto come from a reverse proxy, or from
// anyone who types them: they count only from a configured proxy. From
// anyone else a client could make the invitation links (and their mails)
// point at its own host, and claim HTTPS over plain HTTP (Secure cookies
// and HSTS on a connection that has neither).
func TestForwardedHeadersCountOnlyFromATrustedProxy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		trusted []netip.Prefix
		// want is the host of the invitation link; hsts whether the answer
		// carries HSTS.
		want string
		hsts bool
	}{
		{"from anyone, they are ignored", nil, "127.0.0.1", false},
		{"from a proxy on another address, they are ignored", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, "127.0.0.1", false},
		{"from the configured proxy, they count", []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, "tenders.example", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := DefaultConfig()
			cfg.TrustedProxies = tc.trusted
			a := newTestAppWith(t, demo.Open(t), cfg)
			a.base = a.listen(t)
			w := newAttestWorld(t, a)
			officer := a.apiClient("officer@demo.test")
			req, err := http.NewRequest(http.MethodPost, fmt.Sprintf("/api/v1/tenders/%d/invitations", w.tender.ID), strings.NewReader(`{"email":"fwd@forwarded-supplier.test"}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-Host", "tenders.example")
			req.Header.Set("X-Forwarded-Proto", "https")
			res := officer.do(req)
			link, _ := res.json(t)["url"].(string)
			if res.status != 201 || !strings.Contains(link, "//"+tc.want) {
				t.Errorf("status %d, link %q: want it on %s", res.status, link, tc.want)
			}
			if got := res.header.Get("Strict-Transport-Security") != ""; got != tc.hsts {
				t.Errorf("HSTS sent: %v, want %v", got, tc.hsts)
			}
		})
	}
}
