// Command outage measures how a terraform apply lives through an aosd that
// goes down in the middle of it: for each outage length it starts `aosd
// dev` as a process, puts internal/faultproxy in front of it, runs
// terraform apply of a small configuration, kills aosd (SIGKILL) right
// after it committed the first create (whose reply is then lost), and
// starts it again on the same data dir and port after the outage. It reports whether the apply survived, how long it
// took, how many attempts reached the proxy while aosd was down, the final
// error, and what a second apply then does (and whether the service holds
// a duplicate or an object missing from the state).
//
//	go run ./scripts/outage -outages 5s,30s,3m
//
// While aosd is down the proxy resets each connection it accepts (a
// stopped server refuses them instead); the provider retries both alike.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/aosdproc"
	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/faultproxy"
)

const config = `
terraform {
  required_providers {
    aos = {
      source = "aos-dev/aos"
    }
  }
}

provider "aos" {}

resource "aos_microsoft_tenant" "contoso" {
  domain = "contoso.onmicrosoft.com"
}

resource "aos_partner_app_profile" "p" {
  count = 2
  name  = "outage-${count.index}"
}
`

func main() {
	outages := flag.String("outages", "5s,30s,3m", "comma-separated outage lengths")
	keep := flag.Bool("keep", false, "keep the work directory")
	flag.Parse()
	if err := run(context.Background(), *outages, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "outage:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, outages string, keep bool) error {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return errors.New("terraform is not on PATH")
	}
	work, err := os.MkdirTemp("", "aos-outage-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Println("work directory:", work)
	} else {
		defer func() { _ = os.RemoveAll(work) }()
	}
	const ns, ver = "aos-dev", "0.0.1"
	plugin := filepath.Join(work, "mirror", "registry.terraform.io", ns, "aos", ver, runtime.GOOS+"_"+runtime.GOARCH)
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(plugin, "terraform-provider-aos_v"+ver), ".").CombinedOutput(); err != nil {
		return fmt.Errorf("building the provider: %w\n%s", err, out)
	}
	aosdBin, err := aosdproc.Build(ctx, work)
	if err != nil {
		return err
	}
	rc := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(rc, fmt.Appendf(nil, `provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["registry.terraform.io/%[2]s/aos"]
  }
  direct {
    exclude = ["registry.terraform.io/%[2]s/aos"]
  }
}
`, filepath.Join(work, "mirror"), ns), 0o600); err != nil {
		return err
	}
	var results []result
	for _, s := range strings.Split(outages, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("outage %q: %w", s, err)
		}
		dir := filepath.Join(work, "outage-"+d.String())
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		r, err := measure(ctx, tf, rc, aosdBin, dir, d)
		if err != nil {
			return fmt.Errorf("outage %s: %w", d, err)
		}
		results = append(results, r)
		r.print()
	}
	fmt.Println("\nsummary")
	fmt.Printf("%-8s %-9s %-10s %-9s %-10s %s\n", "outage", "survived", "apply", "cut off", "re-apply", "service after re-apply")
	for _, r := range results {
		fmt.Printf("%-8s %-9t %-10s %-9d %-10s %s\n", r.outage, r.survived, r.applyTime.Round(100*time.Millisecond), r.attempts, r.reapply, r.service)
	}
	return nil
}

type result struct {
	outage    time.Duration
	down      time.Duration // from the kill until /healthz answered again
	survived  bool
	applyTime time.Duration
	// attempts is how many write attempts got no answer (aosd down);
	// byPath lists each write call with its attempts and their span.
	attempts int
	byPath   []string
	errText  string
	reapply  string
	reErr    string
	service  string
}

func (r result) print() {
	fmt.Printf("\n=== aosd down for %s (%s from the kill to /healthz answering again)\n", r.outage, r.down.Round(100*time.Millisecond))
	fmt.Printf("apply survived: %t, took %s\n", r.survived, r.applyTime.Round(100*time.Millisecond))
	fmt.Printf("write attempts without an answer: %d, by call:\n", r.attempts)
	for _, p := range r.byPath {
		fmt.Println("  " + p)
	}
	if r.errText != "" {
		fmt.Println("final error of the apply:\n" + indent(r.errText))
	}
	fmt.Printf("second apply (aosd up again): %s\n", r.reapply)
	if r.reErr != "" {
		fmt.Println(indent(r.reErr))
	}
	fmt.Println("service after the second apply: " + r.service)
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n    ")
}

func measure(ctx context.Context, tf, rc, aosdBin, dir string, outage time.Duration) (result, error) {
	r := result{outage: outage}
	a, err := aosdproc.Start(ctx, aosdproc.Dev(aosdBin, dir))
	defer a.Stop()
	if err != nil {
		return r, err
	}
	env, err := a.Env()
	if err != nil {
		return r, err
	}
	p, err := faultproxy.Start(env["AOS_ENDPOINT"])
	if err != nil {
		return r, err
	}
	defer func() { _ = p.Close() }()

	// The first create commits, then aosd dies before its reply leaves:
	// the worst moment, as the object exists and the client cannot know.
	p.SetRules(faultproxy.Rule{Method: http.MethodPost, Path: "/v1/partner-app-profiles", Nth: 1, Fault: faultproxy.DropReply,
		OnFire: func(faultproxy.Event) { a.Kill(); a.RestartAfter(ctx, outage) }})

	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		return r, err
	}
	tfEnv := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"AOS_ENDPOINT="+p.URL(), "AOS_CLIENT_ID="+env["AOS_CLIENT_ID"], "AOS_CLIENT_SECRET="+env["AOS_CLIENT_SECRET"])
	terraform := func(args ...string) (string, int, time.Duration) {
		cmd := exec.CommandContext(ctx, tf, args...)
		cmd.Dir, cmd.Env = dir, tfEnv
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			code = -1
			out.WriteString(err.Error())
		}
		return out.String(), code, time.Since(start)
	}
	if out, code, _ := terraform("init", "-input=false", "-no-color"); code != 0 {
		return r, fmt.Errorf("terraform init:\n%s", out)
	}
	out, code, took := terraform("apply", "-input=false", "-no-color", "-auto-approve")
	r.survived, r.applyTime = code == 0, took
	if code != 0 {
		r.errText = errorsOf(out)
	}
	if err := a.Wait(); err != nil {
		return r, err
	}
	killedAt, upAt := a.LastOutage()
	if killedAt.IsZero() {
		return r, fmt.Errorf("the apply never reached the kill:\n%s", out)
	}
	r.down = upAt.Sub(killedAt)
	// Every call of the apply, by its attempts: the creates' attempts
	// share their Idempotency-Key.
	type call struct {
		n, failed   int
		first, last time.Time
	}
	calls := map[string]*call{}
	var order []string
	for _, q := range p.Requests() {
		if q.Method == http.MethodGet || q.Path == "/connect/token" {
			continue
		}
		k := q.Method + " " + q.Path
		if key := q.Header.Get("Idempotency-Key"); key != "" {
			k += " (Idempotency-Key " + key[:8] + "…)"
		}
		c, ok := calls[k]
		if !ok {
			c = &call{first: q.At}
			calls[k] = c
			order = append(order, k)
		}
		c.n++
		c.last = q.At
		if q.Status == 0 {
			c.failed++
			r.attempts++
		}
	}
	for _, k := range order {
		c := calls[k]
		r.byPath = append(r.byPath, fmt.Sprintf("%s: %d attempts (%d cut off) over %s", k, c.n, c.failed, c.last.Sub(c.first).Round(100*time.Millisecond)))
	}
	p.SetRules()
	out, code, took = terraform("apply", "-input=false", "-no-color", "-auto-approve")
	if code == 0 {
		r.reapply = fmt.Sprintf("succeeded in %s", took.Round(100*time.Millisecond))
		if plan, pc, _ := terraform("plan", "-input=false", "-no-color", "-detailed-exitcode"); pc != 0 {
			r.reapply += ", but the plan after it is not empty:\n" + plan
		} else {
			r.reapply += ", plan then empty"
		}
	} else {
		r.reapply = fmt.Sprintf("failed after %s", took.Round(100*time.Millisecond))
		r.reErr = errorsOf(out)
	}
	r.service, err = serviceVsState(ctx, dir, env)
	return r, err
}

// errorsOf keeps the Error blocks of terraform's output.
func errorsOf(out string) string {
	i := strings.Index(out, "Error: ")
	if i < 0 {
		return strings.TrimSpace(out)
	}
	return strings.TrimSpace(out[i:])
}

// serviceVsState compares the partner profiles and tenants in aosd with the
// state: duplicates and objects missing from the state.
func serviceVsState(ctx context.Context, dir string, env map[string]string) (string, error) {
	c, err := client.New(client.Config{Endpoint: env["AOS_ENDPOINT"], ClientID: env["AOS_CLIENT_ID"], ClientSecret: env["AOS_CLIENT_SECRET"]})
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	ps, err := c.ListPartnerAppProfiles(ctx, client.Filter{})
	if err != nil {
		return "", err
	}
	ts, err := c.ListTenants(ctx, client.Filter{})
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		return "", err
	}
	var st struct {
		Resources []struct {
			Instances []struct {
				Attributes struct {
					ID string `json:"id"`
				} `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return "", err
	}
	inState := map[string]bool{}
	for _, res := range st.Resources {
		for _, in := range res.Instances {
			inState[in.Attributes.ID] = true
		}
	}
	var missing []string
	names := map[string]int{}
	for _, x := range ps {
		names[x.Name]++
		if !inState[x.ID] {
			missing = append(missing, "partner profile "+x.Name+" "+x.ID)
		}
	}
	for _, x := range ts {
		names[x.Domain]++
		if !inState[x.ID] {
			missing = append(missing, "tenant "+x.Domain+" "+x.ID)
		}
	}
	var dups []string
	for n, k := range names {
		if k > 1 {
			dups = append(dups, fmt.Sprintf("%s ×%d", n, k))
		}
	}
	s := fmt.Sprintf("%d partner profiles, %d tenants", len(ps), len(ts))
	if len(dups) > 0 {
		s += "; duplicates: " + strings.Join(dups, ", ")
	}
	if len(missing) > 0 {
		s += "; not in the state: " + strings.Join(missing, ", ")
	}
	if len(dups) == 0 && len(missing) == 0 {
		s += ", all in the state, no duplicate"
	}
	return s, nil
}
