// The Prometheus helper (docs/contract.md §8, docs/monitoring.md): the text exposition format 0.0.4
// as Prometheus parses it, the process metrics, and the /metrics server.
#include "ems/metrics/metrics.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

namespace ems::metrics {
namespace {

TEST(MetricsTest, ExposesCountersGaugesAndLabelsInTextFormat) {
  Registry r;
  r.GetCounter("ems_things_total", "Things done.").Inc(3);
  r.GetCounter("ems_rejected_total", "Rejected, by reason.", {{"reason", "invalid_json"}}).Inc();
  r.GetCounter("ems_rejected_total", "Rejected, by reason.", {{"reason", "too_new"}}).Inc(2);
  r.GetGauge("ems_queue_bytes", "Queued bytes.").Set(1.5);
  EXPECT_EQ(r.Expose(),
            "# HELP ems_queue_bytes Queued bytes.\n"
            "# TYPE ems_queue_bytes gauge\n"
            "ems_queue_bytes 1.5\n"
            "# HELP ems_rejected_total Rejected, by reason.\n"
            "# TYPE ems_rejected_total counter\n"
            "ems_rejected_total{reason=\"invalid_json\"} 1\n"
            "ems_rejected_total{reason=\"too_new\"} 2\n"
            "# HELP ems_things_total Things done.\n"
            "# TYPE ems_things_total counter\n"
            "ems_things_total 3\n");
}

TEST(MetricsTest, TheSameNameAndLabelsGiveTheSameMetric) {
  Registry r;
  auto& a = r.GetCounter("ems_x_total", "x", {{"route", "/a/{}"}});
  auto& b = r.GetCounter("ems_x_total", "x", {{"route", "/a/{}"}});
  EXPECT_EQ(&a, &b);
  EXPECT_THROW(r.GetGauge("ems_x_total", "x"), std::logic_error);
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  Registry r;
  r.GetGauge("ems_g", "Line one\nback\\slash", {{"v", "a\"b\\c\nd"}}).Set(1);
  EXPECT_EQ(r.Expose(),
            "# HELP ems_g Line one\\nback\\\\slash\n"
            "# TYPE ems_g gauge\n"
            "ems_g{v=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsTest, HistogramsAreCumulativeWithInfSumAndCount) {
  Registry r;
  auto& h = r.GetHistogram("ems_latency_seconds", "Latency.", {0.001, 0.5, 2}, {{"method", "GET"}});
  h.Observe(0.0005);
  h.Observe(0.001);  // a bound belongs to its bucket (le)
  h.Observe(1);
  h.Observe(100);
  EXPECT_EQ(r.Expose(),
            "# HELP ems_latency_seconds Latency.\n"
            "# TYPE ems_latency_seconds histogram\n"
            "ems_latency_seconds_bucket{method=\"GET\",le=\"0.001\"} 2\n"
            "ems_latency_seconds_bucket{method=\"GET\",le=\"0.5\"} 2\n"
            "ems_latency_seconds_bucket{method=\"GET\",le=\"2\"} 3\n"
            "ems_latency_seconds_bucket{method=\"GET\",le=\"+Inf\"} 4\n"
            "ems_latency_seconds_sum{method=\"GET\"} 101.0015\n"
            "ems_latency_seconds_count{method=\"GET\"} 4\n");
}

TEST(MetricsTest, DurationBucketsAreWrittenInTheirShortestForm) {
  Registry r;
  r.GetHistogram("ems_d_seconds", "d", DurationBuckets());
  const auto text = r.Expose();
  EXPECT_NE(text.find("le=\"0.00025\""), std::string::npos) << text;
  EXPECT_NE(text.find("le=\"60\""), std::string::npos) << text;
}

TEST(MetricsTest, CountersAreSafeFromManyThreads) {
  Registry r;
  auto& c = r.GetCounter("ems_c_total", "c");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) c.Inc();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value(), 40000);
}

TEST(MetricsTest, ProcessMetricsAreReadFromProc) {
  Registry r;
  AddProcessMetrics(r);
  AddBuildInfo(r, "ems-test");
  // Burn a little CPU so the counter moves from zero.
  volatile double x = 0;
  for (int i = 0; i < 20000000; ++i) x = x + i * 0.5;
  const auto text = r.Expose();
  const auto value = [&](const std::string& name) {
    const auto at = text.find("\n" + name + " ");
    EXPECT_NE(at, std::string::npos) << name << " in\n" << text;
    return at == std::string::npos ? -1.0 : std::stod(text.substr(at + name.size() + 2));
  };
  EXPECT_GT(value("process_cpu_seconds_total"), 0);
  EXPECT_GT(value("process_resident_memory_bytes"), 1 << 20);
  EXPECT_GE(value("process_open_fds"), 3);
  EXPECT_GT(value("process_start_time_seconds"), 1.7e9);
  EXPECT_NE(text.find("ems_build_info{service=\"ems-test\",version=\"" + std::string(Version()) +
                      "\"} 1\n"),
            std::string::npos)
      << text;
}

TEST(MetricsTest, TheServerAnswersMetricsInTextFormat004) {
  Registry r;
  r.GetCounter("ems_served_total", "Served.").Inc(7);
  Server server(r, "127.0.0.1", 0);
  ASSERT_GT(server.port(), 0);
  httplib::Client client("127.0.0.1", server.port());
  const auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(res->body.find("ems_served_total 7\n"), std::string::npos) << res->body;
  EXPECT_EQ(client.Get("/other")->status, 404);
  // A second server on the same address is refused, not silently sharing it.
  EXPECT_THROW(Server(r, "127.0.0.1", server.port()), std::runtime_error);
}

}  // namespace
}  // namespace ems::metrics
