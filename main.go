// Command terraform-provider-aos is the Terraform provider for the
// registration API served by aosd.
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/aos-dev/terraform-provider-aos/internal/provider"
)

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	quietUnlessAsked()
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/aos-dev/aos",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// quietUnlessAsked lowers the plugin SDK's log levels when nobody asked for
// logs. The SDK defaults every subsystem to TRACE and writes each line as
// JSON to Terraform, which discards it unless TF_LOG is set; at thousands
// of resources that formatting was most of the provider's CPU time during
// plan (see BENCHMARKS.md). With TF_LOG or TF_LOG_PROVIDER set nothing
// changes, and any level the user set explicitly is kept.
func quietUnlessAsked() {
	if os.Getenv("TF_LOG") != "" || os.Getenv("TF_LOG_PROVIDER") != "" {
		return
	}
	for _, env := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_AOS"} {
		if os.Getenv(env) == "" {
			_ = os.Setenv(env, "WARN")
		}
	}
}
