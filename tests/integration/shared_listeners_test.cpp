// Many listeners on one broker and one database (docs/contract.md §9): three ems-listener
// processes with EMS_LISTENER_SHARED=1, each with its own client id, inbox and metrics address,
// split one stream; one is SIGKILLed while messages flow and started again. Every reading is
// stored once (none lost, none twice: each series holds exactly the published instants), each
// listener stored its share, nothing is dead-lettered, and the derived state every listener
// publishes ends right although each site's messages were stored by different listeners: the
// retained summaries and charging schedules equal the API's answers, and the retained energy
// totals equal what a single listener publishes from the stored data afterwards. A total that
// steps back on the wire (two listeners' messages crossing; Home Assistant would read it as a
// meter reset) is counted and printed, not asserted: a known limitation of shared listeners.
#include <cstdio>
#include <thread>

#include "harness.h"

namespace ems::testing {
namespace {

using std::chrono::seconds;

constexpr int kSites = 3;
constexpr int kReadings = 600;  // per device, one a second of simulated time

struct Device {
  std::string site, id;
  Json meta;
  std::vector<std::string> metrics;
};

std::vector<Device> Devices() {
  std::vector<Device> out;
  for (int s = 1; s <= kSites; ++s) {
    const std::string site = "shared-" + std::to_string(s);
    out.push_back({site, site + "-bat", OfHome(BatteryMeta()), {"power_w", "soc_pct"}});
    out.push_back({site, site + "-pv", OfHome(SolarMeta()), {"power_w", "energy_wh"}});
    out.push_back({site, site + "-ev", OfHome(EvMeta()), {"power_w", "soc_pct"}});
  }
  return out;
}

// Reading i of `d`: batteries alternate charge and discharge, the roof produces, the car charges.
std::string Reading(const Device& d, Timestamp ts, int i) {
  if (d.id.ends_with("-bat")) {
    return TelemetryPayload(ts, {{"power_w", i % 2 == 0 ? 1200.0 + i : -800.0 - i},
                                 {"soc_pct", 40.0 + (i % 50) * 0.5}});
  }
  if (d.id.ends_with("-pv")) {
    return TelemetryPayload(ts, {{"power_w", 2000.0 + i}, {"energy_wh", 1000.0 + i * 0.6}});
  }
  return TelemetryPayload(ts, {{"power_w", -7000.0}, {"soc_pct", 20.0 + i * 0.1}},
                          {{"mode", "charging"}, {"at_home", true}});
}

class SharedListeners {
 public:
  explicit SharedListeners(Stack& stack) : stack_(stack) {}

  void Start(int i) {
    auto env = stack_.ServiceEnv("listener");
    env["EMS_LISTENER_SHARED"] = "1";
    env["EMS_MQTT_CLIENT_ID"] = "ems-listener-" + std::to_string(i);
    env["EMS_LOG_LEVEL"] = "info";
    env["EMS_STALE_AFTER_S"] = "3600";
    if (!ports_.contains(i)) ports_[i] = FreePort();
    env["EMS_METRICS_LISTEN"] = "127.0.0.1:" + std::to_string(ports_[i]);
    const auto log =
        stack_.dir() + "/listener-" + std::to_string(i) + "-" + std::to_string(starts_++) + ".log";
    procs_[i] = std::make_unique<Process>(std::vector<std::string>{stack_.BinPath("ems-listener")},
                                          env, stack_.dir(), log);
    ASSERT_TRUE(WaitFor([&] { return procs_[i]->Log().find("listening on") != std::string::npos; }))
        << procs_[i]->Log();
  }
  Process& operator[](int i) { return *procs_.at(i); }
  // ems_ingest_stored_total of listener i since its start.
  double Stored(int i) {
    httplib::Client c("127.0.0.1", ports_.at(i));
    const auto res = c.Get("/metrics");
    if (!res) return -1;
    const auto at = res->body.find("\nems_ingest_stored_total ");
    return at == std::string::npos ? -1 : std::stod(res->body.substr(at + 25));
  }
  std::string Logs() {
    std::string out;
    for (auto& [i, p] : procs_) out += "--- listener " + std::to_string(i) + "\n" + p->Log();
    return out;
  }

 private:
  Stack& stack_;
  std::map<int, std::unique_ptr<Process>> procs_;
  std::map<int, int> ports_;
  int starts_ = 0;
};

// Retained topics as last seen, and every value each energy-totals topic took.
struct Seen {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> all;
  std::map<std::string, std::string> Latest() {
    std::lock_guard lock(mu);
    std::map<std::string, std::string> out;
    for (const auto& [t, p] : all) out[t] = p;
    return out;
  }
};

Json WithoutTs(std::string_view payload) {
  auto j = Json::parse(payload);
  j.erase("ts");
  return j;
}

TEST(SharedListenersTest, SplitTheStreamStoreEveryMessageOnceAndKeepDerivedStateRight) {
  Stack stack;
  stack.StartBroker();
  stack.StartApi({{"EMS_STALE_AFTER_S", "3600"}});
  Seen seen;
  auto sub =
      stack.Subscribe("ems-api", std::string(Stack::kPrefix) + "/sites/#", &seen.all, &seen.mu);
  SharedListeners listeners(stack);
  for (int i = 1; i <= 3; ++i) listeners.Start(i);

  const auto devices = Devices();
  std::vector<std::pair<std::string, std::string>> metas;
  for (const auto& d : devices)
    metas.emplace_back(DeviceTopic(d.site, d.id, "meta"), d.meta.dump());
  for (const auto& [topic, payload] : metas) stack.Publish(topic, payload, true);

  // The stream: every device's readings in time order, published in chunks while listener 2 is
  // killed a third of the way and started again at two thirds.
  const Timestamp base = Now() - std::chrono::minutes(10);
  std::vector<std::pair<std::string, std::string>> stream;
  for (int i = 0; i < kReadings; ++i) {
    for (const auto& d : devices) {
      stream.emplace_back(DeviceTopic(d.site, d.id, "telemetry"), Reading(d, base + seconds(i), i));
    }
  }
  std::atomic<std::size_t> published{0};
  std::thread publisher([&] {
    constexpr std::size_t kChunk = 200;
    for (std::size_t at = 0; at < stream.size(); at += kChunk) {
      const auto end = std::min(stream.size(), at + kChunk);
      stack.PublishAll({stream.begin() + static_cast<std::ptrdiff_t>(at),
                        stream.begin() + static_cast<std::ptrdiff_t>(end)});
      published = end;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  ASSERT_TRUE(WaitFor([&] { return published >= stream.size() / 3; }));
  const double stored_before_kill = listeners.Stored(2);
  EXPECT_EQ(listeners[2].Stop(SIGKILL), 128 + SIGKILL);
  ASSERT_TRUE(WaitFor([&] { return published >= 2 * stream.size() / 3; }));
  listeners.Start(2);
  publisher.join();

  // Every reading stored once: each series holds exactly the published instants.
  for (const auto& d : devices) {
    for (const auto& metric : d.metrics) {
      const auto path = "/api/v1/devices/" + d.id + "/metrics/" + metric +
                        "/series?interval=raw&agg=last&from=" + FormatTimestamp(base) +
                        "&to=" + FormatTimestamp(base + seconds(kReadings));
      HttpAnswer a;
      EXPECT_TRUE(WaitFor(
          [&] {
            a = stack.Get(path);
            return a.status == 200 && a.body["points"].size() == kReadings;
          },
          seconds(20)))
          << d.id << " " << metric << ": " << a.status << " "
          << (a.body.contains("points") ? a.body["points"].size() : 0) << " points\n"
          << listeners.Logs();
      for (int i = 0; i < static_cast<int>(a.body["points"].size()) && i < kReadings; ++i) {
        ASSERT_EQ(a.body["points"][i]["ts"], FormatTimestamp(base + seconds(i))) << d.id;
        ASSERT_EQ(a.body["points"][i]["count"], 1) << d.id;
      }
    }
  }
  const auto stats = stack.Get("/api/v1/ingest/stats");
  EXPECT_EQ(stats.body["rejected"], 0) << stats.body.dump();
  // Split, not copied: duplicates are only what a restart delivers again (and the metas, which
  // every listener takes), where three copies of the stream would make two duplicates a message.
  EXPECT_LT(stats.body["duplicates"].get<long>(), static_cast<long>(stream.size() / 10))
      << stats.body.dump();
  // Each listener took its share: the killed one before it died and after its restart.
  EXPECT_GT(stored_before_kill, 0);
  for (int i = 1; i <= 3; ++i) EXPECT_GT(listeners.Stored(i), 0) << "listener " << i;

  // Summaries and schedules: the retained value is what the API answers from the stored data.
  const auto derived_right = [&](std::string* why) {
    const auto latest = seen.Latest();
    for (int s = 1; s <= kSites; ++s) {
      const std::string site = "shared-" + std::to_string(s);
      const auto topic = std::string(Stack::kPrefix) + "/sites/" + site + "/summary";
      const auto api = stack.Get("/api/v1/sites/" + site + "/energy/summary");
      if (!latest.contains(topic) || api.status != 200 ||
          WithoutTs(latest.at(topic)) != WithoutTs(api.raw)) {
        *why =
            topic + ": " + (latest.contains(topic) ? latest.at(topic) : "none") + " vs " + api.raw;
        return false;
      }
      const auto ev = site + "-ev";
      const auto schedule = DeviceTopic(site, ev, "schedule");
      const auto view = stack.Get("/api/v1/devices/" + ev + "/charging-schedule");
      if (!latest.contains(schedule) || Json::parse(latest.at(schedule)) != view.body) {
        *why = schedule + ": " + (latest.contains(schedule) ? latest.at(schedule) : "none") +
               " vs " + view.raw;
        return false;
      }
    }
    return true;
  };
  std::string why;
  EXPECT_TRUE(WaitFor([&] { return derived_right(&why); }, seconds(20))) << why;

  // Energy totals: settled (unchanged for longer than listener/derived/derived.h kSettle and a
  // tick), then what one listener alone publishes from the stored data.
  const auto totals_of = [](const std::map<std::string, std::string>& latest) {
    std::map<std::string, std::string> out;
    for (const auto& [t, p] : latest) {
      if (t.ends_with("/energy/totals")) out[t] = p;
    }
    return out;
  };
  std::map<std::string, std::string> shared_totals;
  auto unchanged_since = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitFor(
      [&] {
        auto now = totals_of(seen.Latest());
        if (now != shared_totals) {
          shared_totals = std::move(now);
          unchanged_since = std::chrono::steady_clock::now();
        }
        return std::chrono::steady_clock::now() - unchanged_since > seconds(3);
      },
      seconds(30)));
  EXPECT_EQ(shared_totals.size(), static_cast<std::size_t>(kSites + devices.size()));
  {  // figures that went down on the wire: counted and printed, not asserted
    // Known limitation (docs/decisions.md, Many listeners): two listeners publishing one site's
    // totals moments apart can reach a subscriber in the other order, so a figure may step back
    // for a moment (seen once in a clean-clone run: 0.003 after 0.007 kWh). Each listener's own
    // figures never decrease (the counters are saved in one write transaction); the converged
    // figures are asserted below against a lone listener's.
    std::lock_guard lock(seen.mu);
    std::map<std::pair<std::string, std::string>, double> last;
    int stepped_back = 0;
    for (const auto& [t, p] : seen.all) {
      if (!t.ends_with("/energy/totals")) continue;
      const auto body = Json::parse(p);
      for (const auto& [figure, value] : body.items()) {
        auto& before = last[{t, figure}];
        if (value.get<double>() < before) {
          ++stepped_back;
          std::printf("stepped back on the wire: %s %s %g after %g\n", t.c_str(), figure.c_str(),
                      value.get<double>(), before);
        }
        before = value.get<double>();
      }
    }
    std::printf("totals figures that stepped back on the wire: %d\n", stepped_back);
  }
  for (int i = 1; i <= 3; ++i) listeners[i].Stop();
  {
    std::lock_guard lock(seen.mu);
    seen.all.clear();
  }
  listeners.Start(4);  // alone now: it publishes every site's totals at its start
  EXPECT_TRUE(WaitFor([&] { return totals_of(seen.Latest()).size() == shared_totals.size(); }))
      << totals_of(seen.Latest()).size();
  EXPECT_EQ(totals_of(seen.Latest()), shared_totals);
}

}  // namespace
}  // namespace ems::testing
