#include "api/http.h"

#include <arpa/inet.h>
#include <xxhash.h>

#include <charconv>
#include <cstdio>
#include <random>

#include "ems/auth/token.h"
#include "ems/domain/device.h"
#include "ems/domain/ids.h"
#include "ems/mqtt/topics.h"

namespace ems::api {

store::Store& ApiContext::Store() {
  thread_local std::unique_ptr<store::Store> store;
  thread_local std::string opened_path;
  if (!store || opened_path != database) {
    store = store::OpenStore(database);
    opened_path = database;
  }
  return *store;
}

void ClearDeviceTopics(ApiContext& ctx, const std::string& site_id, const std::string& device_id) {
  ctx.publish_retained(mqtt::DeviceEnergyTopic(ctx.topic_prefix, site_id, device_id), "");
  if (!ctx.home_assistant) return;
  for (const auto& topic : mqtt::DeviceConfigTopics(*ctx.home_assistant, device_id)) {
    ctx.publish_retained(topic, "");
  }
}

void ClearSiteTopics(ApiContext& ctx, const std::string& site_id) {
  ctx.publish_retained(mqtt::SiteEnergyTopic(ctx.topic_prefix, site_id), "");
  if (!ctx.home_assistant) return;
  for (const auto& topic : mqtt::SiteConfigTopics(*ctx.home_assistant, site_id)) {
    ctx.publish_retained(topic, "");
  }
}

store::Visibility Principal::visibility() const {
  return is_admin() ? store::Visibility::All() : store::Visibility::SitesOf(username);
}

void Principal::Require(SiteAction action) const {
  if (!Allows(role, action)) {
    Fail(ErrorCode::kForbidden, "This needs the admin role or the technician role of the site.");
  }
}

int HttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidJson:
    case ErrorCode::kInvalidParameter:
      return 400;
    case ErrorCode::kUnauthorized:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kThrottled:
      return 429;
    case ErrorCode::kInvalidContract:
    case ErrorCode::kInvalidContractEvent:
    case ErrorCode::kInvalidDevice:
    case ErrorCode::kInvalidSchedule:
    case ErrorCode::kInvalidState:
    case ErrorCode::kInvalidSubscription:
    case ErrorCode::kInvalidQuery:
    case ErrorCode::kInvalidLogin:
    case ErrorCode::kInvalidUser:
    case ErrorCode::kInvalidSite:
    case ErrorCode::kContractRule:
      return 422;
    default:
      // The listener's own codes (payload families, topics, dead-letter reasons) and anything
      // else no route answers: a server error, never a guess at a status.
      return 500;
  }
}

void Fail(ErrorCode code, std::string message) { throw RouteFailure{{code, std::move(message)}}; }
void Fail(Reject reject) { throw RouteFailure{std::move(reject)}; }

void SendJson(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

void SendJsonText(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.body = std::move(body);
  res.set_header("Content-Type", "application/json");
}

void SendError(httplib::Response& res, int status, const std::string& message) {
  SendJson(res, status, {{"status", "error"}, {"message", message}});
}

void SendCached(const httplib::Request& req, httplib::Response& res, std::string body,
                const std::string& content_type, const std::string& cache_control,
                std::string_view equivalent) {
  const std::string_view tagged = equivalent.empty() ? std::string_view(body) : equivalent;
  const auto hash = XXH3_128bits(tagged.data(), tagged.size());
  char etag[48];
  std::snprintf(etag, sizeof etag, "%s\"%016llx%016llx\"", equivalent.empty() ? "" : "W/",
                static_cast<unsigned long long>(hash.high64),
                static_cast<unsigned long long>(hash.low64));
  res.set_header("ETag", etag);
  res.set_header("Cache-Control", cache_control);
  // If-None-Match may list several tags, or be "*".
  const auto match = req.get_header_value("If-None-Match");
  if (match == "*" || match.find(etag) != std::string::npos) {
    res.status = 304;
    return;
  }
  res.status = 200;
  res.body = std::move(body);
  res.set_header("Content-Type", content_type);
}

void SendSummary(const httplib::Request& req, httplib::Response& res, Json summary) {
  auto body = summary.dump();
  summary.erase("ts");
  SendCached(req, res, std::move(body), "application/json", kRevalidate, summary.dump());
}

std::string RangeCacheControl(Timestamp to, Timestamp now) {
  if (to <= now - std::chrono::hours(24)) return "private, max-age=86400";
  if (to <= now - std::chrono::hours(1)) return "private, max-age=300";
  return kRevalidate;
}

Json BodyObject(const httplib::Request& req) {
  return ValueOrFail(codec::ParseObject(req.body, kMaxRequestBody));
}

std::optional<std::string> QueryString(const httplib::Request& req, const std::string& name) {
  if (!req.has_param(name)) return std::nullopt;
  return req.get_param_value(name);
}

std::optional<std::string> QueryId(const httplib::Request& req, const std::string& name) {
  auto v = QueryString(req, name);
  if (v && !IsValidId(*v)) {
    Fail(ErrorCode::kInvalidParameter, "Query parameter '" + name + "' is not a valid id.");
  }
  return v;
}

std::optional<Timestamp> QueryTime(const httplib::Request& req, const std::string& name) {
  const auto v = QueryString(req, name);
  if (!v) return std::nullopt;
  const auto t = ParseTimestamp(*v);
  if (!t) {
    Fail(ErrorCode::kInvalidParameter,
         "Query parameter '" + name + "' must be an RFC 3339 timestamp.");
  }
  return t;
}

std::optional<Date> QueryDate(const httplib::Request& req, const std::string& name) {
  const auto v = QueryString(req, name);
  if (!v) return std::nullopt;
  const auto d = ParseDate(*v);
  if (!d)
    Fail(ErrorCode::kInvalidParameter,
         "Query parameter '" + name + "' must be a date (YYYY-MM-DD).");
  return d;
}

int QueryLimit(const httplib::Request& req) {
  const auto v = QueryString(req, "limit");
  if (!v) return 100;
  int n = 0;
  const auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || ptr != v->data() + v->size() || n < 1 || n > 1000) {
    Fail(ErrorCode::kInvalidParameter,
         "Query parameter 'limit' must be an integer from 1 to 1000.");
  }
  return n;
}

std::pair<std::optional<Timestamp>, std::optional<Timestamp>> QueryRange(
    const httplib::Request& req) {
  auto from = QueryTime(req, "from");
  auto to = QueryTime(req, "to");
  if (from && to && *from >= *to) Fail(ErrorCode::kInvalidQuery, "'from' must be before 'to'.");
  return {from, to};
}

std::pair<Timestamp, Timestamp> QuerySeriesRange(const httplib::Request& req) {
  auto [from, to] = QueryRange(req);
  const auto now = Now();
  if (!to) to = !from || *from < now ? now : *from + std::chrono::hours(24);
  if (!from) from = *to - std::chrono::hours(24);
  return {*from, *to};
}

std::optional<Interval> QueryInterval(const httplib::Request& req) {
  return QueryNamed(req, "interval", ParseInterval, "raw, 1m, 15m, 1h, 1d, 1w, 1mo");
}

std::optional<Agg> QueryAgg(const httplib::Request& req) {
  return QueryNamed(req, "agg", ParseAgg, "avg, min, max, sum, last");
}

SeriesWindow QuerySeriesWindow(const httplib::Request& req) {
  const auto [from, to] = QuerySeriesRange(req);
  return SeriesWindow{from, to, QueryInterval(req).value_or(DefaultInterval(from, to)),
                      QueryAgg(req).value_or(Agg::kAvg)};
}

namespace {

[[noreturn]] void BadCursor() {
  Fail(ErrorCode::kInvalidParameter, "Query parameter 'cursor' is not a cursor this API issued.");
}

// The keyset position of the `cursor` parameter; std::nullopt when there is none.
std::optional<Json> CursorParameter(const httplib::Request& req) {
  const auto v = QueryString(req, "cursor");
  if (!v || v->empty()) return std::nullopt;
  const auto raw = auth::Base64UrlDecode(*v);
  if (raw) {
    auto doc = codec::ParseJson(*raw, kMaxCursorBytes);
    if (doc) return std::move(*doc);
  }
  BadCursor();
}

}  // namespace

template <>
std::optional<std::string> QueryCursor(const httplib::Request& req) {
  const auto position = CursorParameter(req);
  if (!position) return std::nullopt;
  if (!position->is_string()) BadCursor();
  return position->get<std::string>();
}

template <>
std::optional<std::int64_t> QueryCursor(const httplib::Request& req) {
  const auto position = CursorParameter(req);
  if (!position) return std::nullopt;
  if (!position->is_number_integer()) BadCursor();
  return position->get<std::int64_t>();
}

template <>
std::optional<store::SessionCursor> QueryCursor(const httplib::Request& req) {
  const auto position = CursorParameter(req);
  if (!position) return std::nullopt;
  if (!position->is_array() || position->size() != 2 || !(*position)[0].is_number_integer() ||
      !(*position)[1].is_string()) {
    BadCursor();
  }
  return store::SessionCursor{FromMillis((*position)[0].get<std::int64_t>()),
                              (*position)[1].get<std::string>()};
}

template <>
std::optional<store::ContractEventCursor> QueryCursor(const httplib::Request& req) {
  const auto text = QueryCursor<std::string>(req);
  if (!text) return std::nullopt;
  const auto cursor = store::ParseContractEventCursor(*text);
  if (!cursor) BadCursor();
  return cursor;
}

Json CursorPosition(const std::string& id) { return id; }
Json CursorPosition(std::int64_t id) { return id; }
Json CursorPosition(const store::SessionCursor& c) {
  return Json::array({ToMillis(c.started_at), c.session_id});
}
Json CursorPosition(const store::ContractEventCursor& c) {
  return store::FormatContractEventCursor(c);
}

std::string EncodeCursor(const Json& position) { return auth::Base64UrlEncode(position.dump()); }

namespace {

// Runs a route, answering its failure as the docs/contract.md §6 error.
template <class F>
void Answer(httplib::Response& res, F&& route) {
  try {
    route();
  } catch (const RouteFailure& f) {
    SendError(res, HttpStatus(f.reject.code), f.reject.message);
  } catch (const Json::exception&) {
    SendError(res, 400, "The request has a value of the wrong type.");
  }
}

}  // namespace

std::string CookieValue(const httplib::Request& req, std::string_view name) {
  const auto cookies = req.get_header_value("Cookie");
  std::string_view rest = cookies;
  while (!rest.empty()) {
    const auto end = rest.find(';');
    auto pair = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
  }
  return "";
}

std::string SessionCookie(const httplib::Request& req) { return CookieValue(req, "ems_session"); }

std::optional<Principal> Authenticate(ApiContext& ctx, const httplib::Request& req) {
  const auto header = req.get_header_value("Authorization");
  // HTML pages (docs/contract.md §7) carry the same token in the session cookie.
  const std::string token = header.rfind("Bearer ", 0) == 0 ? header.substr(7) : SessionCookie(req);
  if (token.empty()) return std::nullopt;
  const auto claims = auth::VerifyToken(ctx.jwt_secret, token, Now());
  if (!claims) return std::nullopt;
  auto user = ctx.Store().Users().Get(claims->username);
  // Deleted since the token was issued, or its password, role or sites changed since
  // (docs/contract.md §5).
  if (!user || claims->issued_at < user->changed_at) return std::nullopt;
  return Principal{std::move(user->username), user->role, std::move(user->site_ids)};
}

httplib::Server::Handler Router::Authed(Access access, RouteHandler handler) {
  return [&ctx = ctx_, access, handler](const httplib::Request& req, httplib::Response& res) {
    Answer(res, [&] {
      const auto caller = Authenticate(ctx, req);
      if (!caller) {
        res.set_header("WWW-Authenticate", "Bearer");
        Fail(ErrorCode::kUnauthorized, "A valid bearer token is required.");
      }
      if (access == Access::kAdmin && !caller->is_admin()) {
        Fail(ErrorCode::kForbidden, "This needs the admin role.");
      }
      handler(ctx, req, res, *caller);
    });
  };
}

httplib::Server::Handler Router::Public(PublicHandler handler) {
  return [&ctx = ctx_, handler](const httplib::Request& req, httplib::Response& res) {
    Answer(res, [&] { handler(ctx, req, res); });
  };
}

namespace {

// Set while a route's handler runs on this worker thread: the server's logger, which runs after
// every request on the same thread, counts only the requests no route took.
thread_local bool routed = false;

std::string MethodLabel(const std::string& method) {
  for (const char* known : {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}) {
    if (method == known) return method;
  }
  return "other";
}

}  // namespace

std::string RouteTemplate(std::string_view pattern) {
  std::string out;
  int depth = 0;
  for (const char c : pattern) {
    if (c == '(') {
      if (depth++ == 0) out += "{}";
    } else if (c == ')') {
      --depth;
    } else if (depth == 0) {
      out += c;
    }
  }
  return out;
}

HttpMetrics::Route::Route(HttpMetrics& owner, std::string route, std::string method)
    : owner_(owner),
      route_(std::move(route)),
      method_(std::move(method)),
      duration_(owner.registry_.GetHistogram(
          "ems_http_request_duration_seconds", "Time to answer a request, by route template.",
          metrics::DurationBuckets(), {{"route", route_}, {"method", method_}})) {}

void HttpMetrics::Route::Record(int status, double seconds) {
  duration_.Observe(seconds);
  if (status < 100 || status >= static_cast<int>(by_status_.size())) status = 500;
  auto& slot = by_status_[static_cast<std::size_t>(status)];
  auto* counter = slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    counter = &owner_.Requests(route_, method_, status);
    slot.store(counter, std::memory_order_release);
  }
  counter->Inc();
}

metrics::Counter& HttpMetrics::Requests(const std::string& route, const std::string& method,
                                        int status) {
  return registry_.GetCounter(
      "ems_http_requests_total", "Requests answered, by route template.",
      {{"route", route}, {"method", method}, {"status", std::to_string(status)}});
}

HttpMetrics::Route& HttpMetrics::ForRoute(const std::string& route, const std::string& method) {
  std::lock_guard lock(mu_);
  routes_.push_back(std::unique_ptr<Route>(new Route(*this, route, method)));
  return *routes_.back();
}

void HttpMetrics::AfterRequest(const std::string& method, int status) {
  if (std::exchange(routed, false)) return;
  if (status < 100 || status > 599) status = 500;
  Requests("unmatched", MethodLabel(method), status).Inc();
}

void Router::Add(const char* method, const std::string& pattern, httplib::Server::Handler h) {
  routes_.push_back(std::string(method) + " " + pattern);
  Serve(method, pattern, std::move(h));
}

void Router::Page(const char* method, const std::string& pattern, httplib::Server::Handler h) {
  pages_.push_back(std::string(method) + " " + pattern);
  Serve(method, pattern, std::move(h));
}

void Router::Serve(const std::string& m, const std::string& pattern, httplib::Server::Handler h) {
  auto& route = metrics_.ForRoute(RouteTemplate(pattern), m);
  h = [&route, inner = std::move(h)](const httplib::Request& req, httplib::Response& res) {
    routed = true;
    const auto start = std::chrono::steady_clock::now();
    const auto seconds = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    try {
      inner(req, res);
    } catch (...) {
      route.Record(500, seconds());  // the exception handler answers 500
      throw;
    }
    route.Record(res.status, seconds());
  };
  if (m == "GET") {
    server_.Get(pattern, std::move(h));
  } else if (m == "POST") {
    server_.Post(pattern, std::move(h));
  } else if (m == "PUT") {
    server_.Put(pattern, std::move(h));
  } else {
    server_.Delete(pattern, std::move(h));
  }
}

void Router::Get(const std::string& p, Access access, RouteHandler h) {
  Add("GET", p, Authed(access, h));
}
void Router::Post(const std::string& p, Access access, RouteHandler h) {
  Add("POST", p, Authed(access, h));
}
void Router::Put(const std::string& p, Access access, RouteHandler h) {
  Add("PUT", p, Authed(access, h));
}
void Router::Delete(const std::string& p, Access access, RouteHandler h) {
  Add("DELETE", p, Authed(access, h));
}
void Router::GetPublic(const std::string& p, PublicHandler h) { Add("GET", p, Public(h)); }
void Router::PostPublic(const std::string& p, PublicHandler h) { Add("POST", p, Public(h)); }

namespace {

std::string PathSegment(const httplib::Request& req, std::size_t index,
                        bool (*valid)(std::string_view)) {
  if (index >= req.matches.size()) Fail(ErrorCode::kNotFound, "Not found.");
  std::string segment = req.matches[index].str();
  if (!valid(segment)) Fail(ErrorCode::kNotFound, "Not found.");
  return segment;
}

}  // namespace

std::string PathId(const httplib::Request& req, std::size_t index) {
  return PathSegment(req, index, IsValidId);
}

std::string PathMetric(const httplib::Request& req, std::size_t index) {
  return PathSegment(req, index, IsValidMetricName);
}

std::string RandomId(std::string_view prefix) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(prefix);
  const std::size_t size = id.size() + 16;
  for (auto bits = random(); id.size() < size; bits >>= 4) id += kHex[bits & 15];
  return id;
}

namespace {

bool IsIpAddress(const std::string& text) {
  in6_addr ignored{};
  return ::inet_pton(AF_INET, text.c_str(), &ignored) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), &ignored) == 1;
}

bool IsLoopback(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address == "::1" || address.rfind("::ffff:127.", 0) == 0;
}

}  // namespace

std::string ClientAddress(const httplib::Request& req) {
  const auto forwarded = req.get_header_value("X-Real-IP");
  if (IsLoopback(req.remote_addr) && IsIpAddress(forwarded)) return forwarded;
  return req.remote_addr;
}

}  // namespace ems::api
