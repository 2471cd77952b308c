// The API's HTTP conventions (SPEC §5, §6), shared by every route file:
// JSON answers, the one-sentence error format, query parsing, opaque cursors, and who is
// calling (authentication and the visibility rule "404 for what a user may not see").
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <httplib.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ems/auth/login_throttle.h"
#include "ems/codec/json_fields.h"
#include "ems/domain/result.h"
#include "ems/domain/time.h"

namespace ems::api {

using Json = nlohmann::json;

// SPEC §6: request bodies over 1 MiB answer 413.
inline constexpr std::size_t kMaxRequestBody = 1 << 20;
// A cursor is a small keyset position; anything longer was not issued by this API.
inline constexpr std::size_t kMaxCursorBytes = 1 << 10;

// Shared by all routes. Thread-safe: each worker thread gets its own database connection.
struct ApiContext {
  std::string db_path;
  std::string jwt_secret;
  std::string topic_prefix;
  std::string default_currency;
  std::chrono::seconds token_ttl{std::chrono::hours(12)};
  std::chrono::seconds stale_after{30};  // EMS_STALE_AFTER_S
  auth::LoginThrottle login_throttle;
  // Publishes derived state retained at QoS 1 (e.g. a schedule recomputed after a user's
  // change). Never blocks; a no-op until the API's broker client exists.
  std::function<void(const std::string& topic, const std::string& payload)> publish_retained =
      [](const std::string&, const std::string&) {};

  SQLite::Database& Db();  // this thread's connection
};

// The authenticated caller.
struct Principal {
  std::string username;
  std::string role;  // admin, technician, viewer
  std::vector<std::string> site_ids;

  bool is_admin() const { return role == "admin"; }
  bool CanSee(const std::string& site_id) const;
  // For repository filters: nullopt for admins (everything), else the username.
  std::optional<std::string> VisibilityUser() const;
};

// An error answer with a status from SPEC §6; thrown by helpers, caught by the route wrapper.
struct HttpError {
  int status;
  std::string message;
};

void SendJson(httplib::Response& res, int status, const Json& body);
void SendError(httplib::Response& res, int status, const std::string& message);
// Maps a Reject to 422 (rules), or 409 for reason "conflict", 404 for reason "not_found".
[[noreturn]] void ThrowReject(const Reject& r);

// The request body as a JSON object, else HttpError 400.
Json BodyObject(const httplib::Request& req);

// Query helpers: absent → nullopt; malformed → HttpError 400 naming the parameter.
std::optional<std::string> QueryString(const httplib::Request& req, const std::string& name);
std::optional<std::string> QueryId(const httplib::Request& req, const std::string& name);
std::optional<Timestamp> QueryTime(const httplib::Request& req, const std::string& name);
// `limit`: default 100, 1..1000.
int QueryLimit(const httplib::Request& req);
// from/to of a range; from >= to → HttpError 422.
std::pair<std::optional<Timestamp>, std::optional<Timestamp>> QueryRange(
    const httplib::Request& req);

// Opaque cursors: base64url of a small JSON value. A tampered cursor → HttpError 400.
std::string EncodeCursor(const Json& position);
std::optional<Json> QueryCursor(const httplib::Request& req);
// A cursor whose position is a string (an id): the common keyset position.
std::optional<std::string> QueryStringCursor(const httplib::Request& req);
// HttpError 400 for a cursor whose position does not have the shape its route issues.
[[noreturn]] void BadCursor();
// {"items": [...], "next_cursor": "..." | null}
Json ListAnswer(Json items, const std::optional<Json>& next_position);

using AuthedHandler =
    std::function<void(const httplib::Request&, httplib::Response&, const Principal&)>;
enum class Access { kAnyUser, kAdmin };

// Wraps a handler: authenticates (401), checks the role (403), and turns HttpError into the
// SPEC §6 error answer.
httplib::Server::Handler Authed(ApiContext& ctx, Access access, AuthedHandler handler);
// Wraps a handler that needs no authentication, with the same HttpError handling.
httplib::Server::Handler Public(httplib::Server::Handler handler);

// Every route registers through this, so /openapi.json can be checked against the real routes.
class Router {
 public:
  explicit Router(httplib::Server& server) : server_(server) {}
  void Get(const std::string& pattern, httplib::Server::Handler h);
  void Post(const std::string& pattern, httplib::Server::Handler h);
  void Put(const std::string& pattern, httplib::Server::Handler h);
  void Delete(const std::string& pattern, httplib::Server::Handler h);
  // "GET /api/v1/sessions/([^/]+)" for each registered route.
  const std::vector<std::string>& routes() const { return routes_; }

 private:
  httplib::Server& server_;
  std::vector<std::string> routes_;
};

// The client's address: the X-Real-IP header the edge sets (SPEC §8) when the request comes
// from loopback, where the edge runs, and holds an IP address; else the peer's own address.
std::string ClientAddress(const httplib::Request& req);

// A path segment captured by a route pattern, validated as an id; else HttpError 404.
std::string PathId(const httplib::Request& req, std::size_t index);

}  // namespace ems::api
