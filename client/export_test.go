package client

// WithClock sets the API's clock, for tests of renewal.
var WithClock = withClock
