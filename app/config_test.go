package app

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// envFrom stands in for os.Getenv with the variables of m.
func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseServeConfig(t *testing.T) {
	t.Parallel()
	env := envFrom
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		want    func(Config) bool
		wantErr string
	}{
		{"no flags and no environment give the defaults", nil, nil,
			func(c Config) bool {
				return c.Addr == "127.0.0.1:8080" && c.DB == "./tenderprobe.db" && !c.Demo && !c.TLS()
			}, ""},
		{"the environment sets address, database and demo", nil,
			map[string]string{"TENDERPROBE_ADDR": "127.0.0.1:9000", "TENDERPROBE_DB": "postgres://u@127.0.0.1/tp", "TENDERPROBE_DEMO": "true"},
			func(c Config) bool {
				return c.Addr == "127.0.0.1:9000" && c.DB == "postgres://u@127.0.0.1/tp" && c.Demo
			}, ""},
		{"flags win over the environment", []string{"--addr", "127.0.0.1:7000", "--db=/tmp/x.db"},
			map[string]string{"TENDERPROBE_ADDR": "127.0.0.1:9000", "TENDERPROBE_DB": "/tmp/env.db"},
			func(c Config) bool { return c.Addr == "127.0.0.1:7000" && c.DB == "/tmp/x.db" }, ""},
		{"--demo=false overrides TENDERPROBE_DEMO", []string{"--demo=false"}, map[string]string{"TENDERPROBE_DEMO": "1"},
			func(c Config) bool { return !c.Demo }, ""},
		{"an address without a port is refused", []string{"--addr", "localhost"}, nil, nil, "not host:port"},
		{"an empty database is refused", []string{"--db", " "}, nil, nil, "db is empty"},
		{"a certificate without a key is refused", []string{"--tls-cert", "c.pem"}, nil, nil, "together"},
		{"a demo setting that is not a boolean is refused", nil, map[string]string{"TENDERPROBE_DEMO": "maybe"}, nil, "not a boolean"},
		{"the public base URL comes from the environment without its trailing slash", nil,
			map[string]string{"TENDERPROBE_BASE_URL": "https://tenders.example.org/tp/"},
			func(c Config) bool { return c.BaseURL == "https://tenders.example.org/tp" }, ""},
		{"a base URL that is not absolute http(s) is refused", []string{"--base-url", "tenders.example.org"}, nil, nil, "base-url"},
		{"a base URL with a query is refused", []string{"--base-url", "https://tenders.example.org/?a=1"}, nil, nil, "base-url"},
		{"metrics are off unless enabled", nil, nil,
			func(c Config) bool { return !c.Metrics && c.MetricsToken == "" }, ""},
		{"the environment turns metrics on with a scraper's token", nil,
			map[string]string{"TENDERPROBE_METRICS": "true", "TENDERPROBE_METRICS_TOKEN": "0123456789abcdef0123"},
			func(c Config) bool { return c.Metrics && c.MetricsToken == "0123456789abcdef0123" }, ""},
		{"--metrics turns metrics on for admins only", []string{"--metrics"}, nil,
			func(c Config) bool { return c.Metrics && c.MetricsToken == "" }, ""},
		{"a metrics token shorter than 16 characters is refused", []string{"--metrics", "--metrics-token", "short"}, nil, nil, "at least 16"},
		{"a metrics token with a space is refused", []string{"--metrics-token", "sixteen chars and more"}, nil, nil, "visible ASCII"},
		{"an unknown flag is refused", []string{"--port", "80"}, nil, nil, "flag provided but not defined"},
		{"a stray argument is refused", []string{"extra"}, nil, nil, "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseServeConfig(tc.args, env(tc.env), io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.want(cfg) {
				t.Fatalf("config %+v", cfg)
			}
		})
	}
}

func TestRunServe(t *testing.T) {
	t.Parallel()
	t.Run("bad flags exit with status 2 and a message", func(t *testing.T) {
		var stderr bytes.Buffer
		if code := RunServe(context.Background(), []string{"--addr", "nowhere"}, io.Discard, &stderr); code != 2 {
			t.Fatalf("exit %d, want 2", code)
		}
		if !strings.Contains(stderr.String(), "not host:port") {
			t.Fatalf("stderr %q", stderr.String())
		}
	})

	t.Run("a fresh database prints the address and a one-time admin password, then shuts down on cancel", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "fresh.db")
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		pr, pw := io.Pipe()
		done := make(chan int, 1)
		go func() {
			code := RunServe(ctx, []string{"--addr", "127.0.0.1:0", "--db", db}, pw, io.Discard)
			pw.Close()
			done <- code
		}()
		var out strings.Builder
		lines := bufio.NewScanner(pr)
		for lines.Scan() {
			out.WriteString(lines.Text() + "\n")
			if strings.Contains(lines.Text(), "serving on http://127.0.0.1:") {
				cancel()
			}
		}
		if code := <-done; code != 0 {
			t.Fatalf("exit %d after cancel, want 0; output %q", code, out.String())
		}
		if !strings.Contains(out.String(), "serving on http://127.0.0.1:") {
			t.Fatalf("no address printed: %q", out.String())
		}
		if !strings.Contains(out.String(), "admin@localhost") || !strings.Contains(out.String(), "password: ") {
			t.Fatalf("no one-time admin password in %q", out.String())
		}
		if _, err := os.Stat(db); err != nil {
			t.Fatalf("database file not created: %v", err)
		}
	})
}

func TestServeOverTLSFromConfig(t *testing.T) {
	t.Parallel()
	cert, pool := selfSigned(t, "tenderprobe.example")
	ln := serveTLS(t, cert)

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "tenderprobe.example"}}}
	res, err := client.Get("https://" + ln.Addr().String() + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Strict-Transport-Security") != "max-age=31536000" {
		t.Fatalf("status %d, HSTS %q", res.StatusCode, res.Header.Get("Strict-Transport-Security"))
	}
	for _, c := range res.Cookies() {
		if !c.Secure {
			t.Errorf("cookie %s is not Secure over TLS", c.Name)
		}
	}
}

// TestAMailRelayWithoutThePublicAddressIsWarnedAbout: mails sent outside
// a request (reminders, verdict changes) take their links' host from
// --base-url; with a relay and no base URL they would name no host.
func TestAMailRelayWithoutThePublicAddressIsWarnedAbout(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		cfg      Config
		warnings int
	}{
		{"a relay without a base URL", Config{SMTPHost: "mail.example.org"}, 1},
		{"a relay with a base URL", Config{SMTPHost: "mail.example.org", BaseURL: "https://tp.example.org"}, 0},
		{"no relay", Config{}, 0},
	} {
		if got := tc.cfg.Warnings(); len(got) != tc.warnings {
			t.Errorf("%s: %q, want %d warnings", tc.name, got, tc.warnings)
		}
	}
}
