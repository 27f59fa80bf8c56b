// Package entratest checks what Microsoft Entra checks of a JWT client
// assertion (certificate credentials), for tests whose fake token endpoint
// must refuse what Entra refuses: an assertion that verifies against no
// certificate registered on the app, names another endpoint, or has
// expired. It is imported by tests only.
package entratest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// AssertionType is the client_assertion_type of a JWT client assertion.
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// CheckClientAssertion authenticates the token request form as Entra does:
// the certificate registered for client_id in apps, named by x5t#S256, must
// verify the PS256 signature, and the claims must name the client and
// tokenURL and be valid at now (an expiry no more than ten minutes ahead).
// Its errors carry the AADSTS codes Entra answers with.
func CheckClientAssertion(form url.Values, tokenURL string, apps map[string]*x509.Certificate, now time.Time) error {
	if got := form.Get("client_assertion_type"); got != AssertionType {
		return fmt.Errorf("client_assertion_type %q", got)
	}
	if form.Has("client_secret") {
		return errors.New("both a client secret and an assertion")
	}
	clientID := form.Get("client_id")
	cert := apps[clientID]
	if cert == nil {
		return fmt.Errorf("AADSTS700016: application %s not found", clientID)
	}
	parts := strings.Split(form.Get("client_assertion"), ".")
	if len(parts) != 3 {
		return errors.New("the assertion is not a JWS")
	}
	var header struct {
		Alg, Typ string
		X5tS256  string `json:"x5t#S256"`
	}
	if err := decodePart(parts[0], &header); err != nil {
		return err
	}
	thumb := sha256.Sum256(cert.Raw)
	if header.Alg != "PS256" || header.X5tS256 != base64.RawURLEncoding.EncodeToString(thumb[:]) {
		return fmt.Errorf("AADSTS700027: header %+v names no certificate of the app", header)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return err
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("the registered certificate is not RSA")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, nil); err != nil {
		return fmt.Errorf("AADSTS700027: signature verification failed: %w", err)
	}
	var claims struct {
		Aud, Iss, Sub, Jti string
		Exp, Nbf, Iat      int64
	}
	if err := decodePart(parts[1], &claims); err != nil {
		return err
	}
	switch {
	case claims.Aud != tokenURL:
		return fmt.Errorf("AADSTS700024: aud %q, want %q", claims.Aud, tokenURL)
	case claims.Iss != clientID || claims.Sub != clientID:
		return fmt.Errorf("iss %q sub %q, want the client id %s", claims.Iss, claims.Sub, clientID)
	case claims.Jti == "":
		return errors.New("no jti")
	case claims.Exp <= now.Unix() || claims.Exp > now.Add(10*time.Minute).Unix():
		return fmt.Errorf("AADSTS700024: exp %d is not in the next 10 minutes", claims.Exp)
	case claims.Nbf > now.Unix()+60 || claims.Iat > now.Unix()+60:
		return fmt.Errorf("nbf %d / iat %d in the future", claims.Nbf, claims.Iat)
	}
	return nil
}

// UnsignedIDToken is shaped like an ID token with claims. The service reads
// ID tokens it redeemed itself without checking their signature, so none
// is needed.
func UnsignedIDToken(claims map[string]any) string {
	b, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc(b) + ".c2ln"
}

func decodePart(part string, into any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}
