// Package azurite runs Azurite, the Azure Storage emulator, for tests: it
// finds its blob service (azurite-blob), installs it from the npm
// registry into a cache directory when it is not there, and starts it on
// loopback, over TLS with a certificate made for the test, on a free
// port, holding its data in memory; the test's end stops it.
//
// The binary is $SIGNINQ_AZURITE when set, else
// <user cache dir>/signinq-test/azurite/<Version>/node_modules/.bin/azurite-blob
// ($XDG_CACHE_HOME or ~/.cache on Linux), which Install fills with npm
// (Node.js and npm must be installed; .ci/run installs Azurite before the
// tests, so that they find it). Parallel test processes install it once,
// under a file lock.
package azurite
