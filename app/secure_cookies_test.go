package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
)

// A public address on https (--base-url) means browsers reach the app over
// TLS, usually through a proxy that terminates it. The cookies must then be
// Secure even when the proxy is not named in --trusted-proxies: otherwise a
// session cookie goes out on any plain-HTTP request to the same host.
func TestCookiesAreSecureWhenThePublicAddressIsHTTPS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		baseURL string
		secure  bool
	}{
		{"without a public address, plain HTTP keeps cookies usable", "", false},
		{"a public address on http keeps cookies usable over it", "http://tenders.example", false},
		{"a public address on https makes every cookie Secure", "https://tenders.example", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "cookies.db"),
				"--data-dir", t.TempDir(), "--probe-workers", "0"}
			if tc.baseURL != "" {
				args = append(args, "--base-url", tc.baseURL)
			}
			cfg, err := ParseServeConfig(args, func(string) string { return "" }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			res, err := srv.App.Test(httptest.NewRequest(http.MethodGet, "/login", nil), -1)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			var found bool
			for _, ck := range res.Cookies() {
				if ck.Name != "tp_csrf" {
					continue
				}
				found = true
				if ck.Secure != tc.secure {
					t.Errorf("cookie %s: Secure %v, want %v", ck.Name, ck.Secure, tc.secure)
				}
			}
			if !found {
				t.Fatalf("GET /login set no tp_csrf cookie: %v", res.Header.Values("Set-Cookie"))
			}
		})
	}
}
