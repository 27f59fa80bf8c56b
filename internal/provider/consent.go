package provider

import (
	"context"
	"fmt"
	"time"

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
	return fmt.Sprintf("%s was not consented within %s. An administrator must open the consent URL and sign in:\n\n  %s\n\nThen run terraform apply again, or raise the create timeout.", e.What, e.Waited.Round(time.Second), e.ConsentURL)
}

// waitForConsent polls until the object leaves pending_consent or timeout
// passes. It is bounded by both the timeout and ctx. fetch keeps what it
// needs of the object it got; a wait that runs out returns an
// *errConsentTimeout with the last consent URL seen.
func waitForConsent(ctx context.Context, what string, timeout time.Duration, fetch func(context.Context) (consentState, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	t := time.NewTicker(consentPollInterval)
	defer t.Stop()
	last := consentState{}
	for {
		st, err := fetch(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return &errConsentTimeout{What: what, ConsentURL: last.ConsentURL, Waited: time.Since(start)}
			}
			return err
		}
		last = st
		if st.Status != "pending_consent" {
			return nil
		}
		tflog.Info(ctx, "waiting for consent", map[string]any{"object": what, "consent_url": st.ConsentURL})
		select {
		case <-ctx.Done():
			return &errConsentTimeout{What: what, ConsentURL: last.ConsentURL, Waited: time.Since(start)}
		case <-t.C:
		}
	}
}

// waitForConsentOf waits for one object's consent with get as the status
// source, and returns the object as last read (first when nothing was read).
func waitForConsentOf[T any](ctx context.Context, what string, timeout time.Duration, first *T,
	get func(context.Context) (*T, *client.Response, error), state func(*T) consentState) (*T, error) {
	latest := first
	err := waitForConsent(ctx, what, timeout, func(ctx context.Context) (consentState, error) {
		got, _, err := get(ctx)
		if err != nil {
			return consentState{}, err
		}
		latest = got
		return state(got), nil
	})
	return latest, err
}
