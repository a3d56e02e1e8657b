package main

import (
	"context"
	"net"
)

// listen opens the TCP listener before Serve, so a taken port is reported
// at start-up and tests can listen on port 0 and learn the address.
func listen(ctx context.Context, addr string) (net.Listener, error) {
	var lc net.ListenConfig
	return lc.Listen(ctx, "tcp", addr)
}
