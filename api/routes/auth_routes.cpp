// Login and the caller's own account (docs/contract.md §5).
//
// - POST /api/v1/auth/login {"username", "password"} → {"token", "expires_at", "role"}; a wrong
//   pair answers 401, a throttled username or address 429 without a password check
//   (docs/decisions.md: login throttling), a username that is not an id 400.
// - GET /api/v1/me: {"username", "role", "site_ids"}.
// - PUT /api/v1/me/password {"current", "new"}: a wrong current password answers 403 and counts
//   as a failed login (throttled alike, 429); a new password breaking the rules (CheckPassword)
//   422. Success ends every token of the user issued before and answers a fresh one, shaped as
//   the login's answer.
#include "api/accounts.h"
#include "api/routes/login.h"
#include "api/routes/routes.h"
#include "ems/auth/password.h"
#include "ems/auth/token.h"
#include "ems/codec/user_codec.h"
#include "ems/domain/ids.h"

namespace ems::api {
namespace {

// Fails kThrottled while too many failed logins came for `username` or from the client.
void CheckThrottle(ApiContext& ctx, const std::string& username, const std::string& address,
                   Timestamp now) {
  switch (ctx.login_throttle.Check(username, address, now)) {
    case auth::LoginThrottle::Verdict::kUserBlocked:
      Fail(ErrorCode::kThrottled, "Too many failed logins for this user; try again in a minute.");
    case auth::LoginThrottle::Verdict::kAddressBlocked:
      Fail(ErrorCode::kThrottled,
           "Too many failed logins from this address; try again in a minute.");
    case auth::LoginThrottle::Verdict::kAllowed:
      break;
  }
}

// The login's answer: `issued`, a token for `role`.
void SendToken(httplib::Response& res, const auth::IssuedToken& issued, Role role) {
  SendJson(res, 200,
           {{"token", issued.token},
            {"expires_at", FormatTimestamp(issued.expires_at)},
            {"role", ToString(role)}});
}

auth::IssuedToken Issue(ApiContext& ctx, const store::User& user, Timestamp now) {
  return auth::IssueToken(ctx.jwt_secret, user.username, std::string(ToString(user.role)), now,
                          ctx.token_ttl);
}

void Login(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const auto body = BodyObject(req);
  const auto username =
      ValueOrFail(codec::RequiredString(body, "username", ErrorCode::kInvalidLogin));
  const auto password =
      ValueOrFail(codec::RequiredString(body, "password", ErrorCode::kInvalidLogin));
  const auto login = LogIn(ctx, username, password, ClientAddress(req));
  SendToken(res, login.issued, login.role);
}

void Me(ApiContext&, const httplib::Request&, httplib::Response& res, const Principal& caller) {
  SendJson(res, 200,
           {{"username", caller.username},
            {"role", ToString(caller.role)},
            {"site_ids", caller.site_ids}});
}

void ChangeMyPassword(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                      const Principal& caller) {
  const auto body = ValueOrFail(codec::DecodePasswordChange(req.body));
  const auto address = ClientAddress(req);
  CheckThrottle(ctx, caller.username, address, Now());
  auto& store = ctx.Store();
  const auto user = store.Users().Get(caller.username);
  if (!user || !auth::VerifyPassword(body.current, user->password_hash)) {
    ctx.login_throttle.RecordFailure(caller.username, address, Now());
    Fail(ErrorCode::kForbidden, "The current password is wrong.");
  }
  codec::UserChangeBody change;
  change.password = body.replacement;
  // The new token is issued at the very instant of the change, so it is not older than it.
  const auto now = Now();
  const auto changed = ValueOrFail(ChangeAccount(store, caller.username, change, now));
  SendToken(res, Issue(ctx, changed, now), changed.role);
}

}  // namespace

LoggedIn LogIn(ApiContext& ctx, const std::string& username, const std::string& password,
               const std::string& address) {
  // Usernames are ids (docs/contract.md §3): anything else is refused before it is looked up or
  // counted.
  if (!IsValidId(username)) {
    Fail(ErrorCode::kInvalidParameter, "A username is 1 to 64 letters, digits, '_', '.' or '-'.");
  }
  const auto now = Now();
  CheckThrottle(ctx, username, address, now);
  const auto user = ctx.Store().Users().Get(username);
  // Hash even for unknown users, so the answer time does not tell which usernames exist.
  static const std::string kDummyHash = auth::HashPassword("no such user");
  const bool ok =
      auth::VerifyPassword(password, user ? user->password_hash : kDummyHash) && user.has_value();
  if (!ok) {
    ctx.login_throttle.RecordFailure(username, address, now);
    Fail(ErrorCode::kUnauthorized, "Wrong username or password.");
  }
  return {Issue(ctx, *user, now), user->role};
}

void RegisterAuthRoutes(Router& router) {
  router.PostPublic("/api/v1/auth/login", Login);
  router.Get("/api/v1/me", Access::kAnyUser, Me);
  router.Put("/api/v1/me/password", Access::kAnyUser, ChangeMyPassword);
}

}  // namespace ems::api
