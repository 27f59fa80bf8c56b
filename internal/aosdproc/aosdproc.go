// Package aosdproc runs aosd as its own process (`aosd dev` on a data dir,
// or `aosd serve` on a database), so that a test or a measurement can kill
// it with SIGKILL (no shutdown, transactions cut wherever they are) and
// start it again on the same data and port, as a crash and a restart by a
// supervisor would.
//
// internal/aosdtest runs aosd inside the test process instead, which is
// faster but cannot be killed without killing the test.
package aosdproc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// startTimeout bounds each start, from launching the process until it
// answers /healthz, whatever the caller's context allows.
const startTimeout = time.Minute

// pollInterval is how often a start asks /healthz (and, for aosd dev on a
// free port, reads aos.env for the port aosd chose).
const pollInterval = 50 * time.Millisecond

// ErrStopped is returned by a start after Stop.
var ErrStopped = errors.New("aosdproc: the process was stopped")

// Build builds cmd/aosd of this module into dir and returns the binary's
// path. It names the package by import path, so it works from any
// directory of the module (a test's package directory or the root).
func Build(ctx context.Context, dir string) (string, error) {
	out := filepath.Join(dir, "aosd")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "github.com/aos-dev/terraform-provider-aos/cmd/aosd")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building aosd: %w\n%s", err, b)
	}
	return out, nil
}

// Options say which aosd to run.
type Options struct {
	// Bin is the aosd binary (see Build).
	Bin string
	// Args are the command's arguments without --listen, which the process
	// adds.
	Args []string
	// Addr is the host:port to listen on. When empty, the first start
	// listens on a free port and reads it from aos.env in DataDir (aosd dev
	// writes it there); every later start reuses it.
	Addr string
	// DataDir is aosd dev's data dir, where Env reads aos.env.
	DataDir string
	// Env, when set, are the client's AOS_* values (aosd serve writes no
	// aos.env); Env returns them instead of reading aos.env.
	Env map[string]string
	// LogPath receives the output of every start, appended, each start
	// after a line "--- start N on ADDR".
	LogPath string
}

// Dev is `aosd dev` with auto-consent (tenants connect at once) on the
// data dir dir/data, logging to dir/aosd.log, on a free port.
func Dev(bin, dir string) Options {
	data := filepath.Join(dir, "data")
	return Options{
		Bin:     bin,
		Args:    []string{"dev", "--data-dir", data, "--auto-consent", "--log-level", "warn"},
		DataDir: data,
		LogPath: filepath.Join(dir, "aosd.log"),
	}
}

// Process is aosd run by Start: it can be killed and started again on the
// same data and port. Its methods are safe for concurrent use (a fault
// proxy's hook may kill it while a test reads its counts).
type Process struct {
	opts     Options
	stopped  chan struct{} // closed by Stop, read without mu so that a start waiting under mu sees it
	stopOnce sync.Once

	mu       sync.Mutex
	addr     string // host:port, fixed after the first start
	cmd      *exec.Cmd
	exited   chan struct{} // closed when cmd has exited
	starts   int
	kills    int
	killedAt time.Time
	upAt     time.Time
	restarts sync.WaitGroup // restarts scheduled by RestartAfter and not yet done
	errs     []error        // of those restarts
}

// Start starts aosd and waits until it answers /healthz, for at most a
// minute and while ctx lasts. The process runs until Kill or Stop, not
// until ctx ends: it must outlive a single step of a test. Call Stop when
// done, also after an error.
func Start(ctx context.Context, opts Options) (*Process, error) {
	p := &Process{opts: opts, addr: opts.Addr, stopped: make(chan struct{})}
	return p, p.Restart(ctx)
}

// Restart starts aosd again (after Kill) on the same data and port and
// waits until it answers /healthz, as Start does. It does nothing when the
// process is running.
func (p *Process) Restart(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.isStopped() {
		return ErrStopped
	}
	if p.cmd != nil {
		return nil
	}
	listen := p.addr
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	logf, err := os.OpenFile(p.opts.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer func() { _ = logf.Close() }()
	_, _ = fmt.Fprintf(logf, "--- start %d on %s\n", p.starts+1, listen)
	// Not ctx: the process outlives the start, Kill and Stop end it.
	cmd := exec.Command(p.opts.Bin, append(slices.Clone(p.opts.Args), "--listen", listen)...) //nolint:noctx // ended by Kill and Stop, see above
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting aosd: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	p.cmd, p.exited = cmd, exited
	p.starts++
	if err := p.waitHealthyLocked(ctx); err != nil {
		// Not left half started: the next Restart must launch it anew.
		p.killLocked()
		return err
	}
	p.upAt = time.Now()
	return nil
}

// waitHealthyLocked polls /healthz of the process just started until it
// answers 200, the process exits, Stop is called, ctx ends or startTimeout
// passes.
func (p *Process) waitHealthyLocked(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		if p.addr == "" {
			if env, err := p.envLocked(); err == nil {
				p.addr = strings.TrimPrefix(env["AOS_ENDPOINT"], "http://")
			}
		}
		if p.addr != "" && healthy(ctx, p.addr) {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("aosd exited while starting:\n%s", p.Log())
		case <-p.stopped:
			return ErrStopped
		case <-ctx.Done():
			return fmt.Errorf("aosd did not answer /healthz (%w):\n%s", context.Cause(ctx), p.Log())
		case <-tick.C:
		}
	}
}

// healthy reports whether aosd at addr answers /healthz with 200.
func healthy(ctx context.Context, addr string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Kill kills aosd at once (SIGKILL) and waits until it has exited. It
// does nothing when the process is not running.
func (p *Process) Kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.killLocked() {
		p.kills++
		p.killedAt = time.Now()
	}
}

func (p *Process) killLocked() bool {
	if p.cmd == nil {
		return false
	}
	_ = p.cmd.Process.Kill()
	<-p.exited
	p.cmd = nil
	return true
}

// RestartAfter starts aosd again after outage, in the background (a fault
// proxy's hook calls it and must return at once); Wait waits for it and
// reports its error. It gives up when ctx ends or Stop is called first.
func (p *Process) RestartAfter(ctx context.Context, outage time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.isStopped() {
		return
	}
	p.restarts.Add(1)
	go func() {
		defer p.restarts.Done()
		timer := time.NewTimer(outage)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-ctx.Done():
			return
		case <-p.stopped:
			return
		}
		if err := p.Restart(ctx); err != nil && !errors.Is(err, ErrStopped) {
			p.mu.Lock()
			p.errs = append(p.errs, fmt.Errorf("restarting aosd after %s: %w", outage, err))
			p.mu.Unlock()
		}
	}()
}

// Wait waits until the restarts scheduled so far by RestartAfter are done
// and returns the errors of those that failed.
func (p *Process) Wait() error {
	p.restarts.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	return errors.Join(p.errs...)
}

// Stop cancels the restarts scheduled, waits for them and kills aosd. The
// process cannot be started again.
func (p *Process) Stop() {
	p.stopOnce.Do(func() { close(p.stopped) })
	// From here on a start returns ErrStopped before it launches aosd, and
	// one waiting under mu for /healthz sees stopped, kills what it
	// launched and lets go of mu. RestartAfter adds to restarts under mu
	// only while not stopped, so once mu is had here no restart can be
	// added any more and waiting for them is safe.
	p.mu.Lock()
	p.killLocked()
	p.mu.Unlock()
	p.restarts.Wait()
}

func (p *Process) isStopped() bool {
	select {
	case <-p.stopped:
		return true
	default:
		return false
	}
}

// Counts returns how many times aosd was started (launched, healthy or
// not) and killed by Kill.
func (p *Process) Counts() (starts, kills int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.starts, p.kills
}

// LastOutage returns when aosd was last killed and when it answered
// /healthz after the start that followed; up is zero while it is down.
func (p *Process) LastOutage() (killed, up time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.upAt.Before(p.killedAt) {
		return p.killedAt, time.Time{}
	}
	return p.killedAt, p.upAt
}

// Addr returns the host:port aosd listens on (empty before the first start
// found it).
func (p *Process) Addr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addr
}

// Env returns the client's AOS_* values: Options.Env, or those aosd dev
// wrote to aos.env in its data dir.
func (p *Process) Env() (map[string]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.envLocked()
}

func (p *Process) envLocked() (map[string]string, error) {
	if p.opts.Env != nil {
		return p.opts.Env, nil
	}
	b, err := os.ReadFile(filepath.Join(p.opts.DataDir, "aos.env"))
	if err != nil {
		return nil, err
	}
	vals := ParseEnv(string(b))
	// aosd dev writes the file while it starts; a reader may see it half
	// written.
	if vals["AOS_ENDPOINT"] == "" || vals["AOS_CLIENT_SECRET"] == "" {
		return nil, errors.New("aos.env is not complete yet")
	}
	return vals, nil
}

// Log returns everything aosd wrote so far, over all starts.
func (p *Process) Log() string {
	b, _ := os.ReadFile(p.opts.LogPath)
	return string(b)
}

// ParseEnv reads KEY=VALUE lines, as in aos.env or the output of `aosd
// clients create`.
func ParseEnv(s string) map[string]string {
	vals := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			vals[k] = v
		}
	}
	return vals
}

// FreeAddr returns a loopback host:port that was free a moment ago, for an
// aosd that must know its address before it starts (aosd serve's
// --public-url).
func FreeAddr(ctx context.Context) (string, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}
