package app

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds the browser; without it the journey is skipped, or
// fails with CI=true because CI must run it. Chromium's headless shell
// (Debian's chromium-headless-shell: the same Blink and V8 without the
// browser's window and address bar) comes first: the journeys and the
// accessibility crawl cost 48 CPU seconds in it against 61 in the full
// browser's headless mode.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("TENDERPROBE_CHROMIUM"), "/usr/bin/chromium-headless-shell", "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is not installed but CI=true: the browser journey must run in CI (apt-get install chromium-headless-shell)")
	}
	t.Skip("Chromium not installed; set TENDERPROBE_CHROMIUM or install chromium-headless-shell to run the browser journey")
	return ""
}

// chromium is the test binary's one browser, started by the first journey
// and closed by TestMain (closeChromium): starting Chromium costs more than
// most journeys.
var chromium struct {
	once  sync.Once
	ctx   context.Context
	close func()
	err   error
}

// closeChromium stops the browser, if a journey started it.
func closeChromium() {
	if chromium.close != nil {
		chromium.close()
	}
}

// startChromium returns the context of a headless Chromium tab in a
// browser context of its own (cookies, storage, cache and downloads apart
// from the other journeys'), bounded by ctx; the tab and its browser
// context are closed when the test ends. Journeys run in parallel, each in
// its own tab, as many at once as go test's -parallel allows: a journey
// that waited for the browser held one of those places doing nothing, and
// its deadline ran out while it queued. A missing Chromium skips the test,
// or fails it with CI=true (chromiumPath), so call this before any costly
// setup.
func startChromium(ctx context.Context, t *testing.T) context.Context {
	t.Helper()
	bin := chromiumPath(t)
	chromium.once.Do(func() {
		dir, err := os.MkdirTemp("", "tenderprobe-chromium-")
		if err != nil {
			chromium.err = err
			return
		}
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(dir), chromedp.WindowSize(1280, 1000),
			// In the full browser (when the headless shell is not
			// installed) each browser context opens a window whose address bar
			// preloads its suggestion popups as web pages, each in a
			// renderer of its own: about a fifth of the browser's CPU
			// time in the journeys, for a popup no test shows.
			// Without site isolation trials and the spare renderer
			// Chromium keeps in reserve, a run starts about 14 renderer
			// processes instead of 74 (all the journeys' pages are on
			// loopback): about 4 CPU seconds of the journeys' 64 there.
			chromedp.Flag("disable-features", "WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup,SpareRendererForSitePerProcess"),
			chromedp.Flag("disable-site-isolation-trials", true),
		)
		bctx, cancelBrowser := chromedp.NewContext(allocCtx)
		chromium.ctx = bctx
		chromium.close = func() {
			cancelBrowser()
			cancelAlloc()
			_ = os.RemoveAll(dir)
		}
		// Start it now, for the life of the binary rather than of this
		// journey: the first run on a context binds the browser to it.
		chromium.err = chromedp.Do(bctx)
	})
	if chromium.err != nil {
		t.Fatalf("start Chromium: %v", chromium.err)
	}
	tab, closeTab := chromedp.NewContext(chromium.ctx, chromedp.WithNewBrowserContext())
	// The journey's deadline and cancellation bound every action in the tab.
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(time.Hour)
	}
	bctx, stop := context.WithDeadline(tab, deadline)
	stopWithJourney := context.AfterFunc(ctx, stop)
	closeAll := sync.OnceFunc(func() {
		stopWithJourney()
		stop()
		closeTab()
	})
	openTabs.Lock()
	openTabs.of[t] = append(openTabs.of[t], closeAll)
	openTabs.Unlock()
	t.Cleanup(func() {
		closeTabOf(t)
		closeAll()
	})
	return bctx
}

// openTabs holds, per journey, the funcs that close its tabs and their
// browser contexts (a journey may open several).
var openTabs = struct {
	sync.Mutex
	of map[*testing.T][]func()
}{of: map[*testing.T][]func(){}}

// closeTabOf closes the browser tabs and browser contexts of t's journey,
// if it has any. The journey's servers call it before they shut down: the
// browser stays up for the next journey, and a connection it keeps open to
// a server, even one it only opened in advance, makes a graceful shutdown
// wait it out.
func closeTabOf(t *testing.T) {
	openTabs.Lock()
	closers := openTabs.of[t]
	delete(openTabs.of, t)
	openTabs.Unlock()
	for _, f := range closers {
		f()
	}
}

// browserContextOf is the browser context of the tab of ctx (from
// startChromium), for browser-wide commands that take one, such as where
// downloads go.
func browserContextOf(ctx context.Context) cdp.BrowserContextID {
	return chromedp.FromContext(ctx).BrowserContextID
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
	return startServer(ctx, t, cfg)
}

// startServer opens the app with cfg (its Addr on 127.0.0.1:0) and serves
// it under ctx until the test ends, when it must shut down cleanly. It
// returns the server and its base URL.
func startServer(ctx context.Context, t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
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
		closeTabOf(t)
		stopServer()
		if err := <-served; err != nil {
			t.Errorf("server did not shut down cleanly: %v", err)
		}
	})
	return srv, "http://" + ln.Addr().String()
}
