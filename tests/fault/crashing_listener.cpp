// ems-listener with two injected faults, for the fault tests, as a bug or a power cut would
// strike: the process aborts
// - while applying a message whose payload contains CRASH-ME (poison quarantine), and
// - right after making a message that contains CRASH-AFTER-APPEND durable, before its PUBACK
//   (the broker then delivers it again, flagged DUP); not again for that redelivery.
// EMS_TEST_MAX_QUEUE_BYTES and EMS_TEST_APPLY_DELAY_MS make its queue small and its storage slow,
// so a test can keep the queue full.
#include <chrono>
#include <cstdlib>
#include <thread>

#include "ems/util/process.h"
#include "listener/listener_app.h"

namespace {

bool Contains(const ems::listener::InboxRecord& r, const char* marker) {
  return r.payload.find(marker) != std::string::npos;
}

}  // namespace

int main(int argc, char** argv) {
  ems::listener::FaultHooks faults;
  const char* delay_ms = std::getenv("EMS_TEST_APPLY_DELAY_MS");
  faults.before_apply = [delay = std::chrono::milliseconds(delay_ms ? std::atoi(delay_ms) : 0)](
                            const ems::listener::InboxRecord& r) {
    if (Contains(r, "CRASH-ME")) std::abort();
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
  };
  faults.after_append = [](const ems::listener::InboxRecord& r) {
    if (Contains(r, "CRASH-AFTER-APPEND") && !r.redelivered) std::abort();
  };
  if (const char* bytes = std::getenv("EMS_TEST_MAX_QUEUE_BYTES")) {
    faults.max_queue_bytes = std::strtoull(bytes, nullptr, 10);
  }
  return ems::RunService("ems-listener", ems::listener::ListenerOptions(), argc, argv,
                         [&](const ems::config::Settings& settings, const std::atomic<bool>& stop) {
                           ems::listener::ListenerApp app(settings, faults);
                           app.Run(stop);
                         });
}
