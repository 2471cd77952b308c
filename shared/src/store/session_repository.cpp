#include "ems/store/session_repository.h"

namespace ems::store {
namespace {

constexpr const char* kColumns =
    "session_id, station_id, site_id, connector, vehicle_id, status, started_at, ended_at, "
    "energy_kwh, cost, currency";

ChargingSession ReadSession(SQLite::Statement& q) {
  ChargingSession s;
  s.session_id = q.getColumn(0).getString();
  s.station_id = q.getColumn(1).getString();
  s.site_id = q.getColumn(2).getString();
  if (!q.getColumn(3).isNull()) s.connector = q.getColumn(3).getInt();
  if (!q.getColumn(4).isNull()) s.vehicle_id = q.getColumn(4).getString();
  s.status = *ParseSessionStatus(q.getColumn(5).getString());
  s.started_at = FromMillis(q.getColumn(6).getInt64());
  if (!q.getColumn(7).isNull()) s.ended_at = FromMillis(q.getColumn(7).getInt64());
  s.energy_kwh = q.getColumn(8).getDouble();
  if (!q.getColumn(9).isNull()) s.cost = q.getColumn(9).getDouble();
  s.currency = q.getColumn(10).getString();
  return s;
}

template <class T>
void BindOptional(SQLite::Statement& q, int index, const std::optional<T>& v) {
  if (v) {
    q.bind(index, *v);
  } else {
    q.bind(index);
  }
}

void BindOptionalTime(SQLite::Statement& q, int index, const std::optional<Timestamp>& t) {
  if (t) {
    q.bind(index, static_cast<int64_t>(ToMillis(*t)));
  } else {
    q.bind(index);
  }
}

constexpr const char* kVisible =
    "(?1 IS NULL OR site_id IN (SELECT site_id FROM user_sites WHERE username = ?1))";

}  // namespace

SessionRepository::SessionRepository(SQLite::Database& db)
    : db_(db),
      get_(db, std::string("SELECT ") + kColumns + " FROM sessions WHERE session_id = ?"),
      upsert_(db,
              "INSERT INTO sessions (session_id, station_id, site_id, connector, vehicle_id, "
              "status, started_at, ended_at, energy_kwh, cost, currency, updated_at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
              "ON CONFLICT(session_id) DO UPDATE SET station_id = excluded.station_id, "
              "site_id = excluded.site_id, connector = excluded.connector, "
              "vehicle_id = excluded.vehicle_id, status = excluded.status, "
              "started_at = excluded.started_at, ended_at = excluded.ended_at, "
              "energy_kwh = excluded.energy_kwh, cost = excluded.cost, "
              "currency = excluded.currency, updated_at = excluded.updated_at") {}

std::optional<ChargingSession> SessionRepository::Get(const std::string& session_id) {
  get_.reset();
  get_.bind(1, session_id);
  if (!get_.executeStep()) return std::nullopt;
  return ReadSession(get_);
}

SessionMerge SessionRepository::Store(const ChargingSession& s, Timestamp now) {
  const auto outcome = MergeSession(Get(s.session_id), s);
  if (outcome != SessionMerge::kInsert && outcome != SessionMerge::kReplace) return outcome;
  upsert_.reset();
  upsert_.clearBindings();
  upsert_.bind(1, s.session_id);
  upsert_.bind(2, s.station_id);
  upsert_.bind(3, s.site_id);
  BindOptional(upsert_, 4, s.connector);
  BindOptional(upsert_, 5, s.vehicle_id);
  upsert_.bind(6, std::string(ToString(s.status)));
  upsert_.bind(7, static_cast<int64_t>(ToMillis(s.started_at)));
  BindOptionalTime(upsert_, 8, s.ended_at);
  upsert_.bind(9, s.energy_kwh);
  BindOptional(upsert_, 10, s.cost);
  upsert_.bind(11, s.currency);
  upsert_.bind(12, static_cast<int64_t>(ToMillis(now)));
  upsert_.exec();
  return outcome;
}

SessionPage SessionRepository::List(const SessionFilter& f, int limit,
                                    const std::optional<SessionCursor>& after) {
  SQLite::Statement q(
      db_, std::string("SELECT ") + kColumns + " FROM sessions WHERE " + kVisible +
               " AND (?2 IS NULL OR site_id = ?2) AND (?3 IS NULL OR station_id = ?3)"
               " AND (?4 IS NULL OR vehicle_id = ?4) AND (?5 IS NULL OR status = ?5)"
               " AND (?6 IS NULL OR started_at >= ?6) AND (?7 IS NULL OR started_at < ?7)"
               " AND (?8 IS NULL OR (started_at, session_id) < (?8, ?9))"
               " ORDER BY started_at DESC, session_id DESC LIMIT ?10");
  BindOptional(q, 1, f.visible_to_user);
  BindOptional(q, 2, f.site_id);
  BindOptional(q, 3, f.station_id);
  BindOptional(q, 4, f.vehicle_id);
  if (f.status) q.bind(5, std::string(ToString(*f.status)));
  BindOptionalTime(q, 6, f.from);
  BindOptionalTime(q, 7, f.to);
  if (after) {
    q.bind(8, static_cast<int64_t>(ToMillis(after->started_at)));
    q.bind(9, after->session_id);
  }
  q.bind(10, limit + 1);
  SessionPage page;
  while (q.executeStep()) page.items.push_back(ReadSession(q));
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.pop_back();
    page.next = SessionCursor{page.items.back().started_at, page.items.back().session_id};
  }
  return page;
}

namespace {

// A station's site is the one of its most recent session.
constexpr const char* kStationSelect =
    "SELECT station_id, (SELECT site_id FROM sessions AS latest WHERE latest.station_id = "
    "sessions.station_id ORDER BY started_at DESC LIMIT 1), COUNT(*), "
    "MAX(COALESCE(ended_at, started_at)) FROM sessions WHERE ";

StationRow ReadStation(SQLite::Statement& q) {
  return StationRow{q.getColumn(0).getString(), q.getColumn(1).getString(),
                    q.getColumn(2).getInt64(), FromMillis(q.getColumn(3).getInt64())};
}

}  // namespace

std::vector<StationRow> SessionRepository::ListStations(
    const std::optional<std::string>& visible_to_user, int limit,
    const std::optional<std::string>& after_id) {
  SQLite::Statement q(db_, std::string(kStationSelect) + kVisible +
                               " AND (?2 IS NULL OR station_id > ?2)"
                               " GROUP BY station_id ORDER BY station_id LIMIT ?3");
  BindOptional(q, 1, visible_to_user);
  BindOptional(q, 2, after_id);
  q.bind(3, limit);
  std::vector<StationRow> out;
  while (q.executeStep()) out.push_back(ReadStation(q));
  return out;
}

std::optional<StationRow> SessionRepository::GetStation(
    const std::string& station_id, const std::optional<std::string>& visible_to_user) {
  SQLite::Statement q(
      db_, std::string(kStationSelect) + kVisible + " AND station_id = ?2 GROUP BY station_id");
  BindOptional(q, 1, visible_to_user);
  q.bind(2, station_id);
  if (!q.executeStep()) return std::nullopt;
  return ReadStation(q);
}

StationSummary SessionRepository::Summarize(const std::string& station_id,
                                            std::optional<Timestamp> from,
                                            std::optional<Timestamp> to) {
  SQLite::Statement q(db_,
                      "SELECT COUNT(*), COALESCE(SUM(energy_kwh), 0), SUM(cost), "
                      "COUNT(DISTINCT currency), MIN(currency) FROM sessions "
                      "WHERE station_id = ?1 AND (?2 IS NULL OR started_at >= ?2) "
                      "AND (?3 IS NULL OR started_at < ?3)");
  q.bind(1, station_id);
  BindOptionalTime(q, 2, from);
  BindOptionalTime(q, 3, to);
  q.executeStep();
  StationSummary s;
  s.sessions = q.getColumn(0).getInt64();
  s.energy_kwh = q.getColumn(1).getDouble();
  if (q.getColumn(3).getInt() == 1) {
    s.currency = q.getColumn(4).getString();
    s.cost = q.getColumn(2).isNull() ? 0.0 : q.getColumn(2).getDouble();
  } else if (s.sessions == 0) {
    s.cost = 0.0;
  }
  return s;
}

std::optional<std::string> SessionRepository::SiteOfDevice(const std::string& device_id) {
  SQLite::Statement q(db_, "SELECT site_id FROM devices WHERE id = ?");
  q.bind(1, device_id);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

}  // namespace ems::store
