// Command aosd is the registration service behind the Terraform provider.
//
//	aosd dev                    zero set-up: SQLite in a data dir, simulated platforms
//	aosd serve                  production: SQLite or PostgreSQL, real consent URLs
//	aosd clients create         make an API client (prints its secret once)
//	aosd permissions bump       raise a platform's permission-set version
//	aosd orgs set               change an organization's settings (service provider)
//	aosd keygen                 print a new encryption key
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/aosd"
	"github.com/aos-dev/terraform-provider-aos/internal/consent"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/secrets"
	"github.com/aos-dev/terraform-provider-aos/internal/store"
)

const usage = `aosd — the registration service of terraform-provider-aos

Usage:
  aosd dev [flags]                  run with no set-up (SQLite in --data-dir, simulated platforms)
  aosd serve [flags]                run in production (--database, --encryption-key-file)
  aosd clients create [flags]       create an API client and print its credentials
  aosd permissions bump [flags]     raise a platform's required permission-set version
  aosd orgs set ORG [flags]         mark an organization as a service provider (--service-provider) or not
  aosd keygen                       print a new encryption key for --encryption-key-file

Run "aosd COMMAND -h" for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "aosd:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		// The command fails either way; a usage text that cannot be
		// written does not change the error returned.
		_, _ = fmt.Fprint(stderr, usage)
		return errors.New("a command is required")
	}
	switch args[0] {
	case "dev":
		return runDev(ctx, args[1:], stdout, stderr)
	case "serve":
		return runServe(ctx, args[1:], stderr)
	case "clients":
		if len(args) < 2 || args[1] != "create" {
			return errors.New(`usage: aosd clients create --database URL --org ORG [--name NAME] [--scope aos.readwrite]`)
		}
		return runClientsCreate(ctx, args[2:], stdout)
	case "permissions":
		if len(args) < 2 || args[1] != "bump" {
			return errors.New(`usage: aosd permissions bump --database URL --platform PLATFORM`)
		}
		return runPermissionsBump(ctx, args[2:], stdout)
	case "orgs":
		if len(args) < 2 || args[1] != "set" {
			return errors.New(orgsSetUsage)
		}
		return runOrgsSet(ctx, args[2:], stdout)
	case "keygen":
		if _, err := fmt.Fprintln(stdout, secrets.GenerateKey()); err != nil {
			return fmt.Errorf("writing the key: %w", err)
		}
		return nil
	case "-h", "--help", "help":
		_, err := fmt.Fprint(stdout, usage)
		return err
	}
	// As above: the unknown command is the error to report.
	_, _ = fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func logger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// devOrg is the organization of everything aosd dev creates.
const devOrg = "dev"

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("aosd dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on (port 0 picks a free one)")
	dataDir := fs.String("data-dir", ".aosd-dev", "directory for the SQLite database, the encryption key and the env file")
	directory := fs.String("directory", "", "JSON file replacing the built-in simulated platform directory")
	autoConsent := fs.Bool("auto-consent", false, "DEV ONLY: complete every consent at once as the tenant's administrator (for demos)")
	envFile := fs.String("env-file", "", "where to write AOS_ENDPOINT, AOS_CLIENT_ID and AOS_CLIENT_SECRET (default DATA-DIR/aos.env)")
	stsEndpoint := fs.String("sts-endpoint", "", "STS endpoint for verifying Amazon roles (for example a local moto server); without it Amazon roles are not verified, and aosd dev never calls AWS")
	devPrincipal := fs.String("amazon-principal", "", "AWS principal ARN Amazon tenant roles trust (default: the example account "+aosd.DevAmazonPrincipal+", which moto uses)")
	serviceProvider := fs.Bool("service-provider", false, "mark the dev organization as a service provider (=false to unmark); kept in the data dir, so a later start without the flag leaves it as it is")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *devPrincipal != "" {
		if err := checkAmazonPrincipal(*devPrincipal); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		return fmt.Errorf("creating data dir: %w", err)
	}
	key, err := loadOrCreateKey(filepath.Join(*dataDir, "encryption.key"))
	if err != nil {
		return err
	}
	if *envFile == "" {
		*envFile = filepath.Join(*dataDir, "aos.env")
	}
	app, err := aosd.Start(ctx, aosd.Options{
		Database: "sqlite:" + filepath.Join(*dataDir, "aosd.db"), Key: key, Listen: *listen,
		Dev: &aosd.DevOptions{DirectoryFile: *directory, AutoConsent: *autoConsent}, STSEndpoint: *stsEndpoint,
		AmazonPrincipal: *devPrincipal, Logger: logger(stderr, *logLevel),
	})
	if err != nil {
		return err
	}
	id, secret, err := devClient(ctx, app, *envFile)
	if err != nil {
		_ = app.Close(context.Background())
		return err
	}
	// Only an explicit flag changes the stored setting: like the client,
	// the organization's settings belong to the data dir, and may have
	// been set with "aosd orgs set dev".
	if flagGiven(fs, "service-provider") {
		if err := aosd.SetServiceProvider(ctx, app.Store, devOrg, *serviceProvider); err != nil {
			_ = app.Close(context.Background())
			return fmt.Errorf("setting the dev organization's service provider flag: %w", err)
		}
	}
	settings, err := store.GetOrgSettings(ctx, app.Store, devOrg)
	if err != nil {
		_ = app.Close(context.Background())
		return err
	}
	env := fmt.Sprintf("AOS_ENDPOINT=%s\nAOS_CLIENT_ID=%s\nAOS_CLIENT_SECRET=%s\n", app.URL, id, secret)
	if err := os.WriteFile(*envFile, []byte(env), 0o600); err != nil {
		_ = app.Close(context.Background())
		return fmt.Errorf("writing env file: %w", err)
	}
	// The banner is informational: the credentials are also in the env file,
	// so output that cannot be written (a closed stdout) must not stop the
	// server that is already running.
	_, _ = fmt.Fprintf(stdout, "aosd dev is listening on %s (data in %s)\n", app.URL, *dataDir)
	if *autoConsent {
		_, _ = fmt.Fprintln(stdout, "AUTO-CONSENT IS ON: consents complete without sign-in. This is dev behaviour only.")
	}
	if settings.ServiceProvider {
		_, _ = fmt.Fprintf(stdout, "Organization %q is a service provider: service provider only services are available.\n", devOrg)
	}
	_, _ = fmt.Fprintf(stdout, "Credentials (also in %s):\n  export AOS_ENDPOINT=%s\n  export AOS_CLIENT_ID=%s\n  export AOS_CLIENT_SECRET=%s\n", *envFile, app.URL, id, secret)
	return serveUntilDone(ctx, app)
}

// devClient reuses the client of an earlier run with the same data dir (its
// secret is in the env file) or creates one.
func devClient(ctx context.Context, app *aosd.App, envFile string) (string, string, error) {
	if b, err := os.ReadFile(envFile); err == nil {
		vals := map[string]string{}
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				vals[k] = v
			}
		}
		if c, err := app.Store.GetClient(ctx, vals["AOS_CLIENT_ID"]); err == nil && c.Org == devOrg {
			return vals["AOS_CLIENT_ID"], vals["AOS_CLIENT_SECRET"], nil
		}
	}
	return aosd.CreateClient(ctx, app.Store, devOrg, "aosd dev", []string{domain.ScopeReadWrite})
}

func loadOrCreateKey(path string) ([]byte, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(path, []byte(secrets.GenerateKey()+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("writing encryption key: %w", err)
		}
	}
	return secrets.LoadKeyFile(path)
}

func serveUntilDone(ctx context.Context, app *aosd.App) error {
	select {
	case err := <-waitChan(app):
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		return app.Close(sctx)
	}
}

func waitChan(app *aosd.App) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- app.Wait() }()
	return ch
}

func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	o, err := serveOptions(args, stderr)
	if err != nil {
		return err
	}
	app, err := aosd.Start(ctx, o)
	if err != nil {
		return err
	}
	slog.New(slog.NewJSONHandler(stderr, nil)).Info("aosd serving", "url", app.URL, "publicUrl", o.PublicURL)
	return serveUntilDone(ctx, app)
}

// serveOptions turns aosd serve's command line into the options aosd
// starts with, reading the key and the secrets their files hold. It is
// separate from starting so tests can see what the flags configure.
func serveOptions(args []string, stderr io.Writer) (aosd.Options, error) {
	fs := flag.NewFlagSet("aosd serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	database := fs.String("database", os.Getenv("AOSD_DATABASE"), "sqlite:PATH or postgres://URL (env AOSD_DATABASE)")
	keyFile := fs.String("encryption-key-file", os.Getenv("AOSD_ENCRYPTION_KEY_FILE"), "file with the 32-byte master key in hex (aosd keygen); every replica uses the same (env AOSD_ENCRYPTION_KEY_FILE)")
	listen := fs.String("listen", ":8443", "address to listen on")
	publicURL := fs.String("public-url", "", "URL browsers and clients reach this service at (consent callbacks are built from it)")
	tlsCert := fs.String("tls-cert", "", "TLS certificate file (PEM); serve plain HTTP without it, for example behind a TLS proxy")
	tlsKey := fs.String("tls-key", "", "TLS private key file (PEM)")
	stsEndpoint := fs.String("sts-endpoint", "", "STS endpoint for verifying Amazon roles, for every partition (default: AWS's regional endpoint of "+
		"each role's partition: sts.REGION.amazonaws.com with --aws-region, sts.us-gov-west-1.amazonaws.com, sts.cn-north-1.amazonaws.com.cn)")
	region := fs.String("aws-region", "us-east-1", "AWS region whose STS endpoint verifies commercial-partition roles")
	principal := fs.String("amazon-principal", os.Getenv("AOSD_AMAZON_PRINCIPAL"), "AWS principal ARN customers' Amazon tenant roles trust: this service's own AWS identity, "+
		"whose credentials aosd finds in the default AWS credential chain (required unless --disable-amazon; env AOSD_AMAZON_PRINCIPAL)")
	disableAmazon := fs.Bool("disable-amazon", false, "do not offer Amazon tenants: registering one is refused, and no AWS principal or credentials are needed")
	rateLimit := fs.Float64("rate-limit", 50, "requests per second per client (0: unlimited)")
	rateBurst := fs.Int("rate-burst", 100, "burst size of the per-client rate limit")
	msClient := fs.String("microsoft-client-id", os.Getenv("AOSD_MICROSOFT_CLIENT_ID"), "application id of the service's Microsoft Entra app")
	googleClient := fs.String("google-client-id", os.Getenv("AOSD_GOOGLE_CLIENT_ID"), "OAuth client id of the service's Google app")
	sfClient := fs.String("salesforce-client-id", os.Getenv("AOSD_SALESFORCE_CLIENT_ID"), "consumer key of the service's Salesforce connected app")
	// Secrets are read from a file or the environment, never from a flag
	// value: command lines are visible to every user of the host.
	msSecretFile := fs.String("microsoft-client-secret-file", "", "file with the client secret of the Microsoft app (or env AOSD_MICROSOFT_CLIENT_SECRET)")
	googleSecretFile := fs.String("google-client-secret-file", "", "file with the client secret of the Google app (or env AOSD_GOOGLE_CLIENT_SECRET)")
	sfSecretFile := fs.String("salesforce-client-secret-file", "", "file with the consumer secret of the Salesforce app (or env AOSD_SALESFORCE_CLIENT_SECRET)")
	// App profiles of some types consent to an app of their own rather
	// than the --microsoft-client-id app.
	appIDs := newAppTypeFlag(flagAppClientID)
	appSecretFiles := newAppTypeFlag(flagAppClientSecretFile)
	fs.Var(appIDs, flagAppClientID[2:], "TYPE=ID: application id of the service's Microsoft app for app profiles of app type TYPE (repeatable; types without one use --microsoft-client-id)")
	fs.Var(appSecretFiles, flagAppClientSecretFile[2:], "TYPE=PATH: file with the client secret of the app of --microsoft-app-client-id TYPE (repeatable; every such app needs one)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	var none aosd.Options
	if err := fs.Parse(args); err != nil {
		return none, err
	}
	if *keyFile == "" {
		return none, errors.New("--encryption-key-file is required (create one with: aosd keygen > key && chmod 600 key)")
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return none, errors.New("--tls-cert and --tls-key go together")
	}
	if err := checkServeAmazon(*principal, *stsEndpoint, *disableAmazon); err != nil {
		return none, err
	}
	key, err := secrets.LoadKeyFile(*keyFile)
	if err != nil {
		return none, err
	}
	if *publicURL == "" {
		return none, errors.New("--public-url is required: consent callbacks must name the URL browsers reach this service at")
	}
	builder, err := newConsentBuilder(*publicURL, *msClient, *googleClient, *sfClient)
	if err != nil {
		return none, err
	}
	if err := loadClientSecrets(builder, *msSecretFile, *googleSecretFile, *sfSecretFile); err != nil {
		return none, err
	}
	if err := loadMicrosoftAppClients(builder, appIDs.values, appSecretFiles.values); err != nil {
		return none, err
	}
	return aosd.Options{Database: *database, Key: key, Listen: *listen, PublicURL: *publicURL,
		TLSCertFile: *tlsCert, TLSKeyFile: *tlsKey, Consent: builder, STSEndpoint: *stsEndpoint, AWSRegion: *region,
		AmazonPrincipal: *principal, RateLimit: *rateLimit, RateBurst: *rateBurst, Logger: logger(stderr, *logLevel)}, nil
}

// checkServeAmazon refuses an Amazon configuration that production must
// not run with: Amazon tenants offered without the principal their roles
// trust (the server would have nothing true to put in their trust
// policies), or a principal or STS endpoint given together with
// --disable-amazon, which would silently have no effect.
func checkServeAmazon(principal, stsEndpoint string, disabled bool) error {
	switch {
	case disabled && (principal != "" || stsEndpoint != ""):
		return errors.New("--disable-amazon turns Amazon tenants off, so --amazon-principal and --sts-endpoint would have no effect; give one or the other")
	case disabled:
		return nil
	case principal == "":
		return errors.New("--amazon-principal is required: customers' Amazon tenant roles trust this principal, the ARN of this service's own AWS " +
			"identity (for example arn:aws:iam::111122223333:role/aos-service; its credentials come from the default AWS credential chain). " +
			"To run without Amazon tenants, pass --disable-amazon")
	}
	return checkAmazonPrincipal(principal)
}

// amazonPrincipalPattern matches the principals a trust policy can name
// for another account: its root, an IAM user or an IAM role.
var amazonPrincipalPattern = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::\d{12}:(root|user/[\w+=,.@/-]{1,512}|role/[\w+=,.@/-]{1,512})$`)

func checkAmazonPrincipal(principal string) error {
	if !amazonPrincipalPattern.MatchString(principal) {
		return fmt.Errorf("--amazon-principal %q is not an IAM principal ARN: want arn:aws:iam::ACCOUNT:root, arn:aws:iam::ACCOUNT:user/NAME "+
			"or arn:aws:iam::ACCOUNT:role/NAME (arn:aws-us-gov:... or arn:aws-cn:... in those partitions)", principal)
	}
	return nil
}

func runClientsCreate(ctx context.Context, args []string, stdout io.Writer) (err error) {
	fs := flag.NewFlagSet("aosd clients create", flag.ContinueOnError)
	database := fs.String("database", os.Getenv("AOSD_DATABASE"), "sqlite:PATH or postgres://URL")
	org := fs.String("org", "", "organization the client belongs to (required)")
	name := fs.String("name", "", "a label for the client")
	scope := fs.String("scope", domain.ScopeReadWrite, "aos.read or aos.readwrite (space separated for both)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := aosd.OpenStore(ctx, *database)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	id, secret, err := aosd.CreateClient(ctx, st, *org, *name, strings.Fields(*scope))
	if err != nil {
		return err
	}
	// The secret is shown only here: output that is lost is a failure.
	if _, err := fmt.Fprintf(stdout, "AOS_CLIENT_ID=%s\nAOS_CLIENT_SECRET=%s\n", id, secret); err != nil {
		return fmt.Errorf("client %s was created, but writing its credentials failed: %w", id, err)
	}
	return nil
}

func runPermissionsBump(ctx context.Context, args []string, stdout io.Writer) (err error) {
	fs := flag.NewFlagSet("aosd permissions bump", flag.ContinueOnError)
	database := fs.String("database", os.Getenv("AOSD_DATABASE"), "sqlite:PATH or postgres://URL")
	platform := fs.String("platform", "", "microsoft, google, salesforce or amazon")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if derr := domain.OneOf("platform", *platform, domain.Platforms); derr != nil {
		return fmt.Errorf("--platform: %s", derr.Message)
	}
	st, err := aosd.OpenStore(ctx, *database)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	v, err := st.BumpPermissionVersion(ctx, *platform)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "%s permission set is now version %d; tenants connected with an older one show reconnectRecommended\n", *platform, v); err != nil {
		return fmt.Errorf("%s permission set is now version %d, but writing that failed: %w", *platform, v, err)
	}
	return nil
}

const orgsSetUsage = `usage: aosd orgs set ORG --database URL --service-provider[=false]`

// runOrgsSet changes an organization's settings. The organization comes
// first, as in "aosd orgs set acme --service-provider"; the flag package
// stops at the first argument that is not a flag, so it is taken off
// before parsing (flags before it work too).
func runOrgsSet(ctx context.Context, args []string, stdout io.Writer) (err error) {
	fs := flag.NewFlagSet("aosd orgs set", flag.ContinueOnError)
	database := fs.String("database", os.Getenv("AOSD_DATABASE"), "sqlite:PATH or postgres://URL")
	serviceProvider := fs.Bool("service-provider", false, "the organization is a service provider (=false: it is not); service provider only services need it")
	org := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		org, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if org == "" && fs.NArg() > 0 {
		org = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q; %s", fs.Args(), orgsSetUsage)
	}
	if org == "" {
		return errors.New("the organization is required; " + orgsSetUsage)
	}
	// Nothing else can be set yet, so a call without the flag is a mistake
	// rather than a request to clear it.
	if !flagGiven(fs, "service-provider") {
		return errors.New("nothing to set: pass --service-provider or --service-provider=false")
	}
	st, err := aosd.OpenStore(ctx, *database)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	if err := aosd.SetServiceProvider(ctx, st, org, *serviceProvider); err != nil {
		return err
	}
	state := "is now a service provider"
	if !*serviceProvider {
		state = "is now not a service provider"
	}
	if _, err := fmt.Fprintf(stdout, "organization %s %s\n", org, state); err != nil {
		return fmt.Errorf("organization %s %s, but writing that failed: %w", org, state, err)
	}
	return nil
}

// flagGiven reports whether the command line set the flag, as opposed to
// leaving it at its default.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// Names of the per-app-type flags, as errors quote them.
const (
	flagAppClientID         = "--microsoft-app-client-id"
	flagAppClientSecretFile = "--microsoft-app-client-secret-file"
)

// appTypeFlag is a repeatable TYPE=VALUE flag keyed by Microsoft app type.
// Types are checked as they are parsed, so a mistyped one stops aosd before
// it starts rather than leaving that type on the default app.
type appTypeFlag struct {
	name   string
	values map[string]string
}

func newAppTypeFlag(name string) *appTypeFlag {
	return &appTypeFlag{name: name, values: map[string]string{}}
}

func (f *appTypeFlag) String() string {
	if f == nil {
		return ""
	}
	pairs := make([]string, 0, len(f.values))
	for k, v := range f.values {
		pairs = append(pairs, k+"="+v)
	}
	return strings.Join(pairs, ",")
}

// Set takes one TYPE=VALUE. The flag package reports its errors with the
// flag's name and the value given.
func (f *appTypeFlag) Set(s string) error {
	typ, val, ok := strings.Cut(s, "=")
	typ, val = strings.TrimSpace(typ), strings.TrimSpace(val)
	if !ok || typ == "" || val == "" {
		return errors.New("want TYPE=VALUE, for example myhub=VALUE")
	}
	if err := aosd.CheckMicrosoftAppType(typ); err != nil {
		return err
	}
	if _, dup := f.values[typ]; dup {
		return fmt.Errorf("app type %s is given twice", typ)
	}
	f.values[typ] = val
	return nil
}

// loadMicrosoftAppClients sets the per-app-type apps and reads their
// secrets from files. Like the platform apps, every app needs its secret:
// consents to it are confirmed with it. A secret without an app, or apps
// without the main Microsoft app (which registers the tenants the app
// profiles live in), are configuration mistakes and stop aosd.
func loadMicrosoftAppClients(c *consent.Config, ids, secretFiles map[string]string) error {
	if len(ids) == 0 && len(secretFiles) == 0 {
		return nil
	}
	if len(ids) > 0 && c.MicrosoftClientID == "" {
		return fmt.Errorf("%s needs --microsoft-client-id: app profiles live in Microsoft tenants, which are registered with that app", flagAppClientID)
	}
	appSecrets := make(map[string]string, len(secretFiles))
	for typ, file := range secretFiles {
		if ids[typ] == "" {
			return fmt.Errorf("%s %s=...: there is no %s %s=..., so the secret would never be used", flagAppClientSecretFile, typ, flagAppClientID, typ)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("reading %s %s: %w", flagAppClientSecretFile, typ, err)
		}
		if appSecrets[typ] = strings.TrimSpace(string(b)); appSecrets[typ] == "" {
			return fmt.Errorf("%s %s: %s is empty", flagAppClientSecretFile, typ, file)
		}
	}
	for typ := range ids {
		if appSecrets[typ] == "" {
			return fmt.Errorf("the Microsoft app for app type %s has a client id but no client secret: set %s %s=PATH (consents to it are confirmed with it)",
				typ, flagAppClientSecretFile, typ)
		}
	}
	c.MicrosoftAppClientIDs, c.MicrosoftAppClientSecrets = ids, appSecrets
	return nil
}

// newConsentBuilder configures the real platforms' consent URLs. A platform
// without a client id cannot be registered; aosd says so when asked.
func newConsentBuilder(publicURL, microsoft, google, salesforce string) (*consent.Config, error) {
	if microsoft == "" && google == "" && salesforce == "" {
		return nil, errors.New("no platform app is configured: set at least one of --microsoft-client-id, --google-client-id, --salesforce-client-id")
	}
	return &consent.Config{PublicBaseURL: strings.TrimRight(publicURL, "/"), MicrosoftClientID: microsoft,
		MicrosoftPartnerClientID: microsoft, GoogleClientID: google, SalesforceClientID: salesforce}, nil
}

// loadClientSecrets sets the apps' client secrets from their files or,
// without a file, from AOSD_*_CLIENT_SECRET. A platform with a client id
// needs its secret: the consent callback confirms every consent with the
// platform using it, and would refuse them all without it. The secrets are
// never logged or echoed.
func loadClientSecrets(c *consent.Config, microsoftFile, googleFile, salesforceFile string) error {
	for _, p := range []struct {
		name, flag, env, file, clientID string
		dst                             *string
	}{
		{"Microsoft", "--microsoft-client-secret-file", "AOSD_MICROSOFT_CLIENT_SECRET", microsoftFile, c.MicrosoftClientID, &c.MicrosoftClientSecret},
		{"Google", "--google-client-secret-file", "AOSD_GOOGLE_CLIENT_SECRET", googleFile, c.GoogleClientID, &c.GoogleClientSecret},
		{"Salesforce", "--salesforce-client-secret-file", "AOSD_SALESFORCE_CLIENT_SECRET", salesforceFile, c.SalesforceClientID, &c.SalesforceClientSecret},
	} {
		secret := os.Getenv(p.env)
		if p.file != "" {
			b, err := os.ReadFile(p.file)
			if err != nil {
				return fmt.Errorf("reading %s: %w", p.flag, err)
			}
			secret = strings.TrimSpace(string(b))
		}
		if p.clientID == "" {
			continue
		}
		if secret == "" {
			return fmt.Errorf("the %s app has a client id but no client secret: set %s or %s (consent callbacks are confirmed with it)", p.name, p.flag, p.env)
		}
		*p.dst = secret
	}
	// serve uses the Microsoft app for partner profiles too (newConsentBuilder).
	c.MicrosoftPartnerClientSecret = c.MicrosoftClientSecret
	return nil
}
