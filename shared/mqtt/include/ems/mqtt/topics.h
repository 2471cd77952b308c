// MQTT topic names (docs/contract.md §4): building them from ids and parsing incoming ones. Pure.
//
// `prefix` is EMS_TOPIC_PREFIX (default "ems/v1"). Parsing checks every id level with
// IsValidId, so a parsed topic can be trusted as ids.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace ems::mqtt {

// --- building ---
std::string MetaTopic(std::string_view prefix, std::string_view site, std::string_view device);
std::string TelemetryTopic(std::string_view prefix, std::string_view site, std::string_view device);
std::string SessionsTopic(std::string_view prefix, std::string_view site, std::string_view station);
std::string TariffTopic(std::string_view prefix, std::string_view site);
std::string ContractEventsTopic(std::string_view prefix);
std::string SummaryTopic(std::string_view prefix, std::string_view site);
std::string ScheduleTopic(std::string_view prefix, std::string_view site, std::string_view ev);
// Energy counters (docs/contract.md §4.6): {p}/sites/{site}/energy/totals and
// {p}/sites/{site}/devices/{device}/energy/totals.
std::string SiteEnergyTopic(std::string_view prefix, std::string_view site);
std::string DeviceEnergyTopic(std::string_view prefix, std::string_view site,
                              std::string_view device);
std::string StatusTopic(std::string_view prefix, std::string_view service);
// Existing stations (§4.2): charger/{station}/connector/{connector}/session/{n}
std::string LegacySessionTopic(std::string_view station, int connector, std::string_view n);

// --- parsing what the listener receives ---
struct MetaMsg {
  std::string site, device;
};
struct TelemetryMsg {
  std::string site, device;
};
struct SessionMsg {
  std::string site, station;
};
struct TariffMsg {
  std::string site;
};
struct ContractEventMsg {};
struct LegacySessionMsg {
  std::string station;
  int connector;
  std::string n;
};

using ParsedTopic =
    std::variant<MetaMsg, TelemetryMsg, SessionMsg, TariffMsg, ContractEventMsg, LegacySessionMsg>;

// std::nullopt for a topic that is none of the above or carries an invalid id level.
std::optional<ParsedTopic> ParseTopic(std::string_view prefix, std::string_view topic);

}  // namespace ems::mqtt
