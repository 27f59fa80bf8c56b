package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Retry rules, in one place.
//
// A request is retried while its retry budget (Config.RetryTimeout, default
// two minutes, measured from its first attempt) lasts and its context has
// not ended: the context carries the operation's own timeout and Terraform's
// Ctrl-C, so neither is outlived. A time budget rather than a count, because
// what a retry waits for is an aosd restart or a load balancer failing over,
// which take seconds to minutes however many attempts fit in them.
//
// What is retried: connection errors (refused, reset, timed out, closed
// mid-answer), 408, 429 and 5xx other than 501 and 505, from the API and the
// token endpoint alike. What is not, because waiting cannot heal it:
//   - TLS failures: an https endpoint answering plain HTTP, a certificate
//     that does not verify, a handshake the server refuses;
//   - a host name that does not resolve (NXDOMAIN). Debatable, since a
//     container's name can vanish from Docker's DNS while it restarts; but a
//     name that does not resolve is far more often a typo or the wrong
//     network, and two silent minutes on a typo are the defect this package
//     set out to remove. A DNS timeout or SERVFAIL is retried;
//   - refused credentials, a token URL that is not an aosd, and every other
//     4xx: the answer is final.

// DefaultRetryTimeout is the retry budget when Config.RetryTimeout is nil.
const DefaultRetryTimeout = 2 * time.Minute

// RetryError reports a request that failed after retries: it ran out of its
// retry budget, or its context ended (operation timeout or Ctrl-C) while
// retrying. It unwraps to the last attempt's error (an *APIError for an
// answer of the service) and, when the context ended, to the context's
// error, so errors.As and errors.Is see both.
type RetryError struct {
	Method, Path string
	Attempts     int
	Elapsed      time.Duration
	// Err is the last attempt's failure.
	Err error
	// Ctx is the context's error when the context ended the retries.
	Ctx error
	// Reason says why retrying stopped when it was not the budget or the
	// context (for example a Retry-After beyond the budget).
	Reason string
}

func (e *RetryError) Error() string {
	n := "attempt"
	if e.Attempts != 1 {
		n = "attempts"
	}
	head := fmt.Sprintf("%s %s: gave up after %d %s over %s", e.Method, e.Path, e.Attempts, n, readable(e.Elapsed))
	switch {
	case errors.Is(e.Ctx, context.Canceled):
		head = fmt.Sprintf("%s %s: cancelled after %d %s over %s", e.Method, e.Path, e.Attempts, n, readable(e.Elapsed))
	case errors.Is(e.Ctx, context.DeadlineExceeded):
		head += " (the operation's time limit ran out)"
	case e.Reason != "":
		head += " (" + e.Reason + ")"
	}
	return head + ": " + e.Err.Error()
}

func (e *RetryError) Unwrap() []error {
	if e.Ctx != nil {
		return []error{e.Err, e.Ctx}
	}
	return []error{e.Err}
}

// readable rounds a duration for people: 37.2s, 2m0s, 250ms.
func readable(d time.Duration) string {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	default:
		return d.Round(time.Millisecond).String()
	}
}

// retryableStatus says whether an HTTP status may heal on its own.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests:
		return true
	case http.StatusNotImplemented, http.StatusHTTPVersionNotSupported:
		return false
	}
	return status >= 500
}

// retryableError says whether a failed attempt (no HTTP answer, or a token
// fetch that failed) may succeed later.
func retryableError(err error) bool {
	var se *statusError
	if errors.As(err, &se) {
		return true
	}
	var ce *CredentialsError
	var tre *TokenRefusedError
	var nae *NotAOSError
	var sce *SchemeError
	if errors.As(err, &ce) || errors.As(err, &tre) || errors.As(err, &nae) || errors.As(err, &sce) {
		return false
	}
	// The caller's own context is checked before this; a deadline here is
	// one attempt's time limit, which is worth another attempt.
	if errors.Is(err, context.Canceled) {
		return false
	}
	var (
		cve *tls.CertificateVerificationError
		rhe tls.RecordHeaderError
		ae  tls.AlertError
		uae x509.UnknownAuthorityError
		he  x509.HostnameError
		cie x509.CertificateInvalidError
		dns *net.DNSError
	)
	switch {
	case errors.As(err, &cve), errors.As(err, &rhe), errors.As(err, &ae), errors.As(err, &uae), errors.As(err, &he), errors.As(err, &cie):
		return false
	case errors.As(err, &dns) && dns.IsNotFound:
		return false
	}
	// net/http reports these as plain strings.
	msg := err.Error()
	for _, s := range []string{"server gave HTTP response to HTTPS client", "unsupported protocol scheme", "invalid header", "first record does not look like a TLS handshake"} {
		if strings.Contains(msg, s) {
			return false
		}
	}
	return true
}

// retryAfter parses Retry-After in both forms RFC 9110 allows:
// delay-seconds and an HTTP-date. ok is false when absent or unparsable.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d := t.Sub(now); d > 0 {
		return d, true
	}
	return 0, true
}

// backoff is the wait before retry number n (1 for the first retry):
// exponential from minWait, capped at maxWait, with "equal jitter" (half
// fixed, half random), so clients that failed together do not retry in
// step yet each waits at least half its step.
func backoff(minWait, maxWait time.Duration, n int) time.Duration {
	d := minWait
	for i := 1; i < n && d < maxWait; i++ {
		d *= 2
	}
	if d > maxWait {
		d = maxWait
	}
	half := d / 2
	return half + time.Duration(mrand.Int64N(int64(half)+1))
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
