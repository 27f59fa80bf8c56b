package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

const traceKey ctxKey = 2
const logInfoKey ctxKey = 3

// traceIDPattern accepts a caller's trace id only when it is harmless to
// echo and log.
var traceIDPattern = regexp.MustCompile(`^[A-Za-z0-9-]{8,64}$`)

func traceIDFrom(ctx context.Context) string {
	s, _ := ctx.Value(traceKey).(string)
	return s
}

func newTraceID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// logInfo collects what the access log line needs from inner handlers.
type logInfo struct {
	client string
}

func setLogClient(ctx context.Context, client string) {
	if li, ok := ctx.Value(logInfoKey).(*logInfo); ok {
		li.client = client
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// observe gives every request a trace id (the caller's X-Trace-Id when it is
// well formed), recovers panics into a 500 that carries the trace id, and
// writes one access log line. Bodies are never logged: they can hold
// secrets.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		tid := r.Header.Get("X-Trace-Id")
		if !traceIDPattern.MatchString(tid) {
			tid = newTraceID()
		}
		li := &logInfo{}
		ctx := context.WithValue(context.WithValue(r.Context(), traceKey, tid), logInfoKey, li)
		r = r.WithContext(ctx)
		w.Header().Set("X-Trace-Id", tid)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("panic", "traceId", tid, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if sw.status == 0 {
					s.writeError(sw, r, &domain.Error{Status: http.StatusInternalServerError, Code: domain.CodeInternal,
						Message: "internal error; report the trace id " + tid})
				}
			}
			s.log.LogAttrs(ctx, slog.LevelInfo, "request",
				slog.String("traceId", tid),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", sw.status),
				slog.Int("bytes", sw.bytes),
				slog.String("client", li.client),
				slog.Duration("duration", time.Since(start)),
			)
		}()
		next.ServeHTTP(sw, r)
	})
}

// limiter is a per-client token bucket. It is per replica: with N replicas a
// client gets up to N times the rate, which is the usual trade for not
// putting a shared counter on every request's path.
type limiter struct {
	mu      sync.Mutex
	rps     rate.Limit
	burst   int
	clients map[string]*rate.Limiter
}

func newLimiter(rps float64, burst int) *limiter {
	if rps <= 0 {
		return nil
	}
	if burst <= 0 {
		burst = int(math.Ceil(rps))
	}
	return &limiter{rps: rate.Limit(rps), burst: burst, clients: map[string]*rate.Limiter{}}
}

// allow reports whether the client may proceed; when not, it sets
// Retry-After to the whole seconds until a token is available.
func (s *Server) allow(client string, w http.ResponseWriter) bool {
	l := s.limiter
	if l == nil {
		return true
	}
	l.mu.Lock()
	lim, ok := l.clients[client]
	if !ok {
		lim = rate.NewLimiter(l.rps, l.burst)
		l.clients[client] = lim
	}
	l.mu.Unlock()
	res := lim.Reserve()
	if d := res.Delay(); d > 0 {
		res.Cancel()
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
		return false
	}
	return true
}

// writeError writes the one error shape of the API.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, e *domain.Error) {
	if e.Status == 0 {
		e.Status = http.StatusUnprocessableEntity
	}
	writeJSON(w, e.Status, domain.ErrorBody{TraceID: traceIDFrom(r.Context()), StatusCode: e.Status, Error: e})
}

// internalError logs err with the trace id and answers 500 without
// details: internal messages can name tables or hosts.
func (s *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.writeError(w, r, s.internal(r, err))
}
