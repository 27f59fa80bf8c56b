package microsoft

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// IDClaims are the claims of a verified ID token the product uses
// ("ID token claims reference",
// learn.microsoft.com/entra/identity-platform/id-token-claims-reference).
type IDClaims struct {
	TenantID          string `json:"tid"`
	ObjectID          string `json:"oid"`
	PreferredUsername string `json:"preferred_username"`
	Name              string `json:"name"`
	Nonce             string `json:"nonce"`
}

type oidcVerifier struct{ v *oidc.IDTokenVerifier }

// VerifyIDToken verifies an ID token with go-oidc: signed with a key of the
// tenant named by its tid claim (from the tenant's own discovery document),
// issued by that tenant ({login}/{tid}/v2.0), for this app, not expired,
// and carrying nonce when one was sent. A token that fails any of these
// is refused with ConsentNotVerified: the callback may be forged.
func (c *Connector) VerifyIDToken(ctx context.Context, raw, nonce string) (*IDClaims, error) {
	tid, err := unverifiedTenant(raw)
	if err != nil {
		return nil, refused(err)
	}
	v, err := c.verifier(ctx, tid)
	if err != nil {
		return nil, err
	}
	tok, err := v.Verify(oidc.ClientContext(ctx, c.http), raw)
	if err != nil {
		return nil, refused(err)
	}
	var claims IDClaims
	if err := tok.Claims(&claims); err != nil {
		return nil, refused(err)
	}
	if nonce != "" && claims.Nonce != nonce {
		return nil, refused(errors.New("the nonce does not match the sign-in request"))
	}
	if claims.TenantID != tid || claims.ObjectID == "" {
		return nil, refused(errors.New("the token names no tenant or user"))
	}
	return &claims, nil
}

func refused(err error) error {
	return domain.Invalid(domain.CodeConsentNotVerified, "code",
		"the ID token of the consent callback does not verify (%v); sign in and consent again", err)
}

// verifier returns the cached verifier of a tenant, fetching the tenant's
// discovery document the first time. go-oidc checks that the document's
// issuer is the URL it was fetched under, and fetches the signing keys from
// its jwks_uri, refreshing them when a token names an unknown kid.
func (c *Connector) verifier(ctx context.Context, tid string) (*oidc.IDTokenVerifier, error) {
	if v, ok := c.verifiers.Load(tid); ok {
		return v.(*oidcVerifier).v, nil //nolint:forcetypeassert // only *oidcVerifier is stored.
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, c.http), c.login+"/"+tid+"/v2.0")
	if err != nil {
		return nil, refused(fmt.Errorf("tenant %s: %w", tid, err))
	}
	v := p.Verifier(&oidc.Config{ClientID: c.cfg.ClientID})
	c.verifiers.Store(tid, &oidcVerifier{v})
	return v, nil
}

// unverifiedTenant reads the tid claim before verification, only to know
// whose keys and issuer to verify against. A tenant id is a GUID; anything
// else is refused so it cannot steer the discovery URL.
func unverifiedTenant(raw string) (string, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", errors.New("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", errors.New("malformed payload")
	}
	var c struct {
		TID string `json:"tid"`
	}
	if err := json.Unmarshal(b, &c); err != nil || !isGUID(c.TID) {
		return "", errors.New("no tenant id (tid) in the token")
	}
	return c.TID, nil
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}
