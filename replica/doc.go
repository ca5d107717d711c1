// Package replica is the sync protocol's one home (DESIGN §6): the pull of
// an officer's share of each replicated collection, paged by the sync
// stamp that orders pulls; the push that applies a device's outbox item by
// item; the scope fingerprint that tells a device its area changed; and the
// status vocabulary both ends speak. The features own their records and
// rules (households, visits, watches); this package carries them.
package replica
