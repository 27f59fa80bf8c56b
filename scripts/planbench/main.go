// Command planbench measures `terraform plan` at scale: N resources of this
// provider (aos_partner_app_profile, whose refresh is one GET each against a
// real aosd over HTTP) against N terraform_data resources (no I/O), for each
// N, in the same run. It prints wall time, peak memory (max RSS of terraform
// and its provider plugin) and the ratios the project tracks:
//
//   - aos(1,000) / terraform_data(1,000): the plugin protocol alone costs
//     about 2x; the target is 2.3x or less.
//   - aos(10,000) / aos(1,000): the target is 11x or less.
//
// Beside them it plans three floors from scripts/planbench/floorprovider,
// whose resources do no I/O: floor_thing (one attribute, framework),
// floor_shaped (this resource's attribute shape, framework) and floor_raw
// (the same shape without the framework). They separate what the provider
// costs from what the framework and the protocol cost.
//
// State is written directly (as Terraform would after an apply) so the
// benchmark measures plan, not the creates that precede it; every plan must
// report no changes, which also checks that refresh is clean at scale.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/aosdtest"
	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

const (
	namespace = "aos-dev"
	version   = "0.1.0"
)

// layout chooses how the N resources are written. Terraform's own cost
// differs: with count, every instance of the block is expanded and
// evaluated together, which grows faster than linearly in N.
var layout string

func main() {
	counts := flag.String("counts", "1000,10000", "comma-separated resource counts")
	keep := flag.Bool("keep", false, "keep the working directory")
	flag.StringVar(&layout, "layout", "blocks", "blocks: one resource block per object; count: one block with count = N")
	flag.Parse()
	if err := run(context.Background(), *counts, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "planbench:", err)
		os.Exit(1)
	}
}

type result struct {
	wall   time.Duration
	maxRSS int64 // KiB
}

func run(ctx context.Context, countsFlag string, keep bool) error {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return errors.New("terraform is not on PATH")
	}
	work, err := os.MkdirTemp("", "planbench-")
	if err != nil {
		return err
	}
	if !keep {
		// The results are printed by then: a work dir left behind is
		// reported, not a failure of the run.
		defer func() {
			if err := os.RemoveAll(work); err != nil {
				fmt.Fprintln(os.Stderr, "planbench: removing the work dir:", err)
			}
		}()
	} else {
		fmt.Println("work dir:", work)
	}
	mirror := filepath.Join(work, "mirror")
	plugin := filepath.Join(mirror, "registry.terraform.io", namespace, "aos", version, runtime.GOOS+"_"+runtime.GOARCH)
	if err := os.MkdirAll(plugin, 0o755); err != nil {
		return err
	}
	floorPlugin := filepath.Join(mirror, "registry.terraform.io", namespace, "floor", version, runtime.GOOS+"_"+runtime.GOARCH)
	for _, b := range []struct{ out, pkg string }{
		{filepath.Join(plugin, "terraform-provider-aos_v"+version), "."},
		{filepath.Join(floorPlugin, "terraform-provider-floor_v"+version), "./scripts/planbench/floorprovider"},
	} {
		build := exec.CommandContext(ctx, "go", "build", "-o", b.out, b.pkg)
		build.Dir = repoRoot()
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building %s: %w", b.pkg, err)
		}
	}
	rc := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["registry.terraform.io/%[2]s/aos", "registry.terraform.io/%[2]s/floor"]
  }
  direct {
    exclude = ["registry.terraform.io/%[2]s/aos", "registry.terraform.io/%[2]s/floor"]
  }
}
`, mirror, namespace)), 0o644); err != nil {
		return err
	}

	in, err := aosdtest.Start(aosdtest.Options{Dir: filepath.Join(work, "aosd")})
	if err != nil {
		return err
	}
	defer func() {
		// As for the work dir: the results are already out.
		if err := in.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "planbench: stopping aosd:", err)
		}
	}()
	c, err := client.New(client.Config{Endpoint: in.Endpoint, ClientID: in.ClientID, ClientSecret: in.ClientSecret})
	if err != nil {
		return err
	}

	var counts []int
	for _, s := range strings.Split(countsFlag, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(s), &n); err != nil || n <= 0 {
			return fmt.Errorf("bad count %q", s)
		}
		counts = append(counts, n)
	}
	maxN := 0
	for _, n := range counts {
		maxN = max(maxN, n)
	}
	fmt.Printf("creating %d partner app profiles through the API...\n", maxN)
	profiles, err := createProfiles(c, maxN)
	if err != nil {
		return err
	}

	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	for k, v := range in.Env() {
		env = append(env, k+"="+v)
	}
	aos := map[int]result{}
	data := map[int]result{}
	floor := map[int]result{}
	shaped := map[int]result{}
	raw := map[int]result{}
	for _, n := range counts {
		dir := filepath.Join(work, fmt.Sprintf("aos-%d", n))
		if err := writeAOS(ctx, dir, profiles[:n]); err != nil {
			return err
		}
		if aos[n], err = plan(ctx, tf, dir, env); err != nil {
			return err
		}
		dir = filepath.Join(work, fmt.Sprintf("data-%d", n))
		if err := writeData(ctx, dir, n); err != nil {
			return err
		}
		if data[n], err = plan(ctx, tf, dir, env); err != nil {
			return err
		}
		for _, f := range []struct {
			typ string
			res map[int]result
		}{{"floor_thing", floor}, {"floor_shaped", shaped}, {"floor_raw", raw}} {
			dir = filepath.Join(work, fmt.Sprintf("%s-%d", f.typ, n))
			if err := writeFloor(ctx, dir, f.typ, n); err != nil {
				return err
			}
			if f.res[n], err = plan(ctx, tf, dir, env); err != nil {
				return err
			}
		}
	}

	fmt.Printf("\n%-10s %-22s %-22s %-22s %-22s %-22s\n", "resources", "aos_partner_app_profile", "terraform_data", "floor_thing", "floor_shaped", "floor_raw")
	for _, n := range counts {
		fmt.Printf("%-10d %-22s %-22s %-22s %-22s %-22s\n", n, fmtResult(aos[n]), fmtResult(data[n]), fmtResult(floor[n]),
			fmtResult(shaped[n]), fmtResult(raw[n]))
	}
	fmt.Printf("\nratios to terraform_data: %-10s %-12s %-12s %-12s %s\n", "resources", "aos", "floor_thing", "floor_shaped", "floor_raw")
	for _, n := range counts {
		d := data[n].wall.Seconds()
		ratio := func(r result) string { return fmt.Sprintf("%.2fx", r.wall.Seconds()/d) }
		fmt.Printf("%26s %-10d %-12s %-12s %-12s %s\n", "", n, ratio(aos[n]), ratio(floor[n]), ratio(shaped[n]), ratio(raw[n]))
	}
	if len(counts) >= 2 {
		a, b := counts[0], counts[len(counts)-1]
		fmt.Printf("\naos(%d) / aos(%d) = %.2fx   terraform_data(%d) / terraform_data(%d) = %.2fx\n",
			b, a, aos[b].wall.Seconds()/aos[a].wall.Seconds(), b, a, data[b].wall.Seconds()/data[a].wall.Seconds())
	}
	return nil
}

func fmtResult(r result) string {
	return fmt.Sprintf("%6.2fs %5d MiB", r.wall.Seconds(), r.maxRSS/1024)
}

func repoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	return dir
}

func createProfiles(c *client.Client, n int) ([]*domain.PartnerAppProfile, error) {
	out := make([]*domain.PartnerAppProfile, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	next := make(chan int)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				name := fmt.Sprintf("bench-%05d", i)
				p, _, err := c.CreatePartnerAppProfile(context.Background(), domain.PartnerAppProfileWrite{Name: &name})
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				out[i] = p
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, firstErr
}

type stateFile struct {
	Version          int             `json:"version"`
	TerraformVersion string          `json:"terraform_version"`
	Serial           int             `json:"serial"`
	Lineage          string          `json:"lineage"`
	Outputs          map[string]any  `json:"outputs"`
	Resources        []stateResource `json:"resources"`
}

type stateResource struct {
	Mode      string          `json:"mode"`
	Type      string          `json:"type"`
	Name      string          `json:"name"`
	Provider  string          `json:"provider"`
	Instances []stateInstance `json:"instances"`
}

type stateInstance struct {
	IndexKey      *int           `json:"index_key,omitempty"`
	SchemaVersion int            `json:"schema_version"`
	Attributes    map[string]any `json:"attributes"`
}

func tfVersion(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "terraform", "version", "-json").Output()
	if err != nil {
		return "1.11.4"
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	_ = json.Unmarshal(out, &v)
	return v.Version
}

func writeState(ctx context.Context, dir string, res []stateResource) error {
	st := stateFile{Version: 4, TerraformVersion: tfVersion(ctx), Serial: 1, Lineage: "planbench-" + res[0].Type,
		Outputs: map[string]any{}, Resources: res}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "terraform.tfstate"), b, 0o644)
}

func writeAOS(ctx context.Context, dir string, profiles []*domain.PartnerAppProfile) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "terraform {\n  required_providers {\n    aos = { source = \"%s/aos\" }\n  }\n}\n\n", namespace)
	provider := fmt.Sprintf(`provider["registry.terraform.io/%s/aos"]`, namespace)
	var res []stateResource
	attrs := func(p *domain.PartnerAppProfile) map[string]any {
		return map[string]any{
			"id": p.ID, "name": p.Name, "cloud": p.Cloud, "wait_for_consent": false, "status": p.Status,
			"consent_url": p.ConsentURL, "consent_user": p.ConsentUser,
			"modified_time": p.ModifiedTime.Format(time.RFC3339), "timeouts": nil,
		}
	}
	if layout == "count" {
		fmt.Fprintf(&cfg, "resource \"aos_partner_app_profile\" \"p\" {\n  count = %d\n  name  = format(\"bench-%%05d\", count.index)\n}\n", len(profiles))
		r := stateResource{Mode: "managed", Type: "aos_partner_app_profile", Name: "p", Provider: provider}
		for i, p := range profiles {
			r.Instances = append(r.Instances, stateInstance{IndexKey: &i, Attributes: attrs(p)})
		}
		res = append(res, r)
	} else {
		for i, p := range profiles {
			fmt.Fprintf(&cfg, "resource \"aos_partner_app_profile\" \"p%05d\" {\n  name = %q\n}\n", i, p.Name)
			res = append(res, stateResource{Mode: "managed", Type: "aos_partner_app_profile", Name: fmt.Sprintf("p%05d", i),
				Provider: provider, Instances: []stateInstance{{Attributes: attrs(p)}}})
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg.String()), 0o644); err != nil {
		return err
	}
	return writeState(ctx, dir, res)
}

func writeData(ctx context.Context, dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	provider := `provider["terraform.io/builtin/terraform"]`
	attrs := func(i int) map[string]any {
		return map[string]any{"id": fmt.Sprintf("00000000-0000-0000-0000-%012d", i), "input": nil, "output": nil, "triggers_replace": nil}
	}
	var cfg strings.Builder
	var res []stateResource
	if layout == "count" {
		fmt.Fprintf(&cfg, "resource \"terraform_data\" \"d\" {\n  count = %d\n}\n", n)
		r := stateResource{Mode: "managed", Type: "terraform_data", Name: "d", Provider: provider}
		for i := 0; i < n; i++ {
			r.Instances = append(r.Instances, stateInstance{IndexKey: &i, Attributes: attrs(i)})
		}
		res = append(res, r)
	} else {
		for i := 0; i < n; i++ {
			fmt.Fprintf(&cfg, "resource \"terraform_data\" \"d%05d\" {}\n", i)
			res = append(res, stateResource{Mode: "managed", Type: "terraform_data", Name: fmt.Sprintf("d%05d", i),
				Provider: provider, Instances: []stateInstance{{Attributes: attrs(i)}}})
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg.String()), 0o644); err != nil {
		return err
	}
	return writeState(ctx, dir, res)
}

// writeFloor writes N resources of a floor provider type
// (scripts/planbench/floorprovider) in the same layout as the others.
func writeFloor(ctx context.Context, dir, typ string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	provider := fmt.Sprintf(`provider["registry.terraform.io/%s/floor"]`, namespace)
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "terraform {\n  required_providers {\n    floor = { source = \"%s/floor\" }\n  }\n}\n\n", namespace)
	var res []stateResource
	if layout == "count" {
		fmt.Fprintf(&cfg, "resource %q \"t\" {\n  count = %d\n}\n", typ, n)
		r := stateResource{Mode: "managed", Type: typ, Name: "t", Provider: provider}
		for i := 0; i < n; i++ {
			r.Instances = append(r.Instances, stateInstance{IndexKey: &i, Attributes: floorAttrs(typ, i)})
		}
		res = append(res, r)
	} else {
		for i := 0; i < n; i++ {
			fmt.Fprintf(&cfg, "resource %q \"t%05d\" {}\n", typ, i)
			res = append(res, stateResource{Mode: "managed", Type: typ, Name: fmt.Sprintf("t%05d", i),
				Provider: provider, Instances: []stateInstance{{Attributes: floorAttrs(typ, i)}}})
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg.String()), 0o644); err != nil {
		return err
	}
	return writeState(ctx, dir, res)
}

// plan runs terraform init (not measured) and terraform plan (measured),
// which must report no changes.
func plan(ctx context.Context, tf, dir string, env []string) (result, error) {
	initCmd := exec.CommandContext(ctx, tf, "init", "-input=false", "-no-color")
	initCmd.Dir, initCmd.Env = dir, env
	if out, err := initCmd.CombinedOutput(); err != nil {
		return result{}, fmt.Errorf("terraform init in %s: %w\n%s", dir, err, out)
	}
	cmd := exec.CommandContext(ctx, tf, "plan", "-input=false", "-no-color", "-lock=false", "-detailed-exitcode")
	cmd.Dir, cmd.Env = dir, env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		return result{}, fmt.Errorf("terraform plan in %s (want no changes): %w\n%s", dir, err, tail(out))
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	r := result{wall: wall}
	if ru != nil {
		r.maxRSS = ru.Maxrss
	}
	return r, nil
}

func tail(b []byte) string {
	s := string(b)
	if len(s) > 4000 {
		s = "..." + s[len(s)-4000:]
	}
	return s
}

// floorAttrs is the state of one floor resource of typ.
func floorAttrs(typ string, i int) map[string]any {
	m := map[string]any{"id": fmt.Sprint("x", i)}
	if typ == "floor_shaped" || typ == "floor_raw" {
		m["timeouts"] = nil
		for _, n := range []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"} {
			m[n] = "v"
		}
	}
	return m
}
