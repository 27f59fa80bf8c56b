package sqlite_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aos-dev/terraform-provider-aos/internal/store"
	"github.com/aos-dev/terraform-provider-aos/internal/store/sqlite"
	"github.com/aos-dev/terraform-provider-aos/internal/store/storetest"
)

func openAt(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, storetest.PerTest(
		func(t *testing.T) string { return filepath.Join(t.TempDir(), "aos.db") },
		func(t *testing.T, path string) store.Store { return openAt(t, path) },
	))
}

// TestConnectionSettings checks the settings every pooled connection needs:
// without foreign_keys SQLite would not enforce refs at all.
func TestConnectionSettings(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "aos.db"))
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000"} {
		var got string
		if err := s.DB().QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}

// TestConcurrentOpen opens one new database from several processes' worth
// of stores at once: the migration runs exactly once.
func TestConcurrentOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aos.db")
	const n = 4
	stores := make([]*sqlite.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = sqlite.Open(context.Background(), path) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("open %d: %v", i, errs[i])
		}
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	var count int
	if err := stores[0].DB().QueryRowContext(t.Context(), "SELECT count(*) FROM schema_migrations").Scan(&count); err != nil {
		t.Fatal(err)
	}
	if count != 1 {
		t.Fatalf("schema_migrations has %d rows, want 1", count)
	}
}

// TestNewerSchemaRefused checks that an aosd does not run on a database a
// newer aosd has migrated: it cannot know what the new schema requires.
func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aos.db")
	s := openAt(t, path)
	if _, err := s.DB().ExecContext(t.Context(), "INSERT INTO schema_migrations (version, name, applied) VALUES (999, 'future', '')"); err != nil {
		t.Fatal(err)
	}
	if s2, err := sqlite.Open(context.Background(), path); err == nil {
		_ = s2.Close()
		t.Fatal("Open succeeded on a newer schema")
	} else if !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Open error %q does not say the schema is newer", err)
	}
}

func TestOpenRejectsNonFilePaths(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro"} {
		if s, err := sqlite.Open(context.Background(), path); err == nil {
			_ = s.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
}

func benchStore(b *testing.B) store.Store {
	return openAt(b, filepath.Join(b.TempDir(), "aos.db"))
}

func BenchmarkGet(b *testing.B)    { storetest.BenchGet(b, benchStore(b)) }
func BenchmarkList(b *testing.B)   { storetest.BenchList(b, benchStore(b)) }
func BenchmarkInsert(b *testing.B) { storetest.BenchInsert(b, benchStore(b)) }
