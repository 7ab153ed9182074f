package systemd

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// install writes instance n of both units into dir, as deploy/README.md
// has them copied, with ExecStart's binary replaced by one that exists
// here (systemd-analyze checks that it does).
func install(t *testing.T, dir string, n string) []string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, kind := range []string{"socket", "service"} {
		b, err := os.ReadFile("gyre@." + kind)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(b), "/usr/local/bin/gyre", exe)
		p := filepath.Join(dir, "gyre@"+n+"."+kind)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// verify runs systemd-analyze verify on the unit files at paths, skipping
// the test where systemd-analyze is not installed.
func verify(t *testing.T, paths []string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("systemd-analyze is not installed (apt-get install systemd): the units are not verified")
	}
	out, err := exec.Command("systemd-analyze", append([]string{"verify", "--man=no"}, paths...)...).CombinedOutput()
	return string(out), err
}

// Instances 1 to 9, the range the units' port scheme (1000N, 910N) holds
// for, verify clean.
func TestUnitsVerify(t *testing.T) {
	dir := t.TempDir()
	for n := 1; n <= 9; n++ {
		paths := install(t, dir, strconv.Itoa(n))
		if out, err := verify(t, paths); err != nil || out != "" {
			t.Errorf("gyre@%d: %v\n%s", n, err, out)
		}
	}
}

// dropIn is a drop-in file as deploy/README.md shows it: a block of ini
// whose first line is a comment naming its path.
var dropIn = regexp.MustCompile("(?s)```ini\n# /etc/systemd/system/([^\n]+)\n(.*?)```")

// An instance outside 1 to 9 is refused as the units stand (port 100012),
// and works with the drop-ins of deploy/README.md, which set both its
// ports: the socket's, and the service's metrics address.
func TestOtherInstanceTakesTheReadmeDropIns(t *testing.T) {
	dir := t.TempDir()
	paths := install(t, dir, "12")
	if _, err := verify(t, paths); err == nil {
		t.Error("gyre@12 verified without a drop-in: the README's limit to 1-9 is out of date")
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := dropIn.FindAllStringSubmatch(string(readme), -1)
	if len(blocks) != 2 {
		t.Fatalf("deploy/README.md shows %d drop-ins, want the socket's and the service's", len(blocks))
	}
	for _, b := range blocks {
		p := filepath.Join(dir, b[1])
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b[2]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := verify(t, paths); err != nil {
		t.Errorf("gyre@12 with the README's drop-ins: %v\n%s", err, out)
	}
	socket := readUnit(t, filepath.Join(dir, "gyre@12.socket.d", "port.conf"))
	service := readUnit(t, filepath.Join(dir, "gyre@12.service.d", "port.conf"))
	if got := socket.get("Socket", "ListenStream"); got != "127.0.0.1:10012" {
		t.Errorf("the socket's drop-in listens on %q", got)
	}
	if got := service.get("Service", "Environment"); got != "GYRE_METRICS=127.0.0.1:9112" {
		t.Errorf("the service's drop-in sets %q", got)
	}
	if start := readUnit(t, "gyre@.service").get("Service", "ExecStart"); !strings.Contains(start, "--metrics ${GYRE_METRICS}") {
		t.Errorf("ExecStart does not take its metrics address from GYRE_METRICS: %s", start)
	}
}
