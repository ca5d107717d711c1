package gen

import (
	"encoding/base64"
	"fmt"

	"golang.org/x/crypto/blowfish"
)

// bcryptHash is bcrypt (version 2a, as golang.org/x/crypto/bcrypt and so
// PocketBase write it) with a salt the caller chooses. The generator draws
// the salt from its seed so that the same seed writes the same password
// hash; x/crypto/bcrypt always draws its salt from crypto/rand. Its output
// is checked against bcrypt.CompareHashAndPassword in the tests. The
// algorithm is Provos and Mazières' (1999), written after x/crypto's.
func bcryptHash(password []byte, cost int, salt [16]byte) (string, error) {
	csalt := salt[:]
	// The key includes its trailing NUL, as the C implementations do.
	key := append(append([]byte{}, password...), 0)
	c, err := blowfish.NewSaltedCipher(key, csalt)
	if err != nil {
		return "", fmt.Errorf("bcrypt: %w", err)
	}
	for i := uint64(0); i < 1<<uint(cost); i++ {
		blowfish.ExpandKey(key, c)
		blowfish.ExpandKey(csalt, c)
	}
	data := []byte("OrpheanBeholderScryDoubt")
	for i := 0; i < 24; i += 8 {
		for j := 0; j < 64; j++ {
			c.Encrypt(data[i:i+8], data[i:i+8])
		}
	}
	// Only 23 of the 24 bytes are encoded, again as in C.
	return fmt.Sprintf("$2a$%02d$%s%s", cost, bcryptEncoding.EncodeToString(csalt), bcryptEncoding.EncodeToString(data[:23])), nil
}

var bcryptEncoding = base64.NewEncoding("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789").WithPadding(base64.NoPadding)
