// The API's HTTP conventions (docs/contract.md §5, §6), shared by every route file: how a route is
// written and registered, JSON answers, the one-sentence error format and the one mapping of
// ErrorCode to an HTTP status, query parsing, opaque cursors and pages, and who is calling.
//
// A route is a named function, registered with the access it needs:
//
//   void GetDevice(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
//                  const Principal& caller);
//   router.Get(R"(/api/v1/devices/([^/]+))", Access::kAnyUser, GetDevice);
//
// It answers success with SendJson and every failure one way: Fail(code, message), or
// ValueOrFail(result) for a Result. The router authenticates (401), checks the role (403), and
// turns a failure into the docs/contract.md §6 error answer with HttpStatus(code).
#pragma once

#include <httplib.h>

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ems/auth/login_throttle.h"
#include "ems/codec/json_fields.h"
#include "ems/codec/json_writer.h"
#include "ems/domain/result.h"
#include "ems/domain/rollup.h"
#include "ems/domain/time.h"
#include "ems/domain/user.h"
#include "ems/metrics/metrics.h"
#include "ems/mqtt/home_assistant.h"
#include "ems/store/store.h"

namespace ems::api {

using Json = nlohmann::json;

// docs/contract.md §6: request bodies over 1 MiB answer 413.
inline constexpr std::size_t kMaxRequestBody = 1 << 20;
// A cursor is a small keyset position; anything longer was not issued by this API.
inline constexpr std::size_t kMaxCursorBytes = 1 << 10;

// Shared by all routes. Thread-safe: each worker thread gets its own Store.
struct ApiContext {
  std::string db_path;   // EMS_DB_PATH: its folder holds the listeners' status files
  std::string database;  // what OpenStore opens (store::DatabaseOf): EMS_DB_URL or EMS_DB_PATH
  std::string jwt_secret;
  std::string topic_prefix;
  std::string default_currency;
  std::chrono::seconds token_ttl{std::chrono::hours(12)};
  std::chrono::seconds stale_after{30};  // EMS_STALE_AFTER_S
  // ems-ocpp's control endpoint and its bearer token (EMS_OCPP_CONTROL_*, docs/ocpp.md).
  std::string ocpp_control_url;
  std::string ocpp_control_secret;
  // EMS_HA_DISCOVERY, EMS_HA_PREFIX: the configs of what is deleted are cleared; none when off.
  std::optional<mqtt::HaSettings> home_assistant = mqtt::HaSettings{};
  auth::LoginThrottle login_throttle;
  // Publishes derived state retained at QoS 1 (e.g. a schedule recomputed after a user's
  // change). Never blocks; a no-op until the API's broker client exists.
  std::function<void(const std::string& topic, const std::string& payload)> publish_retained =
      [](const std::string&, const std::string&) {};

  // This worker thread's Store, opened on its first request and kept for the thread's life, so
  // every statement is prepared once per thread, not per request.
  store::Store& Store();
};

// The authenticated caller, as stored now (not as the token says: a token issued before the
// user's last change of password, role or sites is refused).
struct Principal {
  std::string username;
  Role role = Role::kViewer;
  std::vector<std::string> site_ids;

  bool is_admin() const { return role == Role::kAdmin; }
  // What the caller may see (docs/contract.md §5): every site for admins, else the assigned ones.
  // Passed to every repository query that answers the caller; what it hides is answered as missing.
  store::Visibility visibility() const;
  // Fails kForbidden unless the caller's role may do `action` on a site it sees (Allows). Call it
  // once the object was found through visibility(): what the caller cannot see is a 404, what it
  // sees but may not change a 403.
  void Require(SiteAction action) const;
};

// Clears (empty retained messages) what the listener published for a device or a site that was
// deleted: its energy totals (docs/contract.md §4.6) and, with EMS_HA_DISCOVERY, its Home Assistant
// configs, so Home Assistant removes its entities.
void ClearDeviceTopics(ApiContext& ctx, const std::string& site_id, const std::string& device_id);
void ClearSiteTopics(ApiContext& ctx, const std::string& site_id);

// The one mapping of ErrorCode to an HTTP status (docs/contract.md §6): malformed 400, 401, 403,
// not found 404, conflict 409, throttled 429, every broken rule 422.
int HttpStatus(ErrorCode code);

// A route's failure, thrown by Fail and answered by the router.
struct RouteFailure {
  Reject reject;
};
[[noreturn]] void Fail(ErrorCode code, std::string message);
[[noreturn]] void Fail(Reject reject);
// The value of `result`, or Fail with its Reject.
template <class T>
T ValueOrFail(Result<T> result) {
  if (!result) Fail(result.error());
  return std::move(*result);
}
inline void ValueOrFail(const Result<void>& result) {
  if (!result) Fail(result.error());
}

void SendJson(httplib::Response& res, int status, const Json& body);
// JSON text is sent as it is, never wrapped into a JSON string.
void SendJson(httplib::Response& res, int status, const std::string& text) = delete;
// A body already written as JSON text (codec::JsonWriter, PageAnswer).
void SendJsonText(httplib::Response& res, int status, std::string body);
void SendError(httplib::Response& res, int status, const std::string& message);

// Answers `body` with a strong ETag (a hash of it) and `cache_control`; a request whose
// If-None-Match names that ETag gets 304 without the body (docs/dashboard.md, caching). For
// series, summaries and pages, so a dashboard left open costs little. With `equivalent` the tag
// is weak and hashes that instead: a body that differs only in what `equivalent` leaves out (a
// summary's `ts`, the instant it was computed) is the same answer.
void SendCached(const httplib::Request& req, httplib::Response& res, std::string body,
                const std::string& content_type, const std::string& cache_control,
                std::string_view equivalent = {});
// A summary (docs/contract.md §6.4) with a weak ETag of its figures, everything but `ts`.
void SendSummary(const httplib::Request& req, httplib::Response& res, Json summary);
// Cache-Control of an answer about a range ending at `to`: ended a day ago, it changes no more
// (max-age a day); ended an hour ago, late data may still arrive (5 minutes); else the current
// hour changes (no-cache: revalidate with the ETag every time).
std::string RangeCacheControl(Timestamp to, Timestamp now);
inline constexpr const char* kRevalidate = "private, no-cache";

// The request body as a JSON object, else kInvalidJson (400).
Json BodyObject(const httplib::Request& req);

// Query helpers: absent → nullopt; malformed → kInvalidParameter (400) naming the parameter.
std::optional<std::string> QueryString(const httplib::Request& req, const std::string& name);
std::optional<std::string> QueryId(const httplib::Request& req, const std::string& name);
std::optional<Timestamp> QueryTime(const httplib::Request& req, const std::string& name);
// A calendar date "YYYY-MM-DD" (a site-local day).
std::optional<Date> QueryDate(const httplib::Request& req, const std::string& name);
// `limit`: default 100, 1..1000.
int QueryLimit(const httplib::Request& req);
// from/to of a range; from >= to → kInvalidQuery (422).
std::pair<std::optional<Timestamp>, std::optional<Timestamp>> QueryRange(
    const httplib::Request& req);
// from/to of a series (docs/contract.md §6.3, §6.4), by default the last 24 hours: to = now (or
// from + 24 h when from is in the future), from = to − 24 h.
std::pair<Timestamp, Timestamp> QuerySeriesRange(const httplib::Request& req);
// A parameter naming one of a closed set (an interval, an aggregation, a device type): absent →
// nullopt; a name `parse` does not know → kInvalidParameter listing `choices`.
template <class T>
std::optional<T> QueryNamed(const httplib::Request& req, const std::string& name,
                            std::optional<T> (*parse)(std::string_view), std::string_view choices) {
  const auto text = QueryString(req, name);
  if (!text) return std::nullopt;
  auto value = parse(*text);
  if (!value) {
    Fail(ErrorCode::kInvalidParameter,
         "Query parameter '" + name + "' must be one of " + std::string(choices) + ".");
  }
  return value;
}
// `interval` of a series: raw, 1m, 15m, 1h, 1d, 1w or 1mo.
std::optional<Interval> QueryInterval(const httplib::Request& req);
// `agg` of a series: avg, min, max, sum or last.
std::optional<Agg> QueryAgg(const httplib::Request& req);
// Everything a metric series reads (docs/contract.md §6.3, a device's or a subscription's): the
// range of QuerySeriesRange, `interval` (default DefaultInterval of the range), `agg` (default
// avg), passed whole to TelemetryReader::Series.
SeriesWindow QuerySeriesWindow(const httplib::Request& req);

// Opaque cursors: base64url of a small JSON keyset position, one shape per cursor type of the
// store's pages (an id, a dead letter's id, a session's [started_at ms, id], a contract event's
// "ms.seq"). QueryCursor<C> reads the `cursor` parameter back; one this API did not issue (or of
// another route) is kInvalidParameter (400).
template <class Cursor>
std::optional<Cursor> QueryCursor(const httplib::Request& req);
template <>
std::optional<std::string> QueryCursor(const httplib::Request& req);
template <>
std::optional<std::int64_t> QueryCursor(const httplib::Request& req);
template <>
std::optional<store::SessionCursor> QueryCursor(const httplib::Request& req);
template <>
std::optional<store::ContractEventCursor> QueryCursor(const httplib::Request& req);
// The keyset position a cursor carries, and the opaque text of a position.
Json CursorPosition(const std::string& id);
Json CursorPosition(std::int64_t id);
Json CursorPosition(const store::SessionCursor& c);
Json CursorPosition(const store::ContractEventCursor& c);
std::string EncodeCursor(const Json& position);

// {"items": [...], "next_cursor": "..." | null} as JSON text (SendJsonText): the page's items,
// each written by `encode`, either `void(codec::JsonWriter&, const T&)` or `Json(const T&)`.
template <class T, class Cursor, class Encode>
std::string PageAnswer(const store::Page<T, Cursor>& page, Encode encode) {
  codec::JsonWriter w;
  w.BeginObject().Key("items").BeginArray();
  for (const auto& item : page.items) {
    if constexpr (std::is_invocable_v<Encode, codec::JsonWriter&, const T&>) {
      encode(w, item);
    } else {
      w.Value(encode(item));
    }
  }
  w.EndArray().Key("next_cursor");
  if (page.next_cursor) {
    w.Value(EncodeCursor(CursorPosition(*page.next_cursor)));
  } else {
    w.Value(nullptr);
  }
  return w.EndObject().Take();
}

// The API's request metrics (docs/contract.md §8, docs/monitoring.md):
// ems_http_requests_total{route, method,status} and
// ems_http_request_duration_seconds{route,method}, where route is the route's template
// (RouteTemplate: "/api/v1/devices/{}"), never a raw path, and "unmatched" for a request no route
// took (no such route, a body refused before routing); its method is one of the HTTP methods or
// "other". Every label comes from a closed set. Thread-safe.
class HttpMetrics {
 public:
  explicit HttpMetrics(metrics::Registry& registry) : registry_(registry) {}

  // The metrics of one route, looked up once when it is registered.
  class Route {
   public:
    void Record(int status, double seconds);

   private:
    friend class HttpMetrics;
    Route(HttpMetrics& owner, std::string route, std::string method);
    HttpMetrics& owner_;
    std::string route_, method_;
    metrics::Histogram& duration_;
    std::array<std::atomic<metrics::Counter*>, 600> by_status_{};  // filled on first use
  };
  Route& ForRoute(const std::string& route, const std::string& method);
  // The server's logger calls this after every request: counts it as "unmatched" unless a route
  // took it (a route counts its own).
  void AfterRequest(const std::string& method, int status);

 private:
  metrics::Counter& Requests(const std::string& route, const std::string& method, int status);

  metrics::Registry& registry_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Route>> routes_;
};

// A route's pattern as its metrics name it: each capture group becomes "{}"
// ("/api/v1/devices/([^/]+)" → "/api/v1/devices/{}").
std::string RouteTemplate(std::string_view pattern);

enum class Access { kAnyUser, kAdmin };

using RouteHandler = void (*)(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                              const Principal& caller);
using PublicHandler = void (*)(ApiContext& ctx, const httplib::Request& req,
                               httplib::Response& res);

// Every route registers through this, so /openapi.json can be checked against the real routes.
class Router {
 public:
  // Every route's requests are counted and timed in `metrics`.
  Router(httplib::Server& server, ApiContext& ctx, HttpMetrics& metrics)
      : server_(server), ctx_(ctx), metrics_(metrics) {}
  void Get(const std::string& pattern, Access access, RouteHandler h);
  void Post(const std::string& pattern, Access access, RouteHandler h);
  void Put(const std::string& pattern, Access access, RouteHandler h);
  void Delete(const std::string& pattern, Access access, RouteHandler h);
  // Routes that need no authentication (docs/contract.md §5: /health, /openapi.json, /docs, login).
  void GetPublic(const std::string& pattern, PublicHandler h);
  void PostPublic(const std::string& pattern, PublicHandler h);
  // An HTML page (docs/contract.md §7, api/pages/): `h` does its own authentication and error
  // pages. Pages are listed apart from the JSON API's routes: /openapi.json describes the JSON API
  // only.
  void Page(const char* method, const std::string& pattern, httplib::Server::Handler h);
  // "GET /api/v1/sessions/([^/]+)" for each registered route.
  const std::vector<std::string>& routes() const { return routes_; }
  // "GET /sites/([^/]+)" for each registered page.
  const std::vector<std::string>& pages() const { return pages_; }
  ApiContext& context() { return ctx_; }

 private:
  httplib::Server::Handler Authed(Access access, RouteHandler h);
  httplib::Server::Handler Public(PublicHandler h);
  void Add(const char* method, const std::string& pattern, httplib::Server::Handler h);
  void Serve(const std::string& method, const std::string& pattern, httplib::Server::Handler h);

  httplib::Server& server_;
  ApiContext& ctx_;
  HttpMetrics& metrics_;
  std::vector<std::string> routes_;
  std::vector<std::string> pages_;
};

// The caller of a request: its bearer token, else the `ems_session` cookie of the HTML pages,
// checked against the stored user (docs/contract.md §5); std::nullopt when neither is valid.
std::optional<Principal> Authenticate(ApiContext& ctx, const httplib::Request& req);
// The token in the `ems_session` cookie, or "".
std::string SessionCookie(const httplib::Request& req);
// The value of cookie `name` in the request's Cookie header, or "".
std::string CookieValue(const httplib::Request& req, std::string_view name);

// The client's address: the X-Real-IP header the edge sets (docs/contract.md §8) when the request
// comes from loopback, where the edge runs, and holds an IP address; else the peer's own address.
std::string ClientAddress(const httplib::Request& req);

// A path segment captured by a route pattern, validated where it is read: an id (IsValidId), a
// metric name (IsValidMetricName). Anything else answers kNotFound "Not found.", as a path that
// names nothing does.
std::string PathId(const httplib::Request& req, std::size_t index);
std::string PathMetric(const httplib::Request& req, std::size_t index);

// A fresh id for a resource created without one: `prefix` and 16 random hex digits
// ("dev-3f0c…", "sub-…"), unguessable, so ids say nothing of how many others exist.
std::string RandomId(std::string_view prefix);

}  // namespace ems::api
