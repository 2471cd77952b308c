// Site gateways on the real broker (docs/contract.md §5): `ems-api gateway add SITE` makes a broker
// user that writes only its own site's device topics and reads only its own site's derived topics,
// without dropping anybody's session; `gateway remove` ends it; a broker restart keeps it.
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "harness.h"

namespace ems::testing {
namespace {

using std::chrono::seconds;

// An MQTT client of a site gateway, collecting what it receives.
class Gateway {
 public:
  Gateway(int port, const std::string& site, const std::string& password)
      : client_("tcp://127.0.0.1:" + std::to_string(port), "gateway-" + site, nullptr) {
    client_.set_message_callback([this](::mqtt::const_message_ptr m) {
      std::lock_guard lock(mu_);
      topics_.push_back(m->get_topic());
    });
    client_
        .connect(::mqtt::connect_options_builder()
                     .clean_session(true)
                     .user_name("sites/" + site)
                     .password(password)
                     .finalize())
        ->wait();
  }
  ~Gateway() {
    try {
      if (client_.is_connected()) client_.disconnect()->wait();
    } catch (const ::mqtt::exception&) {
    }
  }

  void Publish(const std::string& topic, const std::string& payload) {
    client_.publish(topic, payload.data(), payload.size(), 1, false)->wait();
  }
  void Subscribe(const std::string& filter) { client_.subscribe(filter, 1)->wait(); }
  bool connected() { return client_.is_connected(); }
  std::vector<std::string> topics() {
    std::lock_guard lock(mu_);
    return topics_;
  }

 private:
  ::mqtt::async_client client_;
  std::mutex mu_;
  std::vector<std::string> topics_;
};

std::string Meta(const std::string& name) {
  return Json{
      {"type", "battery"},
      {"name", name},
      {"properties", {{"capacity_wh", 10000}, {"max_charge_w", 5000}, {"max_discharge_w", 5000}}}}
      .dump();
}

class GatewayTest : public StackTest {};

TEST_F(GatewayTest, AGatewayWritesAndReadsOnlyItsOwnSite) {
  // Somebody already connected (the API's user, watching every site's summary) stays connected
  // while the broker takes the new user.
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> watched;
  auto watcher =
      stack_.Subscribe("ems-api", std::string(Stack::kPrefix) + "/sites/+/summary", &watched, &mu);

  const auto added = stack_.EmsApiCommand("gateway add site-a");
  ASSERT_EQ(added.code, 0) << added.output;
  EXPECT_NE(added.output.find("MQTT username sites/site-a"), std::string::npos) << added.output;
  EXPECT_NE(added.output.find("The broker reloaded"), std::string::npos) << added.output;
  const auto password = PrintedPassword(added.output);
  ASSERT_EQ(password.size(), 24u) << added.output;
  EXPECT_EQ(stack_.EmsApiCommand("gateway add site-a").code, 1);
  EXPECT_EQ(stack_.EmsApiCommand("gateway add not/a/site").code, 1);
  const auto listed = stack_.EmsApiCommand("gateway list");
  EXPECT_EQ(listed.output, "site-a\tsites/site-a\n");

  Gateway gateway(stack_.broker_port(), "site-a", password);
  gateway.Subscribe(std::string(Stack::kPrefix) + "/sites/#");
  // Site B's devices, as the simulating publisher (fleet-wide) reports them.
  stack_.Publish(DeviceTopic("site-b", "pub-b", "meta"), Meta("B's battery"), true);
  stack_.Publish(DeviceTopic("site-b", "pub-b", "telemetry"),
                 TelemetryPayload(Now(), {{"power_w", 300.0}, {"soc_pct", 50.0}}));
  // What the gateway may not write is dropped; what it may is stored, in the order sent.
  gateway.Publish(DeviceTopic("site-b", "gw-b", "meta"), Meta("not mine"));
  gateway.Publish(std::string(Stack::kPrefix) + "/sites/site-a/summary", R"({"forged": true})");
  gateway.Publish(std::string(Stack::kPrefix) + "/contracts/events", "{}");
  gateway.Publish(DeviceTopic("site-a", "gw-a", "meta"), Meta("mine"));
  gateway.Publish(DeviceTopic("site-a", "gw-a", "telemetry"),
                  TelemetryPayload(Now(), {{"power_w", -200.0}, {"soc_pct", 60.0}}));
  ASSERT_TRUE(stack_.WaitForReceived(4));
  EXPECT_EQ(stack_.Get("/api/v1/devices/gw-a").status, 200);
  EXPECT_EQ(stack_.Get("/api/v1/devices/gw-b").status, 404);
  EXPECT_EQ(stack_.Get("/api/v1/ingest/stats").body["received"], 4);  // nothing else arrived

  // The listener publishes both sites' summaries; the gateway hears its own site only.
  const auto summary = [](const std::string& site) {
    return std::string(Stack::kPrefix) + "/sites/" + site + "/summary";
  };
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mu);
    const auto seen = [&](const std::string& t) {
      return std::any_of(watched.begin(), watched.end(),
                         [&](const auto& m) { return m.first == t; });
    };
    return seen(summary("site-a")) && seen(summary("site-b"));
  }));
  ASSERT_TRUE(WaitFor([&] {
    const auto t = gateway.topics();
    return std::find(t.begin(), t.end(), summary("site-a")) != t.end();
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (const auto& topic : gateway.topics()) {
    EXPECT_EQ(topic.rfind(std::string(Stack::kPrefix) + "/sites/site-a/", 0), 0u) << topic;
  }
  {
    std::lock_guard lock(mu);
    for (const auto& [topic, payload] : watched)
      EXPECT_EQ(payload.find("forged"), std::string::npos);
  }
  EXPECT_TRUE(watcher->is_connected());
  watcher->disconnect()->wait();

  // A restarted broker keeps the gateway's user (prepare-broker.sh appends it again).
  stack_.StopBroker();
  stack_.StartBroker();
  EXPECT_NO_THROW(Gateway(stack_.broker_port(), "site-a", password));
  Gateway again(stack_.broker_port(), "site-a", password);

  // Removed: its connection is closed and it cannot come back.
  const auto removed = stack_.EmsApiCommand("gateway remove site-a");
  ASSERT_EQ(removed.code, 0) << removed.output;
  EXPECT_TRUE(WaitFor([&] { return !again.connected(); }, seconds(5)));
  EXPECT_THROW(Gateway(stack_.broker_port(), "site-a", password), ::mqtt::exception);
  EXPECT_EQ(stack_.EmsApiCommand("gateway remove site-a").code, 1);
  EXPECT_EQ(stack_.EmsApiCommand("gateway list").output, "");
}

}  // namespace
}  // namespace ems::testing
