// Listener ingest throughput against the raw broker, measured in one run (BENCHMARKS.md).
//
// Both sides drain the same number of QoS-1 messages that were queued for a persistent session
// while its client was away: first a Paho client whose callback does nothing (the ceiling the
// MQTT library and broker set), then the real ems-listener, timed until every message is
// committed in SQLite, once in each durability class (EMS_LISTENER_SYNC=off, always).
// Usage: ingest_bench [messages=100000]

#include <atomic>
#include <cstdio>
#include <thread>

#include "ems/store/store.h"
#include "harness.h"

using ems::testing::Json;
using ems::testing::SpecSession;
using ems::testing::Stack;
using Clock = std::chrono::steady_clock;

namespace {

std::string Payload(const std::string& run, int i) {
  auto session = SpecSession(run + "-" + std::to_string(i));
  session["station_id"] = "st-" + std::to_string(i % 50);
  return session.dump();
}

// Queues n distinct sessions (ids "<run>-<i>") for the offline persistent sessions.
void PublishAll(Stack& stack, int n, const std::string& run) {
  std::vector<std::pair<std::string, std::string>> messages;
  messages.reserve(n);
  for (int i = 0; i < n; ++i) {
    messages.emplace_back(std::string(Stack::kPrefix) + "/sites/site-" + std::to_string(i % 10) +
                              "/devices/st-" + std::to_string(i % 50) + "/sessions",
                          Payload(run, i));
  }
  stack.PublishAll(messages);
}

mqtt::connect_options PersistentOptions(Stack& stack, const std::string& user) {
  return mqtt::connect_options_builder()
      .clean_session(false)
      .user_name(user)
      .password(stack.password(user))
      .finalize();
}

double RawDrain(Stack& stack, int n) {
  const std::string uri = "tcp://127.0.0.1:" + std::to_string(stack.broker_port());
  const std::string filter = std::string(Stack::kPrefix) + "/sites/+/devices/+/sessions";
  {
    mqtt::async_client sub(uri, "bench-raw", nullptr);
    sub.connect(PersistentOptions(stack, "ems-listener"))->wait();
    sub.subscribe(filter, 1)->wait();
    sub.disconnect()->wait();
  }
  PublishAll(stack, n, "raw");
  std::atomic<int> got{0};
  mqtt::async_client sub(uri, "bench-raw", nullptr);
  sub.set_message_callback([&](mqtt::const_message_ptr) { ++got; });
  const auto start = Clock::now();
  sub.connect(PersistentOptions(stack, "ems-listener"))->wait();
  while (got < n) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  sub.disconnect()->wait();
  return n / secs;
}

double ListenerDrain(Stack& stack, int n, const std::string& sync) {
  const std::map<std::string, std::string> env = {{"EMS_LOG_LEVEL", "info"},
                                                  {"EMS_LISTENER_SYNC", sync}};
  stack.StartListener(env);  // creates the persistent session
  stack.StopListener();
  const auto store = ems::store::OpenStore(stack.db_path());
  const auto received = [&] { return store->Ingest().Totals().received; };
  const long before = received();
  PublishAll(stack, n, "sync-" + sync);
  const auto start = Clock::now();
  stack.StartListener(env);
  while (received() < before + n) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  stack.StopListener();
  return n / secs;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  Stack stack;
  stack.StartBroker();
  const double raw = RawDrain(stack, n);
  const double off = ListenerDrain(stack, n, "off");
  const double always = ListenerDrain(stack, n, "always");
  std::printf("messages                         %d (charging sessions, 50 stations, QoS 1)\n", n);
  std::printf("raw Paho subscriber              %.0f msg/s\n", raw);
  std::printf("ems-listener, sync=off           %.0f msg/s  (%.2f x raw)\n", off, off / raw);
  std::printf("ems-listener, sync=always        %.0f msg/s  (%.2f x raw, %.2f x off)\n", always,
              always / raw, always / off);
  return 0;
}
