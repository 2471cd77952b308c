#include "ems/util/process.h"

#include <csignal>
#include <cstdio>

#include "ems/util/log.h"

namespace ems {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void OnSignal(int) { g_stop = true; }

}  // namespace

int RunService(const std::string& service, std::vector<config::Option> options, int argc,
               char** argv,
               const std::function<void(const config::Settings&, const std::atomic<bool>&)>& body) {
  try {
    const config::Settings settings(service, std::move(options), argc, argv);
    if (settings.help_requested()) {
      std::fputs(settings.HelpText().c_str(), stdout);
      return 0;
    }
    settings.RefusePlaceholderSecrets();
    if (!log::Init(service, settings.Get("EMS_LOG_LEVEL"))) {
      throw config::ConfigError("EMS_LOG_LEVEL", "must be debug, info, warn or error.");
    }
    std::string described;
    for (const auto& line : settings.Describe()) described += " " + line;
    log::Info("starting with" + described);

    struct sigaction sa = {};
    sa.sa_handler = OnSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    body(settings, g_stop);
    log::Info("stopped cleanly");
    return 0;
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "%s: invalid configuration: %s\n", service.c_str(), e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", service.c_str(), e.what());
    return 1;
  }
}

}  // namespace ems
