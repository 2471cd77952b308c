// The subscription codec (docs/contract.md §6.3): the body of POST and PUT, and the shapes of a
// subscription and of its series answer.
#include "ems/codec/subscription_codec.h"

#include <gtest/gtest.h>

#include "support.h"

namespace ems {
namespace {

using ems::testing::At;
using ems::testing::ErrorOf;
using Json = nlohmann::json;

TEST(SubscriptionCodecTest, DecodesTheBodyAndRefusesWhatBreaksItsRules) {
  const auto spec = codec::DecodeSubscriptionBody(
      R"({"name": "Homes", "metrics": [{"device_id": "bat-1", "metric": "soc_pct"},
          {"device_id": "pv-1", "metric": "power_w", "note": "ignored"}], "extra": 1})");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(*spec, (SubscriptionSpec{"Homes", {{"bat-1", "soc_pct"}, {"pv-1", "power_w"}}}));

  const auto reject = [](std::string_view body) {
    return ErrorOf(codec::DecodeSubscriptionBody(body));
  };
  EXPECT_EQ(reject("[]").code, ErrorCode::kInvalidJson);
  EXPECT_EQ(reject("{").code, ErrorCode::kInvalidJson);
  EXPECT_EQ(reject(R"({"metrics": []})").message, "Field 'name' is required.");
  EXPECT_EQ(reject(R"({"name": "x"})").message, "Field 'metrics' is required.");
  EXPECT_EQ(reject(R"({"name": "x", "metrics": {}})").message, "Field 'metrics' must be an array.");
  EXPECT_EQ(reject(R"({"name": "x", "metrics": [1]})").message,
            "Field 'metrics[0]' must be an object.");
  EXPECT_EQ(reject(R"({"name": "x", "metrics": [{"device_id": "a", "metric": "power_w"},
                {"device_id": "b"}]})")
                .message,
            "Field 'metrics[1].metric' is required.");
  EXPECT_EQ(reject(R"({"name": "x", "metrics": [{"device_id": 7, "metric": "power_w"}]})").message,
            "Field 'metrics[0].device_id' must be a string.");
  const Reject rule = reject(R"({"name": "x", "metrics": []})");
  EXPECT_EQ(rule.code, ErrorCode::kInvalidSubscription);
  EXPECT_EQ(rule.message, "Field 'metrics' must hold 1 to 100 metrics.");
  EXPECT_EQ(reject(std::string(codec::kMaxSubscriptionBytes + 1, ' ')).code,
            ErrorCode::kInvalidJson);
}

TEST(SubscriptionCodecTest, EncodesTheSubscriptionAndItsSeries) {
  const Subscription s{"sub-1",
                       "vera",
                       "Homes",
                       {{"bat-1", "soc_pct"}, {"gone", "power_w"}},
                       At("2026-11-21T10:00:00Z"),
                       At("2026-11-21T11:00:00Z")};
  EXPECT_EQ(codec::EncodeSubscription(s), Json::parse(R"({"id": "sub-1", "name": "Homes",
      "metrics": [{"device_id": "bat-1", "metric": "soc_pct"},
                  {"device_id": "gone", "metric": "power_w"}],
      "created_at": "2026-11-21T10:00:00Z", "updated_at": "2026-11-21T11:00:00Z"})"));

  const std::vector<codec::SubscriptionSeries> series = {
      {s.metrics[0], "home", "Europe/Berlin", {{At("2026-11-20T23:00:00Z"), 54.5, 24}}},
      {s.metrics[1], std::nullopt, "", {}},
  };
  EXPECT_EQ(
      Json::parse(codec::EncodeSubscriptionSeries(
          s, {At("2026-11-21T00:00:00Z"), At("2026-11-22T00:00:00Z"), Interval::k1d, Agg::kAvg},
          series)),
      Json::parse(R"({"subscription_id": "sub-1", "name": "Homes",
      "from": "2026-11-21T00:00:00Z", "to": "2026-11-22T00:00:00Z", "interval": "1d",
      "agg": "avg", "series": [
        {"device_id": "bat-1", "metric": "soc_pct", "unit": "%", "interval": "1d", "agg": "avg",
         "status": "available", "site_id": "home", "timezone": "Europe/Berlin",
         "points": [{"ts": "2026-11-20T23:00:00Z", "value": 54.5, "count": 24}]},
        {"device_id": "gone", "metric": "power_w", "unit": "W", "interval": "1d", "agg": "avg",
         "status": "unavailable", "site_id": null, "timezone": null, "points": []}]})"));
}

}  // namespace
}  // namespace ems
