// Settings of a process (docs/contract.md §2): every setting is an environment variable, read from
// the real environment, else from a `.env` file in the working directory, else its default; a
// command-line flag (`--mqtt-url=...` or `--mqtt-url ...` for EMS_MQTT_URL) overrides all.
//
// Invalid configuration is fatal at start: callers report it with ConfigError, which the
// process edge prints as one line naming the variable before exiting non-zero.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ems::config {

struct Option {
  std::string name;           // EMS_MQTT_URL
  std::string default_value;  // used when neither flag, environment nor .env set it
  std::string help;           // one line for --help
  bool secret = false;        // masked when settings are printed
  std::string flag = {};      // defaults to the name without EMS_, lower case, '_' -> '-'
};

class ConfigError : public std::runtime_error {
 public:
  ConfigError(const std::string& variable, const std::string& problem)
      : std::runtime_error(variable + ": " + problem) {}
};

// The options every service shares (broker, topics, database, logging).
std::vector<Option> CommonOptions(const std::string& client_id, const std::string& mqtt_user);
// The options of the services that read stored data (listener and API): the default currency of
// sessions and the staleness of readings in energy summaries.
std::vector<Option> StoredDataOptions();
// EMS_METRICS_LISTEN (docs/contract.md §8): the service's Prometheus address, loopback by default,
// one port per service (docs/monitoring.md).
Option MetricsOption(const std::string& default_listen);
// EMS_HA_DISCOVERY and EMS_HA_PREFIX (docs/contract.md §4.6): the listener publishes the discovery
// configs, the API clears them when it deletes a device or site.
std::vector<Option> HomeAssistantOptions();

class Settings {
 public:
  // Throws ConfigError for an unknown flag or a flag without a value.
  Settings(std::string service, std::vector<Option> options, int argc, const char* const* argv,
           const std::string& env_file = ".env");

  const std::string& service() const { return service_; }
  bool help_requested() const { return help_; }
  std::string HelpText() const;
  // "EMS_X=value" lines, secrets masked, for the start-up log.
  std::vector<std::string> Describe() const;
  // ConfigError naming the first secret still set to a placeholder of .env.example (a value
  // beginning with "change-me"): such a secret is public, so no process starts with it.
  void RefusePlaceholderSecrets() const;

  const std::string& Get(const std::string& name) const;
  // Integer within [min, max], else ConfigError naming the variable.
  std::int64_t GetInt(const std::string& name, std::int64_t min, std::int64_t max) const;
  double GetDouble(const std::string& name, double min, double max) const;
  bool GetBool(const std::string& name) const;
  // "host:port" (port 0..65535) as {host, port}, else ConfigError.
  std::pair<std::string, int> GetHostPort(const std::string& name) const;
  // A currency code by the rule of sessions and tariffs (IsCurrencyCode, "EUR"), else ConfigError.
  const std::string& GetCurrency(const std::string& name) const;

 private:
  std::string service_;
  std::vector<Option> options_;
  std::map<std::string, std::string> values_;
  bool help_ = false;
};

// Reads KEY=VALUE lines (comments with #, optional quotes). A missing file is an empty map.
std::map<std::string, std::string> ReadEnvFile(const std::string& path);

}  // namespace ems::config
