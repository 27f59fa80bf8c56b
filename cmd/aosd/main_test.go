package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
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
	"github.com/aos-dev/terraform-provider-aos/internal/store"
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
		"--microsoft-client-secret-file", secretFile, "--disable-amazon")
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

// TestOrgsSet: aosd orgs set stores an organization's service provider
// flag in the database, where aosd reads it; the organization may come
// before or after the flags.
func TestOrgsSet(t *testing.T) {
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "aosd.db")
	serviceProvider := func(org string) bool {
		t.Helper()
		st, err := aosd.OpenStore(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := st.Close(); err != nil {
				t.Error(err)
			}
		}()
		s, err := store.GetOrgSettings(ctx, st, org)
		if err != nil {
			t.Fatal(err)
		}
		return s.ServiceProvider
	}
	for _, step := range []struct {
		args []string
		want bool
		out  string
	}{
		{[]string{"orgs", "set", "acme", "--database", db, "--service-provider"}, true, "organization acme is now a service provider"},
		{[]string{"orgs", "set", "--database", db, "acme", "--service-provider=false"}, false, "organization acme is now not a service provider"},
		{[]string{"orgs", "set", "--database", db, "--service-provider", "acme"}, true, "is now a service provider"},
	} {
		var out bytes.Buffer
		if err := run(ctx, step.args, &out, &bytes.Buffer{}); err != nil {
			t.Fatalf("%v: %v", step.args, err)
		}
		if !strings.Contains(out.String(), step.out) {
			t.Errorf("%v printed %q, want %q", step.args, out.String(), step.out)
		}
		if got := serviceProvider("acme"); got != step.want {
			t.Errorf("after %v: service provider = %v, want %v", step.args, got, step.want)
		}
	}
	if serviceProvider("other") {
		t.Error("another organization became a service provider")
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"orgs"}, "usage: aosd orgs set"},
		{[]string{"orgs", "show", "acme"}, "usage: aosd orgs set"},
		{[]string{"orgs", "set", "--database", db, "--service-provider"}, "organization is required"},
		{[]string{"orgs", "set", "acme", "--database", db}, "nothing to set"},
		{[]string{"orgs", "set", "acme", "extra", "--database", db, "--service-provider"}, "unexpected arguments"},
		{[]string{"orgs", "set", "acme", "--service-provider", "--database", ""}, "--database is required"},
		{[]string{"orgs", "set", "acme", "--database", db, "--service-provider=maybe"}, "service-provider"},
	} {
		err := run(ctx, bad.args, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%v: error %v, want one containing %q", bad.args, err, bad.want)
		}
	}
	if !serviceProvider("acme") {
		t.Error("a refused command changed the setting")
	}
}

// TestDevServiceProvider: aosd dev --service-provider marks the dev
// organization, a later start without the flag keeps the setting, and
// --service-provider=false clears it.
func TestDevServiceProvider(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	const banner = `Organization "dev" is a service provider`
	for _, step := range []struct {
		flags []string
		want  bool
	}{
		{[]string{"--service-provider"}, true},
		{nil, true},
		{[]string{"--service-provider=false"}, false},
		{nil, false},
	} {
		args := append([]string{"dev", "--listen", "127.0.0.1:0", "--data-dir", dir}, step.flags...)
		s := start(t, args...)
		s.waitFor(t, "start", func() bool { return strings.Contains(s.stdout.String(), "Credentials (also in") })
		if got := strings.Contains(s.stdout.String(), banner); got != step.want {
			t.Errorf("%v: banner shown = %v, want %v\nstdout: %s", step.flags, got, step.want, s.stdout)
		}
		if err := s.stop(t); err != nil {
			t.Fatalf("%v: %v", step.flags, err)
		}
		st, err := aosd.OpenStore(context.Background(), "sqlite:"+filepath.Join(dir, "aosd.db"))
		if err != nil {
			t.Fatal(err)
		}
		settings, err := store.GetOrgSettings(context.Background(), st, devOrg)
		if cerr := st.Close(); cerr != nil {
			t.Error(cerr)
		}
		if err != nil || settings.ServiceProvider != step.want {
			t.Errorf("%v: stored service provider = %v, %v; want %v", step.flags, settings.ServiceProvider, err, step.want)
		}
	}
}

// TestServeMicrosoftAppFlags: the per-app-type Microsoft apps reach the
// consent configuration aosd starts with; unknown or custom app types,
// missing or empty secret files, and halves without their other half stop
// aosd serve with an error naming the flag.
func TestServeMicrosoftAppFlags(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("key", secrets.GenerateKey()+"\n")
	t.Setenv("AOSD_MICROSOFT_CLIENT_SECRET", "")
	const (
		myhubSecret  = "myhub-secret-never-shown"
		backupSecret = "backup-secret-never-shown"
	)
	msSecret := write("ms", "ms-secret\n")
	myhub := write("myhub", myhubSecret+"\n")
	backup := write("backup", "  "+backupSecret+"\n")
	empty := write("empty", "\n")
	base := []string{"--database", "sqlite:" + filepath.Join(dir, "aosd.db"), "--encryption-key-file", keyFile,
		"--public-url", "https://aos.example.com", "--microsoft-client-id", "main-app", "--microsoft-client-secret-file", msSecret, "--disable-amazon"}

	o, err := serveOptions(append(slices.Clone(base),
		"--microsoft-app-client-id", "myhub=myhub-app",
		"--microsoft-app-client-secret-file", "myhub="+myhub,
		"--microsoft-app-client-id", "cloud_backup_m365=backup-app",
		"--microsoft-app-client-secret-file", "cloud_backup_m365="+backup,
	), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	c := o.Consent
	wantIDs := map[string]string{"myhub": "myhub-app", domain.AppTypeCloudBackupM365: "backup-app"}
	wantSecrets := map[string]string{"myhub": myhubSecret, domain.AppTypeCloudBackupM365: backupSecret}
	if c == nil || !maps.Equal(c.MicrosoftAppClientIDs, wantIDs) || !maps.Equal(c.MicrosoftAppClientSecrets, wantSecrets) {
		t.Fatalf("consent configuration: %+v", c)
	}
	if c.MicrosoftClientID != "main-app" || c.MicrosoftClientSecret != "ms-secret" {
		t.Errorf("the main Microsoft app changed: %q %q", c.MicrosoftClientID, c.MicrosoftClientSecret)
	}
	// Without the flags nothing is configured per app type.
	if o, err := serveOptions(base, &bytes.Buffer{}); err != nil || len(o.Consent.MicrosoftAppClientIDs) != 0 {
		t.Errorf("no per-type flags: %v, %v", err, o.Consent)
	}

	for _, bad := range []struct {
		name  string
		flags []string
		want  string
	}{
		{"unknown type", []string{"--microsoft-app-client-id", "exchange=x"}, `-microsoft-app-client-id: "exchange" is not an app type; use one of: microsoft_365`},
		{"unknown type of a secret", []string{"--microsoft-app-client-secret-file", "exchange=" + myhub}, `-microsoft-app-client-secret-file: "exchange" is not an app type`},
		{"custom type", []string{"--microsoft-app-client-id", domain.AppTypeCustomAzureApp + "=x"}, `-microsoft-app-client-id: "custom_azure_app" is a custom Azure app type`},
		{"no equals sign", []string{"--microsoft-app-client-id", "myhub"}, "-microsoft-app-client-id: want TYPE=VALUE"},
		{"empty id", []string{"--microsoft-app-client-id", "myhub="}, "-microsoft-app-client-id: want TYPE=VALUE"},
		{"type twice", []string{"--microsoft-app-client-id", "myhub=a", "--microsoft-app-client-id", "myhub=b"}, "myhub is given twice"},
		{"missing secret file", []string{"--microsoft-app-client-id", "myhub=a", "--microsoft-app-client-secret-file", "myhub=" + filepath.Join(dir, "missing")},
			"reading --microsoft-app-client-secret-file myhub"},
		{"empty secret file", []string{"--microsoft-app-client-id", "myhub=a", "--microsoft-app-client-secret-file", "myhub=" + empty}, "is empty"},
		{"id without secret", []string{"--microsoft-app-client-id", "myhub=a"}, "set --microsoft-app-client-secret-file myhub=PATH"},
		{"secret without id", []string{"--microsoft-app-client-id", "myhub=a", "--microsoft-app-client-secret-file", "myhub=" + myhub,
			"--microsoft-app-client-secret-file", "delegated_app=" + backup}, "there is no --microsoft-app-client-id delegated_app"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			var stderr bytes.Buffer
			_, err := serveOptions(append(slices.Clone(base), bad.flags...), &stderr)
			if err == nil || !strings.Contains(err.Error(), bad.want) {
				t.Fatalf("error %v, want one containing %q", err, bad.want)
			}
			for _, secret := range []string{myhubSecret, backupSecret} {
				if strings.Contains(err.Error(), secret) || strings.Contains(stderr.String(), secret) {
					t.Errorf("a secret was printed: %v / %s", err, stderr.String())
				}
			}
		})
	}
	t.Run("apps without the main Microsoft app", func(t *testing.T) {
		_, err := serveOptions([]string{"--database", "sqlite:x", "--encryption-key-file", keyFile, "--public-url", "https://aos.example.com",
			"--disable-amazon", "--google-client-id", "g", "--google-client-secret-file", msSecret,
			"--microsoft-app-client-id", "myhub=a", "--microsoft-app-client-secret-file", "myhub=" + myhub}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "--microsoft-app-client-id needs --microsoft-client-id") {
			t.Fatalf("error %v", err)
		}
	})
	// run refuses the same way, before opening anything.
	err = run(context.Background(), append(append([]string{"serve"}, base...), "--microsoft-app-client-id", "nope=x"), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "microsoft-app-client-id") {
		t.Errorf("aosd serve with a bad app type: %v", err)
	}
}
