package replica

// Push statuses: what became of one pushed item (docs/sync-protocol.md).
const (
	Created   = "created"   // saved
	Exists    = "exists"    // the same id with the same content is stored: a retry
	Updated   = "updated"   // an edit was applied
	Duplicate = "duplicate" // a household made at a door that is registered already
	Conflict  = "conflict"  // the server's copy stands (stale edit, closed visit)
	Invalid   = "invalid"   // refused for the officer to correct; never retried alone
	Error     = "error"     // the server failed on this item; the device retries
)
