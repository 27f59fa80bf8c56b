package consent

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/consent/entratest"
	"github.com/aos-dev/terraform-provider-aos/internal/testcert"
)

// appCert makes a self-signed certificate for key, valid until notAfter, as
// a customer would register on their Azure app.
func appCert(t *testing.T, key crypto.Signer, cn string, notAfter time.Time) *AppCertificate {
	t.Helper()
	return &AppCertificate{Leaf: testcert.New(t, key, cn, time.Now().Add(-48*time.Hour), notAfter), Key: key}
}

func validAppCert(t *testing.T, key crypto.Signer, cn string) *AppCertificate {
	return appCert(t, key, cn, time.Now().Add(365*24*time.Hour))
}

// TestClientAssertion: the assertion passes the checks Entra makes, and
// each one is fresh.
func TestClientAssertion(t *testing.T) {
	cert := validAppCert(t, testcert.RSAKey(0), "custom app")
	const clientID, tokenURL = "0b7e9c1d-2a3f-4b5c-9d6e-7f8091a2b3c4", "https://login.example/contoso/oauth2/v2.0/token"
	apps := map[string]*x509.Certificate{clientID: cert.Leaf}
	now := time.Now()
	a1, err := clientAssertion(cert, clientID, tokenURL, now)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"client_id": {clientID}, "client_assertion": {a1},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}}
	if err := entratest.CheckClientAssertion(form, tokenURL, apps, now); err != nil {
		t.Fatalf("assertion refused: %v", err)
	}
	if err := entratest.CheckClientAssertion(form, "https://login.example/fabrikam/oauth2/v2.0/token", apps, now); err == nil {
		t.Error("an assertion for another token endpoint was accepted")
	}
	if err := entratest.CheckClientAssertion(form, tokenURL, apps, now.Add(time.Hour)); err == nil {
		t.Error("an expired assertion was accepted")
	}
	a2, err := clientAssertion(cert, clientID, tokenURL, now)
	if err != nil {
		t.Fatal(err)
	}
	if a1 == a2 {
		t.Error("two assertions are identical (no fresh jti)")
	}

	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := clientAssertion(validAppCert(t, ec, "ec app"), clientID, tokenURL, now); !errors.Is(err, errNotRSA) {
		t.Errorf("ECDSA certificate: %v", err)
	}
	expired := appCert(t, testcert.RSAKey(0), "expired", now.Add(-time.Hour))
	if _, err := clientAssertion(expired, clientID, tokenURL, now); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired certificate: %v", err)
	}
}
