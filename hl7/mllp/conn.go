package mllp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/vetlink/vetlink/hl7"
)

// serverConn is one accepted connection of a Server.
type serverConn struct {
	srv *Server
	nc  net.Conn
	ctx context.Context // the Server's base context

	ackBuf []byte           // the Server's own acknowledgments are built here
	popts  hl7.ParseOptions // the Server's ParseOptions with its charset aliases

	mu       sync.Mutex
	idle     bool // waiting for the next frame (or the TLS handshake)
	deadline bool // a read deadline is set; without ReadTimeout none is, and setting none costs a call per message
}

// setIdle marks the connection as waiting for a frame and arms its read
// deadline, unless the Server is shutting down. Both happen under c.mu so
// that Shutdown cannot slip between the check and the deadline.
func (c *serverConn) setIdle() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.srv.inShutdown.Load() {
		return false
	}
	c.idle = true
	switch {
	case c.srv.ReadTimeout > 0:
		c.nc.SetReadDeadline(time.Now().Add(c.srv.ReadTimeout))
		c.deadline = true
	case c.deadline:
		c.nc.SetReadDeadline(time.Time{})
		c.deadline = false
	}
	return true
}

func (c *serverConn) setActive() {
	c.mu.Lock()
	c.idle = false
	c.mu.Unlock()
}

// interruptIfIdle wakes a connection blocked waiting for a frame, for
// Shutdown.
func (c *serverConn) interruptIfIdle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.idle {
		c.nc.SetReadDeadline(time.Unix(1, 0))
		c.deadline = true
	}
}

func (c *serverConn) serve() {
	s := c.srv
	remote := c.nc.RemoteAddr().String()
	log := s.logger().With("remote", remote)
	defer func() {
		c.nc.Close()
		s.trackConn(c, false)
	}()
	log.Debug("mllp: connection accepted")

	peer := Peer{RemoteAddr: c.nc.RemoteAddr(), LocalAddr: c.nc.LocalAddr()}
	if tc, ok := c.nc.(*tls.Conn); ok {
		if !c.setIdle() {
			return
		}
		if err := tc.HandshakeContext(c.ctx); err != nil {
			log.Warn("mllp: TLS handshake failed", "error", err)
			return
		}
		state := tc.ConnectionState()
		peer.TLS = &state
	}
	ctx := contextWithPeer(c.ctx, peer)

	c.popts = s.parseOptions()
	rd := NewReader(c.nc, s.MaxFrameSize)
	wr := NewWriter(c.nc)
	for {
		if !c.setIdle() {
			log.Debug("mllp: connection closed for shutdown")
			return
		}
		frame, err := rd.ReadFrame()
		c.setActive()
		var ferr *FrameError
		if errors.As(err, &ferr) && ferr.Err == ErrFrameTooLarge {
			// Reject it, so that the sender does not send it again and
			// again; the Reader skips the rest of the frame.
			if !c.rejectTooLarge(ctx, log, wr, ferr) {
				return
			}
			continue
		}
		if err != nil {
			c.logReadError(log, err, rd)
			return
		}
		if len(frame) == 0 {
			continue // an empty frame carries no message: some senders use it as a keep-alive
		}
		msg, rest := nextMessage(frame)
		if len(rest) > 0 {
			n := countMessages(frame)
			if s.RejectMultipleMessages {
				if !c.rejectMultiple(ctx, log, wr, frame, n) {
					return
				}
				continue
			}
			log.Info("mllp: frame holds several messages, answering each", "messages", n, "size", len(frame))
		}
		for {
			if !c.answer(ctx, log, wr, msg) {
				return
			}
			if len(rest) == 0 {
				break
			}
			msg, rest = nextMessage(rest)
		}
	}
}

// answer handles one message and writes its response, and reports whether
// the connection can go on.
func (c *serverConn) answer(ctx context.Context, log *slog.Logger, wr *Writer, msg []byte) bool {
	start := time.Now()
	out, attrs, level := c.respond(ctx, log, msg)
	if out == nil {
		log.Log(ctx, level, "mllp: message received, no response sent", attrs...)
		c.observe(len(msg), nil, false, start)
		return true
	}
	if c.srv.WriteTimeout > 0 {
		c.nc.SetWriteDeadline(time.Now().Add(c.srv.WriteTimeout))
	}
	if err := wr.WriteFrame(out); err != nil {
		log.Warn("mllp: writing response failed", append(attrs, "error", err)...)
		c.observe(len(msg), out, false, start)
		return false
	}
	c.observe(len(msg), out, true, start)
	log.Log(ctx, level, "mllp: message answered", append(attrs, "response_size", len(out), "duration", time.Since(start))...)
	return true
}

// nextMessage splits the first message off a frame that starts with MSH:
// it ends where a segment terminator (CR or LF) is followed by another
// MSH segment. A frame that does not start with MSH (a batch, or bytes
// that are no message) is returned whole, for the parser to judge.
func nextMessage(frame []byte) (msg, rest []byte) {
	if !bytes.HasPrefix(frame, []byte("MSH")) {
		return frame, nil
	}
	for i := 3; ; {
		j := bytes.Index(frame[i:], []byte("MSH"))
		if j < 0 {
			return frame, nil
		}
		p := i + j
		if t := frame[p-1]; (t == '\r' || t == '\n') && (p+3 == len(frame) || !isAlnum(frame[p+3])) {
			return frame[:p], frame[p:]
		}
		i = p + 3
	}
}

// countMessages returns the number of messages nextMessage finds in frame.
func countMessages(frame []byte) int {
	n := 0
	for len(frame) > 0 {
		_, frame = nextMessage(frame)
		n++
	}
	return n
}

func isAlnum(b byte) bool {
	return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
}

// rejectMultiple answers a frame of n messages with one rejection (AR, or
// CR in enhanced mode) of its first message, for a Server with
// RejectMultipleMessages, and reports whether the connection can go on.
// No handler runs.
func (c *serverConn) rejectMultiple(ctx context.Context, log *slog.Logger, wr *Writer, frame []byte, n int) bool {
	start := time.Now()
	hdr, herr := hl7.ReadHeader(frame)
	attrs := []any{"messages", n, "size", len(frame)}
	if herr == nil {
		attrs = append(attrs, "control_id", hdr.ControlID)
	}
	ack, err := c.srv.rejectACK(hdr, herr == nil, multipleAckError(n))
	if err != nil {
		log.Error("mllp: several messages in one frame, cannot build rejection", append(attrs, "ack_error", err)...)
		return false
	}
	if ack == nil {
		log.Warn("mllp: several messages in one frame, no response sent", attrs...)
		return true
	}
	if c.srv.WriteTimeout > 0 {
		c.nc.SetWriteDeadline(time.Now().Add(c.srv.WriteTimeout))
	}
	out := ack.Bytes()
	if err := wr.WriteFrame(out); err != nil {
		log.Warn("mllp: writing response failed", append(attrs, "error", err)...)
		c.observe(len(frame), out, false, start)
		return false
	}
	c.observe(len(frame), out, true, start)
	log.Warn("mllp: several messages in one frame, rejected", append(attrs, "ack", ackCode(ack), "response_size", len(out))...)
	return true
}

// rejectTooLarge answers a frame over the size limit and reports whether
// the connection can go on.
func (c *serverConn) rejectTooLarge(ctx context.Context, log *slog.Logger, wr *Writer, ferr *FrameError) bool {
	start := time.Now()
	hdr, herr := hl7.ReadHeader(ferr.Head())
	attrs := []any{"limit", ferr.Limit}
	if herr == nil {
		attrs = append(attrs, "control_id", hdr.ControlID)
	}
	ack, err := c.srv.rejectACK(hdr, herr == nil, tooLargeAckError(ferr.Limit))
	if err != nil {
		log.Error("mllp: message too large, cannot build rejection", append(attrs, "ack_error", err)...)
		return false
	}
	if ack == nil {
		log.Warn("mllp: message too large, no response sent", attrs...)
		return true
	}
	if c.srv.WriteTimeout > 0 {
		c.nc.SetWriteDeadline(time.Now().Add(c.srv.WriteTimeout))
	}
	out := ack.Bytes()
	if err := wr.WriteFrame(out); err != nil {
		log.Warn("mllp: writing response failed", append(attrs, "error", err)...)
		c.observe(ferr.Limit, out, false, start)
		return false
	}
	c.observe(ferr.Limit, out, true, start)
	log.Warn("mllp: message too large, rejected", append(attrs, "ack", ackCode(ack), "response_size", len(out))...)
	return true
}

func (c *serverConn) logReadError(log *slog.Logger, err error, rd *Reader) {
	var ferr *FrameError
	switch {
	case errors.Is(err, io.EOF):
		log.Debug("mllp: connection closed by peer", "discarded", rd.Discarded())
	case errors.As(err, &ferr):
		log.Warn("mllp: framing error, closing connection", "error", ferr, "discarded", rd.Discarded())
	case c.srv.inShutdown.Load():
		log.Debug("mllp: connection closed for shutdown")
	case errors.Is(err, os.ErrDeadlineExceeded):
		log.Info("mllp: read timeout, closing connection", "timeout", c.srv.ReadTimeout)
	default:
		log.Warn("mllp: read failed", "error", err)
	}
}

// respond parses a frame, runs the handler and returns the bytes of the
// message to send back (nil when none is to be sent), with log attributes
// that describe the exchange without its content and the level to log it
// at. The bytes are valid until the next call. Attributes are only built
// when the Server has a Logger.
func (c *serverConn) respond(ctx context.Context, log *slog.Logger, frame []byte) ([]byte, []any, slog.Level) {
	s := c.srv
	logging := s.Logger != nil
	var attrs []any
	if logging {
		attrs = []any{"size", len(frame)}
	}
	msg, err := c.popts.Parse(frame)
	if err != nil {
		hdr, herr := hl7.ReadHeader(frame)
		if herr == nil {
			attrs = append(attrs, "control_id", hdr.ControlID)
		}
		attrs = append(attrs, parseErrorAttrs(err)...)
		ack, err := s.rejectACK(hdr, herr == nil, parseAckError(err))
		if err != nil {
			return nil, append(attrs, "ack_error", err), slog.LevelError
		}
		if ack == nil {
			return nil, attrs, slog.LevelWarn
		}
		return ack.Bytes(), append(attrs, "ack", ackCode(ack)), slog.LevelWarn
	}
	hdr := msg.Header()
	if logging {
		attrs = append(attrs, "control_id", hdr.ControlID, "type", hdr.MessageType+"^"+hdr.TriggerEvent)
	}

	level := slog.LevelInfo
	resp, err := c.callHandler(ctx, msg)
	var code hl7.AckCode
	switch {
	case err != nil:
		// Not the error text: it may quote the message.
		if logging {
			attrs = append(attrs, "handler_error", true)
			if err == errHandlerPanic {
				attrs = append(attrs, "handler_panic", true)
			}
		}
		level = slog.LevelWarn
		if hdr.EnhancedMode() && !hdr.WantsAcceptACK(false) {
			return nil, attrs, level
		}
		code = errorCode(hdr)
	case resp == nil:
		if hdr.EnhancedMode() && !hdr.WantsAcceptACK(true) {
			return nil, attrs, level
		}
		code = okCode(hdr)
	default:
		if logging {
			attrs = append(attrs, "ack", ackCode(resp))
		}
		return resp.Bytes(), attrs, level
	}
	// The Server's own acknowledgment: built into the connection's buffer
	// when appendACK can, by hl7.NewACK otherwise.
	if out, ok := appendACK(c.ackBuf[:0], msg, hdr, code, s.ACKOptions); ok {
		if cap(out) <= maxRetainedBuffer {
			c.ackBuf = out
		}
		if logging {
			attrs = append(attrs, "ack", string(code))
		}
		return out, attrs, level
	}
	resp, err = hl7.NewACK(msg, code, s.ACKOptions)
	if err != nil {
		// The handler has run: the sender must hear of it, or it sends
		// the message again and the handler runs again. Answer from the
		// routing fields alone, as for a message that did not parse.
		if logging {
			attrs = append(attrs, "ack_error", err)
		}
		resp, err = headerACK(hdr, code, s.ACKOptions)
		if err != nil {
			return nil, append(attrs, "ack_error", err), slog.LevelError
		}
		level = slog.LevelWarn
	}
	if logging {
		attrs = append(attrs, "ack", ackCode(resp))
	}
	return resp.Bytes(), attrs, level
}

// callHandler runs the handler, turning a panic into an error so that one
// bad message does not take the process down. The panic value is not logged:
// it may quote the message.
func (c *serverConn) callHandler(ctx context.Context, msg *hl7.Message) (resp *hl7.Message, err error) {
	defer func() {
		if p := recover(); p != nil {
			resp, err = nil, errHandlerPanic
		}
	}()
	return c.srv.Handler(ctx, msg)
}

var errHandlerPanic = errors.New("mllp: handler panicked")

// parseErrorAttrs describes a parse error by its class and position only:
// the error text may quote the message.
func parseErrorAttrs(err error) []any {
	var perr *hl7.ParseError
	if !errors.As(err, &perr) {
		return []any{"parse_error", "unknown"}
	}
	attrs := []any{"parse_error", perr.Err.Error(), "offset", perr.Offset}
	if perr.Location.Segment != "" {
		attrs = append(attrs, "location", perr.Location.String())
	}
	return attrs
}

func okCode(h hl7.Header) hl7.AckCode {
	if h.EnhancedMode() {
		return hl7.CA
	}
	return hl7.AA
}

func errorCode(h hl7.Header) hl7.AckCode {
	if h.EnhancedMode() {
		return hl7.CE
	}
	return hl7.AE
}

func rejectCode(h hl7.Header) hl7.AckCode {
	if h.EnhancedMode() {
		return hl7.CR
	}
	return hl7.AR
}

// ackCode returns MSA-1 of a response, for the log.
func ackCode(m *hl7.Message) string {
	code, _ := m.Get("MSA-1")
	return code
}
