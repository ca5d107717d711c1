package auth

import (
	"github.com/pocketbase/pocketbase/core"

	"zoufang/i18n"
)

// BindHooks closes PocketBase's own doors for officers: an officer signs
// in only through /login (whose limits and timing the REST route lacks),
// a token is never renewed by the REST API (a token that a plain sign-out
// left behind would otherwise be turned into a fresh 30-day one), and the
// REST realtime channel is not theirs (it would keep sending records after
// "sign out everywhere"; the field app uses /ws, which drops them).
func BindHooks(app core.App) {
	app.OnRecordAuthWithPasswordRequest(Collection).BindFunc(func(e *core.RecordAuthWithPasswordRequestEvent) error {
		return e.ForbiddenError(i18n.T("auth.rest_signin"), nil)
	})
	app.OnRecordAuthRefreshRequest(Collection).BindFunc(func(e *core.RecordAuthRefreshRequestEvent) error {
		return e.ForbiddenError(i18n.T("auth.refresh"), nil)
	})
	app.OnRealtimeSubscribeRequest().BindFunc(func(e *core.RealtimeSubscribeRequestEvent) error {
		if e.Auth != nil && e.Auth.Collection().Name == Collection {
			return e.ForbiddenError(i18n.T("auth.realtime"), nil)
		}
		return e.Next()
	})
}
