// The GraphQL tier (docs/graphql.md): ems-graphql behind the real edge, resolving through the
// real ems-api of a real stack (broker, listener) with two users on two sites and a viewer (the
// queries), a third site with its own technician and viewer (the mutations, which run beside), and
// the Node test suite graphql/test/ (node --test) asking it what a smart-home client asks. The
// stack and who is on it reach the suite in EMS_TEST_STACK (graphql/test/stack.js reads it).
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "harness.h"

namespace ems::testing {
namespace {

using std::chrono::minutes;

std::string Telemetry(Timestamp ts, const Json& metrics, const Json& state = Json::object()) {
  Json j = {{"ts", FormatTimestamp(ts)}, {"metrics", metrics}};
  if (!state.empty()) j["state"] = state;
  return j.dump();
}

std::string DeviceTopic(const std::string& site, const std::string& device) {
  return std::string(Stack::kPrefix) + "/sites/" + site + "/devices/" + device + "/telemetry";
}

// Runs `command` with `env` added to this process's environment; its output and exit code.
CommandResult RunWithEnv(const std::string& command, const std::string& env_file) {
  CommandResult r;
  FILE* p = ::popen(("set -a; . " + env_file + "; set +a; " + command + " 2>&1").c_str(), "r");
  char buf[4096];
  while (p && std::fgets(buf, sizeof buf, p)) r.output += buf;
  const int status = p ? ::pclose(p) : -1;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Single-quoted for a shell.
std::string Quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

TEST(GraphqlTest, NodeSuiteAgainstTheStack) {
  Stack stack;
  stack.StartBroker();
  stack.StartListener();
  stack.StartApi();
  // REST calls time out after 3 s (10 by default), so the test of a stalled API is short.
  stack.StartGraphql({{"EMS_GRAPHQL_API_TIMEOUT_MS", "3000"}});
  const auto token = stack.AdminToken();

  // Two sites; on the first a solar panel, a battery and an EV, on the second a solar panel; the
  // third, with an EV, is changed by the mutation tests.
  for (const auto& [id, name] : {std::pair{"site-a", "Home A"}, std::pair{"site-b", "Home B"},
                                 std::pair{"site-m", "Home M"}}) {
    ASSERT_EQ(stack.Post("/api/v1/sites", {{"id", id}, {"name", name}}, token).status, 201);
  }
  const Json devices = Json::array(
      {Json{{"site", "site-a"},
            {"id", "pv-a"},
            {"type", "solar_panel"},
            {"name", "Roof"},
            {"properties", {{"rated_power_w", 5000}}}},
       Json{{"site", "site-a"},
            {"id", "bat-a"},
            {"type", "battery"},
            {"name", "Garage battery"},
            {"properties",
             {{"capacity_wh", 10000}, {"max_charge_w", 3000}, {"max_discharge_w", 3000}}}},
       Json{{"site", "site-a"},
            {"id", "car-a"},
            {"type", "ev"},
            {"name", "Family car"},
            {"properties",
             {{"battery_capacity_wh", 60000}, {"max_charge_w", 11000}, {"max_discharge_w", 0}}}},
       Json{{"site", "site-m"},
            {"id", "car-m"},
            {"type", "ev"},
            {"name", "Van"},
            {"properties",
             {{"battery_capacity_wh", 50000}, {"max_charge_w", 7400}, {"max_discharge_w", 0}}}},
       Json{{"site", "site-b"},
            {"id", "pv-b"},
            {"type", "solar_panel"},
            {"name", "Barn roof"},
            {"properties", {{"rated_power_w", 8000}}}}});
  for (const auto& d : devices) {
    Json body = d;
    body.erase("site");
    const auto a =
        stack.Post("/api/v1/sites/" + d["site"].get<std::string>() + "/devices", body, token);
    ASSERT_EQ(a.status, 201) << a.raw;
  }
  // Latest values now, and an hour of history for series.
  const auto now = Now();
  std::vector<std::pair<std::string, std::string>> messages;
  for (int m = 60; m >= 0; m -= 10) {
    const auto ts = now - minutes(m);
    messages.emplace_back(DeviceTopic("site-a", "pv-a"), Telemetry(ts, {{"power_w", 1500.0 + m}}));
    messages.emplace_back(DeviceTopic("site-b", "pv-b"), Telemetry(ts, {{"power_w", 4000.0}}));
  }
  messages.emplace_back(DeviceTopic("site-a", "bat-a"),
                        Telemetry(now, {{"power_w", -800.0}, {"soc_pct", 55.0}}));
  messages.emplace_back(DeviceTopic("site-a", "car-a"),
                        Telemetry(now, {{"power_w", -3000.0}, {"soc_pct", 40.0}},
                                  {{"mode", "charging"}, {"at_home", true}}));
  messages.emplace_back(DeviceTopic("site-m", "car-m"),
                        Telemetry(now, {{"soc_pct", 30.0}}, {{"at_home", true}}));
  messages.emplace_back(SessionTopic("site-a", "st-a"),
                        SessionJson("sess-a", "st-a", "2026-11-21T08:00:00Z"));
  messages.emplace_back(SessionTopic("site-b", "st-b"),
                        SessionJson("sess-b", "st-b", "2026-11-21T08:00:00Z"));
  stack.PublishAll(messages);
  ASSERT_TRUE(stack.WaitForReceived(static_cast<long>(messages.size())));

  // alice and bob are technicians of one site each, vera a viewer of site-a; tom and val the
  // technician and viewer of site-m.
  ASSERT_TRUE(stack.AddUser("alice", "alice-password-1", "technician", {"site-a"}));
  ASSERT_TRUE(stack.AddUser("bob", "bob-password-12", "technician", {"site-b"}));
  ASSERT_TRUE(stack.AddUser("vera", "vera-password-1", "viewer", {"site-a"}));
  ASSERT_TRUE(stack.AddUser("tom", "tom-password-12", "technician", {"site-m"}));
  ASSERT_TRUE(stack.AddUser("val", "val-password-12", "viewer", {"site-m"}));

  const Json fixture = {
      {"edgeUrl", "http://127.0.0.1:" + std::to_string(stack.edge_port())},
      {"graphqlDirectUrl", "http://127.0.0.1:" + std::to_string(stack.graphql_port())},
      {"users",
       {{"admin", Stack::kAdminPassword},
        {"alice", "alice-password-1"},
        {"bob", "bob-password-12"},
        {"vera", "vera-password-1"},
        {"tom", "tom-password-12"},
        {"val", "val-password-12"}}}};
  const std::string env_file = stack.dir() + "/graphql-test.env";
  std::ofstream(env_file) << "EMS_TEST_STACK=" << Quoted(fixture.dump()) << "\n";

  const auto result = RunWithEnv(
      Quoted(EMS_NODE) + " --test " + Quoted(stack.SourcePath("graphql/test/")), env_file);
  std::cout << result.output;
  EXPECT_EQ(result.code, 0) << "node --test graphql/test/ failed; see its output above";
  // A stalled API (stopped by SIGSTOP): the call times out and the field fails with one sentence;
  // an API that is gone: the same. The detail goes to the service's log.
  httplib::Client graphql("127.0.0.1", stack.graphql_port());
  graphql.set_read_timeout(std::chrono::seconds(30));
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  const std::string me = R"({"query":"{ me { username } }"})";
  const auto ask = [&] {
    const auto a = graphql.Post("/graphql", auth, me, "application/json");
    return a ? Json::parse(a->body) : Json();
  };
  EXPECT_EQ(ask()["data"]["me"]["username"], "admin");
  ::kill(stack.api().pid(), SIGSTOP);
  const auto stalled_at = std::chrono::steady_clock::now();
  const auto stalled = ask();
  const auto waited = std::chrono::steady_clock::now() - stalled_at;
  ::kill(stack.api().pid(), SIGCONT);
  EXPECT_GE(waited, std::chrono::milliseconds(2900));
  EXPECT_LT(waited, std::chrono::seconds(10));
  EXPECT_EQ(stalled["data"]["me"], nullptr) << stalled;
  EXPECT_EQ(stalled["errors"][0]["extensions"]["code"], "INTERNAL_SERVER_ERROR") << stalled;
  EXPECT_EQ(stalled["errors"][0]["message"],
            "The API is not available right now; try again shortly.");
  EXPECT_NE(stack.graphql().Log().find("took longer than 3000 ms"), std::string::npos);
  stack.api().Stop();
  const auto gone = ask();
  EXPECT_EQ(gone["errors"][0]["extensions"]["code"], "INTERNAL_SERVER_ERROR") << gone;
  EXPECT_NE(stack.graphql().Log().find("ECONNREFUSED"), std::string::npos);

  // The service logged one line per request, and stops cleanly on SIGTERM.
  EXPECT_NE(stack.graphql().Log().find("POST /graphql 200"), std::string::npos);
  EXPECT_EQ(stack.graphql().Stop(SIGTERM), 0) << stack.graphql().Log();
  EXPECT_NE(stack.graphql().Log().find("stopped cleanly"), std::string::npos);
}

}  // namespace
}  // namespace ems::testing
