// Package aosdtest runs a real aosd in-process for tests: dev mode (or
// production mode with Options.Consent), a temporary SQLite file, real HTTP
// on a loopback port, and one API client.
// Provider acceptance tests and client tests use it so they exercise the
// service exactly as shipped.
package aosdtest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/aosd"
	"github.com/aos-dev/terraform-provider-aos/internal/consent"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/secrets"
)

// Options adjust the instance.
type Options struct {
	// Dir holds the database; a new temporary directory when empty.
	Dir string
	// AutoConsent turns on dev auto-consent.
	AutoConsent bool
	// STSEndpoint enables Amazon role verification against it (moto).
	STSEndpoint string
	// Database overrides the SQLite file (for example a PostgreSQL URL).
	Database string
	// RateLimit per client (0: unlimited, the default for tests).
	RateLimit float64
	// Log receives the access log (discarded when nil).
	Log *slog.Logger
	// Org of the client (default "test").
	Org string
	// ServiceProvider marks Org as a service provider organization, which
	// may use the services offered to service providers only.
	ServiceProvider bool
	// Key is the 32-byte master key; a new random key when nil. Replicas
	// sharing one database must share it.
	Key []byte
	// Consent, when set, starts aosd in production mode instead of dev mode:
	// no dev routes or simulated platforms, consent URLs and callbacks for
	// the platforms this configuration names (point its token endpoint
	// overrides at test doubles). AutoConsent is ignored then.
	Consent *consent.Config
}

// Instance is a running aosd with a client.
type Instance struct {
	App          *aosd.App
	Endpoint     string
	ClientID     string
	ClientSecret string
	Org          string // the organization of ClientID
	Dir          string
	Key          []byte
	ownDir       bool
}

// Start starts aosd. Close it when done.
func Start(o Options) (*Instance, error) {
	in := &Instance{Dir: o.Dir}
	if in.Dir != "" {
		if err := os.MkdirAll(in.Dir, 0o700); err != nil {
			return nil, err
		}
	} else {
		d, err := os.MkdirTemp("", "aosdtest-")
		if err != nil {
			return nil, err
		}
		in.Dir, in.ownDir = d, true
	}
	key := o.Key
	if key == nil {
		var err error
		if key, err = secrets.ParseKey(secrets.GenerateKey()); err != nil {
			return nil, err
		}
	}
	in.Key = key
	db := o.Database
	if db == "" {
		db = "sqlite:" + filepath.Join(in.Dir, "aosd.db")
	}
	ctx := context.Background()
	ao := aosd.Options{Database: db, Key: key, Listen: "127.0.0.1:0",
		Dev: &aosd.DevOptions{AutoConsent: o.AutoConsent}, STSEndpoint: o.STSEndpoint,
		PropagationTimeout: 20 * time.Second, RateLimit: o.RateLimit, Logger: o.Log}
	if o.Consent != nil {
		ao.Dev, ao.Consent, ao.PublicURL = nil, o.Consent, o.Consent.PublicBaseURL
	}
	app, err := aosd.Start(ctx, ao)
	if err != nil {
		in.cleanup()
		return nil, err
	}
	in.App, in.Endpoint = app, app.URL
	org := o.Org
	if org == "" {
		org = "test"
	}
	in.Org = org
	in.ClientID, in.ClientSecret, err = aosd.CreateClient(ctx, app.Store, org, "aosdtest", []string{domain.ScopeReadWrite})
	if err != nil {
		_ = in.Close()
		return nil, fmt.Errorf("creating test client: %w", err)
	}
	if o.ServiceProvider {
		if err := in.SetServiceProvider(org, true); err != nil {
			_ = in.Close()
			return nil, fmt.Errorf("marking %s a service provider: %w", org, err)
		}
	}
	return in, nil
}

// NewClient creates another client of org with scopes.
func (in *Instance) NewClient(org string, scopes ...string) (id, secret string, err error) {
	return aosd.CreateClient(context.Background(), in.App.Store, org, "aosdtest", scopes)
}

// SetServiceProvider marks org as a service provider organization or not,
// as "aosd orgs set" does; tests that share one instance use it to switch.
func (in *Instance) SetServiceProvider(org string, serviceProvider bool) error {
	return aosd.SetServiceProvider(context.Background(), in.App.Store, org, serviceProvider)
}

// Env returns the AOS_* variables that point the provider at this instance.
func (in *Instance) Env() map[string]string {
	return map[string]string{"AOS_ENDPOINT": in.Endpoint, "AOS_CLIENT_ID": in.ClientID, "AOS_CLIENT_SECRET": in.ClientSecret}
}

// Close stops the server and removes the temporary directory.
func (in *Instance) Close() error {
	var err error
	if in.App != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = in.App.Close(ctx)
	}
	in.cleanup()
	return err
}

func (in *Instance) cleanup() {
	if in.ownDir {
		_ = os.RemoveAll(in.Dir)
	}
}
