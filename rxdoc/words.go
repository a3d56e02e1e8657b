package rxdoc

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vetlink/vetlink/protocol"
)

var small = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
	"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
var tens = []string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}

// Words spells n in English words, as a prescription writes counts
// ("3 (three) doses") so that a figure altered by hand shows: "one
// hundred twenty" for 120. Numbers from 1,000,000 on are left in figures.
func Words(n int) string {
	switch {
	case n < 0:
		return "minus " + Words(-n)
	case n < 20:
		return small[n]
	case n < 100:
		if n%10 == 0 {
			return tens[n/10]
		}
		return tens[n/10] + "-" + small[n%10]
	case n < 1000:
		s := small[n/100] + " hundred"
		if n%100 != 0 {
			s += " " + Words(n%100)
		}
		return s
	case n < 1_000_000:
		s := Words(n/1000) + " thousand"
		if n%1000 != 0 {
			s += " " + Words(n%1000)
		}
		return s
	}
	return strconv.Itoa(n)
}

// counted writes "3 (three) doses", "1 (one) dose".
func counted(n int, unit string) string {
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d (%s) %s", n, Words(n), unit)
}

// span writes a duration in whole days when it is one, else in hours:
// "72 hours (3 days)", "12 hours".
func span(d time.Duration) string {
	h := int(d / time.Hour)
	if d%time.Hour != 0 {
		return d.String()
	}
	s := counted(h, "hour")
	if h >= 24 && h%24 == 0 {
		s += " = " + counted(h/24, "day")
	}
	return s
}

// timesADay writes how often a per-day frequency doses.
func timesADay(f int) string {
	switch f {
	case 1:
		return "once a day"
	case 2:
		return "twice a day"
	}
	return Words(f) + " times a day"
}

// frequency writes how often a treatment is given, in words and numbers.
func frequency(seq protocol.SequenceFunction) string {
	switch f := seq.(type) {
	case *protocol.SeqSingleDose:
		return "once (a single dose)"
	case *protocol.SeqPerDay:
		if f.TotalDoses == 1 {
			return "once (a single dose)"
		}
		if f.Frequency > 0 {
			return fmt.Sprintf("%s (every %s)", timesADay(f.Frequency), span(24*time.Hour/time.Duration(f.Frequency)))
		}
	case *protocol.SeqPerDayRange:
		if f.Frequency > 0 {
			return fmt.Sprintf("%s (every %s)", timesADay(f.Frequency), span(24*time.Hour/time.Duration(f.Frequency)))
		}
	case *protocol.SeqInterval:
		if f.TotalDoses == 1 {
			return "once (a single dose)"
		}
		return "every " + span(f.Interval.Std())
	case *protocol.SeqSeries:
		parts := make([]string, len(f.Intervals))
		for i, d := range f.Intervals {
			parts[i] = strconv.Itoa(int(d.Std() / time.Hour))
		}
		return "at " + strings.Join(parts, ", ") + " hours after initiation"
	}
	return "as directed"
}

// duration writes how long therapy lasts: the number of doses and the
// time from the first dose to the last.
func duration(seq protocol.SequenceFunction) string {
	switch f := seq.(type) {
	case *protocol.SeqSingleDose:
		return counted(1, "dose")
	case *protocol.SeqPerDay:
		if f.Frequency <= 0 || f.TotalDoses <= 1 {
			return counted(max(f.TotalDoses, 1), "dose")
		}
		last := time.Duration(f.TotalDoses-1) * 24 * time.Hour / time.Duration(f.Frequency)
		days := (f.TotalDoses + f.Frequency - 1) / f.Frequency
		return fmt.Sprintf("%s over %s; last dose %s after the first", counted(f.TotalDoses, "dose"), counted(days, "day"), span(last))
	case *protocol.SeqPerDayRange:
		if f.Frequency <= 0 {
			break
		}
		days := (f.MaxDoses + f.Frequency - 1) / f.Frequency
		return fmt.Sprintf("%d to %d (%s to %s) doses, at most %s", f.MinDoses, f.MaxDoses, Words(f.MinDoses), Words(f.MaxDoses), counted(days, "day"))
	case *protocol.SeqInterval:
		if f.TotalDoses <= 1 {
			return counted(1, "dose")
		}
		return fmt.Sprintf("%s; last dose %s after the first", counted(f.TotalDoses, "dose"), span(time.Duration(f.TotalDoses-1)*f.Interval.Std()))
	case *protocol.SeqSeries:
		var last time.Duration
		for _, d := range f.Intervals {
			last = max(last, d.Std())
		}
		return fmt.Sprintf("%s; last dose %s after initiation", counted(len(f.Intervals), "dose"), span(last))
	}
	return "as directed"
}

// doseSize writes the size of each dose ("2.2 mg per kg"), from the
// wording of protocol.DoseText.
func doseSize(t *protocol.Treatment) string {
	if t.SizeFunction == nil {
		return t.Dose
	}
	s, err := protocol.DoseText(t.SizeFunction, &protocol.SeqSingleDose{}, "")
	if err != nil {
		return t.Dose
	}
	return strings.TrimSuffix(s, " once")
}

// hours writes a withdrawal period: "96 hours (four days)", or "none" for
// zero and "not set" when absent.
func hours(n *protocol.Number) string {
	if n == nil {
		return "not set"
	}
	if n.IsZero() {
		return "0 hours (none)"
	}
	if !n.IsInt() {
		return n.String() + " hours"
	}
	return span(time.Duration(n.Num()) * time.Hour)
}

// plain removes the HTML tags of a protocol's instructions and collapses
// white space.
func plain(html string) string {
	var b strings.Builder
	in := false
	for _, r := range html {
		switch {
		case r == '<':
			in = true
			b.WriteByte(' ')
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	s := strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&nbsp;", " ", "&quot;", `"`, "&#39;", "'").Replace(b.String())
	return strings.Join(strings.Fields(s), " ")
}
