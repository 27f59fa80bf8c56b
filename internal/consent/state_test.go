package consent

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	testKey  = bytes.Repeat([]byte{7}, 32)
	otherKey = bytes.Repeat([]byte{8}, 32)
	t0       = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

func TestStateRoundTrip(t *testing.T) {
	for _, kind := range []string{KindTenant, KindAppProfile, KindPartnerAppProfile} {
		s, err := NewState(kind, "obj-1", "org-1", 15*time.Minute, t0)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := Sign(testKey, s)
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(tok, "+/=&?# ") {
			t.Errorf("token %q is not URL-safe", tok)
		}
		got, err := Verify(testKey, tok, t0.Add(14*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		want := s
		want.Expires = s.Expires.Truncate(time.Second)
		if got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
	}
}

func TestNewStateNonceIsRandom(t *testing.T) {
	a, _ := NewState(KindTenant, "o", "g", time.Minute, t0)
	b, _ := NewState(KindTenant, "o", "g", time.Minute, t0)
	if a.Nonce == "" || a.Nonce == b.Nonce {
		t.Errorf("nonces %q and %q", a.Nonce, b.Nonce)
	}
}

func TestVerifyRefuses(t *testing.T) {
	s, _ := NewState(KindAppProfile, "obj-1", "org-1", time.Minute, t0)
	tok, err := Sign(testKey, s)
	if err != nil {
		t.Fatal(err)
	}
	body, sig, _ := strings.Cut(tok[3:], ".")
	payload, _ := base64.RawURLEncoding.DecodeString(body)
	forged := "v1." + base64.RawURLEncoding.EncodeToString(bytes.Replace(payload, []byte("obj-1"), []byte("obj-2"), 1)) + "." + sig

	tests := []struct {
		name  string
		key   []byte
		token string
		now   time.Time
		want  error
	}{
		{name: "expired", key: testKey, token: tok, now: t0.Add(2 * time.Minute), want: ErrStateExpired},
		{name: "exactly at expiry", key: testKey, token: tok, now: s.Expires.Truncate(time.Second), want: ErrStateExpired},
		{name: "other key", key: otherKey, token: tok, now: t0, want: ErrStateInvalid},
		{name: "payload changed", key: testKey, token: forged, now: t0, want: ErrStateInvalid},
		{name: "signature changed", key: testKey, token: tok[:len(tok)-2] + "AA", now: t0, want: ErrStateInvalid},
		{name: "signature removed", key: testKey, token: "v1." + body, now: t0, want: ErrStateInvalid},
		{name: "empty", key: testKey, token: "", now: t0, want: ErrStateInvalid},
		{name: "garbage", key: testKey, token: "not a state", now: t0, want: ErrStateInvalid},
		{name: "huge", key: testKey, token: strings.Repeat("a", 5000), now: t0, want: ErrStateInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Verify(tt.key, tt.token, tt.now)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			if errors.Is(tt.want, ErrStateExpired) && got.ObjectID != "obj-1" {
				t.Errorf("expired state not returned: %+v", got)
			}
		})
	}
}

func TestVerifyRefusesSignedButMalformed(t *testing.T) {
	// Payloads signed with the right key but not describing a consent: a
	// different version, an unknown kind, no object.
	for _, body := range []string{
		"v2." + base64.RawURLEncoding.EncodeToString([]byte(`{"k":"tenant","o":"x","e":9999999999}`)),
		"v1." + base64.RawURLEncoding.EncodeToString([]byte(`{"k":"admin","o":"x","e":9999999999}`)),
		"v1." + base64.RawURLEncoding.EncodeToString([]byte(`{"k":"tenant","o":"","e":9999999999}`)),
		"v1." + base64.RawURLEncoding.EncodeToString([]byte(`not json`)),
		"v1.!!!",
	} {
		tok := body + "." + base64.RawURLEncoding.EncodeToString(mac(testKey, body))
		if _, err := Verify(testKey, tok, t0); !errors.Is(err, ErrStateInvalid) {
			t.Errorf("%s: err %v", body, err)
		}
	}
}

func TestSignRefuses(t *testing.T) {
	good, _ := NewState(KindTenant, "o", "g", time.Minute, t0)
	for name, tc := range map[string]struct {
		key []byte
		s   State
	}{
		"short key":    {key: []byte("short"), s: good},
		"unknown kind": {key: testKey, s: State{Kind: "x", ObjectID: "o", Nonce: "n", Expires: t0}},
		"no object":    {key: testKey, s: State{Kind: KindTenant, Nonce: "n", Expires: t0}},
		"no nonce":     {key: testKey, s: State{Kind: KindTenant, ObjectID: "o", Expires: t0}},
		"no expiry":    {key: testKey, s: State{Kind: KindTenant, ObjectID: "o", Nonce: "n"}},
	} {
		if _, err := Sign(tc.key, tc.s); err == nil {
			t.Errorf("%s: signed", name)
		}
	}
	if _, err := Verify([]byte("short"), "x", t0); err == nil {
		t.Error("verify with short key")
	}
}
