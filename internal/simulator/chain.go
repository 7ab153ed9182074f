package simulator

// Op says what one half of a pair does with the result it receives.
type Op int

const (
	// Return replaces the result with a plain value (a callback that
	// returns, or an errback that recovers).
	Return Op = iota
	// Fail replaces the result with a failure carrying a value (the
	// function raises Exception(value)).
	Fail
	// Passthru hands the incoming result on unchanged.
	Passthru
)

// String is the command word as the diagram captions spell it.
func (o Op) String() string {
	switch o {
	case Return:
		return "return"
	case Fail:
		return "fail"
	case Passthru:
		return "passthru"
	}
	return "Op(?)"
}

// Handler is one half of a pair: the callback or the errback.
type Handler struct {
	Op    Op
	Value string // the value returned or failed with; empty for Passthru
}

// Caption is the text of the handler's box in the deferred diagram.
func (h Handler) Caption() string {
	if h.Op == Passthru {
		return h.Op.String()
	}
	return h.Op.String() + " " + h.Value
}

// Apply returns the result the handler passes on when it receives in.
func (h Handler) Apply(in Result) Result {
	switch h.Op {
	case Return:
		return Result{Value: h.Value}
	case Fail:
		return Result{Value: h.Value, Failed: true}
	}
	return in
}

// Pair is one callback/errback pair, one line of input: a Deferred holds a
// chain of them, and each result meets exactly one half of every pair.
type Pair struct {
	Callback, Errback Handler
}

// Result is what travels down the chain: a plain value, or a failure
// carrying a value (the original's Failure(Exception(value))).
type Result struct {
	Value  string
	Failed bool
}

// String is the display text: the value, with a '*' appended for a failure.
func (r Result) String() string {
	if r.Failed {
		return r.Value + "*"
	}
	return r.Value
}

// Side names the half of a pair that handled a result.
type Side int

const (
	// CallbackSide is the left column of a firing diagram.
	CallbackSide Side = iota
	// ErrbackSide is the right column.
	ErrbackSide
)

// sideOf is the half of a pair that a result is handed to: the errback for a
// failure, the callback for anything else.
func sideOf(r Result) Side {
	if r.Failed {
		return ErrbackSide
	}
	return CallbackSide
}

// Hop records how one pair treated the result when the chain fired.
type Hop struct {
	Side    Side
	In, Out Result
}

// Chain is the list of pairs a Deferred holds, in the order they were added.
type Chain []Pair

// Fire sends start through the chain, as d.callback(value) does for a plain
// start and d.errback(failure) for a failed one. It returns one Hop per pair
// and the result that comes out at the end.
func (c Chain) Fire(start Result) (hops []Hop, final Result) {
	hops = make([]Hop, 0, len(c))
	cur := start
	for _, p := range c {
		side := sideOf(cur)
		h := p.Callback
		if side == ErrbackSide {
			h = p.Errback
		}
		out := h.Apply(cur)
		hops = append(hops, Hop{Side: side, In: cur, Out: out})
		cur = out
	}
	return hops, cur
}
