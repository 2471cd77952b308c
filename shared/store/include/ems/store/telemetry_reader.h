// TelemetryReader: what is answered from stored telemetry (docs/contract.md §6.2–§6.4) — latest
// values, the readings of a site's and of the fleet's energy summary, series at every interval (one
// device's, or several at once for a subscription), and site energy per bucket.
//
// Callers can rely on: a series at any interval but raw reads rollup rows only, so its cost grows
// with the buckets returned (×7 for 1w, composed from 1d at query time), not with the samples
// behind them. Series semantics are those of ems/domain/rollup.h: a Series equals ComputeSeries
// over the raw samples (the unit tests hold it to that against a raw-row oracle). Rollups survive
// raw pruning, so every interval but raw still answers for pruned ranges. Site timezone changes
// are not retro-applied: stored 1d/1mo rollups keep the zone they were built in.
// Contract of the store's repositories: ems/store/store.h.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ems/domain/device.h"
#include "ems/domain/energy.h"
#include "ems/domain/energy_totals.h"
#include "ems/domain/result.h"
#include "ems/domain/rollup.h"
#include "ems/domain/time.h"
#include "ems/store/visibility.h"

namespace ems::store {

// One series of an answer: a device's metric, bucketed in its site's zone.
struct SeriesKey {
  std::string device_id;
  std::string metric;
  std::string timezone = "UTC";  // its site's zone (1d, 1w, 1mo buckets)
};

// The devices of one site with the readings an energy summary needs (id order).
struct SiteDeviceReadings {
  std::string site_id;
  std::vector<DeviceReading> devices;
};

class TelemetryReader {
 public:
  virtual ~TelemetryReader() = default;

  // Latest value of each metric of a device, in name order.
  virtual std::vector<LatestMetric> Latest(const std::string& device_id) = 0;
  virtual std::optional<LatestMetric> Latest(const std::string& device_id,
                                             const std::string& metric) = 0;
  // For ComputeEnergySummary: every device of the site (id order) with its latest power_w and
  // soc_pct and its storage capacity, in one query.
  virtual std::vector<DeviceReading> SiteReadings(const std::string& site_id) = 0;
  // The same for every site `visibility` sees (id order; a site without devices has none), in
  // one query: what the fleet summary sums.
  virtual std::vector<SiteDeviceReadings> VisibleSiteReadings(const Visibility& visibility) = 0;

  // A series per docs/contract.md §6.3: validates the range (ValidateSeriesRange, kInvalidQuery),
  // then answers from rollups (from raw rows at `raw`). The one-key case of the next.
  virtual Result<std::vector<SeriesPoint>> Series(const SeriesKey& key,
                                                  const SeriesWindow& window) = 0;
  // One series per key over the same window, each as Series answers it
  // in its own zone, in key order. The point limit counts the whole answer (kInvalidQuery):
  // ValidateSeriesRange with keys.size() series, and at `raw` at most kMaxSeriesPoints samples in
  // all (TooManyRawPoints), reading no further than that. Costs one range scan of a prepared
  // statement per key.
  virtual Result<std::vector<std::vector<SeriesPoint>>> Series(std::span<const SeriesKey> keys,
                                                               const SeriesWindow& window) = 0;
  // Raw samples in [from, to), ts order.
  virtual std::vector<TimedValue> Raw(const std::string& device_id, const std::string& metric,
                                      Timestamp from, Timestamp to) = 0;

  // Energy per bucket of a site (docs/contract.md §6.4 energy series) for buckets overlapping
  // [from, to): every device's `power_w` integrated with AccumulateEnergy (step method, gaps over
  // 15 min not bridged, pro-rata split at bucket edges) and summed. Source: the 1m rollups, each
  // minute read as one sample (its average power, at the minute's start) — exact for any reporting
  // period of a minute or less apart from the first/last minute of a stretch of data, kept after
  // raw pruning, and costing one row per device-minute in range. Rejects kInvalidQuery for a bad
  // range or interval `raw`.
  virtual Result<std::vector<EnergyBucket>> EnergySeries(const std::string& site_id,
                                                         std::string_view site_timezone,
                                                         Timestamp from, Timestamp to,
                                                         Interval interval) = 0;

  // The energy counters' inputs (docs/contract.md §4.6, ems/domain/energy_totals.h). Every device
  // of the site (id order) with its stored energy of all time: one query over the 1mo energy
  // rollups, a dozen rows a device and year.
  virtual std::vector<DeviceEnergy> DeviceEnergyTotals(const std::string& site_id) = 0;
  // The site's energy netted per quarter hour over the 15m energy rollups of [from, to): one
  // scan of those rows (about 35 000 a device and year).
  virtual GridEnergy SiteGridEnergy(const std::string& site_id, Timestamp from, Timestamp to) = 0;
};

}  // namespace ems::store
