// Package secrets seals secret material (service account passwords, app
// passwords, certificates) with AES-256-GCM before it reaches storage, and
// derives the other keys aosd needs (token signing, consent state) from the
// same master key so that every replica sharing the key file agrees.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// KeySize is the master key length in bytes.
const KeySize = 32

// Box seals and opens secrets with one master key.
type Box struct {
	aead   cipher.AEAD
	master []byte
}

// New returns a Box for a 32-byte master key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("encryption key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, master: append([]byte(nil), key...)}, nil
}

// GenerateKey returns a new random master key, hex encoded as it is stored
// in a key file.
func GenerateKey() string {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(k)
}

// LoadKeyFile reads a key file holding 64 hex characters (or 44 base64).
func LoadKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading encryption key file: %w", err)
	}
	return ParseKey(strings.TrimSpace(string(b)))
}

// ParseKey decodes a hex or base64 master key.
func ParseKey(s string) ([]byte, error) {
	if k, err := hex.DecodeString(s); err == nil && len(k) == KeySize {
		return k, nil
	}
	if k, err := base64.StdEncoding.DecodeString(s); err == nil && len(k) == KeySize {
		return k, nil
	}
	return nil, errors.New("encryption key must be 32 bytes written as 64 hex characters or base64")
}

// Seal encrypts plaintext; aad binds the ciphertext to its record (its id),
// so a sealed value copied onto another record does not open.
func (b *Box) Seal(plaintext, aad []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return b.aead.Seal(nonce, nonce, plaintext, aad)
}

// Open decrypts what Seal produced with the same aad.
func (b *Box) Open(sealed, aad []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed secret is too short")
	}
	out, err := b.aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, errors.New("sealed secret does not open with this key")
	}
	return out, nil
}

// DeriveKey returns a sub-key for purpose (HMAC-SHA256 of the master key),
// so the token signing key and the consent state key differ from the
// encryption key.
func (b *Box) DeriveKey(purpose string) []byte {
	m := hmac.New(sha256.New, b.master)
	m.Write([]byte("aosd:" + purpose))
	return m.Sum(nil)
}

// Fingerprint is a keyed, non-reversible digest of a secret: equal secrets
// give equal fingerprints under one key, and nothing about the secret can be
// learned from it without the key.
func (b *Box) Fingerprint(secret []byte) string {
	m := hmac.New(sha256.New, b.DeriveKey("fingerprint"))
	m.Write(secret)
	return hex.EncodeToString(m.Sum(nil))[:16]
}
