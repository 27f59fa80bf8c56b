// Package storetest is the conformance suite of store.Store. Every backend
// runs it from its own tests, so SQLite and PostgreSQL are held to the same
// behaviour, including under concurrency from several Store instances on
// one database (several aosd replicas).
package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/store"
)

// Run runs the suite. open returns a Store for the test t: the first call
// in a test gets a Store on a new, empty database; later calls in the same
// test open further, independent Stores (their own connections) on that
// same database, the way two aosd replicas share one. open registers the
// Store's Close with t.Cleanup. PerTest builds such a function.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) store.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"UniqueKey", testUniqueKey},
		{"FailedWriteKeepsTxUsable", testFailedWriteKeepsTxUsable},
		{"Versions", testVersions},
		{"Refs", testRefs},
		{"MissingRef", testMissingRef},
		{"CrossOrg", testCrossOrg},
		{"ListFilters", testListFilters},
		{"Paging", testPaging},
		{"TxRollback", testTxRollback},
		{"Idempotency", testIdempotency},
		{"IdempotencyConcurrent", testIdempotencyConcurrent},
		{"UpdateConcurrent", testUpdateConcurrent},
		{"Clients", testClients},
		{"PermissionVersions", testPermissionVersions},
		{"PurgeIdempotency", testPurgeIdempotency},
		{"OrgSettings", testOrgSettings},
		{"InvalidText", testInvalidText},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// PerTest builds Run's open function from a backend's two halves:
// newDatabase creates an empty database for a test and returns how to reach
// it (a path or URL), and openAt opens a Store there and registers its
// Close with t.Cleanup.
func PerTest(newDatabase func(t *testing.T) string, openAt func(t *testing.T, dsn string) store.Store) func(t *testing.T) store.Store {
	var (
		mu  sync.Mutex
		dbs = map[*testing.T]string{}
	)
	return func(t *testing.T) store.Store {
		t.Helper()
		mu.Lock()
		dsn, ok := dbs[t]
		if !ok {
			dsn = newDatabase(t)
			dbs[t] = dsn
			t.Cleanup(func() {
				mu.Lock()
				delete(dbs, t)
				mu.Unlock()
			})
		}
		mu.Unlock()
		return openAt(t, dsn)
	}
}

const (
	org1 = "org-1"
	org2 = "org-2"
)

// rec returns a record with a small JSON document.
func rec(org, kind, id, name string) *store.Record {
	return &store.Record{Org: org, Kind: kind, ID: id, Name: name, Data: fmt.Appendf(nil, `{"id":%q}`, id)}
}

func insert(t *testing.T, s store.Store, rs ...*store.Record) {
	t.Helper()
	err := s.Tx(t.Context(), func(tx store.Tx) error {
		for _, r := range rs {
			if err := tx.Insert(t.Context(), r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert: %v", err)
	}
}

func tryInsert(t *testing.T, s store.Store, r *store.Record) error {
	t.Helper()
	return s.Tx(t.Context(), func(tx store.Tx) error { return tx.Insert(t.Context(), r) })
}

func tryUpdate(t *testing.T, s store.Store, r *store.Record, expect int64) error {
	t.Helper()
	return s.Tx(t.Context(), func(tx store.Tx) error { return tx.Update(t.Context(), r, expect) })
}

func tryDelete(t *testing.T, s store.Store, org, kind, id string, expect int64) error {
	t.Helper()
	return s.Tx(t.Context(), func(tx store.Tx) error { return tx.Delete(t.Context(), org, kind, id, expect) })
}

// mustGet reads a record of org1.
func mustGet(t *testing.T, s store.Store, kind, id string) *store.Record {
	t.Helper()
	r, err := s.Get(t.Context(), org1, kind, id)
	if err != nil {
		t.Fatalf("get %s %s: %v", kind, id, err)
	}
	return r
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

func wantNotFound(t *testing.T, s store.Store, org, kind, id string) {
	t.Helper()
	_, err := s.Get(t.Context(), org, kind, id)
	wantErr(t, fmt.Sprintf("get %s %s %s", org, kind, id), err, store.ErrNotFound)
}

// equalRecord compares every field; want.Refs must be sorted and distinct.
func equalRecord(t *testing.T, got, want *store.Record) {
	t.Helper()
	var diffs []string
	check := func(field string, ok bool, g, w any) {
		if !ok {
			diffs = append(diffs, fmt.Sprintf("%s: got %v, want %v", field, g, w))
		}
	}
	check("Org", got.Org == want.Org, got.Org, want.Org)
	check("Kind", got.Kind == want.Kind, got.Kind, want.Kind)
	check("ID", got.ID == want.ID, got.ID, want.ID)
	check("TenantID", got.TenantID == want.TenantID, got.TenantID, want.TenantID)
	check("Name", got.Name == want.Name, got.Name, want.Name)
	check("Platform", got.Platform == want.Platform, got.Platform, want.Platform)
	check("Type", got.Type == want.Type, got.Type, want.Type)
	check("UniqueKey", got.UniqueKey == want.UniqueKey, got.UniqueKey, want.UniqueKey)
	check("Refs", slices.Equal(got.Refs, want.Refs), got.Refs, want.Refs)
	check("Data", bytes.Equal(got.Data, want.Data), string(got.Data), string(want.Data))
	check("Secret", bytes.Equal(got.Secret, want.Secret) && (got.Secret == nil) == (want.Secret == nil), got.Secret, want.Secret)
	check("Version", got.Version == want.Version, got.Version, want.Version)
	check("Created", got.Created.Equal(want.Created), got.Created, want.Created)
	check("Modified", got.Modified.Equal(want.Modified), got.Modified, want.Modified)
	if len(diffs) > 0 {
		t.Fatalf("record %s differs:\n%s", want.ID, joinLines(diffs))
	}
}

func joinLines(lines []string) string {
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString("  ")
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

func testRoundTrip(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	tenant := rec(org1, store.KindTenant, "t1", "Contoso")
	tenant.Platform = "microsoft"
	tenant.UniqueKey = "contoso.onmicrosoft.com"
	// Whitespace and key order must survive: the document comes back byte
	// for byte.
	tenant.Data = []byte(`{"b": 1,  "a": [1, 2], "s": "ü"}`)
	before := time.Now().Add(-time.Second)
	insert(t, s, tenant)
	if tenant.Version != 1 {
		t.Fatalf("Insert set Version %d, want 1", tenant.Version)
	}
	if tenant.Created.Before(before) || !tenant.Modified.Equal(tenant.Created) {
		t.Fatalf("Insert set Created %v, Modified %v; want now, equal", tenant.Created, tenant.Modified)
	}
	equalRecord(t, mustGet(t, s, store.KindTenant, "t1"), tenant)

	// Preset times are kept, at microsecond precision.
	app := rec(org1, store.KindAppProfile, "a1", "App")
	app.TenantID = "t1"
	app.Type = "custom_azure"
	app.Secret = []byte{0, 1, 2, 255}
	app.Created = time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC)
	app.Modified = app.Created.Add(time.Minute)
	insert(t, s, app)
	if want := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC); !app.Created.Equal(want) {
		t.Fatalf("Insert set Created %v, want %v", app.Created, want)
	}
	equalRecord(t, mustGet(t, s, store.KindAppProfile, "a1"), app)

	// Update replaces the document and columns, keeps Created.
	created := app.Created
	app.Name = "App renamed"
	app.Data = []byte(`{"id":"a1","v":2}`)
	app.Secret = nil
	app.Type = "other"
	if err := tryUpdate(t, s, app, 1); err != nil {
		t.Fatalf("update: %v", err)
	}
	if app.Version != 2 || !app.Created.Equal(created) || !app.Modified.After(created) {
		t.Fatalf("Update set Version %d, Created %v, Modified %v", app.Version, app.Created, app.Modified)
	}
	equalRecord(t, mustGet(t, s, store.KindAppProfile, "a1"), app)

	// expectVersion 0 updates whatever the version.
	if err := tryUpdate(t, s, app, 0); err != nil {
		t.Fatalf("update with any version: %v", err)
	}
	if app.Version != 3 {
		t.Fatalf("Version after second update is %d, want 3", app.Version)
	}

	// A record is found only under its own kind.
	wantNotFound(t, s, org1, store.KindTenant, "a1")

	if err := tryDelete(t, s, org1, store.KindAppProfile, "a1", 3); err != nil {
		t.Fatalf("delete: %v", err)
	}
	wantNotFound(t, s, org1, store.KindAppProfile, "a1")
	if err := tryDelete(t, s, org1, store.KindTenant, "t1", 0); err != nil {
		t.Fatalf("delete tenant: %v", err)
	}
	wantNotFound(t, s, org1, store.KindTenant, "t1")
}

func testUniqueKey(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	withKey := func(org, kind, id, key string) *store.Record {
		r := rec(org, kind, id, id)
		r.UniqueKey = key
		return r
	}
	insert(t, s, withKey(org1, store.KindTenant, "t1", "k"))
	wantErr(t, "same key, org and kind", tryInsert(t, s, withKey(org1, store.KindTenant, "t2", "k")), store.ErrDuplicate)
	wantNotFound(t, s, org1, store.KindTenant, "t2")

	// The key is unique per org and kind only; empty keys never collide.
	insert(t, s,
		withKey(org2, store.KindTenant, "t3", "k"),
		withKey(org1, store.KindAppProfile, "a1", "k"),
		withKey(org1, store.KindTenant, "t4", ""),
		withKey(org1, store.KindTenant, "t5", ""),
	)

	// Ids are unique across orgs.
	wantErr(t, "same id", tryInsert(t, s, withKey(org1, store.KindTenant, "t1", "other")), store.ErrDuplicate)
	wantErr(t, "same id in another org", tryInsert(t, s, withKey(org2, store.KindTenant, "t1", "other")), store.ErrDuplicate)

	// An update cannot take a key another record holds.
	t6 := withKey(org1, store.KindTenant, "t6", "k6")
	insert(t, s, t6)
	t6.UniqueKey = "k"
	wantErr(t, "update to a taken key", tryUpdate(t, s, t6, 1), store.ErrDuplicate)
	if got := mustGet(t, s, store.KindTenant, "t6"); got.UniqueKey != "k6" || got.Version != 1 {
		t.Fatalf("failed update changed the record: key %q, version %d", got.UniqueKey, got.Version)
	}

	// The holder of a key is found by it, per org and kind, inside a
	// transaction (after the refused write, as the service asks) and
	// outside one.
	ctx := t.Context()
	err := s.Tx(ctx, func(tx store.Tx) error {
		if err := tx.Insert(ctx, withKey(org1, store.KindTenant, "t7", "k")); !errors.Is(err, store.ErrDuplicate) {
			return fmt.Errorf("insert of a taken key: %w", err)
		}
		got, err := tx.GetByUniqueKey(ctx, org1, store.KindTenant, "k")
		if err != nil {
			return err
		}
		if got.ID != "t1" {
			return fmt.Errorf("key k is held by %s, want t1", got.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ org, kind, key, id string }{
		{org1, store.KindTenant, "k", "t1"},
		{org2, store.KindTenant, "k", "t3"},
		{org1, store.KindAppProfile, "k", "a1"},
		{org1, store.KindTenant, "k6", "t6"},
	} {
		got, err := s.GetByUniqueKey(ctx, tc.org, tc.kind, tc.key)
		if err != nil || got.ID != tc.id {
			t.Errorf("GetByUniqueKey(%s, %s, %s) = %v, %v; want %s", tc.org, tc.kind, tc.key, got, err, tc.id)
		}
	}
	for _, tc := range []struct{ org, kind, key string }{
		{org1, store.KindTenant, ""},
		{org1, store.KindTenant, "nobody"},
		{org1, store.KindConnection, "k"},
	} {
		if _, err := s.GetByUniqueKey(ctx, tc.org, tc.kind, tc.key); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetByUniqueKey(%s, %s, %q) = %v; want ErrNotFound", tc.org, tc.kind, tc.key, err)
		}
	}
}

// testFailedWriteKeepsTxUsable checks that a write that fails undoes only
// itself: the transaction goes on and commits the writes around it.
func testFailedWriteKeepsTxUsable(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	dup := rec(org1, store.KindTenant, "t1", "one")
	dup.UniqueKey = "k"
	insert(t, s, dup)
	err := s.Tx(t.Context(), func(tx store.Tx) error {
		ctx := t.Context()
		if err := tx.Insert(ctx, rec(org1, store.KindTenant, "before", "before")); err != nil {
			return err
		}
		again := rec(org1, store.KindTenant, "t2", "two")
		again.UniqueKey = "k"
		if err := tx.Insert(ctx, again); !errors.Is(err, store.ErrDuplicate) {
			return fmt.Errorf("duplicate insert: got %w, want ErrDuplicate", err)
		}
		// The record goes in and its ref fails: neither may stay.
		dangling := rec(org1, store.KindConnection, "c1", "dangling")
		dangling.Refs = []string{"t1", "missing"}
		if err := tx.Insert(ctx, dangling); !errors.Is(err, store.ErrMissingRef) {
			return fmt.Errorf("insert with a missing ref: got %w, want ErrMissingRef", err)
		}
		if _, err := tx.Get(ctx, org1, store.KindConnection, "c1"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("failed insert left its record: %w", err)
		}
		return tx.Insert(ctx, rec(org1, store.KindTenant, "after", "after"))
	})
	if err != nil {
		t.Fatal(err)
	}
	mustGet(t, s, store.KindTenant, "before")
	mustGet(t, s, store.KindTenant, "after")
	wantNotFound(t, s, org1, store.KindTenant, "t2")
	wantNotFound(t, s, org1, store.KindConnection, "c1")
	if refs, err := s.Referrers(t.Context(), org1, "t1"); err != nil || len(refs) != 0 {
		t.Fatalf("Referrers of t1 = %v, %v; want none", refs, err)
	}
}

func testVersions(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	r := rec(org1, store.KindTenant, "t1", "one")
	insert(t, s, r)

	stale := *r
	stale.Name = "stale"
	wantErr(t, "update with a wrong version", tryUpdate(t, s, &stale, 5), store.ErrVersionMismatch)
	wantErr(t, "delete with a wrong version", tryDelete(t, s, org1, store.KindTenant, "t1", 5), store.ErrVersionMismatch)
	if got := mustGet(t, s, store.KindTenant, "t1"); got.Version != 1 || got.Name != "one" {
		t.Fatalf("refused writes changed the record: %+v", got)
	}

	missing := rec(org1, store.KindTenant, "nope", "x")
	wantErr(t, "update of a missing record", tryUpdate(t, s, missing, 1), store.ErrNotFound)
	wantErr(t, "update of a missing record, any version", tryUpdate(t, s, missing, 0), store.ErrNotFound)
	wantErr(t, "delete of a missing record", tryDelete(t, s, org1, store.KindTenant, "nope", 0), store.ErrNotFound)
	wantErr(t, "delete under another kind", tryDelete(t, s, org1, store.KindAppProfile, "t1", 1), store.ErrNotFound)
	otherKind := *r
	otherKind.Kind = store.KindAppProfile
	wantErr(t, "update under another kind", tryUpdate(t, s, &otherKind, 1), store.ErrNotFound)

	// The refused stale write can be redone with the current version.
	if err := tryUpdate(t, s, &stale, 1); err != nil {
		t.Fatalf("update with the current version: %v", err)
	}
	wantErr(t, "update with the old version", tryUpdate(t, s, &stale, 1), store.ErrVersionMismatch)
}

func testRefs(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	tenant := rec(org1, store.KindTenant, "t1", "Tenant")
	profile := rec(org1, store.KindAppProfile, "p1", "Profile")
	profile.TenantID = "t1"
	conn := rec(org1, store.KindConnection, "c1", "Connection")
	conn.TenantID = "t1"
	conn.Refs = []string{"p1", "t1"} // Naming t1 twice lists c1 once.
	sa := rec(org1, store.KindServiceAccount, "s1", "Account")
	sa.Refs = []string{"p1", "p1"} // Duplicates collapse.
	insert(t, s, tenant, profile, conn, sa)

	if got := mustGet(t, s, store.KindServiceAccount, "s1"); !slices.Equal(got.Refs, []string{"p1"}) {
		t.Fatalf("refs of s1 = %v, want [p1]", got.Refs)
	}
	wantReferrers := func(id string, want ...store.Referrer) {
		t.Helper()
		got, err := s.Referrers(ctx, org1, id)
		if err != nil {
			t.Fatalf("referrers of %s: %v", id, err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("referrers of %s = %v, want %v", id, got, want)
		}
	}
	wantRefused := func(kind, id string, want ...store.Referrer) {
		t.Helper()
		err := tryDelete(t, s, org1, kind, id, 0)
		var re *store.ReferencedError
		if !errors.As(err, &re) {
			t.Fatalf("delete of referenced %s: got %v, want *store.ReferencedError", id, err)
		}
		if !slices.Equal(re.Referrers, want) {
			t.Fatalf("delete of %s refused with referrers %v, want %v", id, re.Referrers, want)
		}
		mustGet(t, s, kind, id)
	}
	refC := store.Referrer{Kind: store.KindConnection, ID: "c1", Name: "Connection"}
	refP := store.Referrer{Kind: store.KindAppProfile, ID: "p1", Name: "Profile"}
	refS := store.Referrer{Kind: store.KindServiceAccount, ID: "s1", Name: "Account"}

	// The tenant is referred to through TenantID, the profile through Refs.
	wantReferrers("t1", refC, refP)
	wantReferrers("p1", refC, refS)
	wantReferrers("s1")
	wantRefused(store.KindTenant, "t1", refC, refP)
	wantRefused(store.KindAppProfile, "p1", refC, refS)

	// Deleting a referrer drops its refs.
	if err := tryDelete(t, s, org1, store.KindConnection, "c1", 0); err != nil {
		t.Fatalf("delete c1: %v", err)
	}
	wantRefused(store.KindAppProfile, "p1", refS)

	// Update replaces the refs.
	other := rec(org1, store.KindAppProfile, "p2", "Other")
	insert(t, s, other)
	sa.Refs = []string{"p2"}
	if err := tryUpdate(t, s, sa, 0); err != nil {
		t.Fatalf("update refs of s1: %v", err)
	}
	wantReferrers("p1")
	wantReferrers("p2", refS)
	if err := tryDelete(t, s, org1, store.KindAppProfile, "p1", 0); err != nil {
		t.Fatalf("delete p1 once unreferenced: %v", err)
	}
	if err := tryDelete(t, s, org1, store.KindTenant, "t1", 0); err != nil {
		t.Fatalf("delete t1 once unreferenced: %v", err)
	}

	// A record may name itself; that does not keep it alive.
	self := rec(org1, store.KindAppProfile, "self", "Self")
	self.Refs = []string{"self"}
	insert(t, s, self)
	wantReferrers("self")
	if err := tryDelete(t, s, org1, store.KindAppProfile, "self", 0); err != nil {
		t.Fatalf("delete a self-referencing record: %v", err)
	}
}

func testMissingRef(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	insert(t, s, rec(org1, store.KindTenant, "t1", "Tenant"), rec(org2, store.KindTenant, "x1", "Other org"))

	badTenant := rec(org1, store.KindAppProfile, "p1", "p")
	badTenant.TenantID = "nope"
	wantErr(t, "insert with a missing tenant", tryInsert(t, s, badTenant), store.ErrMissingRef)
	badRef := rec(org1, store.KindConnection, "c1", "c")
	badRef.Refs = []string{"t1", "nope"}
	wantErr(t, "insert with a missing ref", tryInsert(t, s, badRef), store.ErrMissingRef)
	wantNotFound(t, s, org1, store.KindAppProfile, "p1")
	wantNotFound(t, s, org1, store.KindConnection, "c1")

	// Records of another org do not exist as far as references go.
	badTenant.TenantID = "x1"
	wantErr(t, "insert with another org's tenant", tryInsert(t, s, badTenant), store.ErrMissingRef)
	badRef.Refs = []string{"x1"}
	wantErr(t, "insert with a ref to another org", tryInsert(t, s, badRef), store.ErrMissingRef)

	good := rec(org1, store.KindConnection, "c2", "c")
	good.TenantID = "t1"
	good.Refs = []string{"t1"}
	insert(t, s, good)
	changed := *good
	changed.Refs = []string{"t1", "nope"}
	wantErr(t, "update with a missing ref", tryUpdate(t, s, &changed, 1), store.ErrMissingRef)
	changed.Refs = []string{"t1"}
	changed.TenantID = "nope"
	wantErr(t, "update with a missing tenant", tryUpdate(t, s, &changed, 1), store.ErrMissingRef)
	changed.TenantID = "x1"
	wantErr(t, "update with another org's tenant", tryUpdate(t, s, &changed, 1), store.ErrMissingRef)
	equalRecord(t, mustGet(t, s, store.KindConnection, "c2"), good)
}

func testCrossOrg(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	a := rec(org1, store.KindTenant, "a", "A")
	b := rec(org2, store.KindTenant, "b", "B")
	pa := rec(org1, store.KindAppProfile, "pa", "PA")
	pa.TenantID = "a"
	insert(t, s, a, b, pa)

	wantNotFound(t, s, org2, store.KindTenant, "a")
	wantNotFound(t, s, org1, store.KindTenant, "b")
	for _, org := range []string{org1, org2} {
		page, err := s.List(t.Context(), store.Query{Org: org, Kind: store.KindTenant, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Records) != 1 || page.Records[0].Org != org {
			t.Fatalf("List of %s returned %v", org, ids(page.Records))
		}
	}
	stolen := *a
	stolen.Org = org2
	wantErr(t, "update of another org's record", tryUpdate(t, s, &stolen, 0), store.ErrNotFound)
	wantErr(t, "delete of another org's record", tryDelete(t, s, org2, store.KindTenant, "a", 0), store.ErrNotFound)
	if refs, err := s.Referrers(t.Context(), org2, "a"); err != nil || len(refs) != 0 {
		t.Fatalf("Referrers in another org = %v, %v; want none", refs, err)
	}
	equalRecord(t, mustGet(t, s, store.KindTenant, "a"), a)
}

func ids(rs []*store.Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func testListFilters(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	profile := func(id, name, tenant, platform, typ string) *store.Record {
		r := rec(org1, store.KindAppProfile, id, name)
		r.TenantID, r.Platform, r.Type = tenant, platform, typ
		return r
	}
	insert(t, s,
		rec(org1, store.KindTenant, "t1", "Tenant One"),
		rec(org1, store.KindTenant, "t2", "Tenant Two"),
		profile("p1", "Alpha Mail", "t1", "microsoft", "x"),
		profile("p2", "beta MAIL", "t1", "microsoft", "y"),
		profile("p3", "Gamma 100%_done", "t2", "google", "x"),
		profile("p4", "Über Straße", "t2", "google", "y"),
		rec(org2, store.KindAppProfile, "q1", "Alpha Mail"),
	)
	cases := []struct {
		name string
		q    store.Query
		want []string
	}{
		{"all", store.Query{}, []string{"p1", "p2", "p3", "p4"}},
		{"platform", store.Query{Platform: "microsoft"}, []string{"p1", "p2"}},
		{"tenant", store.Query{TenantID: "t2"}, []string{"p3", "p4"}},
		{"type", store.Query{Type: "x"}, []string{"p1", "p3"}},
		{"platform and type", store.Query{Platform: "microsoft", Type: "y"}, []string{"p2"}},
		{"no match", store.Query{Platform: "amazon"}, nil},
		{"search lower", store.Query{Search: "mail"}, []string{"p1", "p2"}},
		{"search upper", store.Query{Search: "MAIL"}, []string{"p1", "p2"}},
		{"search middle", store.Query{Search: "lpha m"}, []string{"p1"}},
		{"search non-ASCII", store.Query{Search: "über"}, []string{"p4"}},
		{"search non-ASCII upper", store.Query{Search: "ÜBER STR"}, []string{"p4"}},
		// Search is a plain substring: LIKE wildcards match only themselves.
		{"search percent", store.Query{Search: "%"}, []string{"p3"}},
		{"search underscore", store.Query{Search: "0%_d"}, []string{"p3"}},
		{"search wildcard only", store.Query{Search: "a%a"}, nil},
		{"search and tenant", store.Query{Search: "a", TenantID: "t1"}, []string{"p1", "p2"}},
	}
	for _, c := range cases {
		q := c.q
		q.Org, q.Kind, q.Limit = org1, store.KindAppProfile, 100
		page, err := s.List(t.Context(), q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := ids(page.Records); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
		if page.More {
			t.Errorf("%s: More is true on the only page", c.name)
		}
	}
	page, err := s.List(t.Context(), store.Query{Org: org1, Kind: store.KindTenant, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(page.Records); !slices.Equal(got, []string{"t1", "t2"}) {
		t.Fatalf("tenants: got %v", got)
	}
	// Listed records are complete, refs included.
	withRefs := rec(org1, store.KindConnection, "c1", "conn")
	withRefs.Refs = []string{"p1", "t1"}
	insert(t, s, withRefs)
	page, err = s.List(t.Context(), store.Query{Org: org1, Kind: store.KindConnection, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 1 {
		t.Fatalf("connections: got %v", ids(page.Records))
	}
	equalRecord(t, page.Records[0], withRefs)
}

func testPaging(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	var want []string
	var all []*store.Record
	for i := range 25 {
		r := rec(org1, store.KindTenant, fmt.Sprintf("r%02d", i), "n")
		r.Platform = "microsoft"
		all = append(all, r)
		want = append(want, r.ID)
	}
	for i := range 5 {
		r := rec(org1, store.KindTenant, fmt.Sprintf("r%02d-g", i), "n")
		r.Platform = "google"
		all = append(all, r)
	}
	all = append(all, rec(org1, store.KindAppProfile, "r00-other-kind", "n"))
	// Insertion order must not matter.
	rand.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	insert(t, s, all...)

	walk := func(limit int) (got []string, sizes []int) {
		t.Helper()
		after := ""
		for pages := 0; ; pages++ {
			if pages > 100 {
				t.Fatal("paging does not end")
			}
			page, err := s.List(t.Context(), store.Query{Org: org1, Kind: store.KindTenant, Platform: "microsoft", After: after, Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, ids(page.Records)...)
			sizes = append(sizes, len(page.Records))
			if !page.More {
				return got, sizes
			}
			after = page.Records[len(page.Records)-1].ID
		}
	}
	for _, c := range []struct {
		limit int
		sizes []int
	}{
		{7, []int{7, 7, 7, 4}},
		{5, []int{5, 5, 5, 5, 5}},
		{25, []int{25}},
		{24, []int{24, 1}},
		{1000, []int{25}},
	} {
		got, sizes := walk(c.limit)
		if !slices.Equal(got, want) {
			t.Fatalf("limit %d: pages hold %v, want %v", c.limit, got, want)
		}
		if !slices.Equal(sizes, c.sizes) {
			t.Fatalf("limit %d: page sizes %v, want %v", c.limit, sizes, c.sizes)
		}
	}
	for _, limit := range []int{0, -1, 1001} {
		if _, err := s.List(t.Context(), store.Query{Org: org1, Kind: store.KindTenant, Limit: limit}); err == nil {
			t.Fatalf("List with limit %d succeeded, want an error", limit)
		}
	}
}

func testTxRollback(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	insert(t, s, rec(org1, store.KindTenant, "keep", "keep"))
	boom := errors.New("boom")
	err := s.Tx(t.Context(), func(tx store.Tx) error {
		ctx := t.Context()
		tenant := rec(org1, store.KindTenant, "t1", "t")
		if err := tx.Insert(ctx, tenant); err != nil {
			return err
		}
		p := rec(org1, store.KindAppProfile, "p1", "p")
		p.TenantID = "t1"
		p.Refs = []string{"keep"}
		if err := tx.Insert(ctx, p); err != nil {
			return err
		}
		if err := tx.Delete(ctx, org1, store.KindTenant, "keep", 0); !errors.As(err, new(*store.ReferencedError)) {
			return fmt.Errorf("delete of a record referenced in this transaction: got %w, want *store.ReferencedError", err)
		}
		if e, err := tx.ClaimIdempotency(ctx, org1, "key", "hash"); e != nil || err != nil {
			return fmt.Errorf("claim: %v, %w", e, err)
		}
		// The transaction sees its own writes; others do not.
		if _, err := tx.Get(ctx, org1, store.KindAppProfile, "p1"); err != nil {
			return fmt.Errorf("read own write: %w", err)
		}
		if page, err := tx.List(ctx, store.Query{Org: org1, Kind: store.KindTenant, Limit: 10}); err != nil || len(page.Records) != 2 {
			return fmt.Errorf("list own writes: %v, %w", page, err)
		}
		if _, err := s.Get(ctx, org1, store.KindAppProfile, "p1"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("uncommitted record visible outside: %w", err)
		}
		return boom
	})
	if err != boom { //nolint:errorlint // Tx must return fn's error itself, not a wrapper.
		t.Fatalf("Tx returned %v, want fn's error itself", err)
	}
	wantNotFound(t, s, org1, store.KindTenant, "t1")
	wantNotFound(t, s, org1, store.KindAppProfile, "p1")
	if refs, err := s.Referrers(t.Context(), org1, "keep"); err != nil || len(refs) != 0 {
		t.Fatalf("rolled-back refs remain: %v, %v", refs, err)
	}
	err = s.Tx(t.Context(), func(tx store.Tx) error {
		e, err := tx.ClaimIdempotency(t.Context(), org1, "key", "hash")
		if e != nil || err != nil {
			return fmt.Errorf("claim after rollback: %v, %w; want a new claim", e, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testIdempotency(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	body := []byte(`{"id":"t1"}`)
	err := s.Tx(t.Context(), func(tx store.Tx) error {
		ctx := t.Context()
		e, err := tx.ClaimIdempotency(ctx, org1, "k1", "h1")
		if err != nil || e != nil {
			return fmt.Errorf("first claim: %v, %w; want nil, nil", e, err)
		}
		if err := tx.Insert(ctx, rec(org1, store.KindTenant, "t1", "t")); err != nil {
			return err
		}
		return tx.CompleteIdempotency(ctx, org1, "k1", 201, body)
	})
	if err != nil {
		t.Fatal(err)
	}
	var got *store.IdempotencyEntry
	err = s.Tx(t.Context(), func(tx store.Tx) error {
		var err error
		got, err = tx.ClaimIdempotency(t.Context(), org1, "k1", "h2")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Org != org1 || got.Key != "k1" || got.RequestHash != "h1" || got.Status != 201 ||
		!bytes.Equal(got.Body, body) || got.Created.IsZero() {
		t.Fatalf("second claim returned %+v, want the completed first entry", got)
	}
	// Keys are per org.
	err = s.Tx(t.Context(), func(tx store.Tx) error {
		ctx := t.Context()
		if e, err := tx.ClaimIdempotency(ctx, org2, "k1", "h1"); e != nil || err != nil {
			return fmt.Errorf("claim in another org: %v, %w; want a new claim", e, err)
		}
		err := tx.CompleteIdempotency(ctx, org2, "unknown", 200, nil)
		if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("complete of an unclaimed key: got %w, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// testIdempotencyConcurrent races 20 creates with one key over two Store
// instances: exactly one proceeds; the others wait for it and replay its
// outcome.
func testIdempotencyConcurrent(t *testing.T, open func(t *testing.T) store.Store) {
	stores := []store.Store{open(t), open(t)}
	const n = 20
	body := []byte(`{"id":"created"}`)
	var (
		wg         sync.WaitGroup
		start      = make(chan struct{})
		proceeded  atomic.Int32
		errs       = make(chan error, n)
		replayedOK atomic.Int32
	)
	for i := range n {
		wg.Go(func() {
			<-start
			var claimed *store.IdempotencyEntry
			var won bool
			err := stores[i%2].Tx(t.Context(), func(tx store.Tx) error {
				ctx := t.Context()
				// fn may run again on a retry: set the outcome afresh.
				won = false
				e, err := tx.ClaimIdempotency(ctx, org1, "same-key", "hash")
				if err != nil {
					return err
				}
				claimed = e
				if e != nil {
					return nil
				}
				won = true
				if err := tx.Insert(ctx, rec(org1, store.KindTenant, "created", "c")); err != nil {
					return err
				}
				// Give the others time to pile up behind this claim.
				time.Sleep(20 * time.Millisecond)
				return tx.CompleteIdempotency(ctx, org1, "same-key", 201, body)
			})
			switch {
			case err != nil:
				errs <- err
			case won:
				proceeded.Add(1)
			case claimed.Status == 201 && bytes.Equal(claimed.Body, body) && claimed.RequestHash == "hash":
				replayedOK.Add(1)
			default:
				errs <- fmt.Errorf("claim saw an incomplete entry: %+v", claimed)
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if proceeded.Load() != 1 || replayedOK.Load() != n-1 {
		t.Fatalf("%d claims proceeded and %d replayed, want 1 and %d", proceeded.Load(), replayedOK.Load(), n-1)
	}
	page, err := stores[0].List(t.Context(), store.Query{Org: org1, Kind: store.KindTenant, Limit: 10})
	if err != nil || len(page.Records) != 1 {
		t.Fatalf("records after the race: %v, %v; want exactly one", page, err)
	}
}

// testUpdateConcurrent races 10 updates holding the same ETag over two
// Store instances: exactly one wins.
func testUpdateConcurrent(t *testing.T, open func(t *testing.T) store.Store) {
	stores := []store.Store{open(t), open(t)}
	insert(t, stores[0], rec(org1, store.KindTenant, "t1", "original"))
	const n = 10
	var (
		wg         sync.WaitGroup
		start      = make(chan struct{})
		won        atomic.Int32
		mismatched atomic.Int32
		winner     atomic.Value
		errs       = make(chan error, n)
	)
	for i := range n {
		wg.Go(func() {
			<-start
			r := rec(org1, store.KindTenant, "t1", fmt.Sprintf("writer %d", i))
			err := tryUpdate(t, stores[i%2], r, 1)
			switch {
			case err == nil:
				won.Add(1)
				winner.Store(r.Name)
			case errors.Is(err, store.ErrVersionMismatch):
				mismatched.Add(1)
			default:
				errs <- err
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if won.Load() != 1 || mismatched.Load() != n-1 {
		t.Fatalf("%d updates won and %d got ErrVersionMismatch, want 1 and %d", won.Load(), mismatched.Load(), n-1)
	}
	got := mustGet(t, stores[1], store.KindTenant, "t1")
	if got.Version != 2 || got.Name != winner.Load() {
		t.Fatalf("after the race: version %d, name %q; want 2, %q", got.Version, got.Name, winner.Load())
	}
}

func testClients(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	c := &store.Client{ID: "client-1", Org: org1, Name: "CI", SecretHash: []byte{1, 2, 3}, Scopes: []string{"aos.read", "aos.readwrite"}}
	if err := s.CreateClient(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	if c.Created.IsZero() {
		t.Fatal("CreateClient did not set Created")
	}
	got, err := s.GetClient(t.Context(), "client-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != c.ID || got.Org != c.Org || got.Name != c.Name || !bytes.Equal(got.SecretHash, c.SecretHash) ||
		!slices.Equal(got.Scopes, c.Scopes) || !got.Created.Equal(c.Created) {
		t.Fatalf("GetClient = %+v, want %+v", got, c)
	}
	dup := *c
	wantErr(t, "create of an existing client", s.CreateClient(t.Context(), &dup), store.ErrDuplicate)
	_, err = s.GetClient(t.Context(), "nope")
	wantErr(t, "get of a missing client", err, store.ErrNotFound)
}

func testPermissionVersions(t *testing.T, open func(t *testing.T) store.Store) {
	stores := []store.Store{open(t), open(t)}
	s := stores[0]
	ctx := t.Context()
	version := func(platform string) int {
		t.Helper()
		v, err := s.PermissionVersion(ctx, platform)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := version("microsoft"); v != 1 {
		t.Fatalf("initial version %d, want 1", v)
	}
	for want := 2; want <= 3; want++ {
		v, err := s.BumpPermissionVersion(ctx, "microsoft")
		if err != nil || v != want {
			t.Fatalf("bump returned %d, %v; want %d", v, err, want)
		}
	}
	if v := version("microsoft"); v != 3 {
		t.Fatalf("version after two bumps %d, want 3", v)
	}
	if v := version("google"); v != 1 {
		t.Fatalf("another platform's version %d, want 1", v)
	}
	// Concurrent bumps from two replicas each get their own number.
	const n = 10
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = map[int]bool{}
	)
	for i := range n {
		wg.Go(func() {
			v, err := stores[i%2].BumpPermissionVersion(ctx, "google")
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Error(err)
				return
			}
			seen[v] = true
		})
	}
	wg.Wait()
	if len(seen) != n || version("google") != n+1 {
		t.Fatalf("concurrent bumps returned %v and left version %d; want %d distinct values and %d", seen, version("google"), n, n+1)
	}
}

func testPurgeIdempotency(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	claim := func(key string) *store.IdempotencyEntry {
		t.Helper()
		var e *store.IdempotencyEntry
		err := s.Tx(t.Context(), func(tx store.Tx) error {
			var err error
			e, err = tx.ClaimIdempotency(t.Context(), org1, key, "h")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	purge := func(before time.Time, want int64) {
		t.Helper()
		n, err := s.PurgeIdempotency(t.Context(), before)
		if err != nil || n != want {
			t.Fatalf("purge before %v removed %d, %v; want %d", before, n, err, want)
		}
	}
	claim("old")
	time.Sleep(5 * time.Millisecond)
	mid := time.Now()
	time.Sleep(5 * time.Millisecond)
	claim("new")

	purge(mid.Add(-time.Hour), 0)
	purge(mid, 1)
	if e := claim("old"); e != nil {
		t.Fatalf("purged key still claimed: %+v", e)
	}
	if e := claim("new"); e == nil {
		t.Fatal("key newer than the purge time was removed")
	}
	purge(time.Now().Add(time.Hour), 2)
}

// testOrgSettings: an organization's settings survive a reopen, are seen by
// another replica, stay out of other organizations, and concurrent first
// writes from two replicas all succeed.
func testOrgSettings(t *testing.T, open func(t *testing.T) store.Store) {
	a, b := open(t), open(t)
	ctx := t.Context()
	get := func(s store.Store, org string) store.OrgSettings {
		t.Helper()
		got, err := store.GetOrgSettings(ctx, s, org)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := get(a, org1); got.ServiceProvider {
		t.Fatalf("settings of an organization never configured: %+v", got)
	}
	if err := store.PutOrgSettings(ctx, a, org1, store.OrgSettings{ServiceProvider: true}); err != nil {
		t.Fatal(err)
	}
	if got := get(b, org1); !got.ServiceProvider {
		t.Fatalf("the other replica reads %+v", got)
	}
	if got := get(a, org2); got.ServiceProvider {
		t.Fatalf("another organization reads %+v", got)
	}
	// Read inside a transaction, as a write that depends on it does.
	err := b.Tx(ctx, func(tx store.Tx) error {
		got, err := store.GetOrgSettings(ctx, tx, org1)
		if err == nil && !got.ServiceProvider {
			err = fmt.Errorf("in a transaction: %+v", got)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.PutOrgSettings(ctx, b, org1, store.OrgSettings{}); err != nil {
		t.Fatal(err)
	}
	if got := get(a, org1); got.ServiceProvider {
		t.Fatalf("after clearing: %+v", got)
	}
	// The settings are not a registration object: lists of other kinds
	// and the referrers of records do not show them.
	page, err := a.List(ctx, store.Query{Org: org1, Kind: store.KindTenant, Limit: 10})
	if err != nil || len(page.Records) != 0 {
		t.Fatalf("tenants of org1: %v, %v", page, err)
	}
	if err := store.PutOrgSettings(ctx, a, "", store.OrgSettings{}); err == nil {
		t.Fatal("put without an organization: no error")
	}

	// Concurrent first writes for one organization from two replicas.
	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := store.PutOrgSettings(ctx, []store.Store{a, b}[i%2], "org-race", store.OrgSettings{ServiceProvider: true}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := get(a, "org-race"); !got.ServiceProvider {
		t.Fatalf("after concurrent writes: %+v", got)
	}
}

// testInvalidText: text the database cannot hold is refused alike on every
// backend, before any statement runs (PostgreSQL would fail on NUL, bytes
// that are not UTF-8 and oversized index entries; SQLite would store them),
// and a lookup by such a value finds nothing.
func testInvalidText(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := t.Context()
	insert(t, s, rec(org1, store.KindTenant, "t1", "tenant"))
	long := strings.Repeat("k", store.MaxKeyBytes+1)
	for _, tc := range []struct {
		name string
		edit func(r *store.Record)
	}{
		{"NUL in the name", func(r *store.Record) { r.Name = "a\x00b" }},
		{"invalid UTF-8 in the name", func(r *store.Record) { r.Name = "a\xffb" }},
		{"NUL in the unique key", func(r *store.Record) { r.UniqueKey = "k\x00" }},
		{"invalid UTF-8 in the type", func(r *store.Record) { r.Type = "\xfe" }},
		{"an oversized unique key", func(r *store.Record) { r.UniqueKey = long }},
		{"an oversized id", func(r *store.Record) { r.ID = long }},
		{"NUL in the tenant id", func(r *store.Record) { r.TenantID = "t1\x00" }},
		{"an oversized ref", func(r *store.Record) { r.Refs = []string{long} }},
		{"invalid UTF-8 in the document", func(r *store.Record) { r.Data = []byte("{\"a\":\"\xff\"}") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rec(org1, store.KindAppProfile, "a1", "app")
			tc.edit(r)
			wantErr(t, "insert", tryInsert(t, s, r), store.ErrInvalidText)
			wantNotFound(t, s, org1, store.KindAppProfile, "a1")
			u := rec(org1, store.KindTenant, "t1", "tenant")
			tc.edit(u)
			wantErr(t, "update", tryUpdate(t, s, u, 0), store.ErrInvalidText)
			if got := mustGet(t, s, store.KindTenant, "t1"); got.Version != 1 || got.Name != "tenant" {
				t.Fatalf("a refused update changed the record: version %d name %q", got.Version, got.Name)
			}
		})
	}
	// NUL inside a JSON string is the escape \u0000, which both keep.
	withNUL := rec(org1, store.KindAppProfile, "a2", "app")
	withNUL.Data = []byte(`{"note":"a\u0000b"}`)
	insert(t, s, withNUL)
	if got := mustGet(t, s, store.KindAppProfile, "a2"); !bytes.Contains(got.Data, []byte(`\u0000`)) {
		t.Errorf("document read back as %s", got.Data)
	}

	for _, id := range []string{"t1\x00", "\xff", long} {
		wantNotFound(t, s, org1, store.KindTenant, id)
		if _, err := s.GetByUniqueKey(ctx, org1, store.KindTenant, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetByUniqueKey(%q): %v, want ErrNotFound", id, err)
		}
		wantErr(t, "delete", tryDelete(t, s, org1, store.KindTenant, id, 0), store.ErrNotFound)
		if refs, err := s.Referrers(ctx, org1, id); err != nil || len(refs) != 0 {
			t.Errorf("Referrers(%q) = %v, %v", id, refs, err)
		}
		if _, err := s.GetClient(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetClient(%q): %v, want ErrNotFound", id, err)
		}
	}
	for _, q := range []store.Query{
		{Search: "a\x00"}, {Search: "\xff"}, {TenantID: "\x00"}, {Type: long}, {After: "\xfe"},
	} {
		q.Org, q.Kind, q.Limit = org1, store.KindTenant, 10
		if _, err := s.List(ctx, q); !errors.Is(err, store.ErrInvalidText) {
			t.Errorf("List(%+v): %v, want ErrInvalidText", q, err)
		}
	}
	err := s.Tx(ctx, func(tx store.Tx) error {
		_, err := tx.ClaimIdempotency(ctx, org1, "key\xff", "hash")
		return err
	})
	wantErr(t, "claim of an invalid idempotency key", err, store.ErrInvalidText)
	wantErr(t, "create client", s.CreateClient(ctx, &store.Client{ID: "c\x00", Org: org1, SecretHash: []byte{1}}), store.ErrInvalidText)
}
