// The API's edges (SPEC §5, §6): authentication, error format, limits, public routes,
// configuration errors, and the status topics of §4.3.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

namespace ems::testing {
namespace {

// Sends `request` on a fresh connection and returns everything the server answers.
std::string RawHttp(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
    out.append(buf, static_cast<std::size_t>(n));
    if (out.find("\r\n\r\n") != std::string::npos && out.find('}') != std::string::npos) break;
  }
  ::close(fd);
  return out;
}

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

TEST_F(ApiTest, OversizedAndChunkedBodiesAreRefusedBeforeReading) {
  // Announce 2 MiB and send none of it: the answer must come from the headers alone.
  const int port = std::stoi(stack_.ServiceEnv("api")["EMS_API_LISTEN"].substr(10));
  const auto raw = RawHttp(port,
                           "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                           "Content-Type: application/json\r\nContent-Length: 2097152\r\n\r\n");
  EXPECT_EQ(raw.substr(0, 12), "HTTP/1.1 413") << raw;
  EXPECT_NE(raw.find(R"("status":"error")"), std::string::npos) << raw;

  // A chunked body could bypass the limit: refused from the headers, before any chunk is read.
  const auto chunked = RawHttp(port,
                               "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                               "Content-Type: application/json\r\n"
                               "Transfer-Encoding: chunked\r\n\r\n");
  EXPECT_EQ(chunked.substr(0, 12), "HTTP/1.1 411") << chunked;

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
