#include "ems/codec/energy_codec.h"

#include <cmath>
#include <optional>

namespace ems::codec {
namespace {

double Round3(double v) {
  const double r = std::round(v * 1000.0) / 1000.0;
  return r == 0 ? 0.0 : r;  // no "-0.0"
}

Json Optional3(const std::optional<double>& v) { return v ? Json(Round3(*v)) : Json(nullptr); }

}  // namespace

Json EncodeEnergySummary(const EnergySummary& summary) {
  Json storage = Json::array();
  for (const auto& s : summary.storage) {
    storage.push_back({{"device_id", s.device_id},
                       {"type", ToString(s.type)},
                       {"capacity_wh", Optional3(s.capacity_wh)},
                       {"soc_pct", Optional3(s.soc_pct)},
                       {"stored_wh", Optional3(s.stored_wh)}});
  }
  return {{"site_id", summary.site_id},
          {"ts", FormatTimestamp(summary.ts)},
          {"produced_w", Round3(summary.produced_w)},
          {"consumed_w", Round3(summary.consumed_w)},
          {"net_w", Round3(summary.net_w)},
          {"storage", std::move(storage)},
          {"devices_reporting", summary.devices_reporting},
          {"devices_stale", summary.devices_stale}};
}

Json EncodeFleetEnergySummary(const FleetEnergySummary& fleet) {
  Json out = EncodeEnergySummary(fleet.total);
  out.erase("site_id");
  out["sites"] = fleet.sites;
  return out;
}

Json EncodeEnergySeries(std::string_view site_id, Interval interval,
                        std::span<const EnergyBucket> buckets) {
  Json points = Json::array();
  for (const auto& b : buckets) {
    points.push_back({{"ts", FormatTimestamp(b.ts)},
                      {"produced_wh", Round3(b.produced_wh)},
                      {"consumed_wh", Round3(b.consumed_wh)},
                      {"net_wh", Round3(b.net_wh())}});
  }
  return {{"site_id", site_id}, {"interval", ToString(interval)}, {"points", std::move(points)}};
}

}  // namespace ems::codec
