#include "api/cli/cli.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "api/accounts.h"
#include "api/cli/chargers.h"
#include "api/cli/gateways.h"
#include "ems/config/settings.h"
#include "ems/domain/ids.h"
#include "ems/store/database.h"
#include "ems/store/store.h"

namespace ems::api {
namespace {

constexpr const char* kUsage =
    "Usage:\n"
    "  ems-api user add USERNAME [--role viewer|technician|admin] [--sites A,B] "
    "[--password-stdin]\n"
    "  ems-api user list\n"
    "  ems-api user set-password USERNAME [--password-stdin]\n"
    "  ems-api user delete USERNAME\n"
    "  ems-api gateway add SITE\n"
    "  ems-api gateway list\n"
    "  ems-api gateway remove SITE\n"
    "  ems-api charger add SITE STATION [--connectors N] [--max-power-w W] [--free-vend]\n"
    "  ems-api charger list\n"
    "  ems-api charger remove STATION\n"
    "  ems-api charger allow SITE   (docker-compose, in the broker's container)\n"
    "  ems-api ha-user add\n"
    "  ems-api ha-user remove\n"
    "Without --password-stdin a password is generated and printed once.\n"
    "Settings (environment, .env or flags): --db-path (EMS_DB_PATH) or --db-url (EMS_DB_URL)\n"
    "for users and chargers,\n"
    "--broker-state-dir (EMS_BROKER_STATE_DIR) and --topic-prefix for gateways, chargers and\n"
    "Home Assistant (also --ha-prefix, EMS_HA_PREFIX).\n";

// A command line taken apart: the words, the command's own options, and the settings flags
// left for config::Settings.
struct CommandLine {
  std::vector<std::string> words;  // "user", "add", "bob"
  std::map<std::string, std::string> options;
  std::vector<const char*> settings_argv{"ems-api"};
};

// Refused by the rules: exit code 1 with the reason.
struct Refused {
  std::string message;
};

struct UsageError {
  std::string message;
};

CommandLine Split(int argc, char** argv) {
  CommandLine line;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--password-stdin" || arg == "--help" || arg == "-h" || arg == "--free-vend") {
      line.options[arg == "-h" ? "--help" : arg] = "";
    } else if (arg == "--role" || arg == "--sites" || arg == "--connectors" ||
               arg == "--max-power-w") {
      if (i + 1 >= argc) throw UsageError{arg + " needs a value."};
      line.options[arg] = argv[++i];
    } else if (arg.starts_with("--role=") || arg.starts_with("--sites=") ||
               arg.starts_with("--connectors=") || arg.starts_with("--max-power-w=")) {
      line.options[arg.substr(0, arg.find('='))] = arg.substr(arg.find('=') + 1);
    } else if (arg.rfind("--", 0) == 0) {
      line.settings_argv.push_back(argv[i]);
      // A settings flag's value may follow as the next argument.
      if (arg.find('=') == std::string::npos && i + 1 < argc) {
        line.settings_argv.push_back(argv[++i]);
      }
    } else {
      line.words.push_back(arg);
    }
  }
  return line;
}

config::Settings CommandSettings(const CommandLine& line) {
  std::vector<config::Option> options = {
      {"EMS_DB_PATH", "./data/ems.db", "SQLite database file"},
      {"EMS_DB_URL", "", "postgresql://… selects PostgreSQL instead of SQLite", true},
      {"EMS_BROKER_STATE_DIR", "./data/broker",
       "the broker's state folder (password file, ACL, pid file)"},
      {"EMS_TOPIC_PREFIX", "ems/v1", "prefix of every topic"},
  };
  for (auto& o : config::HomeAssistantOptions()) options.push_back(std::move(o));
  return config::Settings("ems-api", std::move(options),
                          static_cast<int>(line.settings_argv.size()), line.settings_argv.data());
}

template <class T>
T Accepted(Result<T> result) {
  if (!result) throw Refused{result.error().message};
  if constexpr (!std::is_void_v<T>) return std::move(*result);
}

// The password given on standard input, or none (then one is generated).
std::optional<std::string> GivenPassword(const CommandLine& line) {
  if (!line.options.contains("--password-stdin")) return std::nullopt;
  std::string password;
  if (!std::getline(std::cin, password) || password.empty()) {
    throw UsageError{"--password-stdin: standard input holds no password."};
  }
  if (password.back() == '\r') password.pop_back();
  return password;
}

// "A,B" as a JSON array of the ids, for the REST body's decoder.
codec::Json SiteList(const std::string& text) {
  auto sites = codec::Json::array();
  std::istringstream in(text);
  for (std::string id; std::getline(in, id, ',');) sites.push_back(id);
  return sites;
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out.empty() ? "-" : out;
}

void PrintPassword(const std::string& password) {
  std::cout << "Password (shown only now): " << password << "\n";
}

const std::string& Verb(const CommandLine& line) {
  if (line.words.size() < 2) throw UsageError{"missing what to do with the " + line.words[0] + "."};
  return line.words[1];
}

const std::string& Word(const CommandLine& line, std::size_t i, const char* what) {
  if (line.words.size() <= i) throw UsageError{std::string("missing ") + what + "."};
  if (line.words.size() > i + 1) throw UsageError{"unexpected '" + line.words[i + 1] + "'."};
  return line.words[i];
}

void UserCommand(const CommandLine& line, const config::Settings& settings) {
  const auto& verb = Verb(line);
  auto store = store::OpenStore(store::DatabaseOf(settings));
  if (verb == "list") {
    if (line.words.size() > 2) throw UsageError{"unexpected '" + line.words[2] + "'."};
    std::string after;
    do {
      const auto page = store->Users().List(after, store::kMaxPageLimit);
      for (const auto& u : page.items) {
        std::cout << u.username << "\t" << ToString(u.role) << "\t" << Joined(u.site_ids) << "\n";
      }
      after = page.next_cursor.value_or("");
    } while (!after.empty());
  } else if (verb == "add") {
    // The REST body, decoded by the same rules (ids, role names).
    codec::Json body = {
        {"username", Word(line, 2, "USERNAME")},
        {"role", line.options.contains("--role") ? line.options.at("--role") : "viewer"},
        {"site_ids", SiteList(line.options.contains("--sites") ? line.options.at("--sites") : "")}};
    if (const auto password = GivenPassword(line)) body["password"] = *password;
    const auto decoded = Accepted(codec::DecodeNewUser(body.dump()));
    const auto created = Accepted(CreateAccount(*store, decoded, Now()));
    std::cout << "User " << created.user.username << " created: " << ToString(created.user.role)
              << " of sites " << Joined(created.user.site_ids) << ".\n";
    if (created.generated_password) PrintPassword(*created.generated_password);
  } else if (verb == "set-password") {
    const auto& username = Word(line, 2, "USERNAME");
    codec::UserChangeBody change;
    const auto given = GivenPassword(line);
    change.password = given.value_or(GeneratePassword(username));
    Accepted(ChangeAccount(*store, username, change, Now()));
    std::cout << "Password of " << username << " changed; their tokens no longer work.\n";
    if (!given) PrintPassword(*change.password);
  } else if (verb == "delete") {
    const auto& username = Word(line, 2, "USERNAME");
    Accepted(DeleteAccount(*store, username));
    std::cout << "User " << username << " deleted.\n";
  } else {
    throw UsageError{"unknown user command '" + verb + "'."};
  }
}

// Says whether the broker took a change of its users at once.
void Reload(bool reloaded, const config::Settings& settings) {
  if (reloaded) {
    std::cout << "The broker reloaded its users; connected clients stay connected.\n";
  } else {
    std::cout << "No broker runs from " << settings.Get("EMS_BROKER_STATE_DIR")
              << "; it takes the change when it starts.\n";
  }
}

void HaUserCommand(const CommandLine& line, const config::Settings& settings) {
  const auto& verb = Verb(line);
  if (line.words.size() > 2) throw UsageError{"unexpected '" + line.words[2] + "'."};
  const auto users = HomeAssistantUsers(settings.Get("EMS_BROKER_STATE_DIR"));
  const std::string user(kHomeAssistantUser);
  if (verb == "add") {
    const auto password = Accepted(
        users.Add(user,
                  "Home Assistant already has a broker user; remove it first to give it a new "
                  "password."));
    std::cout << "Home Assistant's broker user: MQTT username " << user << "\n  reads  "
              << settings.Get("EMS_HA_PREFIX") << "/#, " << settings.Get("EMS_TOPIC_PREFIX")
              << "/sites/# and " << settings.Get("EMS_TOPIC_PREFIX") << "/status/#\n  writes "
              << settings.Get("EMS_HA_PREFIX") << "/status only\n";
    PrintPassword(password);
    Reload(users.ReloadBroker(), settings);
  } else if (verb == "remove") {
    Accepted(users.Remove(user, "Home Assistant has no broker user."));
    std::cout << "Home Assistant's broker user removed.\n";
    Reload(users.ReloadBroker(), settings);
  } else {
    throw UsageError{"unknown ha-user command '" + verb + "'."};
  }
}

void GatewayCommand(const CommandLine& line, const config::Settings& settings) {
  const auto& verb = Verb(line);
  const GatewayRegistry gateways(settings.Get("EMS_BROKER_STATE_DIR"));
  const auto& prefix = settings.Get("EMS_TOPIC_PREFIX");
  const auto reload = [&] { Reload(gateways.ReloadBroker(), settings); };
  if (verb == "list") {
    if (line.words.size() > 2) throw UsageError{"unexpected '" + line.words[2] + "'."};
    for (const auto& site : gateways.Sites()) {
      std::cout << site << "\t" << GatewayUsername(site) << "\n";
    }
  } else if (verb == "add") {
    const auto& site = Word(line, 2, "SITE");
    const auto password = Accepted(gateways.Add(site));
    const auto topics = prefix + "/sites/" + site;
    std::cout << "Gateway of site " << site << ": MQTT username " << GatewayUsername(site)
              << "\n  writes " << topics << "/devices/+/meta|telemetry|sessions and " << topics
              << "/tariff\n  reads  " << topics << "/summary and " << topics
              << "/devices/+/schedule\n";
    PrintPassword(password);
    reload();
  } else if (verb == "remove") {
    const auto& site = Word(line, 2, "SITE");
    Accepted(gateways.Remove(site));
    std::cout << "Gateway of site " << site << " removed.\n";
    reload();
  } else {
    throw UsageError{"unknown gateway command '" + verb + "'."};
  }
}

// A number option of the command line, within [min, max].
double NumberOption(const CommandLine& line, const std::string& name, double fallback, double min,
                    double max) {
  const auto it = line.options.find(name);
  if (it == line.options.end()) return fallback;
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(it->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != it->second.size() || !(value >= min && value <= max)) {
    throw UsageError{name + " must be a number from " + std::to_string(static_cast<long>(min)) +
                     " to " + std::to_string(static_cast<long>(max)) + "."};
  }
  return value;
}

void ChargerCommand(const CommandLine& line, const config::Settings& settings) {
  const auto& verb = Verb(line);
  const auto& state_dir = settings.Get("EMS_BROKER_STATE_DIR");
  const auto& prefix = settings.Get("EMS_TOPIC_PREFIX");
  const GatewayRegistry broker(state_dir);
  // The broker lets ems-ocpp write the device topics of exactly these sites (docs/ocpp.md).
  const auto grant = [&](std::vector<std::string> sites) {
    std::ranges::sort(sites);
    sites.erase(std::unique(sites.begin(), sites.end()), sites.end());
    broker.SetOcppSites(prefix, sites);
    if (broker.ReloadBroker()) std::cout << "The broker reloaded its ACL.\n";
  };
  if (verb == "allow") {  // the broker's side alone, without the database (docker-compose)
    const auto& site = Word(line, 2, "SITE");
    if (!IsValidId(site)) throw Refused{"A site id is 1 to 64 letters, digits, '_', '.' or '-'."};
    auto sites = broker.OcppSites(prefix);
    sites.push_back(site);
    grant(std::move(sites));
    std::cout << "ems-ocpp may write the device topics of site " << site << ".\n";
    return;
  }
  auto store = store::OpenStore(store::DatabaseOf(settings));
  const auto grant_sites = [&] {
    if (!std::filesystem::is_directory(state_dir)) {
      // docker-compose: the broker's state is in the broker's container.
      std::cout << "No broker state folder at " << state_dir
                << ": where the broker runs, let ems-ocpp write to the site with\n"
                   "  ems-api charger allow SITE\n";
      return;
    }
    std::vector<std::string> sites;
    for (const auto& c : store->Ocpp().List()) sites.push_back(c.site_id);
    grant(std::move(sites));
  };
  if (verb == "list") {
    if (line.words.size() > 2) throw UsageError{"unexpected '" + line.words[2] + "'."};
    for (const auto& c : store->Ocpp().List()) {
      std::cout << c.station_id << "\t" << c.site_id << "\t"
                << (c.connected ? "connected" : "offline") << "\t"
                << (c.last_seen ? FormatTimestamp(*c.last_seen) : "-") << "\t"
                << c.vendor.value_or("-") << " " << c.model.value_or("-")
                << (c.free_vend ? "\tfree-vend" : "") << "\n";
    }
  } else if (verb == "add") {
    if (line.words.size() < 4) throw UsageError{"missing SITE or STATION."};
    const auto& site = line.words[2];
    const auto& station = Word(line, 3, "STATION");
    ChargerSpec spec;
    spec.connectors = static_cast<int>(NumberOption(line, "--connectors", 1, 1, 1000));
    spec.max_power_w = NumberOption(line, "--max-power-w", spec.max_power_w, 1, 10000000);
    spec.free_vend = line.options.contains("--free-vend");
    const auto password = Accepted(AddCharger(*store, site, station, spec, Now()));
    std::cout << "Charger " << station << " registered on site " << site
              << ". In the charger's OCPP settings:\n  central system  "
                 "ws(s)://<ems address>/ocpp/"
              << station << "  (./run.sh prints the full address)\n  OCPP 1.6J, security profile "
              << "2 (Basic auth): user " << station << "\n";
    PrintPassword(password);
    grant_sites();
  } else if (verb == "remove") {
    const auto& station = Word(line, 2, "STATION");
    Accepted(RemoveCharger(*store, station));
    grant_sites();
    std::cout << "Charger " << station
              << " removed; it can no longer connect (its device and sessions stay).\n";
  } else {
    throw UsageError{"unknown charger command '" + verb + "'."};
  }
}

}  // namespace

bool IsCommand(std::string_view word) {
  return word == "user" || word == "gateway" || word == "charger" || word == "ha-user";
}

int RunCommand(int argc, char** argv) {
  try {
    const auto line = Split(argc, argv);
    if (line.options.contains("--help")) {
      std::cout << kUsage;
      return 0;
    }
    const auto settings = CommandSettings(line);
    if (line.words.at(0) == "user") {
      UserCommand(line, settings);
    } else if (line.words.at(0) == "charger") {
      ChargerCommand(line, settings);
    } else if (line.words.at(0) == "ha-user") {
      HaUserCommand(line, settings);
    } else {
      GatewayCommand(line, settings);
    }
    return 0;
  } catch (const Refused& r) {
    std::cerr << "ems-api: " << r.message << "\n";
    return 1;
  } catch (const UsageError& e) {
    std::cerr << "ems-api: " << e.message << "\n" << kUsage;
    return 2;
  } catch (const config::ConfigError& e) {
    std::cerr << "ems-api: invalid configuration: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ems-api: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace ems::api
