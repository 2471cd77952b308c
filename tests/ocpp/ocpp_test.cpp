// ems-ocpp end to end (docs/contract.md §4.5, docs/ocpp.md): a charge point driven by ocpp-rpc in
// strict mode (tests/ocpp/charge_point.js, every message checked against the official OCPP 1.6 JSON
// schemas) talks to the real ems-ocpp, which publishes to a real Mosquitto; the real listener
// stores what it publishes and the real API answers what a user would check.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.h"

namespace ems::testing {
namespace {

constexpr const char* kSite = "home";
constexpr const char* kStation = "st-1";
constexpr const char* kIdTag = "TAG-EV1";

class OcppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_.StartBroker();
    stack_.StartListener();
    stack_.StartApi();
    stack_.StartOcpp();
    const auto added = stack_.EmsApiCommand(std::string("charger add ") + kSite + " " + kStation +
                                            " --max-power-w 11000");
    ASSERT_EQ(added.code, 0) << added.output;
    password_ = PrintedPassword(added.output);
    ASSERT_FALSE(password_.empty()) << added.output;
    const auto ev = stack_.Post(std::string("/api/v1/sites/") + kSite + "/devices",
                                {{"id", "ev-1"},
                                 {"type", "ev"},
                                 {"name", "Car"},
                                 {"properties",
                                  {{"battery_capacity_wh", 60000},
                                   {"max_charge_w", 7400},
                                   {"max_discharge_w", 0},
                                   {"id_tag", kIdTag},
                                   {"station_id", kStation}}}});
    ASSERT_EQ(ev.status, 201) << ev.raw;
    std::filesystem::create_directories(signals());
  }

  std::string signals() const { return stack_.dir() + "/signals"; }
  void Signal(const std::string& name) { std::ofstream(signals() + "/" + name) << "\n"; }

  // The charge point running `scenario`, in the background, connected to ems-ocpp directly or
  // through the edge (nginx), as a real charger reaches it.
  std::unique_ptr<Process> ChargePoint(const std::string& scenario, bool via_edge = false) {
    const int port = via_edge ? stack_.edge_port() : stack_.ocpp_port();
    return std::make_unique<Process>(
        std::vector<std::string>{"/usr/bin/env", "node", EMS_OCPP_NODE_DIR "/charge_point.js",
                                 scenario},
        std::map<std::string, std::string>{
            {"PATH", "/usr/local/bin:/usr/bin:/bin"},
            {"EMS_OCPP_URL", "ws://127.0.0.1:" + std::to_string(port) + "/ocpp"},
            {"EMS_STATION", kStation},
            {"EMS_PASSWORD", password_},
            {"EMS_ID_TAG", kIdTag},
            {"EMS_SIGNAL_DIR", signals()}},
        stack_.dir(), stack_.dir() + "/charge-point-" + scenario + ".log");
  }

  // The steps the charge point printed so far.
  static std::vector<Json> Steps(const Process& p) {
    std::vector<Json> steps;
    std::istringstream in(p.Log());
    for (std::string line; std::getline(in, line);) {
      const auto j = Json::parse(line, nullptr, false);
      if (j.is_object() && j.contains("step")) steps.push_back(j);
    }
    return steps;
  }
  static std::optional<Json> Step(const Process& p, const std::string& name) {
    for (auto& s : Steps(p)) {
      if (s["step"] == name) return s;
    }
    return std::nullopt;
  }
  static Json WaitStep(const Process& p, const std::string& name) {
    std::optional<Json> step;
    WaitFor([&] { return (step = Step(p, name)).has_value(); }, std::chrono::seconds(30));
    if (!step) ADD_FAILURE() << "no step " << name << " in:\n" << p.Log();
    return step.value_or(Json::object());
  }
  // Runs `scenario` to its end; it must succeed.
  std::unique_ptr<Process> Run(const std::string& scenario, bool via_edge = false) {
    auto p = ChargePoint(scenario, via_edge);
    EXPECT_EQ(p->Wait(std::chrono::seconds(60)), 0) << p->Log();
    return p;
  }

  std::vector<Json> Sessions() {
    return stack_.Get(std::string("/api/v1/sessions?station_id=") + kStation).body["items"];
  }

  Stack stack_;
  std::string password_;
};

TEST_F(OcppTest, AWholeTransactionIsStoredExactlyOnceAtTheChargersTimes) {
  const auto cp = Run("transaction", /*via_edge=*/true);
  const auto authorized = *Step(*cp, "authorized");
  EXPECT_EQ(authorized["good"], "Accepted");
  EXPECT_EQ(authorized["bad"], "Invalid");
  const auto tx = (*Step(*cp, "started"))["transactionId"].get<long>();
  EXPECT_EQ((*Step(*cp, "started"))["idTagInfo"]["status"], "Accepted");
  const auto stopped = *Step(*cp, "stopped");
  EXPECT_EQ(stopped["first"]["idTagInfo"]["status"], "Accepted");
  EXPECT_EQ(stopped["again"], stopped["first"]);
  EXPECT_EQ((*Step(*cp, "data-transfer"))["status"], "UnknownVendorId");

  // One completed session, though StopTransaction came twice: 11000 − 1000 Wh.
  std::vector<Json> sessions;
  ASSERT_TRUE(WaitFor([&] {
    sessions = Sessions();
    return sessions.size() == 1 && sessions[0]["status"] == "completed";
  })) << Json(sessions).dump();
  const auto& s = sessions[0];
  EXPECT_EQ(s["session_id"], std::string(kStation) + "-" + std::to_string(tx));
  EXPECT_EQ(s["site_id"], kSite);
  EXPECT_EQ(s["vehicle_id"], "ev-1");
  EXPECT_EQ(s["connector"], 1);
  EXPECT_DOUBLE_EQ(s["energy_kwh"].get<double>(), 10.0);
  EXPECT_TRUE(s["cost"].is_null());  // the site has no tariff
  // Started an hour ago by the charger's clock, not when the message arrived.
  const auto started = ParseTimestamp(s["started_at"].get<std::string>());
  ASSERT_TRUE(started.has_value());
  EXPECT_NEAR(std::chrono::duration<double>(Now() - *started).count(), 3600, 120);

  // Telemetry at the charger's timestamps, the doubled MeterValues stored once: the register
  // reading half an hour ago (6 kWh) and the one of transactionData ten minutes ago.
  const auto from = FormatTimestamp(Now() - std::chrono::hours(2));
  const auto to = FormatTimestamp(Now() + std::chrono::minutes(1));
  const auto series = [&](const std::string& metric) {
    return stack_
        .Get(std::string("/api/v1/devices/") + kStation + "/metrics/" + metric +
             "/series?interval=raw&from=" + from + "&to=" + to)
        .body["points"];
  };
  Json energy;
  ASSERT_TRUE(WaitFor([&] { return (energy = series("energy_wh")).size() == 2; })) << energy.dump();
  EXPECT_DOUBLE_EQ(energy[0]["value"].get<double>(), 6000);
  EXPECT_DOUBLE_EQ(energy[1]["value"].get<double>(), 11000);
  const auto power = series("power_w");
  ASSERT_EQ(power.size(), 1u) << power.dump();
  EXPECT_DOUBLE_EQ(power[0]["value"].get<double>(), -7400);  // 3600 W + 3.8 kW drawn
  EXPECT_EQ(power[0]["ts"], energy[0]["ts"]);

  // The station's device: what the boot said, the connector's status.
  const auto device = stack_.Get(std::string("/api/v1/devices/") + kStation).body;
  EXPECT_EQ(device["properties"]["vendor"], "Elecq");
  EXPECT_EQ(device["properties"]["firmware"], "1.4.7");
  EXPECT_EQ(device["properties"]["max_power_w"], 11000);
  EXPECT_EQ(device["state"]["connector_1"], "Charging");
  EXPECT_DOUBLE_EQ(device["metrics"]["soc_pct"]["value"].get<double>(), 61);

  const auto stations = stack_.Get("/api/v1/stations").body["items"];
  ASSERT_EQ(stations.size(), 1u) << stations.dump();
  EXPECT_EQ(stations[0]["ocpp"]["vendor"], "Elecq");
  EXPECT_EQ(stations[0]["ocpp"]["model"], "AU101");
  EXPECT_EQ(stations[0]["ocpp"]["firmware"], "1.4.7");
  EXPECT_FALSE(stations[0]["ocpp"]["last_seen"].is_null());
  EXPECT_TRUE(WaitFor([&] {
    return stack_.Get("/api/v1/stations").body["items"][0]["ocpp"]["connected"] == false;
  }));
}

// Prices with validity (docs/contract.md §4.1, §4.5): a session is priced at the prices valid
// while it ran, though a dearer tariff for the same hours arrived before it ended.
TEST_F(OcppTest, ASessionIsPricedAtThePricesValidWhileItRan) {
  const Timestamp first_hour =
      std::chrono::floor<std::chrono::hours>(Now()) - std::chrono::hours(3);
  const auto tariff = [&](double price) {
    Json prices = Json::array();
    for (int h = 0; h < 6; ++h) {
      prices.push_back({{"start", FormatTimestamp(first_hour + std::chrono::hours(h))},
                        {"end", FormatTimestamp(first_hour + std::chrono::hours(h + 1))},
                        {"price_per_kwh", price}});
    }
    return Json{{"currency", "EUR"}, {"prices", prices}}.dump();
  };
  const std::string topic = std::string(Stack::kPrefix) + "/sites/" + kSite + "/tariff";
  const std::string tariff_path = std::string("/api/v1/sites/") + kSite + "/tariff";
  const auto price_now = [&] {
    const auto prices = stack_.Get(tariff_path).body["prices"];
    return prices.empty() ? 0.0 : prices.back()["price_per_kwh"].get<double>();
  };
  stack_.Publish(topic, tariff(0.20), true);
  ASSERT_TRUE(WaitFor([&] { return price_now() == 0.20; }));
  // The same hours dearer: from now on (the hours not yet begun) 0.50.
  stack_.Publish(topic, tariff(0.50), true);
  ASSERT_TRUE(WaitFor([&] { return price_now() == 0.50; }));

  Run("transaction");  // started an hour ago by the charger's clock, 10 kWh
  std::vector<Json> sessions;
  ASSERT_TRUE(WaitFor([&] {
    sessions = Sessions();
    return sessions.size() == 1 && sessions[0]["status"] == "completed";
  })) << Json(sessions).dump();
  EXPECT_DOUBLE_EQ(sessions[0]["cost"].get<double>(), 2.00) << sessions[0].dump();  // not 5.00
  EXPECT_EQ(sessions[0]["currency"], "EUR");
}

TEST_F(OcppTest, UnknownStationsWrongPasswordsAndMissingSubprotocolsAreRefusedBeforeTheUpgrade) {
  const auto cp = Run("handshake", /*via_edge=*/true);
  EXPECT_EQ((*Step(*cp, "wrong-password"))["status"], 401);
  EXPECT_EQ((*Step(*cp, "unknown-station"))["status"], 401);
  EXPECT_EQ((*Step(*cp, "no-credentials"))["status"], 401);
  EXPECT_EQ((*Step(*cp, "no-subprotocol"))["status"], 400);
  EXPECT_EQ((*Step(*cp, "other-subprotocol"))["status"], 400);
  EXPECT_EQ((*Step(*cp, "good"))["status"], "open:ocpp1.6");
}

TEST_F(OcppTest, BrokenFramesAreAnsweredAndAFrameOver64KiBClosesWith1009) {
  const auto cp = Run("raw");
  auto answer = [&](const char* step) { return (*Step(*cp, step))["answer"]; };
  EXPECT_EQ(answer("not-json")[0], 4);
  EXPECT_EQ(answer("not-json")[1], "-1");
  EXPECT_EQ(answer("not-json")[2], "FormationViolation");
  EXPECT_EQ(answer("no-id")[2], "FormationViolation");
  EXPECT_EQ(answer("bad-envelope")[1], "m1");
  EXPECT_EQ(answer("bad-envelope")[2], "ProtocolError");
  EXPECT_EQ(answer("unknown-action")[1], "m2");
  EXPECT_EQ(answer("unknown-action")[2], "NotImplemented");
  EXPECT_EQ(answer("bad-payload")[2], "FormationViolation");
  EXPECT_EQ(answer("still-open")[0], 3);
  EXPECT_TRUE(answer("still-open")[2].contains("currentTime"));
  EXPECT_EQ((*Step(*cp, "oversized"))["close"], 1009);
  EXPECT_TRUE(stack_.ocpp().Running());
}

TEST_F(OcppTest, ANewConnectionOfAStationReplacesItsOldOne) {
  const auto cp = Run("replace");
  EXPECT_EQ((*Step(*cp, "old-closed"))["code"], 1008);
  EXPECT_TRUE((*Step(*cp, "new-answers")).contains("currentTime"));
  EXPECT_NE(stack_.ocpp().Log().find("connected again; closing its old connection"),
            std::string::npos);
}

TEST_F(OcppTest, ASigkillMidTransactionLosesNothingAndNeverReusesATransactionId) {
  auto cp = ChargePoint("killed");
  const auto tx = WaitStep(*cp, "started")["transactionId"].get<long>();
  // The stop cannot reach the broker, so it must stay unanswered; ems-ocpp dies holding it.
  stack_.StopBroker();
  Signal("broker-down");
  WaitStep(*cp, "waiting-for-restart");
  EXPECT_EQ(stack_.ocpp().Stop(SIGKILL), 128 + SIGKILL);
  stack_.StartBroker();
  stack_.StartOcpp();
  ASSERT_EQ(cp->Wait(std::chrono::seconds(60)), 0) << cp->Log();
  EXPECT_TRUE(Step(*cp, "stop-unanswered").has_value());
  const auto again = (*Step(*cp, "started-again"))["transactionId"].get<long>();
  EXPECT_GT(again, tx);

  std::vector<Json> sessions;
  ASSERT_TRUE(WaitFor(
      [&] {
        sessions = Sessions();
        return sessions.size() == 2;
      },
      std::chrono::seconds(30)))
      << Json(sessions).dump();
  const auto first = std::string(kStation) + "-" + std::to_string(tx);
  const auto it =
      std::ranges::find_if(sessions, [&](const Json& s) { return s["session_id"] == first; });
  ASSERT_NE(it, sessions.end());
  EXPECT_EQ((*it)["status"], "completed");
  EXPECT_DOUBLE_EQ((*it)["energy_kwh"].get<double>(), 7.5);  // 12500 − 5000 Wh
}

// The periods of a SetChargingProfile as (seconds from its start, limit in W).
std::vector<std::pair<long, double>> Periods(const Json& params) {
  std::vector<std::pair<long, double>> out;
  for (const auto& p : params["csChargingProfiles"]["chargingSchedule"]["chargingSchedulePeriod"]) {
    out.emplace_back(p["startPeriod"].get<long>(), p["limit"].get<double>());
  }
  return out;
}

TEST_F(OcppTest, AnEvsPlanReachesItsChargerAsAChargingProfileAfterBootAndOnEveryChange) {
  const auto now = Now();
  const auto slot = [&](int from_h, int to_h) {
    return Json{{"start", FormatTimestamp(now + std::chrono::hours(from_h))},
                {"end", FormatTimestamp(now + std::chrono::hours(to_h))}};
  };
  ASSERT_EQ(stack_
                .Request("PUT", "/api/v1/devices/ev-1/charging-schedule",
                         Json{{"slots", {slot(1, 2)}}}.dump(), stack_.AdminToken())
                .status,
            200);
  auto cp = ChargePoint("profiles");
  // The profiles the charger received, in order. ems-ocpp may boot the charger before the EV's
  // retained schedule reached it (a slow start, under the sanitizers): it then clears first.
  const auto profiles = [&] {
    std::vector<Json> out;
    for (const auto& s : Steps(*cp)) {
      if (s.value("step", "") == "received" && s.value("action", "") == "SetChargingProfile") {
        out.push_back(s);
      }
    }
    return out;
  };
  // After the boot: the plan as it stands, limits in W (max_charge_w inside the slot).
  ASSERT_TRUE(WaitFor([&] { return !profiles().empty(); }, std::chrono::seconds(30))) << cp->Log();
  const Json first = profiles().front();
  const Json profile = first["params"].value("csChargingProfiles", Json::object());
  EXPECT_EQ(profile["chargingProfilePurpose"], "TxDefaultProfile");
  EXPECT_EQ(profile["chargingProfileKind"], "Absolute");
  EXPECT_EQ(profile["chargingSchedule"]["chargingRateUnit"], "W");
  auto periods = Periods(first["params"]);
  ASSERT_EQ(periods.size(), 3u) << first.dump();
  EXPECT_EQ(periods[0], (std::pair<long, double>{0, 0}));
  EXPECT_NEAR(periods[1].first, 3600, 60);
  EXPECT_EQ(periods[1].second, 7400);
  EXPECT_NEAR(periods[2].first, 7200, 60);
  EXPECT_EQ(periods[2].second, 0);
  // The charger's answer is visible on the station.
  EXPECT_TRUE(WaitFor([&] {
    const auto d = stack_.Get(std::string("/api/v1/devices/") + kStation).body;
    return d.value("state", Json::object()).value("charging_profile", "") == "Accepted";
  }));

  // A change of plan (charge now for an hour) reaches it again.
  ASSERT_EQ(stack_.Post("/api/v1/devices/ev-1/charging-schedule/override", Json::object()).status,
            200);
  ASSERT_TRUE(WaitFor([&] { return profiles().size() >= 2; })) << cp->Log();
  const Json second = profiles().back();
  periods = Periods(second["params"]);
  ASSERT_FALSE(periods.empty());
  EXPECT_EQ(periods[0], (std::pair<long, double>{0, 7400}));
  Signal("done");
  EXPECT_EQ(cp->Wait(), 0) << cp->Log();
}

TEST_F(OcppTest, RemoteStartAndStopReachTheChargerForThoseWhoSeeItsSite) {
  const auto route = std::string("/api/v1/stations/") + kStation;
  // Not connected yet.
  EXPECT_EQ(stack_.Post(route + "/remote-start", Json::object()).status, 409);
  ASSERT_TRUE(stack_.AddUser("viewer-home", "viewer-home-password", "viewer", {kSite}));
  ASSERT_TRUE(stack_.AddUser("viewer-other", "viewer-other-password", "viewer", {"other"}));
  const auto home = stack_.Login("viewer-home", "viewer-home-password");
  const auto other = stack_.Login("viewer-other", "viewer-other-password");
  EXPECT_EQ(stack_.Post(route + "/remote-start", Json::object(), other).status, 404);

  auto cp = ChargePoint("remote");
  WaitStep(*cp, "booted");
  const auto started = stack_.Post(route + "/remote-start", {{"connector", 1}}, home);
  EXPECT_EQ(started.status, 202) << started.raw;
  EXPECT_EQ(started.body["status"], "Accepted");
  EXPECT_EQ(WaitStep(*cp, "remote-start")["idTag"], "ems-remote");
  const auto tx = WaitStep(*cp, "started");
  EXPECT_EQ(tx["idTagInfo"]["status"], "Accepted");  // the tag ems-ocpp asked for

  const auto stopped = stack_.Post(route + "/remote-stop", Json::object(), home);
  EXPECT_EQ(stopped.status, 202) << stopped.raw;
  EXPECT_EQ(WaitStep(*cp, "remote-stop")["transactionId"], tx["transactionId"]);
  WaitStep(*cp, "stopped");
  EXPECT_TRUE(WaitFor([&] {
    const auto s = Sessions();
    return s.size() == 1 && s[0]["status"] == "completed";
  }));
  // Nothing runs any more.
  EXPECT_EQ(stack_.Post(route + "/remote-stop", Json::object(), home).status, 409);
  Signal("done");
  EXPECT_EQ(cp->Wait(), 0) << cp->Log();
}

}  // namespace
}  // namespace ems::testing
