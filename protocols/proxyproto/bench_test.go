package proxyproto

import "testing"

// BenchmarkHeader: one op is the header of one connection found and
// decoded (frame, then go-proxyproto on the whole header), as it arrives
// from HAProxy in one read. The allocations are go-proxyproto's (the
// header and its addresses); the framing and the reused reader add none.
func BenchmarkHeader(b *testing.B) {
	for _, tc := range []struct {
		name string
		hdr  []byte
	}{
		{"v1", []byte("PROXY TCP4 203.0.113.7 192.0.2.1 4242 10000\r\n")},
		{"v2", headerV2(b, clientAddr, serverAddr)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var d decoder
			b.ReportAllocs()
			for b.Loop() {
				res, n := frame(tc.hdr)
				if res != frameComplete {
					b.Fatal(res)
				}
				if _, err := d.decode(tc.hdr[:n]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
