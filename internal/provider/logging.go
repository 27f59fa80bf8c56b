package provider

import (
	"context"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// tflogAdapter routes go-retryablehttp's logs to tflog, so TF_LOG shows
// every request and retry with the provider's other logs.
type tflogAdapter struct {
	ctx context.Context
}

var _ retryablehttp.LeveledLogger = tflogAdapter{}

func fields(kv []any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			m[k] = kv[i+1]
		}
	}
	return m
}

func (a tflogAdapter) Error(msg string, kv ...any) { tflog.Error(a.ctx, msg, fields(kv)) }
func (a tflogAdapter) Info(msg string, kv ...any)  { tflog.Info(a.ctx, msg, fields(kv)) }
func (a tflogAdapter) Debug(msg string, kv ...any) { tflog.Debug(a.ctx, msg, fields(kv)) }
func (a tflogAdapter) Warn(msg string, kv ...any)  { tflog.Warn(a.ctx, msg, fields(kv)) }
