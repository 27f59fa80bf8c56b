package server_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/aosdtest"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
	"github.com/aos-dev/terraform-provider-aos/internal/testcert"
)

// keyCert makes a self-signed certificate valid now for key, as PEM
// (certificate and PKCS#8 key) and as a base64 PFX protected by password.
func keyCert(t *testing.T, key crypto.Signer, cn, password string) (bundle, pfxB64 string) {
	t.Helper()
	cert := testcert.New(t, key, cn, time.Now().Add(-time.Hour), time.Now().Add(365*24*time.Hour))
	return testcert.CertPEM(cert) + testcert.KeyPEM(t, key), testcert.PFX(t, cert, key, password)
}

// TestCustomAzureAppCertificateKeyType: Microsoft Entra accepts only RSA
// keys of 2048 bits or more as an app's certificate credentials, so any
// other certificate is refused when it is uploaded (on create and on
// update), with a 422 on the certificate that says what to do, instead of
// failing only when the consent is confirmed.
func TestCustomAzureAppCertificateKeyType(t *testing.T) {
	e := startEnv(t, aosdtest.Options{})
	c := e.c
	tn := connectTenant(t, c, domain.PlatformMicrosoft, contoso, contosoAdmin)
	const clientID = "0b7e9c1d-2a3f-4b5c-9d6e-7f8091a2b3c4"
	const password = "Pfx#Secret1"

	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecPEM, ecPFX := keyCert(t, ecKey, "ecdsa app", password)
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPEM, _ := keyCert(t, edKey, "ed25519 app", password)
	//nolint:gosec // A deliberately short key: the point is that it is refused.
	shortKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	shortPEM, shortPFX := keyCert(t, shortKey, "short rsa app", password)

	cases := []struct {
		name, typ, cert, password string
		want                      []string
	}{
		{"ECDSA PEM", domain.AppTypeCustomAzureApp, ecPEM, "", []string{"ECDSA", "only RSA", "2048 bits or more", "Azure app's credentials"}},
		{"ECDSA PEM, delegated type", domain.AppTypeCustomAzureAppDelegated, ecPEM, "", []string{"ECDSA", "only RSA"}},
		{"ECDSA PFX", domain.AppTypeCustomAzureApp, ecPFX, password, []string{"ECDSA", "only RSA"}},
		{"Ed25519 PEM", domain.AppTypeCustomAzureApp, edPEM, "", []string{"Ed25519", "only RSA"}},
		{"1024-bit RSA PEM", domain.AppTypeCustomAzureApp, shortPEM, "", []string{"1024-bit RSA", "2048 bits or more"}},
		{"1024-bit RSA PFX", domain.AppTypeCustomAzureAppDelegated, shortPFX, password, []string{"1024-bit RSA"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := domain.AppProfileWrite{Name: ptr("key type " + string(rune('a'+i))), TenantID: &tn.ID, Type: &tc.typ,
				ClientID: ptr(clientID), Certificate: &tc.cert}
			if tc.password != "" {
				w.CertificatePassword = &tc.password
			}
			a, _, err := c.CreateAppProfile(ctxb, w)
			if err == nil {
				t.Fatalf("accepted: %+v", a)
			}
			ae := wantAPIError(t, err, http.StatusUnprocessableEntity, domain.CodeCertificateInvalid, "certificate")
			for _, s := range tc.want {
				if !strings.Contains(ae.Message, s) {
					t.Errorf("message %q lacks %q", ae.Message, s)
				}
			}
		})
	}

	t.Run("refused on update, the profile keeps its certificate", func(t *testing.T) {
		good := validCert(t, "rsa app")
		a := appProfile(t, c, domain.AppProfileWrite{Name: ptr("key type update"), TenantID: &tn.ID, Type: ptr(domain.AppTypeCustomAzureApp),
			ClientID: ptr(clientID), Certificate: ptr(good.bundle())}, contosoAdmin)
		if a.Status != domain.StatusActive || a.CertificateThumbprint != good.thumbprint() {
			t.Fatalf("status %q thumbprint %q", a.Status, a.CertificateThumbprint)
		}
		_, _, err := c.UpdateAppProfile(ctxb, a.ID, domain.AppProfileWrite{Certificate: &ecPEM})
		wantErr(t, err, http.StatusUnprocessableEntity, domain.CodeCertificateInvalid, "certificate")
		got := must[domain.AppProfile](t)(c.GetAppProfile(ctxb, a.ID))
		if got.CertificateThumbprint != good.thumbprint() || got.CertificateVersion != 1 || got.Status != domain.StatusActive {
			t.Errorf("a refused certificate changed the profile: status %q version %d thumbprint %q",
				got.Status, got.CertificateVersion, got.CertificateThumbprint)
		}
	})
}
