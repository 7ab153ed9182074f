package fetch

import (
	"time"

	"gyre/internal/timeline"
)

// Timeline draws a run as the tutorial's figures: it is an Observer that
// records every event into a timeline.Recorder (one lane per task,
// labelled with the server's address), at the time the event carries, so
// a run on a fake clock gives an exact figure.
//
// Like every observer it is called from one goroutine; Timeline may be
// read once the run is over.
type Timeline struct {
	rec *timeline.Recorder
	at  time.Time // the time of the event being recorded
}

// NewTimeline returns a recorder for a run in mode, titled title.
func NewTimeline(title string, mode Mode) *Timeline {
	t := &Timeline{}
	t.rec = timeline.NewRecorder(title, mode.String(), timeline.WithClock(func() time.Time { return t.at }))
	return t
}

// Observe records ev. It is an Observer.
func (t *Timeline) Observe(ev Event) {
	t.at = ev.At
	switch ev.Kind {
	case Started:
		t.rec.Start(ev.Task, ev.Addr.String())
	case Received:
		t.rec.Chunk(ev.Task, ev.Bytes)
	case Finished:
		if ev.Err != nil {
			t.rec.End(ev.Task, reasonError(Reason(ev.Err)))
		} else {
			t.rec.End(ev.Task, nil)
		}
	}
}

// Timeline returns the figure's data: what was recorded, up to the last
// event.
func (t *Timeline) Timeline() timeline.Timeline { return t.rec.Timeline() }

// reasonError carries a Reason as an error, so the figure shows the short
// reason rather than the full error chain.
type reasonError string

func (e reasonError) Error() string { return string(e) }

// Observers makes one observer of several, called in order.
func Observers(obs ...Observer) Observer {
	var list []Observer
	for _, o := range obs {
		if o != nil {
			list = append(list, o)
		}
	}
	return func(ev Event) {
		for _, o := range list {
			o(ev)
		}
	}
}
