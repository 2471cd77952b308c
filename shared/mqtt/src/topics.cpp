#include "ems/mqtt/topics.h"

#include <charconv>
#include <vector>

#include "ems/domain/ids.h"

namespace ems::mqtt {
namespace {

std::string Join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto slash = s.find('/', start);
    out.push_back(s.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

}  // namespace

std::string MetaTopic(std::string_view p, std::string_view site, std::string_view device) {
  return Join({p, "sites", site, "devices", device, "meta"});
}
std::string TelemetryTopic(std::string_view p, std::string_view site, std::string_view device) {
  return Join({p, "sites", site, "devices", device, "telemetry"});
}
std::string SessionsTopic(std::string_view p, std::string_view site, std::string_view station) {
  return Join({p, "sites", site, "devices", station, "sessions"});
}
std::string TariffTopic(std::string_view p, std::string_view site) {
  return Join({p, "sites", site, "tariff"});
}
std::string ContractEventsTopic(std::string_view p) { return Join({p, "contracts", "events"}); }
std::string SummaryTopic(std::string_view p, std::string_view site) {
  return Join({p, "sites", site, "summary"});
}
std::string ScheduleTopic(std::string_view p, std::string_view site, std::string_view ev) {
  return Join({p, "sites", site, "devices", ev, "schedule"});
}
std::string SiteEnergyTopic(std::string_view p, std::string_view site) {
  return Join({p, "sites", site, "energy", "totals"});
}
std::string DeviceEnergyTopic(std::string_view p, std::string_view site, std::string_view device) {
  return Join({p, "sites", site, "devices", device, "energy", "totals"});
}
std::string StatusTopic(std::string_view p, std::string_view service) {
  return Join({p, "status", service});
}
std::string LegacySessionTopic(std::string_view station, int connector, std::string_view n) {
  return Join({"charger", station, "connector", std::to_string(connector), "session", n});
}

std::optional<ParsedTopic> ParseTopic(std::string_view prefix, std::string_view topic) {
  const auto parts = Split(topic);
  if (parts.size() == 6 && parts[0] == "charger" && parts[2] == "connector" &&
      parts[4] == "session") {
    int connector = 0;
    const auto c = parts[3];
    const auto [ptr, ec] = std::from_chars(c.data(), c.data() + c.size(), connector);
    if (ec != std::errc() || ptr != c.data() + c.size() || connector < 1 || !IsValidId(parts[1]) ||
        !IsValidId(parts[5])) {
      return std::nullopt;
    }
    return LegacySessionMsg{std::string(parts[1]), connector, std::string(parts[5])};
  }

  if (topic.size() <= prefix.size() || topic.substr(0, prefix.size()) != prefix ||
      topic[prefix.size()] != '/') {
    return std::nullopt;
  }
  const auto rest = Split(topic.substr(prefix.size() + 1));
  if (rest.size() == 2 && rest[0] == "contracts" && rest[1] == "events") return ContractEventMsg{};
  if (rest.size() < 3 || rest[0] != "sites" || !IsValidId(rest[1])) return std::nullopt;
  const std::string site(rest[1]);
  if (rest.size() == 3 && rest[2] == "tariff") return TariffMsg{site};
  if (rest.size() == 5 && rest[2] == "devices" && IsValidId(rest[3])) {
    const std::string device(rest[3]);
    if (rest[4] == "meta") return MetaMsg{site, device};
    if (rest[4] == "telemetry") return TelemetryMsg{site, device};
    if (rest[4] == "sessions") return SessionMsg{site, device};
  }
  return std::nullopt;
}

}  // namespace ems::mqtt
