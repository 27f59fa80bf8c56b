// Package testpg gives tests a fresh PostgreSQL database.
//
// With AOS_TEST_POSTGRES_URL set, databases are created on that server.
// Otherwise the first call starts a private server for the test process
// (initdb into a temporary directory, postgres on a free loopback port) and
// later calls reuse it; call Stop, or wrap the tests with Main, to shut it
// down. When PostgreSQL is not installed the test is skipped, unless
// AOS_REQUIRE_POSTGRES=1 (set in CI), which makes it fail so that
// PostgreSQL coverage cannot silently disappear.
//
// The private server is a child of the test process that dies with it (even
// on a panic or a test timeout), so an aborted run leaves no server behind.
// It runs with fsync off: its data is thrown away anyway.
package testpg

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	// Registers the "pgx" database/sql driver for the admin connection.
	_ "github.com/jackc/pgx/v5/stdlib"
)

// Environment variables.
const (
	// EnvURL names a running server to create test databases on, as a
	// postgres:// URL whose user may CREATE DATABASE.
	EnvURL = "AOS_TEST_POSTGRES_URL"
	// EnvRequire, set to 1, turns "PostgreSQL is not installed" from a skip
	// into a failure.
	EnvRequire = "AOS_REQUIRE_POSTGRES"
)

const startTimeout = 60 * time.Second

var (
	mu      sync.Mutex
	started bool
	srv     *server // nil until started, and after Stop
	srvErr  error   // why the server could not be had
	skip    bool    // srvErr means "not installed", not "broken"
	stopped bool
	counter atomic.Int64
)

// server is where test databases are created: an external one or the
// private child process.
type server struct {
	admin   *sql.DB  // connected to the maintenance database
	baseURL *url.URL // URL of the maintenance database
	// Private server only.
	dir  string
	cmd  *exec.Cmd
	done chan struct{} // closed when the postgres process has exited
}

// URL returns the connection URL of a new, empty database that is dropped
// when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	s, notInstalled, err := get()
	if err != nil {
		if notInstalled && os.Getenv(EnvRequire) != "1" {
			t.Skipf("testpg: %v (install PostgreSQL or set %s to run these tests; %s=1 makes this a failure)", err, EnvURL, EnvRequire)
		}
		if notInstalled {
			t.Fatalf("testpg: %v (%s=1: PostgreSQL tests must run)", err, EnvRequire)
		}
		t.Fatalf("testpg: %v", err)
	}
	name := fmt.Sprintf("aos_test_%d_%d_%s", os.Getpid(), counter.Add(1), randomHex(4))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("testpg: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		// FORCE ends connections a test left open (PostgreSQL 13 and
		// later), so one leaky test cannot make the next cleanup fail.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("testpg: drop database %s: %v", name, err)
		}
	})
	u := *s.baseURL
	u.Path = "/" + name
	return u.String()
}

// Main runs the tests, stops the private server and exits. Use it as
// TestMain in packages that call URL:
//
//	func TestMain(m *testing.M) { testpg.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop shuts the private server down and removes its files. It does nothing
// when no server was started. URL fails after Stop.
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	stopped = true
	if srv == nil {
		return
	}
	s := srv
	srv = nil
	_ = s.admin.Close() // Nothing useful to do about it at shutdown.
	if s.cmd != nil {
		s.shutdown()
	}
}

func get() (s *server, notInstalled bool, err error) {
	mu.Lock()
	defer mu.Unlock()
	if stopped {
		return nil, false, errors.New("the server was stopped (testpg.Stop)")
	}
	if !started {
		started = true
		srv, skip, srvErr = connect()
	}
	return srv, skip, srvErr
}

// connect reaches the external server or starts the private one.
// notInstalled tells a missing PostgreSQL from a failing one.
func connect() (s *server, notInstalled bool, err error) {
	if raw := os.Getenv(EnvURL); raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return nil, false, fmt.Errorf("%s must be a postgres:// URL", EnvURL)
		}
		s := &server{baseURL: u}
		if err := s.openAdmin(); err != nil {
			return nil, false, fmt.Errorf("%s: %w", EnvURL, err)
		}
		return s, false, nil
	}
	initdb, postgres, err := findBinaries()
	if err != nil {
		return nil, true, err
	}
	s, err = startServer(initdb, postgres)
	return s, false, err
}

func (s *server) openAdmin() error {
	db, err := sql.Open("pgx", s.baseURL.String())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return err
	}
	s.admin = db
	return nil
}

// packageDirs are where Debian and RHEL packages install the server.
var packageDirs = []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin"}

// findBinaries looks on PATH, then where Debian and RHEL packages put the
// server (not on PATH there), newest major version first.
func findBinaries() (initdb, postgres string, err error) {
	if i, err1 := exec.LookPath("initdb"); err1 == nil {
		if p, err2 := exec.LookPath("postgres"); err2 == nil {
			return i, p, nil
		}
	}
	var dirs []string
	for _, pattern := range packageDirs {
		m, _ := filepath.Glob(pattern) // The patterns are constant and valid.
		dirs = append(dirs, m...)
	}
	major := func(dir string) int {
		v := filepath.Base(filepath.Dir(dir))
		v = strings.TrimPrefix(v, "pgsql-")
		n, _ := strconv.Atoi(strings.SplitN(v, ".", 2)[0]) // Unparsable sorts last.
		return n
	}
	slices.SortFunc(dirs, func(a, b string) int { return major(b) - major(a) })
	for _, d := range dirs {
		i, p := filepath.Join(d, "initdb"), filepath.Join(d, "postgres")
		if isExecutable(i) && isExecutable(p) {
			return i, p, nil
		}
	}
	return "", "", errors.New("PostgreSQL server binaries (initdb, postgres) not found on PATH or in /usr/lib/postgresql/*/bin")
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

func startServer(initdb, postgres string) (s *server, err error) {
	dir, err := os.MkdirTemp("", "aos-testpg-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(dir) // The start error is the one to report.
		}
	}()
	// PostgreSQL refuses to run as root. As root, run it as the postgres
	// user, which must own the directory.
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, and there is no postgres user to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32) // Numeric on Unix.
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, int(uid), int(gid)); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	cmd := exec.CommandContext(context.Background(), initdb, "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	// A free port can be taken between choosing and binding it; try again
	// with another one if the server exits before accepting connections.
	var lastErr error
	for range 3 {
		s, err := launch(postgres, dir, data, cred)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func launch(postgres, dir, data string, cred *syscall.Credential) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	// The child has its own descriptor; ours is not written to.
	defer func() { _ = logFile.Close() }()
	// No context: the server must outlive this call; Stop ends it.
	cmd := exec.CommandContext(context.Background(), postgres, "-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1",
		// Durability is pointless for throwaway data and slows every
		// commit and CREATE DATABASE.
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: cred,
		// Kill the server if the test process dies without calling Stop.
		// SIGQUIT is PostgreSQL's immediate shutdown.
		Pdeathsig: syscall.SIGQUIT,
		// Keep a terminal's Ctrl-C away from the server; the test process
		// handles it (and its death then stops the server).
		Setpgid: true,
	}
	s := &server{dir: dir, cmd: cmd, done: make(chan struct{})}
	startErr := make(chan error, 1)
	go func() {
		// Pdeathsig fires when the thread that started the child exits,
		// not the process. Keep this goroutine on its own thread for the
		// server's lifetime so the Go scheduler cannot retire that thread.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			startErr <- err
			return
		}
		startErr <- nil
		_ = cmd.Wait() // Exit status is reported through the log.
		close(s.done)
	}()
	if err := <-startErr; err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	s.baseURL = &url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Path:     "/postgres",
		RawQuery: "sslmode=disable",
	}
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-s.done:
			log, _ := os.ReadFile(logPath) // Best effort: the exit is the error.
			return nil, fmt.Errorf("postgres exited during startup:\n%s", log)
		default:
		}
		err := s.openAdmin()
		if err == nil {
			return s, nil
		}
		if time.Now().After(deadline) {
			s.kill()
			log, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("postgres did not accept connections within %v: %w\n%s", startTimeout, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// shutdown asks for a fast shutdown (SIGINT), kills the server if it
// lingers, and removes its directory.
func (s *server) shutdown() {
	_ = s.cmd.Process.Signal(syscall.SIGINT) // It may already be gone.
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		s.kill()
	}
	_ = os.RemoveAll(s.dir) // A leftover temp directory is harmless.
}

// kill stops the server at once and waits for it to be gone.
func (s *server) kill() {
	_ = s.cmd.Process.Kill() // It may already be gone.
	<-s.done
}

func freePort() (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	addr, ok := l.Addr().(*net.TCPAddr)
	if err := l.Close(); err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("listener address %v is not TCP", l.Addr())
	}
	return addr.Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails.
	return hex.EncodeToString(b)
}
