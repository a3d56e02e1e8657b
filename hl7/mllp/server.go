package mllp

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vetlink/vetlink/hl7"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or
// Close.
var ErrServerClosed = errors.New("mllp: Server closed")

// HandlerFunc processes one received message and returns the response to send
// back, normally an acknowledgment built with hl7.NewACK.
//
// Returning a nil response and a nil error asks the Server to send the
// standard positive acknowledgment (AA, or CA in enhanced mode). Returning an
// error asks it to send an application error acknowledgment (AE, or CE); the
// error text is neither logged nor sent, since it may quote the message.
//
// The context carries the connection's Peer and is cancelled when the Server
// is closed or its Shutdown deadline passes. The message and the bytes it was
// parsed from belong to the handler, which may keep them.
type HandlerFunc func(ctx context.Context, msg *hl7.Message) (*hl7.Message, error)

// Server accepts MLLP connections and answers every message received on them
// through Handler. Messages on one connection are handled one at a time, in
// order, and each response is written before the next message is read, as
// MLLP senders expect; connections are served concurrently.
//
// The zero value, with a Handler, is a plain-TCP server on port 2575 without
// timeouts. A Server must not be copied after first use.
type Server struct {
	// Addr is the TCP address ListenAndServe listens on; empty means ":2575".
	Addr string

	// Handler answers each message. It must be set.
	Handler HandlerFunc

	// TLSConfig, when set, makes the Server speak TLS. It needs at least one
	// certificate; for mutual TLS set ClientAuth to
	// tls.RequireAndVerifyClientCert and ClientCAs to the senders' CA.
	TLSConfig *tls.Config

	// ReadTimeout bounds the time a connection may take to deliver the next
	// complete frame, TLS handshake included. It is also the idle timeout:
	// a connection silent for longer is closed (the sender reconnects).
	// Zero means no limit.
	ReadTimeout time.Duration

	// WriteTimeout bounds the time to write one response. Zero means no limit.
	WriteTimeout time.Duration

	// MaxFrameSize limits the size of a received message; zero means
	// DefaultMaxFrameSize. A larger message is rejected (AR, ERR-3 104)
	// as soon as the limit is passed and the rest of it skipped; a sender
	// that goes on for more than twice the limit is disconnected.
	MaxFrameSize int

	// RejectMultipleMessages makes the Server refuse a frame that holds
	// more than one message (a second MSH segment after a segment
	// terminator) with one rejection (AR, or CR in enhanced mode) of the
	// first message, ERR-3 100 and a text naming the count; no handler
	// runs. By default such a frame is split and each message handled and
	// answered in order, one response frame per message, as if each had
	// come in its own frame.
	RejectMultipleMessages bool

	// ParseOptions are used to parse received messages. The zero value is
	// the strict parser; set Lenient for senders that end segments with LF.
	ParseOptions hl7.ParseOptions

	// CharsetAliases maps the spellings of MSH-18 senders write
	// ("ISO-8859-1", "WINDOWS-1252", "UTF8") to HL7 table 0211 names, for
	// this listener. Nil means hl7.DefaultCharsetAliases; an empty map means
	// none, so that a strict server rejects every name outside table 0211.
	// ParseOptions.CharsetAliases, when set, takes precedence. The
	// acknowledgment echoes MSH-18 as the sender wrote it.
	CharsetAliases map[string]string

	// ACKOptions are used for the acknowledgments the Server builds itself
	// (nil handler response, handler error, unparsable message).
	ACKOptions hl7.ACKOptions

	// Logger receives connection and message events. Entries carry remote
	// addresses, control IDs (MSH-10), sizes, acknowledgment codes and
	// durations, never message content. Nil means no logging.
	Logger *slog.Logger

	// Name names this listener for the Observer, e.g. the job that runs
	// it; empty means the local address of each connection.
	Name string

	// Observer is told about every message answered, for metrics; nil
	// means none. See [Observer].
	Observer Observer

	mu         sync.Mutex
	listeners  map[*net.Listener]struct{}
	conns      map[*serverConn]struct{}
	inShutdown atomic.Bool
	connGone   chan struct{} // signalled when a connection ends
	baseCtx    context.Context
	cancelBase context.CancelFunc
}

// ListenAndServe listens on s.Addr and serves connections until Shutdown or
// Close, after which it returns ErrServerClosed.
func (s *Server) ListenAndServe() error {
	if s.inShutdown.Load() {
		return ErrServerClosed
	}
	addr := s.Addr
	if addr == "" {
		addr = ":" + DefaultPort
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Serve accepts connections on l, with TLS when s.TLSConfig is set, and
// serves each on its own goroutine. It closes l when it returns; after
// Shutdown or Close it returns ErrServerClosed.
func (s *Server) Serve(l net.Listener) error {
	if s.Handler == nil {
		l.Close()
		return errors.New("mllp: Server.Handler is nil")
	}
	if s.TLSConfig != nil {
		l = tls.NewListener(l, s.TLSConfig)
	}
	if !s.trackListener(&l, true) {
		l.Close()
		return ErrServerClosed
	}
	defer s.trackListener(&l, false)
	defer l.Close()

	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.inShutdown.Load() {
				return ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			// Out of file descriptors and the like: wait and try again,
			// as net/http does.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.logger().Warn("mllp: accept failed", "error", err, "retry_in", delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		c := &serverConn{srv: s, nc: nc}
		if !s.trackConn(c, true) {
			nc.Close()
			return ErrServerClosed
		}
		go c.serve()
	}
}

// Shutdown stops the Server gracefully, as http.Server.Shutdown does: it
// closes the listeners, lets every connection finish the message it is
// handling and write its response, closes idle connections, and waits for
// all of them to end. A message still arriving counts as idle: it is cut
// off unanswered, and its sender sends it again elsewhere or later. If ctx
// is done first, Shutdown closes the remaining connections, cancels the
// handlers' contexts and returns ctx.Err().
func (s *Server) Shutdown(ctx context.Context) error {
	s.inShutdown.Store(true)
	s.closeListeners()
	for {
		s.mu.Lock()
		n := len(s.conns)
		for c := range s.conns {
			c.interruptIfIdle()
		}
		gone := s.connGoneLocked()
		s.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-gone:
		case <-ctx.Done():
			s.Close()
			return ctx.Err()
		}
	}
}

// Close stops the Server at once: it closes the listeners and all
// connections and cancels the handlers' contexts. Responses being written
// are lost; use Shutdown to let them finish.
func (s *Server) Close() error {
	s.inShutdown.Store(true)
	err := s.closeListeners()
	s.mu.Lock()
	defer s.mu.Unlock()
	// Connections first: a handler woken by the cancellation must find
	// its connection closed, or it could still write its response.
	for c := range s.conns {
		c.nc.Close()
	}
	if s.cancelBase != nil {
		s.cancelBase()
	}
	return err
}

func (s *Server) closeListeners() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	for l := range s.listeners {
		if cerr := (*l).Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	return err
}

func (s *Server) trackListener(l *net.Listener, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !add {
		delete(s.listeners, l)
		return true
	}
	if s.inShutdown.Load() {
		return false
	}
	if s.listeners == nil {
		s.listeners = make(map[*net.Listener]struct{})
	}
	s.listeners[l] = struct{}{}
	return true
}

func (s *Server) trackConn(c *serverConn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !add {
		delete(s.conns, c)
		if s.connGone != nil {
			close(s.connGone)
			s.connGone = nil
		}
		return true
	}
	if s.inShutdown.Load() {
		return false
	}
	if s.conns == nil {
		s.conns = make(map[*serverConn]struct{})
	}
	if s.baseCtx == nil {
		s.baseCtx, s.cancelBase = context.WithCancel(context.Background())
	}
	c.ctx = s.baseCtx
	s.conns[c] = struct{}{}
	return true
}

// connGoneLocked returns a channel closed when the next connection ends.
func (s *Server) connGoneLocked() <-chan struct{} {
	if s.connGone == nil {
		s.connGone = make(chan struct{})
	}
	return s.connGone
}

// parseOptions returns the options received messages are parsed with.
func (s *Server) parseOptions() hl7.ParseOptions {
	o := s.ParseOptions
	if o.CharsetAliases == nil {
		o.CharsetAliases = s.CharsetAliases
		if o.CharsetAliases == nil {
			o.CharsetAliases = hl7.DefaultCharsetAliases()
		}
	}
	return o
}

// discardLogger stands in for a nil Logger.
var discardLogger = slog.New(slog.DiscardHandler)

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return discardLogger
	}
	return s.Logger
}
