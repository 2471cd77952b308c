// The listener's Home Assistant discovery (docs/contract.md §4.6,
// listener/derived/home_assistant_publisher.h): configs of the stored devices and their sites,
// published once, again when Home Assistant comes online, and anew for a device deleted and created
// again.
#include "listener/derived/home_assistant_publisher.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "listener/ingestor.h"
#include "support.h"

namespace ems::listener {
namespace {

using Json = nlohmann::json;
using std::chrono::minutes;
using testing::At;
using testing::DeviceTopic;

class HomeAssistantPublisherTest : public testing::TempDbTest {
 protected:
  void Apply(const std::string& topic, const std::string& payload) {
    const std::vector<InboxRecord> batch = {InboxRecord{++seq_, Now(), topic, payload}};
    last_effects_ = Ingestor(store(), IngestOptions{}).ApplyBatch(batch);
    ASSERT_EQ(last_effects_.counts.rejected, 0) << payload;
  }
  std::vector<std::string> Topics() {
    std::vector<std::string> out;
    for (const auto& [topic, payload] : published_) out.push_back(topic);
    published_.clear();
    return out;
  }

  std::vector<std::pair<std::string, std::string>> published_;
  PublishFn publish_ = [this](const std::string& topic, const std::string& payload) {
    published_.emplace_back(topic, payload);
  };
  BatchEffects last_effects_;
  std::int64_t seq_ = 0;
  const Timestamp t0_ = At("2026-11-21T10:00:00Z");
};

TEST_F(HomeAssistantPublisherTest, PublishesStoredDevicesOnceAndAgainWhenHomeAssistantComesOnline) {
  Apply(DeviceTopic("home", "bat", "meta"), testing::OfHome(testing::BatteryMeta()).dump());
  HomeAssistantPublisher ha(store(), IngestOptions{}, publish_);
  ha.Tick(t0_);
  const auto first = Topics();
  // The site's 6 figures, the battery's power and soc, its import and export.
  EXPECT_EQ(first.size(), 10u);
  EXPECT_NE(std::find(first.begin(), first.end(), "homeassistant/sensor/ems_d_bat_soc_pct/config"),
            first.end());

  // A metric the type does not list, reported later, gets its sensor at the next check.
  Apply(DeviceTopic("home", "bat", "telemetry"),
        testing::TelemetryPayload(t0_, {{"power_w", -10.0}, {"temperature_c", 21.5}}));
  ha.AfterCommit(last_effects_, t0_);
  ha.Tick(t0_ + minutes(1));
  EXPECT_EQ(Topics(),
            std::vector<std::string>{"homeassistant/sensor/ems_d_bat_temperature_c/config"});
  ha.Tick(t0_ + minutes(3));  // nothing changed, nothing due
  EXPECT_TRUE(Topics().empty());

  ha.Republish(t0_ + minutes(4));
  ha.Tick(t0_ + minutes(4));
  EXPECT_EQ(Topics().size(), 11u);
}

TEST_F(HomeAssistantPublisherTest, ADeviceDeletedAndCreatedAgainGetsItsConfigsAnew) {
  Apply(DeviceTopic("home", "bat", "meta"), testing::OfHome(testing::BatteryMeta()).dump());
  HomeAssistantPublisher ha(store(), IngestOptions{}, publish_);
  ha.Tick(t0_);
  Topics();
  ASSERT_TRUE(store().Devices().Delete("bat"));  // as DELETE /api/v1/devices/bat, which clears
  ha.AfterCommit(BatchEffects{.devices = {"bat"}}, t0_);
  ha.Tick(t0_ + minutes(1));
  EXPECT_TRUE(Topics().empty());
  Apply(DeviceTopic("home", "bat", "meta"), testing::OfHome(testing::BatteryMeta()).dump());
  ha.AfterCommit(last_effects_, t0_ + minutes(2));
  ha.Tick(t0_ + minutes(2));
  EXPECT_EQ(Topics().size(), 4u);  // power, soc, import, export; the site's are unchanged
}

}  // namespace
}  // namespace ems::listener
