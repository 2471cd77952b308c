#include "ems/config/settings.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>

#include "ems/domain/ids.h"

namespace ems::config {
namespace {

std::string FlagOf(const Option& o) {
  if (!o.flag.empty()) return o.flag;
  std::string f = o.name.rfind("EMS_", 0) == 0 ? o.name.substr(4) : o.name;
  for (char& c : f) c = c == '_' ? '-' : static_cast<char>(std::tolower(c));
  return f;
}

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::vector<Option> CommonOptions(const std::string& client_id, const std::string& mqtt_user) {
  return {
      {"EMS_MQTT_URL", "mqtt://127.0.0.1:1883", "broker URL; mqtts://host:8883 uses TLS"},
      {"EMS_MQTT_CA_FILE", "", "CA certificate for mqtts://"},
      {"EMS_MQTT_USERNAME", mqtt_user, "broker user; empty = no credentials"},
      {"EMS_MQTT_PASSWORD", "", "broker password", true},
      {"EMS_MQTT_CLIENT_ID", client_id, "fixed client id (keeps the persistent session)"},
      {"EMS_TOPIC_PREFIX", "ems/v1", "prefix of every topic"},
      {"EMS_DB_PATH", "./data/ems.db", "SQLite database file; its folder holds the status files"},
      {"EMS_DB_URL", "",
       "postgresql://… selects PostgreSQL instead of SQLite (docs/configuration.md)", true},
      {"EMS_LOG_LEVEL", "info", "debug, info, warn or error"},
  };
}

std::vector<Option> StoredDataOptions() {
  return {
      {"EMS_DEFAULT_CURRENCY", "EUR", "currency of sessions whose payload names none"},
      {"EMS_STALE_AFTER_S", "30",
       "a device whose latest telemetry is older counts as stale in summaries"},
  };
}

Option MetricsOption(const std::string& default_listen) {
  return {"EMS_METRICS_LISTEN", default_listen,
          "Prometheus /metrics address, loopback (docs/monitoring.md); empty turns it off"};
}

std::vector<Option> HomeAssistantOptions() {
  return {
      {"EMS_HA_DISCOVERY", "1",
       "1 = publish Home Assistant MQTT discovery configs (docs/home-assistant.md)"},
      {"EMS_HA_PREFIX", "homeassistant", "Home Assistant's discovery prefix"},
  };
}

std::map<std::string, std::string> ReadEnvFile(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = Trim(line.substr(7));
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = Trim(line.substr(0, eq));
    std::string value = Trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    out[key] = value;
  }
  return out;
}

Settings::Settings(std::string service, std::vector<Option> options, int argc,
                   const char* const* argv, const std::string& env_file)
    : service_(std::move(service)), options_(std::move(options)) {
  const auto file = ReadEnvFile(env_file);
  for (const auto& o : options_) {
    if (const char* env = std::getenv(o.name.c_str())) {
      values_[o.name] = env;
    } else if (auto it = file.find(o.name); it != file.end()) {
      values_[o.name] = it->second;
    } else {
      values_[o.name] = o.default_value;
    }
  }
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) throw ConfigError(arg, "unexpected argument (see --help).");
    std::string key = arg.substr(2), value;
    const auto eq = key.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
    }
    const auto it = std::find_if(options_.begin(), options_.end(),
                                 [&](const Option& o) { return FlagOf(o) == key; });
    if (it == options_.end()) throw ConfigError("--" + key, "unknown flag (see --help).");
    if (!inline_value) {
      if (i + 1 >= argc) throw ConfigError("--" + key, "needs a value.");
      value = argv[++i];
    }
    values_[it->name] = value;
  }
}

std::string Settings::HelpText() const {
  std::string out = "Usage: " + service_ + " [--flag=value ...]\n\n";
  out += "Every setting is an environment variable (a .env file is read if present) and may be\n";
  out += "overridden by its flag.\n\n";
  for (const auto& o : options_) {
    out += "  --" + FlagOf(o) + " / " + o.name + "\n      " + o.help;
    if (!o.default_value.empty() && !o.secret) out += " (default: " + o.default_value + ")";
    out += "\n";
  }
  return out;
}

std::vector<std::string> Settings::Describe() const {
  std::vector<std::string> out;
  for (const auto& o : options_) {
    const auto& v = values_.at(o.name);
    out.push_back(o.name + "=" + (o.secret ? (v.empty() ? "" : "***") : v));
  }
  return out;
}

void Settings::RefusePlaceholderSecrets() const {
  for (const auto& o : options_) {
    if (o.secret && values_.at(o.name).rfind("change-me", 0) == 0) {
      throw ConfigError(o.name,
                        "still has the placeholder value of .env.example; set a secret of your "
                        "own (./run.sh and scripts/ensure-env.sh generate them).");
    }
  }
}

const std::string& Settings::Get(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) throw std::logic_error("setting " + name + " was never declared");
  return it->second;
}

std::int64_t Settings::GetInt(const std::string& name, std::int64_t min, std::int64_t max) const {
  const auto& text = Get(name);
  std::size_t used = 0;
  std::int64_t v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || v < min || v > max) {
    throw ConfigError(name, "must be an integer from " + std::to_string(min) + " to " +
                                std::to_string(max) + ", got '" + text + "'.");
  }
  return v;
}

double Settings::GetDouble(const std::string& name, double min, double max) const {
  const auto& text = Get(name);
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || !(v >= min && v <= max)) {
    throw ConfigError(name, "must be a number from " + std::to_string(min) + " to " +
                                std::to_string(max) + ", got '" + text + "'.");
  }
  return v;
}

const std::string& Settings::GetCurrency(const std::string& name) const {
  const auto& v = Get(name);
  if (!IsCurrencyCode(v)) {
    throw ConfigError(
        name, "must be a three-letter upper-case ISO 4217 code such as EUR, got '" + v + "'.");
  }
  return v;
}

std::pair<std::string, int> Settings::GetHostPort(const std::string& name) const {
  const auto& listen = Get(name);
  const auto colon = listen.rfind(':');
  int port = -1;
  std::size_t used = 0;
  try {
    if (colon != std::string::npos && colon > 0) port = std::stoi(listen.substr(colon + 1), &used);
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535 || used == 0 || used != listen.size() - colon - 1) {
    throw ConfigError(name, "must be host:port, got '" + listen + "'.");
  }
  return {listen.substr(0, colon), port};
}

bool Settings::GetBool(const std::string& name) const {
  const auto& v = Get(name);
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v.empty() || v == "0" || v == "false" || v == "no" || v == "off") return false;
  throw ConfigError(name, "must be 1 or 0, got '" + v + "'.");
}

}  // namespace ems::config
