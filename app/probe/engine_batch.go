package probe

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/dnsname"
	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/resolver"
)

// MaxConcurrency bounds how many domains a batch probes at once. Each domain
// runs all its check groups concurrently, so a batch of 1000 domains opens
// on the order of ten thousand sockets; more would exhaust file descriptors
// before it speeds anything up.
const MaxConcurrency = 1000

// batchAnswers is how many DNS answers a batch keeps for its domains to
// share (resolver.Shared), each for its TTL, the least recently asked
// going first: enough for the keys of every zone above the domains and
// their shared servers, which every domain asks for and so keep. Most of a
// domain's own answers are asked once; 4096 of them kept 14 MiB more of a
// 1,000-domain batch's peak for the same number of queries.
const batchAnswers = 1024

// hangGrace is how long a batch waits, after a domain's budget is spent, for
// its check groups to return their own timeout errors before it stops waiting
// and reports the missing checks itself. It exists so that one peer that
// ignores deadlines (or a check that blocks without honouring ctx) cannot
// stall a run of thousands of domains.
const hangGrace = 2 * time.Second

// ProbeAll probes domains with at most concurrency of them in flight and
// returns their results in input order. It never fails as a whole: a name
// that cannot be probed, a cancelled run or a domain that overran its budget
// (Config.Timeout) yields checks with status error. progress, when not nil,
// is called after each domain finishes, from one goroutine at a time.
//
// ProbeAll keeps every result; callers that only stream results out should
// use ProbeEach, which holds a result only until the ones before it are done.
func (e *Engine) ProbeAll(ctx context.Context, domains []string, concurrency int, progress func(done, total int)) []Result {
	results := make([]Result, len(domains))
	e.ProbeEach(ctx, domains, concurrency, progress, func(i int, r Result) { results[i] = r })
	return results
}

// ProbeEach probes domains like ProbeAll but hands each result to emit, in
// input order, as soon as it and every result before it are done. emit and
// progress are called from the caller's goroutine, never concurrently, so
// they may write to an unsynchronised writer. ProbeEach returns when every
// domain has been emitted.
//
// Memory stays bounded by the results waiting for a slower domain before
// them; each domain's DNS cache and connections are released when it ends.
func (e *Engine) ProbeEach(ctx context.Context, domains []string, concurrency int, progress func(done, total int), emit func(i int, r Result)) {
	total := len(domains)
	if total == 0 {
		return
	}
	concurrency = min(max(concurrency, 1), MaxConcurrency, total)

	type done struct {
		i int
		r Result
	}
	// One answer cache for the batch: its domains ask many of the same
	// questions (the root's and TLDs' keys, shared mail servers).
	shared := resolver.NewShared(e.client, batchAnswers, e.cfg.Now)
	// And one measurement of each mail server the domains share.
	servers := newBatchServers(ctx)
	jobs := make(chan int)
	out := make(chan done, concurrency)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out <- done{i, e.probeBoundedVia(ctx, domains[i], checkers, check.DomainIDs(), shared, servers)}
			}
		}()
	}
	// The feeder hands out every index even after ctx is cancelled: the
	// workers then answer at once with "not probed" results, so every
	// domain is still emitted and the output stays complete and ordered.
	go func() {
		for i := range domains {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		close(out)
	}()

	waiting := make(map[int]Result)
	next, finished := 0, 0
	for d := range out {
		finished++
		if progress != nil {
			progress(finished, total)
		}
		waiting[d.i] = d.r
		for {
			r, ok := waiting[next]
			if !ok {
				break
			}
			delete(waiting, next)
			emit(next, r)
			next++
		}
	}
}

// probeBounded probes one domain like Probe, but returns no later than the
// domain's budget plus hangGrace, whatever its check groups do, and turns a
// panicking check group into error checks instead of crashing a whole batch.
// groups is the suite to run: the engine's checkers, or a test's.
func (e *Engine) probeBounded(ctx context.Context, domain string, groups []checker) Result {
	return e.probeBoundedVia(ctx, domain, groups, check.DomainIDs(), e.client, nil)
}

// probeBoundedVia is probeBounded asking q for DNS answers; ids are the
// checks the result must carry (a domain's, or a management endpoint's).
// servers, when not nil, are the mail servers a batch measures once for
// all its domains.
func (e *Engine) probeBoundedVia(ctx context.Context, domain string, groups []checker, ids []check.ID, q resolver.Querier, servers *batchServers) Result {
	if err := ctx.Err(); err != nil {
		return notProbed(domain, fmt.Errorf("not probed: run cancelled: %w", err), ids)
	}
	name, err := dnsname.Normalize(domain)
	if err != nil {
		return notProbed(domain, err, ids)
	}
	start := time.Now()
	pctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()

	r := newRunVia(e, name, q)
	r.servers = servers
	// Whether the name exists at all, asked beside the checks (the web
	// checks ask the same question, so the run's cache answers once).
	missing := make(chan bool, 1)
	go func() { missing <- r.nonexistent(pctx) }()
	// Buffered so that a check group finishing after we stopped waiting can
	// still hand over its result and exit instead of leaking forever.
	got := make(chan groupResult, len(groups))
	for _, c := range groups {
		go func() {
			defer func() {
				if p := recover(); p != nil {
					got <- groupResult{panicked: fmt.Sprint(p)}
				}
			}()
			got <- groupResult{checks: c(pctx, r)}
		}()
	}

	var (
		checks   []Check
		panics   []string
		timedOut bool
		budget   = pctx.Done()
		hardStop <-chan time.Time
	)
collect:
	for pendingGroups := len(groups); pendingGroups > 0; {
		select {
		case g := <-got:
			checks = append(checks, g.checks...)
			if g.panicked != "" {
				panics = append(panics, g.panicked)
			}
			pendingGroups--
		case <-budget:
			budget = nil
			t := time.NewTimer(hangGrace)
			defer t.Stop()
			hardStop = t.C
		case <-hardStop:
			timedOut = true
			break collect
		}
	}
	var reasons []string
	if timedOut {
		reasons = append(reasons, fmt.Sprintf("did not finish within the budget of %s for one domain", e.cfg.Timeout))
	}
	for _, p := range panics {
		reasons = append(reasons, "internal error: "+p)
	}
	if len(reasons) == 0 {
		reasons = append(reasons, "internal error: the check was not reported")
	}
	checks = completeChecks(mergeContributions(checks), errors.New(strings.Join(reasons, "; ")), ids)
	// A name that does not exist has nothing to measure: its checks say
	// so (not measured) rather than fail one by one, which read as a
	// contradicted claim for a mistyped or reserved name (no SPF record,
	// no DKIM keys). internet.nl refuses such a name too.
	if !timedOut && <-missing {
		checks = nonexistentChecks(name, ids)
	}
	sortChecks(checks)
	return Result{Domain: name, DurationMS: time.Since(start).Milliseconds(), Checks: checks}
}

// nonexistent reports whether the run's domain does not exist: an
// NXDOMAIN answer to its address. A failed lookup is not a proof; the
// checks then say what failed.
func (r *run) nonexistent(ctx context.Context) bool {
	m, err := r.dns.Query(ctx, r.domain, dns.TypeA)
	return err == nil && m.Rcode == dns.RcodeNameError
}

// nonexistentChecks are the checks ids of a domain that does not exist.
func nonexistentChecks(domain string, ids []check.ID) []Check {
	out := make([]Check, 0, len(ids))
	for _, id := range ids {
		out = append(out, newFinding(id, StatusError, "domain_nxdomain", map[string]any{"domain": domain}, nil))
	}
	return out
}

// groupResult is what one check group hands back: its checks, or the value
// it panicked with.
type groupResult struct {
	checks   []Check
	panicked string
}

// completeChecks adds an error check, with err, for every check id of ids
// no group reported, so that every result carries the full, stable set of
// ids.
func completeChecks(checks []Check, err error, ids []check.ID) []Check {
	seen := make(map[check.ID]bool, len(checks))
	for _, c := range checks {
		seen[c.ID] = true
	}
	for _, id := range ids {
		if !seen[id] {
			checks = append(checks, errorChecks(err, id)...)
		}
	}
	return checks
}

// notProbed is the result for a domain (or host) none of the checks ids
// ran for.
func notProbed(domain string, err error, ids []check.ID) Result {
	checks := errorChecks(err, ids...)
	sortChecks(checks)
	return Result{Domain: domain, Checks: checks}
}
