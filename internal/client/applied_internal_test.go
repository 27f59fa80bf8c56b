package client

import (
	"encoding/json"
	"testing"
)

// TestHolds: what counts as the object holding the values a PATCH sent.
func TestHolds(t *testing.T) {
	for _, tc := range []struct {
		sent, have string
		want       bool
	}{
		{`{"name":"a"}`, `{"name":"a","id":"x"}`, true},
		{`{"name":"a"}`, `{"name":"b"}`, false},
		{`{"description":""}`, `{}`, true},
		{`{"description":"d"}`, `{}`, false},
		{`{"services":["b","a"]}`, `{"services":["a","b"]}`, true},
		{`{"services":["a","a"]}`, `{"services":["a","b"]}`, false},
		{`{"services":["a"]}`, `{"services":["a","b"]}`, false},
		{`{"appProfiles":[{"id":"p","impersonationUser":""}]}`, `{"appProfiles":[{"id":"p"}]}`, true},
		{`{"appProfiles":[{"id":"p","impersonationUser":"u"}]}`, `{"appProfiles":[{"id":"p","impersonationUser":"v"}]}`, false},
		{`{"mfa":false}`, `{"mfa":true}`, false},
		{`{"functions":[]}`, `{}`, true},
	} {
		var s, h any
		if err := json.Unmarshal([]byte(tc.sent), &s); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(tc.have), &h); err != nil {
			t.Fatal(err)
		}
		if got := holds(s, h); got != tc.want {
			t.Errorf("holds(%s, %s) = %v, want %v", tc.sent, tc.have, got, tc.want)
		}
	}
}

func TestETagVersion(t *testing.T) {
	for in, want := range map[string]int64{`"7"`: 7, `W/"12"`: 12} {
		if got, ok := etagVersion(in); !ok || got != want {
			t.Errorf("etagVersion(%s) = %d, %v", in, got, ok)
		}
	}
	for _, in := range []string{``, `7`, `"x"`, `"-1"`} {
		if _, ok := etagVersion(in); ok {
			t.Errorf("etagVersion(%s) accepted", in)
		}
	}
}
