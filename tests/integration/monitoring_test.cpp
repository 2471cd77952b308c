// Prometheus metrics of every service (docs/contract.md §8, docs/monitoring.md) on the real
// processes: each serves /metrics on its own loopback address, with the names docs/contract.md §8
// lists, in a format that Debian's `promtool check metrics` accepts, routes named by their template
// and never by a raw path; and a real Prometheus server (Debian's package) scrapes all of them and
// reports them up.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <regex>

#include "harness.h"

namespace ems::testing {
namespace {

using std::chrono::seconds;

std::string Metrics(int port) {
  httplib::Client client("127.0.0.1", port);
  const auto res = client.Get("/metrics");
  if (!res || res->status != 200) return "";
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  return res->body;
}

// promtool's verdict on an exposition: exit code and what it said.
CommandResult Promtool(Stack& stack, const std::string& service, const std::string& text) {
  const auto file = stack.dir() + "/metrics-" + service + ".txt";
  std::ofstream(file) << text;
  Process p({"/bin/sh", "-c", "exec /usr/bin/promtool check metrics < " + file},
            {{"PATH", "/usr/bin:/bin"}}, stack.dir(),
            stack.dir() + "/promtool-" + service + ".log");
  return {p.Wait(seconds(30)), p.Log()};
}

class MonitoringTest : public StackTest {
 protected:
  void SetUp() override {
    StackTest::SetUp();
    stack_.StartPublisher({{"EMS_PUBLISHER_SITES", "1"}, {"EMS_PUBLISHER_HUB_STATIONS", "0"}});
    stack_.StartOcpp();
  }
};

TEST_F(MonitoringTest, EveryServiceServesItsMetricsAndPromtoolAcceptsThem) {
  // Traffic for the counters: the publisher's fleet, a few API routes with ids in their paths.
  ASSERT_TRUE(stack_.WaitForReceived(10));
  const auto sites = stack_.GetAllItems("/api/v1/sites");
  ASSERT_FALSE(sites.empty());
  const std::string site = sites[0]["id"];
  EXPECT_EQ(stack_.Get("/api/v1/sites/" + site).status, 200);
  EXPECT_EQ(stack_.Get("/api/v1/devices/no-such-device").status, 404);
  EXPECT_EQ(stack_.Get("/api/v1/no/such/route").status, 404);
  stack_.Publish(DeviceTopic(site, "ghost", "telemetry"),
                 TelemetryPayload(Now(), {{"power_w", 1}}));

  std::map<std::string, std::string> texts;
  ASSERT_TRUE(WaitFor([&] {
    for (const char* service : {"listener", "api", "publisher", "ocpp"}) {
      texts[service] = Metrics(stack_.metrics_port(service));
    }
    return texts["listener"].find("ems_ingest_rejected_total{reason=\"unknown_device\"} 1") !=
           std::string::npos;
  })) << texts["listener"];

  for (const auto& [service, text] : texts) {
    SCOPED_TRACE(service);
    const auto verdict = Promtool(stack_, service, text);
    EXPECT_EQ(verdict.code, 0) << verdict.output << "\n" << text;
    EXPECT_NE(text.find("ems_build_info{service=\"ems-" + service + "\",version=\""),
              std::string::npos);
    for (const char* name :
         {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds"}) {
      EXPECT_NE(text.find(std::string("\n") + name + " "), std::string::npos) << name;
    }
  }
  const auto& listener = texts["listener"];
  for (const char* name :
       {"ems_ingest_received_total", "ems_ingest_stored_total", "ems_ingest_duplicates_total",
        "ems_ingest_latency_seconds_bucket{le=\"+Inf\"}", "ems_listener_queue_bytes",
        "ems_listener_inbox_bytes", "ems_ingest_last_message_timestamp_seconds",
        "ems_storage_error 0"}) {
    EXPECT_NE(listener.find(std::string("\n") + name), std::string::npos) << name;
  }
  const std::regex stored(R"(\nems_ingest_stored_total (\d+))");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(listener, m, stored));
  EXPECT_GE(std::stol(m[1]), 9);

  const auto& ocpp = texts["ocpp"];
  for (const char* name :
       {"ems_ocpp_chargers_connected 0", "ems_ocpp_messages_total{action=\"BootNotification\"} 0",
        "ems_ocpp_messages_total{action=\"other\"} 0"}) {
    EXPECT_NE(ocpp.find(std::string("\n") + name + "\n"), std::string::npos) << name << "\n"
                                                                             << ocpp;
  }

  const auto& api = texts["api"];
  EXPECT_NE(api.find("ems_http_requests_total{route=\"/api/v1/sites/{}\",method=\"GET\","
                     "status=\"200\"} 1\n"),
            std::string::npos)
      << api;
  EXPECT_NE(api.find("ems_http_requests_total{route=\"/api/v1/devices/{}\",method=\"GET\","
                     "status=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(api.find("ems_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"}"),
            std::string::npos);
  EXPECT_NE(api.find("ems_http_request_duration_seconds_bucket{route=\"/api/v1/sites/{}\","
                     "method=\"GET\",le=\"+Inf\"} 1\n"),
            std::string::npos);
  // No raw path, no id, ever becomes a label.
  EXPECT_EQ(api.find(site + "\""), std::string::npos);
  EXPECT_EQ(api.find("no-such-device"), std::string::npos);
  EXPECT_EQ(api.find("/no/such/route"), std::string::npos);
}

TEST_F(MonitoringTest, APrometheusServerScrapesEveryServiceAndFindsThemUp) {
  const int port = FreePort();
  const auto config = stack_.dir() + "/prometheus.yml";
  std::ofstream out(config);
  out << "global:\n  scrape_interval: 1s\nscrape_configs:\n";
  for (const char* service : {"listener", "api", "publisher", "ocpp"}) {
    out << "  - job_name: ems-" << service
        << "\n    static_configs:\n      - targets: ['127.0.0.1:" << stack_.metrics_port(service)
        << "']\n";
  }
  out.close();
  Process prometheus({"/usr/bin/prometheus", "--config.file=" + config,
                      "--storage.tsdb.path=" + stack_.dir() + "/prometheus",
                      "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                     {{"PATH", "/usr/bin:/bin"}}, stack_.dir(), stack_.dir() + "/prometheus.log");
  httplib::Client client("127.0.0.1", port);
  Json up;
  const bool all_up = WaitFor(
      [&] {
        const auto res = client.Get("/api/v1/query?query=up");
        if (!res || res->status != 200) return false;
        up = Json::parse(res->body, nullptr, false);
        if (!up.is_object() || up["data"]["result"].size() != 4) return false;
        for (const auto& r : up["data"]["result"]) {
          if (r["value"][1] != "1") return false;
        }
        return true;
      },
      seconds(60));
  EXPECT_TRUE(all_up) << up << "\n" << prometheus.Log();
  std::set<std::string> jobs;
  for (const auto& r : up["data"]["result"]) jobs.insert(r["metric"]["job"].get<std::string>());
  EXPECT_EQ(jobs, (std::set<std::string>{"ems-listener", "ems-api", "ems-publisher", "ems-ocpp"}));
  // What Prometheus stored is what the services expose, by name.
  const auto build = client.Get("/api/v1/query?query=ems_build_info");
  ASSERT_TRUE(build);
  EXPECT_EQ(Json::parse(build->body)["data"]["result"].size(), 4u) << build->body;
  // Every query of the Grafana dashboard (deploy/grafana) is one this Prometheus accepts.
  std::ifstream dashboard_file(stack_.SourcePath("deploy/grafana/ems-dashboard.json"));
  const Json dashboard = Json::parse(dashboard_file);
  int queries = 0;
  for (const auto& panel : dashboard["panels"]) {
    for (const auto& target : panel["targets"]) {
      const std::string expr = target["expr"];
      const auto res = client.Post("/api/v1/query", httplib::Params{{"query", expr}});
      ASSERT_TRUE(res) << expr;
      EXPECT_EQ(Json::parse(res->body)["status"], "success") << expr << ": " << res->body;
      ++queries;
    }
  }
  EXPECT_GE(queries, 12);
  EXPECT_EQ(prometheus.Stop(), 0) << prometheus.Log();
}

TEST(MetricsConfigTest, ATakenAddressStopsTheServiceWithOneLineAndEmptyTurnsMetricsOff) {
  Stack stack;
  stack.StartBroker();
  // Something else listens on the listener's metrics address.
  const int other = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(stack.metrics_port("listener")));
  ASSERT_EQ(::bind(other, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(other, 1), 0);
  Process taken({stack.BinPath("ems-listener")}, stack.ServiceEnv("listener"), stack.dir(),
                stack.dir() + "/taken.log");
  EXPECT_EQ(taken.Wait(), 2);
  EXPECT_NE(taken.Log().find("EMS_METRICS_LISTEN"), std::string::npos) << taken.Log();
  ::close(other);

  stack.StartListener({{"EMS_METRICS_LISTEN", ""}});
  EXPECT_EQ(ConnectLoopback(stack.metrics_port("listener")), -1);
}

}  // namespace
}  // namespace ems::testing
