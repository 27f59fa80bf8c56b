package consent

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// AppCertificate is the credential of a customer's own Azure app (custom app
// profiles): its certificate and the private key that belongs to it.
type AppCertificate struct {
	Leaf *x509.Certificate
	Key  crypto.Signer
}

// clientAssertionType is the client_assertion_type of a JWT client
// assertion (RFC 7523).
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionLifetime is short because the assertion is sent at once; a
// leaked one is useless soon after.
const assertionLifetime = 5 * time.Minute

// errNotRSA: Entra checks certificate credentials with RSA signatures only, so
// an ECDSA key (which the upload accepts) could never sign in as the app.
var errNotRSA = errors.New("the certificate's key is not RSA; Microsoft Entra accepts only RSA certificate credentials")

// clientAssertion signs the JWT with which the service authenticates as
// the customer's app at tokenURL instead of a client secret (Microsoft
// "certificate credentials"). It follows Microsoft's current format:
// PS256, with x5t#S256 (the SHA-256 thumbprint) telling Entra which of the
// app's certificates to check the signature with.
func clientAssertion(cert *AppCertificate, clientID, tokenURL string, now time.Time) (string, error) {
	if cert == nil || cert.Leaf == nil || cert.Key == nil {
		return "", errors.New("no certificate")
	}
	if _, ok := cert.Key.Public().(*rsa.PublicKey); !ok {
		return "", errNotRSA
	}
	if now.After(cert.Leaf.NotAfter) {
		return "", fmt.Errorf("the certificate %q expired on %s; upload a renewed certificate",
			cert.Leaf.Subject.String(), cert.Leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	thumb := sha256.Sum256(cert.Leaf.Raw)
	header, err := json.Marshal(map[string]string{"alg": "PS256", "typ": "JWT",
		"x5t#S256": base64.RawURLEncoding.EncodeToString(thumb[:])})
	if err != nil {
		return "", err
	}
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", err
	}
	claims, err := json.Marshal(map[string]any{
		"aud": tokenURL,
		"iss": clientID,
		"sub": clientID,
		"jti": hex.EncodeToString(jti[:]),
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(assertionLifetime).Unix(),
	})
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(claims)
	digest := sha256.Sum256([]byte(input))
	// PSS options select RSASSA-PSS, which is PS256; the salt is as long
	// as the hash, as RFC 7518 requires.
	sig, err := cert.Key.Sign(rand.Reader, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256})
	if err != nil {
		return "", fmt.Errorf("signing with the certificate's key: %w", err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// idTokenClaims reads the payload of an ID token without checking its
// signature. Callers may do so only for a token they received directly
// from the issuer's token endpoint over TLS, in exchange for a code and
// their own client credentials: the channel already authenticates the
// issuer, which is why OpenID Connect (and Google's documentation) allow
// skipping the signature check in that case.
func idTokenClaims(idToken string, into any) error {
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 {
		return errors.New("the ID token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return fmt.Errorf("the ID token payload is not base64url: %w", err)
	}
	if err := json.Unmarshal(payload, into); err != nil {
		return fmt.Errorf("the ID token payload is not JSON: %w", err)
	}
	return nil
}
