// mqtt::Outbox against the Paho hazard it exists for (docs/architecture.md, Libraries): the broker
// is frozen, then SIGKILLed, while QoS-1 messages of kilobytes stream through an outbox, three
// times. Under AddressSanitizer (test.sh's second pass, which suppresses nothing in Paho) a freed
// topic or payload that Paho resends or frees again aborts this test; in every build a garbled
// payload, or a message that is never acknowledged (the broker dropping a malformed resend on
// every reconnect), fails it.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "ems/mqtt/client.h"
#include "harness.h"

namespace ems::testing {
namespace {

std::string Payload(int n) {
  // Kilobytes each: a frozen broker fills the socket's buffers, so Paho holds partly written
  // messages when the broker dies.
  return "outbox-" + std::to_string(n) + "-" +
         std::string(4000 + n % 97, static_cast<char>('a' + n % 26));
}

TEST(OutboxTest, BrokerKilledWhileQos1MessagesStreamLosesAndGarblesNothing) {
  Stack stack;
  stack.StartBroker();
  const std::string topic = std::string(Stack::kPrefix) + "/sites/outbox/devices/d1/telemetry";
  std::vector<std::pair<std::string, std::string>> received;
  std::mutex mu;
  const auto subscriber = stack.Subscribe("ems-listener", topic, &received, &mu, true);

  mqtt::ConnectionSettings cs;
  cs.uri = "tcp://127.0.0.1:" + std::to_string(stack.broker_port());
  cs.username = "ems-publisher";
  cs.password = stack.password("ems-publisher");
  cs.client_id = "outbox-test";
  cs.prefix = Stack::kPrefix;
  cs.service = "publisher";
  constexpr int kRounds = 3;
  constexpr int kPerRound = 3000;
  std::atomic<int> acknowledged = 0;
  std::atomic<int> refused = 0;
  {
    auto client = mqtt::MakeClient(cs, "", kRounds * kPerRound + 10);
    mqtt::Outbox outbox(*client, kRounds * kPerRound + 10);
    const std::atomic<bool> stop = false;
    ASSERT_TRUE(mqtt::ConnectWithRetry(*client, cs, outbox, stop));
    for (int round = 0; round < kRounds; ++round) {
      for (int i = 0; i < kPerRound; ++i) {
        outbox.Publish(topic, Payload(round * kPerRound + i), false,
                       [&](bool ok) { ++(ok ? acknowledged : refused); });
      }
      // Killed in the middle of the stream: a third of this round is acknowledged, the rest not.
      const int third = round * kPerRound + kPerRound / 3;
      ASSERT_TRUE(WaitFor([&] { return acknowledged >= third; }, std::chrono::seconds(60)));
      ::kill(stack.broker().pid(), SIGSTOP);  // frozen first: writes pile up unsent
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      stack.StopBroker(SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      stack.StartBroker();
    }
    ASSERT_TRUE(outbox.WaitUntilAtMost(0, std::chrono::seconds(120)))
        << outbox.pending() << " messages were never acknowledged";
    mqtt::DisconnectCleanly(*client, cs, outbox);
  }
  EXPECT_EQ(acknowledged, kRounds * kPerRound);
  EXPECT_EQ(refused, 0);
  // A killed broker may lose what it had not saved for the subscriber, never garble it.
  std::lock_guard lock(mu);
  EXPECT_GT(received.size(), 0u);
  for (const auto& [t, payload] : received) {
    ASSERT_EQ(t, topic);
    const auto dash = payload.find('-', 7);
    ASSERT_TRUE(payload.starts_with("outbox-") && dash != std::string::npos) << payload;
    EXPECT_EQ(payload, Payload(std::stoi(payload.substr(7, dash - 7))));
  }
}

}  // namespace
}  // namespace ems::testing
