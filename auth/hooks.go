package auth

import (
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"zoufang/i18n"
)

// BindHooks closes PocketBase's own doors for officers: a signed-out
// session's token is refused by the REST API as by the pages, an officer signs
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
	// A revoked session's token opens nothing in the REST API either: the
	// request goes on as anonymous, which the API rules refuse.
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{
			Id:       "zoufangRevokedSessions",
			Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 1,
			Func: func(e *core.RequestEvent) error {
				if e.Auth != nil && e.Auth.Collection().Name == Collection && isRevoked(e.App, restToken(e)) {
					e.Auth = nil
				}
				return e.Next()
			},
		})
		return se.Next()
	})
	app.OnRealtimeSubscribeRequest().BindFunc(func(e *core.RealtimeSubscribeRequestEvent) error {
		if e.Auth != nil && e.Auth.Collection().Name == Collection {
			return e.ForbiddenError(i18n.T("auth.realtime"), nil)
		}
		return e.Next()
	})
}
