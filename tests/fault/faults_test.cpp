// Fault tier (docs/contract.md §4.4, §8): the real broker and the real processes under crashes,
// outages, poison and a full disk. Every promise of the "Guarantees" table of docs/architecture.md
// that a fault can break is checked here the way an operator would: through REST and MQTT.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "harness.h"

namespace ems::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string EventsTopic() {
  std::string topic = Stack::kPrefix;  // appended, not `string + literal`: GCC 12's -O3
  topic += "/contracts/events";        // -Warray-bounds misfires on that here
  return topic;
}

Json Stats(Stack& stack) { return stack.Get("/api/v1/ingest/stats").body; }

std::size_t Count(Stack& stack, const std::string& list_path) {
  return stack.GetAllItems(list_path).size();
}

// Waits until the ingest totals stop moving for a second (the listener has applied everything).
Json SettledStats(Stack& stack, seconds timeout = seconds(60)) {
  Json last;
  auto since = std::chrono::steady_clock::now();
  const auto totals = [](const Json& s) {
    return std::vector<Json>{s["received"], s["stored"], s["duplicates"], s["rejected"]};
  };
  WaitFor(
      [&] {
        auto now = Stats(stack);
        if (last.is_null() || totals(now) != totals(last)) {
          last = now;
          since = std::chrono::steady_clock::now();
        }
        return std::chrono::steady_clock::now() - since > seconds(1);
      },
      timeout);
  return last;
}

// ems-crashing-listener (tests/fault/crashing_listener.cpp) under a supervisor, as compose's
// restart policy runs ems-listener: Poll() starts it again whenever it died.
class SupervisedCrashingListener {
 public:
  explicit SupervisedCrashingListener(Stack& stack, std::map<std::string, std::string> env = {})
      : stack_(stack), env_(std::move(env)) {
    Start();
    if (!WaitFor([&] { return process_->Log().find("listening on") != std::string::npos; })) {
      throw std::runtime_error("the crashing listener did not connect: " + process_->Log());
    }
  }
  void Poll() {
    if (!process_->Running()) Start();
  }
  int runs() const { return runs_; }
  Process& process() { return *process_; }

 private:
  void Start() {
    ++runs_;
    auto env = stack_.ServiceEnv("listener");
    env.insert(env_.begin(), env_.end());
    process_ = std::make_unique<Process>(
        std::vector<std::string>{stack_.BinPath("ems-crashing-listener")}, env, stack_.dir(),
        stack_.dir() + "/crashing-listener-" + std::to_string(runs_) + ".log");
  }

  Stack& stack_;
  std::map<std::string, std::string> env_;  // added to the listener's
  std::unique_ptr<Process> process_;
  int runs_ = 0;
};

TEST(FaultTest, ListenerKilledTwiceMidStreamStoresEveryMessageExactlyOnce) {
  Stack stack;
  stack.StartBroker();
  stack.StartListener();
  stack.StartApi();
  constexpr int kCount = 3000;
  std::thread killer([&] {
    for (int i = 0; i < 2; ++i) {
      std::this_thread::sleep_for(milliseconds(300));
      stack.StopListener(SIGKILL);
      stack.StartListener();
    }
  });
  for (int i = 0; i < kCount; ++i) {
    stack.Publish(SessionTopic("home", "st-1"),
                  SessionJson("k-" + std::to_string(i), "st-1", "2026-11-21T08:00:00Z"));
  }
  killer.join();
  ASSERT_TRUE(WaitFor([&] { return Stats(stack)["stored"].get<int>() >= kCount; }, seconds(60)));
  const auto stats = SettledStats(stack);
  EXPECT_EQ(stats["stored"], kCount);
  EXPECT_EQ(stats["rejected"], 0);
  EXPECT_EQ(Count(stack, "/api/v1/sessions?limit=1000"), static_cast<std::size_t>(kCount));
}

// Storage slower than the stream keeps the listener's queue full, so Paho's receive thread waits
// in the message callback for room; meanwhile the writer has a site summary to publish. A Paho
// call made while the receive thread waits can wait for it in turn: the writer hands derived state
// to a thread of its own, so storing goes on, and the summary still reaches subscribers.
TEST(FaultTest, AFullQueueWhileDerivedStateIsPublishedNeverStopsIngestion) {
  Stack stack;
  stack.StartBroker();
  stack.StartApi();
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> summaries;
  auto sub = stack.Subscribe("ems-api", std::string(Stack::kPrefix) + "/sites/home/summary",
                             &summaries, &mu);
  SupervisedCrashingListener listener(
      stack, {{"EMS_TEST_MAX_QUEUE_BYTES", "2048"}, {"EMS_TEST_APPLY_DELAY_MS", "2"}});
  constexpr int kReadings = 1500;  // 3 s of storage at 2 ms a reading: summaries fall due
  stack.Publish(DeviceTopic("home", "bat-1", "meta"), OfHome(BatteryMeta()).dump(), true);
  const auto t0 = Now() - seconds(kReadings + 10);
  for (int i = 0; i < kReadings; ++i) {
    stack.Publish(DeviceTopic("home", "bat-1", "telemetry"),
                  TelemetryPayload(t0 + seconds(i), {{"power_w", -1000.0 - i}, {"soc_pct", 50.0}}));
  }
  ASSERT_TRUE(
      WaitFor([&] { return Stats(stack)["stored"].get<int>() >= kReadings + 1; }, seconds(60)))
      << "ingestion stopped at " << Stats(stack)["stored"] << " of " << kReadings + 1
      << " messages";
  EXPECT_EQ(listener.runs(), 1);
  EXPECT_TRUE(WaitFor([&] {
    std::lock_guard lock(mu);
    return !summaries.empty() &&
           Json::parse(summaries.back().second).dump().find("-2499") != std::string::npos;
  })) << "the summary of the last reading reaches subscribers";
}

TEST(FaultTest, AMessageRedeliveredAfterACrashBeforeItsAcknowledgementIsStoredOnce) {
  // A contract event without created_at is keyed by its time of arrival, so only the inbox can
  // tell the broker's redelivery of it from a new event (docs/contract.md §4.4).
  Stack stack;
  stack.StartBroker();
  stack.StartApi();
  ASSERT_EQ(stack
                .Post("/api/v1/contracts",
                      {{"contract_number", "1001"}, {"components", {"energy_supply"}}})
                .status,
            201);
  SupervisedCrashingListener listener(stack);
  for (int day = 1; day <= 5; ++day) {
    Json event = {{"type", "supply_energy_start"},
                  {"contract_number", "1001"},
                  {"date", "2024-12-0" + std::to_string(day)}};
    if (day == 3) event["note"] = "CRASH-AFTER-APPEND";  // durable, then the process dies
    stack.Publish(EventsTopic(), event.dump());
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        listener.Poll();
        return Stats(stack)["stored"] == 5;
      },
      seconds(30)));
  const auto stats = SettledStats(stack);
  EXPECT_EQ(listener.runs(), 2);
  EXPECT_EQ(stats["stored"], 5);
  EXPECT_GE(stats["duplicates"], 1) << "the redelivery was received and recognised";
  EXPECT_EQ(Count(stack, "/api/v1/contracts/1001/events"), 5u);
  listener.process().Stop();
}

TEST(FaultTest, PoisonOfEveryPayloadFamilyIsDeadLetteredAndIngestGoesOn) {
  Stack stack;
  stack.StartBroker();
  stack.StartListener();
  stack.StartApi();
  const std::string p = Stack::kPrefix;
  const std::vector<std::string> topics = {p + "/sites/home/devices/d-1/meta",
                                           p + "/sites/home/devices/d-1/telemetry",
                                           SessionTopic("home", "st-1"),
                                           p + "/sites/home/tariff",
                                           EventsTopic(),
                                           "charger/st-9/connector/1/session/1"};
  const std::vector<std::string> poisons = {
      "{\"a\":" + std::string(300 << 10, '['),                   // nesting far past the limit
      "{\"x\":\"" + std::string(300 << 10, 'x') + "\"}",         // over every family's size
      std::string("{\"session_id\":\"\xff\xfe\",\"a\":1e999}"),  // invalid UTF-8, huge number
  };
  for (const auto& topic : topics) {
    for (const auto& poison : poisons) stack.Publish(topic, poison);
  }
  stack.Publish(SessionTopic("home", "st-1"), SessionJson("after", "st-1", "2026-11-21T08:00:00Z"));
  ASSERT_TRUE(stack.WaitForReceived(static_cast<long>(topics.size() * poisons.size() + 1)));
  EXPECT_TRUE(stack.listener().Running());
  EXPECT_EQ(stack.Get("/api/v1/sessions/after").status, 200);
  const auto stats = Stats(stack);
  EXPECT_EQ(stats["rejected_by_reason"]["invalid_json"], topics.size() * poisons.size());
  const auto letters = stack.GetAllItems("/api/v1/ingest/dead-letters?reason=invalid_json");
  ASSERT_EQ(letters.size(), topics.size() * poisons.size());
  for (const auto& d : letters) {
    EXPECT_LE(d["payload"].get<std::string>().size(), 4096u);
    EXPECT_FALSE(d["message"].get<std::string>().empty());
  }
}

TEST(FaultTest, AMessageThatCrashesTheListenerIsQuarantinedAndIngestGoesOn) {
  Stack stack;
  stack.StartBroker();
  stack.StartApi();
  SupervisedCrashingListener listener(stack);
  for (int i = 1; i <= 10; ++i) {
    if (i == 6) {
      Json poison = Json::parse(SessionJson("poison", "st-1", "2026-11-21T08:00:00Z"));
      poison["vehicle_id"] = "CRASH-ME";
      stack.Publish(SessionTopic("home", "st-1"), poison.dump());
    }
    stack.Publish(SessionTopic("home", "st-1"),
                  SessionJson("s-" + std::to_string(i), "st-1", "2026-11-21T08:00:00Z"));
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        listener.Poll();
        const auto stats = Stats(stack);
        return stats["stored"] == 10 && stats["rejected_by_reason"].value("poison", 0) == 1;
      },
      seconds(60)));
  EXPECT_GE(listener.runs(), 3) << "it crashed twice on the record before setting it aside";
  EXPECT_LE(listener.runs(), 4);
  const auto letters = stack.GetAllItems("/api/v1/ingest/dead-letters?reason=poison");
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0]["topic"], SessionTopic("home", "st-1"));
  EXPECT_NE(letters[0]["payload"].get<std::string>().find("CRASH-ME"), std::string::npos);
  EXPECT_EQ(stack.Get("/api/v1/sessions/poison").status, 404);

  stack.Publish(SessionTopic("home", "st-1"), SessionJson("later", "st-1", "2026-11-21T08:00:00Z"));
  EXPECT_TRUE(WaitFor([&] { return stack.Get("/api/v1/sessions/later").status == 200; }));
  EXPECT_TRUE(listener.process().Running());
  listener.process().Stop();
}

TEST(FaultTest, BrokerStoppedGracefullyDeliversWhatItQueuedForTheOfflineListener) {
  Stack stack;
  stack.StartBroker();
  stack.StartListener();  // makes the listener's persistent session
  stack.StartApi();
  stack.StopListener();
  constexpr int kCount = 500;
  for (int i = 0; i < kCount; ++i) {
    stack.Publish(SessionTopic("home", "st-1"),
                  SessionJson("q-" + std::to_string(i), "st-1", "2026-11-21T08:00:00Z"));
  }
  stack.StopBroker(SIGTERM);
  stack.StartBroker();
  stack.StartListener();
  ASSERT_TRUE(stack.WaitForReceived(kCount, seconds(30)));
  EXPECT_EQ(SettledStats(stack)["stored"], kCount);
}

TEST(FaultTest, BrokerKilledLosesAtMostWhatArrivedSinceItsLastAutosave) {
  // docs/architecture.md, Guarantees: a SIGKILL of the broker loses at most the messages of the
  // last autosave_interval. Here the interval is 1 s; what was queued 2.5 s before the kill
  // survives.
  ::setenv("EMS_BROKER_AUTOSAVE_S", "1", 1);
  Stack stack;
  stack.StartBroker();
  ::unsetenv("EMS_BROKER_AUTOSAVE_S");
  stack.StartListener();
  stack.StartApi();
  stack.StopListener();
  constexpr int kCount = 300;
  const auto publish = [&](const std::string& prefix) {
    for (int i = 0; i < kCount; ++i) {
      stack.Publish(SessionTopic("home", "st-1"),
                    SessionJson(prefix + std::to_string(i), "st-1", "2026-11-21T08:00:00Z"));
    }
  };
  publish("saved-");
  std::this_thread::sleep_for(milliseconds(2500));
  publish("recent-");
  stack.StopBroker(SIGKILL);
  stack.StartBroker();
  stack.StartListener();
  ASSERT_TRUE(stack.WaitForReceived(kCount, seconds(30)));
  SettledStats(stack);
  std::map<std::string, int> by_prefix;
  for (const auto& s : stack.GetAllItems("/api/v1/sessions?limit=1000")) {
    const auto id = s["session_id"].get<std::string>();
    ++by_prefix[id.substr(0, id.find('-'))];
  }
  EXPECT_EQ(by_prefix["saved"], kCount) << "queued before the last autosave: nothing lost";
  EXPECT_LE(by_prefix["recent"], kCount);
}

TEST(FaultTest, BrokerDownTenSecondsWhileThePublisherRunsLosesNothingAndKeepsOrder) {
  Stack stack;
  stack.StartBroker();
  stack.StartListener();
  stack.StartApi();
  // An independent subscriber with a persistent session watches the order of arrival.
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> seen;
  const auto watcher =
      stack.Subscribe("ems-listener", std::string(Stack::kPrefix) + "/sites/+/devices/+/telemetry",
                      &seen, &mu, /*persistent=*/true);
  stack.StartPublisher({{"EMS_PUBLISHER_SITES", "1"}, {"EMS_PUBLISHER_INTERVAL_S", "1"}});
  const auto latest = [&]() -> std::optional<Timestamp> {  // the stamp of the last arrival
    std::lock_guard lock(mu);
    if (seen.empty()) return std::nullopt;
    return ParseTimestamp(Json::parse(seen.back().second)["ts"].get<std::string>());
  };
  // Waits for the publisher however slowly it starts (a loaded machine), not a fixed time.
  ASSERT_TRUE(WaitFor([&] { return latest().has_value(); }, seconds(30)));
  std::this_thread::sleep_for(seconds(2));
  stack.StopBroker(SIGTERM);
  const Timestamp down_at = Now();
  std::this_thread::sleep_for(seconds(10));
  stack.StartBroker();
  const Timestamp up_at = Now();
  // The readings buffered during the outage arrive first, then those stamped after it.
  ASSERT_TRUE(WaitFor([&] { return latest() > up_at + seconds(2); }, seconds(30)));
  EXPECT_TRUE(stack.publisher().Running());
  EXPECT_EQ(stack.publisher().Stop(SIGTERM), 0);

  std::map<std::string, std::vector<Timestamp>> by_device;  // in order of arrival
  {
    std::lock_guard lock(mu);
    for (const auto& [topic, payload] : seen) {
      by_device[topic].push_back(*ParseTimestamp(Json::parse(payload)["ts"].get<std::string>()));
    }
  }
  ASSERT_FALSE(by_device.empty());
  for (auto& [topic, stamps] : by_device) {
    // QoS 1 is at least once: readings the broker forwarded but could not acknowledge before it
    // stopped are sent again by the publisher after it returns (all it had in flight, in order),
    // and arrive again. Repeats are dropped; every first arrival must follow the one before.
    std::set<Timestamp> arrived;
    std::erase_if(stamps, [&](Timestamp t) { return !arrived.insert(t).second; });
    // From before the outage to after it, with no reading missing in between.
    ASSERT_LT(stamps.front(), down_at) << topic;
    ASSERT_GT(stamps.back(), up_at) << topic << ": the outage's readings are missing";
    for (std::size_t i = 1; i < stamps.size(); ++i) {
      EXPECT_EQ(stamps[i] - stamps[i - 1], seconds(1))  // EMS_PUBLISHER_INTERVAL_S
          << topic << ": a gap or a reordering at reading " << i;
    }
  }
  // And the listener stored every one of them.
  std::size_t total = 0;
  for (const auto& [topic, stamps] : by_device) total += stamps.size();
  ASSERT_TRUE(WaitFor([&] { return Stats(stack)["received"].get<std::size_t>() >= total; }));
  EXPECT_EQ(SettledStats(stack)["rejected"], 0);
}

TEST(FaultTest, DiskFullDuringABurstLosesNothingAndDeadLettersNothing) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs";
  Stack stack;
  const auto data = std::filesystem::path(stack.db_path()).parent_path();
  std::filesystem::create_directories(data);
  ASSERT_EQ(::mount("tmpfs", data.c_str(), "tmpfs", 0, "size=24m"), 0) << std::strerror(errno);
  struct Unmount {
    Stack& stack;
    std::filesystem::path data;
    ~Unmount() {
      stack.StopListener();
      stack.api().Stop();
      ::umount2(data.c_str(), MNT_DETACH);
    }
  } unmount{stack, data};
  stack.StartBroker();
  stack.StartListener();
  stack.StartApi();
  stack.Publish(SessionTopic("home", "st-1"), SessionJson("first", "st-1", "2026-11-21T08:00:00Z"));
  ASSERT_TRUE(stack.WaitForReceived(1));

  // Fill the disk to the last block.
  struct statvfs fs {};
  ASSERT_EQ(::statvfs(data.c_str(), &fs), 0);
  const auto filler = data / "filler";
  {
    std::ofstream out(filler, std::ios::binary);
    const std::string block(1 << 16, 'f');
    while (out.write(block.data(), block.size())) {
    }
  }
  constexpr int kCount = 2000;
  std::thread burst([&] {
    for (int i = 0; i < kCount; ++i) {
      stack.Publish(SessionTopic("home", "st-1"),
                    SessionJson("burst-" + std::to_string(i), "st-1", "2026-11-21T08:00:00Z"));
    }
  });
  EXPECT_TRUE(WaitFor([&] { return !Stats(stack)["storage_error"].is_null(); }, seconds(30)))
      << "the condition shows in the ingest stats";
  std::this_thread::sleep_for(seconds(2));
  EXPECT_TRUE(stack.listener().Running());
  EXPECT_EQ(Stats(stack)["rejected"], 0);

  std::filesystem::remove(filler);  // space again
  burst.join();
  ASSERT_TRUE(
      WaitFor([&] { return Stats(stack)["stored"].get<int>() >= kCount + 1; }, seconds(60)));
  const auto stats = SettledStats(stack);
  EXPECT_EQ(stats["stored"], kCount + 1);
  EXPECT_EQ(stats["rejected"], 0);
  EXPECT_TRUE(stats["storage_error"].is_null());
  EXPECT_TRUE(stack.GetAllItems("/api/v1/ingest/dead-letters").empty());
}

TEST(FaultTest, SigtermCommitsTheInFlightBatchAndExitsZeroWithinFiveSeconds) {
  Stack stack;
  stack.StartBroker();
  stack.StartListener();
  stack.StartApi();
  constexpr int kCount = 3000;
  std::thread burst([&] {
    for (int i = 0; i < kCount; ++i) {
      stack.Publish(SessionTopic("home", "st-1"),
                    SessionJson("t-" + std::to_string(i), "st-1", "2026-11-21T08:00:00Z"));
    }
  });
  std::this_thread::sleep_for(milliseconds(500));
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(stack.listener().Stop(SIGTERM, seconds(10)), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, seconds(5));
  EXPECT_NE(stack.listener().Log().find("every received message is stored"), std::string::npos);
  burst.join();

  stack.StartListener();
  EXPECT_EQ(stack.listener().Log().find("replayed"), std::string::npos)
      << "nothing received before the stop was left in the inbox";
  ASSERT_TRUE(stack.WaitForReceived(kCount, seconds(30)));
  EXPECT_EQ(SettledStats(stack)["stored"], kCount);
}

}  // namespace
}  // namespace ems::testing
