package rxdoc

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
)

// ErrIncomplete reports a document that lacks what the law or the reader
// needs; the error names the element and the rule.
var ErrIncomplete = errors.New("rxdoc: document incomplete")

// Party is a person on a document: the prescriber or the client.
type Party struct {
	Name     string
	Business string
	// Address is the mailing address, one line per element.
	Address []string
	Phone   string
	Email   string
}

func (p Party) lines() []string {
	var out []string
	for _, s := range append([]string{p.Name, p.Business}, p.Address...) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	if p.Phone != "" {
		out = append(out, "Phone: "+p.Phone)
	}
	if p.Email != "" {
		out = append(out, "E-mail: "+p.Email)
	}
	return out
}

// Prescription is what the prescription PDF shows.
type Prescription struct {
	Rx         rx.Prescription
	Prescriber Party
	Client     Party
	// Findings are the AMDUCA classifications of Rx.Protocol's treatments
	// (protocol.Classify), by treatment index; a treatment without one
	// shows the class its protocol records (Treatment.Amduca).
	Findings []protocol.Classification
	// Animals identifies the animals treated so far (the cases enrolled),
	// for 21 CFR 530.12(c); the eligible classes are always shown.
	Animals []string
	// Made is when the document is made, printed on it and written as
	// the PDF's creation date; zero means now.
	Made time.Time
}

// treatmentView is one treatment with what the document says of it.
type treatmentView struct {
	t        *protocol.Treatment
	class    protocol.AmducaClass
	findings []protocol.Finding
	drug     string // established name
	meat     *protocol.Number
	milk     *protocol.Number
	classes  string
}

func (d *Prescription) treatments() []treatmentView {
	p := &d.Rx.Protocol
	out := make([]treatmentView, len(p.Treatments))
	for i := range p.Treatments {
		t := &p.Treatments[i]
		v := treatmentView{t: t, class: t.Amduca, drug: t.Product, meat: t.WtMeatHrs, milk: t.WtMilkHrs}
		if v.class == "" {
			v.class = protocol.Unclassified
		}
		for _, c := range d.Findings {
			if c.Treatment != i {
				continue
			}
			v.class, v.findings = c.Class, c.Findings
			if c.Label != nil && c.Label.Generic != "" {
				v.drug = c.Label.Generic + " (" + t.Product + ")"
			}
		}
		if v.meat == nil {
			v.meat = p.WtMeatHrs
		}
		if v.milk == nil {
			v.milk = p.WtMilkHrs
		}
		el := t.Eligibilities
		if len(el) == 0 {
			el = p.Eligibilities
		}
		var cs []string
		for _, e := range el {
			cs = append(cs, fmt.Sprintf("%s (%s)", e.Name, e.FDASpecies))
		}
		v.classes = strings.Join(cs, "; ")
		if v.classes == "" {
			v.classes = "not limited by the protocol"
		}
		out[i] = v
	}
	return out
}

func incomplete(element, rule string) error {
	return fmt.Errorf("%w: %s: %s", ErrIncomplete, element, rule)
}

// Check reports what the document cannot be made without: a prescription
// ID and treatments, the prescriber's and client's names, and for an
// extra-label (or unclassified) treatment what 21 CFR 530.12 requires on
// its label: the prescriber's address and a meat and milk withdrawal time.
func (d *Prescription) Check() error {
	switch {
	case d.Rx.ID == "":
		return incomplete("prescription id", "is required")
	case len(d.Rx.Protocol.Treatments) == 0:
		return incomplete("prescription "+d.Rx.ID, "has no treatment")
	case strings.TrimSpace(d.Prescriber.Name) == "":
		return incomplete("prescriber name", "is required")
	case strings.TrimSpace(d.Client.Name) == "":
		return incomplete("client name", "is required")
	}
	for i, v := range d.treatments() {
		if v.class == protocol.OnLabel {
			continue
		}
		if len(d.Prescriber.Address) == 0 {
			return incomplete(fmt.Sprintf("treatment %d (%s)", i+1, v.t.Product),
				"an extra-label use needs the prescriber's address on its label (21 CFR 530.12(a)); add the VOR's address")
		}
		if v.meat == nil || v.milk == nil {
			return incomplete(fmt.Sprintf("treatment %d (%s)", i+1, v.t.Product),
				"an extra-label use needs the veterinarian's meat and milk withdrawal times on its label (21 CFR 530.12(e))")
		}
	}
	return nil
}

// page is the fpdf document with the helpers the two documents share.
type page struct {
	*fpdf.Fpdf
	tr func(string) string
	w  float64 // usable width
}

func newPage(orientation, title string, made time.Time) *page {
	f := fpdf.New(orientation, "mm", "Letter", "")
	f.SetCreationDate(made)
	f.SetModificationDate(made)
	f.SetCatalogSort(true)
	f.SetTitle(title, true)
	f.SetCreator("vetlink rxdoc", true)
	f.SetMargins(15, 15, 15)
	f.SetAutoPageBreak(true, 18)
	f.AliasNbPages("{nb}")
	p := &page{Fpdf: f, tr: f.UnicodeTranslatorFromDescriptor("")}
	pw, _ := f.GetPageSize()
	p.w = pw - 30
	f.SetFooterFunc(func() {
		f.SetY(-13)
		f.SetFont("Helvetica", "", 8)
		f.CellFormat(0, 5, p.tr(fmt.Sprintf("%s - made %s - page %d of {nb}", title, made.UTC().Format("2006-01-02 15:04 UTC"), f.PageNo())), "", 0, "C", false, 0, "")
	})
	f.AddPage()
	return p
}

func (p *page) heading(s string) {
	p.keep(20)
	p.Ln(2)
	p.SetFont("Helvetica", "B", 11)
	p.SetFillColor(225, 232, 240)
	p.CellFormat(0, 7, p.tr(s), "", 1, "L", true, 0, "")
	p.Ln(1)
}

// field writes "Label: value" with the value wrapped beside its label.
func (p *page) field(label, value string) {
	const lw = 52
	p.SetFont("Helvetica", "", 9.5)
	p.keep(float64(len(p.SplitText(p.tr(value), p.w-lw))) * 5)
	p.SetFont("Helvetica", "B", 9.5)
	y := p.GetY()
	p.CellFormat(lw, 5, p.tr(label+":"), "", 0, "L", false, 0, "")
	p.SetFont("Helvetica", "", 9.5)
	p.SetXY(p.GetX(), y)
	p.MultiCell(p.w-lw, 5, p.tr(value), "", "L", false)
}

// keep starts a new page unless h mm fit above the bottom margin, so a
// label never stays behind its value.
func (p *page) keep(h float64) {
	_, ph := p.GetPageSize()
	_, _, _, bottom := p.GetMargins()
	if p.GetY()+h > ph-bottom {
		p.AddPage()
	}
}

func (p *page) para(s string) {
	p.SetFont("Helvetica", "", 9.5)
	p.MultiCell(0, 5, p.tr(s), "", "L", false)
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("January 2, 2006 15:04 UTC")
}

// WritePrescription writes the prescription as a PDF to w: prescriber and
// client, the protocol's treatments with dose, route, frequency and
// duration in words and numbers, refills and expiry, meat and milk
// withdrawal, the AMDUCA findings, and, for every extra-label treatment,
// its labeling under 21 CFR 530.12. It fails with ErrIncomplete when Check
// does, writing nothing.
func WritePrescription(w io.Writer, d Prescription) error {
	if err := d.Check(); err != nil {
		return err
	}
	if d.Made.IsZero() {
		d.Made = time.Now()
	}
	r := &d.Rx
	p := newPage("P", "Prescription "+r.ID, d.Made)
	p.SetFont("Helvetica", "B", 16)
	p.CellFormat(0, 9, p.tr("Veterinary prescription"), "", 1, "L", false, 0, "")
	p.SetFont("Helvetica", "", 10)
	p.CellFormat(0, 5, p.tr(fmt.Sprintf("Prescription %s - %s - written %s", r.ID, r.Status, dateText(r.Created))), "", 1, "L", false, 0, "")
	p.CellFormat(0, 5, p.tr("Federal law restricts this drug to use by or on the order of a licensed veterinarian."), "", 1, "L", false, 0, "")

	p.heading("Prescriber")
	p.para(strings.Join(d.Prescriber.lines(), "\n"))
	p.heading("Client")
	p.para(strings.Join(d.Client.lines(), "\n"))

	p.heading("Prescription")
	p.field("Protocol", r.Protocol.Name)
	p.field("Refills", fmt.Sprintf("%s; %s in all, %d used", counted(r.Refills, "refill"), counted(r.Fills(), "fill"), r.FillsUsed))
	exp := "does not expire"
	if !r.Expiration.IsZero() {
		exp = dateText(r.Expiration)
	}
	p.field("Expires", exp)
	p.field("Meat withdrawal", hours(r.Protocol.WtMeatHrs)+" after the last dose")
	p.field("Milk withdrawal", hours(r.Protocol.WtMilkHrs)+" after the last dose")
	if len(d.Animals) > 0 {
		p.field("Animals treated", strings.Join(d.Animals, ", "))
	}

	views := d.treatments()
	for i, v := range views {
		t := v.t
		p.heading(fmt.Sprintf("Treatment %d: %s", i+1, t.Product))
		p.field("Drug (established name)", v.drug)
		if t.NDC != "" {
			p.field("NDC / approval", t.NDC)
		}
		p.field("Dose", doseSize(t))
		p.field("Route", t.Route)
		p.field("Frequency", frequency(t.SequenceFunction))
		p.field("Duration", duration(t.SequenceFunction))
		if t.Dose != "" {
			p.field("Directions", t.Dose)
		}
		p.field("Class / species", v.classes)
		p.field("Meat withdrawal", hours(v.meat)+" after the last dose")
		p.field("Milk withdrawal", hours(v.milk)+" after the last dose")
		p.field("AMDUCA", amducaText(v.class))
		for _, f := range v.findings {
			p.field("  Finding", fmt.Sprintf("%s (%s)", f.Why, f.Citation))
		}
		if v.class != protocol.OnLabel {
			p.extraLabel(&d, v)
		}
	}

	p.heading("Cautionary statements")
	for _, s := range cautions(&r.Protocol, views) {
		p.para("- " + s)
	}
	if err := p.Output(w); err != nil {
		return fmt.Errorf("rxdoc: prescription %s: %w", r.ID, err)
	}
	return nil
}

func amducaText(c protocol.AmducaClass) string {
	switch c {
	case protocol.OnLabel:
		return "ONLABEL: used as its label directs"
	case protocol.OffLabel:
		return "OFFLABEL: extra-label use under AMDUCA (21 CFR 530)"
	}
	return "UNIDENTIFIED: no label claim found; labeled as an extra-label use"
}

// extraLabel writes the label 21 CFR 530.12 requires for an extra-label
// use, element by element, in a box.
func (p *page) extraLabel(d *Prescription, v treatmentView) {
	p.Ln(1)
	p.keep(90) // the label is kept on one page
	p.SetDrawColor(160, 30, 30)
	x, y := p.GetXY()
	p.SetFont("Helvetica", "B", 10)
	p.CellFormat(0, 6, p.tr("Extra-label use labeling (21 CFR 530.12)"), "", 1, "L", false, 0, "")
	pr := d.Prescriber
	p.field("(a) Prescriber", strings.Join(append([]string{pr.Name}, pr.Address...), ", "))
	p.field("(b) Established name", v.drug)
	animals := "Class/species: " + v.classes
	if len(d.Animals) > 0 {
		animals += "; animals: " + strings.Join(d.Animals, ", ")
	}
	p.field("(c) Directions for use", animals)
	p.field("    Dose", doseSize(v.t))
	p.field("    Frequency", frequency(v.t.SequenceFunction))
	p.field("    Route", v.t.Route)
	p.field("    Duration of therapy", duration(v.t.SequenceFunction))
	p.field("(d) Cautionary statements", strings.Join(treatmentCautions(&d.Rx.Protocol, v), " "))
	p.field("(e) Withdrawal time", fmt.Sprintf("meat %s; milk %s, after the last dose", hours(v.meat), hours(v.milk)))
	p.Rect(x-1, y-1, p.w+2, p.GetY()-y+2, "D")
	p.Ln(2)
}

// treatmentCautions are the cautionary statements of one treatment.
func treatmentCautions(pr *protocol.Protocol, v treatmentView) []string {
	out := []string{"Extra-label use: do not use in animals other than those identified; the withdrawal time above is set by the prescribing veterinarian and overrides any on the manufacturer's label."}
	if v.t.WtNote != "" {
		out = append(out, v.t.WtNote)
	}
	if v.t.Note != "" {
		out = append(out, plain(v.t.Note))
	}
	return out
}

// cautions are the document's cautionary statements: the protocol's
// restrictions and contraindications and each treatment's notes.
func cautions(pr *protocol.Protocol, views []treatmentView) []string {
	var out []string
	if pr.Instructions != nil && pr.Instructions.Restrictions != "" {
		out = append(out, plain(pr.Instructions.Restrictions))
	}
	if pr.CaseDefinition != nil && pr.CaseDefinition.Contraindications != "" {
		out = append(out, "Contraindications: "+plain(pr.CaseDefinition.Contraindications))
	}
	for i, v := range views {
		if v.t.WtNote != "" {
			out = append(out, fmt.Sprintf("Treatment %d: %s", i+1, v.t.WtNote))
		}
	}
	out = append(out, "Do not sell meat or milk from treated animals before the withdrawal times above have passed.",
		"Keep this prescription and the treatment records for two years (21 CFR 530.5(b)).")
	return out
}
