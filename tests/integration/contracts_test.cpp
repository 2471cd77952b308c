// Contracts and component timelines end to end (docs/contract.md §4.1, §4.4, §5, §6, §6.7): the
// REST routes of the real API — the contract resource, POST /api/v1/contracts/events with its
// status codes, the existing clients' POST /event and /{n}/contract_timeline — and the MQTT path
// through a real Mosquitto and the real listener, checked through REST the way a user would.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "harness.h"

namespace ems::testing {
namespace {

Json Event(const std::string& type, const Json& contract_number, const std::string& date,
           const std::string& created_at = "") {
  Json j = {{"type", type}, {"contract_number", contract_number}, {"date", date}};
  if (!created_at.empty()) j["created_at"] = created_at;
  return j;
}

Json Accepted() { return {{"status", "accepted"}, {"message", "Event processed successfully."}}; }

Json Span(const Json& start, const Json& end) { return {{"start", start}, {"end", end}}; }

std::string EventsTopic() { return std::string(Stack::kPrefix) + "/contracts/events"; }

// (type, status) of each listed event, in the order listed.
std::vector<std::pair<std::string, std::string>> Statuses(const Json& list) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& item : list["items"]) out.emplace_back(item["type"], item["status"]);
  return out;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

class ContractsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_.StartBroker();
    stack_.StartApi();
  }

  void CreateContract(const std::string& number, const std::vector<std::string>& components) {
    const auto a =
        stack_.Post("/api/v1/contracts", {{"contract_number", number}, {"components", components}});
    ASSERT_EQ(a.status, 201) << a.raw;
  }

  HttpAnswer Raw(const std::string& method, const std::string& path, const std::string& body,
                 const std::string& token) {
    return stack_.Request(method, path, body, token);
  }

  Stack stack_;
};

TEST_F(ContractsApiTest, CreateGetListAndDeleteContracts) {
  const auto created =
      stack_.Post("/api/v1/contracts", {{"contract_number", "1001"},
                                        {"components", {"heatpump_optimization", "energy_supply"}},
                                        {"created_at", "2024-03-03T10:00:00"}});
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(created.body, (Json{{"contract_number", "1001"},
                                {"components", {"energy_supply", "heatpump_optimization"}},
                                {"created_at", "2024-03-03T10:00:00Z"},
                                {"site_id", nullptr}}));

  // Existing clients send the number as an integer; it is the same id.
  const auto again = stack_.Post("/api/v1/contracts",
                                 {{"contract_number", 1001}, {"components", {"energy_supply"}}});
  EXPECT_EQ(again.status, 409) << again.raw;
  EXPECT_EQ(again.body["status"], "error");
  EXPECT_EQ(again.body["message"], "Contract 1001 already exists.");

  const auto unknown_component = stack_.Post(
      "/api/v1/contracts", {{"contract_number", "1002"}, {"components", {"solar_magic"}}});
  EXPECT_EQ(unknown_component.status, 422);
  EXPECT_EQ(unknown_component.body["status"], "error");
  EXPECT_NE(unknown_component.body["message"].get<std::string>().find("solar_magic"),
            std::string::npos);
  const auto no_components = stack_.Post(
      "/api/v1/contracts", {{"contract_number", "1002"}, {"components", Json::array()}});
  EXPECT_EQ(no_components.status, 422) << no_components.raw;
  const auto twice = stack_.Post(
      "/api/v1/contracts",
      {{"contract_number", "1002"}, {"components", {"energy_supply", "energy_supply"}}});
  EXPECT_EQ(twice.status, 422) << twice.raw;
  const auto bad_number = stack_.Post(
      "/api/v1/contracts", {{"contract_number", "10/02"}, {"components", {"energy_supply"}}});
  EXPECT_EQ(bad_number.status, 422);
  EXPECT_NE(bad_number.body["message"].get<std::string>().find("contract_number"),
            std::string::npos);
  const auto missing = stack_.Post("/api/v1/contracts", {{"contract_number", "1002"}});
  EXPECT_EQ(missing.status, 422);
  EXPECT_NE(missing.body["message"].get<std::string>().find("components"), std::string::npos);
  const auto token = stack_.AdminToken();
  const auto malformed = Raw("POST", "/api/v1/contracts", "{not json", token);
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.body["status"], "error");
  EXPECT_EQ(Raw("POST", "/api/v1/contracts", R"(["energy_supply"])", token).status, 400);
  EXPECT_EQ(Raw("POST", "/api/v1/contracts",
                R"({"contract_number": "1003", "components": ["energy_supply"]})", "")
                .status,
            401);
  EXPECT_EQ(stack_.Get("/api/v1/contracts/1003").status, 404);  // nothing was stored

  const auto one = stack_.Get("/api/v1/contracts/1001");
  ASSERT_EQ(one.status, 200) << one.raw;
  EXPECT_EQ(one.body, created.body);
  const auto unknown = stack_.Get("/api/v1/contracts/9999");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, (Json{{"status", "error"}, {"message", "Contract 9999 not found."}}));
  EXPECT_EQ(Raw("GET", "/api/v1/contracts/1001", "", "").status, 401);

  for (const std::string n : {"1004", "1002", "1005", "1003"}) {
    CreateContract(n, {"battery_optimization"});
  }
  std::vector<std::string> seen;
  for (const auto& item : stack_.GetAllItems("/api/v1/contracts?limit=2")) {
    seen.push_back(item["contract_number"]);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"1001", "1002", "1003", "1004", "1005"}));
  const auto all = stack_.Get("/api/v1/contracts");
  ASSERT_EQ(all.body["items"].size(), 5u);
  EXPECT_EQ(all.body["items"][1]["components"], Json({"battery_optimization"}));
  EXPECT_TRUE(all.body["next_cursor"].is_null());
  EXPECT_EQ(stack_.Get("/api/v1/contracts?cursor=garbage").status, 400);
  EXPECT_EQ(stack_.Get("/api/v1/contracts?limit=0").status, 400);

  // Deleting takes the events and the timeline along.
  ASSERT_EQ(
      stack_.Post("/api/v1/contracts/events", Event("supply_energy_start", "1001", "2024-12-01"))
          .status,
      200);
  const auto deleted = stack_.Request("DELETE", "/api/v1/contracts/1001", "", token);
  EXPECT_EQ(deleted.status, 204) << deleted.raw;
  EXPECT_TRUE(deleted.raw.empty());
  EXPECT_EQ(stack_.Get("/api/v1/contracts/1001").status, 404);
  EXPECT_EQ(stack_.Get("/api/v1/contracts/1001/events").status, 404);
  EXPECT_EQ(stack_.Get("/api/v1/contracts/1001/timeline").status, 404);
  EXPECT_EQ(stack_.Request("DELETE", "/api/v1/contracts/1001", "", token).status, 404);
  EXPECT_EQ(stack_.Request("DELETE", "/api/v1/contracts/1002", "", "").status, 401);
  EXPECT_EQ(stack_.Get("/api/v1/contracts").body["items"].size(), 4u);

  // The number is free again, with a fresh history.
  CreateContract("1001", {"energy_supply"});
  EXPECT_EQ(stack_.Get("/api/v1/contracts/1001/events").body["items"].size(), 0u);
  EXPECT_EQ(stack_.Get("/api/v1/contracts/1001/timeline").body["components"]["energy_supply"],
            Span(nullptr, nullptr));
}

TEST_F(ContractsApiTest, EventsAnswerWithTheirStatusCodes) {
  CreateContract("1001", {"energy_supply", "battery_optimization"});
  const auto token = stack_.AdminToken();

  const auto start =
      stack_.Post("/api/v1/contracts/events",
                  Event("supply_energy_start", "1001", "2024-12-01", "2024-11-20T10:00:00Z"));
  EXPECT_EQ(start.status, 200) << start.raw;
  EXPECT_EQ(start.body, Accepted());

  const auto early_end =
      stack_.Post("/api/v1/contracts/events",
                  Event("supply_energy_end", "1001", "2024-11-15", "2024-11-21T10:00:00Z"));
  EXPECT_EQ(early_end.status, 422) << early_end.raw;
  EXPECT_EQ(early_end.body["status"], "rejected");
  EXPECT_FALSE(early_end.body["message"].get<std::string>().empty());

  const auto not_in_contract =
      stack_.Post("/api/v1/contracts/events",
                  Event("heatpump_optimization_start", 1001, "2024-12-01", "2024-11-22T10:00:00Z"));
  EXPECT_EQ(not_in_contract.status, 422);
  EXPECT_EQ(not_in_contract.body["status"], "rejected");

  const auto unknown_type =
      stack_.Post("/api/v1/contracts/events",
                  Event("coffee_start", "1001", "2024-12-01", "2024-11-23T10:00:00"));
  EXPECT_EQ(unknown_type.status, 422);
  EXPECT_EQ(unknown_type.body["status"], "rejected");

  const auto end_without_start =
      stack_.Post("/api/v1/contracts/events",
                  Event("battery_optimization_end", "1001", "2024-12-31", "2024-11-24T10:00:00Z"));
  EXPECT_EQ(end_without_start.status, 422);

  const auto end =
      stack_.Post("/api/v1/contracts/events",
                  Event("supply_energy_end", "1001", "2025-06-30", "2024-11-25T10:00:00Z"));
  EXPECT_EQ(end.status, 200);
  EXPECT_EQ(end.body, Accepted());

  const auto unknown_contract =
      stack_.Post("/api/v1/contracts/events", Event("supply_energy_start", "9999", "2024-12-01"));
  EXPECT_EQ(unknown_contract.status, 404);
  EXPECT_EQ(unknown_contract.body,
            (Json{{"status", "rejected"}, {"message", "Contract 9999 not found."}}));

  // Missing or mistyped fields: 422 naming the field, nothing stored.
  const auto no_date = stack_.Post("/api/v1/contracts/events",
                                   {{"type", "supply_energy_start"}, {"contract_number", "1001"}});
  EXPECT_EQ(no_date.status, 422);
  EXPECT_EQ(no_date.body["status"], "rejected");
  EXPECT_NE(no_date.body["message"].get<std::string>().find("date"), std::string::npos);
  EXPECT_EQ(
      stack_.Post("/api/v1/contracts/events", Event("supply_energy_start", "1001", "2024-13-45"))
          .status,
      422);
  const auto malformed = Raw("POST", "/api/v1/contracts/events", "{\"type\": ", token);
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.body["status"], "error");
  EXPECT_EQ(Raw("POST", "/api/v1/contracts/events",
                Event("supply_energy_start", "1001", "2024-12-01").dump(), "")
                .status,
            401);

  // A retry of the same event (same created_at) is stored once and answers the stored status.
  const auto retry =
      stack_.Post("/api/v1/contracts/events",
                  Event("supply_energy_end", "1001", "2024-11-15", "2024-11-21T10:00:00Z"));
  EXPECT_EQ(retry.status, 422);
  EXPECT_EQ(retry.body, early_end.body);

  const auto events = stack_.Get("/api/v1/contracts/1001/events");
  ASSERT_EQ(events.status, 200) << events.raw;
  EXPECT_TRUE(events.body["next_cursor"].is_null());
  EXPECT_EQ(Statuses(events.body), (Pairs{{"supply_energy_start", "accepted"},
                                          {"supply_energy_end", "rejected"},
                                          {"heatpump_optimization_start", "rejected"},
                                          {"coffee_start", "rejected"},
                                          {"battery_optimization_end", "rejected"},
                                          {"supply_energy_end", "accepted"}}));
  const auto& first = events.body["items"][0];
  EXPECT_EQ(first, (Json{{"type", "supply_energy_start"},
                         {"contract_number", "1001"},
                         {"date", "2024-12-01"},
                         {"created_at", "2024-11-20T10:00:00Z"},
                         {"status", "accepted"},
                         {"reason", "Event processed successfully."}}));
  EXPECT_EQ(events.body["items"][1]["reason"], early_end.body["message"]);
  EXPECT_EQ(events.body["items"][3]["created_at"], "2024-11-23T10:00:00Z");  // no offset = UTC

  const auto timeline = stack_.Get("/api/v1/contracts/1001/timeline");
  ASSERT_EQ(timeline.status, 200) << timeline.raw;
  EXPECT_EQ(timeline.body, (Json{{"contract_number", "1001"},
                                 {"components",
                                  {{"energy_supply", Span("2024-12-01", "2025-06-30")},
                                   {"battery_optimization", Span(nullptr, nullptr)}}}}));
  EXPECT_EQ(stack_.Get("/1001/contract_timeline").body, timeline.body);

  // Pages in replay order.
  std::vector<std::string> dates;
  for (const auto& item : stack_.GetAllItems("/api/v1/contracts/1001/events?limit=4")) {
    dates.push_back(item["created_at"]);
  }
  EXPECT_EQ(dates.size(), 6u);
  EXPECT_TRUE(std::is_sorted(dates.begin(), dates.end()));
  EXPECT_EQ(stack_.Get("/api/v1/contracts/1001/events?cursor=garbage").status, 400);
  EXPECT_EQ(stack_.Get("/api/v1/contracts/9999/events").status, 404);
  EXPECT_EQ(Raw("GET", "/api/v1/contracts/1001/events", "", "").status, 401);
}

TEST_F(ContractsApiTest, ExistingClientsRoutesKeepTheirConvention) {
  CreateContract("1001", {"energy_supply"});
  const auto token = stack_.AdminToken();

  const auto accepted = stack_.Post(
      "/event", Event("supply_energy_start", 1001, "2024-12-01", "2024-03-03T10:00:00"));
  EXPECT_EQ(accepted.status, 200) << accepted.raw;
  EXPECT_EQ(accepted.body, Accepted());

  const auto rejected =
      stack_.Post("/event", Event("supply_energy_end", 1001, "2024-11-01", "2024-03-03T11:00:00"));
  EXPECT_EQ(rejected.status, 200);
  EXPECT_EQ(rejected.body["status"], "rejected");
  EXPECT_FALSE(rejected.body["message"].get<std::string>().empty());

  const auto unknown_contract =
      stack_.Post("/event", Event("supply_energy_start", 9999, "2024-12-01"));
  EXPECT_EQ(unknown_contract.status, 200);
  EXPECT_EQ(unknown_contract.body,
            (Json{{"status", "rejected"}, {"message", "Contract 9999 not found."}}));

  const auto other_component = stack_.Post(
      "/event", Event("battery_optimization_start", 1001, "2024-12-01", "2024-03-03T12:00:00"));
  EXPECT_EQ(other_component.status, 200);
  EXPECT_EQ(other_component.body["status"], "rejected");

  const auto no_type = stack_.Post("/event", {{"contract_number", 1001}, {"date", "2024-12-01"}});
  EXPECT_EQ(no_type.status, 200);
  EXPECT_EQ(no_type.body["status"], "rejected");
  EXPECT_NE(no_type.body["message"].get<std::string>().find("type"), std::string::npos);

  const auto end =
      stack_.Post("/event", Event("supply_energy_end", 1001, "2025-01-31", "2024-03-03T13:00:00"));
  EXPECT_EQ(end.body, Accepted());

  // Like every data route, it needs a bearer token; a body that is not JSON is malformed.
  const auto anonymous =
      Raw("POST", "/event", Event("supply_energy_start", 1001, "2024-12-01").dump(), "");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.body["status"], "error");
  EXPECT_EQ(Raw("POST", "/event", "nope", token).status, 400);

  const auto timeline = stack_.Get("/1001/contract_timeline");
  ASSERT_EQ(timeline.status, 200) << timeline.raw;
  EXPECT_EQ(timeline.body,
            (Json{{"contract_number", "1001"},
                  {"components", {{"energy_supply", Span("2024-12-01", "2025-01-31")}}}}));
  EXPECT_EQ(stack_.Get("/api/v1/contracts/1001/timeline").body, timeline.body);
  const auto unknown = stack_.Get("/9999/contract_timeline");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, (Json{{"status", "error"}, {"message", "Contract 9999 not found."}}));
  const auto unknown_v1 = stack_.Get("/api/v1/contracts/9999/timeline");
  EXPECT_EQ(unknown_v1.status, 404);
  EXPECT_EQ(unknown_v1.body, unknown.body);
  EXPECT_EQ(Raw("GET", "/1001/contract_timeline", "", "").status, 401);

  const auto events = stack_.Get("/api/v1/contracts/1001/events");
  EXPECT_EQ(Statuses(events.body), (Pairs{{"supply_energy_start", "accepted"},
                                          {"supply_energy_end", "rejected"},
                                          {"battery_optimization_start", "rejected"},
                                          {"supply_energy_end", "accepted"}}));
}

TEST_F(ContractsApiTest, LateArrivalsRederiveLaterStatuses) {
  CreateContract("1001", {"energy_supply", "battery_optimization"});

  // An end without a start is rejected, until a start that happened before it arrives late.
  EXPECT_EQ(stack_
                .Post("/api/v1/contracts/events",
                      Event("supply_energy_end", "1001", "2024-12-31", "2024-11-20T12:00:00Z"))
                .status,
            422);
  EXPECT_EQ(stack_.Get("/api/v1/contracts/1001/timeline").body["components"]["energy_supply"],
            Span(nullptr, nullptr));
  const auto late_start =
      stack_.Post("/api/v1/contracts/events",
                  Event("supply_energy_start", "1001", "2024-12-01", "2024-11-20T08:00:00Z"));
  EXPECT_EQ(late_start.status, 200) << late_start.raw;
  EXPECT_EQ(late_start.body, Accepted());
  auto events = stack_.Get("/api/v1/contracts/1001/events");
  EXPECT_EQ(Statuses(events.body),
            (Pairs{{"supply_energy_start", "accepted"}, {"supply_energy_end", "accepted"}}));
  EXPECT_EQ(events.body["items"][1]["reason"], "Event processed successfully.");
  EXPECT_EQ(stack_.Get("/api/v1/contracts/1001/timeline").body["components"]["energy_supply"],
            Span("2024-12-01", "2024-12-31"));

  // The other way round: a late restart after the end date turns the later end into a reject,
  // and the late event's own answer is its status in the replay.
  ASSERT_EQ(stack_
                .Post("/api/v1/contracts/events", Event("battery_optimization_start", "1001",
                                                        "2024-12-01", "2024-11-21T08:00:00Z"))
                .status,
            200);
  ASSERT_EQ(stack_
                .Post("/api/v1/contracts/events", Event("battery_optimization_end", "1001",
                                                        "2024-12-31", "2024-11-23T08:00:00Z"))
                .status,
            200);
  const auto late_restart = stack_.Post(
      "/event", Event("battery_optimization_start", 1001, "2025-01-15", "2024-11-22T08:00:00Z"));
  EXPECT_EQ(late_restart.body, Accepted());
  events = stack_.Get("/api/v1/contracts/1001/events");
  EXPECT_EQ(Statuses(events.body), (Pairs{{"supply_energy_start", "accepted"},
                                          {"supply_energy_end", "accepted"},
                                          {"battery_optimization_start", "accepted"},
                                          {"battery_optimization_start", "accepted"},
                                          {"battery_optimization_end", "rejected"}}));
  EXPECT_EQ(events.body["items"][3]["date"], "2025-01-15");
  EXPECT_NE(events.body["items"][4]["reason"], "Event processed successfully.");
  const auto timeline = stack_.Get("/api/v1/contracts/1001/timeline");
  EXPECT_EQ(timeline.body["components"]["battery_optimization"], Span("2025-01-15", nullptr));
  EXPECT_EQ(timeline.body["components"]["energy_supply"], Span("2024-12-01", "2024-12-31"));
  EXPECT_EQ(stack_.Get("/1001/contract_timeline").body, timeline.body);

  // A late event that cannot apply is rejected itself and changes nothing after it.
  const auto late_reject =
      stack_.Post("/api/v1/contracts/events",
                  Event("supply_energy_end", "1001", "2024-11-01", "2024-11-20T10:00:00Z"));
  EXPECT_EQ(late_reject.status, 422);
  events = stack_.Get("/api/v1/contracts/1001/events");
  EXPECT_EQ(Statuses(events.body)[1],
            (std::pair<std::string, std::string>{"supply_energy_end", "rejected"}));
  EXPECT_EQ(Statuses(events.body)[2],
            (std::pair<std::string, std::string>{"supply_energy_end", "accepted"}));
  EXPECT_EQ(stack_.Get("/api/v1/contracts/1001/timeline").body, timeline.body);
}

// docs/contract.md §5: a contract of a site is read by that site's users and changed by its
// technicians; one without a site is the admins' alone. What a user may not see answers as unknown.
TEST_F(ContractsApiTest, ContractsBelongToTheirSite) {
  ASSERT_EQ(stack_.Post("/api/v1/sites", {{"id", "home"}, {"name", "Home"}}).status, 201);
  CreateContract("1001", {"energy_supply"});  // no site
  ASSERT_EQ(stack_
                .Post("/api/v1/contracts", {{"contract_number", "2001"},
                                            {"components", {"energy_supply"}},
                                            {"site_id", "home"}})
                .status,
            201);
  ASSERT_TRUE(stack_.AddUser("vera", "viewer-password-1", "viewer", {"home"}));
  ASSERT_TRUE(stack_.AddUser("tess", "technician-pass-1", "technician", {"home"}));
  ASSERT_TRUE(stack_.AddUser("otto", "technician-pass-2", "technician", {"elsewhere"}));
  const auto viewer = stack_.Login("vera", "viewer-password-1");
  const auto tech = stack_.Login("tess", "technician-pass-1");
  const auto outsider = stack_.Login("otto", "technician-pass-2");

  // Reads: the site's contract only.
  const auto listed = stack_.Get("/api/v1/contracts", viewer);
  ASSERT_EQ(listed.body["items"].size(), 1u) << listed.raw;
  EXPECT_EQ(listed.body["items"][0]["site_id"], "home");
  for (const std::string path : {"/api/v1/contracts/2001", "/api/v1/contracts/2001/events",
                                 "/api/v1/contracts/2001/timeline", "/2001/contract_timeline"}) {
    EXPECT_EQ(stack_.Get(path, viewer).status, 200) << path;
    const auto hidden = stack_.Get(path, outsider);
    EXPECT_EQ(hidden.status, 404) << path;
    EXPECT_EQ(hidden.body["message"], "Contract 2001 not found.") << path;
  }
  const auto no_site = stack_.Get("/api/v1/contracts/1001", viewer);
  EXPECT_EQ(no_site.status, 404);
  EXPECT_EQ(no_site.body["message"], "Contract 1001 not found.");
  EXPECT_EQ(stack_.Get("/api/v1/contracts", outsider).body["items"].size(), 0u);

  // Writes: the site's technician, not its viewer; a site-less contract, admins only.
  const auto event = Event("supply_energy_start", "2001", "2024-12-01");
  const auto forbidden = stack_.Post("/api/v1/contracts/events", event, viewer);
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(forbidden.body["status"], "error");
  EXPECT_EQ(stack_.Post("/event", event, viewer).status, 403);
  EXPECT_EQ(stack_.Post("/api/v1/contracts/events", event, tech).body, Accepted());
  const auto unseen =
      stack_.Post("/event", Event("supply_energy_start", "1001", "2024-12-01"), tech);
  EXPECT_EQ(unseen.status, 200);
  EXPECT_EQ(unseen.body, (Json{{"status", "rejected"}, {"message", "Contract 1001 not found."}}));
  EXPECT_EQ(stack_.Post("/api/v1/contracts/events", event, outsider).status, 404);

  const Json of_home = {
      {"contract_number", "2002"}, {"components", {"energy_supply"}}, {"site_id", "home"}};
  EXPECT_EQ(stack_.Post("/api/v1/contracts", of_home, viewer).status, 403);
  const auto elsewhere = stack_.Post("/api/v1/contracts", of_home, outsider);
  EXPECT_EQ(elsewhere.status, 404);
  EXPECT_EQ(elsewhere.body["message"], "Site home not found.");
  EXPECT_EQ(stack_.Post("/api/v1/contracts", of_home, tech).status, 201);
  EXPECT_EQ(stack_
                .Post("/api/v1/contracts",
                      {{"contract_number", "2003"}, {"components", {"energy_supply"}}}, tech)
                .status,
            403);
  EXPECT_EQ(stack_.Request("DELETE", "/api/v1/contracts/2002", "", viewer).status, 403);
  EXPECT_EQ(stack_.Request("DELETE", "/api/v1/contracts/2002", "", outsider).status, 404);
  EXPECT_EQ(stack_.Request("DELETE", "/api/v1/contracts/2002", "", tech).status, 204);
  EXPECT_EQ(stack_.Request("DELETE", "/api/v1/contracts/1001", "", tech).status, 404);
  EXPECT_EQ(stack_.Get("/api/v1/contracts/1001").status, 200);  // the admin's
}

class ContractsMqttTest : public StackTest {};

TEST_F(ContractsMqttTest, PublishedEventsFollowTheSameRules) {
  ASSERT_EQ(stack_
                .Post("/api/v1/contracts",
                      {{"contract_number", "1001"}, {"components", {"energy_supply"}}})
                .status,
            201);
  const auto start = Event("supply_energy_start", 1001, "2024-12-01", "2024-11-20T10:00:00Z");
  stack_.Publish(EventsTopic(), start.dump());
  stack_.Publish(EventsTopic(), start.dump());  // redelivery: stored once
  stack_.Publish(EventsTopic(),                 // rule-rejected: stored, and dead-lettered
                 Event("supply_energy_end", "1001", "2024-11-01", "2024-11-21T10:00:00Z").dump());
  stack_.Publish(
      EventsTopic(),
      Event("battery_optimization_start", "1001", "2024-12-01", "2024-11-22T10:00:00Z").dump());
  stack_.Publish(EventsTopic(), Event("supply_energy_start", "9999", "2024-12-01").dump());
  stack_.Publish(EventsTopic(), "{not json");
  stack_.Publish(EventsTopic(), R"({"type": "supply_energy_end", "contract_number": "1001"})");
  stack_.Publish(EventsTopic(),
                 Event("supply_energy_end", "1001", "2025-01-31", "2024-11-23T10:00:00Z").dump());
  ASSERT_TRUE(stack_.WaitForReceived(8));

  const auto stats = stack_.Get("/api/v1/ingest/stats");
  EXPECT_EQ(stats.body["received"], 8);
  EXPECT_EQ(stats.body["stored"], 2);
  EXPECT_EQ(stats.body["duplicates"], 1);
  EXPECT_EQ(stats.body["rejected"], 5);
  EXPECT_EQ(stats.body["rejected_by_reason"], (Json{{"contract_rule", 2},
                                                    {"unknown_contract", 1},
                                                    {"invalid_json", 1},
                                                    {"invalid_contract_event", 1}}));

  const auto events = stack_.Get("/api/v1/contracts/1001/events");
  ASSERT_EQ(events.status, 200) << events.raw;
  EXPECT_EQ(Statuses(events.body), (Pairs{{"supply_energy_start", "accepted"},
                                          {"supply_energy_end", "rejected"},
                                          {"battery_optimization_start", "rejected"},
                                          {"supply_energy_end", "accepted"}}));
  const auto timeline = stack_.Get("/api/v1/contracts/1001/timeline");
  EXPECT_EQ(timeline.body,
            (Json{{"contract_number", "1001"},
                  {"components", {{"energy_supply", Span("2024-12-01", "2025-01-31")}}}}));
  EXPECT_EQ(stack_.Get("/1001/contract_timeline").body, timeline.body);

  const auto dead = stack_.Get("/api/v1/ingest/dead-letters?reason=contract_rule");
  ASSERT_EQ(dead.status, 200) << dead.raw;
  ASSERT_EQ(dead.body["items"].size(), 2u);
  EXPECT_EQ(dead.body["items"][0]["topic"], EventsTopic());
  // The dead letter says why, in the words the event list uses.
  EXPECT_EQ(dead.body["items"][1]["message"], events.body["items"][1]["reason"]);
  EXPECT_EQ(dead.body["items"][0]["message"], events.body["items"][2]["reason"]);
  const auto unknown = stack_.Get("/api/v1/ingest/dead-letters?reason=unknown_contract");
  ASSERT_EQ(unknown.body["items"].size(), 1u);
  EXPECT_EQ(unknown.body["items"][0]["message"], "Contract 9999 not found.");
  EXPECT_EQ(stack_.Get("/api/v1/contracts/9999").status, 404);
  EXPECT_TRUE(stack_.listener().Running());
}

TEST_F(ContractsMqttTest, LateArrivalsOverMqttRederiveAndMixWithRest) {
  ASSERT_EQ(stack_
                .Post("/api/v1/contracts",
                      {{"contract_number", "C-7"}, {"components", {"heatpump_optimization"}}})
                .status,
            201);
  // The end arrives first (rejected: no start yet), then the start that happened before it.
  stack_.Publish(
      EventsTopic(),
      Event("heatpump_optimization_end", "C-7", "2025-03-31", "2025-01-10T09:00:00Z").dump());
  ASSERT_TRUE(stack_.WaitForReceived(1));
  auto events = stack_.Get("/api/v1/contracts/C-7/events");
  EXPECT_EQ(Statuses(events.body), (Pairs{{"heatpump_optimization_end", "rejected"}}));

  stack_.Publish(
      EventsTopic(),
      Event("heatpump_optimization_start", "C-7", "2025-01-01", "2025-01-05T09:00:00Z").dump());
  ASSERT_TRUE(stack_.WaitForReceived(2));
  events = stack_.Get("/api/v1/contracts/C-7/events");
  EXPECT_EQ(Statuses(events.body), (Pairs{{"heatpump_optimization_start", "accepted"},
                                          {"heatpump_optimization_end", "accepted"}}));
  EXPECT_EQ(stack_.Get("/C-7/contract_timeline").body["components"]["heatpump_optimization"],
            Span("2025-01-01", "2025-03-31"));

  // The same history is shared with REST: a REST retry of the MQTT event is a duplicate.
  const auto retry = stack_.Post(
      "/api/v1/contracts/events",
      Event("heatpump_optimization_start", "C-7", "2025-01-01", "2025-01-05T09:00:00Z"));
  EXPECT_EQ(retry.status, 200);
  EXPECT_EQ(stack_.Get("/api/v1/contracts/C-7/events").body["items"].size(), 2u);

  const auto stats = stack_.Get("/api/v1/ingest/stats");
  EXPECT_EQ(stats.body["stored"], 1);
  EXPECT_EQ(stats.body["rejected"], 1);  // the end, rejected when it arrived
  EXPECT_EQ(stats.body["rejected_by_reason"]["contract_rule"], 1);
}

}  // namespace
}  // namespace ems::testing
