#include "api/routes/routes.h"
#include "ems/auth/password.h"
#include "ems/auth/token.h"
#include "ems/domain/ids.h"
#include "ems/store/user_repository.h"

namespace ems::api {

void RegisterAuthRoutes(Router& router, ApiContext& ctx) {
  router.Post(
      "/api/v1/auth/login", Public([&ctx](const httplib::Request& req, httplib::Response& res) {
        const auto body = BodyObject(req);
        const auto username = codec::RequiredString(body, "username", "invalid_login");
        const auto password = codec::RequiredString(body, "password", "invalid_login");
        if (!username) ThrowReject(username.error());
        if (!password) ThrowReject(password.error());
        // Usernames are ids (SPEC §3): anything else is refused before it is looked up or counted.
        if (!IsValidId(*username)) {
          throw HttpError{400, "A username is 1 to 64 letters, digits, '_', '.' or '-'."};
        }
        const auto address = ClientAddress(req);
        const auto now = Now();
        switch (ctx.login_throttle.Check(*username, address, now)) {
          case auth::LoginThrottle::Verdict::kUserBlocked:
            throw HttpError{429, "Too many failed logins for this user; try again in a minute."};
          case auth::LoginThrottle::Verdict::kAddressBlocked:
            throw HttpError{429,
                            "Too many failed logins from this address; try again in a minute."};
          case auth::LoginThrottle::Verdict::kAllowed:
            break;
        }
        store::UserRepository users(ctx.Db());
        const auto user = users.Get(*username);
        // Hash even for unknown users, so the answer time does not tell which usernames exist.
        static const std::string kDummyHash = auth::HashPassword("no such user");
        const bool ok = auth::VerifyPassword(*password, user ? user->password_hash : kDummyHash) &&
                        user.has_value();
        if (!ok) {
          ctx.login_throttle.RecordFailure(*username, address, now);
          throw HttpError{401, "Wrong username or password."};
        }
        const auto issued =
            auth::IssueToken(ctx.jwt_secret, user->username, user->role, now, ctx.token_ttl);
        SendJson(res, 200,
                 {{"token", issued.token},
                  {"expires_at", FormatTimestamp(issued.expires_at)},
                  {"role", user->role}});
      }));

  router.Get("/api/v1/me",
             Authed(ctx, Access::kAnyUser,
                    [](const httplib::Request&, httplib::Response& res, const Principal& p) {
                      SendJson(
                          res, 200,
                          {{"username", p.username}, {"role", p.role}, {"site_ids", p.site_ids}});
                    }));
}

}  // namespace ems::api
