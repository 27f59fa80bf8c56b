package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
)

// consentPollInterval is how often a resource waiting for consent asks for
// its status. Consent takes a person minutes, so a few seconds is prompt
// without loading the service.
var consentPollInterval = 2 * time.Second

// consentState is what a wait needs to know about an object.
type consentState struct {
	Status     string
	ConsentURL string
}

// errConsentTimeout reports a wait that ran out; it carries the URL the
// administrator must open.
type errConsentTimeout struct {
	What       string
	ConsentURL string
	Waited     time.Duration
}

func (e *errConsentTimeout) Error() string {
	return fmt.Sprintf("%s was not consented within %s. An administrator must open the consent URL and sign in:\n\n  %s", e.What, e.Waited.Round(time.Second), e.ConsentURL)
}

// errConsentCancelled reports a wait that Terraform cancelled (Ctrl-C, or
// Terraform stopping) before consent arrived. It is not a timeout: the
// user stopped waiting, and raising the timeout would not help.
type errConsentCancelled struct {
	What       string
	ConsentURL string
	Waited     time.Duration
	Err        error
}

func (e *errConsentCancelled) Error() string {
	return fmt.Sprintf("waiting for consent of %s was cancelled after %s, before consent was given. An administrator can still open the consent URL and sign in:\n\n  %s", e.What, e.Waited.Round(time.Second), e.ConsentURL)
}

func (e *errConsentCancelled) Unwrap() error { return e.Err }

// addWaitError reports a failed wait for consent of an object of
// resourceType (such as aos_app_profile). Anything but a timeout is a
// failed call, reported through addError.
//
// A timeout stays an error, since the user asked to wait, but it must not
// lead them into destroying the object: the object exists and is in the
// state. After a failed create Terraform marks it tainted, so a plain
// terraform apply would replace it with a new object and a new consent URL,
// throwing away the consent an administrator may have given meanwhile; the
// message says to untaint it first. A failed update leaves it untainted.
// The framework does not tell a provider the resource's address, so the
// command names the resource type with a placeholder for the name.
func addWaitError(diags *diag.Diagnostics, action, resourceType string, creating bool, err error) {
	var te *errConsentTimeout
	var ce *errConsentCancelled
	var url, head string
	switch {
	case errors.As(err, &te):
		url, head = te.ConsentURL, fmt.Sprintf("%s was not consented within %s.\n\n", te.What, te.Waited.Round(time.Second))
	case errors.As(err, &ce):
		url, head = ce.ConsentURL, fmt.Sprintf("Waiting for consent of %s was cancelled after %s (Ctrl-C or Terraform stopping), before consent was given.\n\n", ce.What, ce.Waited.Round(time.Second))
	default:
		addError(diags, action, err, nil)
		return
	}
	cancelled := ce != nil
	if url == "" {
		url = "(see the consent_url attribute)"
	}
	var b strings.Builder
	b.WriteString(head)
	if creating {
		b.WriteString("It was created and is kept in the Terraform state, but Terraform has marked it tainted because the create " +
			"did not finish. Do not simply run terraform apply: it would replace it with a new object and a new consent URL, " +
			"discarding any consent given to this one.\n\n")
		fmt.Fprintf(&b, "An administrator must open the consent URL and sign in:\n\n  %s\n\n", url)
		fmt.Fprintf(&b, "After the administrator has consented, keep this object and record the consent:\n\n"+
			"  terraform untaint %[1]s.<name>\n  terraform apply\n\n"+
			"where %[1]s.<name> is this resource's address in your configuration.\n\n", resourceType)
		if !cancelled {
			b.WriteString("To wait longer, raise the create timeout (timeouts { create = ... }).")
		}
	} else {
		b.WriteString("It is kept in the Terraform state and is not tainted.\n\n")
		fmt.Fprintf(&b, "An administrator must open the consent URL and sign in:\n\n  %s\n\n", url)
		b.WriteString("After the administrator has consented, run terraform apply to record the consent.")
		if !cancelled {
			b.WriteString("\n\nTo wait longer, raise the update timeout (timeouts { update = ... }).")
		}
	}
	if cancelled {
		diags.AddError("Cancelled "+action, strings.TrimSpace(b.String()))
		return
	}
	diags.AddError("Error "+action, b.String())
}

// waitForConsent polls until the object leaves pending_consent or timeout
// passes. It is bounded by both the timeout and ctx. fetch keeps what it
// needs of the object it got; a wait that runs out returns an
// *errConsentTimeout with the last consent URL seen, and one that Terraform
// cancels (Ctrl-C) an *errConsentCancelled: the caller's context is
// cancelled then, while a timeout ends only the wait's own context (or the
// caller's with DeadlineExceeded).
func waitForConsent(ctx context.Context, what string, timeout time.Duration, fetch func(context.Context) (consentState, error)) error {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	t := time.NewTicker(consentPollInterval)
	defer t.Stop()
	last := consentState{}
	ended := func() error {
		if errors.Is(parent.Err(), context.Canceled) {
			return &errConsentCancelled{What: what, ConsentURL: last.ConsentURL, Waited: time.Since(start), Err: parent.Err()}
		}
		return &errConsentTimeout{What: what, ConsentURL: last.ConsentURL, Waited: time.Since(start)}
	}
	for {
		st, err := fetch(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ended()
			}
			return err
		}
		last = st
		if st.Status != "pending_consent" {
			return nil
		}
		tflog.Info(ctx, "waiting for consent", map[string]any{"object": what, "consent_url": st.ConsentURL,
			"waited": readableWait(time.Since(start)), "timeout": readableWait(timeout)})
		select {
		case <-ctx.Done():
			return ended()
		case <-t.C:
		}
	}
}

// readableWait is a duration as people read it in a log line (2m0s, not
// 120000000000).
func readableWait(d time.Duration) string { return d.Round(time.Second).String() }

// waitForConsentOf waits for one object's consent with get as the status
// source, and returns the object as last read (first when nothing was read).
func waitForConsentOf[T any](ctx context.Context, what string, timeout time.Duration, first *T, firstResp *client.Response,
	get func(context.Context) (*T, *client.Response, error), state func(*T) consentState) (*T, *client.Response, error) {
	latest, latestResp := first, firstResp
	err := waitForConsent(ctx, what, timeout, func(ctx context.Context) (consentState, error) {
		got, gr, err := get(ctx)
		if err != nil {
			return consentState{}, err
		}
		latest, latestResp = got, gr
		return state(got), nil
	})
	return latest, latestResp, err
}

// operationContext bounds a whole create or update (its requests, their
// retries and the wait for consent) by the resource's timeouts, as
// Terraform users expect of timeouts: a retry_timeout longer than the
// operation's timeout must not keep an apply retrying past it. The wait for
// consent gets what the requests before it left.
func operationContext(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, timeout)
}
