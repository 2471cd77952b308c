// ems-publisher against a real broker (SPEC §1, §4.4, §8): what it simulates arrives, what it
// produces while the broker is down arrives after the broker returns, and it stops cleanly.
#include <gtest/gtest.h>
#include <signal.h>

#include <set>

#include "harness.h"

namespace ems::testing {
namespace {

// Completed sessions of the one simulated station, by their sequence number ({station}-{n}).
std::set<long> CompletedSessionNumbers(Stack& stack) {
  std::set<long> out;
  for (const auto& item : stack.GetAllItems("/api/v1/sessions?status=completed&limit=1000")) {
    const auto id = item["session_id"].get<std::string>();
    out.insert(std::stol(id.substr(id.rfind('-') + 1)));
  }
  return out;
}

TEST(PublisherTest, MessagesProducedWhileTheBrokerIsDownArriveAfterItReturns) {
  Stack stack;
  stack.StartBroker();
  stack.StartListener();
  stack.StartApi();
  stack.StartPublisher({{"EMS_PUBLISHER_SITES", "1"},
                        {"EMS_PUBLISHER_STATIONS_PER_SITE", "1"},
                        {"EMS_PUBLISHER_SESSION_INTERVAL_S", "1"},
                        {"EMS_PUBLISHER_INTERVAL_S", "60"}});
  ASSERT_TRUE(WaitFor([&] { return CompletedSessionNumbers(stack).size() >= 2; }));

  stack.StopBroker();
  const auto before = CompletedSessionNumbers(stack);
  std::this_thread::sleep_for(std::chrono::seconds(4));  // ~4 sessions simulated meanwhile
  stack.StartBroker();

  // Sessions keep their sequence numbers: after the outage there must be no gap at all.
  ASSERT_TRUE(WaitFor([&] { return CompletedSessionNumbers(stack).size() >= before.size() + 6; },
                      std::chrono::seconds(30)));
  const auto after = CompletedSessionNumbers(stack);
  EXPECT_EQ(static_cast<long>(after.size()), *after.rbegin() - *after.begin() + 1)
      << "a session produced while the broker was down never arrived";
  EXPECT_TRUE(stack.publisher().Running());

  EXPECT_EQ(stack.publisher().Stop(SIGTERM), 0);
  EXPECT_NE(stack.publisher().Log().find("stopped cleanly"), std::string::npos);
}

TEST(PublisherTest, SimulatedFleetIsStoredWithoutRejections) {
  Stack stack;
  stack.StartBroker();
  stack.StartListener();
  stack.StartApi();
  stack.StartPublisher(
      {{"EMS_PUBLISHER_SPEED", "60"}, {"EMS_PUBLISHER_SESSION_INTERVAL_S", "600"}});
  ASSERT_TRUE(stack.WaitForReceived(200, std::chrono::seconds(30)));
  const auto stats = stack.Get("/api/v1/ingest/stats");
  EXPECT_GT(stats.body["stored"].get<long>(), 0);
  EXPECT_EQ(stats.body["rejected"], 0) << stats.raw << "\n"
                                       << stack.Get("/api/v1/ingest/dead-letters?limit=3").raw;
}

TEST(PublisherTest, BackfillPublishesHistoryWithAProgressLineAndExits) {
  Stack stack;
  stack.StartBroker();
  stack.StartListener();
  stack.StartApi();
  stack.StartPublisher({{"EMS_PUBLISHER_SITES", "1"},
                        {"EMS_PUBLISHER_INTERVAL_S", "300"},
                        {"EMS_PUBLISHER_SESSION_INTERVAL_S", "3600"},
                        {"EMS_PUBLISHER_BACKFILL", "1d"}});
  EXPECT_EQ(stack.publisher().Wait(std::chrono::seconds(60)), 0);
  const auto log = stack.publisher().Log();
  EXPECT_NE(log.find("backfill: 1.0 of 1 days"), std::string::npos) << log;
  // One completed session per station per hour over the day, two stations.
  ASSERT_TRUE(WaitFor(
      [&] {
        const auto a = stack.Get("/api/v1/sessions?status=completed&limit=1000");
        return a.status == 200 && a.body["items"].size() >= 46;
      },
      std::chrono::seconds(30)));
}

}  // namespace
}  // namespace ems::testing
