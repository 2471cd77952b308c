// User accounts (docs/contract.md §5, §6.1), for admins; the account rules are api/accounts.h's,
// shared with `ems-api user`.
//
// - POST /api/v1/users {"username", "password"?, "role", "site_ids"?} → 201 {"username",
//   "role", "site_ids"}, plus "password" once when the body named none (the server made it).
//   A password breaking the rules or an unknown site → 422; a taken username → 409.
// - GET /api/v1/users (username order, paged by `limit` / `cursor`), GET /api/v1/users/{username}.
// - PUT /api/v1/users/{username} {"password"?, "role"?, "site_ids"?}: changes what is given;
//   any change ends the user's tokens. A "username" in the body must be the path's.
// - DELETE /api/v1/users/{username} → 204; the user's tokens stop working at once.
// Demoting or deleting the last admin answers 409. Unknown users answer 404.
#include "api/accounts.h"
#include "api/routes/routes.h"

namespace ems::api {
namespace {

Json UserJson(const store::User& user) {
  return {{"username", user.username}, {"role", ToString(user.role)}, {"site_ids", user.site_ids}};
}

void CreateUser(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                const Principal&) {
  const auto body = ValueOrFail(codec::DecodeNewUser(req.body));
  const auto created = ValueOrFail(CreateAccount(ctx.Store(), body, Now()));
  auto answer = UserJson(created.user);
  if (created.generated_password) answer["password"] = *created.generated_password;
  SendJson(res, 201, answer);
}

void ListUsers(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
               const Principal&) {
  const auto after = QueryCursor<std::string>(req).value_or("");
  SendJsonText(res, 200, PageAnswer(ctx.Store().Users().List(after, QueryLimit(req)), UserJson));
}

void GetUser(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
             const Principal&) {
  const auto username = PathId(req, 1);
  const auto user = ctx.Store().Users().Get(username);
  if (!user) Fail(NotFound("User", username));
  SendJson(res, 200, UserJson(*user));
}

void UpdateUser(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                const Principal&) {
  const auto username = PathId(req, 1);
  const auto change = ValueOrFail(codec::DecodeUserChange(req.body));
  if (change.username && *change.username != username) {
    Fail(ErrorCode::kInvalidUser, "Field 'username' must be the user in the path (" + username +
                                      "): usernames do not change.");
  }
  SendJson(res, 200, UserJson(ValueOrFail(ChangeAccount(ctx.Store(), username, change, Now()))));
}

void DeleteUser(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                const Principal&) {
  ValueOrFail(DeleteAccount(ctx.Store(), PathId(req, 1)));
  res.status = 204;
}

}  // namespace

void RegisterUserRoutes(Router& router) {
  router.Post("/api/v1/users", Access::kAdmin, CreateUser);
  router.Get("/api/v1/users", Access::kAdmin, ListUsers);
  router.Get(R"(/api/v1/users/([^/]+))", Access::kAdmin, GetUser);
  router.Put(R"(/api/v1/users/([^/]+))", Access::kAdmin, UpdateUser);
  router.Delete(R"(/api/v1/users/([^/]+))", Access::kAdmin, DeleteUser);
}

}  // namespace ems::api
