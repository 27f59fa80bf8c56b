// Package tools drives code generation: `go generate ./...` (or
// `make generate`) formats the examples and regenerates docs/.
package tools

// Format Terraform code for use in documentation.
//go:generate terraform fmt -recursive ../examples/

// Generate documentation. --provider-name is needed because the folder is not
// named after the provider; --tf-version is never passed (it downloads).
//go:generate go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate --provider-dir .. --provider-name aos
