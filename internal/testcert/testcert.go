// Package testcert makes self-signed certificates and keys for tests, such
// as the certificates of customers' own Azure apps (app profiles). Only
// tests import it.
//
// Microsoft Entra accepts only RSA keys of 2048 bits or more as an app's
// certificate credentials, so the keys here are such RSA keys. Generating
// them is slow, so a small pool is generated once per test binary and
// shared; certificates need only differ in which key they hold when a test
// compares two of them.
package testcert

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // The Azure thumbprint is SHA-1 by definition.
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// Keys is how many distinct keys RSAKey and NextRSAKey hand out.
const Keys = 4

var rsaKeys = sync.OnceValue(func() [Keys]*rsa.PrivateKey {
	var keys [Keys]*rsa.PrivateKey
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	return keys
})

// RSAKey returns key i (0 to Keys-1) of the pool of 2048-bit RSA keys.
func RSAKey(i int) *rsa.PrivateKey { return rsaKeys()[i] }

var next atomic.Uint32

// NextRSAKey hands out the keys of the pool in turn, so that up to Keys
// certificates made one after the other hold different keys.
func NextRSAKey() *rsa.PrivateKey { return RSAKey(int(next.Add(1)-1) % Keys) }

// New makes a self-signed certificate for key with the common name cn,
// valid from notBefore to notAfter, for digital signatures.
func New(t testing.TB, key crypto.Signer, cn string, notBefore, notAfter time.Time) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// CertPEM is cert as a PEM CERTIFICATE block.
func CertPEM(cert *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
}

// KeyPEM is key as a PEM PKCS#8 PRIVATE KEY block.
func KeyPEM(t testing.TB, key crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// PFX is cert and key as a PKCS#12 file protected by password, in base64,
// the way a PFX is uploaded.
func PFX(t testing.TB, cert *x509.Certificate, key crypto.Signer, password string) string {
	t.Helper()
	pfx, err := pkcs12.Modern.Encode(key, cert, nil, password)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(pfx)
}

// Thumbprint is the SHA-1 hash of cert in uppercase hex, as Azure shows it.
func Thumbprint(cert *x509.Certificate) string {
	sum := sha1.Sum(cert.Raw) //nolint:gosec // See the import.
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}
