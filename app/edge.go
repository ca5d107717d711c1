package app

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"zoufang/station"
)

// forwardedHeaders are what a reverse proxy says about the original
// request. Echo's c.Scheme() and c.RealIP() believe them from anyone, and
// the session cookie's Secure flag, HSTS and QR links depend on the
// scheme, so they are removed unless the trusted proxy sent them.
var forwardedHeaders = []string{
	"X-Forwarded-Proto", "X-Forwarded-Protocol", "X-Forwarded-Ssl", "X-Url-Scheme",
	"X-Forwarded-For", "X-Real-Ip", "X-Forwarded-Host", "Forwarded",
}

// loopback is who may act as the proxy when no --trusted-proxies is given.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// edgeRequest is the request as zoufang's routes see it: the client's
// address on its context (the proxy's word for it only when the proxy is
// trusted), and forwarded headers gone unless the trusted proxy sent them.
func (s *Server) edgeRequest(re *core.RequestEvent) *http.Request {
	trusted := s.fromTrustedProxy(re)
	ip := re.RemoteIP()
	if trusted {
		ip = re.RealIP()
	}
	r := re.Request.WithContext(station.WithClientIP(re.Request.Context(), ip))
	if !trusted {
		r.Header = r.Header.Clone() // WithContext shares the header map
		for _, h := range forwardedHeaders {
			r.Header.Del(h)
		}
	}
	return r
}

// fromTrustedProxy: the station admin said there is a proxy (PocketBase's
// trusted-proxy header, admin UI → Settings → Application), and this
// request came from one of its addresses.
func (s *Server) fromTrustedProxy(re *core.RequestEvent) bool {
	if len(re.App.Settings().TrustedProxy.Headers) == 0 {
		return false
	}
	peer, err := netip.ParseAddr(re.RemoteIP())
	if err != nil {
		return false
	}
	proxies := s.Config.TrustedProxies
	if len(proxies) == 0 {
		proxies = loopback
	}
	for _, p := range proxies {
		if p.Contains(peer.Unmap()) {
			return true
		}
	}
	return false
}

// ParsePrefixes reads a comma-separated list of CIDR prefixes or single
// addresses ("127.0.0.1, 10.0.0.0/8").
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("%q is no address or CIDR prefix", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("%q is no address or CIDR prefix", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
