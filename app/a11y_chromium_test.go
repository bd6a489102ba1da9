package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"

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

// crawlTabs is how many browser tabs check the crawled pages side by side:
// the pages are found first, over HTTP, so which pages are checked, and as
// which role and in which language, does not depend on the tabs.
const crawlTabs = 3

// crawledPage is a page the crawl found, with the role and the cookies of
// that role's browser it is checked with.
type crawledPage struct {
	role, path string
	cookies    []*network.CookieParam
}

// TestEveryPageIsAccessibleAndReflows crawls, as each demo role, every page
// reachable by links from the dashboard (at most perRoute per route), and
// at desk and phone width runs axe-core's WCAG 2.1 A and AA rules and
// checks that the page does not scroll sideways at 320 CSS px. Any
// violation fails the test, listed by page, width and rule. The crawl
// finds the pages first (the links of each page as the server sends it to
// that role's browser, breadth first, in document order), then crawlTabs
// tabs check them.
func TestEveryPageIsAccessibleAndReflows(t *testing.T) {
	t.Parallel()
	axe := axePath(t)
	axeSource, err := os.ReadFile(axe)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	t.Cleanup(cancel)
	tabs := []context.Context{startChromium(ctx, t)}
	for range crawlTabs - 1 {
		tabs = append(tabs, startChromium(ctx, t))
	}
	_, base := startDemoServer(ctx, t)

	var pages []crawledPage
	checked := map[string]int{} // route (or role and route, for roleViews) → pages checked
	for _, email := range crawlRoles {
		cookies, session := logIn(t, tabs[0], base, email)
		crawl := newCrawl(base, session, email, checked)
		for path, links := crawl.next(); path != ""; path, links = crawl.next() {
			pages = append(pages, crawledPage{role: email, path: path, cookies: cookies})
			crawl.add(links)
		}
	}

	found := make([][]string, len(pages))
	errs := make([]error, len(pages))
	var next atomic.Int64
	var wg sync.WaitGroup
	for _, tab := range tabs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			role := ""
			for i := int(next.Add(1) - 1); i < len(pages); i = int(next.Add(1) - 1) {
				p := pages[i]
				if p.role != role {
					if errs[i] = actAs(tab, p); errs[i] != nil {
						return
					}
					role = p.role
				}
				found[i], errs[i] = checkPage(tab, base+p.path, string(axeSource))
				if errs[i] != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	var problems []string
	for i, p := range pages {
		if errs[i] != nil {
			t.Fatalf("%s %s: %v", p.role, p.path, errs[i])
		}
		for _, f := range found[i] {
			problems = append(problems, fmt.Sprintf("%s %s %s", p.role, p.path, f))
		}
	}
	t.Logf("checked %d pages as %d roles at %d widths in %d tabs", len(pages), len(crawlRoles), len(widths), len(tabs))
	if len(pages) < 25 {
		t.Errorf("the crawl reached only %d pages; the links it follows are broken", len(pages))
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// logIn signs email in through the login form in the tab, its browser
// asking for the role's language (crawlLanguages), and returns the
// browser's cookies and the session's.
func logIn(t *testing.T, tab context.Context, base, email string) ([]*network.CookieParam, string) {
	t.Helper()
	if err := actAs(tab, crawledPage{role: email}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab,
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
	got, err := chromedp.Call(tab, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		t.Fatal(err)
	}
	var cookies []*network.CookieParam
	var session string
	for _, c := range got.Cookies {
		if c.Name == "tp_session" {
			session = c.Value
		}
		cookies = append(cookies, &network.CookieParam{Name: c.Name, Value: c.Value, Domain: c.Domain, Path: c.Path,
			Secure: c.Secure, HTTPOnly: c.HTTPOnly, SameSite: c.SameSite})
	}
	if session == "" {
		t.Fatalf("%s: no session cookie after logging in", email)
	}
	return cookies, session
}

// actAs makes the tab's browser p's role's: its cookies (none before
// logging in) and its language.
func actAs(tab context.Context, p crawledPage) error {
	if _, err := chromedp.Call(tab, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		return err
	}
	if len(p.cookies) > 0 {
		if _, err := chromedp.Call(tab, network.SetCookies, network.SetCookiesParams{Cookies: p.cookies}); err != nil {
			return err
		}
	}
	_, err := chromedp.Call(tab, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": crawlLanguages[p.role]}})
	return err
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

// next is the next page to check, and its links: a link that answers 200
// with HTML, and not more than perRoute of its route.
func (c *crawl) next() (string, []string) {
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
		req.Header.Set("Accept-Language", crawlLanguages[c.role])
		res, err := c.client.Do(req)
		if err != nil {
			continue
		}
		links, err := pageLinks(res.Body, res.Request.URL)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			continue
		}
		c.visits[key]++
		return path, links
	}
	return "", nil
}

// pageLinks are the targets of the page's a elements with an href, in
// document order, resolved against the page's address as a browser
// resolves them.
func pageLinks(body io.Reader, page *url.URL) ([]string, error) {
	var links []string
	z := html.NewTokenizer(body)
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() == io.EOF {
				return links, nil
			}
			return nil, z.Err()
		case html.StartTagToken, html.SelfClosingTagToken:
			name, more := z.TagName()
			if string(name) != "a" {
				continue
			}
			for more {
				var key, val []byte
				key, val, more = z.TagAttr()
				if string(key) != "href" {
					continue
				}
				if u, err := page.Parse(strings.TrimSpace(string(val))); err == nil {
					links = append(links, u.String())
				}
				break
			}
		}
	}
}

// checkPage opens url and, at each of the widths, runs axe-core's WCAG 2.1
// A and AA rules and the reflow check; it returns the problems, each
// prefixed with its width.
func checkPage(ctx context.Context, url string, axeSource string) ([]string, error) {
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(widths[0].width, widths[0].height),
		chromedp.Navigate(url),
		chromedp.WaitReady(chromedp.CSS("body")),
	); err != nil {
		return nil, err
	}
	// The tab checks the page the crawl found as that role, not the login
	// page a tab without the role's session would be sent to.
	at, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		return nil, err
	}
	if at != url {
		return nil, fmt.Errorf("the tab was sent to %s", at)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeSource+";true")); err != nil {
		return nil, fmt.Errorf("load axe-core: %w", err)
	}
	var found []string
	for _, w := range widths {
		// The same document at another width: the layout follows, and a
		// second load of the page would cost as much as the check.
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w.width, w.height)); err != nil {
			return nil, err
		}
		problems, err := checkWidth(ctx, w.width)
		if err != nil {
			return nil, fmt.Errorf("at %s width: %w", w.name, err)
		}
		for _, p := range problems {
			found = append(found, "("+w.name+"): "+p)
		}
	}
	return found, nil
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
