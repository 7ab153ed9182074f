package main

import (
	"context"
	"log/slog"
	"time"

	"gyre/protocols/proxyproto"
	"gyre/reactor"
)

// The PROXY protocol in gyre serve (--proxy-protocol): behind HAProxy
// (send-proxy or send-proxy-v2) each connection starts with a header that
// names the client. gyre reads it before serving the poem, so that the
// log and the metrics show the client, not the balancer. A connection
// without a valid header in time is aborted (a reset: it was not served),
// counted and logged, never served.

// wrapProxy puts the PROXY protocol reader in front of a poem's factory on
// one loop, when --proxy-protocol asks for it.
func (p *servedPort) wrapProxy(inner reactor.Factory) reactor.Factory {
	cfg := p.l.srv.cfg
	if !cfg.proxyProtocol {
		return inner
	}
	return proxyproto.NewFactory(p.l.r, inner,
		proxyproto.WithTimeout(cfg.proxyTimeout),
		proxyproto.WithRejectObserver(p.rejected))
}

// rejected is called (on the loop) for each connection aborted before its
// header was complete: it was admitted by BuildProtocol, so it is released
// here as observe releases a served one.
func (p *servedPort) rejected(rj proxyproto.Rejected) {
	l := p.l
	l.live--
	l.gate.release()
	l.proxyRejected++
	l.stats.reject(rj.Err)
	if l.perClient {
		rec := slog.NewRecord(time.Now(), slog.LevelInfo, "rejected: no valid PROXY protocol header", 0)
		rec.AddAttrs(slog.Any("peer", rj.Peer), slog.String("reason", proxyproto.Reason(rj.Err)),
			slog.String("error", rj.Err.Error()))
		p.log.Handle(context.Background(), rec)
		l.scheduleFlush()
	}
	if l.draining && l.live == 0 {
		l.r.Stop()
	}
}
