package apitest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aos-dev/terraform-provider-aos/internal/apitest"
)

// fakeT records failures instead of failing the real test.
type fakeT struct {
	testing.TB
	errs     []string
	cleanups []func()
}

func (f *fakeT) Helper()                           {}
func (f *fakeT) Errorf(format string, args ...any) { f.errs = append(f.errs, format) }
func (f *fakeT) Cleanup(fn func())                 { f.cleanups = append(f.cleanups, fn) }

func health(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Trace-Id", "t-1")
		_, _ = io.WriteString(w, body)
	})
}

func TestHandlerAndTransport(t *testing.T) {
	for _, c := range []struct {
		body    string
		wantErr bool
	}{
		{`{"status":"ok"}`, false},
		{`{"status":"sick"}`, true},
	} {
		ft := &fakeT{TB: t}
		apitest.Validator(t) // load with the real t
		srv := httptest.NewServer(apitest.Handler(ft, health(c.body)))
		client := &http.Client{Transport: apitest.Transport(ft, nil)}
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/healthz", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		srv.Close()
		if string(b) != c.body || resp.Header.Get("X-Trace-Id") != "t-1" {
			t.Errorf("response not passed through: %q %v", b, resp.Header)
		}
		// Both the handler and the transport see the exchange.
		if got := len(ft.errs); c.wantErr && got != 2 || !c.wantErr && got != 0 {
			t.Errorf("body %s: %d reports (%s), wantErr %v", c.body, got, strings.Join(ft.errs, "; "), c.wantErr)
		}
	}
}
