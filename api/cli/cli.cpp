#include "api/cli/cli.h"

#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "api/accounts.h"
#include "api/cli/gateways.h"
#include "ems/config/settings.h"
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
    "  ems-api ha-user add\n"
    "  ems-api ha-user remove\n"
    "Without --password-stdin a password is generated and printed once.\n"
    "Settings (environment, .env or flags): --db-path (EMS_DB_PATH) for users,\n"
    "--broker-state-dir (EMS_BROKER_STATE_DIR) and --topic-prefix for gateways and\n"
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
    if (arg == "--password-stdin" || arg == "--help" || arg == "-h") {
      line.options[arg == "-h" ? "--help" : arg] = "";
    } else if (arg == "--role" || arg == "--sites") {
      if (i + 1 >= argc) throw UsageError{arg + " needs a value."};
      line.options[arg] = argv[++i];
    } else if (arg.rfind("--role=", 0) == 0 || arg.rfind("--sites=", 0) == 0) {
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
  auto store = store::OpenStore(settings.Get("EMS_DB_PATH"));
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

}  // namespace

bool IsCommand(std::string_view word) {
  return word == "user" || word == "gateway" || word == "ha-user";
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
