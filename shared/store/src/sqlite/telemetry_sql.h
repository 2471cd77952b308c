// Every statement on the telemetry tables (telemetry, metric_latest, telemetry_rollups,
// telemetry_retention: store/sql/0002_telemetry.sql; series: 0008_series.sql), in one place; the
// writer, the reader and the retention (telemetry_*.cpp) each prepare the ones they use.
#pragma once

#include <string>

#include "common/telemetry_sql.h"
#include "sqlite/statement.h"

namespace ems::store::sqlite::telemetry_sql {

// The statements both backends share, as if written here.
using namespace ::ems::store::telemetry_sql;  // NOLINT(google-build-using-namespace)

// --- writes (telemetry_writer.cpp) ---

inline constexpr const char* kInsertRaw =
    "INSERT OR IGNORE INTO telemetry (series_id, ts, value) VALUES (?1, ?2, ?3)";

inline constexpr const char* kUpsertLatest =
    "INSERT INTO metric_latest (device_id, metric, ts, value) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (device_id, metric) DO UPDATE SET ts = excluded.ts, value = excluded.value "
    "WHERE excluded.ts > metric_latest.ts";

inline constexpr const char* kRollupInsert =
    "INSERT INTO telemetry_rollups (series_id, interval, bucket, sample_count, value_sum, "
    "value_min, value_max, last_ts, last_value) ";
// Every right-hand side of an UPDATE SET sees the row before the update, so last_value is chosen
// against the old last_ts.
inline constexpr const char* kRollupMerge =
    " ON CONFLICT (series_id, interval, bucket) DO UPDATE SET "
    "sample_count = sample_count + excluded.sample_count, "
    "value_sum = value_sum + excluded.value_sum, "
    "value_min = min(value_min, excluded.value_min), "
    "value_max = max(value_max, excluded.value_max), "
    "last_value = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last_value "
    "ELSE last_value END, "
    "last_ts = max(last_ts, excluded.last_ts)";

// Merges coalesced samples (count, sum, min, max, last) into one rollup row of series ?1.
inline std::string MergeRollup() {
  return std::string(kRollupInsert) + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)" + kRollupMerge;
}

// One sample of series ?1 into all five stored levels in one statement: a third cheaper than five.
inline std::string AddSampleToRollups() {
  return std::string(kRollupInsert) +
         "VALUES (?1, '1m', ?2, 1, ?7, ?7, ?7, ?8, ?7), (?1, '15m', ?3, 1, ?7, ?7, ?7, ?8, ?7), "
         "(?1, '1h', ?4, 1, ?7, ?7, ?7, ?8, ?7), (?1, '1d', ?5, 1, ?7, ?7, ?7, ?8, ?7), "
         "(?1, '1mo', ?6, 1, ?7, ?7, ?7, ?8, ?7)" +
         kRollupMerge;
}

// The average power of each minute of one device from the minute before `?2` that has data to
// the minute after `?3` that has data (both included when they exist): every span of
// AccumulateEnergy that a change of the minutes in [?2, ?3] can alter, with its end.
#define EMS_POWER_MINUTES_OF_1                                                            \
  "FROM telemetry_rollups WHERE series_id = (SELECT id FROM series WHERE device_id = ?1 " \
  "AND metric = 'power_w') AND interval = '1m' "
inline constexpr const char* kPowerMinutesAround =
    "SELECT bucket, value_sum / sample_count " EMS_POWER_MINUTES_OF_1
    "AND bucket >= coalesce((SELECT max(bucket) " EMS_POWER_MINUTES_OF_1
    "AND bucket < ?2), ?2) "
    "AND bucket <= coalesce((SELECT min(bucket) " EMS_POWER_MINUTES_OF_1
    "AND bucket > ?3), ?3) "
    "ORDER BY bucket";
#undef EMS_POWER_MINUTES_OF_1

inline constexpr const char* kAddEnergy =
    "INSERT INTO energy_rollups (device_id, interval, bucket, produced_wh, consumed_wh) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (device_id, interval, bucket) DO UPDATE SET "
    "produced_wh = produced_wh + excluded.produced_wh, "
    "consumed_wh = consumed_wh + excluded.consumed_wh";

// Every device with power readings, with its site's zone (rebuilding energy_rollups).
inline constexpr const char* kPowerDevices =
    "SELECT d.id, coalesce(s.timezone, 'UTC') FROM series p JOIN devices d ON d.id = p.device_id "
    "LEFT JOIN sites s ON s.id = d.site_id WHERE p.metric = 'power_w' AND EXISTS (SELECT 1 FROM "
    "telemetry_rollups r WHERE r.series_id = p.id AND r.interval = '1m')";

// The reads whose SQL differs between the backends (common/telemetry_reader.h).
struct ReaderSql {
  // The stored energy of every device of site ?1, all time (its 1mo rows), id order, with an EV's
  // station_id property (ems/domain/energy_totals.h).
  static constexpr const char* kDeviceEnergy =
      "SELECT d.id, d.type, CASE json_type(d.properties, '$.station_id') WHEN 'text' THEN "
      "json_extract(d.properties, '$.station_id') END, coalesce(sum(e.produced_wh), 0), "
      "coalesce(sum(e.consumed_wh), 0) FROM devices d LEFT JOIN energy_rollups e ON "
      "e.device_id = d.id AND e.interval = '1mo' WHERE d.site_id = ?1 GROUP BY d.id ORDER BY d.id";

  // Average power of every minute of every device of a site, device by device. d.rowid changes
  // nothing in the order (ids are unique) but lets SQLite see that devices_by_site and the rollups'
  // key give it: ordered by d.id and r.bucket alone, it sorted each device's minutes again.
  static constexpr const char* kEnergyMinutes =
      "SELECT d.id, r.bucket, r.value_sum / r.sample_count "
      "FROM devices d JOIN series p ON p.device_id = d.id AND p.metric = 'power_w' "
      "JOIN telemetry_rollups r ON r.series_id = p.id AND r.interval = '1m' AND r.bucket >= ?2 "
      "AND r.bucket < ?3 WHERE d.site_id = ?1 ORDER BY d.id, d.rowid, r.bucket";
};

// --- retention (telemetry_retention.cpp; the writer reads the cutoff too) ---

inline constexpr const char* kSeriesIds = "SELECT id FROM series";
inline constexpr const char* kDeleteRawBefore =
    "DELETE FROM telemetry WHERE series_id = ?1 AND ts < ?2";
inline constexpr const char* kPrunedBefore =
    "SELECT pruned_before FROM telemetry_retention WHERE id = 1";
inline constexpr const char* kSetPrunedBefore =
    "UPDATE telemetry_retention SET pruned_before = max(pruned_before, ?1) WHERE id = 1";

}  // namespace ems::store::sqlite::telemetry_sql
