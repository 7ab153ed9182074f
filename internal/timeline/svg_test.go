package timeline

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// svgNode is an element of a parsed SVG: its name, attributes, direct text
// and children.
type svgNode struct {
	name     string
	attrs    map[string]string
	text     string
	children []*svgNode
}

// parseSVG parses an SVG strictly (a well-formedness error fails the test)
// and returns its root element.
func parseSVG(t *testing.T, data []byte) *svgNode {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var stack []*svgNode
	var root *svgNode
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, data)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &svgNode{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else if root != nil {
				t.Fatal("SVG has more than one root element")
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		case xml.ProcInst, xml.Comment, xml.Directive:
			if p, ok := tok.(xml.ProcInst); ok && p.Target == "xml" {
				continue
			}
			t.Fatalf("unexpected token %#v", tok)
		}
	}
	if root == nil || root.name != "svg" {
		t.Fatalf("root element is not <svg>: %+v", root)
	}
	return root
}

// walk calls fn for n and every element under it.
func (n *svgNode) walk(fn func(*svgNode)) {
	fn(n)
	for _, c := range n.children {
		c.walk(fn)
	}
}

// count is the number of elements in the tree under n, n included.
func (n *svgNode) count() int {
	c := 0
	n.walk(func(*svgNode) { c++ })
	return c
}

// lanes returns the lane groups, in document order.
func (n *svgNode) lanes() []*svgNode {
	var ls []*svgNode
	n.walk(func(e *svgNode) {
		if e.name == "g" && e.attrs["class"] == "lane" {
			ls = append(ls, e)
		}
	})
	return ls
}

// find returns the first element under n with the given name and class
// ("" matches any class).
func (n *svgNode) find(name, class string) *svgNode {
	var found *svgNode
	n.walk(func(e *svgNode) {
		if found == nil && e.name == name && (class == "" || e.attrs["class"] == class) {
			found = e
		}
	})
	return found
}

// marks counts the chunk marks (or merged runs) drawn in a lane.
func (n *svgNode) marks() int {
	g := n.find("g", "chunks")
	if g == nil {
		return 0
	}
	return len(g.children)
}

func renderSVG(t *testing.T, tl Timeline) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteSVG(&b, tl); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestWriteSVGLanes(t *testing.T) {
	for name, tl := range map[string]Timeline{
		"blocking": blockingTimeline(), "async": asyncTimeline(), "failed": failedTimeline(),
		"single": singleChunkTimeline(), "instant": instantTimeline(), "zero-lane": zeroLaneTimeline(),
		"empty": {},
	} {
		t.Run(name, func(t *testing.T) {
			root := parseSVG(t, renderSVG(t, tl))
			lanes := root.lanes()
			if len(lanes) != len(tl.Lanes) {
				t.Fatalf("%d lane groups, want %d", len(lanes), len(tl.Lanes))
			}
			for i, g := range lanes {
				l := tl.Lanes[i]
				if got := g.attrs["data-task"]; got != strconv.Itoa(l.Task) {
					t.Errorf("lane %d: data-task=%q, want %d", i, got, l.Task)
				}
				wantState := "done"
				if l.Failed() {
					wantState = "failed"
				}
				if got := g.attrs["data-state"]; got != wantState {
					t.Errorf("lane %d: data-state=%q, want %q", i, got, wantState)
				}
				if g.find("title", "") == nil || g.find("line", "span") == nil {
					t.Errorf("lane %d lacks its tooltip or its span line", i)
				}
				if got, want := g.marks(), len(l.Chunks); got > want || (want > 0 && got == 0) {
					t.Errorf("lane %d: %d marks for %d chunks", i, got, want)
				}
				errText := g.find("text", "error")
				if l.Failed() != (errText != nil) {
					t.Errorf("lane %d: failed=%v but error text present=%v", i, l.Failed(), errText != nil)
				}
				if errText != nil && !strings.Contains(errText.text, "failed: ") {
					t.Errorf("lane %d: error text %q", i, errText.text)
				}
			}
		})
	}
}

// Each chunk of a slow poem keeps its own mark: the gaps between them are
// the waiting the figures are about.
func TestWriteSVGMarksShowWaiting(t *testing.T) {
	root := parseSVG(t, renderSVG(t, asyncTimeline()))
	for i, g := range root.lanes() {
		if got, want := g.marks(), len(asyncTimeline().Lanes[i].Chunks); got != want {
			t.Errorf("lane %d: %d marks, want one per chunk (%d)", i, got, want)
		}
	}
}

// However many chunks, the figure stays small: dense chunks merge into runs.
func TestWriteSVGBounded(t *testing.T) {
	const n = 100_000
	data := renderSVG(t, hugeTimeline(n))
	root := parseSVG(t, data)
	if c := root.count(); c > 300 {
		t.Errorf("%d elements for %d chunks, want at most 300", c, n)
	}
	if len(data) > 30_000 {
		t.Errorf("%d bytes for %d chunks, want at most 30 kB", len(data), n)
	}
	// The worst case for merging: 100,000 chunks in 200 tight bursts, far
	// enough apart to stay separate marks. The count of marks follows the
	// bursts, never the chunks.
	const bursts = 200
	worst := Timeline{Lanes: []Lane{{Task: 1, End: bursts * time.Second}}}
	for i := range n {
		at := time.Duration(i/(n/bursts))*time.Second + time.Duration(i%(n/bursts))*time.Microsecond
		worst.Lanes[0].Chunks = append(worst.Lanes[0].Chunks, Chunk{At: at, Bytes: 1})
	}
	root = parseSVG(t, renderSVG(t, worst))
	if marks := root.lanes()[0].marks(); marks != bursts {
		t.Errorf("%d marks for %d separate bursts", marks, bursts)
	}
	if c := root.count(); c > 300 {
		t.Errorf("%d elements for %d chunks in %d bursts, want at most 300", c, n, bursts)
	}
}

func TestWriteSVGEscapes(t *testing.T) {
	tl := hostileTimeline()
	data := renderSVG(t, tl)
	root := parseSVG(t, data) // well-formed despite everything
	for _, bad := range []string{"<script", "<b>", "<g onload", "<!--", "]]>", "\x00", "\x1b"} {
		if bytes.Contains(data, []byte(bad)) {
			t.Errorf("output contains %q unescaped", bad)
		}
	}
	var texts []string
	root.walk(func(e *svgNode) {
		if e.name == "text" {
			texts = append(texts, e.text)
		}
	})
	if !slices.Contains(texts, hostileLabel) {
		t.Errorf("the hostile label does not come back intact from the parsed SVG; texts: %q", texts)
	}
	if !slices.Contains(texts, `</title><script>alert(1)</script><!--`) {
		t.Errorf("the hostile title does not come back intact; texts: %q", texts)
	}
	if g := root.lanes()[1].find("text", "error"); g == nil || g.text != `failed: <b>boom</b> & "worse"` {
		t.Errorf("error text %+v", g)
	}
}

// The image must stand alone: no scripts, no styles, no links to anything.
func TestWriteSVGSelfContained(t *testing.T) {
	for _, tl := range []Timeline{failedTimeline(), hostileTimeline()} {
		root := parseSVG(t, renderSVG(t, tl))
		root.walk(func(e *svgNode) {
			switch e.name {
			case "script", "style", "image", "use", "a", "foreignObject", "link":
				t.Errorf("element <%s> in a standalone figure", e.name)
			}
			for k, v := range e.attrs {
				if k == "href" || strings.HasPrefix(k, "on") || strings.Contains(v, "url(") {
					t.Errorf("<%s %s=%q> refers outside or runs code", e.name, k, v)
				}
			}
		})
	}
}

func TestWriteSVGDeterministic(t *testing.T) {
	for _, tl := range []Timeline{blockingTimeline(), failedTimeline(), hugeTimeline(10_000)} {
		a, b := renderSVG(t, tl), renderSVG(t, tl)
		if !bytes.Equal(a, b) {
			t.Fatal("two renderings of the same timeline differ")
		}
	}
	checkGolden(t, "svg-failed.golden", renderSVG(t, failedTimeline()))
}

// Chunks out of order (possible only in a hand-built timeline) are drawn
// as if sorted, and the caller's slice is left alone.
func TestWriteSVGUnsortedChunks(t *testing.T) {
	sorted := asyncTimeline()
	shuffled := asyncTimeline()
	cs := shuffled.Lanes[0].Chunks
	slices.Reverse(cs)
	before := slices.Clone(cs)
	if !bytes.Equal(renderSVG(t, sorted), renderSVG(t, shuffled)) {
		t.Error("reversed chunks draw differently")
	}
	if !slices.Equal(cs, before) {
		t.Error("WriteSVG reordered the caller's chunks")
	}
}
