package probecli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"tenderprobe/app/probe/finding"
	"text/tabwriter"
	"time"
	"unicode"

	"tenderprobe/app/i18n"
	"tenderprobe/app/probe"
	"tenderprobe/app/probe/check"
)

// probeAndPrint probes every domain and streams the output in input order,
// so that a long batch shows results as they come and holds few of them.
func probeAndPrint(ctx context.Context, engine *probe.Engine, o options, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var w resultWriter = &tableWriter{w: stdout, lang: o.lang}
	if o.json {
		w = &jsonWriter{w: stdout}
	}
	var writeErr error
	if err := w.begin(); err != nil {
		writeErr = err
		cancel()
	}

	progress := progressLine(stderr, o.lang, time.Now())
	engine.ProbeEach(ctx, o.domains, o.concurrency, progress, func(i int, r probe.Result) {
		if writeErr != nil {
			return
		}
		if err := w.result(i, r); err != nil {
			// Nobody reads the rest: stop probing instead of working for nothing.
			writeErr = err
			cancel()
		}
	})
	if progress != nil {
		fmt.Fprint(stderr, "\n")
	}
	if writeErr == nil {
		writeErr = w.end()
	}
	if writeErr != nil {
		fmt.Fprintf(stderr, "tenderprobe probe: writing output: %v\n", writeErr)
		return ExitRun
	}
	// The output is complete either way (unprobed domains carry error
	// checks), but a cancelled run did not do what was asked.
	if err := ctx.Err(); err != nil {
		fmt.Fprintf(stderr, "tenderprobe probe: run interrupted: %v\n", context.Cause(ctx))
		return ExitRun
	}
	return ExitOK
}

// progressLine returns a progress callback that rewrites one line on stderr,
// or nil when stderr is not a terminal (a log file should not fill up with
// carriage returns).
func progressLine(stderr io.Writer, lang string, start time.Time) func(done, total int) {
	if !isTerminal(stderr) {
		return nil
	}
	return func(done, total int) {
		fmt.Fprintf(stderr, "\r %s ", text(lang, "cli.progress", "done", done, "total", total, "elapsed", time.Since(start).Round(time.Second)))
	}
}

// isTerminal reports whether w is a character device, without a terminal
// library: a tty is the only character device stderr is normally bound to.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// resultWriter prints results one at a time, in input order.
type resultWriter interface {
	begin() error
	result(i int, r probe.Result) error
	end() error
}

// jsonWriter prints exactly {"results":[...]} with each result as probe.Result
// marshals it, streamed so that the document is never held whole in memory.
type jsonWriter struct {
	w io.Writer
	// buf holds one result at a time (results come one after another),
	// reused: encoding and copying each afresh was a tenth of what a
	// batch of 1,000 domains allocated.
	buf bytes.Buffer
	enc *json.Encoder
}

func (j *jsonWriter) begin() error {
	_, err := io.WriteString(j.w, `{"results":[`)
	return err
}

func (j *jsonWriter) result(i int, r probe.Result) error {
	j.buf.Reset()
	if i > 0 {
		j.buf.WriteString(",\n")
	} else {
		j.buf.WriteString("\n")
	}
	if j.enc == nil {
		j.enc = json.NewEncoder(&j.buf)
	}
	// Encode writes nothing when it fails, and ends with a newline.
	if err := j.enc.Encode(r); err == nil {
		j.buf.Truncate(j.buf.Len() - 1)
	} else {
		data, err := marshalResult(r)
		if err != nil {
			return err
		}
		j.buf.Write(data)
	}
	_, err := j.w.Write(j.buf.Bytes())
	return err
}

func (j *jsonWriter) end() error {
	_, err := io.WriteString(j.w, "\n]}\n")
	return err
}

// marshalResult encodes r. Details come from many checks; should one of them
// hold a value JSON cannot encode, only that check's details are replaced by
// the error, so one bad value never breaks the whole document.
func marshalResult(r probe.Result) ([]byte, error) {
	data, err := json.Marshal(r)
	if err == nil {
		return data, nil
	}
	checks := make([]probe.Check, len(r.Checks))
	copy(checks, r.Checks)
	for i, c := range checks {
		if _, err := json.Marshal(c.Details); err != nil {
			checks[i].Details = map[string]any{"error": "details could not be encoded: " + err.Error()}
		}
	}
	r.Checks = checks
	data, err = json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode result for %s: %w", r.Domain, err)
	}
	return data, nil
}

// tableWriter prints a block per domain: one row per check, then the
// scores, in lang's words (check ids stay as they are: they name the
// checks, as in the JSON).
type tableWriter struct {
	w    io.Writer
	lang string
}

func (t *tableWriter) begin() error { return nil }
func (t *tableWriter) end() error   { return nil }

func (t *tableWriter) result(i int, r probe.Result) error {
	var b strings.Builder
	if i > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintln(&b, text(t.lang, "cli.probed_in", "domain", sanitize(r.Domain), "duration", time.Duration(r.DurationMS)*time.Millisecond))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  %s\t%s\t%s\n", text(t.lang, "cli.col.check"), text(t.lang, "cli.col.status"), text(t.lang, "cli.col.summary"))
	for _, c := range r.Checks {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", sanitize(string(c.ID)), sanitize(statusWords(t.lang, string(c.Status))), sanitize(findingOf(t.lang, c)))
		// Below each check, the internet.nl subtests that did not pass,
		// under internet.nl's names; the JSON has them all.
		keys, subs := c.Subtests()
		for _, k := range keys {
			if st := subs[k]; st.Status != probe.StatusPass && st.Status != probe.StatusNotApplicable {
				fmt.Fprintf(tw, "    %s\t%s\t%s\n", k, sanitize(statusWords(t.lang, string(st.Status))), sanitize(finding.Text(catalogue(), t.lang, st.Finding, st.FindingParams)))
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	b.WriteString("  " + text(t.lang, "cli.score") + " ")
	for n, s := range Scores(r.Checks) {
		if n > 0 {
			b.WriteString("   ")
		}
		b.WriteString(s.in(t.lang))
	}
	b.WriteString("\n")
	_, err := io.WriteString(t.w, b.String())
	return err
}

// statusWords is a check status in lang's words (check_status.).
func statusWords(lang, status string) string {
	key := "check_status." + status
	if w := text(lang, key); w != key {
		return w
	}
	return status
}

// sanitize makes text from the network safe for a terminal: summaries may
// quote banners or headers a probed server chose, and an escape sequence in
// them must not reach the user's terminal. Tabs and newlines would break the
// table's columns.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case !unicode.IsPrint(r):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Categories are the groups a score is given for: the targets of the checks.
var Categories = []check.Target{check.Web, check.Mail, check.NameServers}

// Score is one category's tally.
type Score struct {
	Category check.Target
	// Passed counts pass; Tested counts pass, warn, fail and error.
	Passed, Tested int
	// Skipped counts not_applicable and info, which do not count.
	Skipped int
}

// Percent is Passed/Tested*100 rounded down; a category with nothing tested
// has no score and reports -1.
func (s Score) Percent() int {
	if s.Tested == 0 {
		return -1
	}
	return s.Passed * 100 / s.Tested
}

func (s Score) String() string { return s.in(i18n.Default) }

// in is the score in lang's words: "web 80% (4 of 5 passed)".
func (s Score) in(lang string) string {
	category := text(lang, "cli.category."+string(s.Category))
	if s.Tested == 0 {
		return text(lang, "cli.score.none", "category", category)
	}
	return text(lang, "cli.score.value", "category", category, "percent", s.Percent(), "passed", s.Passed, "tested", s.Tested)
}

// Scores tallies checks per category. The formula, like internet.nl's, only
// rewards what was tested: score = passed / tested, where tested is every
// check with a verdict (pass, warn, fail) plus those that could not be
// tested (error), and not_applicable and info checks are left out. A warn
// earns nothing because it flags something to fix; an error earns nothing
// because a claim that cannot be verified must not look verified. Rounding
// down keeps 99.5% from showing as a perfect 100%.
func Scores(checks []probe.Check) []Score {
	out := make([]Score, len(Categories))
	for i, c := range Categories {
		out[i].Category = c
	}
	for _, c := range checks {
		cat := c.ID.Target()
		for i := range out {
			if out[i].Category != cat {
				continue
			}
			switch c.Status {
			case probe.StatusPass:
				out[i].Passed++
				out[i].Tested++
			case probe.StatusWarn, probe.StatusFail, probe.StatusError:
				out[i].Tested++
			default:
				out[i].Skipped++
			}
		}
	}
	return out
}

// findingOf is what a check found, in lang.
func findingOf(lang string, c probe.Check) string {
	if c.Finding == "" {
		return c.Summary
	}
	return finding.Text(catalogue(), lang, c.Finding, c.FindingParams)
}
