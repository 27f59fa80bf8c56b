package aosdproc_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/aosdproc"
	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// bin is aosd, built once by TestMain for all the tests: a build takes
// longer than the tests themselves.
var bin string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "aosdproc-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if bin, err = aosdproc.Build(context.Background(), dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

func start(t *testing.T, opts aosdproc.Options) *aosdproc.Process {
	t.Helper()
	p, err := aosdproc.Start(t.Context(), opts)
	t.Cleanup(p.Stop)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newClient(t *testing.T, p *aosdproc.Process) *client.Client {
	t.Helper()
	env, err := p.Env()
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(client.Config{Endpoint: env["AOS_ENDPOINT"], ClientID: env["AOS_CLIENT_ID"], ClientSecret: env["AOS_CLIENT_SECRET"]})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func healthz(t *testing.T, addr string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return nil
}

// A created object survives a SIGKILL: aosd dev started again on the same
// data dir answers on the same port with the same credentials and still
// holds it.
func TestKillAndRestart(t *testing.T) {
	p := start(t, aosdproc.Dev(bin, t.TempDir()))
	addr := p.Addr()
	if addr == "" {
		t.Fatal("no address after the start")
	}
	c := newClient(t, p)
	name := "survives-the-kill"
	created, _, err := c.CreatePartnerAppProfile(t.Context(), domain.PartnerAppProfileWrite{Name: &name})
	if err != nil {
		t.Fatal(err)
	}

	p.Kill()
	if err := healthz(t, addr); err == nil {
		t.Fatal("aosd still answers /healthz after Kill")
	}
	if killed, up := p.LastOutage(); killed.IsZero() || !up.IsZero() {
		t.Fatalf("LastOutage after Kill = %v, %v; want the kill and no up time", killed, up)
	}
	if err := p.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	if p.Addr() != addr {
		t.Fatalf("restarted on %s, want the first start's %s", p.Addr(), addr)
	}
	if killed, up := p.LastOutage(); !up.After(killed) {
		t.Fatalf("LastOutage after Restart = %v, %v; want up after killed", killed, up)
	}
	// A new client: the old one's token would hide lost credentials.
	got, _, err := newClient(t, p).GetPartnerAppProfile(t.Context(), created.ID)
	if err != nil {
		t.Fatalf("the profile created before the kill: %v", err)
	}
	if got.Name != name {
		t.Fatalf("the profile is named %q after the restart, want %q", got.Name, name)
	}
	if starts, kills := p.Counts(); starts != 2 || kills != 1 {
		t.Fatalf("Counts = %d starts, %d kills; want 2 and 1", starts, kills)
	}
	if !strings.Contains(p.Log(), "--- start 2 on "+addr) {
		t.Fatalf("the log does not mark the second start:\n%s", p.Log())
	}
}

// RestartAfter returns at once and brings aosd back in the background;
// Wait waits for it.
func TestRestartAfter(t *testing.T) {
	p := start(t, aosdproc.Dev(bin, t.TempDir()))
	p.Kill()
	p.RestartAfter(t.Context(), 0)
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := healthz(t, p.Addr()); err != nil {
		t.Fatalf("aosd does not answer after Wait: %v", err)
	}
	if starts, kills := p.Counts(); starts != 2 || kills != 1 {
		t.Fatalf("Counts = %d starts, %d kills; want 2 and 1", starts, kills)
	}
}

// Stop cancels a restart still waiting out its outage, without an error,
// and leaves aosd down.
func TestStopCancelsRestart(t *testing.T) {
	p := start(t, aosdproc.Dev(bin, t.TempDir()))
	addr := p.Addr()
	p.Kill()
	p.RestartAfter(t.Context(), time.Hour)
	p.Stop() // returns long before the hour
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if starts, _ := p.Counts(); starts != 1 {
		t.Fatalf("aosd was started %d times, want 1: the restart was not cancelled", starts)
	}
	if err := healthz(t, addr); err == nil {
		t.Fatal("aosd answers after Stop")
	}
	if err := p.Restart(t.Context()); !errors.Is(err, aosdproc.ErrStopped) {
		t.Fatalf("Restart after Stop = %v, want ErrStopped", err)
	}
}

// A restart that fails is reported by Wait, with aosd's output, and a
// later Restart tries again.
func TestRestartAfterReportsFailure(t *testing.T) {
	p := start(t, aosdproc.Dev(bin, t.TempDir()))
	p.Kill()
	// Someone else takes the port while aosd is down.
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	p.RestartAfter(t.Context(), 0)
	err = p.Wait()
	_ = ln.Close()
	if err == nil || !strings.Contains(err.Error(), "aosd exited while starting") {
		t.Fatalf("Wait = %v, want the failed restart", err)
	}
	// The failed start left nothing behind: once the port is free again,
	// Restart launches aosd anew.
	if err := p.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := healthz(t, p.Addr()); err != nil {
		t.Fatalf("aosd does not answer after the port was freed: %v", err)
	}
}

// A start that fails says why, with aosd's output.
func TestStartFailure(t *testing.T) {
	opts := aosdproc.Dev(bin, t.TempDir())
	opts.Args = append(opts.Args, "--no-such-flag")
	p, err := aosdproc.Start(t.Context(), opts)
	defer p.Stop()
	if err == nil || !strings.Contains(err.Error(), "aosd exited while starting") || !strings.Contains(err.Error(), "no-such-flag") {
		t.Fatalf("Start = %v, want aosd's complaint about the flag", err)
	}
}

func TestParseEnv(t *testing.T) {
	got := aosdproc.ParseEnv("AOS_ENDPOINT=http://127.0.0.1:1\r\n  AOS_CLIENT_ID=a=b\n\nnot a pair\n")
	want := map[string]string{"AOS_ENDPOINT": "http://127.0.0.1:1", "AOS_CLIENT_ID": "a=b"}
	if len(got) != len(want) || got["AOS_ENDPOINT"] != want["AOS_ENDPOINT"] || got["AOS_CLIENT_ID"] != want["AOS_CLIENT_ID"] {
		t.Fatalf("ParseEnv = %v, want %v", got, want)
	}
}
