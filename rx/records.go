package rx

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
)

// Record is one drug administration as 21 CFR 530.5(a) asks an extra-label
// (and good on-label) treatment record to show: the animal and its
// species, the condition treated, the drug, dose and route, when it was
// given, who gave it, who prescribed it, and the withdrawal that follows.
// Records must be kept for two years (530.5(b)); Service.Records lists
// them and WriteCSV or encoding/json writes them for an inspector.
type Record struct {
	AnimalID string `json:"animalId"`
	Head     int    `json:"head"`
	// Members are the animals of a group case, when the farm listed them.
	Members   []string  `json:"members,omitempty"`
	Species   string    `json:"species"`
	Condition string    `json:"condition"`
	Drug      string    `json:"drug"`
	Dose      string    `json:"dose"`
	Volume    string    `json:"volume,omitempty"`
	Route     string    `json:"route"`
	Given     time.Time `json:"given"`
	Planned   time.Time `json:"planned"`
	// Administrator is the user who recorded the dose as given.
	Administrator   string    `json:"administrator"`
	AdministratorID UserID    `json:"administratorId"`
	Prescriber      string    `json:"prescriber"`
	PrescriberID    UserID    `json:"prescriberId"`
	RxID            string    `json:"rxId"`
	CaseID          int64     `json:"caseId"`
	TaskID          int64     `json:"taskId"`
	MeatUntil       time.Time `json:"wtMeatUntil"`
	MilkUntil       time.Time `json:"wtMilkUntil"`
	Note            string    `json:"note,omitempty"`
}

// RecordHeader is the CSV header WriteCSV writes, in column order.
var RecordHeader = []string{
	"animal_id", "head", "members", "species", "condition", "drug", "dose", "volume", "route",
	"given", "planned", "administrator", "administrator_id", "prescriber", "prescriber_id",
	"rx_id", "case_id", "task_id", "meat_withhold_until", "milk_withhold_until", "note",
}

// WriteCSV writes records as CSV (RFC 4180) with RecordHeader; instants
// are RFC 3339 in UTC, and a group's members are separated by "; ".
func WriteCSV(w io.Writer, recs []Record) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(RecordHeader); err != nil {
		return err
	}
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, r := range recs {
		row := []string{
			r.AnimalID, strconv.Itoa(r.Head), strings.Join(r.Members, "; "), r.Species, r.Condition, r.Drug, r.Dose, r.Volume, r.Route,
			ts(r.Given), ts(r.Planned), r.Administrator, strconv.FormatInt(int64(r.AdministratorID), 10),
			r.Prescriber, strconv.FormatInt(int64(r.PrescriberID), 10),
			r.RxID, strconv.FormatInt(r.CaseID, 10), strconv.FormatInt(r.TaskID, 10),
			ts(r.MeatUntil), ts(r.MilkUntil), r.Note,
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Records lists the treatment records of MOR mor for doses given in
// [from, to), by time given.
func (s *Service) Records(ctx context.Context, a Actor, mor UserID, from, to time.Time) ([]Record, error) {
	const op = "records"
	if !from.Before(to) {
		return nil, fail(op, "from "+from.UTC().Format(time.RFC3339), "must be before to", ErrInvalid)
	}
	if err := MayReadFarm(a, mor); err != nil {
		return nil, withOp(op, err)
	}
	doses, err := s.Store.ExecutedDoses(ctx, mor, from.UTC(), to.UTC())
	if err != nil {
		return nil, storeErr(op, userInput(mor), err)
	}
	users := map[UserID]string{}
	name := func(id UserID) (string, error) {
		if n, ok := users[id]; ok {
			return n, nil
		}
		u, err := s.Store.User(ctx, id)
		if err != nil {
			return "", err
		}
		users[id] = u.Name()
		return users[id], nil
	}
	rxs := map[string]*Prescription{}
	cases := map[int64]*Case{}
	holds := map[int64]*Withhold{}
	out := make([]Record, 0, len(doses))
	for _, t := range doses {
		p, ok := rxs[t.RxID]
		if !ok {
			v, err := s.Store.Prescription(ctx, t.RxID, false)
			if err != nil {
				return nil, storeErr(op, rxInput(t.RxID), err)
			}
			p, rxs[t.RxID] = &v, &v
		}
		c, ok := cases[t.CaseID]
		if !ok {
			v, err := s.Store.Case(ctx, t.CaseID, false)
			if err != nil {
				return nil, storeErr(op, "case", err)
			}
			w, err := s.Store.Withhold(ctx, t.CaseID)
			if err != nil {
				return nil, storeErr(op, "case", err)
			}
			c, cases[t.CaseID], holds[t.CaseID] = &v, &v, &w
		}
		admin, err := name(t.DoneBy)
		if err != nil {
			return nil, storeErr(op, userInput(t.DoneBy), err)
		}
		vet, err := name(p.VOR)
		if err != nil {
			return nil, storeErr(op, userInput(p.VOR), err)
		}
		r := Record{
			AnimalID: c.AnimalID, Head: c.Head, Members: c.Members, Species: string(c.Species), Condition: condition(p),
			Drug: t.Product, Dose: t.Dose.String(), Route: t.Route, Given: t.DoneAt, Planned: t.DoAt,
			Administrator: admin, AdministratorID: t.DoneBy, Prescriber: vet, PrescriberID: p.VOR,
			RxID: p.ID, CaseID: c.ID, TaskID: t.ID,
			MeatUntil: holds[c.ID].MeatUntil, MilkUntil: holds[c.ID].MilkUntil, Note: t.Note,
		}
		if !t.Volume.IsZero() {
			r.Volume = t.Volume.String()
		}
		out = append(out, r)
	}
	return out, nil
}

// condition names what a prescription treats: its protocol's diagnoses,
// or the protocol's name when it lists none.
func condition(p *Prescription) string {
	var names []string
	for _, d := range p.Protocol.Diagnoses {
		if d.Name != "" {
			names = append(names, d.Name)
		}
	}
	if len(names) == 0 {
		return p.Protocol.Name
	}
	return strings.Join(names, "; ")
}
