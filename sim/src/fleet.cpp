#include "ems/sim/fleet.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "ems/codec/device_codec.h"
#include "ems/codec/json_fields.h"
#include "ems/codec/schedule_codec.h"
#include "ems/codec/session_codec.h"
#include "ems/codec/tariff_codec.h"
#include "ems/mqtt/topics.h"
#include "ems/sim/charging_hub.h"
#include "ems/sim/cities.h"
#include "ems/sim/common.h"
#include "ems/sim/wallbox.h"

namespace ems::sim {
namespace {

using Json = nlohmann::json;

constexpr int kSnapshotVersion = 1;
constexpr ErrorCode kStateCode = ErrorCode::kInvalidState;

// Discriminators of the random streams of a fleet.
enum Stream : std::uint64_t {
  kHomeStream = 1,  // + home index
  kWeatherStream = 0x77ea,
  kHubStream = 0x40b,
};
// …and of a home.
enum HomeStream : std::uint64_t {
  kInitialStream,
  kEvStream,
  kHouseholdStream,
  kHeatPumpStream,
  kTariffStream,
};

// The device id suffix and the name of an appliance.
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
    case ApplianceKind::kDryer:
      return {"dryer", "Clothes dryer"};
    case ApplianceKind::kBaseLoad:
      return {"base-load", "Household base load"};
  }
  return {"appliance", "Appliance"};
}

// The first multiple of `interval` (since the epoch) at or after `t`.
Timestamp CeilToGrid(Timestamp t, Millis interval) {
  const std::int64_t step = interval.count();
  return FromMillis(-FloorDiv(-ToMillis(t), step) * step);
}

// The first 13:00 local strictly after `after`.
Timestamp NextTariffTime(Timestamp after, std::string_view tz) {
  const Date today = LocalDate(after, tz);
  Timestamp t = LocalInstant(today, TariffModel::kPublishHour, tz);
  if (t <= after)
    t = LocalInstant(DateOfDays(DaysSinceEpoch(today) + 1), TariffModel::kPublishHour, tz);
  return t;
}

// A telemetry payload (codec::EncodeTelemetry) of `metrics`, with an EV's state when given.
std::string TelemetryPayload(std::string_view ts, std::initializer_list<MetricSample> metrics,
                             const EvModel* ev) {
  const std::span<const MetricSample> samples(metrics.begin(), metrics.size());
  if (ev == nullptr) return codec::EncodeTelemetry(ts, samples, Json());
  return codec::EncodeTelemetry(ts, samples,
                                Json{{"mode", ToString(ev->mode())}, {"at_home", ev->at_home()}});
}

// What the messages of one device need.
struct DeviceInfo {
  std::string id;
  DeviceType type;
  std::string name;
  Json properties;
  std::string meta_topic;
  std::string telemetry_topic;
};

struct SiteInfo {
  std::string id;
  std::string name;
  std::string time_zone;
  std::vector<DeviceInfo> devices;  // in telemetry order

  void Add(const std::string& prefix, std::string_view role, DeviceType type, std::string name,
           Json properties) {
    const std::string device = id + "-" + std::string(role);
    devices.push_back({device, type, std::move(name), std::move(properties),
                       mqtt::MetaTopic(prefix, id, device),
                       mqtt::TelemetryTopic(prefix, id, device)});
  }
  void AppendDiscovery(std::vector<OutMessage>* out) const {
    for (const DeviceInfo& d : devices) {
      const DeviceMeta meta{DeviceSpec{d.type, d.name, d.properties}, name, time_zone};
      out->push_back({d.meta_topic, codec::EncodeMeta(meta).dump(), true});
    }
  }
};

Unexpected Invalid(std::string message) { return Rejected(kStateCode, std::move(message)); }

// The state a new home starts from, or the one a snapshot saved.
struct HomeState {
  double solar_energy_wh = 0;
  double battery_stored_wh = 0;
  EvState ev;
  std::optional<OpenSession> wallbox_session;
  std::vector<FollowedSchedule> schedules;
};

Result<HomeState> DecodeHomeState(const Json& j) {
  if (!j.is_object()) return Invalid("A home's state must be an object.");
  try {
    HomeState s;
    s.solar_energy_wh = j.at("solar_energy_wh").get<double>();
    s.battery_stored_wh = j.at("battery_stored_wh").get<double>();
    const Json& ev = j.at("ev");
    s.ev = EvState{ev.at("stored_wh").get<double>(), ev.at("at_home").get<bool>(),
                   ev.at("arrival_charge_done").get<bool>()};
    if (const Json& open = j.at("wallbox_session"); !open.is_null()) {
      const auto started = ParseTimestamp(open.at("started_at").get<std::string>());
      if (!started) return Invalid("A wallbox session's start is not a timestamp.");
      s.wallbox_session =
          OpenSession{open.at("session_id").get<std::string>(), *started,
                      open.at("energy_wh").get<double>(), open.at("cost").get<double>()};
    }
    for (const Json& f : j.at("schedules")) {
      const auto from = ParseTimestamp(f.at("from").get<std::string>());
      auto view = codec::DecodeScheduleView(f.at("view").dump());
      if (!from || !view) return Invalid("A followed schedule cannot be read.");
      s.schedules.push_back({*from, std::move(*view)});
    }
    return s;
  } catch (const Json::exception& e) {
    return Invalid(std::string("A home's state is incomplete: ") + e.what());
  }
}

}  // namespace

struct Fleet::Saved {
  std::vector<HomeState> homes;
};

// One simulated home: its models, and per device what its messages need.
struct Fleet::Home {
  SiteInfo site;
  LocalClock clock;
  Weather weather;
  TariffModel tariff;
  SolarModel solar;
  WindTurbineSpec wind;
  double wind_speed_ms = 0;
  double wind_power_w = 0;
  double outdoor_c = 0;
  BatteryModel battery;
  EvModel ev;
  Wallbox wallbox;
  std::vector<ApplianceModel> appliances;
  HeatPumpModel heat_pump;
  std::string tariff_topic;
  std::string sessions_topic;
  std::string schedule_topic;
  Timestamp next_tariff;

  // Steps every model to `t`; the wallbox's sessions go to `sessions`.
  void Step(Timestamp t, Millis dt, bool session_due, std::vector<ChargingSession>* sessions) {
    const LocalTime lt = clock.At(t);
    const WeatherSample w = weather.At(t);
    solar.Step(t, dt, w);
    wind_speed_ms = w.wind_speed_ms;
    wind_power_w = WindPowerW(wind, wind_speed_ms);
    double base_w = solar.power_w() + wind_power_w;
    for (ApplianceModel& a : appliances) {
      a.Step(t, lt);
      base_w += a.power_w();
    }
    outdoor_c = w.temperature_c;
    heat_pump.Step(t, lt, w);
    base_w += heat_pump.power_w();
    ev.Step(t, dt, lt, base_w);
    // The battery sees the EV too, but does not discharge to charge it.
    const double ev_w = ev.power_w();
    double battery_balance_w = base_w + ev_w;
    if (ev_w < 0 && battery_balance_w < 0) battery_balance_w = std::min(base_w, 0.0);
    battery.Step(dt, battery_balance_w);
    // Pricing costs a little: only while the wallbox meters something.
    const double price = ev.charge_w() > 0 || wallbox.open() ? tariff.PriceAt(t, lt) : 0.0;
    wallbox.Step(t, dt, ev.charge_w(), price, session_due, sessions);
  }

  void AppendTelemetry(std::string_view ts, std::vector<OutMessage>* out) const {
    std::size_t i = 0;
    auto emit = [&](std::initializer_list<MetricSample> metrics,
                    const EvModel* with_state = nullptr) {
      out->push_back(
          {site.devices[i++].telemetry_topic, TelemetryPayload(ts, metrics, with_state), false});
    };
    emit({{"power_w", RoundDecimals(solar.power_w(), 1)},
          {"energy_wh", RoundDecimals(solar.energy_wh(), 1)}});
    emit({{"power_w", RoundDecimals(wind_power_w, 1)},
          {"wind_speed_ms", RoundDecimals(wind_speed_ms, 2)}});
    emit({{"power_w", RoundDecimals(battery.power_w(), 1)},
          {"soc_pct", RoundDecimals(battery.soc_pct(), 1)}});
    emit({{"power_w", RoundDecimals(ev.power_w(), 1)}, {"soc_pct", RoundDecimals(ev.soc_pct(), 2)}},
         &ev);
    for (const ApplianceModel& a : appliances) emit({{"power_w", RoundDecimals(a.power_w(), 1)}});
    emit({{"power_w", RoundDecimals(heat_pump.power_w(), 1)},
          {"temperature_c", RoundDecimals(outdoor_c, 1)}});
  }

  Json Snapshot() const {
    Json schedules = Json::array();
    for (const FollowedSchedule& f : ev.schedules()) {
      schedules.push_back(
          {{"from", FormatTimestamp(f.from)}, {"view", codec::EncodeScheduleView(f.view)}});
    }
    Json session = nullptr;
    if (const auto& open = wallbox.open()) {
      session = {{"session_id", open->session_id},
                 {"started_at", FormatTimestamp(open->started_at)},
                 {"energy_wh", open->energy_wh},
                 {"cost", open->cost}};
    }
    return {{"solar_energy_wh", solar.energy_wh()},
            {"battery_stored_wh", battery.stored_wh()},
            {"ev",
             {{"stored_wh", ev.state().stored_wh},
              {"at_home", ev.state().at_home},
              {"arrival_charge_done", ev.state().arrival_charge_done}}},
            {"wallbox_session", std::move(session)},
            {"schedules", std::move(schedules)}};
  }
};

// The charging hub: public stations on a site of their own.
struct Fleet::Hub {
  SiteInfo site;
  std::vector<ChargingStationModel> stations;
  std::vector<std::string> session_topics;  // per station
};

Fleet::Fleet(FleetConfig config, Timestamp start) : Fleet(std::move(config), start, nullptr) {}

Fleet::Fleet(FleetConfig config, Timestamp start, const Saved* saved)
    : config_(std::move(config)), sim_time_(start) {
  const bool restoring = saved != nullptr;
  if (config_.sites < 0 || config_.hub_stations < 0) {
    throw std::invalid_argument("Fleet: sites and hub_stations must not be negative.");
  }
  if (config_.telemetry_interval.count() <= 0 || config_.session_interval.count() <= 0) {
    throw std::invalid_argument("Fleet: telemetry and session intervals must be positive.");
  }
  const auto telemetry_interval = std::chrono::duration_cast<Millis>(config_.telemetry_interval);
  const auto session_interval = std::chrono::duration_cast<Millis>(config_.session_interval);
  // A restored fleet has already emitted `start`.
  const Timestamp first = restoring ? start + Millis(1) : start;
  next_telemetry_ = CeilToGrid(first, telemetry_interval);
  next_session_ = CeilToGrid(first, session_interval);
  first_step_ = !restoring;

  const auto cities = Cities();
  homes_.reserve(static_cast<std::size_t>(config_.sites));
  for (int i = 0; i < config_.sites; ++i) {
    const std::size_t city_index = static_cast<std::size_t>(i) % cities.size();
    const City& city = cities[city_index];
    const int round = i / static_cast<int>(cities.size());
    const std::uint64_t seed = MixSeed(config_.seed, kHomeStream + static_cast<std::uint64_t>(i));
    Draws initial(MixSeed(seed, kInitialStream));
    const std::string tz(city.time_zone);
    const std::string site_id = "site-" + std::to_string(i + 1);
    const Weather weather(city.climate, MixSeed(config_.seed, kWeatherStream, city_index));
    const SolarSpec solar{city.solar_w, city.climate.latitude_deg, city.climate.longitude_deg,
                          city.panel};
    std::vector<ApplianceModel> appliances;
    for (ApplianceKind kind : AppliancesOf(city.household)) {
      appliances.emplace_back(kind, city.household, MixSeed(seed, kHouseholdStream));
    }
    std::string name = std::string(city.name) + " home";
    if (round > 0) name.append(1, ' ').append(std::to_string(round + 1));
    SiteInfo site{site_id, std::move(name), tz, {}};
    const std::string& prefix = config_.prefix;
    site.Add(prefix, "solar", DeviceType::kSolarPanel, "Rooftop solar",
             {{"rated_power_w", city.solar_w},
              {"tilt_deg", city.panel.tilt_deg},
              {"azimuth_deg", city.panel.azimuth_deg}});
    site.Add(prefix, "wind", DeviceType::kWindTurbine, "Small wind turbine",
             {{"rated_power_w", city.wind_w}});
    site.Add(prefix, "battery", DeviceType::kBattery, "Home battery",
             {{"capacity_wh", city.battery.capacity_wh},
              {"max_charge_w", city.battery.max_charge_w},
              {"max_discharge_w", city.battery.max_discharge_w}});
    site.Add(prefix, "ev", DeviceType::kEv, "Family car",
             {{"battery_capacity_wh", city.ev.battery_capacity_wh},
              {"max_charge_w",
               city.ev.nominal_charge_w > 0 ? city.ev.nominal_charge_w : city.ev.max_charge_w},
              {"max_discharge_w", city.ev.max_discharge_w},
              {"charge_efficiency", city.ev.efficiency}});
    for (ApplianceKind kind : AppliancesOf(city.household)) {
      const ApplianceInfo info = InfoOf(kind);
      site.Add(prefix, info.role, DeviceType::kAppliance, std::string(info.name),
               {{"average_power_w", RunningPowerW(kind, city.household)}});
    }
    site.Add(prefix, "heat-pump", DeviceType::kHeatPump, "Heat pump",
             {{"rated_power_w", city.heat_pump.rated_power_w}});
    const std::string ev_id = site.devices[3].id;
    const TariffModel tariff(city.tariff, weather, tz, MixSeed(seed, kTariffStream));
    const std::string currency = tariff.currency();
    HomeState state;
    if (restoring) {
      state = saved->homes[static_cast<std::size_t>(i)];
    } else {
      state.solar_energy_wh = SolarLifetimeEnergyWh(city.solar_w, start);
      state.battery_stored_wh = city.battery.capacity_wh * initial.Uniform(0.3, 0.8);
      state.ev.stored_wh = city.ev.battery_capacity_wh * initial.Uniform(0.45, 0.85);
    }
    homes_.push_back(Home{
        .site = std::move(site),
        .clock = LocalClock(tz),
        .weather = weather,
        .tariff = tariff,
        .solar = SolarModel(solar, state.solar_energy_wh),
        .wind = WindTurbineSpec{city.wind_w},
        .battery = BatteryModel(city.battery, state.battery_stored_wh),
        .ev = EvModel(city.ev, MixSeed(seed, kEvStream), state.ev),
        .wallbox = Wallbox(site_id + "-wallbox", ev_id, currency, state.wallbox_session),
        .appliances = std::move(appliances),
        .heat_pump = HeatPumpModel(city.heat_pump, MixSeed(seed, kHeatPumpStream)),
        .tariff_topic = mqtt::TariffTopic(prefix, site_id),
        .sessions_topic = mqtt::SessionsTopic(prefix, site_id, site_id + "-wallbox"),
        .schedule_topic = mqtt::ScheduleTopic(prefix, site_id, ev_id),
        .next_tariff = restoring ? NextTariffTime(start, tz) : start,
    });
    for (const FollowedSchedule& f : state.schedules) homes_.back().ev.Follow(f.view, f.from);
  }

  if (config_.hub_stations > 0) {
    const City& city = cities[0];
    hub_ = std::make_unique<Hub>();
    hub_->site = SiteInfo{
        "hub-1", "Charging hub " + std::string(city.name), std::string(city.time_zone), {}};
    for (int k = 0; k < config_.hub_stations; ++k) {
      StationSpec spec;
      spec.station_id = hub_->site.id + "-station-" + std::to_string(k + 1);
      spec.price_per_kwh = k % 2 == 0 ? 0.49 : 0.54;
      hub_->site.Add(config_.prefix, "station-" + std::to_string(k + 1),
                     DeviceType::kChargingStation, "Public charger " + std::to_string(k + 1),
                     {{"max_power_w", spec.max_power_w()}, {"connectors", spec.connectors}});
      hub_->session_topics.push_back(
          mqtt::SessionsTopic(config_.prefix, hub_->site.id, spec.station_id));
      hub_->stations.emplace_back(std::move(spec), hub_->site.time_zone,
                                  MixSeed(config_.seed, kHubStream, static_cast<std::uint64_t>(k)),
                                  start);
    }
  }
}

Fleet::~Fleet() = default;
Fleet::Fleet(Fleet&&) noexcept = default;
Fleet& Fleet::operator=(Fleet&&) noexcept = default;

Result<Fleet> Fleet::Restore(FleetConfig config, std::string_view snapshot) {
  const auto parsed = codec::ParseObject(snapshot, std::numeric_limits<std::size_t>::max());
  if (!parsed) return Invalid("The state is not a JSON object.");
  const Json& j = *parsed;
  const auto field = [&](const char* name) { return j.contains(name) ? j.at(name) : Json(); };
  if (field("version") != kSnapshotVersion) {
    return Invalid("The state has an unknown version.");
  }
  if (field("seed") != config.seed || field("sites") != config.sites ||
      field("hub_stations") != config.hub_stations) {
    return Invalid("The state belongs to another fleet (seed, sites or hub stations differ).");
  }
  const auto time =
      field("time").is_string() ? ParseTimestamp(field("time").get<std::string>()) : std::nullopt;
  const Json homes = field("homes");
  if (!time || !homes.is_array() || homes.size() != static_cast<std::size_t>(config.sites)) {
    return Invalid("The state lacks its time or its homes.");
  }
  Saved saved;
  for (const Json& h : homes) {
    auto state = DecodeHomeState(h);
    if (!state) return Unexpected(state.error());
    saved.homes.push_back(std::move(*state));
  }
  Fleet fleet(std::move(config), *time, &saved);
  // Decide again what was decided at `time`; nothing moves over a zero step.
  std::vector<ChargingSession> discard;
  for (Home& home : fleet.homes_) home.Step(*time, Millis(0), false, &discard);
  if (fleet.hub_) {
    for (ChargingStationModel& station : fleet.hub_->stations) station.Step(*time, false, &discard);
  }
  return fleet;
}

std::string Fleet::Snapshot() const {
  Json homes = Json::array();
  for (const Home& home : homes_) homes.push_back(home.Snapshot());
  return Json{{"version", kSnapshotVersion},
              {"seed", config_.seed},
              {"sites", config_.sites},
              {"hub_stations", config_.hub_stations},
              {"time", FormatTimestamp(sim_time_)},
              {"homes", std::move(homes)}}
      .dump();
}

std::vector<OutMessage> Fleet::Discovery() const {
  std::vector<OutMessage> out;
  for (const Home& home : homes_) home.site.AppendDiscovery(&out);
  if (hub_) hub_->site.AppendDiscovery(&out);
  return out;
}

std::vector<std::string> Fleet::ScheduleTopics() const {
  std::vector<std::string> topics;
  for (const Home& home : homes_) topics.push_back(home.schedule_topic);
  return topics;
}

bool Fleet::FollowSchedule(std::string_view topic, std::string_view payload,
                           Timestamp received_at) {
  for (Home& home : homes_) {
    if (home.schedule_topic != topic) continue;
    auto view = codec::DecodeScheduleView(payload);
    if (!view || view->device_id != home.site.devices[3].id) return false;
    home.ev.Follow(std::move(*view), received_at);
    return true;
  }
  return false;
}

std::vector<OutMessage> Fleet::Advance(Timestamp now) {
  std::vector<OutMessage> out;
  if (now < sim_time_) return out;
  while (true) {
    Timestamp t = std::min(next_telemetry_, next_session_);
    for (const Home& home : homes_) t = std::min(t, home.next_tariff);
    if (first_step_) t = sim_time_;
    if (t > now) break;
    StepTo(t, &out);
  }
  return out;
}

void Fleet::StepTo(Timestamp t, std::vector<OutMessage>* out) {
  const Millis dt = t - sim_time_;
  sim_time_ = t;
  first_step_ = false;
  const bool telemetry_due = t == next_telemetry_;
  if (telemetry_due) next_telemetry_ += config_.telemetry_interval;
  const bool session_due = t == next_session_;
  if (session_due) next_session_ += config_.session_interval;
  std::vector<ChargingSession> sessions;

  for (Home& home : homes_) {
    sessions.clear();
    home.Step(t, dt, session_due, &sessions);
    if (t == home.next_tariff) {
      out->push_back(
          {home.tariff_topic, codec::EncodeTariff(home.tariff.Published(t)).dump(), true});
      home.next_tariff = NextTariffTime(t, home.site.time_zone);
    }
    for (const ChargingSession& s : sessions) {
      out->push_back({home.sessions_topic, codec::EncodeSessionPayload(s), false});
    }
  }
  if (hub_) {
    for (std::size_t k = 0; k < hub_->stations.size(); ++k) {
      sessions.clear();
      hub_->stations[k].Step(t, session_due, &sessions);
      for (const ChargingSession& s : sessions) {
        out->push_back({hub_->session_topics[k], codec::EncodeSessionPayload(s), false});
      }
    }
  }
  if (!telemetry_due) return;

  const std::string ts = FormatTimestamp(t);
  for (const Home& home : homes_) home.AppendTelemetry(ts, out);
  if (hub_) {
    for (std::size_t k = 0; k < hub_->stations.size(); ++k) {
      const ChargingStationModel& st = hub_->stations[k];
      out->push_back({hub_->site.devices[k].telemetry_topic,
                      TelemetryPayload(ts,
                                       {{"power_w", RoundDecimals(st.power_w(), 1)},
                                        {"energy_wh", RoundDecimals(st.energy_wh(), 1)}},
                                       nullptr),
                      false});
    }
  }
}

}  // namespace ems::sim
