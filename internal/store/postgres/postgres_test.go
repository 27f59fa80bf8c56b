package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/aos-dev/terraform-provider-aos/internal/store"
	"github.com/aos-dev/terraform-provider-aos/internal/store/postgres"
	"github.com/aos-dev/terraform-provider-aos/internal/store/storetest"
	"github.com/aos-dev/terraform-provider-aos/internal/testpg"
)

// TestMain starts no server itself; testpg starts one on first use and
// Main stops it when the tests are done.
func TestMain(m *testing.M) { testpg.Main(m) }

func openAt(t testing.TB, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open: %v", err)
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
		func(t *testing.T) string { return testpg.URL(t) },
		func(t *testing.T, url string) store.Store { return openAt(t, url) },
	))
}

// TestConcurrentOpen starts several replicas on one new database at once:
// the advisory lock lets exactly one migrate and the others find the
// schema in place.
func TestConcurrentOpen(t *testing.T) {
	url := testpg.URL(t)
	const n = 4
	stores := make([]*postgres.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(context.Background(), url) })
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

// TestTxRetry checks that Tx runs fn again after a serialization failure or
// a deadlock, a bounded number of times, and not after other errors.
func TestTxRetry(t *testing.T) {
	s := openAt(t, testpg.URL(t))
	for _, code := range []string{"40001", "40P01"} {
		calls := 0
		err := s.Tx(t.Context(), func(tx store.Tx) error {
			calls++
			if calls < 3 {
				return &pgconn.PgError{Code: code}
			}
			return tx.Insert(t.Context(), &store.Record{Org: "o", Kind: store.KindTenant, ID: "t-" + code, Data: []byte("{}")})
		})
		if err != nil || calls != 3 {
			t.Fatalf("code %s: Tx returned %v after %d calls, want success after 3", code, err, calls)
		}
	}
	calls := 0
	err := s.Tx(t.Context(), func(store.Tx) error {
		calls++
		return &pgconn.PgError{Code: "40001"}
	})
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || calls < 2 || calls > 10 {
		t.Fatalf("persistent conflict: Tx returned %v after %d calls, want the conflict after a few", err, calls)
	}
	calls = 0
	boom := errors.New("boom")
	if err := s.Tx(t.Context(), func(store.Tx) error { calls++; return boom }); err != boom || calls != 1 { //nolint:errorlint // Tx must return fn's error itself, not a wrapper.
		t.Fatalf("ordinary error: Tx returned %v after %d calls, want it at once", err, calls)
	}
}

// TestOpenPoolSize checks that pool_max_conns is taken out of the URL
// (the server would refuse it as a setting) and applied.
func TestOpenPoolSize(t *testing.T) {
	s := openAt(t, testpg.URL(t)+"&pool_max_conns=3")
	if got := s.DB().Stats().MaxOpenConnections; got != 3 {
		t.Fatalf("MaxOpenConnections = %d, want 3", got)
	}
}

func benchStore(b *testing.B) store.Store { return openAt(b, testpg.URL(b)) }

func BenchmarkGet(b *testing.B)    { storetest.BenchGet(b, benchStore(b)) }
func BenchmarkList(b *testing.B)   { storetest.BenchList(b, benchStore(b)) }
func BenchmarkInsert(b *testing.B) { storetest.BenchInsert(b, benchStore(b)) }
