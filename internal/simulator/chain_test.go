package simulator

import "testing"

func TestFire(t *testing.T) {
	chain := Chain{
		{Handler{Fail, "x"}, Handler{Return, "yes"}},
		{Handler{Passthru, ""}, Handler{Passthru, ""}},
		{Handler{Return, "ok"}, Handler{Fail, "no"}},
	}
	tests := []struct {
		start Result
		sides []Side
		final string
	}{
		{Result{Value: "initial"}, []Side{CallbackSide, ErrbackSide, ErrbackSide}, "no*"},
		{Result{Value: "initial", Failed: true}, []Side{ErrbackSide, CallbackSide, CallbackSide}, "ok"},
	}
	for _, tt := range tests {
		hops, final := chain.Fire(tt.start)
		if final.String() != tt.final {
			t.Errorf("from %v: final %v, want %s", tt.start, final, tt.final)
		}
		in := tt.start
		for i, h := range hops {
			if h.Side != tt.sides[i] || h.In != in {
				t.Errorf("from %v: hop %d = %+v, want side %v in %v", tt.start, i, h, tt.sides[i], in)
			}
			in = h.Out
		}
	}
}

func TestFireEmptyChain(t *testing.T) {
	hops, final := Chain(nil).Fire(Result{Value: "v", Failed: true})
	if len(hops) != 0 || final.String() != "v*" {
		t.Errorf("got %v, %v", hops, final)
	}
}
