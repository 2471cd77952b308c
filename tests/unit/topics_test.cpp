#include "ems/mqtt/topics.h"

#include <gtest/gtest.h>

#include "ems/domain/ids.h"
#include "ems/mqtt/client.h"

namespace ems::mqtt {
namespace {

TEST(IdTest, AcceptsOnlyTheSpecAlphabet) {
  EXPECT_TRUE(IsValidId("st-1"));
  EXPECT_TRUE(IsValidId("A.b_c-9"));
  EXPECT_TRUE(IsValidId(std::string(64, 'x')));
  for (const char* bad : {"", "a/b", "a+b", "a#b", "$sys", "a b", "ü"})
    EXPECT_FALSE(IsValidId(bad)) << bad;
  EXPECT_FALSE(IsValidId(std::string(65, 'x')));
}

TEST(IdTest, CurrencyCodesAreThreeUpperCaseLetters) {
  EXPECT_TRUE(IsCurrencyCode("EUR"));
  for (const char* bad : {"", "eur", "EU", "EURO", "E1R"}) EXPECT_FALSE(IsCurrencyCode(bad)) << bad;
}

TEST(TopicsTest, BuildsSpecTopics) {
  EXPECT_EQ(MetaTopic("ems/v1", "home", "bat-1"), "ems/v1/sites/home/devices/bat-1/meta");
  EXPECT_EQ(SessionsTopic("p", "s", "st"), "p/sites/s/devices/st/sessions");
  EXPECT_EQ(TariffTopic("p", "s"), "p/sites/s/tariff");
  EXPECT_EQ(SummaryTopic("p", "s"), "p/sites/s/summary");
  EXPECT_EQ(ScheduleTopic("p", "s", "ev"), "p/sites/s/devices/ev/schedule");
  EXPECT_EQ(StatusTopic("p", "listener"), "p/status/listener");
  EXPECT_EQ(LegacySessionTopic("st-9", 2, "17"), "charger/st-9/connector/2/session/17");
}

TEST(TopicsTest, ParsesWhatTheListenerSubscribesTo) {
  const auto meta = ParseTopic("ems/v1", "ems/v1/sites/home/devices/bat-1/meta");
  ASSERT_TRUE(meta && std::holds_alternative<MetaMsg>(*meta));
  EXPECT_EQ(std::get<MetaMsg>(*meta).device, "bat-1");
  const auto session = ParseTopic("ems/v1", "ems/v1/sites/home/devices/st-1/sessions");
  ASSERT_TRUE(session && std::holds_alternative<SessionMsg>(*session));
  EXPECT_EQ(std::get<SessionMsg>(*session).site, "home");
  EXPECT_TRUE(std::holds_alternative<TelemetryMsg>(
      *ParseTopic("ems/v1", "ems/v1/sites/home/devices/x/telemetry")));
  EXPECT_TRUE(std::holds_alternative<TariffMsg>(*ParseTopic("ems/v1", "ems/v1/sites/home/tariff")));
  EXPECT_TRUE(
      std::holds_alternative<ContractEventMsg>(*ParseTopic("ems/v1", "ems/v1/contracts/events")));
  const auto legacy = ParseTopic("ems/v1", "charger/st-9/connector/2/session/17");
  ASSERT_TRUE(legacy && std::holds_alternative<LegacySessionMsg>(*legacy));
  EXPECT_EQ(std::get<LegacySessionMsg>(*legacy).connector, 2);
  EXPECT_EQ(std::get<LegacySessionMsg>(*legacy).n, "17");
}

TEST(TopicsTest, RejectsOtherTopics) {
  for (const char* bad : {"ems/v2/sites/home/devices/x/meta", "ems/v1/sites/home/devices/x/other",
                          "ems/v1/sites/home/devices/x", "ems/v1/sites//devices/x/meta", "ems/v1",
                          "ems/v1x/sites/home/tariff", "charger/st/connector/0/session/1",
                          "charger/st/connector/a/session/1", "charger/st/connector/1/session",
                          "ems/v1/sites/home/summary"}) {
    EXPECT_FALSE(ParseTopic("ems/v1", bad)) << bad;
  }
}

TEST(BrokerUrlTest, TranslatesSchemes) {
  EXPECT_EQ(PahoUri("mqtt://127.0.0.1:1883"), "tcp://127.0.0.1:1883");
  EXPECT_EQ(PahoUri("mqtts://broker:8883"), "ssl://broker:8883");
  EXPECT_EQ(PahoUri("mqtt://broker"), "tcp://broker:1883");
  EXPECT_EQ(PahoUri("mqtts://broker"), "ssl://broker:8883");
  for (const char* bad :
       {"http://x", "mqtt://", "mqtt://h:99999", "mqtt://h:1883/path", "h:1883"}) {
    EXPECT_EQ(PahoUri(bad), "") << bad;
  }
}

}  // namespace
}  // namespace ems::mqtt
