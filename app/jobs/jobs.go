// Package jobs runs the verification queue: a bounded pool of workers that
// claims probe runs from the database, probes the domains of an
// attestation's scope, stores the results with their evidence and the
// verdict on every answer, and a scheduler that queues weekly re-checks of
// the attestations of awarded and active tenders.
//
// The queue lives in the database (models.ProbeRun), so it survives
// restarts and can be shared by several processes. A worker owns a run
// through a lease it renews while it works; every write is fenced by that
// lease. A worker that stops cleanly puts its run back in the queue; one
// that dies leaves a lease that runs out, after which another worker takes
// the run over and resumes it from the domains already stored. So a run is
// never worked on by two workers at once and its verdicts are written once.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/miekg/dns"
	"gorm.io/gorm"

	"tenderprobe/app/i18n"
	"tenderprobe/app/mail"
	"tenderprobe/app/metrics"
	"tenderprobe/app/probe"
	"tenderprobe/app/probe/resolver"
	"tenderprobe/app/verify"
	"tenderprobe/models"
)

// Prober probes one domain; *probe.Engine is one.
type Prober interface {
	Probe(ctx context.Context, domain string) (probe.Result, error)
}

// ManagementProber also probes a management endpoint with the management
// checks (ssh.pq-kex); *probe.Engine is one. A prober without it leaves
// those checks unprobed, which verification reports as errors.
type ManagementProber interface {
	ProbeManagement(ctx context.Context, host string) (probe.Result, error)
}

// Mailer sends one plain-text message; *mail.Mailer is one.
type Mailer interface {
	Enabled() bool
	Send(ctx context.Context, to, subject, body string) error
}

// Defaults of Config.
const (
	DefaultWorkers           = 4
	DefaultDomainConcurrency = 4
	DefaultLease             = 30 * time.Second
	DefaultPoll              = time.Second
	DefaultRecheckInterval   = 7 * 24 * time.Hour
	DefaultScheduleEvery     = time.Minute
)

// Config tunes the pool. Zero fields take the defaults above.
type Config struct {
	// Workers is how many runs are worked on at once in this process.
	Workers int
	// DomainConcurrency is how many domains of one run are probed at once.
	DomainConcurrency int
	// Lease is how long a claimed run stays a worker's without renewal; a
	// dead worker's run is taken over after at most this long.
	Lease time.Duration
	// Poll is how often an idle worker looks for new runs queued by other
	// processes; runs queued in this process wake the workers at once.
	Poll time.Duration
	// RecheckInterval is how old the newest run of an attestation of an
	// awarded or active tender may get before a scheduled run is queued.
	RecheckInterval time.Duration
	// ScheduleEvery is how often the scheduler looks for due re-checks.
	ScheduleEvery time.Duration
	// Owner names this worker pool in leases; default host name, process
	// id and a random suffix.
	Owner string
	// Now tells the time; nil means time.Now.
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.DomainConcurrency <= 0 {
		c.DomainConcurrency = DefaultDomainConcurrency
	}
	if c.Lease <= 0 {
		c.Lease = DefaultLease
	}
	if c.Poll <= 0 {
		c.Poll = DefaultPoll
	}
	if c.RecheckInterval <= 0 {
		c.RecheckInterval = DefaultRecheckInterval
	}
	if c.ScheduleEvery <= 0 {
		c.ScheduleEvery = DefaultScheduleEvery
	}
	if c.Owner == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		c.Owner = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Pool is the worker pool with its scheduler.
type Pool struct {
	db     *gorm.DB
	prober Prober
	mailer Mailer
	log    *slog.Logger
	cfg    Config
	wake   chan struct{}
}

// New returns a pool; Run starts it. mailer may be nil.
func New(db *gorm.DB, prober Prober, mailer Mailer, log *slog.Logger, cfg Config) *Pool {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Pool{db: db, prober: prober, mailer: mailer, log: log, cfg: cfg.withDefaults(), wake: make(chan struct{}, 1)}
}

// Owner returns the name this pool's leases carry.
func (p *Pool) Owner() string { return p.cfg.Owner }

// Wake tells an idle worker that a run was queued.
func (p *Pool) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run starts the workers and the scheduler and blocks until ctx ends. The
// runs being worked on then go back to the queue with what they stored.
func (p *Pool) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for range p.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.work(ctx)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.schedule(ctx)
	}()
	wg.Wait()
}

// work claims and runs jobs until ctx ends, sleeping until woken or the
// poll interval passes when the queue is empty.
func (p *Pool) work(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-p.wake:
		}
		ran, err := p.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			p.log.Error("probe run", "err", err)
		}
		if ran {
			// More may be waiting: look again at once, and pass the
			// wake-up on so other idle workers look too.
			p.Wake()
			timer.Reset(0)
			continue
		}
		timer.Reset(p.cfg.Poll)
	}
}

// schedule queues due re-checks now and then every ScheduleEvery.
func (p *Pool) schedule(ctx context.Context) {
	ticker := time.NewTicker(p.cfg.ScheduleEvery)
	defer ticker.Stop()
	for {
		queued, err := p.Schedule(ctx)
		if err != nil && ctx.Err() == nil {
			p.log.Error("schedule re-checks", "err", err)
		}
		if len(queued) > 0 {
			p.log.Info("scheduled re-checks", "runs", len(queued))
			p.Wake()
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// Schedule queues a run for every attestation of an awarded or active
// tender not checked within the recheck interval.
func (p *Pool) Schedule(ctx context.Context) ([]models.ProbeRun, error) {
	return models.EnqueueDueRechecks(ctx, p.db, p.cfg.RecheckInterval, p.cfg.Now())
}

// RunOnce claims one run and works it to the end. It reports whether a
// run was claimed. When ctx ends mid-run, the run goes back to the queue.
func (p *Pool) RunOnce(ctx context.Context) (bool, error) {
	run, err := models.ClaimRun(ctx, p.db, p.cfg.Owner, p.cfg.Lease, p.cfg.Now())
	if err != nil || run == nil {
		return false, err
	}
	log := p.log.With("run", run.ID, "attestation", run.AttestationID)
	start := p.cfg.Now()
	if run.Attempts > models.MaxRunAttempts {
		reason := fmt.Sprintf("given up after %d attempts", run.Attempts-1)
		return true, p.fail(ctx, run.ID, reason, start)
	}
	state, err := p.execute(ctx, run, log)
	switch {
	case err == nil:
		metrics.RunFinished(state, p.cfg.Now().Sub(start))
		return true, nil
	case errors.Is(err, models.ErrLeaseLost):
		log.Warn("lease lost; another worker has the run")
		return true, nil
	case ctx.Err() != nil:
		// Shutting down: hand the run back so the next start resumes it
		// at once, not after the lease runs out.
		if rerr := models.ReleaseRun(context.WithoutCancel(ctx), p.db, run.ID, p.cfg.Owner, time.Now()); rerr != nil {
			return true, fmt.Errorf("jobs: release run %d: %w", run.ID, rerr)
		}
		log.Info("run interrupted; back in the queue")
		return true, nil
	}
	if ferr := p.fail(ctx, run.ID, err.Error(), start); ferr != nil {
		return true, errors.Join(err, ferr)
	}
	return true, err
}

// fail marks the run failed with reason and counts it, worked on since start.
func (p *Pool) fail(ctx context.Context, runID uint, reason string, start time.Time) error {
	if err := models.FailRun(context.WithoutCancel(ctx), p.db, runID, p.cfg.Owner, reason, p.cfg.Now()); err != nil {
		return err
	}
	metrics.RunFinished(models.RunFailed, p.cfg.Now().Sub(start))
	return nil
}

// execute probes what run still needs, stores each domain as it is done
// (that is the progress), then decides and stores the verdicts. It
// returns the state the run ended in (done or not measured).
func (p *Pool) execute(ctx context.Context, run *models.ProbeRun, log *slog.Logger) (string, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopBeat := p.heartbeat(ctx, run.ID, cancel)
	defer stopBeat()

	a, err := models.RunSubject(ctx, p.db, run)
	if err != nil {
		return "", err
	}
	scope := verify.ScopeOf(a)
	domains := scope.Hosts()
	if err := models.SetRunTotal(ctx, p.db, run.ID, p.cfg.Owner, len(domains), p.cfg.Now()); err != nil {
		return "", err
	}
	stored, err := models.RunResults(ctx, p.db, run.ID)
	if err != nil {
		return "", err
	}
	have := map[string]bool{}
	for _, r := range stored {
		have[r.Domain] = true
	}
	var todo []string
	for _, d := range domains {
		if !have[d] {
			todo = append(todo, d)
		}
	}
	if err := p.probeAll(ctx, run.ID, todo, scope); err != nil {
		if cause := context.Cause(ctx); errors.Is(cause, models.ErrLeaseLost) {
			return "", cause
		}
		return "", err
	}
	results, err := models.RunResults(ctx, p.db, run.ID)
	if err != nil {
		return "", err
	}
	indexed := verify.ResultsOf(results)
	verdicts := verify.Attestation(a, indexed)
	if code, params := verify.Unmeasured(domains, indexed, results); code != "" {
		if code == models.NotMeasuredAllErrors {
			code, params = p.resolverReason(ctx, code, params)
		}
		verify.NotMeasured(verdicts)
		if err := models.FinishRunNotMeasured(ctx, p.db, run, p.cfg.Owner, verdicts, code, params, p.cfg.Now()); err != nil {
			return "", err
		}
		log.Warn("run measured nothing", "domains", len(domains), "reason", code, "params", params)
		return models.RunNotMeasured, nil
	}
	changes, err := models.FinishRun(ctx, p.db, run, p.cfg.Owner, verdicts, p.cfg.Now())
	if err != nil {
		return "", err
	}
	log.Info("run done", "domains", len(domains), "verdicts", len(verdicts), "changes", len(changes))
	if len(changes) > 0 {
		p.mailChanges(context.WithoutCancel(ctx), a, changes, log)
	}
	return models.RunDone, nil
}

// configured is a prober that tells its configuration (*probe.Engine).
type configured interface {
	Config() probe.Config
}

// resolverReason asks the prober's resolver for the root's name servers
// when a run measured nothing, to say why in the words a user can act on:
// a resolver that does not answer or refuses explains every error at once.
// Otherwise it keeps code and params.
func (p *Pool) resolverReason(ctx context.Context, code string, params map[string]string) (string, map[string]string) {
	e, ok := p.prober.(configured)
	if !ok {
		return code, params
	}
	cfg := e.Config()
	ctx, cancel := context.WithTimeout(ctx, cfg.ConnTimeout)
	defer cancel()
	msg, err := resolver.New(cfg.Resolver, cfg.ConnTimeout).Query(ctx, ".", dns.TypeNS)
	switch {
	case err != nil:
		return models.NotMeasuredResolver, map[string]string{"resolver": cfg.Resolver, "error": err.Error()}
	case msg.Rcode == dns.RcodeRefused:
		return models.NotMeasuredResolverRefused, map[string]string{"resolver": cfg.Resolver}
	}
	return code, params
}

// probeAll probes the domains, DomainConcurrency at a time, storing each
// result as soon as it is in. It stops at the first error.
func (p *Pool) probeAll(ctx context.Context, runID uint, domains []string, scope verify.Scope) error {
	sem := make(chan struct{}, p.cfg.DomainConcurrency)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
		}
	}
	for _, d := range domains {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			fail(ctx.Err())
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res, err := p.probeHost(ctx, d, scope)
			if ctx.Err() != nil {
				// A probe cut short reports errors that are not the
				// domain's fault; the resumed run probes it again.
				fail(ctx.Err())
				return
			}
			row := &models.ProbeResult{RunID: runID, Domain: d, DurationMS: res.DurationMS, Checks: storedChecks(res.Checks)}
			if err != nil {
				row.Error = err.Error()
			}
			if err := models.StoreResult(ctx, p.db, p.cfg.Owner, row, p.cfg.Now()); err != nil {
				fail(err)
			}
		}()
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return firstErr
}

// probeHost probes one name of the scope with the checks of its kinds: the
// domain checks for a web or mail domain, the management checks for a
// management endpoint, both (in one result) for a name that is both.
func (p *Pool) probeHost(ctx context.Context, name string, scope verify.Scope) (probe.Result, error) {
	var (
		res  = probe.Result{Domain: name, Checks: []probe.Check{}}
		errs []error
	)
	if scope.IsDomain(name) {
		r, err := p.prober.Probe(ctx, name)
		res = r
		errs = append(errs, err)
	}
	if mp, ok := p.prober.(ManagementProber); ok && scope.IsManagement(name) {
		r, err := mp.ProbeManagement(ctx, name)
		res.Domain = name
		res.DurationMS = max(res.DurationMS, r.DurationMS)
		res.Checks = append(res.Checks, r.Checks...)
		errs = append(errs, err)
	}
	return res, errors.Join(errs...)
}

// heartbeat renews the lease every third of its length until stopped; when
// the lease is lost it cancels the run's context with ErrLeaseLost.
func (p *Pool) heartbeat(ctx context.Context, runID uint, cancel context.CancelCauseFunc) func() {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(p.cfg.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			err := models.RenewLease(ctx, p.db, runID, p.cfg.Owner, p.cfg.Lease, p.cfg.Now())
			if errors.Is(err, models.ErrLeaseLost) {
				cancel(err)
				return
			}
			if err != nil && ctx.Err() == nil {
				p.log.Warn("renew lease", "run", runID, "err", err)
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
	}
}

func storedChecks(cs []probe.Check) []models.ProbeCheck {
	out := make([]models.ProbeCheck, len(cs))
	for i, c := range cs {
		out[i] = models.ProbeCheck{ID: c.ID, Status: c.Status, Summary: c.Summary, Standard: c.Standard, Details: c.Details,
			Finding: c.Finding, FindingParams: c.FindingParams}
	}
	return out
}

// mailChanges tells the buyer's officers about changed verdicts when a
// relay is configured. A failed mail is logged, not retried: the change is
// recorded and on the dashboard either way.
func (p *Pool) mailChanges(ctx context.Context, a *models.Attestation, changes []models.VerdictChange, log *slog.Logger) {
	if p.mailer == nil || !p.mailer.Enabled() {
		return
	}
	to, err := models.TenderOfficerEmails(ctx, p.db, a.TenderID)
	if err != nil {
		log.Error("verdict change mail", "err", err)
		return
	}
	subject, body := ChangeMail(a, changes)
	for _, addr := range to {
		if err := p.mailer.Send(ctx, addr, subject, body); err != nil {
			log.Error("verdict change mail", "to", addr, "err", err)
		}
	}
}

// ChangeMail is the subject and body of the mail about changed verdicts,
// in the tender's language.
func ChangeMail(a *models.Attestation, changes []models.VerdictChange) (string, string) {
	supplier, tender, lang := fmt.Sprintf("%d", a.SupplierOrgID), fmt.Sprintf("%d", a.TenderID), i18n.Default
	if a.SupplierOrg != nil {
		supplier = a.SupplierOrg.Name
	}
	if a.Tender != nil {
		tender, lang = a.Tender.Title, a.Tender.Language
	}
	list := make([]mail.VerdictChange, len(changes))
	for i, c := range changes {
		list[i] = mail.VerdictChange{Standard: c.StandardIn(lang), From: c.From, To: c.To}
	}
	return mail.VerdictChangeMail(lang, supplier, tender, fmt.Sprintf("/attestations/%d/verification", a.ID), list)
}
