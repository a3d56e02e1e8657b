package mllp

import (
	"context"
	"crypto/tls"
	"net"
)

// Peer describes the connection a message arrived on. A Server puts it in the
// context it passes to its handler; with mutual TLS, TLS.PeerCertificates
// tells the handler which instrument or laboratory is sending.
type Peer struct {
	RemoteAddr net.Addr
	LocalAddr  net.Addr
	// TLS is the state of the TLS connection, nil on plain TCP.
	TLS *tls.ConnectionState
}

type peerKey struct{}

// PeerFromContext returns the Peer a Server stored in the handler's context.
func PeerFromContext(ctx context.Context) (Peer, bool) {
	p, ok := ctx.Value(peerKey{}).(Peer)
	return p, ok
}

func contextWithPeer(ctx context.Context, p Peer) context.Context {
	return context.WithValue(ctx, peerKey{}, p)
}
