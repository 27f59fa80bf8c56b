package domain

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // The Azure thumbprint is defined as SHA-1; it is an identifier, not a security control.
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// CertificateInfo is what the service keeps in the clear about a custom Azure
// app's certificate: enough to show which certificate is in use and when it
// must be renewed, without the key material.
type CertificateInfo struct {
	// Thumbprint is the SHA-1 of the DER certificate in uppercase hex, the
	// form the Azure portal shows next to an app's certificate credentials.
	Thumbprint string
	Subject    string
	NotBefore  time.Time
	NotAfter   time.Time
}

// MaxCertificateSize bounds the certificate argument. A certificate with its
// key and a chain is a few kilobytes; anything much larger is a mistake (or
// an attempt to make the server parse something huge).
const MaxCertificateSize = 256 << 10

// maxPFXIterations bounds the key-derivation iteration counts the service is
// willing to run for a PFX file. The PKCS#12 decoder trusts the counts stored
// in the file, so without a bound a crafted file could keep a CPU busy for
// minutes. Real exports use 2,000 to 600,000.
const maxPFXIterations = 2_000_000

// MinRSAKeyBits is the smallest RSA key Microsoft Entra accepts in an app's
// certificate credentials.
const MinRSAKeyBits = 2048

// acceptedCertificateFormats is repeated in every format-related refusal so
// the user knows what to send instead.
const acceptedCertificateFormats = "send an RSA certificate (2048 bits or more) either as PEM text holding a CERTIFICATE " +
	"block and its unencrypted private key (PRIVATE KEY or RSA PRIVATE KEY), or as a PKCS#12 (.pfx) file encoded in " +
	"base64 with its password in certificatePassword"

// rsaCertificateAdvice tells the user what to do when the key is not one
// Microsoft Entra accepts for an app.
const rsaCertificateAdvice = "create an RSA certificate of 2048 bits or more, add it to the Azure app's credentials " +
	"(Certificates & secrets), and send that certificate with its private key"

// ParseCertificate reads a custom Azure app's certificate, given as PEM
// (certificate plus private key) or as a base64-encoded PKCS#12/PFX file with
// an optional password. It refuses input the service could not use to sign
// in as the app: anything unreadable, a certificate without its private key,
// a key that belongs to another certificate, a key that is not RSA of at
// least MinRSAKeyBits (Microsoft Entra accepts nothing else for an app's
// certificate credentials, and the service signs in with PS256), and
// certificates outside their validity period at now.
func ParseCertificate(field, data, password string, now time.Time) (*CertificateInfo, *Error) {
	text := strings.TrimSpace(data)
	if text == "" {
		return nil, Invalid(CodeRequired, field, "the certificate is empty; %s", acceptedCertificateFormats)
	}
	if len(data) > MaxCertificateSize {
		return nil, Invalid(CodeCertificateInvalid, field,
			"the certificate is %d bytes, more than the %d accepted; send only the certificate, its key and at most its chain",
			len(data), MaxCertificateSize)
	}

	var (
		leaf  *x509.Certificate
		key   any
		certs []*x509.Certificate
		e     *Error
	)
	if strings.Contains(text, "-----BEGIN") {
		certs, key, e = parsePEMBundle(field, text)
	} else {
		certs, key, e = parsePFX(field, text, password)
	}
	if e != nil {
		return nil, e
	}

	leaf, e = certificateForKey(field, certs, key)
	if e != nil {
		return nil, e
	}
	// The key type comes before the validity period: renewing a certificate
	// of the same kind would not help.
	if e := checkRSAKey(field, leaf, key); e != nil {
		return nil, e
	}

	if now.After(leaf.NotAfter) {
		return nil, Invalid(CodeCertificateExpired, field,
			"the certificate %q expired on %s; upload a renewed certificate (and add it to the Azure app's credentials)",
			leaf.Subject.String(), leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	if now.Before(leaf.NotBefore) {
		return nil, Invalid(CodeCertificateNotYetValid, field,
			"the certificate %q is valid only from %s; upload a certificate that is valid now or retry after that time",
			leaf.Subject.String(), leaf.NotBefore.UTC().Format(time.RFC3339))
	}

	sum := sha1.Sum(leaf.Raw) //nolint:gosec // See the import comment.
	return &CertificateInfo{
		Thumbprint: strings.ToUpper(hex.EncodeToString(sum[:])),
		Subject:    leaf.Subject.String(),
		NotBefore:  leaf.NotBefore,
		NotAfter:   leaf.NotAfter,
	}, nil
}

// parsePEMBundle collects the certificates and the single private key of a
// PEM text. Blocks of other types (EC PARAMETERS, PUBLIC KEY, ...) are
// skipped because common tools emit them alongside the ones that matter.
func parsePEMBundle(field, text string) ([]*x509.Certificate, any, *Error) {
	var (
		certs []*x509.Certificate
		key   any
		rest  = []byte(text)
	)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if _, encrypted := block.Headers["Proc-Type"]; encrypted || block.Type == "ENCRYPTED PRIVATE KEY" {
			return nil, nil, Invalid(CodeCertificateInvalid, field,
				"the PEM private key is encrypted, which is not supported; export the key without a passphrase, "+
					"or send a password-protected PFX file in base64 with its password in certificatePassword")
		}
		var (
			k   any
			err error
		)
		switch block.Type {
		case "CERTIFICATE":
			c, perr := x509.ParseCertificate(block.Bytes)
			if perr != nil {
				return nil, nil, Invalid(CodeCertificateInvalid, field,
					"a CERTIFICATE block could not be read (%v); export the certificate again in PEM", perr)
			}
			certs = append(certs, c)
			continue
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(block.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, nil, Invalid(CodeCertificateInvalid, field,
				"the %s block could not be read (%v); export the private key again", block.Type, err)
		}
		if key != nil {
			return nil, nil, Invalid(CodeCertificateInvalid, field,
				"the PEM text holds more than one private key; keep only the key of the app's certificate")
		}
		key = k
	}
	if len(certs) == 0 {
		if key != nil {
			return nil, nil, Invalid(CodeCertificateInvalid, field,
				"the PEM text holds a private key but no CERTIFICATE block; add the certificate")
		}
		return nil, nil, Invalid(CodeCertificateInvalid, field,
			"no PEM block could be read; %s", acceptedCertificateFormats)
	}
	if key == nil {
		return nil, nil, Invalid(CodeCertificateInvalid, field,
			"the PEM text has a certificate but no private key; add the certificate's private key "+
				"(PRIVATE KEY or RSA PRIVATE KEY block) so the service can sign in as the app")
	}
	return certs, key, nil
}

// parsePFX decodes a base64 PKCS#12 file. Line breaks and either base64
// alphabet are tolerated because tools differ in what they produce.
func parsePFX(field, text, password string) ([]*x509.Certificate, any, *Error) {
	compact := strings.Join(strings.Fields(text), "")
	var der []byte
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		if b, err := enc.DecodeString(compact); err == nil {
			der = b
			break
		}
	}
	// Every PKCS#12 file is a DER SEQUENCE; checking the first byte tells a
	// PFX from text that merely happens to be valid base64.
	if len(der) == 0 || der[0] != 0x30 {
		return nil, nil, Invalid(CodeCertificateInvalid, field,
			"the certificate is neither PEM nor a base64-encoded PFX file; %s", acceptedCertificateFormats)
	}
	if err := checkPFXIterations(der, 0); err != nil {
		return nil, nil, Invalid(CodeCertificateInvalid, field,
			"the PFX file %v; export it again with standard settings", err)
	}

	key, leaf, chain, err := pkcs12.DecodeChain(der, password)
	switch {
	case err == nil:
	case errors.Is(err, pkcs12.ErrIncorrectPassword) && password == "":
		return nil, nil, Invalid(CodeCertificateInvalid, "certificatePassword",
			"the PFX file is protected by a password; set certificatePassword to the password it was exported with")
	case errors.Is(err, pkcs12.ErrIncorrectPassword), errors.Is(err, pkcs12.ErrDecryption):
		return nil, nil, Invalid(CodeCertificateInvalid, "certificatePassword",
			"the PFX password is wrong; set certificatePassword to the password the file was exported with")
	case strings.Contains(err.Error(), "private key missing"):
		// go-pkcs12 has no sentinel for this case; its message is stable.
		return nil, nil, Invalid(CodeCertificateInvalid, field,
			"the PFX file has no private key; export the certificate again including its private key")
	default:
		return nil, nil, Invalid(CodeCertificateInvalid, field,
			"the PFX file could not be read (%v); export it again with its private key, or %s",
			err, acceptedCertificateFormats)
	}
	return append([]*x509.Certificate{leaf}, chain...), key, nil
}

// certificateForKey picks, among the certificates sent (leaf and chain in
// any order), the one the private key belongs to.
func certificateForKey(field string, certs []*x509.Certificate, key any) (*x509.Certificate, *Error) {
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, Invalid(CodeCertificateInvalid, field,
			"the private key type %T cannot sign, and Microsoft Entra accepts only RSA certificate credentials; %s",
			key, rsaCertificateAdvice)
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok {
		return nil, Invalid(CodeCertificateInvalid, field,
			"the private key type %T is not supported, and Microsoft Entra accepts only RSA certificate credentials; %s",
			key, rsaCertificateAdvice)
	}
	for _, c := range certs {
		if pub.Equal(c.PublicKey) {
			return c, nil
		}
	}
	return nil, Invalid(CodeCertificateInvalid, field,
		"the private key does not belong to the certificate %q; send the key that was generated with this certificate",
		certs[0].Subject.String())
}

// checkRSAKey refuses keys Microsoft Entra does not accept in an app's
// certificate credentials: anything but RSA, and RSA keys shorter than
// MinRSAKeyBits. Such a certificate could be uploaded but never used to sign
// in as the app, so the mistake is reported now rather than at consent.
func checkRSAKey(field string, leaf *x509.Certificate, key any) *Error {
	k, ok := key.(*rsa.PrivateKey)
	if !ok {
		return Invalid(CodeCertificateInvalid, field,
			"the certificate %q has %s key, but Microsoft Entra accepts only RSA certificate credentials for apps; %s",
			leaf.Subject.String(), keyKind(key), rsaCertificateAdvice)
	}
	if bits := k.N.BitLen(); bits < MinRSAKeyBits {
		return Invalid(CodeCertificateInvalid, field,
			"the certificate %q has a %d-bit RSA key, but Microsoft Entra accepts only RSA keys of %d bits or more; %s",
			leaf.Subject.String(), bits, MinRSAKeyBits, rsaCertificateAdvice)
	}
	return nil
}

// keyKind names a private key's algorithm for a refusal, with its article.
func keyKind(key any) string {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		return "an ECDSA (" + k.Curve.Params().Name + ")"
	case ed25519.PrivateKey:
		return "an Ed25519"
	default:
		return fmt.Sprintf("a %T", key)
	}
}

// checkPFXIterations walks the DER tree of a PKCS#12 file and refuses
// iteration counts above maxPFXIterations. Both the PKCS#12 PBE parameters
// and PBKDF2 parameters (and the MAC data) encode the count as an INTEGER
// directly after the salt OCTET STRING, and nothing else in a PFX has that
// shape with a large value, so the check needs no knowledge of the
// algorithm identifiers. Counts hidden inside encrypted content cannot be
// seen before decryption; those are reached only after an outer, bounded
// derivation has succeeded.
func checkPFXIterations(der []byte, depth int) error {
	if depth > 24 {
		return errors.New("is nested too deeply to be a certificate file")
	}
	var prev *asn1.RawValue
	for rest := der; len(rest) > 0; {
		v, r, ok := nextDER(rest)
		if !ok {
			// Not DER at this level: nothing more to inspect here, and
			// the PKCS#12 decoder will report what is wrong.
			break
		}
		rest = r
		if v.Class == asn1.ClassUniversal && v.Tag == asn1.TagInteger && prev != nil &&
			prev.Class == asn1.ClassUniversal && prev.Tag == asn1.TagOctetString && !prev.IsCompound {
			n := new(big.Int).SetBytes(v.Bytes)
			if len(v.Bytes) > 0 && v.Bytes[0]&0x80 == 0 && n.Cmp(big.NewInt(maxPFXIterations)) > 0 {
				return errors.New("asks for more key-derivation iterations than the service allows (" +
					n.String() + " > " + big.NewInt(maxPFXIterations).String() + ")")
			}
		}
		switch {
		case v.IsCompound:
			if err := checkPFXIterations(v.Bytes, depth+1); err != nil {
				return err
			}
		case v.Class == asn1.ClassUniversal && v.Tag == asn1.TagOctetString && len(v.Bytes) > 0 && v.Bytes[0] == 0x30:
			// The authenticated safe and safe contents are DER wrapped in
			// OCTET STRINGs.
			if err := checkPFXIterations(v.Bytes, depth+1); err != nil {
				return err
			}
		}
		vv := v
		prev = &vv
	}
	return nil
}

// nextDER reads one DER value from b; ok is false when b does not start
// with one.
func nextDER(b []byte) (v asn1.RawValue, rest []byte, ok bool) {
	rest, err := asn1.Unmarshal(b, &v)
	return v, rest, err == nil
}
