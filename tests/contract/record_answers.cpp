// Contract tier, first half (docs/api.md): asks every route ems-api registers, through the real
// edge of a real stack (broker, listener, API), with real data: its successes and each client
// error it documents (400, 401, 403, 404, 409, 413, 422, 429). Each answer is asserted here and
// written with the served /openapi.json to the folder $EMS_CONTRACT_DIR;
// tests/contract/validate.mjs then checks every answer against the document's schema for its
// operation and status, and that no registered route and no documented status went unasked.
//
// A new route fails the generic passes below (every route without a token: 401; every POST and
// PUT over 1 MiB: 413) until it is documented, and validate.mjs until its own successes and
// errors are asked here.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "harness.h"
#include "registered_routes.h"

namespace ems::testing {
namespace {

// Routes that need no token (docs/contract.md §5).
const std::set<std::string> kPublicRoutes = {"GET /health", "GET /openapi.json", "GET /docs",
                                             "POST /api/v1/auth/login"};

class ContractRecorder : public StackTest {
 protected:
  // Asks `method path` with `body` (JSON text, or none) as the holder of `token` (none: "") and
  // records the answer, which must have `status`.
  HttpAnswer Ask(const std::string& token, const std::string& method, const std::string& path,
                 const std::string& body, int status) {
    for (int tries = 1;; ++tries) {
      auto a = stack_.Request(method, path, body, token);
      // The edge's rate limit answers any route alike once a client asks too fast; it is the
      // edge's, not this route's answer: wait and ask again (for up to 10 s).
      if (a.status == 429 && a.body.value("message", "") == kSlowDown && tries < 100) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      EXPECT_EQ(a.status, status) << method << " " << path << " " << body << " → " << a.raw;
      Record(method, path, body, a);
      return a;
    }
  }

  // Sends `method path` with `headers` as it is (RawHttp) and records the answer, which must have
  // `status`.
  void AskRaw(const std::string& method, const std::string& path, const std::string& headers,
              int status) {
    HttpAnswer a = RawHttp(stack_.edge_port(), method + " " + path + " HTTP/1.1\r\nHost: x\r\n" +
                                                   headers + "Connection: close\r\n\r\n");
    EXPECT_EQ(a.status, status) << method << " " << path << " → " << a.raw;
    a.raw.erase(0, a.raw.find("\r\n\r\n") + 4);  // the body alone
    Record(method, path, "", a);
  }

  // Asks `method path` announcing a body of 1 MiB + 1 byte: the edge answers from the headers.
  void AskTooLarge(const std::string& method, const std::string& path) {
    AskRaw(method, path,
           "Authorization: Bearer " + stack_.AdminToken() +
               "\r\nContent-Type: application/json\r\nContent-Length: 1048577\r\n",
           413);
  }

  void Record(const std::string& method, const std::string& path, const std::string& body,
              const HttpAnswer& a) {
    answers_.push_back({{"method", method},
                        {"path", path},
                        {"request_body", body},
                        {"status", a.status},
                        {"content_type", a.content_type},
                        {"body", a.raw}});
  }

  std::string Login(const std::string& user, const std::string& password) {
    const auto a = Ask("", "POST", "/api/v1/auth/login",
                       Json{{"username", user}, {"password", password}}.dump(), 200);
    return a.body.value("token", "");
  }

  static constexpr const char* kSlowDown = "Too many requests from this address; slow down.";
  Json answers_ = Json::array();
};

constexpr const char* kBattery =
    R"({"id": "bat-a", "type": "battery", "name": "Battery", "properties": {"capacity_wh": 10000,
        "max_charge_w": 5000, "max_discharge_w": 4000}})";
constexpr const char* kEv =
    R"({"type": "ev", "name": "Car", "properties": {"battery_capacity_wh": 60000,
        "max_charge_w": 11000, "max_discharge_w": 0}})";
constexpr const char* kSlots =
    R"({"slots": [{"start": "2030-01-01T00:00:00Z", "end": "2030-01-01T02:00:00Z"}]})";
constexpr const char* kReversed = "?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z";

TEST_F(ContractRecorder, EveryRouteAnswersWhatItDocuments) {
  const std::string admin = stack_.AdminToken();
  const std::string none;

  // System, login and the caller's own account.
  const auto document = Ask(none, "GET", "/openapi.json", "", 200);
  Ask(none, "GET", "/health", "", 200);
  Ask(none, "GET", "/docs", "", 200);
  Login(Stack::kAdminUser, Stack::kAdminPassword);
  Ask(none, "POST", "/api/v1/auth/login", "{oops", 400);
  Ask(none, "POST", "/api/v1/auth/login", R"({"username": "no space", "password": "x"})", 400);
  Ask(none, "POST", "/api/v1/auth/login", R"({"username": "admin"})", 422);
  Ask(none, "POST", "/api/v1/auth/login", R"({"username": "admin", "password": "wrong"})", 401);
  const std::string guess = R"({"username": "guessed", "password": "wrong"})";
  for (int i = 0; i < 5; ++i) Ask(none, "POST", "/api/v1/auth/login", guess, 401);
  Ask(none, "POST", "/api/v1/auth/login", guess, 429);  // the sixth, unchecked
  Ask(admin, "GET", "/api/v1/me", "", 200);
  Ask("not-a-token", "GET", "/api/v1/me", "", 401);
  // The session cookie of the HTML pages carries the same token.
  AskRaw("GET", "/api/v1/me", "Cookie: ems_session=" + admin + "\r\n", 200);
  ASSERT_TRUE(stack_.AddUser("pw-user", "pw-user-password-1", "viewer", {}));
  std::string pw_user = Login("pw-user", "pw-user-password-1");
  Ask(pw_user, "PUT", "/api/v1/me/password", "{oops", 400);
  Ask(pw_user, "PUT", "/api/v1/me/password", R"({"current": "pw-user-password-1"})", 422);
  Ask(pw_user, "PUT", "/api/v1/me/password", R"({"current": "pw-user-password-1", "new": "short"})",
      422);
  pw_user = Ask(pw_user, "PUT", "/api/v1/me/password",
                R"({"current": "pw-user-password-1", "new": "a much longer secret"})", 200)
                .body.value("token", "");
  const std::string wrong = R"({"current": "wrong", "new": "yet another long secret"})";
  for (int i = 0; i < 5; ++i) Ask(pw_user, "PUT", "/api/v1/me/password", wrong, 403);
  Ask(pw_user, "PUT", "/api/v1/me/password", wrong, 429);

  // Sites, users and devices, created through the API.
  Ask(admin, "POST", "/api/v1/sites",
      R"({"id": "site-a", "name": "Site A", "timezone": "Europe/Berlin"})", 201);
  Ask(admin, "POST", "/api/v1/sites", R"({"name": "Generated id"})", 201);
  Ask(admin, "POST", "/api/v1/sites", R"({"id": "site-del", "name": "Empty"})", 201);
  Ask(admin, "POST", "/api/v1/sites", R"({"id": "site-a", "name": "Again"})", 409);
  Ask(admin, "POST", "/api/v1/sites", "{oops", 400);
  Ask(admin, "POST", "/api/v1/sites", R"({"name": "Zoned", "timezone": "Mars/Olympus"})", 422);

  Ask(admin, "POST", "/api/v1/users",
      R"({"username": "tech-a", "password": "field-work-secret", "role": "technician",
          "site_ids": ["site-a"]})",
      201);
  const auto created =
      Ask(admin, "POST", "/api/v1/users",
          R"({"username": "viewer-a", "role": "viewer", "site_ids": ["site-a"]})", 201);
  Ask(admin, "POST", "/api/v1/users", R"({"username": "spare", "role": "viewer"})", 201);
  Ask(admin, "POST", "/api/v1/users", R"({"username": "spare", "role": "viewer"})", 409);
  Ask(admin, "POST", "/api/v1/users", "{oops", 400);
  Ask(admin, "POST", "/api/v1/users", R"({"username": "u1", "role": "boss"})", 422);
  const std::string tech = Login("tech-a", "field-work-secret");
  const std::string viewer = Login("viewer-a", created.body.value("password", ""));
  Ask(viewer, "POST", "/api/v1/users", R"({"username": "u2", "role": "viewer"})", 403);
  Ask(admin, "GET", "/api/v1/users", "", 200);
  Ask(admin, "GET", "/api/v1/users?cursor=not-a-cursor", "", 400);
  Ask(viewer, "GET", "/api/v1/users", "", 403);
  Ask(admin, "GET", "/api/v1/users/tech-a", "", 200);
  Ask(admin, "GET", "/api/v1/users/nope", "", 404);
  Ask(viewer, "GET", "/api/v1/users/tech-a", "", 403);
  Ask(admin, "PUT", "/api/v1/users/spare", R"({"site_ids": ["site-a"]})", 200);
  Ask(admin, "PUT", "/api/v1/users/spare", "{oops", 400);
  Ask(admin, "PUT", "/api/v1/users/spare", R"({"password": "short"})", 422);
  Ask(admin, "PUT", "/api/v1/users/nope", R"({"role": "viewer"})", 404);
  Ask(admin, "PUT", "/api/v1/users/admin", R"({"role": "viewer"})", 409);
  Ask(viewer, "PUT", "/api/v1/users/spare", R"({"role": "viewer"})", 403);

  Ask(viewer, "POST", "/api/v1/sites", R"({"name": "Mine"})", 403);
  Ask(admin, "GET", "/api/v1/sites", "", 200);
  Ask(viewer, "GET", "/api/v1/sites?limit=0", "", 400);
  Ask(viewer, "GET", "/api/v1/sites/site-a", "", 200);
  Ask(viewer, "GET", "/api/v1/sites/site-del", "", 404);
  Ask(admin, "PUT", "/api/v1/sites/site-a", R"({"name": "Site A", "timezone": "Europe/Berlin"})",
      200);
  Ask(admin, "PUT", "/api/v1/sites/site-a", "{oops", 400);
  Ask(admin, "PUT", "/api/v1/sites/site-a", R"({"id": "other", "name": "A"})", 422);
  Ask(admin, "PUT", "/api/v1/sites/nope", R"({"name": "A"})", 404);
  Ask(tech, "PUT", "/api/v1/sites/site-a", R"({"name": "A"})", 403);

  Ask(tech, "POST", "/api/v1/sites/site-a/devices", kBattery, 201);
  // An EV away from home, its id made by the API.
  const std::string ev_id =
      Ask(admin, "POST", "/api/v1/sites/site-a/devices", kEv, 201).body.value("id", "");
  Json ev_a = Json::parse(kEv);
  ev_a["id"] = "ev-a";
  Ask(admin, "POST", "/api/v1/sites/site-a/devices", ev_a.dump(), 201);
  Json del = Json::parse(kBattery);
  del["id"] = "bat-del";
  Ask(admin, "POST", "/api/v1/sites/site-a/devices", del.dump(), 201);
  Ask(admin, "POST", "/api/v1/sites/site-a/devices", kBattery, 409);
  Ask(admin, "POST", "/api/v1/sites/site-a/devices", "{oops", 400);
  Ask(admin, "POST", "/api/v1/sites/site-a/devices",
      R"({"type": "rocket", "name": "R", "properties": {}})", 422);
  Ask(admin, "POST", "/api/v1/sites/nope/devices", kBattery, 404);
  Ask(viewer, "POST", "/api/v1/sites/site-a/devices", kBattery, 403);

  // Telemetry, a charging session and a message the listener rejects, over MQTT.
  const auto ts = Now() - std::chrono::seconds(1);
  stack_.PublishAll(
      {{DeviceTopic("site-a", "bat-a", "telemetry"),
        TelemetryPayload(ts, {{"power_w", -1830.5}, {"soc_pct", 64.5}})},
       {DeviceTopic("site-a", "ev-a", "telemetry"),
        TelemetryPayload(ts, {{"power_w", -7000.0}, {"soc_pct", 40.0}})},
       {SessionTopic("site-a", "st-a"), SessionJson("s-a", "st-a", "2026-11-21T08:00:00Z")},
       {DeviceTopic("site-a", "bat-a", "telemetry"), "not json"}});
  ASSERT_TRUE(stack_.WaitForReceived(4));

  Ask(viewer, "GET", "/api/v1/sites/site-a/devices", "", 200);
  Ask(viewer, "GET", "/api/v1/sites/site-a/devices?limit=x", "", 400);
  Ask(viewer, "GET", "/api/v1/sites/nope/devices", "", 404);
  Ask(viewer, "GET", "/api/v1/devices?type=battery&site_id=site-a", "", 200);
  Ask(viewer, "GET", "/api/v1/devices?type=rocket", "", 400);
  Ask(viewer, "GET", "/api/v1/devices/bat-a", "", 200);
  Ask(viewer, "GET", "/api/v1/devices/" + ev_id, "", 200);
  Ask(viewer, "GET", "/api/v1/devices/nope", "", 404);
  Ask(tech, "PUT", "/api/v1/devices/bat-a", kBattery, 200);
  Ask(tech, "PUT", "/api/v1/devices/bat-a", "{oops", 400);
  Ask(tech, "PUT", "/api/v1/devices/bat-a", R"({"type": "battery", "name": "B", "properties": {}})",
      422);
  Ask(tech, "PUT", "/api/v1/devices/nope", kBattery, 404);
  Ask(viewer, "PUT", "/api/v1/devices/bat-a", kBattery, 403);
  Ask(viewer, "GET", "/api/v1/devices/bat-a/metrics", "", 200);
  Ask(viewer, "GET", "/api/v1/devices/nope/metrics", "", 404);
  Ask(viewer, "GET", "/api/v1/devices/bat-a/metrics/power_w/series", "", 200);
  Ask(viewer, "GET", "/api/v1/devices/bat-a/metrics/power_w/series?interval=raw&agg=max", "", 200);
  Ask(viewer, "GET", "/api/v1/devices/bat-a/metrics/power_w/series?agg=median", "", 400);
  Ask(viewer, "GET", std::string("/api/v1/devices/bat-a/metrics/power_w/series") + kReversed, "",
      422);
  Ask(viewer, "GET", "/api/v1/devices/bat-a/metrics/wind_speed_ms/series", "", 404);

  // Energy.
  Ask(viewer, "GET", "/api/v1/sites/site-a/energy/summary", "", 200);
  Ask(viewer, "GET", "/api/v1/sites/nope/energy/summary", "", 404);
  Ask(viewer, "GET", "/api/v1/sites/site-a/energy/series?interval=15m", "", 200);
  Ask(viewer, "GET", "/api/v1/sites/site-a/energy/series?interval=2h", "", 400);
  Ask(viewer, "GET", "/api/v1/sites/site-a/energy/series?interval=raw", "", 422);
  Ask(viewer, "GET", "/api/v1/sites/nope/energy/series", "", 404);
  Ask(viewer, "GET", "/api/v1/sites/site-a/tariff", "", 200);
  Ask(viewer, "GET", "/api/v1/sites/site-a/tariff?from=yesterday", "", 400);
  Ask(viewer, "GET",
      "/api/v1/sites/site-a/tariff?from=2025-01-01T00:00:00Z&to=2026-06-01T00:00:00Z", "", 422);
  Ask(viewer, "GET", "/api/v1/sites/nope/tariff", "", 404);
  Ask(viewer, "GET", "/api/v1/energy/summary", "", 200);

  // EV charging schedules: the site's viewer operates them.
  const std::string schedule = "/api/v1/devices/ev-a/charging-schedule";
  Ask(viewer, "GET", schedule, "", 200);
  Ask(viewer, "GET", "/api/v1/devices/bat-a/charging-schedule", "", 404);
  Ask(viewer, "PUT", schedule, kSlots, 200);
  Ask(viewer, "PUT", schedule, R"({"target_soc": 0.8, "ready_by": "2030-01-02T07:00:00Z"})", 200);
  Ask(viewer, "PUT", schedule,
      R"({"repeat": [{"days": ["mon", "fri"], "ready_by": "07:00", "target_soc": 0.8}],
          "skip": ["2030-01-04"]})",
      200);
  Ask(viewer, "PUT", schedule, R"({"target_soc": 0.6, "within_hours": 12})", 200);
  Ask(viewer, "PUT", schedule, R"({"repeat": [{"days": ["mon"], "ready_by": "7h"}]})", 422);
  Ask(viewer, "PUT", schedule, "{oops", 400);
  Ask(viewer, "PUT", schedule, R"({"slots": []})", 422);
  Ask(viewer, "PUT", "/api/v1/devices/nope/charging-schedule", kSlots, 404);
  for (const std::string action : {"/pause", "/resume", "/override"}) {
    Ask(viewer, "POST", schedule + action, "", 200);
    Ask(viewer, "POST", "/api/v1/devices/nope/charging-schedule" + action, "", 404);
  }
  Ask(viewer, "PUT", "/api/v1/devices/" + ev_id + "/state", R"({"is_at_home": false})", 200);
  Ask(viewer, "POST", "/api/v1/devices/" + ev_id + "/charging-schedule/override", "", 409);
  Ask(viewer, "PUT", "/api/v1/devices/ev-a/state", "{oops", 400);
  Ask(viewer, "PUT", "/api/v1/devices/ev-a/state", R"({"is_at_home": "yes"})", 422);
  Ask(viewer, "PUT", "/api/v1/devices/nope/state", R"({"is_at_home": true})", 404);

  // Charging sessions and stations.
  Ask(viewer, "GET", "/api/v1/sessions?site_id=site-a&status=completed", "", 200);
  Ask(viewer, "GET", "/api/v1/sessions?status=paused", "", 400);
  Ask(viewer, "GET", std::string("/api/v1/sessions") + kReversed, "", 422);
  Ask(viewer, "GET", "/api/v1/sessions/s-a", "", 200);
  Ask(viewer, "GET", "/api/v1/sessions/nope", "", 404);
  const std::string ledger = "/api/v1/sessions/export?from=2026-11-01&to=2026-11-30";
  EXPECT_EQ(Ask(viewer, "GET", ledger, "", 200).body["items"].size(), 1u);
  Ask(viewer, "GET", ledger + "&format=csv", "", 200);
  Ask(viewer, "GET", ledger + "&format=xlsx", "", 400);
  Ask(viewer, "GET", "/api/v1/sessions/export?from=2026-11-31&to=2026-12-01", "", 400);
  Ask(viewer, "GET", "/api/v1/sessions/export?from=2026-12-01&to=2026-11-30", "", 422);
  Ask(viewer, "GET", "/api/v1/stations", "", 200);
  Ask(viewer, "GET", "/api/v1/stations?limit=0", "", 400);
  Ask(viewer, "GET", "/api/v1/stations/st-a/sessions/summary", "", 200);
  Ask(viewer, "GET", "/api/v1/stations/st-a/sessions/summary?from=yesterday", "", 400);
  Ask(viewer, "GET", std::string("/api/v1/stations/st-a/sessions/summary") + kReversed, "", 422);
  Ask(viewer, "GET", "/api/v1/stations/nope/sessions/summary", "", 404);
  // An OCPP charger's remote commands (docs/ocpp.md). ems-ocpp does not run in this stack, so a
  // registered charger is not connected (409); the charger's own answers (202, 422, 504) need
  // one on the line: tests/ocpp/ asks for them.
  ASSERT_EQ(stack_.EmsApiCommand("charger add site-a cp-a").code, 0);
  for (const std::string command : {"remote-start", "remote-stop"}) {
    Ask(viewer, "POST", "/api/v1/stations/cp-a/" + command, R"({"connector": 1})", 409);
    Ask(viewer, "POST", "/api/v1/stations/cp-a/" + command, "{oops", 400);
    Ask(viewer, "POST", "/api/v1/stations/nope/" + command, "", 404);
  }

  // Ingest.
  Ask(admin, "GET", "/api/v1/ingest/stats", "", 200);
  Ask(viewer, "GET", "/api/v1/ingest/stats", "", 403);
  const auto letters = Ask(admin, "GET", "/api/v1/ingest/dead-letters", "", 200);
  EXPECT_EQ(letters.body["items"].size(), 1u) << letters.raw;
  Ask(admin, "GET", "/api/v1/ingest/dead-letters?cursor=not-a-cursor", "", 400);
  Ask(viewer, "GET", "/api/v1/ingest/dead-letters", "", 403);

  // Contracts, their events and timelines.
  Ask(admin, "POST", "/api/v1/contracts",
      R"({"contract_number": "c-a", "components": ["energy_supply", "battery_optimization"],
          "site_id": "site-a"})",
      201);
  Ask(tech, "POST", "/api/v1/contracts",
      R"({"contract_number": 1002, "components": ["energy_supply"], "site_id": "site-a"})", 201);
  Ask(admin, "POST", "/api/v1/contracts", R"({"contract_number": "c-a", "components":
      ["energy_supply"]})",
      409);
  Ask(admin, "POST", "/api/v1/contracts", "{oops", 400);
  Ask(admin, "POST", "/api/v1/contracts", R"({"contract_number": "c-b", "components": []})", 422);
  Ask(admin, "POST", "/api/v1/contracts",
      R"({"contract_number": "c-b", "components": ["energy_supply"], "site_id": "nope"})", 404);
  Ask(viewer, "POST", "/api/v1/contracts",
      R"({"contract_number": "c-b", "components": ["energy_supply"], "site_id": "site-a"})", 403);
  Ask(viewer, "GET", "/api/v1/contracts", "", 200);
  Ask(viewer, "GET", "/api/v1/contracts?limit=0", "", 400);
  const std::string events = "/api/v1/contracts/events";
  Ask(tech, "POST", events,
      R"({"type": "supply_energy_start", "contract_number": "c-a", "date": "2024-12-01"})", 200);
  Ask(tech, "POST", events,
      R"({"type": "supply_energy_end", "contract_number": "c-a", "date": "2024-11-01"})", 422);
  Ask(tech, "POST", events, R"({"type": "supply_energy_end", "contract_number": "c-a"})", 422);
  Ask(tech, "POST", events,
      R"({"type": "supply_energy_end", "contract_number": "9999", "date": "2024-11-01"})", 404);
  Ask(tech, "POST", events, "{oops", 400);
  Ask(viewer, "POST", events,
      R"({"type": "supply_energy_end", "contract_number": "c-a", "date": "2025-01-01"})", 403);
  Ask(tech, "POST", "/event",
      R"({"type": "battery_optimization_start", "contract_number": "c-a", "date": "2024-12-01"})",
      200);
  Ask(tech, "POST", "/event",
      R"({"type": "supply_energy_end", "contract_number": "9999", "date": "2024-12-01"})", 200);
  Ask(tech, "POST", "/event", "{oops", 400);
  Ask(viewer, "POST", "/event",
      R"({"type": "supply_energy_end", "contract_number": "c-a", "date": "2025-01-01"})", 403);
  Ask(viewer, "GET", "/api/v1/contracts/c-a", "", 200);
  Ask(viewer, "GET", "/api/v1/contracts/nope", "", 404);
  Ask(viewer, "GET", "/api/v1/contracts/c-a/events?limit=2", "", 200);
  Ask(viewer, "GET", "/api/v1/contracts/c-a/events?cursor=not-a-cursor", "", 400);
  Ask(viewer, "GET", "/api/v1/contracts/nope/events", "", 404);
  Ask(viewer, "GET", "/api/v1/contracts/c-a/timeline", "", 200);
  Ask(viewer, "GET", "/api/v1/contracts/nope/timeline", "", 404);
  Ask(viewer, "GET", "/c-a/contract_timeline", "", 200);
  Ask(viewer, "GET", "/9999/contract_timeline", "", 404);
  Ask(viewer, "DELETE", "/api/v1/contracts/1002", "", 403);
  Ask(tech, "DELETE", "/api/v1/contracts/1002", "", 204);
  Ask(tech, "DELETE", "/api/v1/contracts/1002", "", 404);

  // Subscriptions: the viewer's own.
  const std::string mine = R"({"name": "Mine", "metrics": [{"device_id": "bat-a",
                              "metric": "power_w"}, {"device_id": "ev-a", "metric": "soc_pct"}]})";
  const std::string sub =
      Ask(viewer, "POST", "/api/v1/subscriptions", mine, 201).body.value("id", "");
  Ask(viewer, "POST", "/api/v1/subscriptions", "{oops", 400);
  Ask(viewer, "POST", "/api/v1/subscriptions", R"({"name": "Empty", "metrics": []})", 422);
  Ask(viewer, "POST", "/api/v1/subscriptions",
      R"({"name": "X", "metrics": [{"device_id": "nope", "metric": "power_w"}]})", 404);
  Ask(viewer, "GET", "/api/v1/subscriptions", "", 200);
  Ask(viewer, "GET", "/api/v1/subscriptions?limit=0", "", 400);
  Ask(viewer, "GET", "/api/v1/subscriptions/" + sub, "", 200);
  Ask(admin, "GET", "/api/v1/subscriptions/" + sub, "", 404);
  Ask(viewer, "PUT", "/api/v1/subscriptions/" + sub, mine, 200);
  Ask(viewer, "PUT", "/api/v1/subscriptions/" + sub, "{oops", 400);
  Ask(viewer, "PUT", "/api/v1/subscriptions/" + sub, R"({"name": "", "metrics": []})", 422);
  Ask(viewer, "PUT", "/api/v1/subscriptions/nope", mine, 404);
  Ask(viewer, "GET", "/api/v1/subscriptions/" + sub + "/series?interval=1h", "", 200);
  Ask(viewer, "GET", "/api/v1/subscriptions/" + sub + "/series?interval=2h", "", 400);
  Ask(viewer, "GET", "/api/v1/subscriptions/" + sub + "/series" + kReversed, "", 422);
  Ask(viewer, "GET", "/api/v1/subscriptions/nope/series", "", 404);
  // A deleted device's metric is answered as unavailable.
  Ask(tech, "DELETE", "/api/v1/devices/ev-a", "", 204);
  Ask(viewer, "GET", "/api/v1/subscriptions/" + sub + "/series", "", 200);
  Ask(viewer, "DELETE", "/api/v1/subscriptions/" + sub, "", 204);
  Ask(viewer, "DELETE", "/api/v1/subscriptions/" + sub, "", 404);

  // Deletions.
  Ask(viewer, "DELETE", "/api/v1/devices/bat-del", "", 403);
  Ask(tech, "DELETE", "/api/v1/devices/bat-del", "", 204);
  Ask(tech, "DELETE", "/api/v1/devices/bat-del", "", 404);
  Ask(admin, "DELETE", "/api/v1/sites/site-a", "", 409);
  Ask(admin, "DELETE", "/api/v1/sites/site-a?cascade=maybe", "", 400);
  Ask(tech, "DELETE", "/api/v1/sites/site-del", "", 403);
  Ask(admin, "DELETE", "/api/v1/sites/site-del", "", 204);
  Ask(admin, "DELETE", "/api/v1/sites/site-del", "", 404);
  Ask(viewer, "DELETE", "/api/v1/users/spare", "", 403);
  Ask(admin, "DELETE", "/api/v1/users/spare", "", 204);
  Ask(admin, "DELETE", "/api/v1/users/spare", "", 404);
  Ask(admin, "DELETE", "/api/v1/users/admin", "", 409);

  // Every route: without a token (401, unless public); every POST and PUT: over 1 MiB (413).
  const auto routes = RegisteredRoutes(stack_.dir());
  for (const auto& route : routes) {
    const auto space = route.find(' ');
    const auto method = route.substr(0, space);
    const auto path = std::regex_replace(route.substr(space + 1), std::regex(R"(\([^)]*\))"), "x");
    if (!kPublicRoutes.count(route)) Ask(none, method, path, "", 401);
    if (method == "POST" || method == "PUT") AskTooLarge(method, path);
  }

  // Where tests/contract/CMakeLists.txt has validate.mjs read them.
  const char* dir = std::getenv("EMS_CONTRACT_DIR");
  ASSERT_NE(dir, nullptr) << "EMS_CONTRACT_DIR names no folder to write the answers to";
  std::filesystem::create_directories(dir);
  std::ofstream(std::string(dir) + "/openapi.json") << document.raw;
  std::ofstream(std::string(dir) + "/answers.json")
      << Json{{"routes", routes}, {"answers", answers_}}.dump(1);
}

}  // namespace
}  // namespace ems::testing
