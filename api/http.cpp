#include "api/http.h"

#include <arpa/inet.h>

#include <charconv>

#include "ems/auth/token.h"
#include "ems/domain/ids.h"
#include "ems/store/database.h"
#include "ems/store/user_repository.h"

namespace ems::api {

SQLite::Database& ApiContext::Db() {
  thread_local std::unique_ptr<SQLite::Database> db;
  thread_local std::string opened_path;
  if (!db || opened_path != db_path) {
    db = store::OpenDatabase(db_path);
    opened_path = db_path;
  }
  return *db;
}

bool Principal::CanSee(const std::string& site_id) const {
  return is_admin() || std::find(site_ids.begin(), site_ids.end(), site_id) != site_ids.end();
}

std::optional<std::string> Principal::VisibilityUser() const {
  if (is_admin()) return std::nullopt;
  return username;
}

void SendJson(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

void SendError(httplib::Response& res, int status, const std::string& message) {
  SendJson(res, status, {{"status", "error"}, {"message", message}});
}

void ThrowReject(const Reject& r) {
  if (r.reason == "conflict") throw HttpError{409, r.message};
  if (r.reason == "not_found") throw HttpError{404, r.message};
  if (r.reason == "invalid_json") throw HttpError{400, r.message};
  throw HttpError{422, r.message};
}

Json BodyObject(const httplib::Request& req) {
  auto doc = codec::ParseObject(req.body, kMaxRequestBody);
  if (!doc) throw HttpError{400, doc.error().message};
  return std::move(*doc);
}

std::optional<std::string> QueryString(const httplib::Request& req, const std::string& name) {
  if (!req.has_param(name)) return std::nullopt;
  return req.get_param_value(name);
}

std::optional<std::string> QueryId(const httplib::Request& req, const std::string& name) {
  auto v = QueryString(req, name);
  if (v && !IsValidId(*v)) {
    throw HttpError{400, "Query parameter '" + name + "' is not a valid id."};
  }
  return v;
}

std::optional<Timestamp> QueryTime(const httplib::Request& req, const std::string& name) {
  const auto v = QueryString(req, name);
  if (!v) return std::nullopt;
  const auto t = ParseTimestamp(*v);
  if (!t) throw HttpError{400, "Query parameter '" + name + "' must be an RFC 3339 timestamp."};
  return t;
}

int QueryLimit(const httplib::Request& req) {
  const auto v = QueryString(req, "limit");
  if (!v) return 100;
  int n = 0;
  const auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || ptr != v->data() + v->size() || n < 1 || n > 1000) {
    throw HttpError{400, "Query parameter 'limit' must be an integer from 1 to 1000."};
  }
  return n;
}

std::pair<std::optional<Timestamp>, std::optional<Timestamp>> QueryRange(
    const httplib::Request& req) {
  auto from = QueryTime(req, "from");
  auto to = QueryTime(req, "to");
  if (from && to && *from >= *to) throw HttpError{422, "'from' must be before 'to'."};
  return {from, to};
}

std::string EncodeCursor(const Json& position) { return auth::Base64UrlEncode(position.dump()); }

std::optional<Json> QueryCursor(const httplib::Request& req) {
  const auto v = QueryString(req, "cursor");
  if (!v || v->empty()) return std::nullopt;
  const auto raw = auth::Base64UrlDecode(*v);
  if (raw) {
    auto doc = codec::ParseJson(*raw, kMaxCursorBytes);
    if (doc) return std::move(*doc);
  }
  BadCursor();
}

std::optional<std::string> QueryStringCursor(const httplib::Request& req) {
  const auto cursor = QueryCursor(req);
  if (!cursor) return std::nullopt;
  if (!cursor->is_string()) BadCursor();
  return cursor->get<std::string>();
}

void BadCursor() {
  throw HttpError{400, "Query parameter 'cursor' is not a cursor this API issued."};
}

Json ListAnswer(Json items, const std::optional<Json>& next_position) {
  return {{"items", std::move(items)},
          {"next_cursor", next_position ? Json(EncodeCursor(*next_position)) : Json(nullptr)}};
}

namespace {

template <class F>
void Guarded(httplib::Response& res, F&& f) {
  try {
    f();
  } catch (const HttpError& e) {
    SendError(res, e.status, e.message);
  } catch (const Json::exception&) {
    SendError(res, 400, "The request has a value of the wrong type.");
  }
}

std::optional<Principal> Authenticate(ApiContext& ctx, const httplib::Request& req) {
  const auto header = req.get_header_value("Authorization");
  std::string token;
  if (header.rfind("Bearer ", 0) == 0) {
    token = header.substr(7);
  } else {
    // HTML pages (SPEC §7) carry the same token in the session cookie.
    const auto cookies = req.get_header_value("Cookie");
    const auto pos = cookies.find("ems_session=");
    if (pos == std::string::npos) return std::nullopt;
    token = cookies.substr(pos + 12, cookies.find(';', pos) - pos - 12);
  }
  const auto claims = auth::VerifyToken(ctx.jwt_secret, token, Now());
  if (!claims) return std::nullopt;
  store::UserRepository users(ctx.Db());
  const auto user = users.Get(claims->username);
  if (!user) return std::nullopt;  // deleted since the token was issued
  return Principal{user->username, user->role, user->site_ids};
}

}  // namespace

httplib::Server::Handler Authed(ApiContext& ctx, Access access, AuthedHandler handler) {
  return [&ctx, access, handler = std::move(handler)](const httplib::Request& req,
                                                      httplib::Response& res) {
    Guarded(res, [&] {
      const auto principal = Authenticate(ctx, req);
      if (!principal) {
        res.set_header("WWW-Authenticate", "Bearer");
        throw HttpError{401, "A valid bearer token is required."};
      }
      if (access == Access::kAdmin && !principal->is_admin()) {
        throw HttpError{403, "This needs the admin role."};
      }
      handler(req, res, *principal);
    });
  };
}

httplib::Server::Handler Public(httplib::Server::Handler handler) {
  return [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    Guarded(res, [&] { handler(req, res); });
  };
}

void Router::Get(const std::string& p, httplib::Server::Handler h) {
  routes_.push_back(std::string("GET ") + p);
  server_.Get(p, std::move(h));
}
void Router::Post(const std::string& p, httplib::Server::Handler h) {
  routes_.push_back(std::string("POST ") + p);
  server_.Post(p, std::move(h));
}
void Router::Put(const std::string& p, httplib::Server::Handler h) {
  routes_.push_back(std::string("PUT ") + p);
  server_.Put(p, std::move(h));
}
void Router::Delete(const std::string& p, httplib::Server::Handler h) {
  routes_.push_back(std::string("DELETE ") + p);
  server_.Delete(p, std::move(h));
}

std::string PathId(const httplib::Request& req, std::size_t index) {
  if (index >= req.matches.size()) throw HttpError{404, "Not found."};
  std::string id = req.matches[index].str();
  if (!IsValidId(id)) throw HttpError{404, "Not found."};
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
