package tablemap

import "github.com/tablemap/tablemap/internal/engine"

// A Cipher encrypts and decrypts the values of encrypted attributes: fields
// tagged `dynamo:"name,encrypted"`. Give a table one with WithCipher;
// LocalKey and Envelope return the ciphers tablemap ships, both AES-256-GCM
// with a fresh random nonce per value. Its methods are
//
//	Seal(ctx context.Context, plaintext, aad []byte) ([]byte, error)
//	Open(ctx context.Context, sealed, aad []byte) ([]byte, error)
//
// Seal returns the bytes stored for plaintext. Open returns the plaintext
// of sealed, and must fail unless sealed came from Seal with the same
// additional data aad: aad binds the value to its table, item key and
// attribute name, so a value copied to another item or attribute does not
// open. Both must be safe for concurrent use. ctx is the context of the
// request being built or decoded, for a cipher that calls a key service:
// every read passes its caller's context to Open. Seal gets
// context.Background() where a write is built without one: Params and
// Value, the writes of a WriteTx or BatchWrite. So does Open in
// Entity.Decode.
type Cipher = engine.Cipher

// WithCipher gives the table the cipher of its encrypted attributes.
// Defining an entity with an encrypted field on a table without one is an
// error wrapping ErrNoCipher.
//
// An encrypted attribute is stored as binary (B): the cipher's output for
// the attribute's value, encoded by the codec as it would be stored in
// clear, so a field of any type can be encrypted. The value is sealed
// before it leaves the process and opened after it arrives; DynamoDB never
// sees it. Consequences:
//
//   - An encrypted field cannot be a key field or appear in any key
//     template, nor be a version, created, updated or ttl field (an error
//     at Define).
//   - Conditions, filters and update expressions cannot look into an
//     encrypted attribute: they would compare ciphertexts, and every
//     sealing of a value differs, so they are refused before sending
//     (ErrInvalidCondition). attribute_exists and attribute_not_exists
//     still work. Update can Set, SetIfNotExists and Remove an encrypted
//     attribute, not Add, Append or DeleteFromSet to it.
//   - The ciphertext's length follows the plaintext's, and an omitempty
//     field's zero value stores no attribute: encryption hides the value,
//     not its size or presence. Each value is bound to its item, not the
//     item as a whole: someone who can write the table can remove an
//     encrypted attribute or put back an older ciphertext of the same
//     attribute of the same item, but cannot move one between items or
//     attributes, alter it, or replace it with a clear value.
//   - A value that does not open is an error wrapping ErrDecrypt, never
//     garbage; it names the entity, the item's key and the attribute.
func WithCipher(c Cipher) TableOption {
	return func(t *Table) { t.core.Cipher = c }
}

// WithLogicalTableName sets the table name encrypted attributes are bound
// to (default: the table's name). A table restored from a backup has a new
// name; reading it with the original name here keeps its encrypted
// attributes readable.
func WithLogicalTableName(name string) TableOption {
	return func(t *Table) { t.core.LogicalName = name }
}
