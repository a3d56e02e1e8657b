package protocol

import (
	"strconv"
	"strings"
	"time"
)

// DoseText validates a structured dosage and renders it as the
// human-readable VCPR "_dose" text, such as "2.2 mg per kg IV every 24
// hours for 3 doses". This is what VCPR's "validate a structured Dosage"
// does. The wording is stable (golden tests pin it) and exact: numbers are
// printed with all their digits. An invalid function yields Problems
// naming the members, and no text.
func DoseText(size SizeFunction, seq SequenceFunction, route string) (string, error) {
	var probs Problems
	validateSize(&probs, "sizeFunction", size)
	validateSequence(&probs, "sequenceFunction", seq)
	if len(probs) > 0 {
		return "", probs
	}
	var b strings.Builder
	writeSize(&b, size)
	if r := strings.TrimSpace(route); r != "" {
		b.WriteByte(' ')
		b.WriteString(r)
	}
	b.WriteByte(' ')
	writeSequence(&b, seq)
	return b.String(), nil
}

// RenderDose sets t.Dose (the "_dose" member) from the treatment's size
// and sequence functions; see DoseText.
func (t *Treatment) RenderDose() error {
	s, err := DoseText(t.SizeFunction, t.SequenceFunction, t.Route)
	if err != nil {
		return err
	}
	t.Dose = s
	return nil
}

func writePer(b *strings.Builder, per Quantity) {
	b.WriteString(" per ")
	if per.Value != Int(1) {
		b.WriteString(per.Value.String())
		b.WriteByte(' ')
	}
	b.WriteString(per.Unit.Symbol())
}

func writeRange(b *strings.Builder, r DrugQuantityRange) {
	lo, hi := r.Min.Quantity, r.Max.Quantity
	if lo.Unit == hi.Unit {
		b.WriteString(lo.Value.String())
		b.WriteString(" to ")
		b.WriteString(hi.String())
		return
	}
	b.WriteString(lo.String())
	b.WriteString(" to ")
	b.WriteString(hi.String())
}

func writeSize(b *strings.Builder, f SizeFunction) {
	switch f := f.(type) {
	case *FixedDoseFunction:
		b.WriteString(f.Dose.Quantity.String())
	case *DoseByWeightFunction:
		b.WriteString(f.Dose.Quantity.String())
		writePer(b, f.PerUnit)
	case *LoadingDoseByWeightFunction:
		b.WriteString(f.FirstDose.Quantity.String())
		writePer(b, f.PerUnit)
		b.WriteString(" first, then ")
		b.WriteString(f.FollowDose.Quantity.String())
		writePer(b, f.PerUnit)
	case *DoseRangeFunction:
		writeRange(b, f.Range)
	case *DoseRangeByWeightFunction:
		writeRange(b, f.Range)
		writePer(b, f.PerUnit)
	case *DoseByClass:
		for i, ac := range f.AnimalClasses {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(ac.AnimalClass)
			b.WriteString(": ")
			writeSize(b, ac.SizeFunction)
		}
	}
}

func humanDuration(d time.Duration) string {
	plural := func(n int64, unit string) string {
		s := strconv.FormatInt(n, 10) + " " + unit
		if n != 1 {
			s += "s"
		}
		return s
	}
	switch {
	case d%time.Hour == 0:
		return plural(int64(d/time.Hour), "hour")
	case d%time.Minute == 0:
		return plural(int64(d/time.Minute), "minute")
	}
	return d.String()
}

func writeCount(b *strings.Builder, lo, hi int) {
	b.WriteString(" for ")
	b.WriteString(strconv.Itoa(lo))
	if hi != lo {
		b.WriteString(" to ")
		b.WriteString(strconv.Itoa(hi))
	}
	if hi == 1 {
		b.WriteString(" dose")
	} else {
		b.WriteString(" doses")
	}
}

func writeSequence(b *strings.Builder, f SequenceFunction) {
	switch f := f.(type) {
	case *SeqSingleDose:
		b.WriteString("once")
	case *SeqPerDay:
		if f.TotalDoses == 1 {
			b.WriteString("once")
			return
		}
		b.WriteString("every ")
		b.WriteString(humanDuration(24 * time.Hour / time.Duration(f.Frequency)))
		writeCount(b, f.TotalDoses, f.TotalDoses)
	case *SeqPerDayRange:
		b.WriteString("every ")
		b.WriteString(humanDuration(24 * time.Hour / time.Duration(f.Frequency)))
		writeCount(b, f.MinDoses, f.MaxDoses)
	case *SeqInterval:
		if f.TotalDoses == 1 {
			b.WriteString("once")
			return
		}
		b.WriteString("every ")
		b.WriteString(humanDuration(f.Interval.Std()))
		writeCount(b, f.TotalDoses, f.TotalDoses)
	case *SeqSeries:
		for i, d := range f.Intervals {
			switch {
			case i == 0:
				b.WriteString("at ")
			case i == len(f.Intervals)-1:
				b.WriteString(" and ")
			default:
				b.WriteString(", ")
			}
			if d.Std() == 0 {
				b.WriteString("initiation")
			} else {
				b.WriteString(humanDuration(d.Std()))
			}
		}
		if len(f.Intervals) > 1 || f.Intervals[0].Std() != 0 {
			b.WriteString(" after initiation")
		}
	}
}
