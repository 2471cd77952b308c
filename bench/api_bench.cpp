// API read throughput and latency, measured with wrk in one run (BENCHMARKS.md).
//
// Loads a real stack through the real ingest path (MQTT -> ems-listener -> SQLite): two sites,
// 20 devices with 30 days of 15-minute telemetry, 500 charging sessions. Then wrk (2 threads,
// 8 keep-alive connections) against ems-api directly (the edge's per-client rate limits would
// measure nginx's limiter, not the API): /health and the main read routes, each as requests/s,
// p50 and p99, and as a share of /health's rate in the same run. A subscription of three
// devices' power (two sites) is read as 1d and 1h series over the 30 days.
// Usage: api_bench [seconds per route=5] [only routes whose name contains this]
// (needs wrk: scripts/install-deps.sh --with-bench)
#include <cstdio>
#include <regex>
#include <string>
#include <vector>

#include "harness.h"

using ems::FormatDate;
using ems::FormatTimestamp;
using ems::LocalDate;
using ems::Timestamp;
using ems::testing::Json;
using ems::testing::Stack;

namespace {

constexpr int kDevicesPerSite = 10;
constexpr int kDays = 30;
constexpr auto kStep = std::chrono::minutes(15);

struct DeviceKind {
  const char* type;
  Json properties;
  double power_w;  // typical reading (sign per docs/contract.md §4.1)
};

const std::vector<DeviceKind>& Kinds() {
  static const std::vector<DeviceKind> kinds = {
      {"solar_panel", {{"rated_power_w", 5000}}, 2100},
      {"battery",
       {{"capacity_wh", 10000}, {"max_charge_w", 5000}, {"max_discharge_w", 5000}},
       -800},
      {"appliance", {{"average_power_w", 1800}}, -1800},
      {"heat_pump", {{"rated_power_w", 3000}}, -1200},
      {"wind_turbine", {{"rated_power_w", 3000}}, 400},
  };
  return kinds;
}

std::string Topic(const std::string& site, const std::string& device, const char* leaf) {
  return std::string(Stack::kPrefix) + "/sites/" + site + "/devices/" + device + "/" + leaf;
}

// The messages that load the stack, in publication order, and their count of telemetry.
std::vector<std::pair<std::string, std::string>> Dataset(Timestamp end) {
  std::vector<std::pair<std::string, std::string>> out;
  const Timestamp start = end - std::chrono::hours(24 * kDays);
  for (const auto& [site, zone] :
       {std::pair{"bench-a", "Europe/Berlin"}, std::pair{"bench-b", "America/New_York"}}) {
    for (int d = 0; d < kDevicesPerSite; ++d) {
      const auto& kind = Kinds()[d % Kinds().size()];
      const std::string id = std::string(site) + "-" + std::to_string(d);
      out.emplace_back(Topic(site, id, "meta"), Json{{"type", kind.type},
                                                     {"name", id},
                                                     {"properties", kind.properties},
                                                     {"site_name", site},
                                                     {"site_timezone", zone}}
                                                    .dump());
      int i = 0;
      for (Timestamp t = start; t < end; t += kStep, ++i) {
        Json metrics = {{"power_w", kind.power_w * (0.5 + (i % 7) / 10.0)}};
        if (std::string(kind.type) == "battery") metrics["soc_pct"] = 20 + i % 60;
        out.emplace_back(Topic(site, id, "telemetry"),
                         Json{{"ts", FormatTimestamp(t)}, {"metrics", metrics}}.dump());
      }
    }
  }
  for (int s = 0; s < 500; ++s) {
    const Timestamp started = start + std::chrono::hours(s);
    out.emplace_back(Topic("bench-a", "st-1", "sessions"),
                     Json{{"session_id", "bench-" + std::to_string(s)},
                          {"station_id", "st-1"},
                          {"connector", 1 + s % 2},
                          {"vehicle_id", "ev-" + std::to_string(s % 7)},
                          {"status", "completed"},
                          {"started_at", FormatTimestamp(started)},
                          {"ended_at", FormatTimestamp(started + std::chrono::minutes(50))},
                          {"energy_kwh", 7.5 + s % 10},
                          {"cost", 2.5},
                          {"currency", "EUR"}}
                         .dump());
  }
  return out;
}

struct WrkResult {
  double rps = 0, p50_ms = 0, p99_ms = 0;
  long errors = 0;
};

double ToMs(double value, const std::string& unit) {
  if (unit == "us") return value / 1000;
  if (unit == "s") return value * 1000;
  return value;
}

WrkResult Wrk(int port, const std::string& path, const std::string& token, int seconds) {
  const std::string cmd = "wrk -t2 -c8 -d" + std::to_string(seconds) +
                          "s --latency -H 'Authorization: Bearer " + token +
                          "' 'http://127.0.0.1:" + std::to_string(port) + path + "' 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run wrk");
  std::string output;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
  if (::pclose(pipe) != 0) throw std::runtime_error("wrk failed (is it installed?): " + output);
  WrkResult r;
  std::smatch m;
  if (std::regex_search(output, m, std::regex(R"(Requests/sec:\s+([0-9.]+))"))) {
    r.rps = std::stod(m[1]);
  }
  if (std::regex_search(output, m, std::regex(R"(\n\s+50%\s+([0-9.]+)(us|ms|s))"))) {
    r.p50_ms = ToMs(std::stod(m[1]), m[2]);
  }
  if (std::regex_search(output, m, std::regex(R"(\n\s+99%\s+([0-9.]+)(us|ms|s))"))) {
    r.p99_ms = ToMs(std::stod(m[1]), m[2]);
  }
  if (std::regex_search(output, m, std::regex(R"(Non-2xx or 3xx responses:\s+(\d+))"))) {
    r.errors = std::stol(m[1]);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 5;
  const std::string only = argc > 2 ? argv[2] : "";
  Stack stack;
  stack.StartBroker();
  stack.StartListener({{"EMS_LOG_LEVEL", "info"}});
  stack.StartApi({{"EMS_LOG_LEVEL", "warn"}});

  // Readings end an hour ago, so nothing is "too new" and the summary sees them as stale.
  const Timestamp end = ems::Now() - std::chrono::hours(1);
  const auto data = Dataset(end);
  std::fprintf(stderr, "loading %zu messages through the listener...\n", data.size());
  stack.PublishAll(data);
  if (!stack.WaitForReceived(static_cast<long>(data.size()), std::chrono::seconds(300))) {
    std::fprintf(stderr, "the listener did not store the dataset\n");
    return 1;
  }
  // A subscription of three devices' power across both sites.
  const auto subscription = stack.Post(
      "/api/v1/subscriptions", Json{{"name", "Bench"},
                                    {"metrics",
                                     {{{"device_id", "bench-a-0"}, {"metric", "power_w"}},
                                      {{"device_id", "bench-a-1"}, {"metric", "power_w"}},
                                      {{"device_id", "bench-b-0"}, {"metric", "power_w"}}}}});
  if (subscription.status != 201) {
    std::fprintf(stderr, "cannot subscribe: %s\n", subscription.raw.c_str());
    return 1;
  }
  const std::string subscription_id = subscription.body["id"];
  const std::string from = FormatTimestamp(end - std::chrono::hours(24 * kDays));
  const std::string to = FormatTimestamp(end);
  const std::string range = "from=" + from + "&to=" + to;
  const std::string days =
      "from=" + FormatDate(LocalDate(end - std::chrono::hours(24 * kDays), "UTC")) +
      "&to=" + FormatDate(LocalDate(end, "UTC"));
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"/health", "/health"},
      {"one device", "/api/v1/devices/bench-a-0"},
      {"a site's 10 devices", "/api/v1/sites/bench-a/devices"},
      {"sessions, limit=100", "/api/v1/sessions?limit=100"},
      {"session ledger, 30 days (500)", "/api/v1/sessions/export?" + days},
      {"session ledger CSV, 30 days", "/api/v1/sessions/export?format=csv&" + days},
      {"series 1h, 30 days",
       "/api/v1/devices/bench-a-0/metrics/power_w/series?interval=1h&" + range},
      {"series 1d, 30 days",
       "/api/v1/devices/bench-a-0/metrics/power_w/series?interval=1d&" + range},
      {"site energy summary", "/api/v1/sites/bench-a/energy/summary"},
      {"site energy series 1d, 30 days",
       "/api/v1/sites/bench-a/energy/series?interval=1d&" + range},
      {"subscription 3 series 1d, 30 d",
       "/api/v1/subscriptions/" + subscription_id + "/series?interval=1d&" + range},
      {"subscription 3 series 1h, 30 d",
       "/api/v1/subscriptions/" + subscription_id + "/series?interval=1h&" + range},
  };
  const auto token = stack.AdminToken();
  for (const auto& [name, path] : routes) {  // each answers 200 before it is measured
    const auto answer = stack.Get(path);
    if (answer.status != 200) {
      std::fprintf(stderr, "%s answered %d: %s\n", path.c_str(), answer.status, answer.raw.c_str());
      return 1;
    }
  }
  std::printf("%-32s %12s %10s %10s %10s\n", "route", "requests/s", "p50 ms", "p99 ms",
              "x /health");
  double health = 0;
  for (const auto& [name, path] : routes) {
    if (health != 0 && name.find(only) == std::string::npos) continue;
    const auto r = Wrk(stack.api_port(), path, token, seconds);
    if (health == 0) health = r.rps;
    std::printf("%-32s %12.0f %10.2f %10.2f %10.3f%s\n", name.c_str(), r.rps, r.p50_ms, r.p99_ms,
                r.rps / health, r.errors ? "  (errors!)" : "");
    std::fflush(stdout);
  }
  return 0;
}
