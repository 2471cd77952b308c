// ems-listener: subscribes, validates and stores every message exactly once (docs/contract.md §1).
#include "ems/util/process.h"
#include "listener/listener_app.h"

int main(int argc, char** argv) {
  return ems::RunService("ems-listener", ems::listener::ListenerOptions(), argc, argv,
                         [](const ems::config::Settings& settings, const std::atomic<bool>& stop) {
                           ems::listener::ListenerApp app(settings);
                           app.Run(stop);
                         });
}
