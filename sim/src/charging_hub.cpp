#include "ems/sim/charging_hub.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <utility>

#include "ems/sim/common.h"

namespace ems::sim {
namespace {

constexpr double kMsPerHour = 3'600'000.0;
const Date kOpened{2024, 1, 1};

// Relative arrival rate by local hour at a hub by shops and offices.
constexpr std::array<double, 24> kArrivalWeight{0.10, 0.05, 0.03, 0.02, 0.02, 0.10, 0.40, 0.90,
                                                1.20, 1.10, 1.00, 1.00, 1.10, 1.00, 0.90, 0.90,
                                                1.00, 1.20, 1.20, 1.00, 0.70, 0.50, 0.30, 0.20};
constexpr double kArrivalsPerDay = 4.8;  // drivers coming to a connector on a weekday
constexpr double kMaxWeight = 1.2;

double HoursBetween(Timestamp a, Timestamp b) {
  return static_cast<double>((b - a).count()) / kMsPerHour;
}

Timestamp AddHours(Timestamp t, double h) { return t + Millis(std::llround(h * kMsPerHour)); }

// Whole seconds: what a charger's log shows.
Timestamp AddWholeSeconds(Timestamp t, double h) {
  return t + Millis(std::llround(h * 3600.0) * 1000);
}

double LogNormal(std::uint64_t key, double median, double sigma) {
  return median * std::exp(sigma * HashNormal(key));
}

// Draw keys of one arrival.
enum Draw : std::uint64_t { kGap, kAccept, kDwell, kEnergy, kClass, kPower, kTaper, kVehicle };

}  // namespace

double HubSession::PowerWAt(Timestamp t) const {
  if (t < plug_in || t >= std::min(charge_end, unplug)) return 0;
  if (t < bulk_end) return power_w;
  return power_w * HoursBetween(t, charge_end) / HoursBetween(bulk_end, charge_end);
}

double HubSession::EnergyWhAt(Timestamp t) const {
  t = std::min(t, unplug);
  if (t <= plug_in) return 0;
  double wh = power_w * HoursBetween(plug_in, std::min(t, bulk_end));
  if (t > bulk_end) {
    const double taper_h = HoursBetween(bulk_end, charge_end);
    const double left_h = HoursBetween(std::min(t, charge_end), charge_end);
    wh += power_w * (taper_h * taper_h - left_h * left_h) / (2 * taper_h);
  }
  return wh;
}

std::vector<HubSession> ConnectorDay(const StationSpec& spec, int connector, const Date& day,
                                     std::string_view tz, std::uint64_t seed) {
  std::vector<HubSession> out;
  if (day < kOpened) return out;
  const std::int64_t days = DaysSinceEpoch(day);
  const Timestamp begin = LocalInstant(day, kServiceDayStartHour, tz);
  const Timestamp end = LocalInstant(DateOfDays(days + 1), kServiceDayStartHour, tz);
  const int weekday = static_cast<int>(((days + 3) % 7 + 7) % 7);
  const double day_factor = weekday == 6 ? 0.75 : weekday == 5 ? 0.95 : 1.0;
  const double weight_sum = std::accumulate(kArrivalWeight.begin(), kArrivalWeight.end(), 0.0);
  const double max_rate_per_h = kMaxWeight * kArrivalsPerDay * day_factor / weight_sum;
  char date[16];
  std::snprintf(date, sizeof date, "%04d%02d%02d", day.year, day.month, day.day);

  Timestamp busy_until = begin;
  double t_h = 0;  // hours since the start of the service day
  const double length_h = HoursBetween(begin, end);
  for (std::uint64_t i = 0;; ++i) {
    const std::uint64_t key = MixSeed(seed, static_cast<std::uint64_t>(days),
                                      static_cast<std::uint64_t>(connector) * 1000003 + i);
    const auto draw = [&](Draw d) { return HashUniform(key + d); };
    // Candidate arrivals at the highest rate, kept with the hour's share of it (thinning).
    t_h += -std::log(1.0 - draw(kGap)) / max_rate_per_h;
    if (t_h >= length_h) break;
    const int local_hour = static_cast<int>(kServiceDayStartHour + t_h) % 24;
    if (draw(kAccept) * kMaxWeight >= kArrivalWeight[static_cast<std::size_t>(local_hour)]) {
      continue;
    }
    const Timestamp arrival = AddWholeSeconds(begin, t_h);
    if (arrival >= end) break;
    if (arrival < busy_until) continue;  // taken: this driver charges elsewhere

    HubSession s;
    s.connector = connector;
    s.plug_in = arrival;
    const double dwell_h = std::clamp(LogNormal(key + kDwell, 70.0 / 60, 0.55), 0.2, 8.0);
    s.unplug = std::min(end, AddWholeSeconds(arrival, dwell_h));
    const double wanted_wh = 1000 * std::clamp(LogNormal(key + kEnergy, 13.0, 0.55), 2.0, 60.0);
    const double pick = draw(kClass);
    const double accepts_w = pick < 0.12 ? 3700 : pick < 0.37 ? 7400 : pick < 0.92 ? 11000 : 22000;
    s.power_w = std::min(accepts_w, spec.connector_max_w) * (0.92 + 0.06 * draw(kPower));
    // The last part of a charge tapers linearly to zero: it delivers half its length at full
    // power.
    const double bulk_only_h = wanted_wh / s.power_w;
    const double taper_h = std::min((8.0 + 12.0 * draw(kTaper)) / 60.0, bulk_only_h);
    s.charge_end = AddWholeSeconds(arrival, bulk_only_h + taper_h / 2);
    s.bulk_end = AddHours(s.charge_end, -taper_h);
    char vehicle[16];
    std::snprintf(vehicle, sizeof vehicle, "ev-%04d", 1 + static_cast<int>(draw(kVehicle) * 2000));
    s.vehicle_id = vehicle;
    s.session_id = spec.station_id + "-c" + std::to_string(connector) + "-" + date + "-" +
                   std::to_string(out.size() + 1);
    busy_until = s.unplug;
    out.push_back(std::move(s));
  }
  return out;
}

ChargingStationModel::ChargingStationModel(StationSpec spec, std::string time_zone,
                                           std::uint64_t seed, Timestamp start)
    : spec_(std::move(spec)), clock_(std::move(time_zone)), seed_(seed), previous_(start) {
  // The meter: everything delivered since the hub opened.
  const std::int64_t today = ServiceDay(start);
  for (std::int64_t d = DaysSinceEpoch(kOpened); d < today; ++d) {
    for (int c = 1; c <= spec_.connectors; ++c) {
      for (const HubSession& s : ConnectorDay(spec_, c, DateOfDays(d), clock_.time_zone(), seed_)) {
        energy_wh_ += s.energy_wh();
      }
    }
  }
  for (const HubSession& s : Sessions(today)) energy_wh_ += s.EnergyWhAt(start);
}

std::int64_t ChargingStationModel::ServiceDay(Timestamp t) {
  const LocalTime lt = clock_.At(t);
  return lt.hour < kServiceDayStartHour ? lt.day - 1 : lt.day;
}

const std::vector<HubSession>& ChargingStationModel::Sessions(std::int64_t service_day) {
  auto [it, inserted] = days_.try_emplace(service_day);
  if (inserted) {
    for (int c = 1; c <= spec_.connectors; ++c) {
      auto day = ConnectorDay(spec_, c, DateOfDays(service_day), clock_.time_zone(), seed_);
      it->second.insert(it->second.end(), std::make_move_iterator(day.begin()),
                        std::make_move_iterator(day.end()));
    }
  }
  return it->second;
}

ChargingSession ChargingStationModel::ToSession(const HubSession& h, Timestamp now,
                                                bool completed) const {
  ChargingSession s;
  s.session_id = h.session_id;
  s.station_id = spec_.station_id;
  s.connector = h.connector;
  s.vehicle_id = h.vehicle_id;
  s.status = completed ? SessionStatus::kCompleted : SessionStatus::kActive;
  s.started_at = h.plug_in;
  if (completed) s.ended_at = h.unplug;
  s.energy_kwh = FloorDecimals(h.EnergyWhAt(completed ? h.unplug : now) / 1000.0, 3);
  s.cost = RoundDecimals(s.energy_kwh * spec_.price_per_kwh, 2);
  s.currency = spec_.currency;
  return s;
}

void ChargingStationModel::Step(Timestamp now, bool report_active,
                                std::vector<ChargingSession>* out) {
  const std::int64_t first = ServiceDay(previous_);
  const std::int64_t last = ServiceDay(now);
  std::vector<ChargingSession> active;
  double power = 0;
  for (std::int64_t d = first; d <= last; ++d) {
    for (const HubSession& s : Sessions(d)) {
      energy_wh_ += s.EnergyWhAt(now) - s.EnergyWhAt(previous_);
      if (previous_ < s.unplug && s.unplug <= now) out->push_back(ToSession(s, now, true));
      if (report_active && s.plug_in <= now && now < s.unplug) {
        active.push_back(ToSession(s, now, false));
      }
      power += s.PowerWAt(now);
    }
  }
  out->insert(out->end(), active.begin(), active.end());
  days_.erase(days_.begin(), days_.lower_bound(last));
  previous_ = now;
  power_w_ = -power + 0.0;
}

}  // namespace ems::sim
