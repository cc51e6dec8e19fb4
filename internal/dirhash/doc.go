// Package dirhash hashes the files of a directory, for the tests that
// check a damaged store is left exactly as it was (the engine's and the
// command's).
package dirhash
