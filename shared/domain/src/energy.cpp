#include "ems/domain/energy.h"

#include <algorithm>
#include <utility>

namespace ems {
namespace {

constexpr double kMillisPerHour = 3'600'000.0;

bool Fresh(const TimedValue& v, Timestamp now, std::chrono::seconds stale_after) {
  return now - v.ts <= stale_after;
}

}  // namespace

DeviceReading ReadingOf(const Device& device, std::span<const LatestMetric> latest) {
  DeviceReading r;
  r.device_id = device.id;
  r.type = device.type;
  r.capacity_wh = StorageCapacityWh(device.type, device.properties);
  for (const auto& m : latest) {
    if (m.name == kPowerMetric) r.power_w = TimedValue{m.ts, m.value};
    if (m.name == kSocMetric) r.soc_pct = TimedValue{m.ts, m.value};
  }
  return r;
}

EnergySummary ComputeEnergySummary(std::string site_id, std::span<const DeviceReading> devices,
                                   Timestamp now, std::chrono::seconds stale_after) {
  EnergySummary s;
  s.site_id = std::move(site_id);
  s.ts = now;
  for (const auto& d : devices) {
    if (d.power_w && Fresh(*d.power_w, now, stale_after)) {
      ++s.devices_reporting;
      const double p = d.power_w->value;
      if (p > 0) {
        s.produced_w += p;
      } else {
        s.consumed_w -= p;
      }
    } else {
      ++s.devices_stale;
    }
    if (IsStorage(d.type)) {
      StorageStatus st;
      st.device_id = d.device_id;
      st.type = d.type;
      st.capacity_wh = d.capacity_wh;
      if (d.soc_pct && Fresh(*d.soc_pct, now, stale_after)) st.soc_pct = d.soc_pct->value;
      if (st.capacity_wh && st.soc_pct) st.stored_wh = *st.capacity_wh * *st.soc_pct / 100.0;
      s.storage.push_back(std::move(st));
    }
  }
  s.net_w = s.produced_w - s.consumed_w;
  return s;
}

FleetEnergySummary SumEnergySummaries(std::span<const EnergySummary> per_site, Timestamp now) {
  FleetEnergySummary fleet;
  fleet.sites = static_cast<int>(per_site.size());
  EnergySummary& t = fleet.total;
  t.ts = now;
  for (const auto& s : per_site) {
    t.produced_w += s.produced_w;
    t.consumed_w += s.consumed_w;
    t.devices_reporting += s.devices_reporting;
    t.devices_stale += s.devices_stale;
    t.storage.insert(t.storage.end(), s.storage.begin(), s.storage.end());
  }
  t.net_w = t.produced_w - t.consumed_w;
  return fleet;
}

std::vector<EnergyBucket> MakeEnergyBuckets(Timestamp from, Timestamp to, Interval interval,
                                            std::string_view tz) {
  std::vector<EnergyBucket> buckets;
  for (Timestamp t : BucketStarts(from, to, interval, tz)) buckets.push_back(EnergyBucket{t});
  return buckets;
}

void AccumulateEnergy(std::span<const PowerSample> samples, std::span<EnergyBucket> buckets,
                      Timestamp end) {
  if (buckets.empty() || samples.size() < 2) return;
  const auto bucket_end = [&](std::size_t k) {
    return k + 1 < buckets.size() ? buckets[k + 1].ts : end;
  };
  std::size_t k = 0;  // first bucket that may overlap the current span; only moves forward
  for (std::size_t i = 0; i + 1 < samples.size(); ++i) {
    const Timestamp a = samples[i].ts;
    const Timestamp b = samples[i + 1].ts;
    if (b <= a || b - a > kMaxBridgedGap) continue;
    const double power = samples[i].power_w;
    if (power == 0) continue;
    while (k < buckets.size() && bucket_end(k) <= a) ++k;
    for (std::size_t j = k; j < buckets.size() && buckets[j].ts < b; ++j) {
      const Timestamp lo = std::max(a, buckets[j].ts);
      const Timestamp hi = std::min(b, bucket_end(j));
      if (hi <= lo) continue;
      const double wh = power * static_cast<double>((hi - lo).count()) / kMillisPerHour;
      if (wh > 0) {
        buckets[j].produced_wh += wh;
      } else {
        buckets[j].consumed_wh -= wh;
      }
    }
  }
}

std::vector<EnergyBucket> EnergyByBucket(std::span<const PowerSample> samples, Interval interval,
                                         std::string_view tz) {
  if (samples.size() < 2) return {};
  auto buckets = MakeEnergyBuckets(samples.front().ts, samples.back().ts, interval, tz);
  if (buckets.empty()) return buckets;
  AccumulateEnergy(samples, buckets, NextBucketStart(buckets.back().ts, interval, tz));
  std::erase_if(buckets,
                [](const EnergyBucket& b) { return b.produced_wh == 0 && b.consumed_wh == 0; });
  return buckets;
}

}  // namespace ems
