package domain

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/aos-dev/terraform-provider-aos/internal/testcert"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type testCert struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func newTestCert(t *testing.T, key crypto.Signer, cn string, notBefore, notAfter time.Time) testCert {
	t.Helper()
	return testCert{cert: testcert.New(t, key, cn, notBefore, notAfter), key: key}
}

func validRSACert(t *testing.T) testCert {
	return newTestCert(t, testcert.RSAKey(0), "aos-custom-app", testNow.Add(-24*time.Hour), testNow.Add(365*24*time.Hour))
}

func TestParseCertificateAccepts(t *testing.T) {
	rsaCert := validRSACert(t)
	ca := newTestCert(t, testcert.RSAKey(1), "aos test ca", testNow.Add(-time.Hour), testNow.Add(time.Hour))

	pfx := func(enc *pkcs12.Encoder, password string, chain ...*x509.Certificate) string {
		der, err := enc.Encode(rsaCert.key, rsaCert.cert, chain, password)
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(der)
	}
	wrapped := pfx(pkcs12.Modern, "s3cret")
	var lines []string
	for i := 0; i < len(wrapped); i += 64 {
		lines = append(lines, wrapped[i:min(i+64, len(wrapped))])
	}

	tests := []struct {
		name     string
		data     string
		password string
		want     *x509.Certificate
	}{
		{name: "pem pkcs8 rsa", data: testcert.CertPEM(rsaCert.cert) + testcert.KeyPEM(t, rsaCert.key), want: rsaCert.cert},
		{name: "pem key first", data: testcert.KeyPEM(t, rsaCert.key) + testcert.CertPEM(rsaCert.cert), want: rsaCert.cert},
		{name: "pem pkcs1 rsa", data: testcert.CertPEM(rsaCert.cert) + string(pem.EncodeToMemory(&pem.Block{
			Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(testcert.RSAKey(0))})), want: rsaCert.cert},
		{name: "pem other blocks skipped", data: "text before the blocks is skipped\n" + string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{0x30, 0}})) +
			testcert.CertPEM(rsaCert.cert) + testcert.KeyPEM(t, rsaCert.key), want: rsaCert.cert},
		{name: "pem chain before leaf", data: testcert.CertPEM(ca.cert) + testcert.CertPEM(rsaCert.cert) + testcert.KeyPEM(t, rsaCert.key), want: rsaCert.cert},
		{name: "pem with surrounding whitespace", data: "\n\n  " + testcert.CertPEM(rsaCert.cert) + testcert.KeyPEM(t, rsaCert.key) + "\n", want: rsaCert.cert},
		{name: "pfx modern with password", data: pfx(pkcs12.Modern, "s3cret"), password: "s3cret", want: rsaCert.cert},
		{name: "pfx legacy with password", data: pfx(pkcs12.Legacy, "s3cret"), password: "s3cret", want: rsaCert.cert},
		{name: "pfx modern without password", data: pfx(pkcs12.Modern, ""), want: rsaCert.cert},
		{name: "pfx passwordless", data: pfx(pkcs12.Passwordless, ""), want: rsaCert.cert},
		{name: "pfx with chain", data: pfx(pkcs12.Modern, "x", ca.cert), password: "x", want: rsaCert.cert},
		{name: "pfx base64 wrapped", data: strings.Join(lines, "\n"), password: "s3cret", want: rsaCert.cert},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := ParseCertificate("certificate", tt.data, tt.password, testNow)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if info.Thumbprint != testcert.Thumbprint(tt.want) {
				t.Errorf("thumbprint %s, want %s", info.Thumbprint, testcert.Thumbprint(tt.want))
			}
			if len(info.Thumbprint) != 40 || strings.ToUpper(info.Thumbprint) != info.Thumbprint {
				t.Errorf("thumbprint %q is not 40 uppercase hex digits", info.Thumbprint)
			}
			if !info.NotAfter.Equal(tt.want.NotAfter) || info.Subject != tt.want.Subject.String() {
				t.Errorf("info %+v does not describe %s", info, tt.want.Subject)
			}
		})
	}
}

func TestParseCertificateRefuses(t *testing.T) {
	good := validRSACert(t)
	other := newTestCert(t, testcert.RSAKey(1), "someone-else", testNow.Add(-time.Hour), testNow.Add(time.Hour))
	expired := newTestCert(t, testcert.RSAKey(0), "old-app", testNow.Add(-48*time.Hour), testNow.Add(-24*time.Hour))
	future := newTestCert(t, testcert.RSAKey(0), "future-app", testNow.Add(time.Hour), testNow.Add(48*time.Hour))

	pfxNoKey, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{good.cert}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	pfxGood, err := pkcs12.Modern.Encode(good.key, good.cert, nil, "right")
	if err != nil {
		t.Fatal(err)
	}
	pfxMismatch, err := pkcs12.Modern.Encode(good.key, other.cert, nil, "pw")
	if err != nil {
		t.Fatal(err)
	}
	//nolint:staticcheck // Legacy encrypted PEM is what some tools still write; it must be refused clearly.
	encBlock, err := x509.EncryptPEMBlock(rand.Reader, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(testcert.RSAKey(0)), []byte("pw"), x509.PEMCipherAES256)
	if err != nil {
		t.Fatal(err)
	}
	// A PFX asking for more key-derivation work than allowed: encode with
	// 65536 iterations (a three-byte INTEGER) and raise the count in place.
	pfxSlow, err := pkcs12.Modern.WithIterations(65536).Encode(good.key, good.cert, nil, "pw")
	if err != nil {
		t.Fatal(err)
	}
	pfxSlow = bytes.ReplaceAll(pfxSlow, []byte{2, 3, 1, 0, 0}, []byte{2, 3, 0x7f, 0xff, 0xff})

	// Keys Microsoft Entra does not accept for an app's certificate
	// credentials: they parse and match their certificate, but the service
	// could never sign in with them.
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecCert := newTestCert(t, ecKey, "aos-ec-app", testNow.Add(-time.Hour), testNow.Add(time.Hour))
	ecDER, err := x509.MarshalECPrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	ecExpired := newTestCert(t, ecKey, "aos-old-ec-app", testNow.Add(-48*time.Hour), testNow.Add(-24*time.Hour))
	pfxEC, err := pkcs12.Modern.Encode(ecKey, ecCert.cert, nil, "pw")
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edCert := newTestCert(t, edKey, "aos-ed-app", testNow.Add(-time.Hour), testNow.Add(time.Hour))
	//nolint:gosec // A deliberately short key: the point is that it is refused.
	shortKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	short := newTestCert(t, shortKey, "aos-short-app", testNow.Add(-time.Hour), testNow.Add(time.Hour))
	pfxShort, err := pkcs12.Modern.Encode(shortKey, short.cert, nil, "pw")
	if err != nil {
		t.Fatal(err)
	}
	notRSA := []string{"ECDSA (P-256)", "aos-ec-app", "only RSA", "2048 bits or more", "Azure app's credentials"}

	b64 := base64.StdEncoding.EncodeToString
	tests := []struct {
		name, data, password string
		code, field          string
		want                 []string
	}{
		{name: "empty", data: "  ", code: CodeRequired, want: []string{"PEM", "PKCS#12"}},
		{name: "plain text", data: "hello, this is not a certificate", code: CodeCertificateInvalid, want: []string{"neither PEM nor", "base64"}},
		{name: "base64 of text", data: b64([]byte("just text")), code: CodeCertificateInvalid, want: []string{"neither PEM nor"}},
		{name: "pem cert only", data: testcert.CertPEM(good.cert), code: CodeCertificateInvalid, want: []string{"no private key"}},
		{name: "pem key only", data: testcert.KeyPEM(t, good.key), code: CodeCertificateInvalid, want: []string{"no CERTIFICATE"}},
		{name: "pem unknown blocks only", data: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1}})), code: CodeCertificateInvalid, want: []string{"no PEM block"}},
		{name: "pem broken cert", data: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 1, 2}})) + testcert.KeyPEM(t, good.key), code: CodeCertificateInvalid, want: []string{"CERTIFICATE block could not be read"}},
		{name: "pem broken key", data: testcert.CertPEM(good.cert) + string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 0}})), code: CodeCertificateInvalid, want: []string{"PRIVATE KEY block could not be read"}},
		{name: "pem two keys", data: testcert.CertPEM(good.cert) + testcert.KeyPEM(t, good.key) + testcert.KeyPEM(t, other.key), code: CodeCertificateInvalid, want: []string{"more than one private key"}},
		{name: "pem key mismatch", data: testcert.CertPEM(good.cert) + testcert.KeyPEM(t, other.key), code: CodeCertificateInvalid, want: []string{"does not belong to the certificate", "aos-custom-app"}},
		{name: "pem encrypted legacy key", data: testcert.CertPEM(good.cert) + string(pem.EncodeToMemory(encBlock)), code: CodeCertificateInvalid, want: []string{"encrypted"}},
		{name: "pem encrypted pkcs8", data: testcert.CertPEM(good.cert) + string(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{0x30, 0}})), code: CodeCertificateInvalid, want: []string{"encrypted"}},
		{name: "pem expired", data: testcert.CertPEM(expired.cert) + testcert.KeyPEM(t, expired.key), code: CodeCertificateExpired, want: []string{"expired on " + expired.cert.NotAfter.UTC().Format(time.RFC3339), "renewed"}},
		{name: "pem not yet valid", data: testcert.CertPEM(future.cert) + testcert.KeyPEM(t, future.key), code: CodeCertificateNotYetValid, want: []string{"valid only from"}},
		{name: "pfx wrong password", data: b64(pfxGood), password: "wrong", code: CodeCertificateInvalid, field: "certificatePassword", want: []string{"password is wrong"}},
		{name: "pfx password missing", data: b64(pfxGood), code: CodeCertificateInvalid, field: "certificatePassword", want: []string{"protected by a password"}},
		{name: "pfx without key", data: b64(pfxNoKey), password: "pw", code: CodeCertificateInvalid, want: []string{"no private key"}},
		{name: "pfx key mismatch", data: b64(pfxMismatch), password: "pw", code: CodeCertificateInvalid, want: []string{"does not belong"}},
		{name: "pfx truncated", data: b64(pfxGood[:len(pfxGood)/2]), password: "right", code: CodeCertificateInvalid, want: []string{"could not be read"}},
		{name: "pfx too many iterations", data: b64(pfxSlow), password: "pw", code: CodeCertificateInvalid, want: []string{"iterations"}},
		{name: "pem ecdsa pkcs8", data: testcert.CertPEM(ecCert.cert) + testcert.KeyPEM(t, ecKey), code: CodeCertificateInvalid, want: notRSA},
		{name: "pem ecdsa sec1 with parameters", data: string(pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{6, 8, 42, 134, 72, 206, 61, 3, 1, 7}})) +
			testcert.CertPEM(ecCert.cert) + string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER})), code: CodeCertificateInvalid, want: notRSA},
		{name: "pfx ecdsa", data: b64(pfxEC), password: "pw", code: CodeCertificateInvalid, want: notRSA},
		{name: "pem ecdsa expired names the key type first", data: testcert.CertPEM(ecExpired.cert) + testcert.KeyPEM(t, ecKey), code: CodeCertificateInvalid, want: []string{"ECDSA", "only RSA"}},
		{name: "pem ed25519", data: testcert.CertPEM(edCert.cert) + testcert.KeyPEM(t, edKey), code: CodeCertificateInvalid, want: []string{"Ed25519", "only RSA", "2048 bits or more"}},
		{name: "pem rsa 1024", data: testcert.CertPEM(short.cert) + testcert.KeyPEM(t, shortKey), code: CodeCertificateInvalid, want: []string{"1024-bit RSA key", "2048 bits or more", "Azure app's credentials"}},
		{name: "pfx rsa 1024", data: b64(pfxShort), password: "pw", code: CodeCertificateInvalid, want: []string{"1024-bit RSA key"}},
		{name: "too large", data: strings.Repeat("A", MaxCertificateSize+1), code: CodeCertificateInvalid, want: []string{"bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := ParseCertificate("certificate", tt.data, tt.password, testNow)
			if err == nil {
				t.Fatalf("accepted: %+v", info)
			}
			if err.Code != tt.code {
				t.Fatalf("code %s, want %s (%s)", err.Code, tt.code, err.Message)
			}
			field := tt.field
			if field == "" {
				field = "certificate"
			}
			if len(err.Details) != 1 || err.Details[0].Field != field {
				t.Errorf("details %+v, want field %s", err.Details, field)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Message, w) {
					t.Errorf("message %q lacks %q", err.Message, w)
				}
			}
		})
	}
}
