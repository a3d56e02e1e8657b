package mllp

import (
	"bytes"
	"time"
)

// Observer is told about every message a [Server] answers, for metrics.
// Set it in Server.Observer; nil observes nothing. mllp imports no
// telemetry library: a program adapts these calls to its own.
//
// MessageAnswered is called on the connection's goroutine after the
// response was written (or after deciding to send none); connections call
// it concurrently, so it must be safe for concurrent use and return
// quickly.
type Observer interface {
	MessageAnswered(e MessageEvent)
}

// ObserverFunc adapts a function to an [Observer].
type ObserverFunc func(e MessageEvent)

// MessageAnswered calls f(e).
func (f ObserverFunc) MessageAnswered(e MessageEvent) { f(e) }

// MessageEvent describes one received message and its answer. It carries
// no message content.
type MessageEvent struct {
	// Listener is Server.Name, or the local address the message came in
	// on when the Server has no name.
	Listener string
	// Code is MSA-1 of the response sent: AA, AE or AR (CA, CE or CR in
	// enhanced mode), or another code a handler chose. It is "" when no
	// response was sent (enhanced mode not asking for one) or the
	// response's MSA-1 could not be read.
	Code string
	// Written reports whether a response was written to the connection;
	// false with a Code means writing it failed.
	Written bool
	// Size is the size of the received message in bytes.
	Size int
	// Duration is the time from the message's arrival to its response's
	// write.
	Duration time.Duration
}

// observe reports one answered message to s.Observer.
func (c *serverConn) observe(size int, resp []byte, written bool, start time.Time) {
	s := c.srv
	if s.Observer == nil {
		return
	}
	listener := s.Name
	if listener == "" {
		listener = c.nc.LocalAddr().String()
	}
	s.Observer.MessageAnswered(MessageEvent{
		Listener: listener,
		Code:     msaCode(resp),
		Written:  written,
		Size:     size,
		Duration: time.Since(start),
	})
}

// msaCode returns MSA-1 of an encoded HL7 message, or "" when it has no
// MSA segment. The field separator is MSH-1, the byte after "MSH".
func msaCode(msg []byte) string {
	if len(msg) < 4 || !bytes.HasPrefix(msg, []byte("MSH")) {
		return ""
	}
	sep := msg[3]
	for rest := msg; len(rest) > 0; {
		i := bytes.IndexAny(rest, "\r\n")
		seg := rest
		if i >= 0 {
			seg, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if len(seg) > 4 && bytes.HasPrefix(seg, []byte("MSA")) && seg[3] == sep {
			f := seg[4:]
			if j := bytes.IndexByte(f, sep); j >= 0 {
				f = f[:j]
			}
			// A component separator ends the value too (MSA-1 has none).
			if len(msg) > 4 {
				if j := bytes.IndexByte(f, msg[4]); j >= 0 {
					f = f[:j]
				}
			}
			return string(f)
		}
	}
	return ""
}
