package poetrytest

import (
	"os"
	"strings"
	"testing"

	"gyre/internal/progtest"
)

// PortMap maps the ports of a reference transcript (10001, 10009...) to
// the ports of a test's servers, so that a run of the transcript can be
// replayed and its output compared: Args rewrites the command's
// addresses, Text the ports in the output.
type PortMap map[string]string

// Args returns the arguments with every address ("PORT" or "HOST:PORT")
// whose port is in the map given the test's port instead. Options and
// other arguments are left alone.
func (m PortMap) Args(args []string) []string {
	out := make([]string, len(args))
	for i, arg := range args {
		host, port, found := strings.Cut(arg, ":")
		if !found {
			host, port = "", arg
		}
		if ours, ok := m[port]; ok {
			if found {
				ours = host + ":" + ours
			}
			arg = ours
		}
		out[i] = arg
	}
	return out
}

// Text returns the output with the ports of the map replaced where Twisted
// prints them in an address, "port=10001)", and in "host:10001".
func (m PortMap) Text(s string) string {
	var pairs []string
	for ref, ours := range m {
		pairs = append(pairs, "port="+ref+")", "port="+ours+")", ":"+ref, ":"+ours)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// StartReferenceServers stands in for the servers of the reference
// transcripts of the Twisted clients: the tutorial's poems (from
// ../shared/poetry; the test is skipped without it) on 10001 (ecstasy),
// 10002 (fascination) and 10003 (science), and nothing on 10009. They are
// staggered (StartStaggeredServers) so that the poems finish in the order
// the transcripts show: fascination, science, ecstasy. The PortMap turns
// those ports into the servers' own.
func StartReferenceServers(t testing.TB) PortMap {
	t.Helper()
	read := func(name string) []byte {
		data, err := os.ReadFile(progtest.SharedFile(t, "poetry", name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	servers := StartStaggeredServers(t, read("fascination"), read("science"), read("ecstasy"))
	_, refused, _ := strings.Cut(RefusedAddr(t), ":")
	return PortMap{"10001": servers[2].Port, "10002": servers[0].Port, "10003": servers[1].Port, "10009": refused}
}
