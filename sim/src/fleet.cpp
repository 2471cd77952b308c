#include "ems/sim/fleet.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "ems/mqtt/topics.h"
#include "ems/sim/models.h"

namespace ems::sim {
namespace {

// Insertion-ordered, so payloads read in SPEC's field order.
using json = nlohmann::ordered_json;

// Where the sites are. Coordinates and climate normals of the cities; mean wind at hub height.
struct SiteTemplate {
  std::string_view city;
  std::string_view time_zone;
  double latitude_deg;
  double longitude_deg;
  ClimateSpec climate;
  double mean_wind_ms;
  double solar_w, wind_w, heat_pump_w;
  BatterySpec battery;
  EvSpec ev;
};

const std::array<SiteTemplate, 6>& Templates() {
  static const std::array<SiteTemplate, 6> kTemplates{{
      {"Berlin",
       "Europe/Berlin",
       52.52,
       13.40,
       {9.9, 9.5, 4.5, false},
       5.5,
       8000,
       3000,
       3000,
       {10000, 5000, 4600},
       {60000, 11000, 0}},
      {"New York",
       "America/New_York",
       40.71,
       -74.01,
       {12.9, 12.0, 4.5, false},
       6.0,
       6500,
       5000,
       4000,
       {13500, 5000, 5000},
       {77000, 11000, 0}},
      {"Sydney",
       "Australia/Sydney",
       -33.87,
       151.21,
       {18.3, 4.8, 4.0, true},
       6.5,
       9500,
       2500,
       2000,
       {9600, 4000, 5000},
       {62000, 7400, 6000}},
      {"Tokyo",
       "Asia/Tokyo",
       35.68,
       139.69,
       {15.8, 10.5, 4.0, false},
       4.5,
       5000,
       2000,
       2500,
       {7000, 3000, 3500},
       {40000, 6000, 6000}},
      {"London",
       "Europe/London",
       51.51,
       -0.13,
       {11.3, 7.0, 4.0, false},
       6.5,
       4000,
       6000,
       3000,
       {13500, 5000, 5000},
       {64000, 7400, 0}},
      {"Los Angeles",
       "America/Los_Angeles",
       34.05,
       -118.24,
       {18.6, 4.5, 6.0, false},
       4.5,
       7000,
       1500,
       1500,
       {13500, 5000, 5000},
       {82000, 11500, 0}},
  }};
  return kTemplates;
}

// Discriminators of the random streams inside a site.
enum Stream : std::uint64_t {
  kSolarStream = 1,
  kWindStream,
  kBatteryStream,
  kEvStream,
  kApplianceStream,  // + kind
  kHeatPumpStream = 10,
  kTariffStream,
  kStationStream = 100,  // + station index
};

constexpr std::array<ApplianceKind, 4> kApplianceKinds{
    ApplianceKind::kFridge, ApplianceKind::kDishwasher, ApplianceKind::kWashingMachine,
    ApplianceKind::kBaseLoad};

struct ApplianceInfo {
  std::string_view role;
  std::string_view name;
};
ApplianceInfo InfoOf(ApplianceKind kind) {
  switch (kind) {
    case ApplianceKind::kFridge:
      return {"fridge", "Fridge"};
    case ApplianceKind::kDishwasher:
      return {"dishwasher", "Dishwasher"};
    case ApplianceKind::kWashingMachine:
      return {"washer", "Washing machine"};
    case ApplianceKind::kBaseLoad:
      return {"base-load", "Household base load"};
  }
  return {"appliance", "Appliance"};
}

double Round(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale + 0.0;  // + 0.0: never "-0.0"
}

// The first multiple of `interval` (since the epoch) at or after `t`.
Timestamp CeilToGrid(Timestamp t, Millis interval) {
  const std::int64_t ms = ToMillis(t);
  const std::int64_t step = interval.count();
  std::int64_t q = ms / step;
  if (q * step < ms) ++q;
  return FromMillis(q * step);
}

// The instant of `hour`:00 local on the local day that starts at `midnight`, DST included.
Timestamp LocalTimeOfDay(Timestamp midnight, double hour, std::string_view tz) {
  Timestamp t = midnight + Millis(std::llround(hour * 3'600'000));
  const double off = hour - LocalHourOfDay(t, tz);  // non-zero only across a DST change
  return t + Millis(std::llround(off * 3'600'000));
}

Timestamp NextTariffTime(Timestamp after, std::string_view tz) {
  Timestamp t = LocalTimeOfDay(LocalPeriodStart(after, CalendarUnit::kDay, tz),
                               TariffModel::kPublishHour, tz);
  if (t <= after) t = LocalTimeOfDay(NextLocalMidnight(after, tz), TariffModel::kPublishHour, tz);
  return t;
}

struct Metric {
  std::string_view name;  // a fixed identifier: written without escaping
  double value;
};

void AppendNumber(std::string* out, double v) {
  if (!std::isfinite(v)) {  // models never produce these; keep the JSON valid, the listener rejects
    *out += "null";
    return;
  }
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof buf, v);  // shortest round trip
  const std::string_view text(buf, static_cast<std::size_t>(result.ptr - buf));
  *out += text;
  if (text.find_first_of(".e") == std::string_view::npos) *out += ".0";  // stays a JSON float
}

// Telemetry is the hot path of a backfill (a month of the default fleet is ~17 M payloads), so it
// is written straight into one string: building a json object per payload measured ~4x slower,
// mostly in allocation. The shape is exactly SPEC's; metric names and modes are fixed
// identifiers and ts is RFC 3339, so nothing needs escaping. Tests parse every payload.
std::string TelemetryPayload(std::string_view ts, std::initializer_list<Metric> metrics,
                             const EvModel* ev) {
  std::string out;
  out.reserve(160);
  out += R"({"ts":")";
  out += ts;
  out += R"(","metrics":{)";
  bool first = true;
  for (const Metric& m : metrics) {
    if (!first) out += ',';
    first = false;
    out += '"';
    out += m.name;
    out += "\":";
    AppendNumber(&out, m.value);
  }
  out += '}';
  if (ev != nullptr) {
    out += R"(,"state":{"mode":")";
    out += ToString(ev->mode());
    out += R"(","at_home":)";
    out += ev->at_home() ? "true" : "false";
    out += '}';
  }
  out += '}';
  return out;
}

std::string SessionPayload(const ChargingSession& s) {
  json j;
  j["session_id"] = s.session_id;
  j["station_id"] = s.station_id;
  j["connector"] = s.connector.value_or(1);
  j["vehicle_id"] = s.vehicle_id ? json(*s.vehicle_id) : json(nullptr);
  j["status"] = s.status == SessionStatus::kCompleted ? "completed" : "active";
  j["started_at"] = FormatTimestamp(s.started_at);
  j["ended_at"] = s.ended_at ? json(FormatTimestamp(*s.ended_at)) : json(nullptr);
  j["energy_kwh"] = s.energy_kwh;
  j["cost"] = s.cost ? json(*s.cost) : json(nullptr);
  j["currency"] = s.currency;
  return j.dump();
}

std::string TariffPayload(const Tariff& tariff) {
  json prices = json::array();
  for (const TariffPrice& p : tariff.prices) {
    prices.push_back({{"start", FormatTimestamp(p.start)},
                      {"end", FormatTimestamp(p.end)},
                      {"price_per_kwh", p.price_per_kwh}});
  }
  return json{{"currency", tariff.currency}, {"prices", std::move(prices)}}.dump();
}

}  // namespace

// One simulated site: its models, and per device what its messages need.
struct Fleet::Site {
  struct DeviceInfo {
    std::string id;
    std::string type;
    std::string name;
    json properties;
    std::string meta_topic;
    std::string telemetry_topic;
  };

  std::string id;
  std::string name;
  std::string time_zone;
  std::string tariff_topic;
  SolarModel solar;
  WindModel wind;
  BatteryModel battery;
  EvModel ev;
  std::vector<ApplianceModel> appliances;  // in kApplianceKinds order
  HeatPumpModel heat_pump;
  std::vector<ChargingStationModel> stations;
  std::vector<std::string> session_topics;  // per station
  TariffModel tariff;
  Timestamp next_tariff;
  // In telemetry order: solar, wind, battery, ev, appliances…, heat pump, stations….
  std::vector<DeviceInfo> devices;
};

Fleet::Fleet(FleetConfig config, Timestamp start) : config_(std::move(config)), sim_time_(start) {
  if (config_.sites < 0 || config_.stations_per_site < 0) {
    throw std::invalid_argument("Fleet: sites and stations_per_site must not be negative.");
  }
  if (config_.telemetry_interval.count() <= 0 || config_.session_interval.count() <= 0) {
    throw std::invalid_argument("Fleet: telemetry and session intervals must be positive.");
  }
  next_telemetry_ = CeilToGrid(start, config_.telemetry_interval);
  next_session_ = CeilToGrid(start, config_.session_interval);
  sites_.reserve(static_cast<std::size_t>(config_.sites));
  for (int i = 0; i < config_.sites; ++i) sites_.push_back(MakeSite(i, config_, start));
}

Fleet::~Fleet() = default;
Fleet::Fleet(Fleet&&) noexcept = default;
Fleet& Fleet::operator=(Fleet&&) noexcept = default;

Fleet::Site Fleet::MakeSite(int index, const FleetConfig& config, Timestamp start) {
  const auto& templates = Templates();
  const SiteTemplate& tpl = templates[static_cast<std::size_t>(index) % templates.size()];
  const int round = index / static_cast<int>(templates.size());
  const std::uint64_t seed = MixSeed(config.seed, static_cast<std::uint64_t>(index) + 1);
  std::mt19937_64 rng(MixSeed(seed, 0));
  const std::string tz(tpl.time_zone);
  const std::string site_id = "site-" + std::to_string(index + 1);

  std::vector<ApplianceModel> appliances;
  for (ApplianceKind kind : kApplianceKinds) {
    appliances.emplace_back(kind, tz, MixSeed(seed, kApplianceStream + static_cast<int>(kind)),
                            start);
  }
  Fleet::Site site{
      .id = site_id,
      .name = std::string(tpl.city) + " home" + (round > 0 ? " " + std::to_string(round + 1) : ""),
      .time_zone = tz,
      .tariff_topic = mqtt::TariffTopic(config.prefix, site_id),
      .solar = SolarModel(tpl.solar_w, tpl.latitude_deg, tpl.longitude_deg,
                          MixSeed(seed, kSolarStream), start),
      .wind = WindModel(tpl.wind_w, tpl.mean_wind_ms, MixSeed(seed, kWindStream)),
      .battery = BatteryModel(tpl.battery, std::uniform_real_distribution<double>(30, 80)(rng)),
      .ev = EvModel(tpl.ev, tz, MixSeed(seed, kEvStream), start,
                    std::uniform_real_distribution<double>(45, 85)(rng)),
      .appliances = std::move(appliances),
      .heat_pump = HeatPumpModel(tpl.heat_pump_w, tpl.climate, tz, MixSeed(seed, kHeatPumpStream)),
      .stations = {},
      .session_topics = {},
      .tariff = TariffModel(tz, tpl.latitude_deg < 0, MixSeed(seed, kTariffStream)),
      .next_tariff = start,
      .devices = {},
  };
  site.heat_pump.Step(start, Millis(0));

  auto add = [&](std::string role, std::string_view type, std::string name, json properties) {
    const std::string id = site_id + "-" + role;
    site.devices.push_back({id, std::string(type), std::move(name), std::move(properties),
                            mqtt::MetaTopic(config.prefix, site_id, id),
                            mqtt::TelemetryTopic(config.prefix, site_id, id)});
    return id;
  };
  add("solar", "solar_panel", "Rooftop solar", {{"rated_power_w", tpl.solar_w}});
  add("wind", "wind_turbine", "Small wind turbine", {{"rated_power_w", tpl.wind_w}});
  add("battery", "battery", "Home battery",
      {{"capacity_wh", tpl.battery.capacity_wh},
       {"max_charge_w", tpl.battery.max_charge_w},
       {"max_discharge_w", tpl.battery.max_discharge_w}});
  add("ev", "ev", "Family car",
      {{"battery_capacity_wh", tpl.ev.battery_capacity_wh},
       {"max_charge_w", tpl.ev.max_charge_w},
       {"max_discharge_w", tpl.ev.max_discharge_w}});
  for (ApplianceKind kind : kApplianceKinds) {
    const ApplianceInfo info = InfoOf(kind);
    add(std::string(info.role), "appliance", std::string(info.name),
        {{"average_power_w", ApplianceAveragePowerW(kind)}});
  }
  add("heat-pump", "heat_pump", "Heat pump", {{"rated_power_w", tpl.heat_pump_w}});
  for (int k = 0; k < config.stations_per_site; ++k) {
    const bool fast = k % 2 == 0;
    StationSpec spec;
    spec.max_power_w = fast ? 22000 : 11000;
    spec.connectors = fast ? 2 : 1;
    spec.price_per_kwh =
        std::round(std::uniform_real_distribution<double>(0.25, 0.60)(rng) * 100) / 100;
    spec.currency = "EUR";
    spec.session_interval = config.session_interval;
    spec.station_id = add("station-" + std::to_string(k + 1), "charging_station",
                          "Charging station " + std::to_string(k + 1),
                          {{"max_power_w", spec.max_power_w}, {"connectors", spec.connectors}});
    site.session_topics.push_back(mqtt::SessionsTopic(config.prefix, site_id, spec.station_id));
    site.stations.emplace_back(
        std::move(spec), MixSeed(seed, kStationStream + static_cast<std::uint64_t>(k)), start);
  }
  return site;
}

std::vector<OutMessage> Fleet::Discovery() const {
  std::vector<OutMessage> out;
  for (const Site& site : sites_) {
    for (const Site::DeviceInfo& d : site.devices) {
      json meta{{"type", d.type},
                {"name", d.name},
                {"properties", d.properties},
                {"site_name", site.name},
                {"site_timezone", site.time_zone}};
      out.push_back({d.meta_topic, meta.dump(), true});
    }
  }
  return out;
}

std::vector<OutMessage> Fleet::Advance(Timestamp now) {
  std::vector<OutMessage> out;
  if (now < sim_time_) return out;
  std::size_t devices = 0;
  for (const Site& site : sites_) devices += site.devices.size();
  const auto ticks = (now - sim_time_) / config_.telemetry_interval + 1;
  out.reserve(std::min<std::size_t>(static_cast<std::size_t>(ticks) * devices + 16, 1 << 20));
  while (true) {
    Timestamp t = std::min(next_telemetry_, next_session_);
    for (const Site& site : sites_) t = std::min(t, site.next_tariff);
    if (t > now) break;
    StepTo(t, &out);
  }
  return out;
}

void Fleet::StepTo(Timestamp t, std::vector<OutMessage>* out) {
  const Millis dt = t - sim_time_;
  sim_time_ = t;
  const bool telemetry_due = t == next_telemetry_;
  if (telemetry_due) next_telemetry_ += config_.telemetry_interval;
  if (t == next_session_) next_session_ += config_.session_interval;
  const std::string ts = FormatTimestamp(t);
  std::vector<ChargingSession> sessions;

  for (Site& site : sites_) {
    site.solar.Step(t, dt);
    site.wind.Step(t, dt);
    double base_w = site.solar.power_w() + site.wind.power_w();
    for (ApplianceModel& a : site.appliances) {
      a.Step(t, dt);
      base_w += a.power_w();
    }
    site.heat_pump.Step(t, dt);
    base_w += site.heat_pump.power_w();
    site.ev.Step(t, dt, base_w);
    // The battery sees the EV too, but does not discharge to charge it.
    const double ev_w = site.ev.power_w();
    double battery_balance_w = base_w + ev_w;
    if (ev_w < 0 && battery_balance_w < 0) battery_balance_w = std::min(base_w, 0.0);
    site.battery.Step(t, dt, battery_balance_w);

    if (t == site.next_tariff) {
      out->push_back({site.tariff_topic, TariffPayload(site.tariff.Published(t)), true});
      site.next_tariff = NextTariffTime(t, site.time_zone);
    }
    for (std::size_t k = 0; k < site.stations.size(); ++k) {
      sessions.clear();
      site.stations[k].Step(t, dt, &sessions);
      for (const ChargingSession& s : sessions) {
        out->push_back({site.session_topics[k], SessionPayload(s), false});
      }
    }
  }
  if (!telemetry_due) return;

  for (const Site& site : sites_) {
    std::size_t i = 0;
    auto emit = [&](std::initializer_list<Metric> metrics, const EvModel* ev = nullptr) {
      out->push_back({site.devices[i++].telemetry_topic, TelemetryPayload(ts, metrics, ev), false});
    };
    emit({{"power_w", Round(site.solar.power_w(), 1)},
          {"energy_wh", Round(site.solar.energy_wh(), 1)}});
    emit({{"power_w", Round(site.wind.power_w(), 1)},
          {"wind_speed_ms", Round(site.wind.wind_speed_ms(), 2)}});
    emit({{"power_w", Round(site.battery.power_w(), 1)},
          {"soc_pct", Round(site.battery.soc_pct(), 1)}});
    emit({{"power_w", Round(site.ev.power_w(), 1)}, {"soc_pct", Round(site.ev.soc_pct(), 1)}},
         &site.ev);
    for (const ApplianceModel& a : site.appliances) emit({{"power_w", Round(a.power_w(), 1)}});
    emit({{"power_w", Round(site.heat_pump.power_w(), 1)},
          {"temperature_c", Round(site.heat_pump.temperature_c(), 1)}});
    for (const ChargingStationModel& st : site.stations) {
      emit({{"power_w", Round(st.power_w(), 1)}});
    }
  }
}

}  // namespace ems::sim
