//go:build linux

package app

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"tenderprobe/app/attest"
	"tenderprobe/seed"
)

// The memory tests attack a real `serve` process from outside and read its
// resident memory from /proc (hence Linux only). The server is a child
// process, a re-run of this test binary, so that the figure is the
// server's alone: in the test's own process the attack's bodies and the
// server's allocations would be one number.

// memoryGrowthLimit is how much resident memory one attack may add to the
// server; a 204 KB gzip body once took it from 46 MB to 1.09 GB.
const memoryGrowthLimit int64 = 100_000_000

const (
	// envMemoryChild makes the test binary act as the attacked server
	// (TestMemoryServerChild); envMemoryDir holds its database and files.
	envMemoryChild = "TENDERPROBE_MEMORY_CHILD"
	envMemoryDir   = "TENDERPROBE_MEMORY_DIR"
	// memoryChildDataLimit caps the child's data memory (RLIMIT_DATA) so
	// that a server which does decode a bomb dies of it rather than taking
	// the memory of the machine it shares; it is far above what the test
	// accepts, so it never decides a result.
	memoryChildDataLimit = 1 << 30
	// memoryRequestTimeout ends a request the server neither answers nor
	// hangs up on; it turns a hang into a failure, it measures nothing.
	memoryRequestTimeout = 15 * time.Second
)

func TestMemoryServerChild(t *testing.T) {
	if os.Getenv(envMemoryChild) != "1" {
		t.Skip("runs only as the server of TestMemoryStaysBoundedUnderHostileBodies")
	}
	lim := syscall.Rlimit{Cur: memoryChildDataLimit, Max: memoryChildDataLimit}
	if err := syscall.Setrlimit(syscall.RLIMIT_DATA, &lim); err != nil {
		t.Fatalf("limit the server's memory: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// The parent stops the server by closing stdin, so a parent that
		// dies stops it too.
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	dir := os.Getenv(envMemoryDir)
	// No probe workers: the demo's domains must not be probed from a test.
	args := []string{"--demo", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "db.sqlite"),
		"--data-dir", filepath.Join(dir, "data"), "--probe-workers", "0"}
	os.Exit(RunServe(ctx, args, os.Stdout, os.Stderr))
}

func TestMemoryStaysBoundedUnderHostileBodies(t *testing.T) {
	if _, err := procStatusBytes(os.Getpid(), "VmRSS"); err != nil {
		t.Skipf("no resident memory figures in /proc: %v", err)
	}
	const gib = 1 << 30
	gzipBomb := gzipZeros(gib)
	bombs := []memoryBomb{
		{name: "gzip bomb (1 GiB of zeros)", encoding: []string{"gzip"}, body: gzipBomb},
		{name: "doubly gzipped bomb (1 GiB)", encoding: []string{"gzip, gzip"}, body: gzipBytes(gzipBomb)},
		{name: "deflate bomb (1 GiB)", encoding: []string{"deflate"}, body: zlibZeros(gib)},
		{name: "brotli bomb (256 MiB)", encoding: []string{"br"}, body: brotliZeros(gib / 4)},
	}
	for _, b := range bombs {
		t.Logf("%s: %d bytes on the wire", b.name, len(b.body))
	}
	// A first Content-Encoding line saying identity followed by a second
	// saying gzip: a server that checks one line and decodes by the other
	// can be bombed past its check.
	hidden := []memoryBomb{{name: "gzip bomb behind a first identity line", encoding: []string{"identity", "gzip"}, body: gzipBomb}}

	attacks := []struct {
		name        string
		concurrency int
		// limit is the growth allowed; 0 means memoryGrowthLimit.
		limit    int64
		requests func(t *testing.T, s *memoryServer, tg memoryTarget) []memoryRequest
	}{
		{
			name:        "compressed bombs, 20 at a time to each route, are refused without being decoded",
			concurrency: 20,
			requests: func(t *testing.T, s *memoryServer, tg memoryTarget) []memoryRequest {
				return bombRequests(bombs, tg, 20, func(r bombRoute) []int { return []int{r.refused} })
			},
		},
		{
			name:        "a gzip bomb behind a first identity Content-Encoding line is not decoded either",
			concurrency: 20,
			requests: func(t *testing.T, s *memoryServer, tg memoryTarget) []memoryRequest {
				// The route may read such a body as the plain bytes it
				// claims to be and refuse it as not JSON (400), without a
				// CSRF token (403) or as an unreadable form (422).
				return bombRequests(hidden, tg, 20, func(r bombRoute) []int {
					return []int{r.refused, http.StatusBadRequest, http.StatusForbidden, http.StatusUnprocessableEntity}
				})
			},
		},
		{
			name:        "100 concurrent 10 MB uploads from callers who may not upload are refused before their bodies are read",
			concurrency: 100,
			requests: func(t *testing.T, s *memoryServer, tg memoryTarget) []memoryRequest {
				return refusedUploads(tg, 100)
			},
		},
		{
			name:        "the vendor's own 10 MB upload is spooled to disk, not held in memory",
			concurrency: 1,
			// Holding the file whole would add its 10 MB.
			limit: attest.MaxEvidenceSize / 2,
			requests: func(t *testing.T, s *memoryServer, tg memoryTarget) []memoryRequest {
				// Demo attestations are submitted; the vendor reopens one
				// so that it takes evidence again.
				s.call(t, http.MethodPost, fmt.Sprintf("/api/v1/attestations/%d/reopen", tg.attestation), tg.vendorToken, nil, http.StatusOK, nil)
				ct, body, n := streamedUpload(attest.MaxEvidenceSize)
				return []memoryRequest{{
					label: "vendor's token → API upload", method: http.MethodPost,
					path:   fmt.Sprintf("/api/v1/attestations/%d/evidence/%d", tg.attestation, tg.requirement),
					header: [][2]string{{"Content-Type", ct}, {"Authorization", "Bearer " + tg.vendorToken}},
					body:   body, length: n, want: []int{http.StatusCreated},
				}}
			},
		},
	}
	// Each attack's server starts on a copy of the seeded demo database.
	seeded := t.TempDir()
	if err := os.Rename(demo.File(t), filepath.Join(seeded, "db.sqlite")); err != nil {
		t.Fatal(err)
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			limit := cmp.Or(a.limit, memoryGrowthLimit)
			s := startMemoryServer(t, seeded)
			tg := s.prepare(t)
			reqs := a.requests(t, s, tg)
			before, err := procStatusBytes(s.pid, "VmRSS")
			if err != nil {
				t.Fatalf("read the server's memory: %v", err)
			}
			w := watchRSS(s.pid)
			start := time.Now()
			results := s.sendAll(reqs, a.concurrency)
			peak := w.end()
			checkMemoryResults(t, reqs, results)
			growth := peak - before
			t.Logf("%d requests, %d at a time, in %v: resident %.1f MB before, peak %.1f MB, growth %.1f MB (peak by %s)",
				len(reqs), a.concurrency, time.Since(start).Round(time.Millisecond), mb(before), mb(peak), mb(growth), w.method)
			if growth >= limit {
				t.Errorf("the server grew by %.1f MB (%.1f → %.1f MB), want under %.1f MB", mb(growth), mb(before), mb(peak), mb(limit))
			}
			select {
			case <-s.exited:
				t.Errorf("the server died during the attack")
			default:
			}
			if t.Failed() {
				t.Logf("the server's log:\n%s", s.logExcerpt())
			}
		})
	}
}

// memoryBomb is a small body that decodes to a great many zeros.
type memoryBomb struct {
	name string
	// encoding holds the Content-Encoding header lines, in order.
	encoding []string
	body     []byte
}

// bombRoute is a route a bomb is sent to, and how it refuses a
// compressed body.
type bombRoute struct {
	method, path, contentType, token string
	refused                          int
}

// bombRequests are each bomb n times to each route that reads a small
// body: open, visitor, authenticated JSON API, the authorised vendor's
// upload and no route at all.
func bombRequests(bombs []memoryBomb, tg memoryTarget, n int, want func(bombRoute) []int) []memoryRequest {
	routes := []bombRoute{
		{method: http.MethodPost, path: "/api/v1/tokens", contentType: "application/json", refused: http.StatusUnsupportedMediaType},
		{method: http.MethodPost, path: "/login", contentType: "application/x-www-form-urlencoded", refused: http.StatusUnsupportedMediaType},
		{method: http.MethodPut, path: fmt.Sprintf("/api/v1/attestations/%d/answers/%d", tg.attestation, tg.requirement),
			contentType: "application/json", token: tg.vendorToken, refused: http.StatusUnsupportedMediaType},
		{method: http.MethodPost, path: fmt.Sprintf("/api/v1/attestations/%d/evidence/%d", tg.attestation, tg.requirement),
			contentType: "multipart/form-data; boundary=bomb", token: tg.vendorToken, refused: http.StatusUnsupportedMediaType},
		{method: http.MethodPost, path: "/no-such-page", contentType: "application/json", refused: http.StatusNotFound},
	}
	var out []memoryRequest
	for _, b := range bombs {
		for _, r := range routes {
			header := [][2]string{{"Content-Type", r.contentType}}
			for _, e := range b.encoding {
				header = append(header, [2]string{"Content-Encoding", e})
			}
			if r.token != "" {
				header = append(header, [2]string{"Authorization", "Bearer " + r.token})
			}
			for range n {
				out = append(out, memoryRequest{
					label: b.name + " → " + r.method + " " + r.path, method: r.method, path: r.path, header: header,
					body: func() io.Reader { return bytes.NewReader(b.body) }, length: int64(len(b.body)), want: want(r),
				})
			}
		}
	}
	return out
}

// refusedUploads are n 10 MB uploads of each kind that must be refused
// on its headers: no login, a role that never uploads, and a vendor of
// another supplier.
func refusedUploads(tg memoryTarget, n int) []memoryRequest {
	ct, body, length := streamedUpload(attest.MaxEvidenceSize)
	web := fmt.Sprintf("/attestations/%d/evidence/%d", tg.attestation, tg.requirement)
	api := "/api/v1" + web
	kinds := []struct {
		label, path string
		header      [][2]string
		want        []int
	}{
		{"anonymous → web upload", web, nil, []int{http.StatusUnauthorized}},
		{"auditor's session → web upload", web, [][2]string{{"Cookie", tg.auditorCookie}}, []int{http.StatusForbidden}},
		{"anonymous → API upload", api, nil, []int{http.StatusUnauthorized}},
		{"auditor's token → API upload", api, [][2]string{{"Authorization", "Bearer " + tg.auditorToken}}, []int{http.StatusForbidden}},
		{"other supplier's vendor token → API upload", api, [][2]string{{"Authorization", "Bearer " + tg.otherVendorToken}},
			[]int{http.StatusForbidden, http.StatusNotFound}},
	}
	var out []memoryRequest
	for _, k := range kinds {
		header := append([][2]string{{"Content-Type", ct}}, k.header...)
		for range n {
			out = append(out, memoryRequest{label: k.label, method: http.MethodPost, path: k.path, header: header,
				body: body, length: length, want: k.want})
		}
	}
	return out
}

// checkMemoryResults fails the test for every answer outside its
// request's want (a missing answer included) and logs what each kind of
// request got.
func checkMemoryResults(t *testing.T, reqs []memoryRequest, results []memoryResult) {
	t.Helper()
	type tally struct {
		statuses map[int]int
		maxSent  int64
	}
	tallies := map[string]*tally{}
	var labels []string
	bad := 0
	for i, r := range results {
		req := reqs[i]
		tl := tallies[req.label]
		if tl == nil {
			tl = &tally{statuses: map[int]int{}}
			tallies[req.label] = tl
			labels = append(labels, req.label)
		}
		tl.statuses[r.status]++
		tl.maxSent = max(tl.maxSent, r.sent)
		if r.err == nil && slices.Contains(req.want, r.status) {
			continue
		}
		if bad++; bad <= 5 {
			if r.err != nil {
				t.Errorf("%s: no answer: %v", req.label, r.err)
			} else {
				t.Errorf("%s: status %d, want one of %v", req.label, r.status, req.want)
			}
		}
	}
	if bad > 5 {
		t.Errorf("… and %d more requests got a wrong or no answer", bad-5)
	}
	for _, l := range labels {
		tl := tallies[l]
		var parts []string
		for _, st := range slices.Sorted(maps.Keys(tl.statuses)) {
			name := strconv.Itoa(st)
			if st == 0 {
				name = "no answer"
			}
			parts = append(parts, fmt.Sprintf("%d×%s", tl.statuses[st], name))
		}
		t.Logf("%s: %s (the client wrote at most %.1f MB of a body, socket buffers included)", l, strings.Join(parts, ", "), mb(tl.maxSent))
	}
}

// memoryServer is a `serve` child process under attack.
type memoryServer struct {
	base   string // http://127.0.0.1:PORT
	addr   string
	pid    int
	dir    string // the database, evidence files and the server's log
	exited chan struct{}
	stop   func()
	client *http.Client
}

// startMemoryServer starts a demo server in a child process on a copy of
// the database in template, so each attack starts from the same memory and
// a server that an attack kills takes no other attack with it. The server
// stops when t ends.
func startMemoryServer(t *testing.T, template string) *memoryServer {
	t.Helper()
	dir := t.TempDir()
	// Seeding the demo takes seconds; on a copy, --demo finds its data in
	// place.
	for _, name := range []string{"db.sqlite", "db.sqlite-wal", "db.sqlite-shm"} {
		b, err := os.ReadFile(filepath.Join(template, name))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Spooled bodies go to TMPDIR: keep them in the test's directory.
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	// stdout is a pipe of our own, not cmd.StdoutPipe, so that waiting for
	// the process never races with reading its output.
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMemoryServerChild$")
	cmd.Env = append(os.Environ(), envMemoryChild+"=1", envMemoryDir+"="+dir, "TMPDIR="+tmp)
	cmd.Stdout, cmd.Stderr = outW, logFile
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	outW.Close()
	s := &memoryServer{pid: cmd.Process.Pid, dir: dir, exited: make(chan struct{}), client: &http.Client{
		Timeout:       10 * time.Second,
		Transport:     &http.Transport{Proxy: nil},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	s.stop = sync.OnceFunc(func() {
		stdin.Close()
		select {
		case <-s.exited:
		case <-time.After(15 * time.Second):
			// A guard, not a timing assertion: end a stuck server.
			_ = cmd.Process.Kill()
			<-s.exited
		}
		outR.Close()
	})
	t.Cleanup(s.stop)

	serving := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), "Tenderprobe is serving on "); ok {
				serving <- u
				break
			}
		}
		close(serving)
		_, _ = io.Copy(io.Discard, outR)
	}()
	select {
	case u, ok := <-serving:
		if !ok {
			t.Fatalf("the server ended without serving:\n%s", s.logExcerpt())
		}
		s.base = u
	case <-time.After(60 * time.Second):
		t.Fatal("the server did not start within a minute")
	}
	s.addr = strings.TrimPrefix(s.base, "http://")
	for i := 0; ; i++ {
		res, err := s.client.Get(s.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if i == 100 {
			t.Fatalf("/healthz does not answer 200: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// logExcerpt is the part of the server's log that tells why it failed:
// from a crash's first line (a goroutine dump follows it, too long to
// show whole), or else the end.
func (s *memoryServer) logExcerpt() string {
	b, err := os.ReadFile(filepath.Join(s.dir, "serve.log"))
	if err != nil {
		return err.Error()
	}
	for _, mark := range []string{"fatal error:", "panic:"} {
		if i := bytes.Index(b, []byte(mark)); i >= 0 {
			return string(b[i:min(len(b), i+2048)]) + "\n…"
		}
	}
	return string(b[max(0, len(b)-4096):])
}

// memoryTarget is an attestation of the demo vendor and the credentials
// of those who attack it.
type memoryTarget struct {
	attestation, requirement uint
	vendorToken              string
	auditorToken             string
	auditorCookie            string
	otherVendorToken         string
}

// prepare logs in the demo users and finds the vendor's open attestation;
// these ordinary requests are also the warm-up before the baseline.
func (s *memoryServer) prepare(t *testing.T) memoryTarget {
	t.Helper()
	tg := memoryTarget{
		vendorToken:      s.token(t, "vendor@demo.test"),
		auditorToken:     s.token(t, "auditor@demo.test"),
		otherVendorToken: s.token(t, "vendor2@demo.test"),
		auditorCookie:    s.webSession(t, "auditor@demo.test"),
	}
	var list struct {
		Attestations []struct {
			ID       uint       `json:"id"`
			Status   string     `json:"status"`
			Deadline *time.Time `json:"deadline"`
		} `json:"attestations"`
	}
	s.call(t, http.MethodGet, "/api/v1/attestations", tg.vendorToken, nil, http.StatusOK, &list)
	for _, a := range list.Attestations {
		if a.Status == "submitted" && (a.Deadline == nil || a.Deadline.After(time.Now())) {
			tg.attestation = a.ID
			break
		}
	}
	if tg.attestation == 0 {
		t.Fatalf("the demo vendor has no submitted attestation before its deadline: %+v", list.Attestations)
	}
	var show struct {
		Answers []struct {
			RequirementID uint `json:"requirement_id"`
		} `json:"answers"`
	}
	s.call(t, http.MethodGet, fmt.Sprintf("/api/v1/attestations/%d", tg.attestation), tg.vendorToken, nil, http.StatusOK, &show)
	if len(show.Answers) == 0 {
		t.Fatalf("attestation %d has no answers", tg.attestation)
	}
	tg.requirement = show.Answers[0].RequirementID
	return tg
}

// token logs email in through the API and returns the bearer token.
func (s *memoryServer) token(t *testing.T, email string) string {
	t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	s.call(t, http.MethodPost, "/api/v1/tokens", "", map[string]string{"email": email, "password": seed.DemoPassword}, http.StatusCreated, &out)
	return out.Token
}

// webSession logs email in through the login form and returns the Cookie
// header of the session.
func (s *memoryServer) webSession(t *testing.T, email string) string {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := *s.client
	c.Jar = jar
	res, err := c.Get(s.base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	u, err := url.Parse(s.base)
	if err != nil {
		t.Fatal(err)
	}
	var csrf string
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "tp_csrf" {
			csrf = ck.Value
		}
	}
	form := url.Values{"email": {email}, "password": {seed.DemoPassword}}
	req, err := http.NewRequest(http.MethodPost, s.base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", csrf)
	res, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var cookies []string
	for _, ck := range jar.Cookies(u) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	if res.StatusCode != http.StatusSeeOther || !slices.ContainsFunc(cookies, func(c string) bool { return strings.HasPrefix(c, "tp_session=") }) {
		t.Fatalf("web login of %s: status %d, cookies %v", email, res.StatusCode, cookies)
	}
	return strings.Join(cookies, "; ")
}

// call is one ordinary JSON request of the test's own.
func (s *memoryServer) call(t *testing.T, method, path, token string, in any, want int, out any) {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != want {
		t.Fatalf("%s %s: status %d (%v), want %d: %s", method, path, res.StatusCode, err, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

// memoryRequest is one hostile request, written on a raw connection.
type memoryRequest struct {
	// label names the kind of request in the test's log.
	label        string
	method, path string
	// header lines are written in order; a name may repeat.
	header [][2]string
	body   func() io.Reader
	length int64
	want   []int
}

// memoryResult is what became of a memoryRequest.
type memoryResult struct {
	status int
	// sent is how much of the body went out before the server hung up.
	sent int64
	// err is set when no answer came.
	err error
}

// sendAll sends reqs, concurrency of them at a time.
func (s *memoryServer) sendAll(reqs []memoryRequest, concurrency int) []memoryResult {
	results := make([]memoryResult, len(reqs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for i := range next {
				results[i] = s.send(reqs[i])
			}
		})
	}
	for i := range reqs {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

// send writes r the way an attacker does: the whole body straight away,
// with Content-Length and without waiting for 100-continue, and on until
// the server hangs up, while the answer is read as soon as it comes. A
// broken pipe or reset after a complete answer is the server's right.
func (s *memoryServer) send(r memoryRequest) memoryResult {
	conn, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
	if err != nil {
		return memoryResult{err: err}
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(memoryRequestTimeout))
	type written struct {
		n   int64
		err error
	}
	done := make(chan written, 1)
	go func() {
		bw := bufio.NewWriterSize(conn, 64<<10)
		fmt.Fprintf(bw, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", r.method, r.path, s.addr, r.length)
		for _, h := range r.header {
			fmt.Fprintf(bw, "%s: %s\r\n", h[0], h[1])
		}
		bw.WriteString("\r\n")
		n, err := io.Copy(bw, r.body())
		if err == nil {
			err = bw.Flush()
		}
		done <- written{n: n - int64(bw.Buffered()), err: err}
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		conn.Close()
		w := <-done
		return memoryResult{sent: w.n, err: fmt.Errorf("after %d body bytes (write error %v): %w", w.n, w.err, err)}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	res.Body.Close()
	w := <-done
	return memoryResult{status: res.StatusCode, sent: w.n}
}

// streamedUpload is a multipart form with one text file of size bytes in the
// field "file", generated as it is sent: a hundred 10 MB bodies cost the
// test no memory either.
func streamedUpload(size int64) (contentType string, body func() io.Reader, length int64) {
	const boundary = "tenderprobe-memory-test"
	head := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"evidence.txt\"\r\n" +
		"Content-Type: text/plain\r\n\r\n"
	tail := "\r\n--" + boundary + "--\r\n"
	body = func() io.Reader {
		return io.MultiReader(strings.NewReader(head), io.LimitReader(letters{}, size), strings.NewReader(tail))
	}
	return "multipart/form-data; boundary=" + boundary, body, int64(len(head)) + size + int64(len(tail))
}

// letters is an endless run of the letter e: plain text to the server's
// content sniffing.
type letters struct{}

func (letters) Read(p []byte) (int, error) {
	for n := 0; n < len(p); n += len(manyE) {
		copy(p[n:], manyE)
	}
	return len(p), nil
}

// manyE is a block of the letter e that letters copies: a byte loop over
// a gigabyte of test bodies cost most of a CPU second.
var manyE = bytes.Repeat([]byte{'e'}, 32<<10)

// deflateSegment is the unit a zero bomb repeats: 16 MiB of zeros.
const deflateSegment = 16 << 20

// deflateZeros returns a raw DEFLATE stream of n zero bytes (n a multiple
// of deflateSegment). Compressing a gigabyte would cost seconds of the
// test's two cores, so one flushed segment is compressed and repeated: a
// flush ends on a byte boundary, and the segment only refers back into
// itself, so the copies decode one after the other.
func deflateZeros(n int) []byte {
	var seg bytes.Buffer
	fw, err := flate.NewWriter(&seg, flate.BestCompression)
	if err != nil {
		panic(err)
	}
	_, _ = fw.Write(make([]byte, deflateSegment))
	_ = fw.Flush()
	out := bytes.Repeat(seg.Bytes(), n/deflateSegment)
	// The final block: empty, fixed Huffman codes.
	return append(out, 0x03, 0x00)
}

// gzipZeros is a gzip member of n zero bytes.
func gzipZeros(n int) []byte {
	out := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff}
	out = append(out, deflateZeros(n)...)
	var crc uint32
	zeros := make([]byte, deflateSegment)
	for range n / deflateSegment {
		crc = crc32.Update(crc, crc32.IEEETable, zeros)
	}
	out = binary.LittleEndian.AppendUint32(out, crc)
	return binary.LittleEndian.AppendUint32(out, uint32(n))
}

// zlibZeros is n zero bytes in the zlib format that HTTP calls deflate.
func zlibZeros(n int) []byte {
	out := append([]byte{0x78, 0xda}, deflateZeros(n)...)
	// Adler-32 of zeros: the sum of bytes stays 1, the sum of sums is n.
	return binary.BigEndian.AppendUint32(out, uint32(n%65521)<<16|1)
}

// gzipBytes compresses b with gzip.
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		panic(err)
	}
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// brotliZeros is n zero bytes compressed with brotli.
func brotliZeros(n int) []byte {
	var buf bytes.Buffer
	bw := brotli.NewWriterLevel(&buf, 5)
	zeros := make([]byte, 1<<20)
	for range n / len(zeros) {
		_, _ = bw.Write(zeros)
	}
	_ = bw.Close()
	return buf.Bytes()
}

// rssWatch follows a process's resident memory during an attack.
type rssWatch struct {
	pid int
	// method says how the peak was found.
	method string
	stop   chan struct{}
	peak   chan int64
}

// watchRSS starts following pid's resident memory. It resets the kernel's
// peak mark (writing 5 to clear_refs), so that VmHWM at the end is the
// attack's own peak, spikes between two polls included; polling every 5 ms
// backs it up, and keeps the last figure of a server that dies.
func watchRSS(pid int) *rssWatch {
	w := &rssWatch{pid: pid, method: "polling VmRSS", stop: make(chan struct{}), peak: make(chan int64, 1)}
	if f, err := os.OpenFile(fmt.Sprintf("/proc/%d/clear_refs", pid), os.O_WRONLY, 0); err == nil {
		if _, err := f.Write([]byte("5")); err == nil {
			w.method = "VmHWM after a reset, and polling VmRSS"
		}
		f.Close()
	}
	go func() {
		var peak int64
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if v, err := procStatusBytes(pid, "VmRSS"); err == nil {
				peak = max(peak, v)
			}
			select {
			case <-w.stop:
				w.peak <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

// end stops the watch and returns the peak resident memory in bytes.
func (w *rssWatch) end() int64 {
	close(w.stop)
	peak := <-w.peak
	if strings.HasPrefix(w.method, "VmHWM") {
		if v, err := procStatusBytes(w.pid, "VmHWM"); err == nil {
			peak = max(peak, v)
		}
	}
	return peak
}

// procStatusBytes reads a memory field ("VmRSS", "VmHWM") of
// /proc/PID/status in bytes.
func procStatusBytes(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		v, ok := strings.CutPrefix(line, field+":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s of process %d: %w", field, pid, err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("process %d has no %s", pid, field)
}

// mb is n bytes in (decimal) megabytes, as the limit is written.
func mb(n int64) float64 { return float64(n) / 1e6 }
