// Login and the caller's own account (SPEC §5).
//
// - POST /api/v1/auth/login {"username", "password"} → {"token", "expires_at", "role"}; a wrong
//   pair answers 401, a throttled username or address 429 without a password check (README:
//   login throttling), a username that is not an id 400.
// - GET /api/v1/me: {"username", "role", "site_ids"}.
#include "api/routes/routes.h"
#include "ems/auth/password.h"
#include "ems/auth/token.h"
#include "ems/domain/ids.h"

namespace ems::api {
namespace {

void Login(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const auto body = BodyObject(req);
  const auto username =
      ValueOrFail(codec::RequiredString(body, "username", ErrorCode::kInvalidLogin));
  const auto password =
      ValueOrFail(codec::RequiredString(body, "password", ErrorCode::kInvalidLogin));
  // Usernames are ids (SPEC §3): anything else is refused before it is looked up or counted.
  if (!IsValidId(username)) {
    Fail(ErrorCode::kInvalidParameter, "A username is 1 to 64 letters, digits, '_', '.' or '-'.");
  }
  const auto address = ClientAddress(req);
  const auto now = Now();
  switch (ctx.login_throttle.Check(username, address, now)) {
    case auth::LoginThrottle::Verdict::kUserBlocked:
      Fail(ErrorCode::kThrottled, "Too many failed logins for this user; try again in a minute.");
    case auth::LoginThrottle::Verdict::kAddressBlocked:
      Fail(ErrorCode::kThrottled,
           "Too many failed logins from this address; try again in a minute.");
    case auth::LoginThrottle::Verdict::kAllowed:
      break;
  }
  const auto user = ctx.Store().Users().Get(username);
  // Hash even for unknown users, so the answer time does not tell which usernames exist.
  static const std::string kDummyHash = auth::HashPassword("no such user");
  const bool ok =
      auth::VerifyPassword(password, user ? user->password_hash : kDummyHash) && user.has_value();
  if (!ok) {
    ctx.login_throttle.RecordFailure(username, address, now);
    Fail(ErrorCode::kUnauthorized, "Wrong username or password.");
  }
  const auto issued =
      auth::IssueToken(ctx.jwt_secret, user->username, user->role, now, ctx.token_ttl);
  SendJson(res, 200,
           {{"token", issued.token},
            {"expires_at", FormatTimestamp(issued.expires_at)},
            {"role", user->role}});
}

void Me(ApiContext&, const httplib::Request&, httplib::Response& res, const Principal& caller) {
  SendJson(res, 200,
           {{"username", caller.username}, {"role", caller.role}, {"site_ids", caller.site_ids}});
}

}  // namespace

void RegisterAuthRoutes(Router& router) {
  router.PostPublic("/api/v1/auth/login", Login);
  router.Get("/api/v1/me", Access::kAnyUser, Me);
}

}  // namespace ems::api
