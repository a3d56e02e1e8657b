package jobs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/vetlink/vetlink/hl7/nahln"
	"github.com/vetlink/vetlink/vetview"
)

// NAHLNSettings configure a job of kind "nahln-report". Secrets are never
// stored in the settings: they are read from the environment variables
// and files named here, on the server that runs the job.
type NAHLNSettings struct {
	// URL is the NAHLN receiver's endpoint. The kind's defaults leave it
	// empty (vetlink does not guess an endpoint); a run without one fails.
	URL string `json:"url"`
	// UsernameHeader and PasswordHeader name the request headers for the
	// credentials; Username is the user name and PasswordEnv the variable
	// holding the password.
	UsernameHeader string `json:"usernameHeader,omitempty"`
	PasswordHeader string `json:"passwordHeader,omitempty"`
	Username       string `json:"username,omitempty"`
	PasswordEnv    string `json:"passwordEnv,omitempty"`
	// BearerTokenEnv names the variable holding a bearer token.
	BearerTokenEnv string `json:"bearerTokenEnv,omitempty"`
	// CertFile and KeyFile are a client certificate for mutual TLS;
	// RootCAFile replaces the system roots for the receiver's certificate.
	CertFile   string `json:"certFile,omitempty"`
	KeyFile    string `json:"keyFile,omitempty"`
	RootCAFile string `json:"rootCAFile,omitempty"`
	// Batch is the most reports one run sends.
	Batch int `json:"batch"`
	// MaxAttempts is how often a report is tried before it is failed.
	MaxAttempts int `json:"maxAttempts"`
	// RetryMinutes is the wait after the first failed attempt; it doubles
	// with each further attempt, up to a day.
	RetryMinutes int `json:"retryMinutes"`
}

// Validate implements the settings check vetview runs on configuration.
func (s NAHLNSettings) Validate() error {
	switch {
	case s.URL != "" && !validURL(s.URL):
		return errors.New("url must be an absolute http or https URL")
	case s.Batch < 1 || s.MaxAttempts < 1 || s.RetryMinutes < 1:
		return errors.New("batch, maxAttempts and retryMinutes must be at least 1")
	case (s.UsernameHeader == "") != (s.PasswordHeader == ""):
		return errors.New("set usernameHeader and passwordHeader together")
	case (s.CertFile == "") != (s.KeyFile == ""):
		return errors.New("set certFile and keyFile together")
	}
	return nil
}

// NAHLNOptions are the collaborators of the NAHLN kind.
type NAHLNOptions struct {
	// Client sends the requests when the settings name no certificate
	// files; nil means the nahln.Sender default.
	Client *http.Client
	// Getenv reads the secrets' variables; nil means os.Getenv.
	Getenv func(string) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives one entry per attempt (report ID, status, attempt),
	// never report content; nil means none.
	Logger *slog.Logger
}

// nahlnLease is how long a claimed report is hidden from other runs while
// it is being sent.
const nahlnLease = 10 * time.Minute

// NAHLNReportKind is the job kind "nahln-report": each run claims up to
// Batch pending reports from st, builds each as OPU^R25, checks it against
// the NAHLN profile and posts it. The outcome is recorded per report:
// accepted (AA); rejected (AE/AR, with the ACK's errors; not retried, the
// report must be corrected and enqueued again); invalid (it does not build
// or fails the profile; never sent); or, when it is unknown whether NAHLN
// took it (network error, non-2xx, malformed ACK), pending again with a
// doubling delay, until MaxAttempts is reached and it is failed. A retry
// sends the same MSH-10, so the receiver can recognise a duplicate.
//
// The run returns an error naming the reports not delivered, so the job's
// status shows it.
func NAHLNReportKind(st HL7Store, opts NAHLNOptions) vetview.Kind[NAHLNSettings] {
	return vetview.Kind[NAHLNSettings]{
		Name:        "nahln-report",
		Title:       "Report results to NAHLN",
		Description: "Sends pending laboratory results to the USDA NAHLN network as HL7 2.6 OPU^R25 over HTTP, with retries.",
		Defaults:    NAHLNSettings{Batch: 20, MaxAttempts: 8, RetryMinutes: 5},
		Run: func(ctx context.Context, run vetview.RunInfo, s NAHLNSettings) error {
			return runNAHLN(ctx, st, opts, s)
		},
	}
}

func runNAHLN(ctx context.Context, st HL7Store, opts NAHLNOptions, s NAHLNSettings) error {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	if s.URL == "" {
		return errors.New("jobs: nahln-report: url is not set")
	}
	sender, err := s.sender(opts)
	if err != nil {
		return err
	}
	t := now().UTC()
	reports, err := st.ClaimNAHLNReports(ctx, t, t.Add(nahlnLease), s.Batch)
	if err != nil {
		return fmt.Errorf("jobs: nahln-report: claim: %w", err)
	}
	var undelivered []string
	for _, r := range reports {
		if ctx.Err() != nil {
			break // the claim lease returns the rest to the queue
		}
		a := attemptNAHLN(ctx, sender, r, s, now)
		if err := st.RecordNAHLNAttempt(ctx, r.ID, a); err != nil {
			return fmt.Errorf("jobs: nahln-report: record report %s: %w", r.ID, err)
		}
		if opts.Logger != nil {
			opts.Logger.LogAttrs(ctx, slog.LevelInfo, "nahln report attempt",
				slog.String("report", r.ID.String()), slog.String("status", string(a.Status)),
				slog.Int("attempt", r.Attempts+1), slog.String("ack", a.AckCode))
		}
		if a.Status == NAHLNPending || a.Status == NAHLNFailed {
			undelivered = append(undelivered, r.ID.String()+": "+a.Error)
		}
	}
	if len(undelivered) > 0 {
		return fmt.Errorf("jobs: nahln-report: %d of %d reports not delivered: %s", len(undelivered), len(reports), strings.Join(undelivered, "; "))
	}
	return ctx.Err()
}

// attemptNAHLN builds, checks and sends one report and says what became of
// it.
func attemptNAHLN(ctx context.Context, sender *nahln.Sender, r NAHLNReport, s NAHLNSettings, now func() time.Time) NAHLNAttempt {
	m, err := nahln.Build(r.Report)
	if err != nil {
		return NAHLNAttempt{At: now().UTC(), Status: NAHLNInvalid, Error: err.Error()}
	}
	if problems := nahln.ResultBase.Check(m); len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = p.Error()
		}
		return NAHLNAttempt{At: now().UTC(), Status: NAHLNInvalid, Error: strings.Join(msgs, "; ")}
	}
	ack, err := sender.Send(ctx, m)
	at := now().UTC()
	switch {
	case err != nil:
		a := NAHLNAttempt{At: at, Status: NAHLNPending, Error: err.Error()}
		if r.Attempts+1 >= s.MaxAttempts {
			a.Status = NAHLNFailed
		} else {
			a.NextAttemptAt = at.Add(retryDelay(s.RetryMinutes, r.Attempts+1))
		}
		return a
	case ack.Accepted():
		return NAHLNAttempt{At: at, Status: NAHLNAccepted, AckCode: string(ack.Code)}
	default:
		return NAHLNAttempt{At: at, Status: NAHLNRejected, AckCode: string(ack.Code), AckErrors: ack.Errors, Error: "NAHLN answered " + string(ack.Code) + " " + ack.Text}
	}
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// retryDelay is minutes·2^(attempts-1), at most a day.
func retryDelay(minutes, attempts int) time.Duration {
	d := time.Duration(minutes) * time.Minute
	for i := 1; i < attempts && d < 24*time.Hour; i++ {
		d *= 2
	}
	return min(d, 24*time.Hour)
}

func (s NAHLNSettings) sender(opts NAHLNOptions) (*nahln.Sender, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	auth := nahln.Auth{UsernameHeader: s.UsernameHeader, PasswordHeader: s.PasswordHeader, Username: s.Username}
	if s.PasswordEnv != "" {
		auth.Password = getenv(s.PasswordEnv)
	}
	if s.BearerTokenEnv != "" {
		if auth.BearerToken = getenv(s.BearerTokenEnv); auth.BearerToken == "" {
			return nil, fmt.Errorf("jobs: nahln-report: environment variable %s is empty", s.BearerTokenEnv)
		}
	}
	client := opts.Client
	if s.CertFile != "" || s.RootCAFile != "" {
		client = nil // the Sender builds a client with these TLS settings
		if s.CertFile != "" {
			cert, err := tls.LoadX509KeyPair(s.CertFile, s.KeyFile)
			if err != nil {
				return nil, fmt.Errorf("jobs: nahln-report: %w", err)
			}
			auth.Certificate = &cert
		}
		if s.RootCAFile != "" {
			pem, err := os.ReadFile(s.RootCAFile)
			if err != nil {
				return nil, fmt.Errorf("jobs: nahln-report: %w", err)
			}
			auth.RootCAs = x509.NewCertPool()
			if !auth.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("jobs: nahln-report: no certificate in %s", s.RootCAFile)
			}
		}
	}
	return &nahln.Sender{URL: s.URL, Auth: auth, Client: client}, nil
}
