// Site energy (docs/contract.md §6.4): the live summary from each device's latest `power_w`, and
// the integration of power samples into energy per bucket. Pure: no I/O; `now` is a parameter.
//
// Sign convention (docs/contract.md §4.1): positive power_w = the device supplies the site,
// negative = it draws from it. Produced = Σ positive, consumed = Σ |negative|, net = produced −
// consumed (positive = exporting to the grid). Storage discharging counts as produced, charging as
// consumed, exactly like any other device.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ems/domain/device.h"
#include "ems/domain/rollup.h"
#include "ems/domain/time.h"

namespace ems {

// --- summary ---

// What the summary needs of one device of the site.
struct DeviceReading {
  std::string device_id;
  DeviceType type = DeviceType::kSolarPanel;
  std::optional<double> capacity_wh;  // StorageCapacityWh of its properties
  std::optional<TimedValue> power_w;  // latest by ts
  std::optional<TimedValue> soc_pct;  // latest by ts
};

// The reading of a stored device from its latest metrics (any order; other metrics ignored).
DeviceReading ReadingOf(const Device& device, std::span<const LatestMetric> latest);

struct StorageStatus {
  std::string device_id;
  DeviceType type = DeviceType::kBattery;
  std::optional<double> capacity_wh;
  std::optional<double> soc_pct;    // null when never reported or stale
  std::optional<double> stored_wh;  // capacity_wh × soc_pct / 100, null when either is null
  friend bool operator==(const StorageStatus&, const StorageStatus&) = default;
};

struct EnergySummary {
  std::string site_id;
  Timestamp ts;  // the `now` it was computed for
  double produced_w = 0;
  double consumed_w = 0;
  double net_w = 0;
  std::vector<StorageStatus> storage;  // every battery and ev of the site, in input order
  int devices_reporting = 0;           // latest power_w at most stale_after old
  int devices_stale = 0;               // every other device, including those never reporting
  friend bool operator==(const EnergySummary&, const EnergySummary&) = default;
};

// A reading is fresh when now − ts ≤ stale_after (readings stamped in the future are fresh).
// Only fresh power_w values enter the sums; devices_reporting + devices_stale = devices.size().
// A storage device's soc is shown only when fresh by the same rule.
EnergySummary ComputeEnergySummary(std::string site_id, std::span<const DeviceReading> devices,
                                   Timestamp now, std::chrono::seconds stale_after);

// The energy picture of several sites (docs/contract.md §6.4 GET /energy/summary, the fleet view).
struct FleetEnergySummary {
  int sites = 0;
  EnergySummary total;  // site_id empty; storage of every site, in the order of the sites
  friend bool operator==(const FleetEnergySummary&, const FleetEnergySummary&) = default;
};

// The per-site summaries (each from ComputeEnergySummary) summed: produced, consumed, net and the
// reporting and stale counts added, storage lists joined; `sites` counts them all, also those
// without devices.
FleetEnergySummary SumEnergySummaries(std::span<const EnergySummary> per_site, Timestamp now);

// --- energy over time ---

// Two consecutive power samples further apart than this are not bridged: the span between them
// counts as no data (zero energy), not as the first sample held.
inline constexpr Millis kMaxBridgedGap = std::chrono::minutes(15);

struct PowerSample {
  Timestamp ts;
  double power_w = 0;
};

struct EnergyBucket {
  Timestamp ts;  // bucket start
  double produced_wh = 0;
  double consumed_wh = 0;
  double net_wh() const { return produced_wh - consumed_wh; }
  friend bool operator==(const EnergyBucket&, const EnergyBucket&) = default;
};

// Empty buckets for every bucket overlapping [from, to) (BucketStarts; interval must not be raw).
std::vector<EnergyBucket> MakeEnergyBuckets(Timestamp from, Timestamp to, Interval interval,
                                            std::string_view tz);

// Adds the energy of ONE device's samples (sorted by ts, at most one per ts) to `buckets`
// (consecutive, ascending; the last one ends at `end`).
//
// Method: step, also called left Riemann or sample-and-hold. Sample i's power is taken to hold
// from its ts until the next sample's ts; that span's energy is power × hours, produced when the
// power is positive and consumed when negative (one span never mixes the two, which a trapezoid
// across a sign change would). A span longer than kMaxBridgedGap contributes nothing, and the
// last sample contributes nothing (its end is unknown). A span crossing bucket boundaries is
// split pro rata by time; parts outside [buckets.front().ts, end) are dropped.
void AccumulateEnergy(std::span<const PowerSample> samples, std::span<EnergyBucket> buckets,
                      Timestamp end);

// The energy of ONE device's samples (as AccumulateEnergy counts it) in every bucket of
// `interval` (zone `tz`) it touches, ascending; buckets without energy are left out. For
// maintaining stored energy rollups, where the touched buckets are not known in advance.
std::vector<EnergyBucket> EnergyByBucket(std::span<const PowerSample> samples, Interval interval,
                                         std::string_view tz);

}  // namespace ems
