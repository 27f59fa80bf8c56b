package consent

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aos-dev/terraform-provider-aos/internal/consent/entratest"
)

// rsaKeys are generated once: RSA key generation is slow, and the tests need
// only a few distinct keys.
var rsaKeys = sync.OnceValues(func() ([2]*rsa.PrivateKey, error) {
	var keys [2]*rsa.PrivateKey
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return keys, err
		}
		keys[i] = k
	}
	return keys, nil
})

func rsaKey(t *testing.T, i int) *rsa.PrivateKey {
	t.Helper()
	keys, err := rsaKeys()
	if err != nil {
		t.Fatal(err)
	}
	return keys[i]
}

// appCert makes a self-signed certificate for key, valid until notAfter, as
// a customer would register on their Azure app. (The server tests' helper
// makes ECDSA certificates, which Entra does not accept for apps.)
func appCert(t *testing.T, key crypto.Signer, cn string, notAfter time.Time) *AppCertificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &AppCertificate{Leaf: leaf, Key: key}
}

func validAppCert(t *testing.T, key crypto.Signer, cn string) *AppCertificate {
	return appCert(t, key, cn, time.Now().Add(365*24*time.Hour))
}

// TestClientAssertion: the assertion passes the checks Entra makes, and
// each one is fresh.
func TestClientAssertion(t *testing.T) {
	cert := validAppCert(t, rsaKey(t, 0), "custom app")
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
	expired := appCert(t, rsaKey(t, 0), "expired", now.Add(-time.Hour))
	if _, err := clientAssertion(expired, clientID, tokenURL, now); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired certificate: %v", err)
	}
}
