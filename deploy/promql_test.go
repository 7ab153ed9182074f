package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeSaturation is the saturation query deploy/README.md gives in its
// list of metrics ("saturation is `...`").
func readmeSaturation(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile("saturation\\s+is\\s+`([^`]+)`").FindStringSubmatch(readFile(t, "README.md"))
	if m == nil {
		t.Fatal("deploy/README.md gives no saturation query (\"saturation is `...`\")")
	}
	return m[1]
}

// yamlSaturation is the saturation query of prometheus.yml's list of
// queries.
func yamlSaturation(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^#\s+saturation .*?\):\s+(.+)$`).FindStringSubmatch(readFile(t, "prometheus.yml"))
	if m == nil {
		t.Fatal("prometheus.yml lists no saturation query")
	}
	return strings.TrimSpace(m[1])
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The page and the scrape configuration give one saturation query: an
// operator who copies either gets the same answer.
func TestReadmeSaturationIsPrometheusYmls(t *testing.T) {
	if r, y := readmeSaturation(t), yamlSaturation(t); r != y {
		t.Errorf("deploy/README.md's saturation is %q, prometheus.yml's %q", r, y)
	}
}

// promtool runs `promtool test rules` on a unit test file made of
// tests (YAML, each line indented by two spaces already) with the rules
// of rules (file names under deploy/, none for queries alone), evaluated
// every 5 s as prometheus.yml has them; it skips where promtool is not
// installed.
func promtool(t *testing.T, tests string, rules ...string) {
	t.Helper()
	bin, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (apt-get install -y prometheus): the queries are not evaluated")
	}
	dir := t.TempDir()
	files := "[]"
	if len(rules) > 0 {
		var abs []string
		for _, r := range rules {
			a, err := filepath.Abs(r)
			if err != nil {
				t.Fatal(err)
			}
			abs = append(abs, `"`+a+`"`)
		}
		files = "[" + strings.Join(abs, ", ") + "]"
	}
	unit := filepath.Join(dir, "unit_test.yml")
	if err := os.WriteFile(unit, []byte("rule_files: "+files+"\nevaluation_interval: 5s\ntests:\n"+tests), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "test", "rules", unit).CombinedOutput()
	if err != nil {
		t.Errorf("promtool test rules: %v\n%s", err, out)
	}
}

// The saturation query gives one ratio per instance, with the series as
// prometheus.yml scrapes them: gyre_connections_in_flight per loop,
// gyre_connections_max per process. (Divided without matching on
// instance, the two sides' labels differ and the answer is empty.)
func TestSaturationQueryWithPromtool(t *testing.T) {
	expr := readmeSaturation(t)
	promtool(t, `  - interval: 15s
    input_series:
      - series: 'gyre_connections_in_flight{job="gyre",service="poems",instance="127.0.0.1:9101",loop="0"}'
        values: '10x10'
      - series: 'gyre_connections_in_flight{job="gyre",service="poems",instance="127.0.0.1:9101",loop="1"}'
        values: '20x10'
      - series: 'gyre_connections_in_flight{job="gyre",service="poems",instance="127.0.0.1:9102",loop="0"}'
        values: '50x10'
      - series: 'gyre_connections_max{job="gyre",service="poems",instance="127.0.0.1:9101"}'
        values: '100x10'
      - series: 'gyre_connections_max{job="gyre",service="poems",instance="127.0.0.1:9102"}'
        values: '200x10'
    promql_expr_test:
      - expr: '`+expr+`'
        eval_time: 1m
        exp_samples:
          - labels: '{instance="127.0.0.1:9101"}'
            value: 0.3
          - labels: '{instance="127.0.0.1:9102"}'
            value: 0.25
`)
}

// prometheus.yml and the rules it loads are valid, by promtool.
func TestPrometheusConfigWithPromtool(t *testing.T) {
	bin, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (apt-get install -y prometheus): the configuration is not checked")
	}
	if out, err := exec.Command(bin, "check", "config", "prometheus.yml").CombinedOutput(); err != nil {
		t.Errorf("promtool check config prometheus.yml: %v\n%s", err, out)
	}
}

// GyrePoemsAtRisk fires for an instance draining with poems in flight in
// the last 5 s of its grace, the scrape that comes before the cut; not
// while it serves, not earlier in the drain, and not for an instance
// whose poems have all ended.
func TestPoemsAtRiskAlertWithPromtool(t *testing.T) {
	const a, b = `job="gyre",service="poems",instance="127.0.0.1:9101"`, `job="gyre",service="poems",instance="127.0.0.1:9102"`
	promtool(t, `  - interval: 5s
    input_series:
      - series: 'gyre_connections_in_flight{`+a+`,loop="0"}'
        values: '3 3 3 3 3 3 2 2 2'
      - series: 'gyre_draining{`+a+`}'
        values: '0 0 0 0 0 0 1 1 1'
      - series: 'gyre_grace_left_seconds{`+a+`}'
        values: '10 10 10 10 10 10 10 5 0'
      - series: 'gyre_connections_in_flight{`+b+`,loop="0"}'
        values: '3 3 3 3 3 3 0 0 0'
      - series: 'gyre_draining{`+b+`}'
        values: '0 0 0 0 0 0 1 1 1'
      - series: 'gyre_grace_left_seconds{`+b+`}'
        values: '10 10 10 10 10 10 10 5 0'
    alert_rule_test:
      - alertname: GyrePoemsAtRisk
        eval_time: 30s
        exp_alerts: []
      - alertname: GyrePoemsAtRisk
        eval_time: 35s
        exp_alerts:
          - exp_labels:
              instance: 127.0.0.1:9101
              severity: warning
            exp_annotations:
              summary: "gyre 127.0.0.1:9101: 2 poems in flight as its grace runs out"
              description: "Unless they end in the seconds left, gyre cuts them with a reset (behind HAProxy their clients see a clean close: a short poem that looks whole). Search the instance's log for outcome=\"lost: cut\"; give --grace more than the longest poem takes."
`, "gyre-alerts.yml")
}

// The alerts are evaluated as often as prometheus.yml scrapes gyre, by
// an interval of their group's own: merged into a configuration that
// evaluates less often (Debian's, every 15 s), GyrePoemsAtRisk sees the
// one scrape of a drain's last 5 s only when an evaluation falls before
// the next scrape marks it stale, one drain in three.
func TestAlertsEvaluatedAtTheScrapeInterval(t *testing.T) {
	scrape := regexp.MustCompile(`(?m)^  - job_name: gyre\n(?:    .*\n)*?    scrape_interval: (\S+)$`).FindStringSubmatch(readFile(t, "prometheus.yml"))
	if scrape == nil {
		t.Fatal("prometheus.yml has no gyre job with a scrape_interval")
	}
	group := regexp.MustCompile(`(?m)^  - name: gyre\n(?:    #.*\n)*    interval: (\S+)$`).FindStringSubmatch(readFile(t, "gyre-alerts.yml"))
	if group == nil {
		t.Fatalf("gyre-alerts.yml's group sets no interval: it is evaluated at the configuration's evaluation_interval, not every %s", scrape[1])
	}
	if group[1] != scrape[1] {
		t.Errorf("gyre-alerts.yml's group is evaluated every %s, prometheus.yml scrapes gyre every %s", group[1], scrape[1])
	}
}
