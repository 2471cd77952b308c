// The raw-series oracle: the answer of TelemetryReader::Series computed from raw telemetry rows
// only (a GROUP BY over the raw table for 1m/15m/1h, a streaming bucketing of the raw rows in ts
// order for 1d/1w/1mo). The unit tests hold the rollups to it, and bench/rollup_bench uses it as
// the baseline the rollups are measured against. Does not validate the range.
#pragma once

#include <SQLiteCpp/Database.h>

#include <vector>

#include "ems/domain/rollup.h"
#include "ems/store/telemetry_reader.h"

namespace ems::testing {

std::vector<SeriesPoint> SeriesFromRaw(SQLite::Database& db, const store::SeriesKey& key,
                                       const SeriesWindow& w);

}  // namespace ems::testing
