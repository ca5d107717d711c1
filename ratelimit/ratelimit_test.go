package ratelimit

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	l := New(3, time.Minute)
	l.SetClock(func() time.Time { return now })

	t.Run("allows up to the limit and then refuses", func(t *testing.T) {
		for i := 0; i < 3; i++ {
			if !l.Allow("a") {
				t.Fatalf("event %d refused, want allowed", i+1)
			}
		}
		if l.Allow("a") {
			t.Fatal("fourth event allowed, want refused")
		}
		if !l.Blocked("a") {
			t.Fatal("Blocked = false after the limit")
		}
	})
	t.Run("keys are counted apart", func(t *testing.T) {
		if !l.Allow("b") {
			t.Fatal("another key was refused")
		}
	})
	t.Run("a new window starts afresh", func(t *testing.T) {
		if got := l.RetryAfter("a"); got != time.Minute {
			t.Fatalf("RetryAfter = %v, want 1m", got)
		}
		now = now.Add(time.Minute)
		if !l.Allow("a") {
			t.Fatal("refused after the window reset")
		}
	})
	t.Run("reset forgets a key", func(t *testing.T) {
		l.Hit("c")
		l.Hit("c")
		l.Hit("c")
		if !l.Blocked("c") {
			t.Fatal("three hits did not block")
		}
		l.Reset("c")
		if l.Blocked("c") {
			t.Fatal("still blocked after reset")
		}
	})
}

func TestRelease(t *testing.T) {
	t.Parallel()
	l := New(2, time.Minute)
	t.Run("a released reservation frees its place", func(t *testing.T) {
		l.Allow("a")
		l.Allow("a")
		if l.Allow("a") {
			t.Fatal("third event allowed")
		}
		l.Release("a")
		if !l.Allow("a") {
			t.Fatal("refused after a release")
		}
	})
	t.Run("releasing an unknown key does nothing", func(t *testing.T) {
		l.Release("nobody")
		if !l.Allow("nobody") || !l.Allow("nobody") || l.Allow("nobody") {
			t.Fatal("a release before any event let more through")
		}
	})
}
