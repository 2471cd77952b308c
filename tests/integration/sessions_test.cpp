// Charging sessions end to end: MQTT in through a real Mosquitto, the real listener and API,
// checked through REST the way a user would (docs/contract.md §4.1, §4.2, §4.4, §6, §6.5).
#include <gtest/gtest.h>
#include <signal.h>

#include <set>

#include "harness.h"

namespace ems::testing {
namespace {

class SessionsTest : public StackTest {};

TEST_F(SessionsTest, PublishedSessionsAreServedNewestFirst) {
  stack_.Publish(SessionTopic("home", "st-1"), SessionJson("s-1", "st-1", "2026-11-21T06:00:00Z"));
  stack_.Publish(SessionTopic("home", "st-1"), SessionJson("s-3", "st-1", "2026-11-21T08:00:00Z"));
  stack_.Publish(SessionTopic("home", "st-2"), SessionJson("s-2", "st-2", "2026-11-21T07:00:00Z"));
  ASSERT_TRUE(stack_.WaitForReceived(3));

  const auto list = stack_.Get("/api/v1/sessions");
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_EQ(list.body["items"].size(), 3u);
  EXPECT_EQ(list.body["items"][0]["session_id"], "s-3");
  EXPECT_EQ(list.body["items"][1]["session_id"], "s-2");
  EXPECT_EQ(list.body["items"][2]["session_id"], "s-1");
  EXPECT_TRUE(list.body["next_cursor"].is_null());

  const auto one = stack_.Get("/api/v1/sessions/s-3");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body["station_id"], "st-1");
  EXPECT_EQ(one.body["site_id"], "home");
  EXPECT_EQ(one.body["status"], "completed");
  EXPECT_EQ(one.body["started_at"], "2026-11-21T08:00:00Z");
  EXPECT_EQ(one.body["ended_at"], "2026-11-21T09:10:00Z");
  EXPECT_DOUBLE_EQ(one.body["energy_kwh"].get<double>(), 18.42);
  EXPECT_DOUBLE_EQ(one.body["cost"].get<double>(), 5.71);
  EXPECT_EQ(one.body["currency"], "EUR");

  const auto missing = stack_.Get("/api/v1/sessions/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body["status"], "error");
  EXPECT_FALSE(missing.body["message"].get<std::string>().empty());
}

TEST_F(SessionsTest, DuplicatesAreStoredOnceAndCompletedIsFinal) {
  const auto active = SessionJson("s-9", "st-1", "2026-11-21T08:00:00Z", "active", 3.0);
  stack_.Publish(SessionTopic("home", "st-1"), active);
  stack_.Publish(SessionTopic("home", "st-1"), active);  // redelivery
  stack_.Publish(SessionTopic("home", "st-1"), SessionJson("s-9", "st-1", "2026-11-21T08:00:00Z"));
  stack_.Publish(SessionTopic("home", "st-1"), active);  // late active after completion: ignored
  ASSERT_TRUE(stack_.WaitForReceived(4));

  const auto stats = stack_.Get("/api/v1/ingest/stats");
  EXPECT_EQ(stats.body["received"], 4);
  EXPECT_EQ(stats.body["stored"], 2);
  EXPECT_EQ(stats.body["duplicates"], 2);
  EXPECT_EQ(stats.body["rejected"], 0);
  EXPECT_FALSE(stats.body["last_message_at"].is_null());

  const auto s = stack_.Get("/api/v1/sessions/s-9");
  EXPECT_EQ(s.body["status"], "completed");
  EXPECT_DOUBLE_EQ(s.body["energy_kwh"].get<double>(), 18.42);
  EXPECT_EQ(stack_.Get("/api/v1/sessions").body["items"].size(), 1u);
}

TEST_F(SessionsTest, BadMessagesBecomeDeadLettersAndIngestGoesOn) {
  stack_.Publish(SessionTopic("home", "st-1"), "{not json");
  stack_.Publish(SessionTopic("home", "st-1"), R"({"session_id": "s-1", "station_id": "st-1"})");
  stack_.Publish(SessionTopic("home", "st-1"),
                 SessionJson("s-2", "st-OTHER", "2026-11-21T08:00:00Z"));
  stack_.Publish(SessionTopic("home", "st-1"),
                 SessionJson("bad id!", "st-1", "2026-11-21T08:00:00Z"));
  stack_.Publish(SessionTopic("home", "st-1"), SessionJson("s-ok", "st-1", "2026-11-21T08:00:00Z"));
  ASSERT_TRUE(stack_.WaitForReceived(5));

  const auto stats = stack_.Get("/api/v1/ingest/stats");
  EXPECT_EQ(stats.body["rejected"], 4);
  EXPECT_EQ(stats.body["stored"], 1);
  EXPECT_EQ(stats.body["rejected_by_reason"]["invalid_json"], 1);
  EXPECT_EQ(stats.body["rejected_by_reason"]["invalid_session"], 3);

  const auto dead = stack_.Get("/api/v1/ingest/dead-letters");
  ASSERT_EQ(dead.status, 200);
  ASSERT_EQ(dead.body["items"].size(), 4u);
  const auto& newest = dead.body["items"][0];
  EXPECT_EQ(newest["topic"], SessionTopic("home", "st-1"));
  EXPECT_EQ(newest["reason"], "invalid_session");
  EXPECT_NE(newest["message"].get<std::string>().find("session_id"), std::string::npos);
  EXPECT_EQ(dead.body["items"][3]["payload"], "{not json");
  EXPECT_EQ(dead.body["items"][3]["reason"], "invalid_json");

  EXPECT_EQ(stack_.Get("/api/v1/sessions/s-ok").status, 200);
  EXPECT_TRUE(stack_.listener().Running());
}

TEST_F(SessionsTest, ExistingStationsTopicIsStoredAsCompletedSession) {
  stack_.Publish("charger/st-9/connector/2/session/17",
                 R"({"session_id": 17, "energy_delivered_in_kWh": 30, "duration_in_seconds": 45,
                     "session_cost_in_cents": 70})");
  stack_.Publish("charger/st-9/connector/1/session/18",
                 R"({"session_id": 18, "energy_delivered_in_kwh": 12.5, "duration_in_seconds": 3600,
                     "session_cost_in_cents": 410, "timestamp": 1763719200})");
  stack_.Publish("charger/st-9/connector/1/session/19", R"({"session_id": "x"})");
  ASSERT_TRUE(stack_.WaitForReceived(3));

  const auto a = stack_.Get("/api/v1/sessions/st-9-2-17");
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.body["status"], "completed");
  EXPECT_EQ(a.body["site_id"], "unassigned");
  EXPECT_EQ(a.body["connector"], 2);
  EXPECT_DOUBLE_EQ(a.body["energy_kwh"].get<double>(), 30);
  EXPECT_DOUBLE_EQ(a.body["cost"].get<double>(), 0.70);
  EXPECT_EQ(a.body["currency"], "EUR");
  const auto started = ParseTimestamp(a.body["started_at"].get<std::string>());
  const auto ended = ParseTimestamp(a.body["ended_at"].get<std::string>());
  ASSERT_TRUE(started && ended);
  EXPECT_EQ(*ended - *started, std::chrono::seconds(45));

  const auto b = stack_.Get("/api/v1/sessions/st-9-1-18");
  ASSERT_EQ(b.status, 200);
  EXPECT_EQ(b.body["ended_at"], "2025-11-21T10:00:00Z");
  EXPECT_EQ(b.body["started_at"], "2025-11-21T09:00:00Z");
  EXPECT_DOUBLE_EQ(b.body["cost"].get<double>(), 4.10);

  EXPECT_EQ(stack_.Get("/api/v1/ingest/stats").body["rejected"], 1);
}

TEST_F(SessionsTest, FiltersCursorsStationsAndSummaries) {
  for (int i = 0; i < 7; ++i) {
    const std::string station = i % 2 == 0 ? "st-a" : "st-b";
    char started[32];
    std::snprintf(started, sizeof started, "2026-11-%02dT08:00:00Z", 10 + i);
    stack_.Publish(SessionTopic(i < 5 ? "home" : "office", station),
                   SessionJson("s-" + std::to_string(i), station, started, "completed", 10.0 + i));
  }
  ASSERT_TRUE(stack_.WaitForReceived(7));

  std::vector<std::string> seen;
  for (const auto& item : stack_.GetAllItems("/api/v1/sessions?limit=3")) {
    seen.push_back(item["session_id"]);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"s-6", "s-5", "s-4", "s-3", "s-2", "s-1", "s-0"}));

  EXPECT_EQ(stack_.Get("/api/v1/sessions?station_id=st-b").body["items"].size(), 3u);
  EXPECT_EQ(stack_.Get("/api/v1/sessions?site_id=office").body["items"].size(), 2u);
  EXPECT_EQ(stack_.Get("/api/v1/sessions?status=active").body["items"].size(), 0u);
  const auto ranged =
      stack_.Get("/api/v1/sessions?from=2026-11-12T00:00:00Z&to=2026-11-14T00:00:00Z");
  ASSERT_EQ(ranged.body["items"].size(), 2u);
  EXPECT_EQ(ranged.body["items"][0]["session_id"], "s-3");

  EXPECT_EQ(stack_.Get("/api/v1/sessions?status=weird").status, 400);
  EXPECT_EQ(stack_.Get("/api/v1/sessions?limit=5000").status, 400);
  EXPECT_EQ(stack_.Get("/api/v1/sessions?cursor=garbage").status, 400);
  EXPECT_EQ(stack_.Get("/api/v1/sessions?from=2026-11-14T00:00:00Z&to=2026-11-12T00:00:00Z").status,
            422);

  const auto stations = stack_.Get("/api/v1/stations");
  ASSERT_EQ(stations.body["items"].size(), 2u);
  EXPECT_EQ(stations.body["items"][0]["id"], "st-a");
  EXPECT_EQ(stations.body["items"][0]["sessions"], 4);
  EXPECT_EQ(stations.body["items"][0]["site_id"], "office");  // its latest session's site
  EXPECT_EQ(stations.body["items"][1]["last_session_at"], "2026-11-21T09:10:00Z");

  const auto sum = stack_.Get(
      "/api/v1/stations/st-a/sessions/summary?from=2026-11-10T00:00:00Z&to=2026-11-15T00:00:00Z");
  ASSERT_EQ(sum.status, 200) << sum.raw;
  EXPECT_EQ(sum.body["station_id"], "st-a");
  EXPECT_EQ(sum.body["sessions"], 3);  // s-0, s-2, s-4
  EXPECT_DOUBLE_EQ(sum.body["energy_kwh"].get<double>(), 10 + 12 + 14);
  EXPECT_NEAR(sum.body["cost"].get<double>(), 3 * 5.71, 1e-9);
  EXPECT_EQ(sum.body["currency"], "EUR");
  EXPECT_EQ(stack_.Get("/api/v1/stations/st-zzz/sessions/summary").status, 404);
}

}  // namespace
}  // namespace ems::testing
