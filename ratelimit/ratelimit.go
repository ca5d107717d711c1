// Package ratelimit counts events per key in fixed windows: sign-in failures
// per identity, requests per client on public endpoints.
package ratelimit

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"zoufang/i18n"
	"zoufang/station"
)

// Limiter allows at most Max events per key in each Window.
type Limiter struct {
	Max    int
	Window time.Duration
	now    func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	count int
	reset time.Time
}

// New returns a limiter of max events per window per key.
func New(max int, window time.Duration) *Limiter {
	return &Limiter{Max: max, Window: window, now: time.Now, buckets: map[string]*bucket{}}
}

// Allow counts one event for key and reports whether it is within the limit.
func (l *Limiter) Allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketLocked(key)
	if b.count >= l.Max {
		return false
	}
	b.count++
	return true
}

// Release gives back one event counted for key by Allow: a reservation
// that turned out not to be a failure (a sign-in whose password was right).
func (l *Limiter) Release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[key]; ok && b.count > 0 {
		b.count--
	}
}

// Blocked reports, without counting, whether key has used up its window.
func (l *Limiter) Blocked(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bucketLocked(key).count >= l.Max
}

// Hit counts one event for key whether or not it is over the limit (a failed
// sign-in is counted even when it was allowed).
func (l *Limiter) Hit(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bucketLocked(key).count++
}

// Reset forgets key (a successful sign-in clears its failures).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.buckets, key)
}

// RetryAfter is how long until key's window resets.
func (l *Limiter) RetryAfter(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[key]; ok {
		if d := b.reset.Sub(l.now()); d > 0 {
			return d
		}
	}
	return 0
}

// SetClock replaces the limiter's clock (tests).
func (l *Limiter) SetClock(now func() time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.now = now
}

func (l *Limiter) bucketLocked(key string) *bucket {
	now := l.now()
	// Drop expired windows now and then so the map stays the size of the
	// current window's clients, not of everyone ever seen.
	if now.After(l.sweep) {
		for k, b := range l.buckets {
			if !now.Before(b.reset) {
				delete(l.buckets, k)
			}
		}
		l.sweep = now.Add(l.Window)
	}
	b, ok := l.buckets[key]
	if !ok || !now.Before(b.reset) {
		b = &bucket{reset: now.Add(l.Window)}
		l.buckets[key] = b
	}
	return b
}

// Middleware refuses a client's requests beyond l's limit with 429 and a
// plain explanation. The client is its address as resolved by PocketBase.
func Middleware(l *Limiter) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			key := station.ClientIP(c.Request().Context())
			if key == "" {
				key = c.Request().RemoteAddr
			}
			if !l.Allow(key) {
				return TooMany(c, l.RetryAfter(key))
			}
			return next(c)
		}
	}
}

// TooMany answers 429 with a Retry-After header.
func TooMany(c echo.Context, wait time.Duration) error {
	mins := int(math.Ceil(wait.Minutes()))
	if mins < 1 {
		mins = 1
	}
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	return station.Errorf(station.ETooMany, "%s", i18n.T("error.too_many_wait", mins))
}
