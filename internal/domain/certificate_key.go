package domain

import (
	"crypto"
	"crypto/x509"
	"errors"
	"strings"
)

// CertificateKey returns the certificate of a stored custom Azure app
// credential and the private key that belongs to it, so the service can sign
// in as that app. The input was checked by ParseCertificate when it was
// uploaded; it is read again the same way so that what signs is exactly
// what was accepted.
func CertificateKey(data, password string) (*x509.Certificate, crypto.Signer, error) {
	text := strings.TrimSpace(data)
	if text == "" {
		return nil, nil, errors.New("no certificate")
	}
	var (
		certs []*x509.Certificate
		key   any
		e     *Error
	)
	if strings.Contains(text, "-----BEGIN") {
		certs, key, e = parsePEMBundle("certificate", text)
	} else {
		certs, key, e = parsePFX("certificate", text, password)
	}
	if e != nil {
		return nil, nil, e
	}
	leaf, e := certificateForKey("certificate", certs, key)
	if e != nil {
		return nil, nil, e
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		// certificateForKey refuses such keys already.
		return nil, nil, errors.New("the private key cannot sign")
	}
	return leaf, signer, nil
}
