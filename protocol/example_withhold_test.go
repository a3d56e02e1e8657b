package protocol_test

import (
	"fmt"
	"time"

	"github.com/vetlink/vetlink/protocol"
)

// withholdAcrossDST prints the meat release of a 48-hour withdrawal after a
// dose at 08:00 local time on the Saturday before each US daylight-saving
// change of 2024, in Chicago, under the given policy.
func withholdAcrossDST(policy protocol.WithholdPolicy) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		panic(err)
	}
	hours := protocol.Int(48)
	rule, _ := protocol.HoursRule(&hours, nil)
	opt := protocol.WithholdOptions{Location: chicago, Policy: policy}
	for _, day := range []string{"2024-03-09", "2024-11-02"} {
		at, _ := time.ParseInLocation("2006-01-02 15:04", day+" 08:00", chicago)
		w, err := protocol.Withdrawal([]protocol.Administration{{Product: "Banamine", At: at, Rule: rule}}, nil, opt)
		if err != nil {
			panic(err)
		}
		until := w.Meat.Until.In(chicago)
		fmt.Printf("%s → %s (%s after the dose)\n", at.Format("Mon Jan 2 15:04 MST"), until.Format("Mon Jan 2 15:04 MST"), until.Sub(at))
	}
}

// ElapsedHours, the default and what VCPR's wtMeatHrs means, counts 48
// elapsed hours: the local clock reads 09:00 after spring forward and 07:00
// after fall back.
func ExampleWithholdPolicy_elapsedHours() {
	withholdAcrossDST(protocol.ElapsedHours)
	// Output:
	// Sat Mar 9 08:00 CST → Mon Mar 11 09:00 CDT (48h0m0s after the dose)
	// Sat Nov 2 08:00 CDT → Mon Nov 4 07:00 CST (48h0m0s after the dose)
}

// CalendarDays counts two whole local days to the same clock time: only 47
// hours in spring, 49 in autumn.
func ExampleWithholdPolicy_calendarDays() {
	withholdAcrossDST(protocol.CalendarDays)
	// Output:
	// Sat Mar 9 08:00 CST → Mon Mar 11 08:00 CDT (47h0m0s after the dose)
	// Sat Nov 2 08:00 CDT → Mon Nov 4 08:00 CST (49h0m0s after the dose)
}

// LaterOfHoursAndDays keeps the later of the two: never fewer than 48
// hours, never before the same clock time two days on.
func ExampleWithholdPolicy_laterOfHoursAndDays() {
	withholdAcrossDST(protocol.LaterOfHoursAndDays)
	// Output:
	// Sat Mar 9 08:00 CST → Mon Mar 11 09:00 CDT (48h0m0s after the dose)
	// Sat Nov 2 08:00 CDT → Mon Nov 4 08:00 CST (49h0m0s after the dose)
}

// LocalMidnight rounds the two local days up to the next local midnight.
func ExampleWithholdPolicy_localMidnight() {
	withholdAcrossDST(protocol.LocalMidnight)
	// Output:
	// Sat Mar 9 08:00 CST → Tue Mar 12 00:00 CDT (63h0m0s after the dose)
	// Sat Nov 2 08:00 CDT → Tue Nov 5 00:00 CST (65h0m0s after the dose)
}

// A cascade floor for eggs from a product authorised with a 3-day egg
// withdrawal: 1.5 × 3 days is 4.5 days, stated as 5 whole days; for milk,
// 1.5 × 36 h is 54 h, stated as five 12-hour milkings.
func ExampleCascadeMinimum() {
	eggs, _ := protocol.CascadeMinimum(protocol.Eggs, 72*time.Hour, true)
	milk, _ := protocol.CascadeMinimum(protocol.Milk, 36*time.Hour, true)
	none, _ := protocol.CascadeMinimum(protocol.Eggs, 0, false)
	fmt.Println(eggs.Period, "-", eggs.Basis)
	fmt.Println(milk.Period, "-", milk.Basis)
	fmt.Println(none.Period, "-", none.Basis)
	// Output:
	// 120h0m0s - 1.5 × the longest authorised 72h for eggs, rounded up to a whole day
	// 60h0m0s - 1.5 × the longest authorised 36h for milk, rounded up to a whole milking (12h)
	// 336h0m0s - not authorised for animals producing eggs: 14 days for eggs (GB; the EU's 10 days is shorter)
}
