// The API's edges (docs/contract.md §5, §6): authentication, error format, limits, public routes,
// configuration errors, and the status topics of §4.3.
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "ems/config/settings.h"
#include "harness.h"

namespace ems::testing {
namespace {

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_.StartBroker();
    stack_.StartApi();
  }
  Stack stack_;
};

TEST_F(ApiTest, PublicRoutesNeedNoToken) {
  const auto health = stack_.Request("GET", "/health", "", "");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body["status"], "ok");
  const auto doc = stack_.Request("GET", "/openapi.json", "", "");
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(doc.body["openapi"].get<std::string>().substr(0, 2), "3.");
  EXPECT_TRUE(doc.body["paths"].contains("/api/v1/sessions"));
  const auto docs = stack_.Request("GET", "/docs", "", "");
  EXPECT_EQ(docs.status, 200);
  EXPECT_NE(docs.raw.find("/api/v1/sessions"), std::string::npos);
  // Shared parameters and answers are references in the document; the page shows what they name.
  EXPECT_NE(docs.raw.find("<code>limit</code> (query) page size"), std::string::npos);
  EXPECT_NE(docs.raw.find("<li>413: The request body is over 1 MiB.</li>"), std::string::npos);
}

TEST_F(ApiTest, EveryOtherRouteNeedsAValidToken) {
  for (const char* path :
       {"/api/v1/sessions", "/api/v1/me", "/api/v1/stations", "/api/v1/ingest/stats"}) {
    const auto a = stack_.Request("GET", path, "", "");
    EXPECT_EQ(a.status, 401) << path;
    EXPECT_EQ(a.body["status"], "error");
    EXPECT_FALSE(a.body["message"].get<std::string>().empty());
    EXPECT_EQ(stack_.Request("GET", path, "", "not.a.token").status, 401) << path;
  }
  auto token = stack_.AdminToken();
  token[token.size() - 3] = token[token.size() - 3] == 'A' ? 'B' : 'A';  // break the signature
  EXPECT_EQ(stack_.Request("GET", "/api/v1/me", "", token).status, 401);

  const auto me = stack_.Get("/api/v1/me");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.body["username"], Stack::kAdminUser);
  EXPECT_EQ(me.body["role"], "admin");
}

TEST_F(ApiTest, LoginAnswersTokenAndThrottlesGuessing) {
  const auto ok = stack_.Request(
      "POST", "/api/v1/auth/login",
      Json{{"username", Stack::kAdminUser}, {"password", Stack::kAdminPassword}}.dump(), "");
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body["role"], "admin");
  EXPECT_TRUE(ParseTimestamp(ok.body["expires_at"].get<std::string>()).has_value());
  const auto token = ok.body["token"].get<std::string>();
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);  // header.payload.signature

  const auto wrong = Json{{"username", Stack::kAdminUser}, {"password", "guess"}}.dump();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(stack_.Request("POST", "/api/v1/auth/login", wrong, "").status, 401);
  }
  const auto blocked = stack_.Request("POST", "/api/v1/auth/login", wrong, "");
  EXPECT_EQ(blocked.status, 429);
  EXPECT_EQ(blocked.body["status"], "error");
  // Blocked means not even checked: the right password is refused too until the minute passes.
  const auto right = Json{{"username", Stack::kAdminUser}, {"password", Stack::kAdminPassword}};
  EXPECT_EQ(stack_.Request("POST", "/api/v1/auth/login", right.dump(), "").status, 429);

  EXPECT_EQ(stack_.Request("POST", "/api/v1/auth/login", "{oops", "").status, 400);
  EXPECT_EQ(stack_.Request("POST", "/api/v1/auth/login", R"({"username": "x"})", "").status, 422);
}

// ems-api itself, without the edge: what cpp-httplib would read without bound or inflate is
// refused from the headers alone, before any byte of the body is read.
TEST_F(ApiTest, BodiesTheApiCannotBoundAreRefusedBeforeReading) {
  const auto expect_json_error = [](const HttpAnswer& a, int status) {
    EXPECT_EQ(a.status, status) << a.raw;
    EXPECT_EQ(a.body["status"], "error") << a.raw;
    EXPECT_FALSE(a.body["message"].get<std::string>().empty()) << a.raw;
  };
  const std::string login =
      "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
  // Announce 2 MiB and send none of it.
  expect_json_error(RawHttp(stack_.api_port(), login + "Content-Length: 2097152\r\n\r\n"), 413);
  // Chunked, or no length at all: the body would be read until the client stops.
  expect_json_error(RawHttp(stack_.api_port(), login + "Transfer-Encoding: chunked\r\n\r\n"), 411);
  expect_json_error(RawHttp(stack_.api_port(), login + "\r\n{\"username\":"), 411);
  // Compressed: never inflated.
  expect_json_error(
      RawHttp(stack_.api_port(), login + "Content-Encoding: gzip\r\nContent-Length: 4\r\n\r\nabcd"),
      415);

  EXPECT_EQ(stack_.Request("GET", "/no/such/route", "", "").status, 404);
}

TEST(ConfigTest, MissingSecretOrBadUrlExitsWithOneClearLine) {
  Stack stack;
  auto env = stack.ServiceEnv("api");
  env.erase("EMS_JWT_SECRET");
  Process api({stack.BinPath("ems-api")}, env, stack.dir(), stack.dir() + "/api.log");
  EXPECT_EQ(api.Wait(), 2);
  EXPECT_NE(api.Log().find("EMS_JWT_SECRET"), std::string::npos) << api.Log();

  auto lenv = stack.ServiceEnv("listener");
  lenv["EMS_MQTT_URL"] = "http://nowhere";
  Process listener({stack.BinPath("ems-listener")}, lenv, stack.dir(), stack.dir() + "/l.log");
  EXPECT_EQ(listener.Wait(), 2);
  EXPECT_NE(listener.Log().find("EMS_MQTT_URL"), std::string::npos) << listener.Log();

  Process help({stack.BinPath("ems-publisher"), "--help"}, stack.ServiceEnv("publisher"),
               stack.dir(), stack.dir() + "/h.log");
  EXPECT_EQ(help.Wait(), 0);
  EXPECT_NE(help.Log().find("EMS_PUBLISHER_SPEED"), std::string::npos);
}

// A SIGTERM that comes while the API opens its database (here: waiting for another process's
// write lock) stops it once it is up, instead of leaving it serving and deaf to further signals.
TEST(ApiProcessTest, ASignalDuringStartUpStopsTheApi) {
  Stack stack;
  stack.StartBroker();
  SQLite::Database other(stack.db_path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  other.exec("PRAGMA journal_mode=WAL");  // as every ems process opens it
  other.exec("BEGIN IMMEDIATE");
  Process api({stack.BinPath("ems-api")}, stack.ServiceEnv("api"), stack.dir(),
              stack.dir() + "/api.log");
  // The handler is in place once "starting with" is logged; the database is opened after.
  ASSERT_TRUE(WaitFor([&] { return api.Log().find("starting with") != std::string::npos; }))
      << api.Log();
  ::kill(api.pid(), SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  other.exec("COMMIT");
  EXPECT_EQ(api.Wait(std::chrono::seconds(5)), 0) << api.Log();
  EXPECT_NE(api.Log().find("stopped cleanly"), std::string::npos) << api.Log();
}

TEST(ApiProcessTest, ASecondApiOnTheSameAddressExitsWithOneClearLine) {
  Stack stack;
  stack.StartBroker();
  stack.StartApi();
  Process second({stack.BinPath("ems-api")}, stack.ServiceEnv("api"), stack.dir(),
                 stack.dir() + "/second.log");
  EXPECT_EQ(second.Wait(), 2) << second.Log();
  EXPECT_NE(second.Log().find("EMS_API_LISTEN: cannot listen on 127.0.0.1:" +
                              std::to_string(stack.api_port()) + " (address in use"),
            std::string::npos)
      << second.Log();
  EXPECT_EQ(stack.Request("GET", "/health", "", "").status, 200);  // the first serves on
}

TEST(ConfigTest, PlaceholderSecretsAndAShortAdminPasswordAreRefused) {
  Stack stack;
  // .env.example copied as it is, as by a user who did not change it.
  std::filesystem::copy_file(stack.SourcePath(".env.example"), stack.dir() + "/.env");
  const auto example = config::ReadEnvFile(stack.dir() + "/.env");
  int run = 0;
  const auto expect_refused = [&](const std::string& service,
                                  const std::map<std::string, std::string>& env,
                                  const std::string& variable) {
    Process p({stack.BinPath("ems-" + service)}, env, stack.dir(),
              stack.dir() + "/refused-" + std::to_string(++run) + ".log");
    EXPECT_EQ(p.Wait(), 2) << p.Log();
    // One line says why, naming the variable.
    std::istringstream log(p.Log());
    std::vector<std::string> errors;
    for (std::string line; std::getline(log, line);) {
      if (line.find("invalid configuration") != std::string::npos) errors.push_back(line);
    }
    ASSERT_EQ(errors.size(), 1u) << p.Log();
    EXPECT_NE(errors[0].find(variable), std::string::npos) << p.Log();
  };
  auto env = stack.ServiceEnv("api");
  env.erase("EMS_JWT_SECRET");  // both from .env now
  env.erase("EMS_ADMIN_PASSWORD");
  expect_refused("api", env, "EMS_JWT_SECRET");
  env["EMS_JWT_SECRET"] = "a-secret-of-our-own-at-least-32-bytes-long";
  expect_refused("api", env, "EMS_ADMIN_PASSWORD");
  env["EMS_ADMIN_PASSWORD"] = "eleven-char";
  expect_refused("api", env, "EMS_ADMIN_PASSWORD");

  auto listener_env = stack.ServiceEnv("listener");
  listener_env["EMS_MQTT_PASSWORD"] = example.at("EMS_LISTENER_MQTT_PASSWORD");
  expect_refused("listener", listener_env, "EMS_MQTT_PASSWORD");
}

TEST(StatusTopicTest, ServicesAnnounceOnlineAndLastWillSaysOffline) {
  Stack stack;
  stack.StartBroker();
  std::vector<std::pair<std::string, std::string>> got;
  std::mutex mu;
  auto sub = stack.Subscribe("ems-api", std::string(Stack::kPrefix) + "/status/+", &got, &mu);
  const auto has = [&](const std::string& topic, const std::string& payload) {
    std::lock_guard lock(mu);
    return std::find(got.begin(), got.end(), std::make_pair(topic, payload)) != got.end();
  };
  const std::string topic = std::string(Stack::kPrefix) + "/status/listener";
  stack.StartListener();
  EXPECT_TRUE(WaitFor([&] { return has(topic, "online"); }));
  stack.StopListener(SIGKILL);  // no clean disconnect: the broker sends the last will
  EXPECT_TRUE(WaitFor([&] { return has(topic, "offline"); }));
  sub->disconnect()->wait();
}

TEST(BrokerTest, AnonymousAndWrongUsersAreRefusedAndTheAclHolds) {
  Stack stack;
  stack.StartBroker();
  ::mqtt::async_client anon("tcp://127.0.0.1:" + std::to_string(stack.broker_port()), "anon",
                            nullptr);
  EXPECT_THROW(
      anon.connect(::mqtt::connect_options_builder().clean_session(true).finalize())->wait(),
      ::mqtt::exception);

  // The publisher may not write derived topics: the broker drops such a publish, so a
  // subscriber allowed to read them never sees it.
  std::vector<std::pair<std::string, std::string>> got;
  std::mutex mu;
  auto sub =
      stack.Subscribe("ems-api", std::string(Stack::kPrefix) + "/sites/+/summary", &got, &mu);
  stack.Publish(std::string(Stack::kPrefix) + "/sites/home/summary", "{}");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::lock_guard lock(mu);
  EXPECT_TRUE(got.empty());
}

TEST(TlsTest, ListenerConnectsOverMqttsWithTheLocalCa) {
  Stack stack;
  stack.StartBroker();
  stack.StartListener({{"EMS_MQTT_URL", "mqtts://localhost:" + std::to_string(stack.tls_port())},
                       {"EMS_MQTT_CA_FILE", stack.ca_file()}});
  stack.StartApi();
  stack.Publish(std::string(Stack::kPrefix) + "/sites/home/devices/st-1/sessions",
                Json{{"session_id", "tls-1"},
                     {"station_id", "st-1"},
                     {"status", "active"},
                     {"started_at", "2026-11-21T08:00:00Z"},
                     {"energy_kwh", 1.5}}
                    .dump());
  ASSERT_TRUE(stack.WaitForReceived(1));
  const auto s = stack.Get("/api/v1/sessions/tls-1");
  EXPECT_EQ(s.status, 200);
  EXPECT_EQ(s.body["status"], "active");
  EXPECT_TRUE(s.body["ended_at"].is_null());
}

}  // namespace
}  // namespace ems::testing
