package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"gyre/poetry"
	"gyre/protocols/proxyproto"
	"gyre/reactor"
)

// The PROXY protocol in gyre serve (--proxy-protocol): behind HAProxy
// (send-proxy or send-proxy-v2) each connection starts with a header that
// names the client. gyre reads it before serving the poem, so that the
// log and the metrics show the client, not the balancer. A connection
// without a valid header in time is aborted (a reset: it was not served),
// counted and logged, never served. On a tls: endpoint the header comes
// in clear text and TLS starts after it, as HAProxy sends them.

// wrapProxy puts the PROXY protocol reader in front of a poem's factory on
// one loop, when --proxy-protocol asks for it; opts are the reader's
// further options (see proxyTLSEndpoint).
func (p *servedPort) wrapProxy(inner reactor.Factory, opts ...proxyproto.Option) reactor.Factory {
	cfg := p.l.srv.cfg
	if !cfg.proxyProtocol {
		return inner
	}
	return proxyproto.NewFactory(p.l.r, inner, append([]proxyproto.Option{
		proxyproto.WithTimeout(cfg.proxyTimeout),
		proxyproto.WithRejectObserver(p.rejected)}, opts...)...)
}

// proxyTLSEndpoint returns the endpoint to listen on for e, and the PROXY
// reader's options for it. A balancer sends the header in clear text
// before the TLS handshake (HAProxy's send-proxy on a server line with
// ssl), so a tls: endpoint behind --proxy-protocol listens on plain TCP,
// at the same address, and the reader starts TLS once the header is in,
// with the endpoint's key, certificate and handshake timeout. A TLS port
// would take the clear header for a broken TLS hello.
func proxyTLSEndpoint(cfg serveConfig, e reactor.ServerEndpoint) (reactor.ServerEndpoint, []proxyproto.Option, error) {
	if !cfg.proxyProtocol || e.Type != "tls" {
		return e, nil, nil
	}
	config, err := e.ServerTLSConfig()
	if err != nil {
		return e, nil, err
	}
	plain := reactor.ServerEndpoint{Type: "tcp", Port: e.Port, Interface: e.Interface, Backlog: e.Backlog, Index: -1}
	return plain, []proxyproto.Option{proxyproto.WithTLS(config, e.HandshakeTimeout)}, nil
}

// rejected is called (on the loop) for each connection aborted before its
// header was complete: it was admitted by BuildProtocol, so it is released
// here as observe releases a served one. A connection that the shutdown
// cut (the grace over, a second signal) while its header was still coming
// lacked no header: it is counted and logged as cut (cutBeforeHeader).
func (p *servedPort) rejected(rj proxyproto.Rejected) {
	l := p.l
	l.leave()
	if l.cutReason != nil && errors.Is(rj.Err, reactor.ErrConnectionAborted) {
		p.cutBeforeHeader(rj)
	} else {
		p.lackedHeader(rj)
	}
	if l.draining && l.live == 0 {
		l.r.Stop()
	}
}

// lackedHeader counts and logs a connection rejected for want of a valid
// PROXY protocol header (proxy_rejected=N in the stop line, by reason in
// /metrics).
func (p *servedPort) lackedHeader(rj proxyproto.Rejected) {
	l := p.l
	l.proxyRejected++
	l.stats.reject(rj.Err)
	if l.perClient {
		rec := slog.NewRecord(time.Now(), slog.LevelInfo, "rejected: no valid PROXY protocol header", 0)
		rec.AddAttrs(slog.Any("peer", rj.Peer), slog.String("reason", proxyproto.Reason(rj.Err)),
			slog.String("error", rj.Err.Error()))
		p.log.Handle(context.Background(), rec)
		l.scheduleFlush()
	}
}

// cutBeforeHeader counts a connection cut by the shutdown while its PROXY
// header was pending as what it is to the balancer's client behind it: a
// poem lost to the cut (lost, cut=N in the stop line, reason "cut" in
// /metrics), with no bytes sent. Its record says so; it has no duration,
// and is left out of the duration histogram, since no poem began.
func (p *servedPort) cutBeforeHeader(rj proxyproto.Rejected) {
	l := p.l
	l.lost++
	l.cutPoems++
	l.stats.cutBeforeHeader()
	if l.perClient {
		rec := slog.NewRecord(time.Now(), slog.LevelInfo, "cut before its PROXY protocol header", 0)
		rec.AddAttrs(slog.Any("peer", rj.Peer), slog.Int64("bytes", 0),
			slog.String("outcome", poetry.Served{Err: l.cutReason}.Outcome()))
		p.log.Handle(context.Background(), rec)
		l.scheduleFlush()
	}
}
