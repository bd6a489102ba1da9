package docanalysis

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"time"
)

// An uploaded document is read in a child process of its own
// (ExtractIsolated): the PDF, DOCX and ODT readers walk structures the
// uploader wrote, and a PDF of 150 bytes could send the PDF library into
// endless recursion (a fatal stack overflow, which no recover catches),
// ask it for terabytes, or loop forever inside one call, where no
// deadline is looked at. In a child such a file costs the child: it is
// killed at MaxTime, stopped at ChildMemory resident bytes, its stack and
// address space are capped, and the server goes on.

// childEnv, set to "1", makes a process that imports this package an
// extraction child (init): the server starts its own executable so.
const childEnv = "TENDERPROBE_DOCANALYSIS_CHILD"

// Limits of a child.
const (
	// ChildMemory is the resident memory a child may reach.
	ChildMemory = 512 << 20
	// MaxConcurrent is how many documents are read at once; further
	// uploads wait for a slot (bounded by their request's context).
	MaxConcurrent = 2
	childStack    = 64 << 20
	// exitMemory is a child's exit status when it passed ChildMemory.
	exitMemory = 3
)

// ReasonTooComplex refuses a document whose reading needed more than
// ChildMemory, or ended the child some other way (a PDF built to make the
// reader recurse without end).
const ReasonTooComplex = "too_complex"

var slots = make(chan struct{}, MaxConcurrent)

// childTimeout is when the server kills a child: a little after MaxTime,
// which the child's own clock keeps where it can look at one.
var childTimeout = MaxTime + 2*time.Second

func init() {
	if os.Getenv(childEnv) == "1" {
		os.Exit(runChild(os.Stdin, os.Stdout))
	}
}

// childResult is what a child writes on its standard output.
type childResult struct {
	Doc *Document   `json:"doc,omitempty"`
	Err *childError `json:"err,omitempty"`
}

type childError struct {
	Reason string `json:"reason"`
	Format string `json:"format,omitempty"`
	Max    int    `json:"max,omitempty"`
	Cause  string `json:"cause,omitempty"`
}

// runChild reads the document's name (a JSON string on the first line)
// and bytes from in, extracts it and writes a childResult to out.
func runChild(in io.Reader, out io.Writer) int {
	debug.SetMaxStack(childStack)
	// The collector works harder as the heap nears the limit, before the
	// watch stops the child.
	debug.SetMemoryLimit(ChildMemory / 2)
	limitChild()
	go watchMemory()
	br := bufio.NewReader(in)
	var name string
	line, err := br.ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &name)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "docanalysis child: name:", err)
		return 2
	}
	data, err := io.ReadAll(io.LimitReader(br, MaxFileSize+1))
	if err != nil {
		fmt.Fprintln(os.Stderr, "docanalysis child: read:", err)
		return 2
	}
	var res childResult
	doc, err := Extract(context.Background(), name, data)
	switch {
	case err == nil:
		res.Doc = doc
	default:
		var de *Error
		if !errors.As(err, &de) {
			de = refused(ReasonUnreadable, "", err)
		}
		res.Err = &childError{Reason: de.Reason, Format: de.Format, Max: de.Max}
		if de.Err != nil {
			res.Err.Cause = de.Err.Error()
		}
	}
	if err := json.NewEncoder(out).Encode(res); err != nil {
		fmt.Fprintln(os.Stderr, "docanalysis child: write:", err)
		return 2
	}
	return 0
}

// watchMemory ends the child when its resident set passes ChildMemory.
func watchMemory() {
	for range time.Tick(10 * time.Millisecond) {
		if residentBytes() > ChildMemory {
			os.Exit(exitMemory)
		}
	}
}

// ExtractIsolated is Extract in a child process (see above), at most
// MaxConcurrent at a time. A child killed at MaxTime gives ReasonTimeout,
// one past ChildMemory or ended otherwise ReasonTooComplex.
func ExtractIsolated(ctx context.Context, name string, data []byte) (*Document, error) {
	if len(data) > MaxFileSize {
		return nil, &Error{Reason: ReasonTooLarge, Max: MaxFileSize}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, refused(ReasonEmpty, "", nil)
	}
	format := DetectFormat(name, data)
	if format == "" {
		return nil, refused(ReasonFormat, "", nil)
	}
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-slots }()
	self, err := executable()
	if err != nil {
		return nil, fmt.Errorf("docanalysis: own executable: %w", err)
	}
	// The child's own clock stops it at MaxTime; this one kills it a
	// little later, whatever it is doing.
	cctx, cancel := context.WithTimeout(ctx, childTimeout)
	defer cancel()
	head, err := json.Marshal(name)
	if err != nil {
		return nil, fmt.Errorf("docanalysis: name: %w", err)
	}
	cmd := exec.CommandContext(cctx, self)
	// Nothing of the server's environment (its database address, its
	// secret key) goes to the process that reads the upload.
	cmd.Env = []string{childEnv + "=1"}
	cmd.Stdin = io.MultiReader(bytes.NewReader(head), bytes.NewReader([]byte{'\n'}), bytes.NewReader(data))
	var stdout bytes.Buffer
	stderr := &headBuffer{max: 2048}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	cmd.WaitDelay = time.Second
	runErr := cmd.Run()
	if cctx.Err() != nil && ctx.Err() == nil {
		return nil, &Error{Reason: ReasonTimeout, Format: format, Err: cctx.Err()}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if runErr != nil {
		var exit *exec.ExitError
		if errors.As(runErr, &exit) {
			return nil, &Error{Reason: ReasonTooComplex, Format: format,
				Err: fmt.Errorf("reader stopped (%v): %s", runErr, bytes.TrimSpace(stderr.buf.Bytes()))}
		}
		return nil, fmt.Errorf("docanalysis: run reader: %w", runErr)
	}
	var res childResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return nil, fmt.Errorf("docanalysis: reader's answer: %w", err)
	}
	if e := res.Err; e != nil {
		de := &Error{Reason: e.Reason, Format: e.Format, Max: e.Max}
		if e.Cause != "" {
			de.Err = errors.New(e.Cause)
		}
		return nil, de
	}
	if res.Doc == nil {
		return nil, errors.New("docanalysis: the reader answered nothing")
	}
	return res.Doc, nil
}

// executable is this program, for starting a child.
func executable() (string, error) {
	if runtime.GOOS == "linux" {
		// The running file, even if an upgrade replaced it on disk.
		return "/proc/self/exe", nil
	}
	return os.Executable()
}

// headBuffer keeps the first max bytes written to it.
type headBuffer struct {
	buf bytes.Buffer
	max int
}

func (b *headBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
