package secrets

import (
	"bytes"
	"testing"
)

func TestSealOpen(t *testing.T) {
	k, err := ParseKey(GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(k)
	if err != nil {
		t.Fatal(err)
	}
	sealed := b.Seal([]byte("P@ssw0rd!"), []byte("id-1"))
	if bytes.Contains(sealed, []byte("P@ssw0rd!")) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := b.Open(sealed, []byte("id-1"))
	if err != nil || string(got) != "P@ssw0rd!" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := b.Open(sealed, []byte("id-2")); err == nil {
		t.Fatal("a sealed secret opened for another record")
	}
	if b.Fingerprint([]byte("a")) == b.Fingerprint([]byte("b")) {
		t.Fatal("fingerprints collide")
	}
}

func TestParseKeyRejectsShortKeys(t *testing.T) {
	if _, err := ParseKey("abcd"); err == nil {
		t.Fatal("short key accepted")
	}
}
