package server_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aos-dev/terraform-provider-aos/internal/aosdtest"
	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

func objectID(t testing.TB, r *reply) string {
	t.Helper()
	var o struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(r.body, &o); err != nil || o.ID == "" {
		t.Fatalf("HTTP %d: no object id in %s", r.status, r.body)
	}
	return o.ID
}

// TestIdempotencyKeys: same key and body replay the first answer; the same
// key with another body is refused; keys are per organization.
func TestIdempotencyKeys(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		e := startEnv(t, o)
		tok := e.token(t, e.in.ClientID, e.in.ClientSecret, "")

		first := e.do(t, http.MethodPost, "/v1/partner-app-profiles", tok, `{"name":"idem"}`, "Idempotency-Key", "key-1")
		if first.status != http.StatusCreated || first.header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("first create: HTTP %d %s", first.status, first.body)
		}
		again := e.do(t, http.MethodPost, "/v1/partner-app-profiles", tok, `{"name":"idem"}`, "Idempotency-Key", "key-1")
		if again.status != http.StatusCreated || again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(first.body) ||
			again.header.Get("ETag") != first.header.Get("ETag") || again.header.Get("Location") != first.header.Get("Location") || again.header.Get("Location") == "" {
			t.Fatalf("replay: HTTP %d, Idempotent-Replayed %q, ETag %q/%q, Location %q/%q\n%s\n%s", again.status, again.header.Get("Idempotent-Replayed"),
				again.header.Get("ETag"), first.header.Get("ETag"), again.header.Get("Location"), first.header.Get("Location"), again.body, first.body)
		}
		list, err := e.c.ListPartnerAppProfiles(ctxb, client.Filter{Search: "idem"})
		if err != nil || len(list) != 1 {
			t.Fatalf("after a replay: %d profiles, %v", len(list), err)
		}

		for _, tc := range []struct{ name, path, body string }{
			{"another body", "/v1/partner-app-profiles", `{"name":"idem 2"}`},
			{"another route", "/v1/tenants", `{"platform":"google","domain":"fabrikam.com"}`},
		} {
			r := e.do(t, http.MethodPost, tc.path, tok, tc.body, "Idempotency-Key", "key-1")
			if r.status != http.StatusUnprocessableEntity || r.errorBody(t).Error.Code != domain.CodeIdempotencyMismatch {
				t.Errorf("same key, %s: HTTP %d %s", tc.name, r.status, r.body)
			}
		}

		// A create that is otherwise refused (409 AlreadyExists) replays
		// instead when it is a retry: retried registrations do not fail.
		body := `{"platform":"google","domain":"contoso.com"}`
		t1 := e.do(t, http.MethodPost, "/v1/tenants", tok, body, "Idempotency-Key", "tenant-key")
		t2 := e.do(t, http.MethodPost, "/v1/tenants", tok, body, "Idempotency-Key", "tenant-key")
		t3 := e.do(t, http.MethodPost, "/v1/tenants", tok, body, "Idempotency-Key", "tenant-key-2")
		if t1.status != 201 || t2.status != 201 || objectID(t, t1) != objectID(t, t2) || t3.status != http.StatusConflict {
			t.Errorf("tenant retries: %d %d %d", t1.status, t2.status, t3.status)
		}

		// A refused create leaves the key free: the next attempt runs.
		bad := e.do(t, http.MethodPost, "/v1/partner-app-profiles", tok, `{"name":""}`, "Idempotency-Key", "key-2")
		if bad.status != http.StatusUnprocessableEntity {
			t.Fatalf("invalid create: HTTP %d", bad.status)
		}
		if r := e.do(t, http.MethodPost, "/v1/partner-app-profiles", tok, `{"name":"fixed"}`, "Idempotency-Key", "key-2"); r.status != http.StatusCreated {
			t.Errorf("after a refused create the key is still taken: HTTP %d %s", r.status, r.body)
		}

		// Keys belong to the organization.
		bid, bsecret, err := e.in.NewClient("org-b", domain.ScopeReadWrite)
		if err != nil {
			t.Fatal(err)
		}
		btok := e.token(t, bid, bsecret, "")
		other := e.do(t, http.MethodPost, "/v1/partner-app-profiles", btok, `{"name":"idem"}`, "Idempotency-Key", "key-1")
		if other.status != http.StatusCreated || other.header.Get("Idempotent-Replayed") != "" || objectID(t, other) == objectID(t, first) {
			t.Errorf("org B with org A's key: HTTP %d replayed %q", other.status, other.header.Get("Idempotent-Replayed"))
		}

		if r := e.do(t, http.MethodPost, "/v1/partner-app-profiles", tok, `{"name":"long"}`, "Idempotency-Key", strings.Repeat("k", 201)); r.status != http.StatusBadRequest {
			t.Errorf("201-character key: HTTP %d", r.status)
		}
		// Actions replay too.
		id := objectID(t, first)
		a1 := e.do(t, http.MethodPost, "/v1/partner-app-profiles/"+id+"/reauthorize", tok, `{}`, "Idempotency-Key", "action-key")
		a2 := e.do(t, http.MethodPost, "/v1/partner-app-profiles/"+id+"/reauthorize", tok, `{}`, "Idempotency-Key", "action-key")
		if a1.status != 200 || a2.status != 200 || a2.header.Get("Idempotent-Replayed") != "true" || a1.header.Get("ETag") != a2.header.Get("ETag") {
			t.Errorf("action replay: %d %d %q", a1.status, a2.status, a2.header.Get("Idempotent-Replayed"))
		}
	})
}

// TestETags: If-Match guards PATCH, DELETE and actions; a stale ETag is
// 412 and changes nothing.
func TestETags(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		e := startEnv(t, o)
		tok := e.token(t, e.in.ClientID, e.in.ClientSecret, "")
		created := e.do(t, http.MethodPost, "/v1/partner-app-profiles", tok, `{"name":"etag"}`)
		id := objectID(t, created)
		path := "/v1/partner-app-profiles/" + id
		v1 := created.header.Get("ETag")
		if v1 != `"1"` {
			t.Fatalf("new object ETag = %q", v1)
		}
		if g := e.do(t, http.MethodGet, path, tok, nil); g.header.Get("ETag") != v1 {
			t.Fatalf("GET ETag %q, create ETag %q", g.header.Get("ETag"), v1)
		}
		p := e.do(t, http.MethodPatch, path, tok, `{"name":"etag 2"}`, "If-Match", v1)
		v2 := p.header.Get("ETag")
		if p.status != 200 || v2 == v1 || v2 == "" {
			t.Fatalf("PATCH with the current ETag: HTTP %d ETag %q", p.status, v2)
		}
		stale := []struct{ method, path, body string }{
			{http.MethodPatch, path, `{"name":"lost update"}`},
			{http.MethodPost, path + "/reauthorize", `{}`},
			{http.MethodDelete, path, ""},
		}
		for _, s := range stale {
			var body any
			if s.body != "" {
				body = s.body
			}
			r := e.do(t, s.method, s.path, tok, body, "If-Match", v1)
			if r.status != http.StatusPreconditionFailed || r.errorBody(t).Error.Code != domain.CodePreconditionFailed {
				t.Errorf("%s %s with a stale ETag: HTTP %d %s", s.method, s.path, r.status, r.body)
			}
		}
		if g := e.do(t, http.MethodGet, path, tok, nil); g.header.Get("ETag") != v2 || !strings.Contains(string(g.body), `"etag 2"`) {
			t.Fatalf("stale writes changed the object: ETag %q %s", g.header.Get("ETag"), g.body)
		}
		// Weak form and * are accepted; garbage is a 400.
		if r := e.do(t, http.MethodPatch, path, tok, `{"name":"weak"}`, "If-Match", "W/"+v2); r.status != 200 {
			t.Errorf("weak ETag: HTTP %d", r.status)
		}
		if r := e.do(t, http.MethodPatch, path, tok, `{"name":"star"}`, "If-Match", "*"); r.status != 200 {
			t.Errorf("If-Match *: HTTP %d", r.status)
		}
		if r := e.do(t, http.MethodPatch, path, tok, `{"name":"x"}`, "If-Match", "abc"); r.status != http.StatusBadRequest || r.errorBody(t).Error.Details[0].Field != "If-Match" {
			t.Errorf("malformed If-Match: HTTP %d %s", r.status, r.body)
		}
		// The typed client maps 412 onto ErrPreconditionFailed.
		_, _, err := e.c.UpdatePartnerAppProfile(ctxb, id, domain.PartnerAppProfileWrite{Name: ptr("typed")}, client.IfMatch(v1))
		if !errors.Is(err, client.ErrPreconditionFailed) {
			t.Errorf("typed client with a stale ETag: %v", err)
		}
		cur := e.do(t, http.MethodGet, path, tok, nil).header.Get("ETag")
		if err := e.c.DeletePartnerAppProfile(ctxb, id, client.IfMatch(cur)); err != nil {
			t.Errorf("DELETE with the current ETag: %v", err)
		}
	})
}

// TestConcurrentUnconditionalWrites sends many PATCHes without If-Match to
// one object at once. The caller set no precondition, so none may answer
// 412: on PostgreSQL the writers really run at the same time and each
// round of the race has one winner, so the service retries the losers
// until each write has been applied once.
func TestConcurrentUnconditionalWrites(t *testing.T) {
	onBackends(t, func(t *testing.T, o aosdtest.Options) {
		e := startEnv(t, o)
		tok := e.token(t, e.in.ClientID, e.in.ClientSecret, "")
		id := objectID(t, e.do(t, http.MethodPost, "/v1/partner-app-profiles", tok, `{"name":"race"}`))
		path := "/v1/partner-app-profiles/" + id
		const writers = 20
		statuses := make([]int, writers)
		bodies := make([]string, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				req, err := http.NewRequestWithContext(t.Context(), http.MethodPatch, e.in.Endpoint+path,
					strings.NewReader(fmt.Sprintf(`{"name":"race %d"}`, i)))
				if err != nil {
					bodies[i] = err.Error()
					return
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := e.raw.Do(req)
				if err != nil {
					bodies[i] = err.Error()
					return
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				statuses[i], bodies[i] = resp.StatusCode, string(b)
			})
		}
		wg.Wait()
		for i, s := range statuses {
			if s != http.StatusOK {
				t.Errorf("PATCH %d without If-Match: HTTP %d %s", i, s, bodies[i])
			}
		}
		// Every write was applied exactly once: version 1 plus one each.
		if g := e.do(t, http.MethodGet, path, tok, nil); g.header.Get("ETag") != fmt.Sprintf(`"%d"`, 1+writers) {
			t.Errorf("after %d writes the ETag is %s", writers, g.header.Get("ETag"))
		}
	})
}
