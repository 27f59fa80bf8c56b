package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/aosd"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/secrets"
	"github.com/aos-dev/terraform-provider-aos/internal/server"
)

// syncBuffer collects a running command's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// started is a command running in a goroutine until its context ends.
type started struct {
	cancel         context.CancelFunc
	done           chan error
	stdout, stderr *syncBuffer
}

func start(t *testing.T, args ...string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &started{cancel: cancel, done: make(chan error, 1), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	go func() { s.done <- run(ctx, args, s.stdout, s.stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-s.done:
			// A test that cares about run's result checks it through stop;
			// here it is only reported, for a test that ended early.
			if err != nil {
				t.Logf("run after the cleanup cancelled it: %v", err)
			}
		case <-time.After(20 * time.Second):
		}
	})
	return s
}

// stop cancels the context and returns run's result.
func (s *started) stop(t *testing.T) error {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("run did not return within 20s of the context ending")
		return nil
	}
}

// waitFor polls until f succeeds or the run ends.
func (s *started) waitFor(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !f() {
		select {
		case err := <-s.done:
			t.Fatalf("run returned %v before %s\nstdout: %s\nstderr: %s", err, what, s.stdout, s.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 20s\nstdout: %s\nstderr: %s", what, s.stdout, s.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func readEnv(path string) map[string]string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return readEnvText(string(b))
}

func token(t *testing.T, endpoint, id, secret string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, endpoint+"/connect/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok domain.Token
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("token: HTTP %d %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

func get(t *testing.T, method, u, tok string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// TestDev: aosd dev writes the env file with the three variables, serves a
// token for them, has its dev routes, stops when the context ends, and
// reuses its client on the next start.
func TestDev(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	envFile := filepath.Join(dir, "aos.env")
	s := start(t, "dev", "--listen", "127.0.0.1:0", "--data-dir", dir)
	// The env file is complete once the listening line is printed.
	s.waitFor(t, "start", func() bool { return strings.Contains(s.stdout.String(), "aosd dev is listening on") })
	env := readEnv(envFile)
	if len(env) != 3 || !strings.HasPrefix(env["AOS_ENDPOINT"], "http://127.0.0.1:") {
		t.Fatalf("env file: %v", env)
	}
	for _, f := range []string{envFile, filepath.Join(dir, "encryption.key")} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v (want 0600: it holds a secret)", f, err, fi.Mode().Perm())
		}
	}
	tok := token(t, env["AOS_ENDPOINT"], env["AOS_CLIENT_ID"], env["AOS_CLIENT_SECRET"])
	if st := get(t, http.MethodGet, env["AOS_ENDPOINT"]+"/v1/tenants", tok); st != http.StatusOK {
		t.Errorf("GET /v1/tenants: HTTP %d", st)
	}
	if st := get(t, http.MethodGet, env["AOS_ENDPOINT"]+"/dev/consent?state=x", ""); st == http.StatusNotFound {
		t.Error("aosd dev has no sign-in page")
	}
	if !strings.Contains(s.stdout.String(), env["AOS_ENDPOINT"]) || !strings.Contains(s.stdout.String(), "export AOS_CLIENT_SECRET=") {
		t.Errorf("stdout: %s", s.stdout)
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("run after cancel: %v", err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, env["AOS_ENDPOINT"]+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Error("still serving after the context ended")
	}

	// Same data dir: the client (and its secret in the env file) is kept.
	s2 := start(t, "dev", "--listen", "127.0.0.1:0", "--data-dir", dir)
	var env2 map[string]string
	s2.waitFor(t, "second start", func() bool {
		// The env file is rewritten before this line is printed.
		return strings.Contains(s2.stdout.String(), "aosd dev is listening on")
	})
	env2 = readEnv(envFile)
	if env2["AOS_CLIENT_ID"] != env["AOS_CLIENT_ID"] || env2["AOS_CLIENT_SECRET"] != env["AOS_CLIENT_SECRET"] {
		t.Errorf("the second start made a new client: %v vs %v", env2["AOS_CLIENT_ID"], env["AOS_CLIENT_ID"])
	}
	token(t, env2["AOS_ENDPOINT"], env2["AOS_CLIENT_ID"], env2["AOS_CLIENT_SECRET"])
	if err := s2.stop(t); err != nil {
		t.Fatal(err)
	}
}

func TestKeygen(t *testing.T) {
	var keys []string
	for range 2 {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"keygen"}, &out, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		k := strings.TrimSpace(out.String())
		b, err := secrets.ParseKey(k)
		if err != nil || len(b) != 32 {
			t.Fatalf("keygen printed %q: %v", k, err)
		}
		keys = append(keys, k)
	}
	if keys[0] == keys[1] {
		t.Error("keygen printed the same key twice")
	}
}

func TestClientsCreateAndPermissionsBump(t *testing.T) {
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "aosd.db")
	var out bytes.Buffer
	if err := run(ctx, []string{"clients", "create", "--database", db, "--org", "acme", "--name", "ci", "--scope", "aos.read"}, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	vals := readEnvText(out.String())
	id, secret := vals["AOS_CLIENT_ID"], vals["AOS_CLIENT_SECRET"]
	if id == "" || secret == "" {
		t.Fatalf("output: %q", out.String())
	}
	for _, bad := range [][]string{
		{"clients", "create", "--database", db, "--org", "acme", "--scope", "admin"},
		{"clients", "create", "--database", db},
		{"clients"},
		{"clients", "delete"},
	} {
		if err := run(ctx, bad, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}

	out.Reset()
	if err := run(ctx, []string{"permissions", "bump", "--database", db, "--platform", "google"}, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "google permission set is now version 2") {
		t.Errorf("bump output: %q", out.String())
	}
	if err := run(ctx, []string{"permissions", "bump", "--database", db, "--platform", "azure"}, &bytes.Buffer{}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "--platform") {
		t.Errorf("bad platform: %v", err)
	}
	if err := run(ctx, []string{"permissions", "raise"}, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Error("permissions raise: no error")
	}

	st, err := aosd.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("closing the store: %v", err)
		}
	})
	c, err := st.GetClient(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Org != "acme" || c.Name != "ci" || !slices.Equal(c.Scopes, []string{domain.ScopeRead}) || !bytes.Equal(c.SecretHash, server.HashClientSecret(secret)) {
		t.Errorf("stored client: %+v", c)
	}
	for platform, want := range map[string]int{"google": 2, "microsoft": 1, "amazon": 1} {
		if v, err := st.PermissionVersion(ctx, platform); err != nil || v != want {
			t.Errorf("%s permission version = %d, %v; want %d", platform, v, err, want)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	ctx := context.Background()
	var stderr bytes.Buffer
	err := run(ctx, []string{"frobnicate"}, &bytes.Buffer{}, &stderr)
	if err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) || !strings.Contains(stderr.String(), "Usage:") {
		t.Errorf("unknown command: %v; stderr %q", err, stderr.String())
	}
	if err := run(ctx, nil, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Error("no command: no error")
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"help"}, &out, &bytes.Buffer{}); err != nil || !strings.Contains(out.String(), "aosd keygen") {
		t.Errorf("help: %v %q", err, out.String())
	}
	if err := run(ctx, []string{"dev", "--no-such-flag"}, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Error("unknown flag: no error")
	}
}

// TestServe: aosd serve has no dev routes, and refuses to start without
// what production needs.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "aosd.db")
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte(secrets.GenerateKey()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The secret comes from the file below, not from the caller's environment.
	t.Setenv("AOSD_MICROSOFT_CLIENT_SECRET", "")
	const msSecret = "ms-secret-never-logged"
	secretFile := filepath.Join(dir, "ms-secret")
	if err := os.WriteFile(secretFile, []byte(msSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, bad := range [][]string{
		// A client id without its secret could never confirm a consent.
		{"serve", "--database", db, "--encryption-key-file", keyFile, "--public-url", "https://aos.example.com", "--microsoft-client-id", "x"},
		{"serve", "--database", db, "--encryption-key-file", keyFile, "--public-url", "https://aos.example.com", "--microsoft-client-id", "x",
			"--microsoft-client-secret-file", filepath.Join(dir, "missing")},
		{"serve", "--database", db, "--public-url", "https://aos.example.com", "--microsoft-client-id", "x"},
		{"serve", "--database", db, "--encryption-key-file", keyFile, "--microsoft-client-id", "x"},
		{"serve", "--database", db, "--encryption-key-file", keyFile, "--public-url", "https://aos.example.com"},
		{"serve", "--database", db, "--encryption-key-file", keyFile, "--public-url", "https://aos.example.com", "--microsoft-client-id", "x", "--tls-cert", "c.pem"},
	} {
		if err := run(ctx, bad, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
			t.Errorf("%v: started", bad)
		}
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"clients", "create", "--database", db, "--org", "prod"}, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	vals := readEnvText(out.String())

	s := start(t, "serve", "--database", db, "--encryption-key-file", keyFile, "--listen", "127.0.0.1:0",
		"--public-url", "https://aos.example.com", "--microsoft-client-id", "11111111-2222-3333-4444-555555555555",
		"--microsoft-client-secret-file", secretFile)
	var endpoint string
	s.waitFor(t, "serving log line", func() bool {
		for _, line := range strings.Split(s.stderr.String(), "\n") {
			var l struct {
				Msg, URL string
			}
			if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "aosd serving" {
				endpoint = l.URL
				return true
			}
		}
		return false
	})
	tok := token(t, endpoint, vals["AOS_CLIENT_ID"], vals["AOS_CLIENT_SECRET"])
	if st := get(t, http.MethodGet, endpoint+"/v1/tenants", tok); st != http.StatusOK {
		t.Errorf("GET /v1/tenants: HTTP %d", st)
	}
	for _, r := range []struct{ method, path string }{
		{http.MethodGet, "/dev/consent?state=x"},
		{http.MethodPost, "/dev/v1/consent"},
		{http.MethodPost, "/dev/v1/platforms/microsoft/permissions/bump"},
	} {
		if st := get(t, r.method, endpoint+r.path, tok); st != http.StatusNotFound {
			t.Errorf("%s %s under aosd serve: HTTP %d, want 404", r.method, r.path, st)
		}
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s.stderr.String(), msSecret) || strings.Contains(s.stdout.String(), msSecret) {
		t.Error("aosd serve printed the Microsoft client secret")
	}
}

func readEnvText(s string) map[string]string {
	vals := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			vals[k] = v
		}
	}
	return vals
}
