package main

import (
	"time"

	"github.com/spf13/cobra"

	"gyre/protocols/proxyproto"
)

// deployConfig is the part of gyre serve's command line for running behind
// a balancer and a monitoring system: the PROXY protocol and the metrics
// endpoint (see serveproxy.go and servemetrics.go).
type deployConfig struct {
	proxyProtocol bool
	proxyTimeout  time.Duration
	metricsAddr   string
}

const deployHelp = `
Behind a load balancer (see deploy/README.md):
  --proxy-protocol  each connection starts with a PROXY protocol header
               (v1 or v2, HAProxy's send-proxy / send-proxy-v2) naming the
               client; the poem is served after it, and the log and the
               metrics show that client. A connection without a valid
               header within --proxy-timeout is reset, logged and counted,
               never served. On a tls: endpoint the header comes in clear
               text, before the TLS handshake (as HAProxy sends it to an
               ssl server).
  --metrics ADDR    serves /metrics (Prometheus) and /healthz (503 once a
               signal has stopped the listeners) over HTTP at ADDR.`

func addDeployFlags(cmd *cobra.Command, c *deployConfig) {
	f := cmd.Flags()
	c.proxyTimeout = proxyproto.DefaultTimeout
	f.BoolVar(&c.proxyProtocol, "proxy-protocol", false, "read a PROXY protocol header (v1 or v2) from each connection before serving it")
	f.Var((*secondsValue)(&c.proxyTimeout), "proxy-timeout", "with --proxy-protocol: how long a connection may take to send its header")
	f.StringVar(&c.metricsAddr, "metrics", "", "serve /metrics and /healthz over HTTP at this address (host:port)")
	cmd.Long += "\n" + deployHelp
	cmd.Example += `

  # Behind HAProxy (send-proxy-v2), watched by Prometheus
  gyre serve --port 10000 --proxy-protocol --metrics 127.0.0.1:9100 library`
}

// check validates the deployment flags against the rest.
func (c *deployConfig) check(cmd *cobra.Command, blocking bool) error {
	if cmd.Flags().Changed("proxy-timeout") && !c.proxyProtocol {
		return usageErrorf("--proxy-timeout applies only with --proxy-protocol")
	}
	if c.proxyTimeout <= 0 {
		return usageErrorf("--proxy-timeout must be more than 0, not %v", c.proxyTimeout)
	}
	if blocking && c.proxyProtocol {
		return usageErrorf("--proxy-protocol needs the reactor server: it does not apply with --blocking")
	}
	if blocking && c.metricsAddr != "" {
		return usageErrorf("--metrics needs the reactor server: it does not apply with --blocking")
	}
	return nil
}
