// Package timeline records what a set of download tasks did over time and
// draws it as the tutorial's timeline figures.
//
// Part 1 of Dave Peticolas's Twisted tutorial explains the three ways of
// getting poems from several servers with figures of this kind: one lane
// per task, time running along a shared axis, marks where the task was
// working and gaps where it waited. Figure 1 is the synchronous model (the
// tasks one after another), figure 2 the threaded model (side by side),
// figure 3 the asynchronous model (one thread, the tasks interleaved) and
// figure 4 the synchronous model's waiting. This package produces those
// figures from real runs instead of drawings.
//
// The pieces:
//
//   - timeline.go: the data model. A Timeline holds Lanes (one per task:
//     label, start, end, failure reason) and each Lane its Chunks (arrival
//     offset and size). All times are offsets from the timeline's origin,
//     the first recorded event. It is plain data: tests and callers can
//     build one by hand.
//   - recorder.go: the Recorder that fills a Timeline while downloads run.
//     The download code calls Start(task, label) when it connects,
//     Chunk(task, n) for each piece of data, End(task, err) when done, and
//     Timeline() for a snapshot. It is safe for concurrent use (the
//     blocking and threaded modes record from several goroutines) and
//     cheap on the read path: no allocation per chunk beyond slice growth,
//     and bounded: a lane of very many chunks merges those that arrived
//     within a sliver of time of each other, far finer than a pixel.
//   - svg.go: WriteSVG, a standalone SVG figure (no scripts, no external
//     fonts or styles). Chunks denser than the pixels are merged into solid
//     runs, so a download of any size makes a file of bounded size.
//   - text.go: WriteText, the same figure in ASCII for a terminal: one row
//     of cells per lane ('#' data, '-' waiting, 'x' failed), an axis, a
//     legend.
//   - axis.go, units.go: what both renderers share: a time axis with round
//     ticks (1, 2 or 5 times a power of ten, labelled in s, ms or µs),
//     and the formatting of sizes, durations and user-supplied text.
//
// Both renderers are deterministic (the same Timeline always gives the
// same bytes) and treat labels and reasons as untrusted text: they are
// escaped in SVG and reduced to printable ASCII in text.
//
// The package knows nothing of sockets, the reactor or poetry: the
// commands that download (gyre get --timeline, gyre demo --timeline) feed
// a Recorder and hand its Timeline to a renderer.
package timeline
