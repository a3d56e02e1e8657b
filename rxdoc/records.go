package rxdoc

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/vetlink/vetlink/rx"
)

// Records is the treatment-record export of 21 CFR 530.5 as a PDF: the
// same rows rx.WriteCSV writes, for an inspector who reads paper.
type Records struct {
	// Farm is the client whose records these are.
	Farm Party
	// From and To bound when the doses were given, [From, To).
	From, To time.Time
	Rows     []rx.Record
	// Made is when the export is made; zero means now.
	Made time.Time
}

// recordColumns are the columns of the records table: what 530.5(a)
// requires, in mm on a landscape Letter page (249 mm usable).
var recordColumns = []struct {
	title string
	width float64
	value func(r *rx.Record) string
}{
	{"Animal", 24, func(r *rx.Record) string {
		s := r.AnimalID
		if r.Head > 1 {
			s += " (" + strconv.Itoa(r.Head) + " head)"
		}
		if len(r.Members) > 0 {
			s += ": " + strings.Join(r.Members, ", ")
		}
		return s
	}},
	{"Species", 18, func(r *rx.Record) string { return r.Species }},
	{"Condition", 26, func(r *rx.Record) string { return r.Condition }},
	{"Drug", 30, func(r *rx.Record) string { return r.Drug }},
	{"Dose", 20, func(r *rx.Record) string {
		if r.Volume != "" {
			return r.Dose + " (" + r.Volume + ")"
		}
		return r.Dose
	}},
	{"Route", 11, func(r *rx.Record) string { return r.Route }},
	{"Given", 24, func(r *rx.Record) string { return stamp(r.Given) }},
	{"Given by", 22, func(r *rx.Record) string { return r.Administrator }},
	{"Prescriber", 22, func(r *rx.Record) string { return r.Prescriber + " (" + r.RxID + ")" }},
	{"Meat until", 24, func(r *rx.Record) string { return stamp(r.MeatUntil) }},
	{"Milk until", 24, func(r *rx.Record) string { return stamp(r.MilkUntil) }},
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// WriteRecords writes the records as a PDF table to w, one row per dose
// given, with the farm and period in the heading; rows are kept whole
// across pages, and the header repeats on each page.
func WriteRecords(w io.Writer, d Records) error {
	if !d.From.Before(d.To) {
		return incomplete("records from "+stamp(d.From), "must be before to "+stamp(d.To))
	}
	if d.Made.IsZero() {
		d.Made = time.Now()
	}
	p := newPage("L", "Treatment records", d.Made)
	p.SetFont("Helvetica", "B", 14)
	p.CellFormat(0, 8, p.tr("Treatment records (21 CFR 530.5)"), "", 1, "L", false, 0, "")
	p.SetFont("Helvetica", "", 9.5)
	p.CellFormat(0, 5, p.tr(fmt.Sprintf("%s - doses given from %s to %s (UTC) - %d records",
		strings.Join(d.Farm.lines(), ", "), stamp(d.From), stamp(d.To), len(d.Rows))), "", 1, "L", false, 0, "")
	p.CellFormat(0, 5, p.tr("Records of extra-label use must be kept for two years (21 CFR 530.5(b)). Times in UTC."), "", 1, "L", false, 0, "")
	p.Ln(2)
	header := func() {
		p.SetFont("Helvetica", "B", 8)
		p.SetFillColor(225, 232, 240)
		for _, c := range recordColumns {
			p.CellFormat(c.width, 6, p.tr(c.title), "1", 0, "L", true, 0, "")
		}
		p.Ln(-1)
	}
	header()
	p.SetFont("Helvetica", "", 7.5)
	const lh = 3.6
	_, ph := p.GetPageSize()
	for i := range d.Rows {
		r := &d.Rows[i]
		cells := make([][]string, len(recordColumns))
		lines := 1
		for j, c := range recordColumns {
			cells[j] = p.SplitText(p.tr(c.value(r)), c.width-2)
			lines = max(lines, len(cells[j]))
		}
		h := float64(lines)*lh + 1.5
		if p.GetY()+h > ph-18 {
			p.AddPage()
			header()
			p.SetFont("Helvetica", "", 7.5)
		}
		x, y := p.GetXY()
		for j, c := range recordColumns {
			p.Rect(x, y, c.width, h, "D")
			for k, line := range cells[j] {
				p.SetXY(x+1, y+0.75+float64(k)*lh)
				p.CellFormat(c.width-2, lh, line, "", 0, "L", false, 0, "")
			}
			x += c.width
		}
		p.SetXY(15, y+h)
	}
	if len(d.Rows) == 0 {
		p.para("No doses were recorded as given in this period.")
	}
	if err := p.Output(w); err != nil {
		return fmt.Errorf("rxdoc: records: %w", err)
	}
	return nil
}
