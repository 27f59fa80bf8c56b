package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aos-dev/terraform-provider-aos/internal/client"
)

// clientLogger routes the client's request and retry lines to tflog. The
// client calls it with each request's own context, which is what tflog reads
// its logger from, so TF_LOG tags each line with the Terraform operation
// (and resource) that made the request instead of ConfigureProvider's.
//
// The client logs no bodies and no Authorization header; masking the client
// secret here as well keeps it out of the log should it ever reach an error
// message.
func clientLogger(secret string) client.Logger {
	return func(ctx context.Context, level client.LogLevel, msg string, fields map[string]any) {
		if secret != "" {
			ctx = tflog.MaskAllFieldValuesStrings(ctx, secret)
			ctx = tflog.MaskMessageStrings(ctx, secret)
		}
		switch level {
		case client.LevelWarn:
			tflog.Warn(ctx, msg, fields)
		case client.LevelInfo:
			tflog.Info(ctx, msg, fields)
		default:
			tflog.Debug(ctx, msg, fields)
		}
	}
}
