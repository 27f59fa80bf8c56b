// Package aosd assembles the registration service from its parts (storage,
// secrets, the HTTP API, the dev directory, the Amazon verifier) and runs
// it. cmd/aosd is the command line over this package, and the tests start
// the same assembly in-process (internal/aosdtest), so what is tested is
// what ships.
package aosd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/aos-dev/terraform-provider-aos/internal/awsverify"
	"github.com/aos-dev/terraform-provider-aos/internal/consent"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/secrets"
	"github.com/aos-dev/terraform-provider-aos/internal/server"
	"github.com/aos-dev/terraform-provider-aos/internal/store"
	"github.com/aos-dev/terraform-provider-aos/internal/store/postgres"
	"github.com/aos-dev/terraform-provider-aos/internal/store/sqlite"
)

// Options configure a running aosd.
type Options struct {
	// Database is "sqlite:PATH" (or a bare path) or a postgres:// URL.
	Database string
	// Key is the 32-byte master key (encryption at rest, token signing).
	Key []byte
	// Listen is the address to listen on ("127.0.0.1:0" picks a port).
	Listen string
	// PublicURL is the base URL clients and browsers reach aosd at;
	// derived from the listener when empty.
	PublicURL string
	// TLSCertFile and TLSKeyFile turn on HTTPS.
	TLSCertFile, TLSKeyFile string
	// Dev turns on dev mode with the simulated platform directory.
	Dev *DevOptions
	// Consent configures production consent URLs.
	Consent *consent.Config
	// AmazonPrincipal is the AWS principal (this service's AWS identity)
	// that customers' tenant roles trust. Empty in production means Amazon
	// tenants are not offered: the service refuses to register them, since
	// a role trusting a made-up principal would be useless or, worse,
	// trust somebody else. Dev mode uses DevAmazonPrincipal when empty.
	AmazonPrincipal string
	// STSEndpoint overrides the STS endpoint that verifies Amazon roles.
	// In production, empty means AWS's regional endpoint of each role's
	// partition (see awsverify). In dev mode roles are verified only when
	// it is set (a local moto server), so aosd dev never calls AWS.
	STSEndpoint string
	// AWSRegion is the commercial region whose STS endpoint verifies
	// roles of the commercial partition (us-east-1 when empty).
	AWSRegion string
	// AWSHTTPClient replaces the HTTP client of the STS calls; nil keeps
	// the SDK's. Tests use it to see which endpoint a verification uses.
	AWSHTTPClient aws.HTTPClient
	// PropagationTimeout bounds how long role verification waits for IAM.
	PropagationTimeout time.Duration
	RateLimit          float64
	RateBurst          int
	Logger             *slog.Logger
}

// DevOptions configure dev mode.
type DevOptions struct {
	// DirectoryFile replaces the built-in directory.
	DirectoryFile string
	// AutoConsent completes consents at once (demos only).
	AutoConsent bool
}

// App is a running aosd.
type App struct {
	Store  store.Store
	Server *server.Server
	URL    string
	srv    *http.Server
	ln     net.Listener
	done   chan error
}

// DevAmazonPrincipal is the principal customers' roles trust in dev mode
// when none is given: the example account of the AWS documentation, which
// is also the account moto puts everything in. Production never uses it:
// there Options.AmazonPrincipal must be set, or Amazon tenants are not
// offered.
const DevAmazonPrincipal = server.DefaultAmazonPrincipal

// OpenStore opens the store a database setting names.
func OpenStore(ctx context.Context, database string) (store.Store, error) {
	// Each branch returns its own concrete type only when it succeeded, so
	// a failed open never yields a typed nil inside a non-nil interface.
	switch {
	case strings.HasPrefix(database, "postgres://"), strings.HasPrefix(database, "postgresql://"):
		st, err := postgres.Open(ctx, database)
		if err != nil {
			return nil, err
		}
		return st, nil
	case database == "":
		return nil, errors.New("--database is required: sqlite:PATH or postgres://URL")
	default:
		st, err := sqlite.Open(ctx, strings.TrimPrefix(database, "sqlite:"))
		if err != nil {
			return nil, err
		}
		return st, nil
	}
}

// Start opens the store, builds the API and serves it in the background.
func Start(ctx context.Context, o Options) (*App, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	box, err := secrets.New(o.Key)
	if err != nil {
		return nil, err
	}
	if o.Consent != nil {
		if err := checkMicrosoftAppClients(o.Consent); err != nil {
			return nil, err
		}
	}
	st, err := OpenStore(ctx, o.Database)
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	if o.Dev != nil && o.AmazonPrincipal == "" {
		o.AmazonPrincipal = DevAmazonPrincipal
	}
	cfg := server.Config{Store: st, Box: box, Logger: o.Logger, PublicURL: o.PublicURL, Consent: o.Consent,
		AmazonPrincipal: o.AmazonPrincipal, RateLimit: o.RateLimit, RateBurst: o.RateBurst}
	verify := o.STSEndpoint != ""
	if o.Dev == nil {
		verify = o.AmazonPrincipal != ""
	}
	if verify {
		cfg.AmazonVerifier, err = awsverify.New(ctx, awsverify.Options{Endpoint: o.STSEndpoint, Region: o.AWSRegion,
			PropagationTimeout: o.PropagationTimeout, HTTPClient: o.AWSHTTPClient})
		if err != nil {
			_ = st.Close()
			return nil, err
		}
	}
	if o.Dev != nil {
		pl, mut, err := NewDevPlatform(o.Dev.DirectoryFile)
		if err != nil {
			_ = st.Close()
			return nil, err
		}
		cfg.Dev = &server.DevConfig{Platform: pl, Mutator: mut, AutoConsent: o.Dev.AutoConsent}
	}
	srv, err := server.New(cfg)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", o.Listen)
	if err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("listening on %s: %w", o.Listen, err)
	}
	scheme := "http"
	if o.TLSCertFile != "" {
		cert, err := tls.LoadX509KeyPair(o.TLSCertFile, o.TLSKeyFile)
		if err != nil {
			_ = ln.Close()
			_ = st.Close()
			return nil, fmt.Errorf("loading TLS certificate: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		scheme = "https"
	}
	url := scheme + "://" + ln.Addr().String()
	if o.PublicURL == "" {
		srv.SetPublicURL(url)
	}
	a := &App{Store: st, Server: srv, URL: url, ln: ln, done: make(chan error, 1),
		srv: &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
			WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute,
			// Connection-level errors (a TLS handshake with a plain-HTTP
			// client, say) go to the same structured log as requests.
			ErrorLog: slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn)}}
	go func() {
		err := a.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		a.done <- err
	}()
	go purgeIdempotency(ctx, st, o.Logger)
	return a, nil
}

// idempotencyRetention is how long a create's outcome is remembered for
// retries; clients retry within minutes, so a day is generous.
const idempotencyRetention = 24 * time.Hour

func purgeIdempotency(ctx context.Context, st store.Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := st.PurgeIdempotency(ctx, time.Now().Add(-idempotencyRetention)); err != nil && ctx.Err() == nil {
				log.Warn("purging idempotency keys", "error", err.Error())
			}
		}
	}
}

// Wait blocks until the server stops.
func (a *App) Wait() error { return <-a.done }

// Close stops serving (letting requests in flight finish) and closes the
// store.
func (a *App) Close(ctx context.Context) error {
	err := a.srv.Shutdown(ctx)
	return errors.Join(err, a.Store.Close())
}

// CreateClient makes an API client for org and returns its credentials.
// The secret is shown once; only its hash is stored.
func CreateClient(ctx context.Context, st store.Store, org, name string, scopes []string) (id, secret string, err error) {
	if err := checkOrg(org); err != nil {
		return "", "", err
	}
	for _, s := range scopes {
		if s != domain.ScopeRead && s != domain.ScopeReadWrite {
			return "", "", fmt.Errorf("scope %q is not one of %s, %s", s, domain.ScopeRead, domain.ScopeReadWrite)
		}
	}
	id, secret = server.NewClientCredentials()
	err = st.CreateClient(ctx, &store.Client{ID: id, Org: org, Name: name, SecretHash: server.HashClientSecret(secret), Scopes: scopes, Created: time.Now().UTC()})
	return id, secret, err
}

// SetServiceProvider marks org as a service provider organization, or as
// an ordinary one. Some services (domain.Service.ServiceProviderOnly) are
// offered to service providers only. The setting is stored in the
// database, so it survives restarts and every replica sees it.
func SetServiceProvider(ctx context.Context, st store.Store, org string, serviceProvider bool) error {
	if err := checkOrg(org); err != nil {
		return err
	}
	// Read first so that settings added later are kept by this write.
	s, err := store.GetOrgSettings(ctx, st, org)
	if err != nil {
		return err
	}
	s.ServiceProvider = serviceProvider
	return store.PutOrgSettings(ctx, st, org, s)
}

// checkOrg checks an organization name given to a command. It is stored
// with every object of the organization and is part of their keys, so it
// takes the rule of a display name (1 to 128 printable characters, no
// surrounding spaces, nothing that displays as something else) rather than
// whatever the database would take.
func checkOrg(org string) error {
	if org == "" {
		return errors.New("an organization is required")
	}
	if err := domain.ValidateName("organization", org); err != nil {
		return fmt.Errorf("organization %q: %s", org, err.Message)
	}
	return nil
}

// CheckMicrosoftAppType checks that slug names an app type the service
// consents with an app of its own, the keys of
// consent.Config.MicrosoftAppClientIDs. Custom Azure app types consent to
// the customer's app, so a service app configured for one would never be
// used; it is refused rather than ignored.
func CheckMicrosoftAppType(slug string) error {
	t, ok := domain.AppTypeBySlug(slug)
	if !ok {
		return fmt.Errorf("%q is not an app type; use one of: %s", slug, strings.Join(serviceAppTypes(), ", "))
	}
	if t.Custom {
		return fmt.Errorf("%q is a custom Azure app type, whose profiles consent to the customer's own app (their clientId); use one of: %s",
			slug, strings.Join(serviceAppTypes(), ", "))
	}
	return nil
}

// serviceAppTypes lists the app types that use one of the service's apps.
func serviceAppTypes() []string {
	var out []string
	for _, t := range domain.AppTypes() {
		if !t.Custom {
			out = append(out, t.Slug)
		}
	}
	return out
}

// checkMicrosoftAppClients refuses per-app-type apps for unknown or custom
// app types, whoever assembled the configuration.
func checkMicrosoftAppClients(c *consent.Config) error {
	for _, m := range []map[string]string{c.MicrosoftAppClientIDs, c.MicrosoftAppClientSecrets} {
		for slug := range m {
			if err := CheckMicrosoftAppType(slug); err != nil {
				return fmt.Errorf("consent configuration: %w", err)
			}
		}
	}
	return nil
}
