package reactor_test

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gyre/reactor"
)

// A CA file from which no certificate can be trusted says why: x509's
// reason for a corrupt certificate, a PEM block that does not decode, the
// kind of blocks found instead, rather than "no PEM certificate found"
// for all of them. A bundle with one good certificate is still taken.
func TestLoadCertPoolSaysWhy(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := writePEMFiles(dir)
	good, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := pem.Decode(good)
	certBlock := func(b []byte, headers map[string]string) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Headers: headers, Bytes: b})
	}
	truncated := certBlock(der.Bytes[:len(der.Bytes)/2], nil)
	cases := []struct {
		name string
		data []byte
		want string // "" for no error
	}{
		{"truncated", truncated, "certificate could not be parsed: x509: "},
		{"not DER", certBlock([]byte("not a certificate"), nil), "certificate could not be parsed: x509: "},
		{"bad base64", []byte("-----BEGIN CERTIFICATE-----\n%%%not base64%%%\n-----END CERTIFICATE-----\n"),
			"certificate could not be parsed: its PEM block is malformed"},
		{"no END line", good[:len(good)-30], "certificate could not be parsed: its PEM block is malformed"},
		{"headers", certBlock(der.Bytes, map[string]string{"Proc-Type": "4,ENCRYPTED"}), "certificate could not be used: its PEM block has headers"},
		{"a key", mustRead(t, keyFile), "no PEM certificate found, only PRIVATE KEY"},
		{"empty", nil, "no PEM certificate found"},
		{"bundle with one bad", append(append([]byte(nil), truncated...), good...), ""},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(dir, "ca"+string(rune('a'+i))+".pem")
			if err := os.WriteFile(file, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := reactor.LoadCertPool(file)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("LoadCertPool = %v, want the good certificate taken", err)
			case c.want == "":
			case err == nil || !strings.HasPrefix(err.Error(), file+": "+c.want) || strings.Contains(err.Error(), "\n"):
				t.Fatalf("LoadCertPool = %v, want one line %q", err, file+": "+c.want+"...")
			}
		})
	}
}

// A client endpoint's caCerts goes through LoadCertPool: Dial's error
// carries the reason.
func TestDialCorruptCACerts(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")}), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := reactor.New()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	e := reactor.ClientEndpoint{Type: "tls", Host: "127.0.0.1", Port: 10443, CACerts: file}
	_, err = e.Dial(r, &reactor.BaseClientFactory{})
	if err == nil || !strings.Contains(err.Error(), file+": certificate could not be parsed: x509: ") {
		t.Fatalf("Dial = %v, want x509's reason", err)
	}
}

func mustRead(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
