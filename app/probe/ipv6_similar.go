package probe

import (
	"bytes"
	"context"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/net/html"
)

// Limits of the comparison of a web site over IPv4 and IPv6, internet.nl's
// (checks/tasks/ipv6.py, settings.py).
const (
	// similarMaxBody is how much of each page is compared
	// (SIMHASH_MAX_RESPONSE_SIZE).
	similarMaxBody = 500000
	// similarMaxDistance is how different, in percent, the two pages may
	// be (SIMHASH_MAX).
	similarMaxDistance = 10
)

// familyPage is what a web site serves over one address family: the
// ports (HTTP and HTTPS) that gave an HTTP answer, and the page at the
// end of the redirects from https://host/ (or http://host/ when https does
// not answer), as internet.nl keeps the last port that answered.
type familyPage struct {
	Addr   string   `json:"addr"`
	Ports  []int    `json:"ports"`
	URL    string   `json:"url,omitempty"`
	Status int      `json:"status,omitempty"`
	Bytes  int      `json:"bytes"`
	Errors []string `json:"errors,omitempty"`
	body   []byte
}

// similarity is the comparison of one host's site over IPv4 and IPv6.
type similarity struct {
	Host string      `json:"host"`
	IPv4 *familyPage `json:"ipv4,omitempty"`
	IPv6 *familyPage `json:"ipv6,omitempty"`
	// Distance is 100 minus the similarity ratio in percent; -1 when the
	// pages were not compared.
	Distance float64 `json:"distance"`
}

// fetchFamily fetches / of host at addr on the HTTP port and the HTTPS port
// (certificate not verified, as internet.nl does), each following at most
// maxRedirects redirects; other hosts a redirect names are reached over
// addr's family where they have an address in it.
func (r *run) fetchFamily(ctx context.Context, host string, addr netip.Addr) *familyPage {
	page := &familyPage{Addr: addr.String()}
	type answer struct {
		url    string
		status int
		body   []byte
		err    error
		// joined: the http chain went on to https://host/ at the same
		// address, which the https fetch asks for anyway.
		joined bool
	}
	schemes := []struct {
		scheme string
		port   int
	}{{"http", r.cfg.HTTPPort}, {"https", r.cfg.HTTPSPort}}
	answers := make([]answer, len(schemes))
	var wg sync.WaitGroup
	for i, s := range schemes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pin := webTarget{Host: host, Addr: addr}
			c := r.httpClientVia(pin, false, true)
			cur := hostURL(s.scheme, host, "/")
			for hops := 0; ; hops++ {
				resp, body, _, _, err := r.getShared(ctx, c, pin, cur, similarMaxBody)
				if err != nil {
					answers[i] = answer{url: cur, err: err}
					return
				}
				loc := resp.Header.Get("Location")
				if resp.StatusCode < 300 || resp.StatusCode > 399 || loc == "" || hops == maxRedirects {
					answers[i] = answer{url: cur, status: resp.StatusCode, body: body}
					return
				}
				base, _ := url.Parse(cur)
				next, err := base.Parse(loc)
				if err != nil || (next.Scheme != "http" && next.Scheme != "https") {
					answers[i] = answer{url: cur, status: resp.StatusCode, body: body}
					return
				}
				if s.scheme == "http" && r.isHTTPSHome(next, host) {
					answers[i] = answer{joined: true}
					return
				}
				cur = next.String()
			}
		}()
	}
	wg.Wait()
	if answers[0].joined {
		answers[0] = answers[1]
	}
	for i, a := range answers {
		if a.err != nil {
			page.Errors = append(page.Errors, schemes[i].scheme+": "+a.err.Error())
			continue
		}
		page.Ports = append(page.Ports, schemes[i].port)
		page.URL, page.Status, page.body, page.Bytes = a.url, a.status, a.body, len(a.body)
	}
	return page
}

// isHTTPSHome reports whether u is https://host/ on the HTTPS port, where
// the plain-http chain of most sites arrives and which fetchFamily fetches
// directly too: the chain then ends as that fetch does, one connection less.
func (r *run) isHTTPSHome(u *url.URL, host string) bool {
	port := u.Port()
	return u.Scheme == "https" && strings.EqualFold(u.Hostname(), host) &&
		(port == "" || port == "443" || port == strconv.Itoa(r.cfg.HTTPSPort)) &&
		(u.Path == "" || u.Path == "/") && u.RawQuery == ""
}

// compareFamilies fetches host's site over v4 and v6 and judges the
// web_ipv6_ws_similar subtest into s: both families must answer on the same
// ports with the same HTTP status and pages at most similarMaxDistance
// percent apart. internet.nl fails a difference in ports or status and
// notes a difference in content or an error status; Tenderprobe warns on
// each, since a rate limit or a load balancer's hiccup explains many of
// them (internet.nl issues #485, #1267).
func (r *run) compareFamilies(ctx context.Context, host string, v4, v6 netip.Addr, s subtests) similarity {
	const key = "web_ipv6_ws_similar"
	sim := similarity{Host: host, Distance: -1}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); sim.IPv4 = r.fetchFamily(ctx, host, v4) }()
	go func() { defer wg.Done(); sim.IPv6 = r.fetchFamily(ctx, host, v6) }()
	wg.Wait()
	p4, p6 := sim.IPv4, sim.IPv6
	switch {
	case len(p4.Ports) == 0 || len(p6.Ports) == 0:
		family := "IPv6"
		if len(p4.Ports) == 0 {
			family = "IPv4"
		}
		s.set(key, StatusWarn, Sub{Code: "ipv6_similar_no_answer", Params: map[string]any{"family": family}})
	case !slices.Equal(p4.Ports, p6.Ports):
		s.set(key, StatusWarn, Sub{Code: "ipv6_similar_ports", Params: map[string]any{"ipv4": portList(p4.Ports), "ipv6": portList(p6.Ports)}})
	case p4.Status != p6.Status:
		s.set(key, StatusWarn, Sub{Code: "ipv6_similar_status", Params: map[string]any{"ipv4": p4.Status, "ipv6": p6.Status}})
	default:
		sim.Distance = pageDistance(p4.body, p6.body)
		switch {
		case sim.Distance > similarMaxDistance:
			s.set(key, StatusWarn, Sub{Code: "ipv6_similar_different", Params: map[string]any{"distance": percent(sim.Distance), "max": similarMaxDistance}})
		case p4.Status < 200 || p4.Status > 400:
			s.set(key, StatusWarn, Sub{Code: "ipv6_similar_error_status", Params: map[string]any{"status": p4.Status}})
		default:
			s.pass(key, Sub{Code: "ipv6_similar_same", Params: map[string]any{"status": p4.Status, "distance": percent(sim.Distance)}})
		}
	}
	return sim
}

// pageDistance is internet.nl's measure of how different two pages are, in
// percent: 100 - 100 * difflib's SequenceMatcher.quick_ratio() over the
// pages' bytes, once nonces and ASP.NET view state are taken out.
func pageDistance(a, b []byte) float64 {
	return 100 - 100*quickRatio(stripIrrelevantHTML(a), stripIrrelevantHTML(b))
}

// quickRatio is Python difflib's SequenceMatcher.quick_ratio(): twice the
// number of bytes both have in common (counted as multisets, ignoring
// order) over their total length, 1 for two empty inputs. It bounds the
// real ratio from above and is what internet.nl compares.
func quickRatio(a, b []byte) float64 {
	if len(a)+len(b) == 0 {
		return 1
	}
	var avail [256]int
	for _, c := range b {
		avail[c]++
	}
	matches := 0
	for _, c := range a {
		if avail[c] > 0 {
			avail[c]--
			matches++
		}
	}
	return 2 * float64(matches) / float64(len(a)+len(b))
}

// stripIrrelevantHTML removes what differs on every request without the
// content differing: the nonce of script and style elements and ASP.NET's
// __VIEWSTATE input, as internet.nl's strip_irrelevant_html does. A body
// that is not HTML comes out as the parser renders it, which is harmless
// since both sides go through the same steps.
func stripIrrelevantHTML(body []byte) []byte {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return body
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			if c.Type == html.ElementNode {
				switch c.Data {
				case "script", "style":
					c.Attr = slices.DeleteFunc(c.Attr, func(a html.Attribute) bool { return a.Key == "nonce" })
				case "input":
					if slices.ContainsFunc(c.Attr, func(a html.Attribute) bool { return a.Key == "name" && a.Val == "__VIEWSTATE" }) {
						n.RemoveChild(c)
						c = next
						continue
					}
				}
			}
			walk(c)
			c = next
		}
	}
	walk(doc)
	var out bytes.Buffer
	if err := html.Render(&out, doc); err != nil {
		return body
	}
	return out.Bytes()
}

// portList names ports for a sentence.
func portList(ports []int) string {
	if len(ports) == 0 {
		return "-"
	}
	parts := make([]string, len(ports))
	for i, p := range ports {
		parts[i] = strconv.Itoa(p)
	}
	return strings.Join(parts, ", ")
}

// percent rounds a percentage for a sentence.
func percent(p float64) string { return strconv.FormatFloat(p, 'f', 1, 64) }
