package mllp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vetlink/vetlink/hl7"
)

func acceptAll(context.Context, *hl7.Message) (*hl7.Message, error) { return nil, nil }

func TestClientSend(t *testing.T) {
	t.Parallel()
	addr := serve(t, &Server{Handler: func(ctx context.Context, m *hl7.Message) (*hl7.Message, error) {
		if id, _ := m.Get("MSH-10"); id == "BAD" {
			return nil, errors.New("refused")
		}
		return nil, nil
	}})
	c := &Client{Addr: addr}
	defer c.Close()

	ack, err := c.Send(context.Background(), message(t, "GOOD"))
	if err != nil {
		t.Fatalf("Send() error = %v", err)
	}
	if got := get(t, ack, "MSA-1") + " " + get(t, ack, "MSA-2"); got != "AA GOOD" {
		t.Errorf("MSA-1 MSA-2 = %q, want %q", got, "AA GOOD")
	}

	ack, err = c.Send(context.Background(), message(t, "BAD"))
	var nak *NegativeAckError
	if !errors.As(err, &nak) || !errors.Is(err, ErrNegativeAck) || *nak != (NegativeAckError{ControlID: "BAD", Code: hl7.AE}) {
		t.Fatalf("Send() error = %v, want a NegativeAckError for BAD with AE", err)
	}
	if ack == nil || get(t, ack, "MSA-1") != "AE" {
		t.Fatalf("Send() did not return the AE acknowledgment with its error")
	}
	if got, want := err.Error(), `mllp: message "BAD" answered with AE`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// fakeReceiver is a hand-written MLLP receiver whose behaviour for each
// connection (numbered from 1) the test chooses.
func fakeReceiver(t *testing.T, onConn func(n int, c *rawConn)) (addr string, conns *atomic.Int32) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns = new(atomic.Int32)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		open []net.Conn
	)
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, nc := range open {
			nc.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			open = append(open, nc)
			mu.Unlock()
			n := int(conns.Add(1))
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer nc.Close()
				onConn(n, &rawConn{t: t, nc: nc, rd: NewReader(nc, 0), wr: NewWriter(nc)})
			}()
		}
	}()
	return l.Addr().String(), conns
}

// ackFor answers a received frame: an AA acknowledgment, or one for another
// control ID.
func ackFor(c *rawConn, frame []byte, controlID string) {
	m, err := hl7.Parse(frame)
	if err != nil {
		c.t.Errorf("receiver: %v", err)
		return
	}
	if controlID != "" {
		m.Set("MSH-10", controlID)
	}
	ack, err := hl7.NewACK(m, hl7.AA, hl7.ACKOptions{})
	if err != nil {
		c.t.Errorf("receiver: %v", err)
		return
	}
	c.wr.WriteFrame(ack.Bytes())
}

func TestClientReconnectsAfterBrokenConnection(t *testing.T) {
	t.Parallel()
	addr, conns := fakeReceiver(t, func(n int, c *rawConn) {
		for {
			frame, err := c.rd.ReadFrame()
			if err != nil {
				return
			}
			if n == 1 {
				return // the first connection breaks before the ACK
			}
			ackFor(c, frame, "")
		}
	})
	c := &Client{Addr: addr, BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond}
	defer c.Close()
	ack, err := c.Send(context.Background(), message(t, "R1"))
	if err != nil {
		t.Fatalf("Send() error = %v", err)
	}
	if got := get(t, ack, "MSA-2"); got != "R1" {
		t.Errorf("MSA-2 = %q, want R1", got)
	}
	if _, err := c.Send(context.Background(), message(t, "R2")); err != nil {
		t.Fatalf("second Send() error = %v", err)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2 (the broken one and its replacement, reused)", n)
	}
}

// A connection the receiver closed while it was idle is replaced at once,
// without the backoff pause.
func TestClientReconnectsAtOnceAfterIdleClose(t *testing.T) {
	t.Parallel()
	addr := serve(t, &Server{ReadTimeout: 50 * time.Millisecond, Handler: acceptAll})
	c := &Client{Addr: addr, BackoffMin: 10 * time.Second}
	defer c.Close()
	if _, err := c.Send(context.Background(), message(t, "I1")); err != nil {
		t.Fatalf("Send() error = %v", err)
	}
	time.Sleep(200 * time.Millisecond) // the server closes the idle connection
	start := time.Now()
	if _, err := c.Send(context.Background(), message(t, "I2")); err != nil {
		t.Fatalf("Send() after the idle close: error = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Send() took %v, want an immediate reconnection", d)
	}
}

// An ACK timeout counts as a broken connection: the message is sent again on
// a new one.
func TestClientReadTimeoutResends(t *testing.T) {
	t.Parallel()
	addr, conns := fakeReceiver(t, func(n int, c *rawConn) {
		for {
			frame, err := c.rd.ReadFrame()
			if err != nil {
				return
			}
			if n > 1 {
				ackFor(c, frame, "")
			}
		}
	})
	c := &Client{Addr: addr, ReadTimeout: 100 * time.Millisecond, BackoffMin: time.Millisecond}
	defer c.Close()
	if _, err := c.Send(context.Background(), message(t, "T1")); err != nil {
		t.Fatalf("Send() error = %v", err)
	}
	if n := conns.Load(); n < 2 {
		t.Errorf("%d connections, want a new one after the timeout", n)
	}
}

func TestClientSkipsAcksOfOtherMessages(t *testing.T) {
	t.Parallel()
	addr, _ := fakeReceiver(t, func(n int, c *rawConn) {
		frame, err := c.rd.ReadFrame()
		if err != nil {
			return
		}
		c.wr.WriteFrame([]byte("not an ACK"))
		ackFor(c, frame, "EARLIER")
		ackFor(c, frame, "")
	})
	c := &Client{Addr: addr}
	defer c.Close()
	ack, err := c.Send(context.Background(), message(t, "M1"))
	if err != nil {
		t.Fatalf("Send() error = %v", err)
	}
	if got := get(t, ack, "MSA-2"); got != "M1" {
		t.Errorf("MSA-2 = %q, want M1", got)
	}
}

func TestClientStopsWhenContextIsDone(t *testing.T) {
	t.Parallel()
	addr, _ := fakeReceiver(t, func(n int, c *rawConn) {
		for {
			if _, err := c.rd.ReadFrame(); err != nil {
				return // never answers
			}
		}
	})
	c := &Client{Addr: addr}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Send(ctx, message(t, "C1"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send() error = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Send() returned after %v, want about 100ms", d)
	}

	// Cancellation without a deadline interrupts the wait too.
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := c.Send(ctx, message(t, "C2")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Send() error = %v, want context.Canceled", err)
	}
}

func TestClientMaxAttempts(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there any more
	c := &Client{Addr: addr, MaxAttempts: 3, BackoffMin: time.Millisecond, BackoffMax: 2 * time.Millisecond}
	_, err = c.Send(context.Background(), message(t, "X1"))
	var opErr *net.OpError
	if err == nil || !errors.As(err, &opErr) {
		t.Fatalf("Send() error = %v, want the dial error", err)
	}
	if want := `mllp: sending message "X1" failed after 3 attempts: mllp: connecting to ` + addr; len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
		t.Errorf("Send() error = %q, want it to start with %q", err, want)
	}
}

func TestClientCloseInterruptsSend(t *testing.T) {
	t.Parallel()
	received := make(chan struct{})
	addr, _ := fakeReceiver(t, func(n int, c *rawConn) {
		if _, err := c.rd.ReadFrame(); err == nil {
			close(received)
		}
		c.rd.ReadFrame() // until the client goes
	})
	c := &Client{Addr: addr}
	go func() { <-received; c.Close() }()
	if _, err := c.Send(context.Background(), message(t, "Z1")); !errors.Is(err, ErrClientClosed) {
		t.Fatalf("Send() error = %v, want ErrClientClosed", err)
	}
	if _, err := c.Send(context.Background(), message(t, "Z2")); !errors.Is(err, ErrClientClosed) {
		t.Fatalf("Send() after Close error = %v, want ErrClientClosed", err)
	}
}

func TestClientRefusesMessageWithoutControlID(t *testing.T) {
	t.Parallel()
	c := &Client{Addr: "127.0.0.1:1"}
	if _, err := c.Send(context.Background(), message(t, "")); !errors.Is(err, ErrNoControlID) {
		t.Fatalf("Send() of a message without MSH-10: error = %v, want ErrNoControlID", err)
	}
}

// Concurrent Sends share one connection, one message in flight at a time,
// and each gets its own acknowledgment.
func TestClientConcurrentSends(t *testing.T) {
	t.Parallel()
	var pipelined atomic.Int32
	addr, conns := fakeReceiver(t, func(n int, c *rawConn) {
		for {
			c.nc.SetReadDeadline(time.Time{})
			frame, err := c.rd.ReadFrame()
			if err != nil {
				return
			}
			// Nothing more may arrive before this message is answered.
			c.nc.SetReadDeadline(time.Now().Add(2 * time.Millisecond))
			if _, err := c.rd.ReadFrame(); !errors.Is(err, os.ErrDeadlineExceeded) {
				pipelined.Add(1)
				return
			}
			ackFor(c, frame, "")
		}
	})
	c := &Client{Addr: addr}
	defer c.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			id := fmt.Sprintf("CC%02d", i)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			ack, err := c.Send(ctx, message(t, id))
			if err == nil && get(t, ack, "MSA-2") != id {
				err = fmt.Errorf("ACK for %q answers %s", get(t, ack, "MSA-2"), id)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := pipelined.Load(); n != 0 {
		t.Errorf("a message was written before the previous one was acknowledged")
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}
