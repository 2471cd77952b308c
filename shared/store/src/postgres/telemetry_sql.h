// Every statement on the telemetry tables (store/sql/postgres/0010_initial.sql), in one place; the
// writer, the reader and the retention (telemetry_*.cpp) each prepare the ones they use. Raw
// rows live in one partition of `telemetry` per UTC day, named telemetry_pYYYYMMDD.
#pragma once

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "common/telemetry_sql.h"
#include "postgres/statement.h"

namespace ems::store::postgres::telemetry_sql {

// The statements both backends share, as if written here.
using namespace ::ems::store::telemetry_sql;  // NOLINT(google-build-using-namespace)

inline constexpr std::int64_t kDayMs = 86'400'000;

// The UTC day (days since the Unix epoch) of a raw sample: its partition.
inline std::int64_t TelemetryDay(Timestamp ts) {
  const std::int64_t ms = ToMillis(ts);
  return ms >= 0 ? ms / kDayMs : -((-ms + kDayMs - 1) / kDayMs);
}

// telemetry_pYYYYMMDD of a day.
inline std::string PartitionName(std::int64_t day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  char name[32];
  std::snprintf(name, sizeof name, "telemetry_p%04d%02u%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return name;
}

// The day of a partition's name; nullopt for a name of another form.
inline std::optional<std::int64_t> PartitionDay(std::string_view name) {
  int y = 0;
  unsigned m = 0, d = 0;
  const std::string text(name);
  if (std::sscanf(text.c_str(), "telemetry_p%4d%2u%2u", &y, &m, &d) != 3) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

// DDL of a day's partition (its name and bounds come from the day's number alone).
inline std::string CreateTelemetryPartition(std::int64_t day) {
  return "CREATE TABLE IF NOT EXISTS " + PartitionName(day) +
         " PARTITION OF telemetry FOR VALUES FROM (" + std::to_string(day * kDayMs) + ") TO (" +
         std::to_string((day + 1) * kDayMs) + ")";
}

// The partitions of telemetry, by name.
inline constexpr const char* kPartitions =
    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
    "WHERE i.inhparent = 'telemetry'::regclass";

// --- writes (telemetry_writer.cpp) ---

inline constexpr const char* kInsertRaw =
    "INSERT INTO telemetry (series_id, ts, value) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING";

inline constexpr const char* kUpsertLatest =
    "INSERT INTO metric_latest (device_id, metric, ts, value) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (device_id, metric) DO UPDATE SET ts = excluded.ts, value = excluded.value "
    "WHERE excluded.ts > metric_latest.ts";

inline constexpr const char* kRollupInsert =
    "INSERT INTO telemetry_rollups AS r (series_id, interval, bucket, sample_count, value_sum, "
    "value_min, value_max, last_ts, last_value) ";
// Every right-hand side of an UPDATE SET sees the row before the update, so last_value is chosen
// against the old last_ts.
inline constexpr const char* kRollupMerge =
    " ON CONFLICT (series_id, interval, bucket) DO UPDATE SET "
    "sample_count = r.sample_count + excluded.sample_count, "
    "value_sum = r.value_sum + excluded.value_sum, "
    "value_min = LEAST(r.value_min, excluded.value_min), "
    "value_max = GREATEST(r.value_max, excluded.value_max), "
    "last_value = CASE WHEN excluded.last_ts >= r.last_ts THEN excluded.last_value "
    "ELSE r.last_value END, "
    "last_ts = GREATEST(r.last_ts, excluded.last_ts)";

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
    "INSERT INTO energy_rollups AS e (device_id, interval, bucket, produced_wh, consumed_wh) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (device_id, interval, bucket) DO UPDATE SET "
    "produced_wh = e.produced_wh + excluded.produced_wh, "
    "consumed_wh = e.consumed_wh + excluded.consumed_wh";

// The reads whose SQL differs between the backends (common/telemetry_reader.h).
struct ReaderSql {
  // The stored energy of every device of site ?1, all time (its 1mo rows), id order, with an EV's
  // station_id property (ems/domain/energy_totals.h).
  static constexpr const char* kDeviceEnergy =
      "SELECT d.id, d.type, CASE jsonb_typeof(d.properties -> 'station_id') WHEN 'string' THEN "
      "d.properties ->> 'station_id' END, coalesce(sum(e.produced_wh), 0), "
      "coalesce(sum(e.consumed_wh), 0) FROM devices d LEFT JOIN energy_rollups e ON "
      "e.device_id = d.id AND e.interval = '1mo' WHERE d.site_id = ?1 GROUP BY d.id ORDER BY d.id";

  // Average power of every minute of every device of a site, device by device.
  static constexpr const char* kEnergyMinutes =
      "SELECT d.id, r.bucket, r.value_sum / r.sample_count "
      "FROM devices d JOIN series p ON p.device_id = d.id AND p.metric = 'power_w' "
      "JOIN telemetry_rollups r ON r.series_id = p.id AND r.interval = '1m' AND r.bucket >= ?2 "
      "AND r.bucket < ?3 WHERE d.site_id = ?1 ORDER BY d.id, r.bucket";
};

// --- retention (telemetry_retention.cpp; the writer reads the cutoff too) ---

inline constexpr const char* kDeleteRawBefore = "DELETE FROM telemetry WHERE ts < ?1";
inline constexpr const char* kPrunedBefore =
    "SELECT pruned_before FROM telemetry_retention WHERE id = 1";
inline constexpr const char* kSetPrunedBefore =
    "UPDATE telemetry_retention SET pruned_before = GREATEST(pruned_before, ?1) WHERE id = 1";

}  // namespace ems::store::postgres::telemetry_sql
