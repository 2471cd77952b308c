// The statements on the telemetry tables that both backends run as they are (the writer's,
// the retention's and the few reads that differ are in sqlite/telemetry_sql.h and
// postgres/telemetry_sql.h, which see these as their own).
#pragma once

#include <string>

#include "common/sql.h"

namespace ems::store::telemetry_sql {

// Raw rows and rollups belong to a series (0008_series.sql): the id of (device ?1, metric ?2),
// which the writer looks up (or adds) once per transaction and the readers in a subquery.
#define EMS_SERIES_ID_1_2 "SELECT id FROM series WHERE device_id = ?1 AND metric = ?2"
inline constexpr const char* kSeriesId = EMS_SERIES_ID_1_2;
inline constexpr const char* kAddSeries =
    "INSERT INTO series (device_id, metric) VALUES (?1, ?2) RETURNING id";

// --- reads (telemetry_reader.cpp) ---

inline constexpr const char* kLatestAll =
    "SELECT metric, value, ts FROM metric_latest WHERE device_id = ?1 ORDER BY metric";
inline constexpr const char* kLatestOne =
    "SELECT metric, value, ts FROM metric_latest WHERE device_id = ?1 AND metric = ?2";

// The readings of ComputeEnergySummary, of devices `d`: id, type, properties, then the latest
// power_w and soc_pct (ts, value each; NULL when never reported).
inline constexpr const char* kReadingColumns =
    "d.id, d.type, d.properties, p.ts, p.value, soc.ts, soc.value";
// Where each of kReadingColumns is, from the first of them.
enum ReadingColumn : int {
  kReadingId,
  kReadingType,
  kReadingProperties,
  kReadingPowerTs,
  kReadingPowerValue,
  kReadingSocTs,
  kReadingSocValue,
};
inline constexpr const char* kReadingJoins =
    " LEFT JOIN metric_latest p ON p.device_id = d.id AND p.metric = 'power_w' "
    "LEFT JOIN metric_latest soc ON soc.device_id = d.id AND soc.metric = 'soc_pct'";

// Of the devices of site ?1.
inline std::string SiteReadings() {
  return std::string("SELECT ") + kReadingColumns + " FROM devices d" + kReadingJoins +
         " WHERE d.site_id = ?1 ORDER BY d.id";
}

// Every site the Visibility ?1 sees, then its devices' readings (NULL for a site without any).
inline std::string VisibleSiteReadings() {
  return std::string("SELECT s.id, ") + kReadingColumns +
         " FROM sites s LEFT JOIN devices d ON d.site_id = s.id" + kReadingJoins + " WHERE " +
         VisibleSite("s.id", 1) + " ORDER BY s.id, d.id";
}

// Rollup rows of one series in a range, `columns` after the bucket. Expanded at compile time, so
// every rollup read is a literal statement with bound values; no text is put together at run time.
#define EMS_ROLLUP_RANGE(columns)                                                           \
  "SELECT bucket, " columns " FROM telemetry_rollups WHERE series_id = (" EMS_SERIES_ID_1_2 \
  ") AND interval = ?3 AND bucket >= ?4 AND bucket < ?5 ORDER BY bucket"

// Whole aggregates (sample_count, value_sum, value_min, value_max, last_ts, last_value), to merge.
inline constexpr const char* kRollupAggregates =
    EMS_ROLLUP_RANGE("sample_count, value_sum, value_min, value_max, last_ts, last_value");
// Where each column of kRollupAggregates is, from the first aggregate column (after the bucket).
enum AggregateColumn : int {
  kAggregateCount,
  kAggregateSum,
  kAggregateMin,
  kAggregateMax,
  kAggregateLastTs,
  kAggregateLastValue,
};

// A series' points at one aggregation: the count and the one column the aggregation reads (avg
// and sum: value_sum; min, max, last: their own), so a long series decodes three columns a row
// instead of seven.
inline constexpr const char* kRollupPointsSum = EMS_ROLLUP_RANGE("sample_count, value_sum");
inline constexpr const char* kRollupPointsMin = EMS_ROLLUP_RANGE("sample_count, value_min");
inline constexpr const char* kRollupPointsMax = EMS_ROLLUP_RANGE("sample_count, value_max");
inline constexpr const char* kRollupPointsLast = EMS_ROLLUP_RANGE("sample_count, last_value");

#undef EMS_ROLLUP_RANGE

inline constexpr const char* kRawRange =
    "SELECT ts, value FROM telemetry WHERE series_id = (" EMS_SERIES_ID_1_2
    ") AND ts >= ?3 AND ts < ?4 ORDER BY ts";

// A site's energy per stored bucket (15m, 1h, 1d, 1mo), summed over its devices.
inline constexpr const char* kSiteEnergy =
    "SELECT e.bucket, sum(e.produced_wh), sum(e.consumed_wh) FROM devices d "
    "JOIN energy_rollups e ON e.device_id = d.id AND e.interval = ?2 AND e.bucket >= ?3 "
    "AND e.bucket < ?4 WHERE d.site_id = ?1 GROUP BY e.bucket ORDER BY e.bucket";

// Site ?1's net energy netted per quarter hour in [?2, ?3): what the quarters imported and
// exported.
inline constexpr const char* kGridEnergy =
    "SELECT coalesce(sum(CASE WHEN n < 0 THEN -n ELSE 0 END), 0), "
    "coalesce(sum(CASE WHEN n > 0 THEN n ELSE 0 END), 0) FROM (SELECT "
    "sum(e.produced_wh) - sum(e.consumed_wh) AS n FROM devices d JOIN energy_rollups e ON "
    "e.device_id = d.id AND e.interval = '15m' AND e.bucket >= ?2 AND e.bucket < ?3 "
    "WHERE d.site_id = ?1 GROUP BY e.bucket) AS quarters";

#undef EMS_SERIES_ID_1_2

}  // namespace ems::store::telemetry_sql
