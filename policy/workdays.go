package policy

import (
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/gb"
)

// calendar is the working week, Monday to Friday, less the bank holidays of
// England and Wales from rickar/cal's gb package (which follows the
// government's announcements: substitute days, the 2020 and 2022 moves, the
// one-off holidays). Scotland's and Northern Ireland's own holidays are not
// in gb.Holidays.
var calendar = func() *cal.BusinessCalendar {
	c := cal.NewBusinessCalendar()
	c.AddHoliday(gb.Holidays...)
	return c
}()

// IsWorkingDay says whether a date (its calendar day wherever it is) is a
// working day in England and Wales.
func IsWorkingDay(d time.Time) bool {
	return calendar.IsWorkday(Date(d))
}

// AddWorkingDays is the date n working days after d (before, when n is
// negative); d itself need not be a working day. Dates are calendar days,
// so a clock change does not move them.
func AddWorkingDays(d time.Time, n int) time.Time {
	return calendar.WorkdaysFrom(Date(d), n)
}

// WorkingDaysAfter counts the working days after from up to and including
// to (0 when to is not after from).
func WorkingDaysAfter(from, to time.Time) int {
	from, to = Date(from), Date(to)
	n := 0
	for d := from.AddDate(0, 0, 1); !d.After(to); d = d.AddDate(0, 0, 1) {
		if calendar.IsWorkday(d) {
			n++
		}
	}
	return n
}

// WorkingDayOnOrBefore is d if it is a working day, else the last working
// day before it.
func WorkingDayOnOrBefore(d time.Time) time.Time {
	d = Date(d)
	for !calendar.IsWorkday(d) {
		d = d.AddDate(0, 0, -1)
	}
	return d
}
