package testmoto

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// AccountID is the account moto puts every resource in.
const AccountID = "123456789012"

// Region is the region tests sign requests for. IAM is global; STS accepts
// any region.
const Region = "us-east-1"

// Credentials any request to a moto server without permission checks may
// use: that server does not check signatures.
const (
	AccessKeyID     = "AKIAIOSFODNN7EXAMPLE"
	SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
)

// RequireEnv names the environment variable that turns a missing moto into a
// test failure instead of a skip. CI sets it so that "every AWS test
// skipped" can never pass for green.
const RequireEnv = "AOS_REQUIRE_MOTO"

const (
	// startTimeout bounds how long a moto server may take to answer after
	// it was started. It is ready in well under a second on an idle machine,
	// but a cold Python import on a busy CI runner takes several.
	startTimeout = 30 * time.Second
	// startAttempts covers the small race between picking a free port and
	// moto binding it.
	startAttempts = 3
	// stopTimeout bounds the wait for moto to exit after SIGTERM before it
	// is killed.
	stopTimeout = 5 * time.Second
)

// Server is one running moto server. Its state (users, roles, policies) is
// shared by every test of the process, so tests using it must not run in
// parallel and should call Reset first.
type Server struct {
	url  string
	auth bool
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	out  *lockedBuffer
}

// instance is the once-per-process holder of one kind of server.
type instance struct {
	once sync.Once
	srv  *Server
	err  error
}

var (
	plain    instance
	authed   instance
	probe    sync.Once
	probeOK  bool
	probeWhy string
)

// Start returns the process's moto server without permission checks,
// starting it on the first call. It skips the test when moto is not
// installed, or fails it when AOS_REQUIRE_MOTO=1.
func Start(t testing.TB) *Server {
	t.Helper()
	return start(t, &plain, false)
}

// StartWithAuth returns the process's second moto server, which checks
// signatures and IAM permissions on every request
// (INITIAL_NO_AUTH_ACTION_COUNT=0). Requests must be signed with an access
// key made by CreateUser; the key's policies decide what it may do. It is a
// separate process because moto's permission switch is global to a server.
func StartWithAuth(t testing.TB) *Server {
	t.Helper()
	return start(t, &authed, true)
}

func start(t testing.TB, inst *instance, auth bool) *Server {
	t.Helper()
	inst.once.Do(func() {
		inst.srv, inst.err = launch(auth)
	})
	if inst.err == nil {
		return inst.srv
	}
	// Only a failed start pays for the separate import check: it decides
	// between "moto is not installed" (skip) and "moto is broken" (fail).
	if ok, why := motoInstalled(); !ok {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("moto is required (%s=1) but not usable: %s", RequireEnv, why)
		}
		t.Skipf("skipping: this test needs moto as its AWS IAM/STS endpoint, and %s; "+
			"set %s=1 to make this a failure", why, RequireEnv)
	}
	t.Fatalf("start moto server: %v", inst.err)
	return nil
}

// motoInstalled reports whether python3 can import moto, and if not, why.
func motoInstalled() (bool, string) {
	probe.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		out, err := exec.CommandContext(ctx, "python3", "-c", "import moto.server").CombinedOutput()
		if err != nil {
			probeWhy = fmt.Sprintf("`python3 -c 'import moto.server'` failed (%v)", err)
			if last := lastLine(string(out)); last != "" {
				probeWhy += ": " + last
			}
			return
		}
		probeOK = true
	})
	return probeOK, probeWhy
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// Main runs the package's tests and then stops the moto servers they
// started. Use it from TestMain:
//
//	func TestMain(m *testing.M) { testmoto.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	stopAll()
	os.Exit(code)
}

func stopAll() {
	for _, inst := range []*instance{&plain, &authed} {
		if inst.srv != nil {
			inst.srv.stop()
		}
	}
}

// launch starts moto on a free loopback port and waits until it answers.
func launch(auth bool) (*Server, error) {
	var errs []error
	for range startAttempts {
		srv, err := launchOnce(auth)
		if err == nil {
			return srv, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

func launchOnce(auth bool) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	// The server lives as long as the test process, not any one test, so
	// its context is never canceled; stop ends it.
	cmd := exec.CommandContext(context.Background(), "python3", "-m", "moto.server",
		"-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Env = motoEnv(auth)
	out := &lockedBuffer{}
	cmd.Stdout = out
	cmd.Stderr = out
	setParentDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run python3 -m moto.server: %w", err)
	}
	srv := &Server{
		url:  "http://127.0.0.1:" + strconv.Itoa(port),
		auth: auth,
		cmd:  cmd,
		done: make(chan struct{}),
		out:  out,
	}
	go func() {
		_ = cmd.Wait()
		close(srv.done)
	}()
	if err := srv.waitReady(); err != nil {
		srv.stop()
		return nil, fmt.Errorf("moto on port %d: %w; output:\n%s", port, err, out.String())
	}
	return srv, nil
}

// motoEnv is the environment of the moto process. Permission checks are
// switched explicitly either way, so an INITIAL_NO_AUTH_ACTION_COUNT in the
// developer's shell cannot turn the plain server into an authenticating one.
func motoEnv(auth bool) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "INITIAL_NO_AUTH_ACTION_COUNT=") {
			env = append(env, kv)
		}
	}
	if auth {
		env = append(env, "INITIAL_NO_AUTH_ACTION_COUNT=0")
	}
	return env
}

func freePort() (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer func() { _ = l.Close() }()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("find a free loopback port: unexpected address %v", l.Addr())
	}
	return addr.Port, nil
}

// waitReady polls the moto API until it answers, the process exits or
// startTimeout passes. GET /moto-api/reset only answers "use POST", so
// polling it changes nothing.
func (s *Server) waitReady() error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/moto-api/reset", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil
		}
		select {
		case <-s.done:
			return errors.New("moto exited before it was ready")
		case <-ctx.Done():
			return fmt.Errorf("moto did not answer within %s", startTimeout)
		case <-tick.C:
		}
	}
}

func (s *Server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// URL is the server's base URL, to be used as the IAM and the STS endpoint.
func (s *Server) URL() string { return s.url }

// Auth reports whether the server checks signatures and permissions.
func (s *Server) Auth() bool { return s.auth }

// Reset wipes every resource of every service in the server.
func (s *Server) Reset(t testing.TB) {
	t.Helper()
	if err := s.post(t.Context(), "/moto-api/reset", ""); err != nil {
		t.Fatalf("reset moto: %v", err)
	}
}

// setAuthCount sets how many further requests moto serves before it checks
// permissions; "inf" switches checks off, "0" on.
func (s *Server) setAuthCount(ctx context.Context, count string) error {
	return s.post(ctx, "/moto-api/reset-auth", count)
}

func (s *Server) post(ctx context.Context, path, body string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, msg)
	}
	return nil
}

// lockedBuffer collects the moto process's output for error messages; the
// exec package writes to it from its own goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// Only the start of the output matters for a failed start; a long test
	// run must not grow the buffer without bound.
	if b.buf.Len() < 64<<10 {
		b.buf.Write(p)
	}
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
