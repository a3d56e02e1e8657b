package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/vetlink/vetlink/hl7/nahln"
)

// ErrNAHLNReportNotFound is returned by HL7Store methods given an unknown
// report ID.
var ErrNAHLNReportNotFound = errors.New("jobs: NAHLN report not found")

// HL7Store is the durable state of the HL7 job kinds: the messages lab
// instruments sent (MLLPListenerKind) and the queue of NAHLN reports with
// the outcome of each (NAHLNReportKind). Package store implements it on
// SQLite and PostgreSQL; hl7jobstest.TestStore checks an implementation.
type HL7Store interface {
	// SaveInbound stores a received message, unless one with the same
	// Source, SendingFacility and ControlID is stored already: a sender
	// that lost our acknowledgment sends the message again. It reports
	// whether the message was new.
	SaveInbound(ctx context.Context, m InboundMessage) (stored bool, err error)
	// InboundMessages lists the messages of source received at or after
	// since, oldest first, at most limit of them.
	InboundMessages(ctx context.Context, source string, since time.Time, limit int) ([]InboundMessage, error)

	// EnqueueNAHLNReport adds a report to send, with status NAHLNPending
	// and due at r.NextAttemptAt.
	EnqueueNAHLNReport(ctx context.Context, r NAHLNReport) error
	// ClaimNAHLNReports leases up to limit pending reports due at or
	// before now, in one atomic step, by moving their NextAttemptAt to
	// until: a concurrent claim does not see them again before then. Due
	// reports come oldest first.
	ClaimNAHLNReports(ctx context.Context, now, until time.Time, limit int) ([]NAHLNReport, error)
	// RecordNAHLNAttempt records the outcome of one attempt to send a
	// pending report: one more attempt, its status, error and ACK. It
	// fails with ErrNAHLNReportNotFound if there is no pending report id.
	RecordNAHLNAttempt(ctx context.Context, id uuid.UUID, a NAHLNAttempt) error
	// NAHLNReport returns one report. It fails with ErrNAHLNReportNotFound.
	NAHLNReport(ctx context.Context, id uuid.UUID) (NAHLNReport, error)
}

// InboundMessage is an HL7 message received from a lab instrument.
type InboundMessage struct {
	ID                 uuid.UUID
	Source             string // the listener that received it
	SendingApplication string // MSH-3.1
	SendingFacility    string // MSH-4.1
	ControlID          string // MSH-10
	MessageType        string // MSH-9.1^MSH-9.2, e.g. "ORU^R01"
	RemoteAddr         string
	ReceivedAt         time.Time
	Data               []byte // the message as received (ER7)
}

// NAHLNStatus is where a report stands.
type NAHLNStatus string

// Report statuses. Only NAHLNPending reports are sent; the others are
// final.
const (
	NAHLNPending  NAHLNStatus = "pending"  // waiting for its next attempt
	NAHLNAccepted NAHLNStatus = "accepted" // NAHLN answered AA
	NAHLNRejected NAHLNStatus = "rejected" // NAHLN answered AE or AR; see AckErrors
	NAHLNInvalid  NAHLNStatus = "invalid"  // the report does not build or fails the profile; never sent
	NAHLNFailed   NAHLNStatus = "failed"   // not delivered after the last attempt allowed
)

// NAHLNReport is one report in the queue.
type NAHLNReport struct {
	ID            uuid.UUID
	Report        nahln.Report
	Status        NAHLNStatus
	Attempts      int
	CreatedAt     time.Time
	NextAttemptAt time.Time
	LastAttemptAt time.Time // zero before the first attempt
	LastError     string
	AckCode       string // MSA-1 of the last ACK
	AckErrors     []nahln.AckError
}

// NAHLNAttempt is the outcome of one attempt, for RecordNAHLNAttempt.
type NAHLNAttempt struct {
	At     time.Time
	Status NAHLNStatus
	// NextAttemptAt is when to try again, for Status NAHLNPending.
	NextAttemptAt time.Time
	Error         string
	AckCode       string
	AckErrors     []nahln.AckError
}
