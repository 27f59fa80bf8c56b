// Package provider is the Terraform provider for the registration API
// served by aosd.
package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
)

var _ provider.Provider = (*aosProvider)(nil)

// New returns the provider factory for version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &aosProvider{version: version} }
}

type aosProvider struct {
	version string
}

type providerModel struct {
	Endpoint       types.String `tfsdk:"endpoint"`
	ClientID       types.String `tfsdk:"client_id"`
	ClientSecret   types.String `tfsdk:"client_secret"`
	RetryTimeout   types.String `tfsdk:"retry_timeout"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	RequestTimeout types.String `tfsdk:"request_timeout"`
}

// providerData is what resources and data sources get from Configure.
type providerData struct {
	client *client.Client
}

func (p *aosProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "aos"
	resp.Version = p.version
}

func (p *aosProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages tenant registrations, app profiles, partner app profiles, service account profiles and migration connections through the registration API (served by `aosd`). Authentication is OAuth2 client credentials. " +
			"Requests that fail with a connection error, `408`, `429` or `5xx` are retried for up to `retry_timeout` (default `2m`), within the operation's own timeout.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Base URL of the registration API, for example `https://aos.example.com` or the URL `aosd dev` prints. Falls back to `AOS_ENDPOINT`.",
			},
			"client_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "OAuth2 client id. Falls back to `AOS_CLIENT_ID`.",
			},
			"client_secret": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "OAuth2 client secret. Falls back to `AOS_CLIENT_SECRET`. Prefer the environment variable so the secret stays out of configuration.",
			},
			"retry_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How long one request keeps being retried after a connection error, `408`, `429` or `5xx`, as a Go duration such as `2m` or `30s` (default `2m`; `0s` disables retries). " +
					"Waits grow exponentially with jitter up to 10 seconds and follow the service's `Retry-After`. The operation's own timeout and Ctrl-C end the retries earlier. " +
					"TLS and certificate errors, an unknown host name, refused credentials and other `4xx` answers are not retried. Falls back to `AOS_RETRY_TIMEOUT`.",
			},
			"max_retries": schema.Int64Attribute{
				Optional:            true,
				DeprecationMessage:  "Use retry_timeout, which bounds retries by time (retry_timeout = \"0s\" disables them). max_retries still caps the number of retries when set, and will be removed in a future major version.",
				MarkdownDescription: "Deprecated: use `retry_timeout`. When set, also caps the number of retries of one request (`0`: no retries). Falls back to `AOS_MAX_RETRIES`.",
			},
			"request_timeout": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Time limit of one HTTP attempt as a Go duration such as `30s` (default `30s`). Falls back to `AOS_REQUEST_TIMEOUT`.",
			},
		},
	}
}

// setting resolves an argument from configuration, then its environment
// variable.
func setting(v types.String, env string) string {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

func (p *aosProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, a := range []struct {
		v    types.String
		name string
	}{{m.Endpoint, "endpoint"}, {m.ClientID, "client_id"}, {m.ClientSecret, "client_secret"}, {m.RetryTimeout, "retry_timeout"}, {m.RequestTimeout, "request_timeout"}} {
		if a.v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(a.name), "Unknown provider argument",
				fmt.Sprintf("%s depends on a value known only after apply; the provider must be configured with known values. Set it directly or through the environment.", a.name))
		}
	}
	if m.MaxRetries.IsUnknown() {
		resp.Diagnostics.AddAttributeError(path.Root("max_retries"), "Unknown provider argument",
			"max_retries depends on a value known only after apply; the provider must be configured with known values. Set it directly or through the environment.")
	}
	if resp.Diagnostics.HasError() {
		return
	}
	cfg := client.Config{
		Endpoint:     setting(m.Endpoint, "AOS_ENDPOINT"),
		ClientID:     setting(m.ClientID, "AOS_CLIENT_ID"),
		ClientSecret: setting(m.ClientSecret, "AOS_CLIENT_SECRET"),
		UserAgent:    fmt.Sprintf("terraform-provider-aos/%s Terraform/%s", p.version, req.TerraformVersion),
	}
	cfg.Logger = clientLogger(cfg.ClientSecret)
	missing := func(arg, env, what string) {
		resp.Diagnostics.AddAttributeError(path.Root(arg), "Missing "+what,
			fmt.Sprintf("Set %s in the provider block or the %s environment variable. `aosd dev` prints the values to use.", arg, env))
	}
	if cfg.Endpoint == "" {
		missing("endpoint", "AOS_ENDPOINT", "API endpoint")
	}
	if cfg.ClientID == "" {
		missing("client_id", "AOS_CLIENT_ID", "client id")
	}
	if cfg.ClientSecret == "" {
		missing("client_secret", "AOS_CLIENT_SECRET", "client secret")
	}
	// Only a value the user gave is passed on: 0 means no retries, and
	// nothing set means the client's default.
	if !m.MaxRetries.IsNull() {
		n := int(m.MaxRetries.ValueInt64())
		cfg.MaxRetries = &n
	} else if s := os.Getenv("AOS_MAX_RETRIES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("max_retries"), "Invalid AOS_MAX_RETRIES", "AOS_MAX_RETRIES must be a whole number, got "+strconv.Quote(s))
		}
		cfg.MaxRetries = &n
	}
	if cfg.MaxRetries != nil && (*cfg.MaxRetries < 0 || *cfg.MaxRetries > 20) {
		resp.Diagnostics.AddAttributeError(path.Root("max_retries"), "Invalid max_retries",
			fmt.Sprintf("max_retries (or AOS_MAX_RETRIES) must be between 0 and 20, got %d.", *cfg.MaxRetries))
	}
	if s := setting(m.RetryTimeout, "AOS_RETRY_TIMEOUT"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			resp.Diagnostics.AddAttributeError(path.Root("retry_timeout"), "Invalid retry_timeout",
				fmt.Sprintf("retry_timeout (or AOS_RETRY_TIMEOUT) must be a Go duration such as 2m or 30s (0s disables retries), got %q.", s))
		}
		cfg.RetryTimeout = &d
	}
	if s := setting(m.RequestTimeout, "AOS_REQUEST_TIMEOUT"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			resp.Diagnostics.AddAttributeError(path.Root("request_timeout"), "Invalid request_timeout",
				fmt.Sprintf("request_timeout (or AOS_REQUEST_TIMEOUT) must be a positive Go duration such as 30s, got %q.", s))
		}
		cfg.RequestTimeout = d
	}
	if resp.Diagnostics.HasError() {
		return
	}
	c, err := client.New(cfg)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid provider configuration",
			"Check endpoint (AOS_ENDPOINT), client_id (AOS_CLIENT_ID) and client_secret (AOS_CLIENT_SECRET): "+err.Error())
		return
	}
	data := &providerData{client: c}
	resp.ResourceData = data
	resp.DataSourceData = data
}

func (p *aosProvider) Resources(_ context.Context) []func() resource.Resource {
	return resources
}

func (p *aosProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return dataSources
}

// resources and dataSources are filled by each resource file's init, so
// adding one is a new file and nothing else.
var (
	resources   []func() resource.Resource
	dataSources []func() datasource.DataSource
)
