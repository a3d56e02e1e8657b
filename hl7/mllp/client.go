package mllp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/vetlink/vetlink/hl7"
)

// ErrClientClosed is returned by Send after Close.
var ErrClientClosed = errors.New("mllp: Client closed")

// ErrNoControlID is returned by Send for a message without MSH-10: its
// acknowledgment could not be told from others.
var ErrNoControlID = errors.New("mllp: message has no control ID (MSH-10) to match its acknowledgment")

// ErrNegativeAck is wrapped by the *NegativeAckError that Send returns when
// the receiver answers AE, AR, CE or CR.
var ErrNegativeAck = errors.New("mllp: negative acknowledgment")

// NegativeAckError reports an acknowledgment that refuses a message.
type NegativeAckError struct {
	ControlID string      // MSH-10 of the message sent, echoed in MSA-2
	Code      hl7.AckCode // MSA-1: AE, AR, CE or CR
}

func (e *NegativeAckError) Error() string {
	return fmt.Sprintf("mllp: message %q answered with %s", e.ControlID, e.Code)
}

func (e *NegativeAckError) Unwrap() error { return ErrNegativeAck }

// Client sends messages to one MLLP receiver and waits for their
// acknowledgments, over a single connection that it opens on first use and
// opens again when it breaks.
//
// Send calls are serialized: one message is in flight at a time and the next
// is written only after the previous one's acknowledgment arrived, which is
// what MLLP receivers expect and keeps messages in order. A Client is safe
// for concurrent use; for parallel traffic use several Clients (several
// connections).
//
// Delivery is at least once: when a connection breaks after a message was
// written and before its acknowledgment was read, Send sends the message
// again on a new connection, and the receiver may see it twice. HL7
// receivers recognise duplicates by MSH-10.
//
// The zero value, with Addr, is a plain-TCP client without timeouts that
// retries until the context of Send is done. A Client must not be copied
// after first use.
type Client struct {
	// Addr is the receiver's "host:port".
	Addr string

	// TLSConfig, when set, makes the Client speak TLS. An empty ServerName
	// is taken from Addr; for mutual TLS put the client certificate in
	// Certificates.
	TLSConfig *tls.Config

	// Dialer opens connections; nil means a zero net.Dialer. Its Timeout
	// bounds connection set-up.
	Dialer *net.Dialer

	// ReadTimeout bounds the wait for an acknowledgment once the message is
	// written; when it passes, the connection is considered broken. Zero
	// means no limit other than the context's.
	ReadTimeout time.Duration

	// WriteTimeout bounds the time to write one message. Zero means no limit
	// other than the context's.
	WriteTimeout time.Duration

	// MaxFrameSize limits the size of an acknowledgment; zero means
	// DefaultMaxFrameSize.
	MaxFrameSize int

	// MaxAttempts is the number of times Send tries a message before giving
	// up with the last error; zero means no limit, until the context of Send
	// is done.
	MaxAttempts int

	// BackoffMin and BackoffMax bound the pause before each new attempt: it
	// starts around BackoffMin, doubles with each failure up to BackoffMax
	// and is randomized over its upper half. Zero means DefaultBackoffMin
	// and DefaultBackoffMax. There is no pause when a connection kept open
	// from an earlier Send turns out to be closed (receivers close idle
	// connections): the first new connection is tried at once.
	BackoffMin, BackoffMax time.Duration

	// Logger receives connection events and retries, with control IDs and
	// sizes, never message content. Nil means no logging.
	Logger *slog.Logger

	once sync.Once
	turn chan struct{} // holds a token while a Send is in flight

	mu     sync.Mutex // guards conn and closed, so Close can interrupt a Send
	conn   net.Conn
	closed bool
	rd     *Reader
	wr     *Writer
	dl     connDeadlines // used by the Send in flight only
}

// connDeadlines remembers the deadlines last set on a connection, so that
// a Send without timeouts does not set the same zero deadlines again (two
// calls into the network poller per message).
type connDeadlines struct {
	conn        net.Conn
	read, write time.Time
}

// Send writes msg and returns the acknowledgment whose MSA-2 matches msg's
// control ID (MSH-10). Acknowledgments of other messages (late answers to an
// earlier attempt) are skipped.
//
// A broken or unreachable connection is retried with backoff, within
// MaxAttempts and ctx. When the acknowledgment's MSA-1 is AE, AR, CE or CR,
// Send returns it together with a *NegativeAckError; resending such a
// message is for the caller to decide.
func (c *Client) Send(ctx context.Context, msg *hl7.Message) (*hl7.Message, error) {
	c.once.Do(func() { c.turn = make(chan struct{}, 1) })
	select {
	case c.turn <- struct{}{}:
		defer func() { <-c.turn }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}

	id := msg.Header().ControlID
	if id == "" {
		return nil, ErrNoControlID
	}
	payload := msg.Bytes()
	if err := checkPayload(payload); err != nil {
		return nil, err
	}
	log := discardLogger
	if c.Logger != nil {
		log = c.Logger.With("addr", c.Addr, "control_id", id)
	}

	var (
		lastErr error
		pauses  int  // retries that waited
		quick   bool // the last attempt broke an idle connection
	)
	for attempt := 1; c.MaxAttempts <= 0 || attempt <= c.MaxAttempts; attempt++ {
		if attempt > 1 && quick {
			// A connection that had been idle broke, most likely closed by the
			// receiver's idle timeout: try a new one at once.
			log.Info("mllp: connection lost, reconnecting", "error", lastErr)
		} else if attempt > 1 {
			pauses++
			delay := backoff(pauses, c.BackoffMin, c.BackoffMax)
			log.Warn("mllp: send failed, retrying", "attempt", attempt-1, "retry_in", delay, "error", lastErr)
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return nil, fmt.Errorf("%w (last error: %w)", ctx.Err(), lastErr)
			}
		}
		ack, reused, err := c.roundTrip(ctx, id, payload, log)
		quick = reused && !errors.Is(err, os.ErrDeadlineExceeded)
		switch {
		case err == nil:
			return ack, ackError(ack, id)
		case errors.Is(err, ErrClientClosed) || c.isClosed():
			return nil, ErrClientClosed
		case ctx.Err() != nil:
			return nil, fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		lastErr = err
	}
	return nil, fmt.Errorf("mllp: sending message %q failed after %d attempts: %w", id, c.MaxAttempts, lastErr)
}

// roundTrip writes one frame and reads up to the matching acknowledgment,
// reporting whether it used a connection opened earlier. Any error leaves the
// connection closed, so the next attempt starts afresh.
func (c *Client) roundTrip(ctx context.Context, id string, payload []byte, log *slog.Logger) (_ *hl7.Message, reused bool, err error) {
	conn, reused, err := c.connect(ctx, log)
	if err != nil {
		return nil, false, err
	}
	// Cancelling ctx interrupts a blocked read or write through the deadline;
	// a connection whose deadline was so spoiled is not reused. A context
	// that cannot be cancelled needs no watcher.
	stop := func() bool { return true }
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	}
	defer func() {
		if !stop() || err != nil {
			c.drop(conn)
		}
	}()
	if c.dl.conn != conn {
		c.dl = connDeadlines{conn: conn}
	}
	if t := c.deadline(ctx, c.WriteTimeout); t != c.dl.write {
		conn.SetWriteDeadline(t)
		c.dl.write = t
	}
	if err := c.wr.WriteFrame(payload); err != nil {
		return nil, reused, fmt.Errorf("mllp: writing message: %w", err)
	}
	if t := c.deadline(ctx, c.ReadTimeout); t != c.dl.read {
		conn.SetReadDeadline(t)
		c.dl.read = t
	}
	for {
		frame, err := c.rd.ReadFrame()
		if err != nil {
			return nil, reused, fmt.Errorf("mllp: waiting for the acknowledgment: %w", err)
		}
		ack, err := hl7.ParseOptions{Lenient: true, CharsetAliases: ackCharsetAliases}.Parse(frame)
		if err != nil {
			log.Warn("mllp: unparsable response skipped", "size", len(frame))
			continue
		}
		if got, _ := ack.Get("MSA-2"); got != id {
			log.Info("mllp: acknowledgment of another message skipped", "ack_for", got)
			continue
		}
		return ack, reused, nil
	}
}

// connect returns the open connection, dialing when there is none, and
// whether the connection was open already.
func (c *Client) connect(ctx context.Context, log *slog.Logger) (net.Conn, bool, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, false, ErrClientClosed
	}
	if c.conn != nil {
		conn := c.conn
		c.mu.Unlock()
		return conn, true, nil
	}
	c.mu.Unlock()

	conn, err := c.dial(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("mllp: connecting to %s: %w", c.Addr, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		conn.Close()
		return nil, false, ErrClientClosed
	}
	c.conn = conn
	c.rd = NewReader(conn, c.MaxFrameSize)
	c.wr = NewWriter(conn)
	log.Debug("mllp: connected", "local", conn.LocalAddr().String())
	return conn, false, nil
}

func (c *Client) dial(ctx context.Context) (net.Conn, error) {
	d := c.Dialer
	if d == nil {
		d = &net.Dialer{}
	}
	if c.TLSConfig == nil {
		return d.DialContext(ctx, "tcp", c.Addr)
	}
	td := &tls.Dialer{NetDialer: d, Config: c.TLSConfig}
	return td.DialContext(ctx, "tcp", c.Addr)
}

// drop closes conn and forgets it, if it is still the current connection.
func (c *Client) drop(conn net.Conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	conn.Close()
	if c.conn == conn {
		c.conn = nil
	}
}

func (c *Client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// Close closes the connection. A Send in progress fails with
// ErrClientClosed, and so do later ones.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.conn == nil {
		return nil
	}
	err := c.conn.Close()
	c.conn = nil
	return err
}

// deadline returns the earlier of now+timeout and ctx's deadline; zero
// when there is neither.
func (c *Client) deadline(ctx context.Context, timeout time.Duration) time.Time {
	var t time.Time
	if timeout > 0 {
		t = time.Now().Add(timeout)
	}
	if d, ok := ctx.Deadline(); ok && (t.IsZero() || d.Before(t)) {
		t = d
	}
	return t
}

// ackError returns a *NegativeAckError for AE, AR, CE and CR.
func ackError(ack *hl7.Message, id string) error {
	code, _ := ack.Get("MSA-1")
	switch hl7.AckCode(code) {
	case hl7.AE, hl7.AR, hl7.CE, hl7.CR:
		return &NegativeAckError{ControlID: id, Code: hl7.AckCode(code)}
	}
	return nil
}

// ackCharsetAliases lets the Client read acknowledgments whose MSH-18
// echoes a common spelling such as "ISO-8859-1". It is never modified.
var ackCharsetAliases = hl7.DefaultCharsetAliases()
