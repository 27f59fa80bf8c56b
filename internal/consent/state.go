package consent

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kinds of object a consent is for.
const (
	KindTenant            = "tenant"
	KindAppProfile        = "app_profile"
	KindPartnerAppProfile = "partner_app_profile"
)

var kinds = map[string]bool{KindTenant: true, KindAppProfile: true, KindPartnerAppProfile: true}

// Errors of Verify. Both mean the consent link cannot be used; they are
// distinct so the result page can tell the user whether to ask for a fresh
// link or to suspect a broken one.
var (
	ErrStateInvalid = errors.New("consent: state is invalid or was tampered with")
	ErrStateExpired = errors.New("consent: state has expired")
)

// MinKeySize is the shortest signing key Sign and Verify accept.
const MinKeySize = 32

// maxStateLength bounds the input Verify looks at, so an attacker cannot make
// the server decode arbitrarily large values.
const maxStateLength = 2048

// stateVersion prefixes every token so the format can change later without
// old links being misread.
const stateVersion = "v1"

// State travels through the platform's consent redirect and tells the
// callback which object was consented. It is signed, not encrypted: it holds
// ids, not secrets.
type State struct {
	Kind     string
	ObjectID string
	Org      string
	// Nonce is random per consent request. The service stores it with the
	// pending object and accepts only the latest one, so an older consent
	// link stops working once a new one (reconnect, re-authorize) exists.
	Nonce   string
	Expires time.Time
}

// wireState is State's signed JSON form; short keys keep URLs short.
type wireState struct {
	Kind     string `json:"k"`
	ObjectID string `json:"o"`
	Org      string `json:"g"`
	Nonce    string `json:"n"`
	Expires  int64  `json:"e"`
}

// NewState returns a state for an object with a fresh random nonce, valid
// for ttl from now.
func NewState(kind, objectID, org string, ttl time.Duration, now time.Time) (State, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return State{}, fmt.Errorf("consent: nonce: %w", err)
	}
	return State{Kind: kind, ObjectID: objectID, Org: org,
		Nonce: base64.RawURLEncoding.EncodeToString(b[:]), Expires: now.Add(ttl)}, nil
}

// Sign encodes s and appends an HMAC-SHA256 over it made with key.
func Sign(key []byte, s State) (string, error) {
	if len(key) < MinKeySize {
		return "", fmt.Errorf("consent: signing key must have at least %d bytes", MinKeySize)
	}
	if !kinds[s.Kind] || s.ObjectID == "" || s.Nonce == "" || s.Expires.IsZero() {
		return "", fmt.Errorf("consent: state needs a known kind, an object id, a nonce and an expiry: %+v", s)
	}
	payload, err := json.Marshal(wireState{Kind: s.Kind, ObjectID: s.ObjectID, Org: s.Org,
		Nonce: s.Nonce, Expires: s.Expires.Unix()})
	if err != nil {
		return "", fmt.Errorf("consent: encode state: %w", err)
	}
	body := stateVersion + "." + base64.RawURLEncoding.EncodeToString(payload)
	return body + "." + base64.RawURLEncoding.EncodeToString(mac(key, body)), nil
}

// Verify checks the signature of token and decodes it. The signature is
// checked before anything in the token is parsed, and in constant time. An
// authentic but expired state is returned together with ErrStateExpired, so
// the caller can tell the user which object's link ran out.
func Verify(key []byte, token string, now time.Time) (State, error) {
	if len(key) < MinKeySize {
		return State{}, fmt.Errorf("consent: signing key must have at least %d bytes", MinKeySize)
	}
	if len(token) > maxStateLength {
		return State{}, ErrStateInvalid
	}
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return State{}, ErrStateInvalid
	}
	body, sig := token[:i], token[i+1:]
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(key, body)) {
		return State{}, ErrStateInvalid
	}
	version, enc, ok := strings.Cut(body, ".")
	if !ok || version != stateVersion {
		return State{}, ErrStateInvalid
	}
	payload, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return State{}, ErrStateInvalid
	}
	var w wireState
	if err := json.Unmarshal(payload, &w); err != nil || !kinds[w.Kind] || w.ObjectID == "" {
		return State{}, ErrStateInvalid
	}
	s := State{Kind: w.Kind, ObjectID: w.ObjectID, Org: w.Org, Nonce: w.Nonce, Expires: time.Unix(w.Expires, 0).UTC()}
	if !now.Before(s.Expires) {
		return s, ErrStateExpired
	}
	return s, nil
}

// mac binds the signature to its purpose, so a key shared with another use
// can never produce a valid state by accident.
func mac(key []byte, body string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("aos consent state\x00"))
	h.Write([]byte(body))
	return h.Sum(nil)
}
