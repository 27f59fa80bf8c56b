package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/aos-dev/terraform-provider-aos/internal/store"
)

// Benchmarks shared by the backends; each takes an empty store.

var platforms = []string{"microsoft", "google", "salesforce", "amazon"}

// seed inserts n app profiles of org1 under one tenant, spread over the
// four platforms and two types, in transactions of up to 500 records.
func seed(b *testing.B, s store.Store, n int) []string {
	b.Helper()
	ctx := context.Background()
	if err := s.Tx(ctx, func(tx store.Tx) error {
		return tx.Insert(ctx, rec(org1, store.KindTenant, "tenant", "Tenant"))
	}); err != nil {
		b.Fatal(err)
	}
	ids := make([]string, n)
	for start := 0; start < n; start += 500 {
		err := s.Tx(ctx, func(tx store.Tx) error {
			for i := start; i < min(start+500, n); i++ {
				r := benchRecord(i)
				if err := tx.Insert(ctx, r); err != nil {
					return err
				}
				ids[i] = r.ID
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return ids
}

func benchRecord(i int) *store.Record {
	r := rec(org1, store.KindAppProfile, fmt.Sprintf("ap-%08d", i), fmt.Sprintf("App Profile %d", i))
	r.TenantID = "tenant"
	r.Platform = platforms[i%len(platforms)]
	r.Type = []string{"custom_azure", "builtin"}[i%2]
	r.Data = fmt.Appendf(nil, `{"id":"ap-%08d","name":"App Profile %d","status":"active","functions":["migration","backup"]}`, i, i)
	return r
}

// BenchGet measures Get of a random record among 1,000.
func BenchGet(b *testing.B, s store.Store) {
	ids := seed(b, s, 1000)
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.Get(ctx, org1, store.KindAppProfile, ids[rand.IntN(len(ids))]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchList measures one page of 100 records of a platform among 10,000
// records, walking the pages in turn so deep pages count as much as the
// first.
func BenchList(b *testing.B, s store.Store) {
	seed(b, s, 10000)
	ctx := context.Background()
	after := ""
	for b.Loop() {
		page, err := s.List(ctx, store.Query{Org: org1, Kind: store.KindAppProfile, Platform: "google", After: after, Limit: 100})
		if err != nil {
			b.Fatal(err)
		}
		if len(page.Records) == 0 {
			b.Fatal("empty page")
		}
		after = page.Records[len(page.Records)-1].ID
		if !page.More {
			after = ""
		}
	}
}

// BenchInsert measures one create: a transaction inserting a record that
// references its tenant.
func BenchInsert(b *testing.B, s store.Store) {
	seed(b, s, 0)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		r := benchRecord(i)
		i++
		if err := s.Tx(ctx, func(tx store.Tx) error { return tx.Insert(ctx, r) }); err != nil {
			b.Fatal(err)
		}
	}
}
