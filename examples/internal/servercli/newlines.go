package servercli

import "bytes"

// The original servers read their poem as text (Python's open(path).read()),
// and Python's text mode turns every line end into "\n": "\r\n" and a lone
// "\r" alike. A poem file with Windows or old Mac line ends is therefore
// served, and counted in the slow server's "Sending N bytes" lines, with
// "\n" only; serving its bytes as they are on disk would send, and log,
// more than the original does.

// textNewlines returns data with "\r\n" and lone "\r" turned into "\n", as
// Python's text mode reads it. Data without "\r" is returned as it is.
func textNewlines(data []byte) []byte {
	if bytes.IndexByte(data, '\r') < 0 {
		return data
	}
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c != '\r' {
			out = append(out, c)
			continue
		}
		out = append(out, '\n')
		if i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
	}
	return out
}
