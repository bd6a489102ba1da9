package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"tenderprobe/handlers"
	"tenderprobe/seed"
)

// axePath finds axe-core's browser build: TENDERPROBE_AXE, or the copy
// .ci/run installs from npm under .ci/node_modules. Without it the crawl
// is skipped, or fails with CI=true.
func axePath(t *testing.T) string {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	for _, p := range []string{os.Getenv("TENDERPROBE_AXE"), filepath.Join(filepath.Dir(here), "..", ".ci", "node_modules", "axe-core", "axe.min.js")} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("axe-core is not installed but CI=true: run .ci/run (npm ci --prefix .ci) or set TENDERPROBE_AXE")
	}
	t.Skip("axe-core not installed; run `npm ci --prefix .ci` or set TENDERPROBE_AXE to run the accessibility crawl")
	return ""
}

// widths are the viewports every crawled page is checked at: a desk and
// the narrowest phone WCAG 1.4.10 (reflow) names.
var widths = []struct {
	name          string
	width, height int64
}{
	{"desk", 1280, 900},
	{"phone", 320, 800},
}

// crawlRoles are the demo accounts whose dashboards the crawl starts from.
var crawlRoles = []string{"admin@demo.test", "officer@demo.test", "auditor@demo.test", "vendor@demo.test"}

// crawlLanguages is the language each role's browser asks for, so the
// crawl checks Dutch and Spanish pages too, whose longer words are the
// harder case for a phone's width.
var crawlLanguages = map[string]string{"admin@demo.test": "nl", "officer@demo.test": "es", "auditor@demo.test": "en", "vendor@demo.test": "nl"}

// perRoute is how many pages of one route (one handler and template) the
// crawl checks: the same template with other data rarely differs, and
// every page costs two axe runs. The pages in roleViews differ by role
// (other sections, forms and buttons), so each role's crawl checks them
// again; the others are checked once, by the first role that reaches them.
const perRoute = 1

var roleViews = map[string]bool{"/": true, "/tenders/:id": true, "/attestations/:id": true}

// notAPage are links the crawl does not follow: they leave the session,
// download files or are the API.
var notAPage = regexp.MustCompile(`^/(logout|static/|api/|healthz)|\.(pdf|csv|json|zip|yaml|txt|docx|xlsx)$|/(download|export|sheet|receipt\.json)$`)

// routePatterns are the GET routes of the route table as regular
// expressions, to tell which route a crawled path is a page of.
func routePatterns() map[string]*regexp.Regexp {
	param := regexp.MustCompile(`:[a-z_]+`)
	out := map[string]*regexp.Regexp{}
	for _, r := range routeTable(&handlers.Handler{}) {
		if r.method == http.MethodGet {
			out[r.path] = regexp.MustCompile("^" + param.ReplaceAllString(regexp.QuoteMeta(r.path), `[^/]+`) + "$")
		}
	}
	return out
}

// axeViolation is the part of an axe-core result the report shows.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// TestEveryPageIsAccessibleAndReflows crawls, as each demo role, every page
// reachable by links from the dashboard (at most perPattern per path
// pattern), and at desk and phone width runs axe-core's WCAG 2.1 A and AA
// rules and checks that the page does not scroll sideways at 320 CSS px.
// Any violation fails the test, listed by page, width and rule.
func TestEveryPageIsAccessibleAndReflows(t *testing.T) {
	t.Parallel()
	axe := axePath(t)
	axeSource, err := os.ReadFile(axe)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	t.Cleanup(cancel)
	bctx := startChromium(ctx, t)
	_, base := startDemoServer(ctx, t)

	var problems []string
	pages := 0
	checked := map[string]int{} // route (or role and route, for roleViews) → pages checked
	for _, email := range crawlRoles {
		if _, err := chromedp.Call(bctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(bctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Accept-Language": crawlLanguages[email]}}); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(bctx,
			chromedp.EmulateViewport(1280, 900),
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(chromedp.ID("email")),
			chromedp.SetValue(chromedp.ID("email"), email),
			chromedp.SetValue(chromedp.ID("password"), seed.DemoPassword),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.CSS("main h1")),
		); err != nil {
			t.Fatalf("%s logs in: %v", email, err)
		}
		cookies, err := chromedp.Call(bctx, network.GetCookies, network.GetCookiesParams{})
		if err != nil {
			t.Fatal(err)
		}
		var session string
		for _, c := range cookies.Cookies {
			if c.Name == "tp_session" {
				session = c.Value
			}
		}
		if session == "" {
			t.Fatalf("%s: no session cookie after logging in", email)
		}
		crawl := newCrawl(base, session, email, checked)
		for path := crawl.next(); path != ""; path = crawl.next() {
			found, links, err := checkPage(bctx, base+path, string(axeSource))
			if err != nil {
				t.Fatalf("%s %s: %v", email, path, err)
			}
			for _, f := range found {
				problems = append(problems, fmt.Sprintf("%s %s %s", email, path, f))
			}
			crawl.add(links)
			pages++
		}
	}
	t.Logf("checked %d pages as %d roles at %d widths", pages, len(crawlRoles), len(widths))
	if pages < 25 {
		t.Errorf("the crawl reached only %d pages; the links it follows are broken", pages)
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// crawl is a breadth-first walk over same-site page links.
type crawl struct {
	base, session string
	queue         []string
	seen          map[string]bool
	role          string
	visits        map[string]int // shared by the roles' crawls
	routes        map[string]*regexp.Regexp
	client        *http.Client
}

func newCrawl(base, session, role string, visits map[string]int) *crawl {
	return &crawl{base: base, session: session, role: role, queue: []string{"/"}, seen: map[string]bool{"/": true},
		visits: visits, routes: routePatterns(), client: &http.Client{Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// add queues the links of a page that stay on the site and are pages.
func (c *crawl) add(links []string) {
	for _, l := range links {
		u, err := url.Parse(l)
		if err != nil || u.Host != strings.TrimPrefix(c.base, "http://") {
			continue
		}
		path := u.Path
		if u.RawQuery != "" {
			path += "?" + u.RawQuery
		}
		if c.seen[path] || notAPage.MatchString(u.Path) {
			continue
		}
		c.seen[path] = true
		c.queue = append(c.queue, path)
	}
}

// routeOf is the route a path is a page of; "" when none matches.
func (c *crawl) routeOf(path string) string {
	best := ""
	for route, re := range c.routes {
		// A literal route beats one with parameters (/tenders/new over
		// /tenders/:id): the longer literal text wins.
		if re.MatchString(path) && (best == "" || len(strings.Split(route, ":")[0]) > len(strings.Split(best, ":")[0])) {
			best = route
		}
	}
	return best
}

// next is the next page to check: a link that answers 200 with HTML, and
// not more than perRoute of its route.
func (c *crawl) next() string {
	for len(c.queue) > 0 {
		path := c.queue[0]
		c.queue = c.queue[1:]
		route := c.routeOf(strings.SplitN(path, "?", 2)[0])
		key := route
		if roleViews[route] {
			key = c.role + " " + route
		}
		if route == "" || c.visits[key] >= perRoute {
			continue
		}
		req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
		if err != nil {
			continue
		}
		req.AddCookie(&http.Cookie{Name: "tp_session", Value: c.session})
		res, err := c.client.Do(req)
		if err != nil {
			continue
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			continue
		}
		c.visits[key]++
		return path
	}
	return ""
}

// checkPage opens url and, at each of the widths, runs axe-core's WCAG 2.1
// A and AA rules and the reflow check; it returns the problems, each
// prefixed with its width, and the page's links.
func checkPage(ctx context.Context, url string, axeSource string) ([]string, []string, error) {
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(widths[0].width, widths[0].height),
		chromedp.Navigate(url),
		chromedp.WaitReady(chromedp.CSS("body")),
	); err != nil {
		return nil, nil, err
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeSource+";true")); err != nil {
		return nil, nil, fmt.Errorf("load axe-core: %w", err)
	}
	var found []string
	for _, w := range widths {
		// The same document at another width: the layout follows, and a
		// second load of the page would cost as much as the check.
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w.width, w.height)); err != nil {
			return nil, nil, err
		}
		problems, err := checkWidth(ctx, w.width)
		if err != nil {
			return nil, nil, fmt.Errorf("at %s width: %w", w.name, err)
		}
		for _, p := range problems {
			found = append(found, "("+w.name+"): "+p)
		}
	}
	links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("a[href]")].map(a => a.href)`))
	if err != nil {
		return nil, nil, err
	}
	return found, links, nil
}

// checkWidth runs axe-core and, at phone widths, the reflow check on the
// page as it is laid out now.
func checkWidth(ctx context.Context, width int64) ([]string, error) {
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("axe.run: %w", err)
	}
	var violations []axeViolation
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		return nil, err
	}
	var found []string
	for _, v := range violations {
		for _, n := range v.Nodes {
			found = append(found, fmt.Sprintf("axe %s (%s): %s at %v: %s", v.ID, v.Impact, v.Help, n.Target, strings.ReplaceAll(n.Summary, "\n", " ")))
		}
	}
	// Reflow: at 320 CSS px nothing may make the page itself scroll
	// sideways; wide tables scroll inside their own container.
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const doc = document.documentElement;
		if (doc.scrollWidth <= window.innerWidth) return "";
		const wide = [...document.querySelectorAll("body *")].filter(e => {
			const r = e.getBoundingClientRect();
			if (r.right <= window.innerWidth + 1 || r.width === 0) return false;
			for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
				const s = getComputedStyle(p).overflowX;
				if (s === "auto" || s === "scroll" || s === "hidden") return false;
			}
			return true;
		}).slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") + " " + Math.round(e.getBoundingClientRect().right) + "px");
		return doc.scrollWidth + "px wide: " + wide.join(", ");
	})()`))
	if err != nil {
		return nil, err
	}
	if overflow != "" && width <= 400 {
		found = append(found, "the page scrolls sideways at "+fmt.Sprint(width)+" px: "+overflow)
	}
	return found, nil
}
