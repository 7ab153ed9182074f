package deferred_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"gyre/deferred"
)

// capture adds a last stage to d that stores how it ended.
func capture(d *deferred.Deferred) (value *any, failure **deferred.Failure) {
	value, failure = new(any), new(*deferred.Failure)
	d.AddCallbacks(
		func(v any) (any, error) { *value = v; return nil, nil },
		func(f *deferred.Failure) (any, error) { *failure = f; return nil, nil })
	return value, failure
}

func newDeferreds(n int) []*deferred.Deferred {
	ds := make([]*deferred.Deferred, n)
	for i := range ds {
		ds[i] = deferred.New()
	}
	return ds
}

func TestListGivesEveryOutcomeInInputOrder(t *testing.T) {
	ds := newDeferreds(3)
	value, failure := capture(deferred.NewList(ds, deferred.ConsumeErrors()))
	_ = ds[2].Callback("c")
	_ = ds[0].Errback(errBoom)
	if *value != nil {
		t.Fatal("the list fired before every input had")
	}
	_ = ds[1].Callback("b")
	if *failure != nil {
		t.Fatalf("list failed: %v", *failure)
	}
	results, ok := (*value).([]deferred.ListResult)
	if !ok || len(results) != 3 {
		t.Fatalf("list fired with %#v", *value)
	}
	if results[0].OK || !errors.Is(results[0].Value.(*deferred.Failure), errBoom) {
		t.Errorf("results[0] = %+v, want the failure", results[0])
	}
	if !results[1].OK || results[1].Value != "b" || !results[2].OK || results[2].Value != "c" {
		t.Errorf("results = %+v", results)
	}
}

func TestListWithoutConsumeErrorsPassesFailuresOn(t *testing.T) {
	ds := newDeferreds(1)
	deferred.NewList(ds)
	_, failure := capture(ds[0])
	_ = ds[0].Errback(errBoom)
	if *failure == nil {
		t.Error("the input's chain did not go on with its failure")
	}
}

func TestListConsumeErrors(t *testing.T) {
	ds := newDeferreds(1)
	value, _ := capture(deferred.NewList(ds, deferred.ConsumeErrors()))
	inputValue, inputFailure := capture(ds[0])
	_ = ds[0].Errback(errBoom)
	if *inputFailure != nil || *inputValue != nil {
		t.Errorf("input chain went on with %v / %v, want nil on the callback line", *inputValue, *inputFailure)
	}
	if results := (*value).([]deferred.ListResult); results[0].OK {
		t.Error("the list did not record the failure")
	}
}

func TestListFireOnOneCallback(t *testing.T) {
	ds := newDeferreds(3)
	value, _ := capture(deferred.NewList(ds, deferred.FireOnOneCallback(), deferred.ConsumeErrors()))
	_ = ds[0].Errback(errBoom)
	if *value != nil {
		t.Fatal("fired on a failure")
	}
	_ = ds[2].Callback("first")
	if got, want := *value, (deferred.FirstResult{Index: 2, Value: "first"}); got != want {
		t.Errorf("list fired with %#v, want %#v", got, want)
	}
	_ = ds[1].Callback("second") // recorded, no second firing
}

func TestListFireOnOneCallbackWhenAllFail(t *testing.T) {
	ds := newDeferreds(2)
	value, _ := capture(deferred.NewList(ds, deferred.FireOnOneCallback(), deferred.ConsumeErrors()))
	_ = ds[0].Errback(errBoom)
	_ = ds[1].Errback(errBoom)
	if results, ok := (*value).([]deferred.ListResult); !ok || len(results) != 2 {
		t.Errorf("list fired with %#v, want the two results", *value)
	}
}

func TestListFireOnOneErrback(t *testing.T) {
	ds := newDeferreds(3)
	_, failure := capture(deferred.NewList(ds, deferred.FireOnOneErrback(), deferred.ConsumeErrors()))
	_ = ds[0].Callback("a")
	_ = ds[1].Errback(errBoom)
	if *failure == nil {
		t.Fatal("the list did not fail on the first failure")
	}
	var fe *deferred.FirstError
	if (*failure).Check(&fe) == nil || fe.Index != 1 || !errors.Is(fe.Failure, errBoom) {
		t.Errorf("list failed with %v, want a FirstError for input 1", *failure)
	}
	if !errors.Is(*failure, errBoom) {
		t.Error("errors.Is does not see the input's error through the FirstError")
	}
	if got := fe.Error(); got != "deferred: input 1 failed: boom" {
		t.Errorf("FirstError message %q", got)
	}
}

func TestEmptyListFiresAtOnce(t *testing.T) {
	for _, opts := range [][]deferred.ListOption{nil, {deferred.FireOnOneCallback()}, {deferred.FireOnOneErrback()}} {
		value, _ := capture(deferred.NewList(nil, opts...))
		if results, ok := (*value).([]deferred.ListResult); !ok || len(results) != 0 {
			t.Errorf("empty list with %d options fired with %#v", len(opts), *value)
		}
	}
}

func TestListOfFiredDeferreds(t *testing.T) {
	value, _ := capture(deferred.NewList([]*deferred.Deferred{deferred.Succeed(1), deferred.Succeed(2)}))
	want := []deferred.ListResult{{OK: true, Value: 1}, {OK: true, Value: 2}}
	if !reflect.DeepEqual(*value, want) {
		t.Errorf("got %#v, want %#v", *value, want)
	}
}

func TestCancellingAListCancelsItsInputs(t *testing.T) {
	ds := newDeferreds(2)
	_ = ds[0].Callback("done")
	list := deferred.NewList(ds, deferred.ConsumeErrors())
	value, _ := capture(list)
	list.Cancel()
	results := (*value).([]deferred.ListResult)
	if !results[0].OK || results[1].OK || !errors.Is(results[1].Value.(*deferred.Failure), deferred.ErrCancelled) {
		t.Errorf("results after Cancel: %+v", results)
	}
}

// A panicking canceller of one input does not keep the list from cancelling
// the others (Twisted's test_cancelDeferredListWithException); the panic
// reaches the caller of Cancel afterwards, with its own value, as it does
// from Deferred.Cancel.
func TestCancellingAListGoesOnPastAPanickingCanceller(t *testing.T) {
	boom := errors.New("boom")
	panicking := deferred.NewWithCanceller(func(*deferred.Deferred) { panic(boom) })
	list := deferred.NewList([]*deferred.Deferred{panicking, deferred.New(), deferred.New()}, deferred.ConsumeErrors())
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		list.Cancel()
	}()
	if recovered != boom {
		t.Errorf("Cancel panicked with %#v, want the canceller's own panic value", recovered)
	}
	// Once the panicking input fires, the list has all its results: the
	// others were cancelled.
	_ = panicking.Callback("late")
	value, _ := capture(list)
	results, _ := (*value).([]deferred.ListResult)
	if len(results) != 3 || results[0].Value != "late" {
		t.Fatalf("list fired with %#v, want three results", *value)
	}
	for i, r := range results[1:] {
		if f, failed := r.Value.(*deferred.Failure); !failed || !errors.Is(f, deferred.ErrCancelled) {
			t.Errorf("input %d after the panicking one ended with %v, want ErrCancelled", i+1, r.Value)
		}
	}
}

// A nil input is the value nil, as a nil *Deferred is where a callback
// returns one, not a nil dereference in the caller of NewList or Gather.
func TestNilInputIsTheValueNil(t *testing.T) {
	value, failure := capture(deferred.Gather(deferred.Succeed("a"), nil))
	if want := []any{"a", nil}; !reflect.DeepEqual(*value, want) || *failure != nil {
		t.Errorf("Gather with a nil input: %#v, %v; want %#v", *value, *failure, want)
	}
	list := deferred.NewList([]*deferred.Deferred{nil}, deferred.FireOnOneCallback())
	value, _ = capture(list)
	if want := (deferred.FirstResult{Index: 0, Value: nil}); *value != want {
		t.Errorf("FireOnOneCallback with a nil input: %#v, want %#v", *value, want)
	}
}

func TestGatherGivesTheValuesInOrder(t *testing.T) {
	ds := newDeferreds(3)
	value, _ := capture(deferred.Gather(ds...))
	_ = ds[1].Callback("b")
	_ = ds[2].Callback("c")
	_ = ds[0].Callback("a")
	if want := []any{"a", "b", "c"}; !reflect.DeepEqual(*value, want) {
		t.Errorf("Gather fired with %#v, want %#v", *value, want)
	}
}

func TestGatherFailsOnTheFirstFailure(t *testing.T) {
	second := errors.New("second")
	ds := newDeferreds(3)
	value, failure := capture(deferred.Gather(ds...))
	_ = ds[0].Callback("a")
	_ = ds[2].Errback(errBoom)
	_ = ds[1].Errback(second)
	if *value != nil || *failure == nil {
		t.Fatalf("Gather ended with %v / %v, want a failure", *value, *failure)
	}
	var fe *deferred.FirstError
	if (*failure).Check(&fe) == nil || fe.Index != 2 || !errors.Is(*failure, errBoom) {
		t.Errorf("Gather failed with %v, want the failure of input 2", *failure)
	}
}

// Gather consumes its inputs' failures: none is reported as unhandled.
func TestGatherConsumesErrors(t *testing.T) {
	reports := watchUnhandled(t)
	func() {
		ds := newDeferreds(2)
		g := deferred.Gather(ds...)
		g.AddErrback(func(*deferred.Failure) (any, error) { return nil, nil })
		_ = ds[0].Errback(errBoom)
		_ = ds[1].Errback(errBoom)
	}()
	deferred.FlushUnhandled(5 * time.Second)
	if n := len(reports()); n != 0 {
		t.Errorf("%d unhandled reports, want none", n)
	}
}

func TestGatherOfNothing(t *testing.T) {
	value, _ := capture(deferred.Gather())
	if v, ok := (*value).([]any); !ok || len(v) != 0 {
		t.Errorf("Gather() fired with %#v", *value)
	}
}
