// Command terraform-provider-aos is the Terraform provider for the
// registration API served by aosd.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/aos-dev/terraform-provider-aos/internal/provider"
)

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/aos-dev/aos",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
