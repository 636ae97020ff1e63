package main

import (
	"crypto/rand"
	"errors"
)

// Alphabets a generated password draws from.
const (
	letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	digits  = "0123456789"
	symbols = "!#$%&*+-=?@^_~"
	// Printable is letters, digits and symbols: about 6.1 bits per character.
	Printable = letters + digits + symbols
)

// GeneratePassword returns n characters drawn uniformly and independently
// from alphabet with crypto/rand. A random byte is used only when it falls
// below the largest multiple of len(alphabet) that fits in a byte (rejection
// sampling), so no character is likelier than another; b % len(alphabet) of
// every byte would favour the first 256 % len(alphabet) characters.
func GeneratePassword(n int, alphabet string) (string, error) {
	if len(alphabet) == 0 || len(alphabet) > 256 {
		return "", errors.New("password alphabet must have 1 to 256 characters")
	}
	if n < 0 {
		return "", errors.New("negative password length")
	}
	limit := 256 - 256%len(alphabet) // accept bytes below limit
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			return "", err
		}
		for _, b := range buf {
			if int(b) < limit {
				out = append(out, alphabet[int(b)%len(alphabet)])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out), nil
}
