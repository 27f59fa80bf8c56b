package sqlstore

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestRebind(t *testing.T) {
	d := &Dialect{NumberedParams: true}
	got := d.rebind("SELECT a FROM t WHERE b = ? AND c IN (?, ?)")
	if want := "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"; got != want {
		t.Fatalf("rebind = %q, want %q", got, want)
	}
	plain := &Dialect{}
	if got := plain.rebind("x = ?"); got != "x = ?" {
		t.Fatalf("rebind without numbered params = %q", got)
	}
}

func TestLoadMigrations(t *testing.T) {
	file := func(body string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(body)} }
	ms, err := LoadMigrations(fstest.MapFS{
		"0002_second.sql": file("B"),
		"0001_first.sql":  file("A"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Version != 1 || ms[0].Name != "first" || ms[0].SQL != "A" || ms[1].Version != 2 {
		t.Fatalf("LoadMigrations = %+v", ms)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"gap":       {"0001_a.sql": file(""), "0003_c.sql": file("")},
		"duplicate": {"0001_a.sql": file(""), "001_b.sql": file("")},
		"bad name":  {"0001_a.sql": file(""), "0002-b.sql": file("")},
		"not one":   {"0002_b.sql": file("")},
		"empty":     {},
	} {
		if _, err := LoadMigrations(fsys); err == nil {
			t.Errorf("%s: LoadMigrations succeeded, want an error", name)
		} else if strings.TrimSpace(err.Error()) == "" {
			t.Errorf("%s: empty error message", name)
		}
	}
}
