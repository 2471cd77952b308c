// Charging sessions and stations (docs/contract.md §6.5). Only sessions of sites the caller may see
// are listed or counted (a station's list row and summary included), and a session or station of
// another site answers 404 like an unknown one.
//
// - GET /api/v1/sessions?site_id=&station_id=&vehicle_id=&status=&from=&to=: newest first by
//   started_at (from/to filter on it), paged by `limit` / `cursor`.
// - GET /api/v1/sessions/{session_id}.
// - GET /api/v1/sessions/export?from=&to=&format=json|csv: the session ledger (docs/decisions.md).
// Every
//   session the caller may see, as above, that started on a local day of its site from `from` to
//   `to` (both included, both required, at most 400 days; UTC days for a site not stored), oldest
//   first, each with its solar share (SolarShare over the site's 15m energy series,
//   TelemetryReader::EnergySeries); an active one counts until now. JSON {"from", "to", "items"}
//   (codec::EncodeLedgerJson) or CSV as an attachment (codec::EncodeLedgerCsv), ETag-revalidated.
//   More than kMaxLedgerSessions sessions, from > to or a longer range answer 422, unparsable dates
//   or an unknown format 400.
// - GET /api/v1/stations: {"id", "site_id", "sessions", "last_session_at"} in id order, paged;
//   an OCPP charger's row adds "ocpp": {"connected", "last_seen", "vendor", "model", "firmware"}.
// - GET /api/v1/stations/{station}/sessions/summary?from=&to=: {"station_id", "sessions",
//   "energy_kwh", "cost", "currency"}; with no session in range, cost 0 in EMS_DEFAULT_CURRENCY;
//   mixed currencies give null cost and currency.
// - POST /api/v1/stations/{station}/remote-start {"connector"?, "id_tag"?} and
//   POST /api/v1/stations/{station}/remote-stop {"connector"?} (docs/contract.md §4.5): whoever
//   sees the station's site may, as with its EVs' schedules. ems-api asks ems-ocpp on its control
//   endpoint (docs/ocpp.md) and answers 202 {"status": "Accepted"|"Rejected"} with the charger's
//   answer, 409 when the charger is not connected (or nothing runs to stop), 404 for a station that
//   is no OCPP charger of a visible site, 504 when the charger does not answer.
#include <algorithm>
#include <map>
#include <span>

#include "api/routes/lookup.h"
#include "api/routes/routes.h"
#include "ems/codec/ledger_codec.h"
#include "ems/codec/session_codec.h"
#include "ems/domain/session_ledger.h"

namespace ems::api {
namespace {

void ListSessions(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller) {
  store::SessionFilter filter;
  filter.site_id = QueryId(req, "site_id");
  filter.station_id = QueryId(req, "station_id");
  filter.vehicle_id = QueryId(req, "vehicle_id");
  if (const auto status = QueryString(req, "status")) {
    filter.status = ParseSessionStatus(*status);
    if (!filter.status) {
      Fail(ErrorCode::kInvalidParameter,
           "Query parameter 'status' must be 'active' or 'completed'.");
    }
  }
  std::tie(filter.from, filter.to) = QueryRange(req);
  filter.visibility = caller.visibility();
  const auto after = QueryCursor<store::SessionCursor>(req);
  const auto page = ctx.Store().Sessions().List(filter, QueryLimit(req), after);
  SendJsonText(res, 200, PageAnswer(page, codec::WriteSession));
}

void GetSession(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                const Principal& caller) {
  const auto id = PathId(req, 1);
  const auto session = ctx.Store().Sessions().Get(id, caller.visibility());
  if (!session) Fail(NotFound("Session", id));
  codec::JsonWriter w;
  codec::WriteSession(w, *session);
  SendJsonText(res, 200, w.Take());
}

enum class LedgerFormat { kJson, kCsv };

std::optional<LedgerFormat> ParseLedgerFormat(std::string_view s) {
  if (s == "json") return LedgerFormat::kJson;
  if (s == "csv") return LedgerFormat::kCsv;
  return std::nullopt;
}

// The solar share of `entries`, all sessions of site `site_id` (zone `tz`), from the site's energy
// over their time in one read. A session still running (or stuck) far beyond the range stays
// unknown: the read is bounded to twice the longest range.
void AddSolarShares(store::Store& store, const std::string& site_id, const std::string& tz,
                    std::span<LedgerEntry> entries, Timestamp now) {
  Timestamp begin = entries.front().session.started_at, end = begin;
  for (const auto& e : entries) {
    begin = std::min(begin, e.session.started_at);
    end = std::max(end, e.session.ended_at.value_or(now));
  }
  end = std::min(end, begin + std::chrono::days(2 * kMaxLedgerDays));
  if (end <= begin) return;
  const auto buckets =
      ValueOrFail(store.Readings().EnergySeries(site_id, tz, begin, end, Interval::k15m));
  if (buckets.empty()) return;
  const Timestamp buckets_end = NextBucketStart(buckets.back().ts, Interval::k15m, tz);
  for (auto& e : entries) e.solar_share = SolarShare(e.session, buckets, buckets_end, now);
}

// Every session the caller may see (as GET /api/v1/sessions lists them) that started on a local
// day `from`..`to` of its site (UTC for a session of no stored site, such as `unassigned`), with
// its solar share, oldest first; fails beyond kMaxLedgerSessions.
std::vector<LedgerEntry> ReadLedger(store::Store& store, const Principal& caller, const Date& from,
                                    const Date& to, Timestamp now) {
  std::map<std::string, std::string, std::less<>> zones;
  const auto zone_of = [&](const std::string& site_id) -> const std::string& {
    auto it = zones.find(site_id);
    if (it == zones.end()) {
      it = zones.emplace(site_id, store.Sites().Timezone(site_id).value_or("UTC")).first;
    }
    return it->second;
  };
  // Local days are at most 14 hours off UTC ones: a day on either side holds them all.
  store::SessionFilter filter;
  filter.from = LocalMidnightOf(AddDays(from, -1), "UTC");
  filter.to = LocalMidnightOf(AddDays(to, 2), "UTC");
  filter.visibility = caller.visibility();
  std::vector<LedgerEntry> ledger;
  std::optional<store::SessionCursor> after;
  do {
    auto page = store.Sessions().List(filter, store::kMaxPageLimit, after);
    for (auto& s : page.items) {
      const Date day = LocalDate(s.started_at, zone_of(s.site_id));
      if (day < from || day > to) continue;
      if (std::ssize(ledger) == kMaxLedgerSessions) Fail(TooManyLedgerSessions(from, to));
      ledger.push_back(LedgerEntry{std::move(s), std::nullopt});
    }
    after = page.next_cursor;
  } while (after);

  std::ranges::sort(ledger, {}, [](const LedgerEntry& e) { return e.session.site_id; });
  for (auto first = ledger.begin(); first != ledger.end();) {
    const auto last = std::ranges::find_if(first, ledger.end(), [&](const LedgerEntry& e) {
      return e.session.site_id != first->session.site_id;
    });
    AddSolarShares(store, first->session.site_id, zone_of(first->session.site_id), {first, last},
                   now);
    first = last;
  }
  std::ranges::sort(ledger, {}, [](const LedgerEntry& e) {
    return std::tie(e.session.started_at, e.session.session_id);
  });
  return ledger;
}

void ExportSessions(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                    const Principal& caller) {
  const auto from = QueryDate(req, "from"), to = QueryDate(req, "to");
  if (!from || !to) {
    Fail(ErrorCode::kInvalidParameter,
         "Query parameters 'from' and 'to' (YYYY-MM-DD, site-local days) are required.");
  }
  ValueOrFail(ValidateLedgerRange(*from, *to));
  const auto format =
      QueryNamed(req, "format", ParseLedgerFormat, "json, csv").value_or(LedgerFormat::kJson);
  const Timestamp now = Now();
  auto& store = ctx.Store();
  const auto ledger = InSnapshot(store, [&] { return ReadLedger(store, caller, *from, *to, now); });
  if (format == LedgerFormat::kJson) {
    SendCached(req, res, codec::EncodeLedgerJson(*from, *to, ledger), "application/json",
               kRevalidate);
    return;
  }
  res.set_header("Content-Disposition", "attachment; filename=\"sessions-" + FormatDate(*from) +
                                            "-" + FormatDate(*to) + ".csv\"");
  SendCached(req, res, codec::EncodeLedgerCsv(ledger), "text/csv; charset=utf-8", kRevalidate);
}

Json Optional(const std::optional<std::string>& v) { return v ? Json(*v) : Json(nullptr); }

Json OcppStatus(const store::OcppCharger& c) {
  return {{"connected", c.connected},
          {"last_seen", c.last_seen ? Json(FormatTimestamp(*c.last_seen)) : Json(nullptr)},
          {"vendor", Optional(c.vendor)},
          {"model", Optional(c.model)},
          {"firmware", Optional(c.firmware)}};
}

void ListStations(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller) {
  const auto after = QueryCursor<std::string>(req);
  const auto page =
      ctx.Store().Sessions().ListStations(caller.visibility(), QueryLimit(req), after);
  auto& chargers = ctx.Store().Ocpp();
  SendJsonText(res, 200, PageAnswer(page, [&chargers](const store::StationRow& r) {
                 Json row{{"id", r.id},
                          {"site_id", r.site_id},
                          {"sessions", r.sessions},
                          {"last_session_at", FormatTimestamp(r.last_session_at)}};
                 const auto c = chargers.Get(r.id);
                 if (c && c->site_id == r.site_id) row["ocpp"] = OcppStatus(*c);
                 return row;
               }));
}

void StationSummary(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                    const Principal& caller) {
  const auto id = PathId(req, 1);
  const auto [from, to] = QueryRange(req);
  auto& sessions = ctx.Store().Sessions();
  if (!sessions.GetStation(id, caller.visibility())) {
    Fail(NotFound("Station", id));
  }
  const auto sum = sessions.Summarize(id, caller.visibility(), from, to);
  SendJson(
      res, 200,
      {{"station_id", id},
       {"sessions", sum.sessions},
       {"energy_kwh", sum.energy_kwh},
       {"cost", sum.cost ? Json(*sum.cost) : Json(nullptr)},
       {"currency", sum.sessions == 0 ? Json(ctx.default_currency)
                                      : (sum.currency ? Json(*sum.currency) : Json(nullptr))}});
}

void RemoteCommand(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const Principal& caller, const std::string& command) {
  const auto id = PathId(req, 1);
  auto& store = ctx.Store();
  InSnapshot(store, [&] { return VisibleStation(store, id, caller); });
  caller.Require(SiteAction::kOperateEvs);
  const Json body = req.body.empty() ? Json::object() : BodyObject(req);
  httplib::Client ocpp(ctx.ocpp_control_url);
  ocpp.set_connection_timeout(std::chrono::seconds(2));
  ocpp.set_read_timeout(std::chrono::seconds(40));  // the charger has 30 s to answer
  const auto answer = ocpp.Post("/stations/" + id + "/" + command,
                                {{"Authorization", "Bearer " + ctx.ocpp_control_secret}},
                                body.dump(), "application/json");
  if (!answer || ctx.ocpp_control_secret.empty()) {
    Fail(ErrorCode::kConflict, "Station " + id + " is not connected (ems-ocpp is not reachable).");
  }
  auto parsed = codec::ParseObject(answer->body, 4 << 10);
  const int status = answer->status;
  if (!parsed || (status != 202 && status != 409 && status != 422 && status != 504)) {
    SendError(res, 502, "ems-ocpp gave an unexpected answer (" + std::to_string(status) + ").");
    return;
  }
  SendJson(res, status, *parsed);
}

void RemoteStart(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                 const Principal& caller) {
  RemoteCommand(ctx, req, res, caller, "remote-start");
}

void RemoteStop(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                const Principal& caller) {
  RemoteCommand(ctx, req, res, caller, "remote-stop");
}

}  // namespace

void RegisterSessionRoutes(Router& router) {
  router.Get("/api/v1/sessions", Access::kAnyUser, ListSessions);
  // Before the session route, whose pattern would take "export" for an id.
  router.Get("/api/v1/sessions/export", Access::kAnyUser, ExportSessions);
  router.Get(R"(/api/v1/sessions/([^/]+))", Access::kAnyUser, GetSession);
  router.Get("/api/v1/stations", Access::kAnyUser, ListStations);
  router.Get(R"(/api/v1/stations/([^/]+)/sessions/summary)", Access::kAnyUser, StationSummary);
  router.Post(R"(/api/v1/stations/([^/]+)/remote-start)", Access::kAnyUser, RemoteStart);
  router.Post(R"(/api/v1/stations/([^/]+)/remote-stop)", Access::kAnyUser, RemoteStop);
}

}  // namespace ems::api
