package index

import "errors"

// ErrCorrupt is wrapped by every error a decoder returns: the bytes are not
// a valid encoding. The wrapping error says what is wrong and where.
var ErrCorrupt = errors.New("index: corrupt encoding")

// ErrInvalid is wrapped by every error an encoder returns: its input breaks
// the encoder's contract (values not strictly increasing, duplicate keys,
// inconsistent offsets). Nothing is written when an encoder fails.
var ErrInvalid = errors.New("index: invalid input")
