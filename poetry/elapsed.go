package poetry

import (
	"fmt"
	"time"
)

// FormatElapsed formats a duration the way the tutorial's programs print
// one, which is Python's str(datetime.timedelta):
//
//	0:00:10.134220        H:MM:SS.ffffff, hours not padded
//	0:00:03               the fraction is left out when it is exactly zero
//	1 day, 2:03:04.500000 days are split off past 24 hours
//	-1 day, 23:59:59      negative values borrow a whole day, as Python does
//
// The duration is rounded to the nearest microsecond, the resolution of a
// timedelta.
func FormatElapsed(d time.Duration) string {
	us := d.Round(time.Microsecond).Microseconds()
	const usPerDay = 24 * 60 * 60 * 1e6
	// Python normalises so that only the day count may be negative.
	days := us / usPerDay
	rest := us % usPerDay
	if rest < 0 {
		days--
		rest += usPerDay
	}
	secs, micros := rest/1e6, rest%1e6
	s := fmt.Sprintf("%d:%02d:%02d", secs/3600, secs/60%60, secs%60)
	if micros != 0 {
		s += fmt.Sprintf(".%06d", micros)
	}
	if days != 0 {
		plural := "s"
		if days == 1 || days == -1 {
			plural = ""
		}
		s = fmt.Sprintf("%d day%s, %s", days, plural, s)
	}
	return s
}
