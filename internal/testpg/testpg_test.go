package testpg

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

func TestURL(t *testing.T) {
	var first string
	t.Run("fresh", func(t *testing.T) {
		first = URL(t)
		second := URL(t)
		if first == second {
			t.Fatalf("URL returned %s twice", first)
		}
		db, err := sql.Open("pgx", first)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = db.Close() }()
		var tables int
		if err := db.QueryRowContext(t.Context(), "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if tables != 0 {
			t.Fatalf("new database has %d tables", tables)
		}
	})
	// The subtest's cleanup dropped its databases.
	s, _, err := get()
	if err != nil {
		t.Fatal(err)
	}
	name := first[strings.LastIndex(first, "/")+1:]
	name, _, _ = strings.Cut(name, "?")
	var n int
	if err := s.admin.QueryRowContext(context.Background(), "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("database %s still exists after its test", name)
	}
}

// TestNotInstalled checks what happens without PostgreSQL: a skip, or a
// failure when AOS_REQUIRE_POSTGRES=1. It runs a helper test in a child
// process, since the server state is per process.
func TestNotInstalled(t *testing.T) {
	for _, c := range []struct {
		require string
		want    string
	}{
		{"", "--- SKIP: TestHelperNotInstalled"},
		{"1", "--- FAIL: TestHelperNotInstalled"},
	} {
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestHelperNotInstalled$", "-test.v")
		cmd.Env = append(os.Environ(), "TESTPG_HELPER=1", "PATH=/nonexistent", EnvURL+"=", EnvRequire+"="+c.require)
		out, _ := cmd.CombinedOutput() // The exit status is checked through the output.
		if !strings.Contains(string(out), c.want) || !strings.Contains(string(out), "not found") {
			t.Errorf("%s=%q: output lacks %q and the reason:\n%s", EnvRequire, c.require, c.want, out)
		}
	}
}

func TestHelperNotInstalled(t *testing.T) {
	if os.Getenv("TESTPG_HELPER") != "1" {
		t.Skip("helper for TestNotInstalled")
	}
	packageDirs = nil
	URL(t)
	t.Fatal("URL returned without PostgreSQL installed")
}
