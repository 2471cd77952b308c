// ems-listener with one injected fault, for the poison-quarantine test: the process aborts while
// applying any message whose payload contains CRASH-ME, as a bug in a handler would crash it.
#include <cstdlib>

#include "ems/util/process.h"
#include "listener/listener_app.h"

int main(int argc, char** argv) {
  return ems::RunService("ems-listener", ems::listener::ListenerOptions(), argc, argv,
                         [](const ems::config::Settings& settings, const std::atomic<bool>& stop) {
                           ems::listener::ListenerApp app(
                               settings, [](const ems::listener::InboxRecord& r) {
                                 if (r.payload.find("CRASH-ME") != std::string::npos) std::abort();
                               });
                           app.Run(stop);
                         });
}
