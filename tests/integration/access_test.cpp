// Access control end to end (docs/contract.md §5, §6): every route the API registers, asked by an
// admin, a technician of site A, a viewer of site A, a viewer of site B and a caller without a
// token, through the real edge; and every route that takes an id, asked about another site's object
// and about one that does not exist, which must be answered alike.
//
// The routes come from the server itself (ApiApp::routes()): a route missing from the matrix or
// the probes fails the suite. Adding a route is one line in each table, with an explicit answer
// per caller.
#include <gtest/gtest.h>

#include <array>
#include <set>
#include <thread>

#include "harness.h"
#include "registered_routes.h"

namespace ems::testing {
namespace {

enum Caller { kAdmin, kTechA, kViewerA, kViewerB, kNobody };
constexpr std::array<const char*, 5> kCallerNames = {"admin", "tech-a", "viewer-a", "viewer-b",
                                                     "nobody"};
constexpr Caller kCallers[] = {kAdmin, kTechA, kViewerA, kViewerB, kNobody};

// One route asked by each caller. "{who}" in the path or body becomes the caller's name: a route
// that consumes an object (DELETE) or creates one (POST) gets one per caller, made in SetUp.
// "{sub}" becomes the id of the caller's own subscription, also made in SetUp.
struct Row {
  const char* method;
  const char* path;
  const char* body;
  std::array<int, 5> expect;  // admin, tech-a, viewer-a, viewer-b, no token
};

constexpr const char* kBattery =
    R"({"type": "battery", "name": "Battery", "properties": {"capacity_wh": 10000,
        "max_charge_w": 5000, "max_discharge_w": 4000}})";
constexpr const char* kSlots =
    R"({"slots": [{"start": "2030-01-01T00:00:00Z", "end": "2030-01-01T01:00:00Z"}]})";
constexpr const char* kSubscriptionOfA =
    R"({"name": "Mine", "metrics": [{"device_id": "bat-a", "metric": "power_w"}]})";
constexpr const char* kEventOfA =
    R"({"type": "supply_energy_start", "contract_number": "c-a", "date": "2024-12-01"})";

// Site A holds bat-a, ev-a, station st-a (session s-a, an OCPP charger) and contract c-a; site B
// the same with -b.
const std::vector<Row> kMatrix = {
    // Public routes.
    {"GET", "/health", "", {200, 200, 200, 200, 200}},
    {"GET", "/openapi.json", "", {200, 200, 200, 200, 200}},
    {"GET", "/docs", "", {200, 200, 200, 200, 200}},
    {"POST",
     "/api/v1/auth/login",
     R"({"username": "viewer-b", "password": "wrong"})",
     {401, 401, 401, 401, 401}},
    // The caller's own account (a body without "new" stops before changing anything).
    {"GET", "/api/v1/me", "", {200, 200, 200, 200, 401}},
    {"PUT", "/api/v1/me/password", R"({"current": "x"})", {422, 422, 422, 422, 401}},
    // Users: admins only.
    {"GET", "/api/v1/users", "", {200, 403, 403, 403, 401}},
    {"POST",
     "/api/v1/users",
     R"({"username": "new-{who}", "role": "viewer"})",
     {201, 403, 403, 403, 401}},
    {"GET", "/api/v1/users/viewer-a", "", {200, 403, 403, 403, 401}},
    {"PUT", "/api/v1/users/spare", R"({"site_ids": ["site-b"]})", {200, 403, 403, 403, 401}},
    {"DELETE", "/api/v1/users/u-{who}", "", {204, 403, 403, 403, 401}},
    // Sites: everyone reads their own; admins write.
    {"GET", "/api/v1/sites", "", {200, 200, 200, 200, 401}},
    {"POST", "/api/v1/sites", R"({"id": "new-{who}", "name": "New"})", {201, 403, 403, 403, 401}},
    {"GET", "/api/v1/sites/site-a", "", {200, 200, 200, 404, 401}},
    {"PUT", "/api/v1/sites/site-a", R"({"name": "Site A"})", {200, 403, 403, 403, 401}},
    {"DELETE", "/api/v1/sites/del-{who}", "", {204, 403, 403, 403, 401}},
    {"GET", "/api/v1/sites/site-a/energy/summary", "", {200, 200, 200, 404, 401}},
    {"GET", "/api/v1/sites/site-a/energy/series", "", {200, 200, 200, 404, 401}},
    {"GET", "/api/v1/sites/site-a/tariff", "", {200, 200, 200, 404, 401}},
    {"GET", "/api/v1/energy/summary", "", {200, 200, 200, 200, 401}},
    // Devices: the site's users read, its technicians write.
    {"GET", "/api/v1/sites/site-a/devices", "", {200, 200, 200, 404, 401}},
    {"POST",
     "/api/v1/sites/site-a/devices",
     R"({"id": "new-{who}", "type": "battery", "name": "New", "properties": {"capacity_wh": 1,
         "max_charge_w": 1, "max_discharge_w": 1}})",
     {201, 201, 403, 404, 401}},
    {"GET", "/api/v1/devices", "", {200, 200, 200, 200, 401}},
    {"GET", "/api/v1/devices/bat-a", "", {200, 200, 200, 404, 401}},
    {"PUT", "/api/v1/devices/bat-a", kBattery, {200, 200, 403, 404, 401}},
    {"DELETE", "/api/v1/devices/del-{who}", "", {204, 204, 403, 404, 401}},
    {"GET", "/api/v1/devices/bat-a/metrics", "", {200, 200, 200, 404, 401}},
    {"GET", "/api/v1/devices/bat-a/metrics/power_w/series", "", {200, 200, 200, 404, 401}},
    // Subscriptions: every user keeps their own, of the devices they see (DELETE last: it
    // consumes the caller's subscription).
    {"POST", "/api/v1/subscriptions", kSubscriptionOfA, {201, 201, 201, 404, 401}},
    {"GET", "/api/v1/subscriptions", "", {200, 200, 200, 200, 401}},
    {"GET", "/api/v1/subscriptions/{sub}", "", {200, 200, 200, 200, 401}},
    {"PUT", "/api/v1/subscriptions/{sub}", kSubscriptionOfA, {200, 200, 200, 404, 401}},
    {"GET", "/api/v1/subscriptions/{sub}/series", "", {200, 200, 200, 200, 401}},
    {"DELETE", "/api/v1/subscriptions/{sub}", "", {204, 204, 204, 204, 401}},
    // EV schedules: every user of the EV's site operates it.
    {"GET", "/api/v1/devices/ev-a/charging-schedule", "", {200, 200, 200, 404, 401}},
    {"PUT", "/api/v1/devices/ev-a/charging-schedule", kSlots, {200, 200, 200, 404, 401}},
    {"POST", "/api/v1/devices/ev-a/charging-schedule/pause", "", {200, 200, 200, 404, 401}},
    {"POST", "/api/v1/devices/ev-a/charging-schedule/resume", "", {200, 200, 200, 404, 401}},
    {"POST", "/api/v1/devices/ev-a/charging-schedule/override", "", {200, 200, 200, 404, 401}},
    {"PUT", "/api/v1/devices/ev-a/state", R"({"is_at_home": true})", {200, 200, 200, 404, 401}},
    // Sessions and stations: what happened on the caller's sites.
    {"GET", "/api/v1/sessions", "", {200, 200, 200, 200, 401}},
    {"GET", "/api/v1/sessions/export?from=2026-11-21&to=2026-11-21", "", {200, 200, 200, 200, 401}},
    {"GET", "/api/v1/sessions/s-a", "", {200, 200, 200, 404, 401}},
    {"GET", "/api/v1/stations", "", {200, 200, 200, 200, 401}},
    {"GET", "/api/v1/stations/st-a/sessions/summary", "", {200, 200, 200, 404, 401}},
    // Remote commands: every user of the charger's site, as its EVs (no ems-ocpp runs here, so
    // the charger is not connected).
    {"POST", "/api/v1/stations/st-a/remote-start", "", {409, 409, 409, 404, 401}},
    {"POST", "/api/v1/stations/st-a/remote-stop", "", {409, 409, 409, 404, 401}},
    // Ingest: admins only.
    {"GET", "/api/v1/ingest/stats", "", {200, 403, 403, 403, 401}},
    {"GET", "/api/v1/ingest/dead-letters", "", {200, 403, 403, 403, 401}},
    // Contracts: by their site; technicians of the site write.
    {"GET", "/api/v1/contracts", "", {200, 200, 200, 200, 401}},
    {"POST",
     "/api/v1/contracts",
     R"({"contract_number": "new-{who}", "components": ["energy_supply"], "site_id": "site-a"})",
     {201, 201, 403, 404, 401}},
    {"POST", "/api/v1/contracts/events", kEventOfA, {200, 200, 403, 404, 401}},
    // The original service's convention: an unknown (here: unseen) contract is a 200 rejection.
    {"POST", "/event", kEventOfA, {200, 200, 403, 200, 401}},
    {"GET", "/api/v1/contracts/c-a", "", {200, 200, 200, 404, 401}},
    {"DELETE", "/api/v1/contracts/del-{who}", "", {204, 204, 403, 404, 401}},
    {"GET", "/api/v1/contracts/c-a/events", "", {200, 200, 200, 404, 401}},
    {"GET", "/api/v1/contracts/c-a/timeline", "", {200, 200, 200, 404, 401}},
    {"GET", "/c-a/contract_timeline", "", {200, 200, 200, 404, 401}},
};

// A route asked about another site's object and about a missing one: "{id}" in the path or body
// becomes the object's id. tech-a asks about site B's object (of_b), viewer-b about site A's
// (of_a); each answer must equal the one about "nope-404", byte for byte once the id is
// replaced: nothing tells that the object exists. "{sub}" names the subscription of viewer-a
// (of_a) or viewer-b (of_b): another user's subscription is as missing as a missing one.
struct Probe {
  const char* method;
  const char* path;
  const char* body;
  const char* of_a;
  const char* of_b;
};

const std::vector<Probe> kProbes = {
    {"GET", "/api/v1/users/{id}", "", "viewer-a", "viewer-b"},
    {"PUT", "/api/v1/users/{id}", R"({"role": "viewer"})", "viewer-a", "viewer-b"},
    {"DELETE", "/api/v1/users/{id}", "", "viewer-a", "viewer-b"},
    {"GET", "/api/v1/sites/{id}", "", "site-a", "site-b"},
    {"PUT", "/api/v1/sites/{id}", R"({"name": "Mine"})", "site-a", "site-b"},
    {"DELETE", "/api/v1/sites/{id}?cascade=true", "", "site-a", "site-b"},
    {"GET", "/api/v1/sites/{id}/energy/summary", "", "site-a", "site-b"},
    {"GET", "/api/v1/sites/{id}/energy/series", "", "site-a", "site-b"},
    {"GET", "/api/v1/sites/{id}/tariff", "", "site-a", "site-b"},
    {"GET", "/api/v1/sites/{id}/devices", "", "site-a", "site-b"},
    {"POST", "/api/v1/sites/{id}/devices", kBattery, "site-a", "site-b"},
    {"GET", "/api/v1/devices/{id}", "", "bat-a", "bat-b"},
    {"PUT", "/api/v1/devices/{id}", kBattery, "bat-a", "bat-b"},
    {"DELETE", "/api/v1/devices/{id}", "", "bat-a", "bat-b"},
    {"GET", "/api/v1/devices/{id}/metrics", "", "bat-a", "bat-b"},
    {"GET", "/api/v1/devices/{id}/metrics/power_w/series", "", "bat-a", "bat-b"},
    {"GET", "/api/v1/devices/{id}/charging-schedule", "", "ev-a", "ev-b"},
    // Not an EV: the site's own users hear so, nobody else does.
    {"GET", "/api/v1/devices/{id}/charging-schedule", "", "bat-a", "bat-b"},
    {"PUT", "/api/v1/devices/{id}/charging-schedule", kSlots, "ev-a", "ev-b"},
    {"POST", "/api/v1/devices/{id}/charging-schedule/pause", "", "ev-a", "ev-b"},
    {"POST", "/api/v1/devices/{id}/charging-schedule/resume", "", "ev-a", "ev-b"},
    {"POST", "/api/v1/devices/{id}/charging-schedule/override", "", "ev-a", "ev-b"},
    {"PUT", "/api/v1/devices/{id}/state", R"({"is_at_home": false})", "ev-a", "ev-b"},
    {"GET", "/api/v1/subscriptions/{id}", "", "{sub}", "{sub}"},
    {"PUT", "/api/v1/subscriptions/{id}", kSubscriptionOfA, "{sub}", "{sub}"},
    {"DELETE", "/api/v1/subscriptions/{id}", "", "{sub}", "{sub}"},
    {"GET", "/api/v1/subscriptions/{id}/series", "", "{sub}", "{sub}"},
    {"GET", "/api/v1/sessions/{id}", "", "s-a", "s-b"},
    {"GET", "/api/v1/sessions?site_id={id}", "", "site-a", "site-b"},
    {"GET", "/api/v1/sessions?station_id={id}", "", "st-a", "st-b"},
    {"GET", "/api/v1/stations/{id}/sessions/summary", "", "st-a", "st-b"},
    {"POST", "/api/v1/stations/{id}/remote-start", "", "st-a", "st-b"},
    {"POST", "/api/v1/stations/{id}/remote-stop", "", "st-a", "st-b"},
    {"GET", "/api/v1/contracts/{id}", "", "c-a", "c-b"},
    {"DELETE", "/api/v1/contracts/{id}", "", "c-a", "c-b"},
    {"GET", "/api/v1/contracts/{id}/events", "", "c-a", "c-b"},
    {"GET", "/api/v1/contracts/{id}/timeline", "", "c-a", "c-b"},
    {"GET", "/{id}/contract_timeline", "", "c-a", "c-b"},
    {"POST", "/api/v1/contracts",
     R"({"contract_number": "probe", "components": ["energy_supply"], "site_id": "{id}"})",
     "site-a", "site-b"},
    {"POST", "/api/v1/contracts/events",
     R"({"type": "supply_energy_start", "contract_number": "{id}", "date": "2024-12-01"})", "c-a",
     "c-b"},
    {"POST", "/event",
     R"({"type": "supply_energy_start", "contract_number": "{id}", "date": "2024-12-01"})", "c-a",
     "c-b"},
};

std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

class AccessTest : public StackTest {
 protected:
  void SetUp() override {
    StackTest::SetUp();
    for (const char* site : {"site-a", "site-b"}) {
      AsAdmin("POST", "/api/v1/sites", Json{{"id", site}, {"name", site}}, 201);
    }
    const auto battery = BatteryMeta();
    const auto ev = EvMeta();
    const auto ts = Now() - std::chrono::seconds(1);
    std::vector<std::pair<std::string, std::string>> messages;
    for (const std::string s : {"a", "b"}) {
      const auto site = "site-" + s;
      AsAdmin("POST", "/api/v1/sites/" + site + "/devices", With(battery, "id", "bat-" + s), 201);
      AsAdmin("POST", "/api/v1/sites/" + site + "/devices", With(ev, "id", "ev-" + s), 201);
      AsAdmin(
          "POST", "/api/v1/contracts",
          Json{{"contract_number", "c-" + s}, {"components", {"energy_supply"}}, {"site_id", site}},
          201);
      for (const auto& device : {"bat-" + s, "ev-" + s}) {
        messages.emplace_back(DeviceTopic(site, device, "telemetry"),
                              TelemetryPayload(ts, {{"power_w", -500.0}, {"soc_pct", 40.0}}));
      }
      messages.emplace_back(SessionTopic(site, "st-" + s),
                            SessionJson("s-" + s, "st-" + s, "2026-11-21T08:00:00Z"));
      const auto charger = stack_.EmsApiCommand("charger add " + site + " st-" + s);
      ASSERT_EQ(charger.code, 0) << charger.output;
    }
    // What each caller consumes or finds in place.
    for (const char* who : kCallerNames) {
      const std::string name = who;
      AsAdmin("POST", "/api/v1/sites/site-a/devices", With(battery, "id", "del-" + name), 201);
      AsAdmin("POST", "/api/v1/contracts",
              Json{{"contract_number", "del-" + name},
                   {"components", {"energy_supply"}},
                   {"site_id", "site-a"}},
              201);
      AsAdmin("POST", "/api/v1/sites", Json{{"id", "del-" + name}, {"name", "Empty"}}, 201);
      ASSERT_TRUE(stack_.AddUser("u-" + name, "password-" + name, "viewer", {}));
    }
    ASSERT_TRUE(stack_.AddUser("spare", "spare-password", "viewer", {}));
    ASSERT_TRUE(stack_.AddUser("tech-a", "tech-a-password", "technician", {"site-a"}));
    ASSERT_TRUE(stack_.AddUser("viewer-a", "viewer-a-password", "viewer", {"site-a"}));
    ASSERT_TRUE(stack_.AddUser("viewer-b", "viewer-b-password", "viewer", {"site-b"}));
    stack_.PublishAll(messages);
    ASSERT_TRUE(stack_.WaitForReceived(static_cast<long>(messages.size())));
    tokens_[kAdmin] = stack_.AdminToken();
    for (const Caller c : {kTechA, kViewerA, kViewerB}) {
      tokens_[c] = stack_.Login(kCallerNames[c], std::string(kCallerNames[c]) + "-password");
    }
    subscriptions_[kNobody] = "sub-of-nobody";
    for (const Caller c : {kAdmin, kTechA, kViewerA, kViewerB}) {
      const auto device = c == kViewerB ? "bat-b" : "bat-a";
      const Json body = {{"name", "Own"},
                         {"metrics", {{{"device_id", device}, {"metric", "power_w"}}}}};
      const auto a = stack_.Request("POST", "/api/v1/subscriptions", body.dump(), tokens_[c]);
      ASSERT_EQ(a.status, 201) << a.raw;
      subscriptions_[c] = a.body["id"];
    }
  }

  // `text` with "{who}" and "{sub}" of the caller `who`.
  std::string Filled(std::string text, Caller who) const {
    return Replaced(Replaced(std::move(text), "{who}", kCallerNames[who]), "{sub}",
                    subscriptions_[who]);
  }

  static Json With(Json object, const std::string& key, const std::string& value) {
    object[key] = value;
    return object;
  }

  void AsAdmin(const std::string& method, const std::string& path, const Json& body, int status) {
    const auto a = stack_.Request(method, path, body.dump(), stack_.AdminToken());
    ASSERT_EQ(a.status, status) << method << " " << path << ": " << a.raw;
  }

  // The edge allows a client 50 requests a second: the matrix, asked from one address, waits
  // whenever it is told to slow down.
  HttpAnswer As(Caller who, const std::string& method, const std::string& path,
                const std::string& body) {
    while (true) {
      auto a = stack_.Request(method, path, body, tokens_[who]);
      if (a.status != 429 || a.body["message"] != kSlowDown) return a;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  static constexpr const char* kSlowDown = "Too many requests from this address; slow down.";

  std::array<std::string, 5> tokens_;  // none for kNobody
  std::array<std::string, 5> subscriptions_;
};

TEST_F(AccessTest, EveryRegisteredRouteAnswersEachCallerAsTheRulesSay) {
  for (const auto& route : RegisteredRoutes(stack_.dir())) {
    const bool listed = std::any_of(kMatrix.begin(), kMatrix.end(), [&](const Row& row) {
      return Serves(route, row.method, Replaced(row.path, "{who}", "admin"));
    });
    EXPECT_TRUE(listed) << "no row of the matrix asks " << route;
  }
  for (const Row& row : kMatrix) {
    for (const Caller who : kCallers) {
      const std::string name = kCallerNames[who];
      const auto path = Filled(row.path, who);
      const auto a = As(who, row.method, path, Filled(row.body, who));
      EXPECT_EQ(a.status, row.expect[who])
          << name << ": " << row.method << " " << path << " → " << a.raw;
      if (a.status >= 400) {
        EXPECT_TRUE(a.body["message"].is_string()) << row.method << " " << path << ": " << a.raw;
      }
    }
  }
}

TEST_F(AccessTest, AnotherSitesObjectsAnswerExactlyAsMissingOnes) {
  for (const auto& route : RegisteredRoutes(stack_.dir())) {
    if (route.find('(') == std::string::npos) continue;  // takes no id
    const bool probed = std::any_of(kProbes.begin(), kProbes.end(), [&](const Probe& p) {
      return Serves(route, p.method, Replaced(p.path, "{id}", "x"));
    });
    EXPECT_TRUE(probed) << "no probe asks " << route << " about another site's object";
  }
  const auto answer = [&](Caller who, const Probe& p, const std::string& id) {
    const auto a = As(who, p.method, Replaced(p.path, "{id}", id), Replaced(p.body, "{id}", id));
    return std::to_string(a.status) + " " + Replaced(a.raw, id, "{id}");
  };
  for (const Probe& p : kProbes) {
    for (const auto& [who, of, owner] :
         {std::tuple{kTechA, p.of_b, kViewerB}, std::tuple{kViewerB, p.of_a, kViewerA}}) {
      const auto id = Filled(of, owner);
      const auto seen = answer(who, p, id);
      EXPECT_EQ(seen, answer(who, p, "nope-404"))
          << kCallerNames[who] << ": " << p.method << " " << p.path << " about " << id;
    }
  }
  // Nothing was changed by the probes: the objects are all still there.
  for (const char* path : {"/api/v1/devices/bat-a", "/api/v1/devices/bat-b",
                           "/api/v1/contracts/c-b", "/api/v1/sites/site-a"}) {
    EXPECT_EQ(As(kAdmin, "GET", path, "").status, 200) << path;
  }
  EXPECT_EQ(As(kAdmin, "GET", "/api/v1/devices/ev-b/charging-schedule", "").body["is_paused"],
            false);
  for (const Caller owner : {kViewerA, kViewerB}) {
    const auto own = As(owner, "GET", "/api/v1/subscriptions/" + subscriptions_[owner], "");
    EXPECT_EQ(own.body["name"], "Own") << own.raw;
  }
}

// A station that charged cars of both sites: each user counts only their own site's sessions,
// in the list and the summary alike (docs/contract.md §5, §6.5).
TEST_F(AccessTest, StationsCountOnlyTheSessionsOfVisibleSites) {
  stack_.PublishAll(
      {{SessionTopic("site-a", "st-shared"),
        SessionJson("shared-a", "st-shared", "2026-11-21T08:00:00Z", "completed", 10)},
       {SessionTopic("site-b", "st-shared"),
        SessionJson("shared-b", "st-shared", "2026-11-21T09:00:00Z", "active", 4)}});
  ASSERT_TRUE(stack_.WaitForReceived(8));
  const auto summary = [&](Caller who) {
    return As(who, "GET", "/api/v1/stations/st-shared/sessions/summary", "").body;
  };
  EXPECT_EQ(summary(kAdmin)["sessions"], 2);
  EXPECT_EQ(summary(kViewerA)["sessions"], 1);
  EXPECT_DOUBLE_EQ(summary(kViewerA)["energy_kwh"].get<double>(), 10);
  EXPECT_DOUBLE_EQ(summary(kViewerB)["energy_kwh"].get<double>(), 4);
  const auto station = [&](Caller who) {
    const auto listed = As(who, "GET", "/api/v1/stations", "");
    for (const auto& s : listed.body["items"]) {
      if (s["id"] == "st-shared") return s;
    }
    return Json();
  };
  // Its latest session is site B's; viewer-a learns nothing of it.
  EXPECT_EQ(station(kAdmin)["site_id"], "site-b");
  EXPECT_EQ(station(kViewerA)["site_id"], "site-a");
  EXPECT_EQ(station(kViewerA)["sessions"], 1);
  EXPECT_EQ(station(kViewerA)["last_session_at"], "2026-11-21T09:10:00Z");
  // The ledger likewise.
  const auto ledger = [&](Caller who) {
    std::set<std::string> ids;
    const auto a = As(who, "GET", "/api/v1/sessions/export?from=2026-11-21&to=2026-11-21", "");
    for (const auto& e : a.body["items"]) ids.insert(e["session_id"].get<std::string>());
    return ids;
  };
  EXPECT_EQ(ledger(kViewerA), (std::set<std::string>{"s-a", "shared-a"}));
  EXPECT_EQ(ledger(kViewerB), (std::set<std::string>{"s-b", "shared-b"}));
  EXPECT_EQ(ledger(kAdmin), (std::set<std::string>{"s-a", "s-b", "shared-a", "shared-b"}));

  // A session message on site B's topic cannot take site A's session over.
  stack_.Publish(SessionTopic("site-b", "st-a"),
                 SessionJson("s-a", "st-a", "2026-11-21T08:00:00Z", "completed", 99));
  ASSERT_TRUE(stack_.WaitForReceived(9));
  const auto kept = stack_.Get("/api/v1/sessions/s-a");
  EXPECT_EQ(kept.body["site_id"], "site-a");
  EXPECT_DOUBLE_EQ(kept.body["energy_kwh"].get<double>(), 18.42);
  EXPECT_EQ(stack_.Get("/api/v1/ingest/stats").body["rejected_by_reason"]["device_site_mismatch"],
            1);
  EXPECT_EQ(As(kViewerB, "GET", "/api/v1/sessions/s-a", "").status, 404);
}

}  // namespace
}  // namespace ems::testing
