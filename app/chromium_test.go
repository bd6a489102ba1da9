package app

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds the browser; without it the journey is skipped, or
// fails with CI=true because CI must run it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("TENDERPROBE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is not installed but CI=true: the browser journey must run in CI (apt-get install chromium)")
	}
	t.Skip("Chromium not installed; set TENDERPROBE_CHROMIUM or install chromium to run the browser journey")
	return ""
}

// chromiumSlot is held by the test whose browser is running.
var chromiumSlot = make(chan struct{}, 1)

// startChromium returns the context of a headless Chromium tab under ctx;
// the browser is closed when the test ends. A missing Chromium skips the
// test, or fails it with CI=true (chromiumPath), so call this before any
// costly setup.
func startChromium(ctx context.Context, t *testing.T) context.Context {
	t.Helper()
	bin := chromiumPath(t)
	// One browser at a time: the journeys run in parallel with the other
	// tests, but two browsers on a small machine starve each other.
	select {
	case chromiumSlot <- struct{}{}:
	case <-ctx.Done():
		t.Fatalf("waiting for the browser slot: %v", ctx.Err())
	}
	t.Cleanup(func() { <-chromiumSlot })
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000),
	)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	return bctx
}

// startDemoServer opens the app with the demo data (a copy of the seeded
// demo database, evidence in a temp dir) and serves it on 127.0.0.1:0
// under ctx until the test ends, when it must shut down cleanly. It
// returns the server and its base URL.
func startDemoServer(ctx context.Context, t *testing.T) (*Server, string) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	// Open runs the (idempotent) demo seed again and finds it in place.
	cfg.DB = demo.File(t)
	cfg.DataDir = t.TempDir()
	cfg.Demo = true
	// The demo's submitted attestations queue probe runs of .example
	// domains; no workers here, so nothing asks the system's resolver.
	cfg.Probe.Workers = 0
	srv, err := Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ln, err := Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	serveCtx, stopServer := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(serveCtx, ln) }()
	t.Cleanup(func() {
		stopServer()
		if err := <-served; err != nil {
			t.Errorf("server did not shut down cleanly: %v", err)
		}
	})
	return srv, "http://" + ln.Addr().String()
}
