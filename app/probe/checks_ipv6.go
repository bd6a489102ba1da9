package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/netguard"
)

// checkIPv6 reports whether the web site, the mail servers and the name
// servers can be reached over IPv6, as internet.nl's IPv6 tests do:
//
//	web.ipv6:  the apex and www. (when it exists) have at least one AAAA,
//	           every IPv6 address accepts TCP on the HTTP or HTTPS port, and
//	           the site is the same over IPv4 and IPv6 (compareFamilies);
//	mail.ipv6: every MX has an AAAA and every IPv6 address accepts TCP on
//	           the SMTP port (not applicable without MX or with a null MX);
//	ns.ipv6:   at least two name servers have an AAAA (IPv4-mapped ones do not
//	           count) and every IPv6 address answers a DNS query on NSPort.
//
// The three run concurrently; DNS lookups are shared with other checks
// through the run's cache, and every connection goes through the SSRF guard.
func checkIPv6(ctx context.Context, r *run) []Check {
	var (
		wg                sync.WaitGroup
		web, mail, nsName Check
	)
	wg.Add(3)
	go func() { defer wg.Done(); web = r.checkWebIPv6(ctx) }()
	go func() { defer wg.Done(); mail = r.checkMailIPv6(ctx) }()
	go func() { defer wg.Done(); nsName = r.checkNSIPv6(ctx) }()
	wg.Wait()
	return []Check{web, mail, nsName}
}

// webNames are the names a domain's web checks cover: the domain and
// www.<domain>, or the domain alone when it is a www name already (a
// scope may name www.example.nl; www.www.example.nl is nobody's site).
func webNames(domain string) []string {
	if strings.HasPrefix(domain, "www.") {
		return []string{domain}
	}
	return []string{domain, "www." + domain}
}

// noWebCode is the finding that domain has no web site or server (code):
// a www name's own, which names no www.www.
func noWebCode(code, domain string) string {
	if len(webNames(domain)) == 1 {
		return code + "_www"
	}
	return code
}

// webHosts returns those of the domain and www.<domain> that have an
// address (A or AAAA): the web checks cover both, and a name without any
// address has no web site to test.
func (r *run) webHosts(ctx context.Context) ([]string, error) {
	var hosts []string
	for _, h := range webNames(r.domain) {
		v4, v6, err := r.lookupAddrs(ctx, h)
		if err != nil {
			return nil, err
		}
		if len(v4)+len(v6) > 0 {
			hosts = append(hosts, h)
		}
	}
	return hosts, nil
}

// realIPv6 splits AAAA answers into usable IPv6 addresses and IPv4-mapped
// ones (::ffff:a.b.c.d), which are IPv4 in disguise and do not count.
func realIPv6(addrs []netip.Addr) (v6 []netip.Addr, mapped []string) {
	for _, a := range addrs {
		if a.Is4In6() {
			mapped = append(mapped, a.String())
			continue
		}
		v6 = append(v6, a)
	}
	return v6, mapped
}

// portResult is the outcome of one TCP connection attempt, as evidence.
type portResult struct {
	Address string `json:"address"`
	Port    int    `json:"port"`
	Open    bool   `json:"open"`
	Error   string `json:"error,omitempty"`
	// Refused is set when the SSRF guard refused the address.
	Refused string `json:"refused,omitempty"`
	// NoRoute is set when this machine has no route to the address: a
	// fault of the probing side, not of the domain.
	NoRoute bool `json:"no_route,omitempty"`
}

// noLocalRoute reports whether a dial failed before leaving this machine
// because it has no route to the network (typically: no IPv6 connectivity).
func noLocalRoute(err error) bool {
	return errors.Is(err, syscall.ENETUNREACH)
}

// dialFailure describes a dial that failed: its error, why the SSRF
// guard refused the address when it did, and whether this machine has no
// route to it (a fault of the probing side, not of the domain).
func dialFailure(err error) (msg, refused string, noRoute bool) {
	var ref *netguard.RefusedError
	if errors.As(err, &ref) {
		refused = ref.Why
	}
	return err.Error(), refused, noLocalRoute(err)
}

// noRouteError turns "this machine cannot reach IPv6" into an error verdict
// instead of blaming the domain.
func noRouteError(addrs []string) error {
	return fmt.Errorf("this machine has no route to %s (no IPv6 connectivity?), so IPv6 reachability cannot be judged", strings.Join(addrs, ", "))
}

// tcpConnect opens and closes one TCP connection through the SSRF guard.
func (r *run) tcpConnect(ctx context.Context, addr netip.Addr, port int) portResult {
	res := portResult{Address: addr.String(), Port: port}
	conn, err := r.dial(ctx, "tcp", net.JoinHostPort(addr.String(), strconv.Itoa(port)))
	if err != nil {
		res.Error, res.Refused, res.NoRoute = dialFailure(err)
		return res
	}
	conn.Close()
	res.Open = true
	return res
}

// connectAll tries every (address, port) pair concurrently.
func (r *run) connectAll(ctx context.Context, addrs []netip.Addr, ports []int) []portResult {
	out := make([]portResult, len(addrs)*len(ports))
	var wg sync.WaitGroup
	for i, a := range addrs {
		for j, p := range ports {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out[i*len(ports)+j] = r.tcpConnect(ctx, a, p)
			}()
		}
	}
	wg.Wait()
	return out
}

// noRoutes lists the addresses this machine had no route to.
func noRoutes(results []portResult) []string {
	seen := map[string]bool{}
	var out []string
	for _, res := range results {
		if res.NoRoute && !seen[res.Address] {
			seen[res.Address] = true
			out = append(out, res.Address)
		}
	}
	return out
}

// refusals summarises the SSRF guard's refusals for a summary line.
func refusals(results []portResult) any {
	seen := map[string]bool{}
	var parts []string
	for _, res := range results {
		if res.Refused != "" && !seen[res.Address] {
			seen[res.Address] = true
			parts = append(parts, res.Address+" ("+res.Refused+")")
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return Sub{Code: "refused_private", Params: map[string]any{"addresses": parts}}
}

func (r *run) checkWebIPv6(ctx context.Context) Check {
	const id = check.WebIPv6
	hosts, err := r.webHosts(ctx)
	if err != nil {
		return errorChecks(err, id)[0]
	}
	if len(hosts) == 0 {
		return newFinding(id, StatusNotApplicable, noWebCode("no_web_site", r.domain), map[string]any{"domain": r.domain}, nil)
	}
	type hostEvidence struct {
		Host        string       `json:"host"`
		AAAA        []string     `json:"aaaa"`
		IPv4Mapped  []string     `json:"ipv4_mapped,omitempty"`
		Connections []portResult `json:"connections,omitempty"`
		Similarity  *similarity  `json:"similarity,omitempty"`
		v4, v6      []netip.Addr
	}
	var (
		evidence    []hostEvidence
		noAAAA      []string
		unreachable []string
		all         []portResult
	)
	ports := []int{r.cfg.HTTPPort, r.cfg.HTTPSPort}
	// The apex and www often share addresses: each address is connected to
	// once per port, all at the same time, and the result shared.
	var unique []netip.Addr
	seen := map[netip.Addr]bool{}
	for _, h := range hosts {
		v4, aaaa, err := r.lookupAddrs(ctx, h)
		if err != nil {
			return errorChecks(err, id)[0]
		}
		v6, mapped := realIPv6(aaaa)
		evidence = append(evidence, hostEvidence{Host: h, AAAA: addrStrings(v6), IPv4Mapped: mapped, v4: v4, v6: v6})
		if len(v6) == 0 {
			noAAAA = append(noAAAA, h)
		}
		for _, a := range v6 {
			if !seen[a] {
				seen[a] = true
				unique = append(unique, a)
			}
		}
	}
	all = r.connectAll(ctx, unique, ports)
	perHost := make([]subtests, len(evidence))
	var wg sync.WaitGroup
	for i := range evidence {
		ev := &evidence[i]
		s := subtests{}
		perHost[i] = s
		if len(ev.v6) == 0 {
			s.fail("web_ipv6_ws_address", Sub{Code: "ipv6_web_no_aaaa", Params: map[string]any{"host": ev.Host}})
			s.set("web_ipv6_ws_reach", StatusNotApplicable, Sub{Code: "ipv6_not_tested_no_aaaa", Params: nil})
			s.set("web_ipv6_ws_similar", StatusNotApplicable, Sub{Code: "ipv6_not_tested_no_aaaa", Params: nil})
			continue
		}
		s.pass("web_ipv6_ws_address", Sub{Code: "ipv6_web_aaaa", Params: map[string]any{"addresses": ev.AAAA}})
		// internet.nl asks every IPv6 address to answer on 80 and/or 443.
		var open, closed, noRoute []string
		var firstOpen netip.Addr
		for _, a := range ev.v6 {
			ok, lost := false, false
			for _, c := range all {
				if c.Address == a.String() {
					ev.Connections = append(ev.Connections, c)
					ok = ok || c.Open
					lost = lost || c.NoRoute
				}
			}
			switch {
			case ok:
				open = append(open, a.String())
				if !firstOpen.IsValid() {
					firstOpen = a
				}
			case lost:
				noRoute = append(noRoute, a.String())
			default:
				closed = append(closed, a.String())
				unreachable = append(unreachable, a.String()+" ("+ev.Host+")")
			}
		}
		switch {
		case len(closed) > 0:
			s.fail("web_ipv6_ws_reach", Sub{Code: "ipv6_web_unreachable", Params: map[string]any{"addresses": closed, "http_port": r.cfg.HTTPPort, "https_port": r.cfg.HTTPSPort}})
		case len(noRoute) > 0:
			s.set("web_ipv6_ws_reach", StatusError, Sub{Code: "error", Params: map[string]any{"error": noRouteError(noRoute).Error()}})
		default:
			s.pass("web_ipv6_ws_reach", Sub{Code: "ipv6_web_reachable", Params: map[string]any{"addresses": open}})
		}
		switch {
		case !firstOpen.IsValid() && len(noRoute) > 0:
			s.set("web_ipv6_ws_similar", StatusError, Sub{Code: "error", Params: map[string]any{"error": noRouteError(noRoute).Error()}})
		case !firstOpen.IsValid():
			s.set("web_ipv6_ws_similar", StatusNotApplicable, Sub{Code: "ipv6_not_tested_unreachable", Params: nil})
		case len(ev.v4) == 0:
			// internet.nl: an IPv6-only site has nothing to compare.
			s.set("web_ipv6_ws_similar", StatusNotApplicable, Sub{Code: "ipv6_not_tested_no_ipv4", Params: nil})
		default:
			wg.Add(1)
			go func() {
				defer wg.Done()
				sim := r.compareFamilies(ctx, ev.Host, ev.v4[0], firstOpen, s)
				ev.Similarity = &sim
			}()
		}
	}
	wg.Wait()
	all6 := subtests{}
	for i, ev := range evidence {
		all6.on(ev.Host, perHost[i])
	}
	details := map[string]any{"hosts": evidence, "ports": ports}
	var c Check
	switch {
	case len(noAAAA) > 0:
		c = newFinding(id, StatusFail, "web_ipv6_no_aaaa", map[string]any{"hosts": noAAAA}, details)
	case len(unreachable) > 0:
		c = newFinding(id, StatusFail, "web_ipv6_unreachable", map[string]any{
			"http_port": r.cfg.HTTPPort, "https_port": r.cfg.HTTPSPort, "addresses": unreachable, "refused": refusals(all)}, details)
	case len(noRoutes(all)) > 0:
		msg := noRouteError(noRoutes(all)).Error()
		details["error"] = msg
		c = newFinding(id, StatusError, "untestable", map[string]any{"error": msg}, details)
	default:
		c = newFinding(id, StatusPass, "web_ipv6_ok", map[string]any{"hosts": hosts}, details)
	}
	c.judge(all6)
	return c
}

func (r *run) checkMailIPv6(ctx context.Context) Check {
	const id = check.MailIPv6
	ms, err := r.mailServers(ctx)
	if err != nil {
		return errorChecks(err, id)[0]
	}
	hosts := ms.Hosts
	if len(hosts) == 0 {
		c := ms.notApplicable(id)
		// internet.nl does not test the IPv6 of mail servers a domain
		// does not have; a null MX that is not needed, or one that should
		// be published, informs (MailIpv6MxAaaa).
		c.judge(ms.withoutServers("mail_ipv6_mx_address", "mail_ipv6_mx_reach"))
		return c
	}
	type mxEvidence struct {
		Host        string       `json:"host"`
		AAAA        []string     `json:"aaaa"`
		IPv4Mapped  []string     `json:"ipv4_mapped,omitempty"`
		Connections []portResult `json:"connections,omitempty"`
	}
	evidence, err := eachHostIPv6(ctx, r, hosts, func(h string, v6 []netip.Addr, mapped []string) mxEvidence {
		return mxEvidence{Host: h, AAAA: addrStrings(v6), IPv4Mapped: mapped,
			Connections: r.connectAll(ctx, v6, []int{r.cfg.SMTPPort})}
	})
	if err != nil {
		return errorChecks(err, id)[0]
	}
	var noAAAA, unreachable []string
	var all []portResult
	for _, ev := range evidence {
		if len(ev.AAAA) == 0 {
			noAAAA = append(noAAAA, ev.Host)
		}
		for _, c := range ev.Connections {
			if !c.Open {
				unreachable = append(unreachable, c.Address+" ("+ev.Host+")")
			}
		}
		all = append(all, ev.Connections...)
	}
	details := map[string]any{"mx": evidence, "port": r.cfg.SMTPPort}
	var c Check
	switch {
	case len(noAAAA) > 0:
		c = newFinding(id, StatusFail, "mail_ipv6_no_aaaa", map[string]any{"hosts": noAAAA}, details)
	case len(unreachable) > 0 && len(noRoutes(all)) > 0:
		c = errorChecks(noRouteError(noRoutes(all)), id)[0]
	case len(unreachable) > 0:
		c = newFinding(id, StatusFail, "mail_ipv6_unreachable", map[string]any{
			"port": r.cfg.SMTPPort, "addresses": unreachable, "refused": refusals(all)}, details)
	default:
		c = newFinding(id, StatusPass, "mail_ipv6_ok", map[string]any{"count": len(hosts)}, details)
	}
	c.judge(mxIPv6Subtests(len(hosts), noAAAA, all, r.cfg.SMTPPort))
	ms.noteNullBesideOthers(&c, "mail_ipv6_mx_address")
	return c
}

// mxIPv6Subtests judges internet.nl's mail_ipv6_mx_address (every MX has
// an AAAA) and mail_ipv6_mx_reach (every IPv6 address of every MX accepts
// TCP on the SMTP port; not tested when no MX has an AAAA) from the
// connections made.
func mxIPv6Subtests(mxCount int, noAAAA []string, conns []portResult, port int) subtests {
	s := subtests{}
	if len(noAAAA) > 0 {
		s.fail("mail_ipv6_mx_address", Sub{Code: "mail_ipv6_no_aaaa", Params: map[string]any{"hosts": noAAAA}})
	} else {
		s.pass("mail_ipv6_mx_address", Sub{Code: "ipv6_mx_aaaa", Params: map[string]any{"count": mxCount}})
	}
	var closed, open []string
	for _, c := range conns {
		switch {
		case c.Open:
			open = append(open, c.Address)
		case !c.NoRoute:
			closed = append(closed, c.Address)
		}
	}
	switch {
	case len(noAAAA) == mxCount:
		s.set("mail_ipv6_mx_reach", StatusNotApplicable, Sub{Code: "ipv6_not_tested_no_aaaa", Params: nil})
	case len(closed) > 0:
		s.fail("mail_ipv6_mx_reach", Sub{Code: "ipv6_mx_unreachable", Params: map[string]any{"addresses": closed, "port": port}})
	case len(noRoutes(conns)) > 0:
		s.set("mail_ipv6_mx_reach", StatusError, Sub{Code: "error", Params: map[string]any{"error": noRouteError(noRoutes(conns)).Error()}})
	default:
		s.pass("mail_ipv6_mx_reach", Sub{Code: "ipv6_mx_reachable", Params: map[string]any{"addresses": open, "port": port}})
	}
	return s
}

// nameServers returns the NS host names of the zone the domain belongs to:
// the domain's own NS set or, for a name inside a zone, the closest
// enclosing zone's, found by climbing towards the root. zone is where they
// were found.
func (r *run) nameServers(ctx context.Context) (zone string, hosts []string, err error) {
	name := r.domain
	for {
		m, err := r.dns.Query(ctx, name, dns.TypeNS)
		if err != nil {
			return "", nil, err
		}
		if m.Rcode != dns.RcodeSuccess && m.Rcode != dns.RcodeNameError {
			return "", nil, fmt.Errorf("dns NS %s: %s", name, dns.RcodeToString[m.Rcode])
		}
		for _, rr := range m.Answer {
			if ns, ok := rr.(*dns.NS); ok && strings.EqualFold(strings.TrimSuffix(ns.Hdr.Name, "."), name) {
				hosts = append(hosts, strings.ToLower(strings.TrimSuffix(ns.Ns, ".")))
			}
		}
		if len(hosts) > 0 {
			sort.Strings(hosts)
			return name, hosts, nil
		}
		_, parent, ok := strings.Cut(name, ".")
		if !ok || !strings.Contains(parent, ".") {
			return "", nil, fmt.Errorf("no NS records found for %s or its parent zones", r.domain)
		}
		name = parent
	}
}

// dnsAnswer is the outcome of asking a name server directly over IPv6.
type dnsAnswer struct {
	Address  string `json:"address"`
	Answered bool   `json:"answered"`
	Rcode    string `json:"rcode,omitempty"`
	RTTms    int64  `json:"rtt_ms,omitempty"`
	Error    string `json:"error,omitempty"`
	Refused  string `json:"refused,omitempty"`
	NoRoute  bool   `json:"no_route,omitempty"`
}

// askNameServer sends a SOA query for zone to addr:port over UDP, through the
// SSRF guard (it is a connection to a host named by the domain), and accepts
// any well-formed answer with the right ID: the test is reachability, not
// content. A truncated answer is good enough for that.
func (r *run) askNameServer(ctx context.Context, addr netip.Addr, port int, zone string) dnsAnswer {
	res := dnsAnswer{Address: addr.String()}
	start := time.Now()
	conn, err := r.dial(ctx, "udp", net.JoinHostPort(addr.String(), strconv.Itoa(port)))
	if err != nil {
		res.Error, res.Refused, res.NoRoute = dialFailure(err)
		return res
	}
	defer conn.Close()
	deadline := time.Now().Add(r.cfg.ConnTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	conn.SetDeadline(deadline)
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(zone), dns.TypeSOA)
	q.RecursionDesired = false
	q.SetEdns0(1232, false)
	co := &dns.Conn{Conn: conn, UDPSize: 1232}
	if err := co.WriteMsg(q); err != nil {
		res.Error = err.Error()
		res.NoRoute = noLocalRoute(err)
		return res
	}
	for {
		m, err := co.ReadMsg()
		if err != nil {
			res.Error = err.Error()
			return res
		}
		if m.Id != q.Id {
			continue // a stray datagram; keep waiting until the deadline
		}
		res.Answered = true
		res.Rcode = dns.RcodeToString[m.Rcode]
		res.RTTms = time.Since(start).Milliseconds()
		return res
	}
}

func (r *run) checkNSIPv6(ctx context.Context) Check {
	const id = check.NSIPv6
	zone, hosts, err := r.nameServers(ctx)
	if err != nil {
		return errorChecks(err, id)[0]
	}
	type nsEvidence struct {
		Host       string      `json:"host"`
		AAAA       []string    `json:"aaaa"`
		IPv4Mapped []string    `json:"ipv4_mapped,omitempty"`
		Queries    []dnsAnswer `json:"queries,omitempty"`
	}
	evidence, err := eachHostIPv6(ctx, r, hosts, func(h string, v6 []netip.Addr, mapped []string) nsEvidence {
		ev := nsEvidence{Host: h, AAAA: addrStrings(v6), IPv4Mapped: mapped, Queries: make([]dnsAnswer, len(v6))}
		var qwg sync.WaitGroup
		for j, a := range v6 {
			qwg.Add(1)
			go func() { defer qwg.Done(); ev.Queries[j] = r.askNameServer(ctx, a, r.cfg.NSPort, zone) }()
		}
		qwg.Wait()
		return ev
	})
	if err != nil {
		return errorChecks(err, id)[0]
	}
	withAAAA := 0
	var silent, refusedTo, noRoute []string
	for _, ev := range evidence {
		if len(ev.AAAA) > 0 {
			withAAAA++
		}
		for _, q := range ev.Queries {
			if !q.Answered {
				silent = append(silent, q.Address+" ("+ev.Host+")")
			}
			if q.NoRoute {
				noRoute = append(noRoute, q.Address)
			}
			if q.Refused != "" {
				refusedTo = append(refusedTo, q.Address+" ("+q.Refused+")")
			}
		}
	}
	details := map[string]any{"zone": zone, "name_servers": evidence, "with_aaaa": withAAAA, "port": r.cfg.NSPort}
	var refused any = ""
	if len(refusedTo) > 0 {
		refused = Sub{Code: "refused_private", Params: map[string]any{"addresses": refusedTo}}
	}
	tooFew := Sub{Code: "ns_ipv6_too_few", Params: map[string]any{"with_aaaa": withAAAA, "total": len(hosts), "zone": zone}}
	silentSub := Sub{Code: "ns_ipv6_silent", Params: map[string]any{"addresses": silent, "refused": refused}}
	var c Check
	switch {
	case withAAAA < 2:
		c = newFinding(id, StatusFail, tooFew.Code, tooFew.Params, details)
	case len(noRoute) > 0:
		c = errorChecks(noRouteError(noRoute), id)[0]
	case len(silent) > 0:
		c = newFinding(id, StatusFail, silentSub.Code, silentSub.Params, details)
	default:
		c = newFinding(id, StatusPass, "ns_ipv6_ok", map[string]any{"count": withAAAA, "zone": zone}, details)
	}
	// internet.nl runs the same name server test in its web and its mail
	// test, under two keys each: both are recorded.
	s := subtests{}
	for _, keys := range [][2]check.Subtest{{"web_ipv6_ns_address", "web_ipv6_ns_reach"}, {"mail_ipv6_ns_address", "mail_ipv6_ns_reach"}} {
		address, reach := keys[0], keys[1]
		if withAAAA < 2 {
			s.fail(address, tooFew)
		} else {
			s.pass(address, Sub{Code: "ipv6_ns_aaaa", Params: map[string]any{"count": withAAAA, "zone": zone}})
		}
		switch {
		case withAAAA == 0:
			s.set(reach, StatusNotApplicable, Sub{Code: "ipv6_not_tested_no_aaaa", Params: nil})
		case len(silent) > len(noRoute):
			s.fail(reach, silentSub)
		case len(noRoute) > 0:
			s.set(reach, StatusError, Sub{Code: "error", Params: map[string]any{"error": noRouteError(noRoute).Error()}})
		default:
			s.pass(reach, Sub{Code: "ipv6_ns_reachable", Params: map[string]any{"zone": zone}})
		}
	}
	c.judge(s)
	return c
}

// eachHostIPv6 looks up the addresses of every host in parallel and calls
// probe, in that host's goroutine, with its real IPv6 addresses and the
// IPv4-mapped ones set aside (realIPv6). The results keep the hosts' order;
// the lookup errors come back joined.
func eachHostIPv6[T any](ctx context.Context, r *run, hosts []string, probe func(host string, v6 []netip.Addr, mapped []string) T) ([]T, error) {
	out := make([]T, len(hosts))
	errs := make([]error, len(hosts))
	var wg sync.WaitGroup
	for i, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, aaaa, err := r.lookupAddrs(ctx, h)
			if err != nil {
				errs[i] = err
				return
			}
			v6, mapped := realIPv6(aaaa)
			out[i] = probe(h, v6, mapped)
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

func addrStrings(addrs []netip.Addr) []string {
	out := make([]string, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, a.String())
	}
	return out
}
