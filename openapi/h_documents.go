package openapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	vmail "github.com/vetlink/vetlink/mail"
	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rxdoc"
	"github.com/vetlink/vetlink/site"
)

// Documents makes the PDF of a prescription (package rxdoc) from the
// domain services: the API serves it to whoever may read the prescription
// (getPrescription with Accept: application/pdf), and the mail outbox
// attaches it (Resolve).
type Documents struct {
	Rx   *rx.Service
	Site *site.Service
	// Now is the clock printed on the document; nil means time.Now.
	Now func() time.Time
}

// prescriptionSource names a prescription's PDF in a mail's attachment
// (vmail.Attachment.Source).
const prescriptionSource = "prescription:"

// PrescriptionPDF makes the PDF of prescription id if a may read it (the
// rx rules of getPrescription).
func (d *Documents) PrescriptionPDF(ctx context.Context, a rx.Actor, id string) ([]byte, error) {
	p, err := d.Rx.Prescription(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return d.render(ctx, p)
}

// Resolve makes the attachment a queued mail names: "prescription:<id>".
// It reads the store directly: the mail was queued by someone allowed to,
// and is addressed only to the prescription's VOR and client.
func (d *Documents) Resolve(ctx context.Context, source string) (vmail.Attachment, error) {
	id, ok := strings.CutPrefix(source, prescriptionSource)
	if !ok {
		return vmail.Attachment{}, fmt.Errorf("openapi: attachment source %q: unknown kind", source)
	}
	p, err := d.Rx.Store.Prescription(ctx, id, false)
	if err != nil {
		return vmail.Attachment{}, err
	}
	b, err := d.render(ctx, p)
	if err != nil {
		return vmail.Attachment{}, err
	}
	return vmail.Attachment{Name: pdfName(p.ID), ContentType: "application/pdf", Data: b}, nil
}

func pdfName(id string) string { return "prescription-" + id + ".pdf" }

// render gathers what the document shows (the parties with their
// addresses, the AMDUCA findings, the animals of the cases) and makes it.
func (d *Documents) render(ctx context.Context, p rx.Prescription) ([]byte, error) {
	vor, err := d.party(ctx, p.VOR)
	if err != nil {
		return nil, err
	}
	mor, err := d.party(ctx, p.MOR)
	if err != nil {
		return nil, err
	}
	claims, err := d.Rx.LabelClaims(ctx)
	if err != nil {
		return nil, err
	}
	doc := rxdoc.Prescription{Rx: p, Prescriber: vor, Client: mor,
		Findings: protocol.Classify(&p.Protocol, claims, protocol.Use{})}
	if len(claims) == 0 {
		// Without label claims nothing can be classified: the document
		// shows the classes the protocol records, not a blanket
		// UNIDENTIFIED.
		doc.Findings = nil
	}
	cases, err := d.Rx.Store.Cases(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range cases {
		if c.AnimalID != "" {
			doc.Animals = append(doc.Animals, c.AnimalID)
		}
	}
	if d.Now != nil {
		doc.Made = d.Now()
	}
	var b bytes.Buffer
	if err := rxdoc.WritePrescription(&b, doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// party is user id as a document names them, with their address when
// they have one.
func (d *Documents) party(ctx context.Context, id rx.UserID) (rxdoc.Party, error) {
	u, err := d.Rx.Store.User(ctx, id)
	if err != nil {
		return rxdoc.Party{}, fmt.Errorf("openapi: user %d of a prescription: %w", id, err)
	}
	pt := rxdoc.Party{Name: u.Name(), Phone: u.Phone, Email: u.Email}
	ad, err := d.Site.Store.Address(ctx, id)
	switch {
	case errors.Is(err, rx.ErrNotFound):
	case err != nil:
		return rxdoc.Party{}, err
	default:
		pt.Business = ad.BusName
		for _, l := range []string{ad.Address1, ad.Address2, strings.TrimSpace(ad.Town + ", " + ad.State + " " + ad.Zip), ad.Country} {
			if l = strings.Trim(strings.TrimSpace(l), ","); l != "" {
				pt.Address = append(pt.Address, l)
			}
		}
	}
	return pt, nil
}

// pdfProblem is the pdfError of a prescribe whose document could not be
// made: the prescription is stored and its mail is retried.
func pdfProblem(err error) *ProblemDetails {
	detail := err.Error() + "; the prescription is stored, and the mail is sent once the document can be made"
	if !errors.Is(err, rxdoc.ErrIncomplete) {
		detail = "the prescription's PDF could not be made; the prescription is stored, and the mail is retried"
	}
	typ := "invalid"
	return &ProblemDetails{Status: http.StatusUnprocessableEntity, Title: http.StatusText(http.StatusUnprocessableEntity), ErrorType: &typ, Detail: &detail}
}

type acceptKey struct{}

// withAccept keeps the request's Accept header in its context, for the
// operations that answer more than one media type (getPrescription).
func withAccept(f StrictHandlerFunc, operationID string) StrictHandlerFunc {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, request any) (any, error) {
		return f(context.WithValue(ctx, acceptKey{}, r.Header.Get("Accept")), w, r, request)
	}
}

// acceptsPDF reports whether the request's Accept header prefers
// application/pdf to application/json: it names application/pdf with a
// weight above JSON's (a missing type weighs 0).
func acceptsPDF(ctx context.Context) bool {
	h, _ := ctx.Value(acceptKey{}).(string)
	var pdf, json float64 = -1, 0
	for _, part := range strings.Split(h, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if _, err := fmt.Sscanf(s, "%g", &q); err != nil {
				continue
			}
		}
		switch mt {
		case "application/pdf":
			pdf = max(pdf, q)
		case "application/json":
			json = max(json, q)
		}
	}
	return pdf > 0 && pdf > json
}

// prescriptionPDFResponse answers getPrescription as a PDF.
func (h *API) prescriptionPDF(ctx context.Context, a rx.Actor, id string) (GetPrescription200ApplicationpdfResponse, error) {
	b, err := h.documents().PrescriptionPDF(ctx, a, id)
	if errors.Is(err, rxdoc.ErrIncomplete) {
		// What the document lacks is the prescriber's to add (422), not
		// a failure of the server.
		err = fmt.Errorf("%w: %w", rx.ErrInvalid, err)
	}
	if err != nil {
		return GetPrescription200ApplicationpdfResponse{}, err
	}
	return GetPrescription200ApplicationpdfResponse{Body: bytes.NewReader(b), ContentLength: int64(len(b))}, nil
}

func (h *API) documents() *Documents {
	return &Documents{Rx: h.cfg.Rx, Site: h.cfg.Site}
}
