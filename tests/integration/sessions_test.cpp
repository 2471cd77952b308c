// Charging sessions end to end: MQTT in through a real Mosquitto, the real listener and API,
// checked through REST the way a user would (docs/contract.md §4.1, §4.2, §4.4, §6, §6.5).
#include <gtest/gtest.h>
#include <signal.h>

#include <set>

#include "ems/store/store.h"
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

// The session ledger (GET /api/v1/sessions/export, docs/decisions.md) over a constructed day ten
// days ago (raw telemetry older than the retention is refused), stored in the stack's database:
// site "home" (Europe/Berlin, UTC+1 or +2) consumes 4 kW from 06:00 to 12:00 UTC and its roof
// produces 2 kW from 08:00 to 12:00 UTC, nothing is read after 12:00; site "away" is seen by the
// admin only.
TEST_F(SessionsTest, LedgerExportsVisibleSessionsWithTheirSolarShare) {
  for (const auto& [id, zone] : {std::pair{"home", "Europe/Berlin"}, std::pair{"away", "UTC"}}) {
    ASSERT_EQ(stack_.Post("/api/v1/sites", {{"id", id}, {"name", id}, {"timezone", zone}}).status,
              201);
  }
  ASSERT_EQ(stack_
                .Post("/api/v1/sites/home/devices", {{"id", "pv-1"},
                                                     {"type", "solar_panel"},
                                                     {"name", "Roof"},
                                                     {"properties", {{"rated_power_w", 5000}}}})
                .status,
            201);
  ASSERT_EQ(stack_
                .Post("/api/v1/sites/home/devices", {{"id", "load-1"},
                                                     {"type", "appliance"},
                                                     {"name", "House"},
                                                     {"properties", {{"average_power_w", 4000}}}})
                .status,
            201);
  const Date day = LocalDate(Now() - std::chrono::days(10), "UTC");
  const std::string date = FormatDate(day);
  const auto at = [midnight = LocalMidnightOf(day, "UTC")](int minutes) {
    return midnight + std::chrono::minutes(minutes);
  };
  const auto text = [&](int minutes) { return FormatTimestamp(at(minutes)); };
  auto store = store::OpenStore(stack_.database());
  {
    auto tx = store->Begin(store::TxMode::kWrite);
    for (int m = 6 * 60; m <= 12 * 60; ++m) {
      ASSERT_EQ(store->Telemetry().Insert("load-1", "power_w", at(m), -4000, "Europe/Berlin"),
                store::InsertOutcome::kStored);
      if (m >= 8 * 60) {
        ASSERT_EQ(store->Telemetry().Insert("pv-1", "power_w", at(m), 2000, "Europe/Berlin"),
                  store::InsertOutcome::kStored);
      }
    }
    const auto session = [&](const char* id, const char* site, int start,
                             std::optional<const char*> vehicle) {
      ChargingSession s;
      s.session_id = id;
      s.station_id = "st-1";
      s.site_id = site;
      if (vehicle) s.vehicle_id = *vehicle;
      s.started_at = at(start);
      s.ended_at = at(start + 4 * 60);
      s.energy_kwh = 12.5;
      s.cost = 3.75;
      s.currency = "EUR";
      return s;
    };
    for (const auto& s : {
             // 07:00–11:00 UTC: 1 h without sun, 3 h half covered: 0.375.
             session("s-sun", "home", 7 * 60, "-ev.1"),
             // After 12:00 UTC nothing was read: unknown.
             session("s-gap", "home", 13 * 60, std::nullopt),
             // 00:30 in Berlin, still the day before in UTC: in the ledger of `day`.
             session("s-night", "home", -30, std::nullopt),
             // 00:30 of the next day in Berlin: not.
             session("s-next", "home", 23 * 60 + 30, std::nullopt),
             session("s-away", "away", 10 * 60, "car-2"),
         }) {
      ASSERT_TRUE(store->Sessions().Store(s, Now()));
    }
    tx.Commit();
  }
  ASSERT_TRUE(stack_.AddUser("home-viewer", "pw-home-viewer", "viewer", {"home"}));
  const auto viewer = stack_.Login("home-viewer", "pw-home-viewer");
  const std::string export_day = "/api/v1/sessions/export?from=" + date + "&to=" + date;

  const auto ids = [](const HttpAnswer& a) {
    std::vector<std::string> out;
    for (const auto& e : a.body["items"]) out.push_back(e["session_id"]);
    return out;
  };
  const auto seen = stack_.Get(export_day, viewer);
  ASSERT_EQ(seen.status, 200) << seen.raw;
  EXPECT_EQ(seen.content_type, "application/json");
  EXPECT_EQ(seen.body["from"], date);
  EXPECT_EQ(seen.body["to"], date);
  EXPECT_EQ(ids(seen), (std::vector<std::string>{"s-night", "s-sun", "s-gap"}));  // oldest first
  const auto& sun = seen.body["items"][1];
  EXPECT_EQ(sun["site_id"], "home");
  EXPECT_EQ(sun["station_id"], "st-1");
  EXPECT_EQ(sun["vehicle_id"], "-ev.1");
  EXPECT_EQ(sun["started_at"], text(7 * 60));
  EXPECT_EQ(sun["ended_at"], text(11 * 60));
  EXPECT_EQ(sun["status"], "completed");
  EXPECT_EQ(sun["energy_kwh"], 12.5);
  EXPECT_EQ(sun["cost"], 3.75);
  EXPECT_EQ(sun["currency"], "EUR");
  EXPECT_EQ(sun["solar_share"], 0.375);
  EXPECT_TRUE(seen.body["items"][2]["solar_share"].is_null());  // s-gap
  EXPECT_TRUE(seen.body["items"][0]["solar_share"].is_null());  // s-night: before any reading

  // The admin sees the other site too; its day is a UTC one.
  EXPECT_EQ(ids(stack_.Get(export_day)),
            (std::vector<std::string>{"s-night", "s-sun", "s-away", "s-gap"}));
  const std::string next = FormatDate(AddDays(day, 1));
  EXPECT_EQ(ids(stack_.Get("/api/v1/sessions/export?from=" + next + "&to=" + next, viewer)),
            std::vector<std::string>{"s-next"});

  httplib::Client edge("127.0.0.1", stack_.edge_port());
  const auto csv = edge.Get(export_day + "&format=csv", {{"Authorization", "Bearer " + viewer}});
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->status, 200) << csv->body;
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv->get_header_value("Content-Disposition"),
            "attachment; filename=\"sessions-" + date + "-" + date + ".csv\"");
  EXPECT_EQ(csv->body,
            "session_id,site_id,station_id,vehicle_id,started_at,ended_at,status,energy_kwh,cost,"
            "currency,solar_share\r\n"
            "s-night,home,st-1,," +
                text(-30) + "," + text(210) +
                ",completed,12.5,3.75,EUR,unknown\r\n"
                // The vehicle id a spreadsheet would read as a formula is written as text.
                "s-sun,home,st-1,'-ev.1," +
                text(7 * 60) + "," + text(11 * 60) +
                ",completed,12.5,3.75,EUR,0.375\r\n"
                "s-gap,home,st-1,," +
                text(13 * 60) + "," + text(17 * 60) + ",completed,12.5,3.75,EUR,unknown\r\n");

  // Bad requests: one sentence each.
  for (const auto& [query, status] :
       std::vector<std::pair<std::string, int>>{{"from=2026-06-01", 400},
                                                {"from=2026-06-01&to=June", 400},
                                                {"from=2026-02-30&to=2026-03-01", 400},
                                                {"from=2026-06-01&to=2026-06-01&format=xlsx", 400},
                                                {"from=2026-06-02&to=2026-06-01", 422},
                                                {"from=2026-01-01&to=2027-02-05", 422}}) {
    const auto a = stack_.Get("/api/v1/sessions/export?" + query, viewer);
    EXPECT_EQ(a.status, status) << query << " → " << a.raw;
    EXPECT_FALSE(a.body.value("message", "").empty()) << query;
  }
  EXPECT_EQ(stack_.Get("/api/v1/sessions/export?from=2026-01-01&to=2027-02-04", viewer).status,
            200);
}

}  // namespace
}  // namespace ems::testing
