// Every statement on the sessions table.
// Written once for both backends, over the backend's Statement (common/sql.h).
#pragma once

#include "common/sql.h"
#include "ems/store/store.h"

namespace ems::store {
namespace session_sql {

inline constexpr const char* kSelectSession =
    "SELECT session_id, station_id, site_id, connector, vehicle_id, status, started_at, "
    "ended_at, energy_kwh, cost, currency FROM sessions WHERE ";

template <class Query>
ChargingSession ReadSession(const Query& q) {
  ChargingSession s;
  s.session_id = q.template Get<std::string>(0);
  s.station_id = q.template Get<std::string>(1);
  s.site_id = q.template Get<std::string>(2);
  s.connector = q.template Get<std::optional<int>>(3);
  s.vehicle_id = q.template Get<std::optional<std::string>>(4);
  s.status = q.template Get<SessionStatus>(5);
  s.started_at = q.template Get<Timestamp>(6);
  s.ended_at = q.template Get<std::optional<Timestamp>>(7);
  s.energy_kwh = q.template Get<double>(8);
  s.cost = q.template Get<std::optional<double>>(9);
  s.currency = q.template Get<std::string>(10);
  return s;
}

// A station's site is the one of its most recent session the caller sees; ?1 is the caller's
// Visibility, applied to every session counted or looked at.
inline std::string SelectStations(const std::string& where) {
  return "SELECT station_id, (SELECT latest.site_id FROM sessions AS latest WHERE "
         "latest.station_id = sessions.station_id AND " +
         VisibleSite("latest.site_id", 1) +
         " ORDER BY latest.started_at DESC LIMIT 1), COUNT(*), "
         "MAX(COALESCE(ended_at, started_at)) FROM sessions WHERE " +
         VisibleSite("site_id", 1) + " AND " + where;
}

template <class Query>
StationRow ReadStation(const Query& q) {
  return StationRow{q.template Get<std::string>(0), q.template Get<std::string>(1),
                    q.template Get<std::int64_t>(2), q.template Get<Timestamp>(3)};
}

template <class Statement>
class SessionRepositoryOn final : public SessionRepository {
 public:
  template <class Db>
  explicit SessionRepositoryOn(Db& db)
      : get_(db, kSelectSession + std::string("session_id = ?2 AND ") + VisibleSite("site_id", 1)),
        insert_(db,
                "INSERT INTO sessions (session_id, station_id, site_id, connector, vehicle_id, "
                "status, started_at, ended_at, energy_kwh, cost, currency, updated_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
                "ON CONFLICT (session_id) DO NOTHING"),
        replace_(db,
                 "UPDATE sessions SET station_id = ?2, site_id = ?3, connector = ?4, "
                 "vehicle_id = ?5, status = ?6, started_at = ?7, ended_at = ?8, energy_kwh = ?9, "
                 "cost = ?10, currency = ?11, updated_at = ?12 WHERE session_id = ?1"),
        list_(db, kSelectSession + VisibleSite("site_id", 1) +
                      " AND (?2 IS NULL OR site_id = ?2) AND (?3 IS NULL OR station_id = ?3)"
                      " AND (?4 IS NULL OR vehicle_id = ?4) AND (?5 IS NULL OR status = ?5)"
                      " AND (?6 IS NULL OR started_at >= ?6) AND (?7 IS NULL OR started_at < ?7)"
                      " AND (?8 IS NULL OR (started_at, session_id) < (?8, ?9))"
                      " ORDER BY started_at DESC, session_id DESC LIMIT ?10"),
        list_stations_(db, SelectStations("(?2 IS NULL OR station_id > ?2) GROUP BY station_id "
                                          "ORDER BY station_id LIMIT ?3")),
        get_station_(db, SelectStations("station_id = ?2 GROUP BY station_id")),
        summarize_(db,
                   "SELECT COUNT(*), COALESCE(SUM(energy_kwh), 0), SUM(cost), "
                   "COUNT(DISTINCT currency), MIN(currency) FROM sessions "
                   "WHERE station_id = ?2 AND " +
                       VisibleSite("site_id", 1) +
                       " AND (?3 IS NULL OR started_at >= ?3) AND (?4 IS NULL OR started_at < ?4)"),
        delete_by_site_(db, "DELETE FROM sessions WHERE site_id = ?1") {}

  Result<SessionMerge> Store(const ChargingSession& s, Timestamp now) override {
    // A new session, the usual case, costs one statement; one stored before is read and merged.
    if (Write(insert_, s, now) > 0) return SessionMerge::kInsert;
    EMS_TRY(outcome, MergeSession(Get(s.session_id, Visibility::All()), s));
    if (outcome == SessionMerge::kReplace) Write(replace_, s, now);
    return outcome;
  }

  std::optional<ChargingSession> Get(const std::string& session_id,
                                     const Visibility& visibility) override {
    auto q = get_.Run(visibility, session_id);
    if (!q.Next()) return std::nullopt;
    return ReadSession(q);
  }

  Page<ChargingSession, SessionCursor> List(const SessionFilter& f, int limit,
                                            const std::optional<SessionCursor>& after) override {
    limit = ClampPageLimit(limit);
    std::optional<Timestamp> after_started;
    std::optional<std::string> after_id;
    if (after) {
      after_started = after->started_at;
      after_id = after->session_id;
    }
    std::vector<ChargingSession> rows;
    auto q = list_.Run(f.visibility, f.site_id, f.station_id, f.vehicle_id, f.status, f.from, f.to,
                       after_started, after_id, limit + 1);
    while (q.Next()) rows.push_back(ReadSession(q));
    return MakePage<SessionCursor>(std::move(rows), limit, [](const ChargingSession& s) {
      return SessionCursor{s.started_at, s.session_id};
    });
  }

  Page<StationRow, std::string> ListStations(const Visibility& visibility, int limit,
                                             const std::optional<std::string>& after) override {
    limit = ClampPageLimit(limit);
    std::vector<StationRow> rows;
    auto q = list_stations_.Run(visibility, after, limit + 1);
    while (q.Next()) rows.push_back(ReadStation(q));
    return MakePage<std::string>(std::move(rows), limit, [](const StationRow& r) { return r.id; });
  }

  std::optional<StationRow> GetStation(const std::string& station_id,
                                       const Visibility& visibility) override {
    auto q = get_station_.Run(visibility, station_id);
    if (!q.Next()) return std::nullopt;
    return ReadStation(q);
  }

  StationSummary Summarize(const std::string& station_id, const Visibility& visibility,
                           std::optional<Timestamp> from, std::optional<Timestamp> to) override {
    auto q = summarize_.Run(visibility, station_id, from, to);
    q.Next();
    StationSummary s;
    s.sessions = q.template Get<std::int64_t>(0);
    s.energy_kwh = q.template Get<double>(1);
    if (q.template Get<int>(3) == 1) {
      s.currency = q.template Get<std::string>(4);
      s.cost = q.template Get<std::optional<double>>(2).value_or(0.0);
    } else if (s.sessions == 0) {
      s.cost = 0.0;
    }
    return s;
  }

  int DeleteBySite(const std::string& site_id) override {
    return delete_by_site_.Run(site_id).Exec();
  }

 private:
  // Rows changed by `statement` (insert_ or replace_) run for `s`.
  static int Write(Statement& statement, const ChargingSession& s, Timestamp now) {
    return statement
        .Run(s.session_id, s.station_id, s.site_id, s.connector, s.vehicle_id, s.status,
             s.started_at, s.ended_at, s.energy_kwh, s.cost, s.currency, now)
        .Exec();
  }

  Statement get_;
  Statement insert_;
  Statement replace_;
  Statement list_;
  Statement list_stations_;
  Statement get_station_;
  Statement summarize_;
  Statement delete_by_site_;
};

}  // namespace session_sql

using session_sql::SessionRepositoryOn;

}  // namespace ems::store
