package handlers

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Running behind a reverse proxy (TRUSTED_PROXIES).
//
// Behind a proxy every request comes from the proxy's address. The rate limits and
// the sign-in throttle must count per visitor, so for a request whose TCP peer is a
// trusted proxy the client is taken from X-Forwarded-For; for any other request the
// peer itself is the client and the forwarding headers are ignored, as are
// X-Forwarded-Proto and X-Forwarded-Host (Fiber's EnableTrustedProxyCheck, set in
// New, makes c.Protocol() and c.Hostname() honour them only from a trusted proxy).
//
// Why not Fiber's ProxyHeader: with ProxyHeader set, c.IP() returns the first
// (left-most) address of X-Forwarded-For. That one is whatever the client put in
// the header before the proxy appended the address it saw: nginx's
// $proxy_add_x_forwarded_for keeps the client's header and adds the peer at the
// end. A client sending "X-Forwarded-For: 1.2.3.4" would be counted as 1.2.3.4,
// a new address for every attempt. Only the entries that trusted proxies appended
// can be believed, so clientIP walks the list from the right, skipping trusted
// proxies (a chain of them: a load balancer, then nginx), and takes the first
// address that is not one of them: the address the outermost trusted proxy saw.

// trustedProxies are the addresses and ranges whose forwarding headers are believed.
type trustedProxies []netip.Prefix

// parseTrustedProxies reads addresses and CIDR ranges ("127.0.0.1", "10.0.0.0/8",
// "::1"). Fiber ignores entries it cannot parse; here they are an error, so that a
// typo does not silently put every visitor behind one address.
func parseTrustedProxies(list []string) (trustedProxies, error) {
	var out trustedProxies
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR range", s)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR range", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (t trustedProxies) contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP is the visitor's address: the TCP peer, or, when the peer is a trusted
// proxy, the right-most address in X-Forwarded-For that is not itself a trusted
// proxy. Every limit and throttle keys on it.
func (h *Handler) clientIP(c *fiber.Ctx) string {
	peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	peer = peer.Unmap()
	if len(h.proxies) == 0 || !h.proxies.contains(peer) {
		return peer.String()
	}
	// Every X-Forwarded-For line, in order: a proxy may add a line of its own
	// instead of extending the one it received.
	var entries []string
	for _, v := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		entries = append(entries, strings.Split(string(v), ",")...)
	}
	client := peer
	for i := len(entries) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(entries[i]))
		if err != nil {
			// Garbage where a trusted proxy should have written an address: the
			// chain is not what TRUSTED_PROXIES says. Keep the last address a
			// trusted hop vouched for rather than anything left of it.
			break
		}
		client = a.Unmap()
		if !h.proxies.contains(client) {
			break
		}
	}
	return client.String()
}
