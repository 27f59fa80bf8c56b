package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aos-dev/terraform-provider-aos/internal/aosd"
	"github.com/aos-dev/terraform-provider-aos/internal/secrets"
)

// TestServeAmazonPrincipal: aosd serve refuses to offer Amazon tenants
// without the principal their roles trust (the old code started and had
// every role trust the example account 123456789012), says how to turn
// Amazon off, and checks the principal's form.
func TestServeAmazonPrincipal(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte(secrets.GenerateKey()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AOSD_AMAZON_PRINCIPAL", "")
	base := []string{"--database", "sqlite:" + filepath.Join(dir, "aosd.db"), "--encryption-key-file", keyFile,
		"--public-url", "https://aos.example.com", "--microsoft-client-id", "m", "--microsoft-client-secret-file", secretFile}
	with := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }

	for _, bad := range []struct {
		name  string
		flags []string
		want  []string
	}{
		{"no principal", with(), []string{"--amazon-principal is required", "--disable-amazon"}},
		{"not an ARN", with("--amazon-principal", "123456789012"), []string{`--amazon-principal "123456789012" is not an IAM principal ARN`}},
		{"a policy ARN", with("--amazon-principal", "arn:aws:iam::123456789012:policy/P"), []string{"is not an IAM principal ARN"}},
		{"disabled with a principal", with("--disable-amazon", "--amazon-principal", "arn:aws:iam::111122223333:root"), []string{"--disable-amazon turns Amazon tenants off"}},
		{"disabled with an endpoint", with("--disable-amazon", "--sts-endpoint", "http://127.0.0.1:1"), []string{"--disable-amazon turns Amazon tenants off"}},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, err := serveOptions(bad.flags, &bytes.Buffer{})
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range bad.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			// run refuses the same way, before opening anything.
			if err := run(context.Background(), append([]string{"serve"}, bad.flags...), &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
				t.Error("aosd serve started")
			}
		})
	}

	for _, p := range []string{"arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/aos-service",
		"arn:aws-us-gov:iam::111122223333:user/path/aos", "arn:aws-cn:iam::111122223333:role/aos"} {
		o, err := serveOptions(with("--amazon-principal", p), &bytes.Buffer{})
		if err != nil || o.AmazonPrincipal != p || o.STSEndpoint != "" {
			t.Errorf("%s: %v, principal %q, endpoint %q", p, err, o.AmazonPrincipal, o.STSEndpoint)
		}
	}
	t.Setenv("AOSD_AMAZON_PRINCIPAL", "arn:aws:iam::111122223333:root")
	if o, err := serveOptions(base, &bytes.Buffer{}); err != nil || o.AmazonPrincipal != "arn:aws:iam::111122223333:root" {
		t.Errorf("from AOSD_AMAZON_PRINCIPAL: %v, %q", err, o.AmazonPrincipal)
	}
	t.Setenv("AOSD_AMAZON_PRINCIPAL", "")
	if o, err := serveOptions(with("--disable-amazon"), &bytes.Buffer{}); err != nil || o.AmazonPrincipal != "" {
		t.Errorf("--disable-amazon: %v, principal %q", err, o.AmazonPrincipal)
	}

	// The help names the real defaults, not a promise the code does not keep.
	var help bytes.Buffer
	_, _ = serveOptions([]string{"-h"}, &help)
	for _, w := range []string{"sts.us-gov-west-1.amazonaws.com", "sts.cn-north-1.amazonaws.com.cn", "-disable-amazon", "required unless --disable-amazon"} {
		if !strings.Contains(help.String(), w) {
			t.Errorf("aosd serve -h lacks %q", w)
		}
	}
}

// TestDevAmazonPrincipal: aosd dev keeps working without set-up, with the
// example principal explicitly, and takes another one when given.
func TestDevAmazonPrincipal(t *testing.T) {
	if aosd.DevAmazonPrincipal != "arn:aws:iam::123456789012:root" {
		t.Fatalf("DevAmazonPrincipal = %s", aosd.DevAmazonPrincipal)
	}
	err := run(context.Background(), []string{"dev", "--data-dir", t.TempDir(), "--amazon-principal", "nope"}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "is not an IAM principal ARN") {
		t.Errorf("aosd dev with a bad principal: %v", err)
	}
}
