// Sustained load (BENCHMARKS.md, docs/SCALING.md): the message rate of two million devices
// reporting once a minute (~33 000 messages a second) from 100 000 simulated device ids, for
// minutes, into the real broker and ems-listener, and what it costs each minute.
//
// The stream is the simulator's (ems::sim::Fleet, the payload mix ems-publisher sends: homes'
// telemetry, sessions, tariffs, the hub) with as many homes as make `devices` ids, each device
// reporting every devices / rate seconds; each step's messages are published evenly over the
// step, so the rate is flat. A probe device (a battery of its own site, payloads from the codec's
// encoder) reports `ts` = the instant it is published, 50 times a second; a poller reads the
// probe's latest reading through the store (the same calls the API makes) every 2 ms, and the
// first time it sees a reading counts publish → stored for it.
//
// Each minute: messages published and stored (the listener's ingest totals), publish → stored
// p50/p99/max, resident memory of the listener and the broker, the database's size (file and
// WAL; SQLite only: PostgreSQL's own processes are not measured), CPU a message of the listener,
// the broker and the publisher thread (each from /proc/<pid>/task/*/stat). At the end: the
// database's size per million stored messages, as stored and with the raw samples pruned (a copy,
// SQLite only), which is what it holds once raw retention has removed them.
//
// The listener runs the database the harness gives it: SQLite beside the stack, or PostgreSQL
// with EMS_TEST_BACKEND=postgres and EMS_TEST_PG_URL (tests/integration/harness.h).
//
// Usage: soak_bench [rate=33333] [minutes=10] [devices=100000]
#include <SQLiteCpp/SQLiteCpp.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "ems/codec/device_codec.h"
#include "ems/sim/fleet.h"
#include "ems/store/store.h"
#include "harness.h"

using ems::Timestamp;
using ems::testing::Stack;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kProbe = "soak-probe";
constexpr int kProbesPerSecond = 50;
constexpr int kWriterNice = 10;  // ListenerApp::kWriterNice: how the writer thread is found

// CPU seconds used by the threads of `pid` whose name starts with `prefix` (all when empty) and,
// when `nice` is set, that run at that niceness (the listener's writer is the one at nice 10).
double CpuSeconds(pid_t pid, const std::string& prefix = "", std::optional<int> nice = {}) {
  double total = 0;
  std::error_code ec;
  const std::string task = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& entry : std::filesystem::directory_iterator(task, ec)) {
    std::string name;
    std::getline(std::ifstream(entry.path() / "comm"), name);
    if (!name.starts_with(prefix)) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    if (text.empty()) continue;
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string skip;
    for (int i = 0; i < 11; ++i) fields >> skip;  // state .. cmajflt
    double utime = 0, stime = 0;
    long cutime = 0, cstime = 0, priority = 0, niceness = 0;
    fields >> utime >> stime >> cutime >> cstime >> priority >> niceness;
    if (nice && niceness != *nice) continue;
    total += (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }
  return total;
}

long ResidentKiB(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  }
  return -1;
}

std::uintmax_t DatabaseBytes(const std::string& db_path) {
  std::uintmax_t total = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(db_path + suffix, ec);
    if (!ec) total += size;
  }
  return total;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

std::string ProbeTelemetry(Timestamp ts, long i) {
  ems::Telemetry t;
  t.ts = ts;
  t.metrics = {{"power_w", -1000.0 - static_cast<double>(i % 1000)},
               {"soc_pct", 20.0 + static_cast<double>(i % 60)}};
  return ems::codec::EncodeTelemetry(t);
}

int Soak(double rate, int minutes, int devices) {
  // Homes of the simulator's fleet: how many device ids one has, so that `devices` ids are made.
  ems::sim::FleetConfig one;
  one.sites = 1;
  one.hub_stations = 0;
  const int per_home = static_cast<int>(ems::sim::Fleet(one, ems::Now()).Discovery().size());
  ems::sim::FleetConfig config;
  config.sites = std::max(1, devices / per_home);
  const int interval_s = std::max(1, static_cast<int>(devices / rate + 0.5));
  config.telemetry_interval = std::chrono::seconds(interval_s);
  const Timestamp start = ems::Now();
  ems::sim::Fleet fleet(config, start);
  const auto discovery = fleet.Discovery();

  Stack stack;
  stack.StartBroker();
  stack.StartListener({{"EMS_LOG_LEVEL", "info"}});
  const pid_t listener = stack.listener().pid(), broker = stack.broker().pid();
  // Where the listener stores: the SQLite file, or with EMS_TEST_BACKEND=postgres a database of
  // its own on EMS_TEST_PG_URL (tests/integration/harness.h).
  const std::string database = stack.database();
  auto store = ems::store::OpenStore(database);
  const auto totals = [&] { return store->Ingest().Totals(); };

  std::vector<std::pair<std::string, std::string>> setup;
  for (const auto& m : discovery) setup.emplace_back(m.topic, m.payload);
  // The probe: the meta of a battery of the fleet, on a site and device of its own.
  for (const auto& m : discovery) {
    if (m.topic.ends_with("-battery/meta")) {
      setup.emplace_back(
          std::string(Stack::kPrefix) + "/sites/soak-probe-site/devices/" + kProbe + "/meta",
          m.payload);
      break;
    }
  }
  const auto setup_start = Clock::now();
  stack.PublishAll(setup);
  while (totals().received < static_cast<std::int64_t>(setup.size())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::printf(
      "soak: %d homes × %d = %zu device ids (+ hub, probe), one reading each %d s = %.0f msg/s "
      "of telemetry; discovery stored in %.1f s\n",
      config.sites, per_home, discovery.size(), interval_s,
      static_cast<double>(discovery.size()) / interval_s,
      std::chrono::duration<double>(Clock::now() - setup_start).count());
  std::fflush(stdout);

  std::mutex mu;
  std::map<std::int64_t, Clock::time_point> sent;  // probe ts (ms) → published
  std::map<int, std::vector<double>> latency_ms;   // minute → publish → stored
  std::atomic<long> published{0};
  std::atomic<bool> done{false};
  const auto run_start = Clock::now();
  const auto minute_of = [&](Clock::time_point t) {
    return static_cast<int>(
        std::chrono::duration_cast<std::chrono::minutes>(t - run_start).count());
  };

  std::thread poller([&] {
    pthread_setname_np(pthread_self(), "soak-poll");
    auto reader = ems::store::OpenStore(database);
    std::int64_t seen = 0;
    while (!done) {
      std::optional<ems::LatestMetric> latest;
      try {
        latest = reader->Readings().Latest(kProbe, "power_w");
      } catch (const std::exception&) {  // busy: next poll
      }
      const auto now = Clock::now();
      if (latest && ems::ToMillis(latest->ts) != seen) {
        seen = ems::ToMillis(latest->ts);
        std::lock_guard lock(mu);
        if (const auto it = sent.find(seen); it != sent.end()) {
          latency_ms[minute_of(it->second)].push_back(
              std::chrono::duration<double, std::milli>(now - it->second).count());
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });

  std::thread publisher([&] {
    pthread_setname_np(pthread_self(), "soak-pub");
    mqtt::async_client pub("tcp://127.0.0.1:" + std::to_string(stack.broker_port()), "soak-pub",
                           mqtt::create_options_builder().max_buffered_messages(20000).finalize(),
                           nullptr);
    pub.connect(mqtt::connect_options_builder()
                    .clean_session(true)
                    .max_inflight(2000)
                    .user_name("ems-publisher")
                    .password(stack.password("ems-publisher"))
                    .finalize())
        ->wait();
    std::deque<mqtt::delivery_token_ptr> window;
    const auto send = [&](const std::string& topic, const std::string& payload) {
      window.push_back(pub.publish(topic, payload.data(), payload.size(), 1, false));
      ++published;
      while (window.size() > 1500 || (!window.empty() && window.front()->is_complete())) {
        window.front()->wait();
        window.pop_front();
      }
    };
    const auto end = run_start + std::chrono::minutes(minutes);
    const std::string probe_topic =
        std::string(Stack::kPrefix) + "/sites/soak-probe-site/devices/" + kProbe + "/telemetry";
    long probes = 0;
    auto next_probe = Clock::now();
    Timestamp step = fleet.time();
    while (Clock::now() < end) {
      step += config.telemetry_interval;
      std::this_thread::sleep_until(Clock::now() + (step - ems::Now()));
      auto messages = fleet.Advance(step);  // everything due at `step`, stamped `step`
      const auto step_start = Clock::now();
      const auto span = std::chrono::duration<double>(config.telemetry_interval);
      for (std::size_t i = 0; i < messages.size(); ++i) {
        // Evenly over the step: message i is due at step_start + span · i / n.
        const auto due =
            step_start +
            std::chrono::duration_cast<Clock::duration>(
                span * (static_cast<double>(i) / static_cast<double>(messages.size())));
        if (i % 64 == 0) std::this_thread::sleep_until(due);
        while (Clock::now() >= next_probe) {
          const auto ts = ems::Now();
          {
            std::lock_guard lock(mu);
            sent[ems::ToMillis(ts)] = Clock::now();
          }
          send(probe_topic, ProbeTelemetry(ts, probes++));
          next_probe += std::chrono::milliseconds(1000 / kProbesPerSecond);
        }
        send(messages[i].topic, messages[i].payload);
      }
    }
    for (auto& t : window) t->wait();
    pub.disconnect()->wait();
  });

  std::printf(
      "| minute | published msg/s | stored msg/s | p50 ms | p99 ms | max ms | probes seen | "
      "listener RSS MiB | broker RSS MiB | database MiB | CPU µs/msg: listener (its receive "
      "thread, its writer), broker, publisher | load |\n| ---: | ---: | ---: | ---: | ---: | ---: "
      "| ---: | "
      "---: "
      "| ---: | ---: | --- | ---: |\n");
  std::fflush(stdout);
  const auto stored_at_start = totals().stored;
  const std::string self_prefix = "soak-pub";
  long last_published = 0;
  auto last_stored = stored_at_start;
  const auto cpu_now = [&]() -> std::array<double, 5> {
    return {CpuSeconds(listener), CpuSeconds(listener, "MQTTAsync_rcv"),
            CpuSeconds(listener, "", kWriterNice), CpuSeconds(broker),
            CpuSeconds(::getpid(), self_prefix)};
  };
  auto last_cpu = cpu_now();
  // Every minute of publishing, then up to a minute more for the listener to catch up (its
  // publisher column is 0: the publisher has ended).
  for (int m = 0; m <= minutes; ++m) {
    std::this_thread::sleep_until(run_start + std::chrono::minutes(m + 1));
    if (!stack.listener().Running()) {
      const auto log = stack.listener().Log();
      std::printf("the listener stopped:\n%s\n",
                  log.substr(log.size() - std::min<std::size_t>(log.size(), 3000)).c_str());
      std::fflush(stdout);
      std::_Exit(1);
    }
    const long pub_now = published;
    const auto stored_now = totals().stored;
    const auto cpu = cpu_now();
    double load = 0;
    std::ifstream("/proc/loadavg") >> load;
    const double n = static_cast<double>(std::max<long>(1, pub_now - last_published));
    const double stored_n =
        static_cast<double>(std::max<std::int64_t>(1, stored_now - last_stored));
    std::vector<double> lat;
    {
      std::lock_guard lock(mu);
      lat = latency_ms[m];
    }
    std::printf(
        "| %d | %.0f | %.0f | %.1f | %.1f | %.1f | %zu | %.1f | %.1f | %.1f | %.1f (%.1f, %.1f), "
        "%.1f, "
        "%.1f | %.1f |\n",
        m + 1, static_cast<double>(pub_now - last_published) / 60.0,
        static_cast<double>(stored_now - last_stored) / 60.0, Percentile(lat, 0.5),
        Percentile(lat, 0.99), lat.empty() ? 0.0 : *std::max_element(lat.begin(), lat.end()),
        lat.size(), static_cast<double>(ResidentKiB(listener)) / 1024.0,
        static_cast<double>(ResidentKiB(broker)) / 1024.0,
        static_cast<double>(DatabaseBytes(stack.db_path())) / 1048576.0,
        (cpu[0] - last_cpu[0]) * 1e6 / stored_n, (cpu[1] - last_cpu[1]) * 1e6 / stored_n,
        (cpu[2] - last_cpu[2]) * 1e6 / stored_n, (cpu[3] - last_cpu[3]) * 1e6 / n,
        m < minutes ? (cpu[4] - last_cpu[4]) * 1e6 / n : 0.0, load);
    std::fflush(stdout);
    last_published = pub_now;
    last_stored = stored_now;
    last_cpu = cpu;
    if (m == minutes - 1) publisher.join();
    if (m >= minutes && stored_now - stored_at_start >= published) break;
  }
  done = true;
  poller.join();
  const auto t = totals();
  const long total_published = published;
  std::printf(
      "published %ld, stored %lld, duplicates %lld, rejected %lld; listener peak RSS %.1f MiB, "
      "broker peak RSS %.1f MiB\n",
      total_published, static_cast<long long>(t.stored - stored_at_start),
      static_cast<long long>(t.duplicates), static_cast<long long>(t.rejected),
      static_cast<double>(ems::testing::PeakResidentKiB(listener)) / 1024.0,
      static_cast<double>(ems::testing::PeakResidentKiB(broker)) / 1024.0);
  stack.StopListener();
  // A listener still working off its queue after the stop's 15 s is killed: what it committed
  // stays, and the database is measured at rest.
  if (stack.listener().Running()) stack.listener().Stop(SIGKILL);
  store.reset();
  if (database == stack.db_path()) {
    // As stored, and once raw retention pruned every raw sample (a copy, vacuumed).
    {
      SQLite::Database db(stack.db_path(), SQLite::OPEN_READWRITE);
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    const double million = static_cast<double>(t.stored) / 1e6;
    const auto stored_bytes = DatabaseBytes(stack.db_path());
    const std::string copy = stack.dir() + "/rollups-only.db";
    std::filesystem::copy_file(stack.db_path(), copy);
    // Bytes a raw sample and a rollup row take: the copy's size as each table is emptied.
    std::int64_t raw_rows = 0, rollup_rows = 0;
    std::uintmax_t without_raw = 0, without_rollups = 0;
    {
      SQLite::Database db(copy, SQLite::OPEN_READWRITE);
      db.exec("PRAGMA journal_mode = DELETE");  // else VACUUM writes the smaller file to the WAL
      raw_rows = db.execAndGet("SELECT count(*) FROM telemetry").getInt64();
      rollup_rows = db.execAndGet(
                          "SELECT (SELECT count(*) FROM telemetry_rollups) + "
                          "(SELECT count(*) FROM energy_rollups)")
                        .getInt64();
      db.exec("DELETE FROM telemetry");
      db.exec("VACUUM");
      without_raw = DatabaseBytes(copy);
      db.exec("DELETE FROM telemetry_rollups");
      db.exec("DELETE FROM energy_rollups");
      db.exec("VACUUM");
      without_rollups = DatabaseBytes(copy);
    }
    const auto mib = [](double bytes) { return bytes / 1048576.0; };
    std::printf(
        "database: %.1f MiB for %.2f M messages = %.1f MiB per million with raw samples, %.1f "
        "MiB per million once raw retention pruned them (rollups, latest values, sessions); "
        "%lld raw samples, %.1f bytes each; %lld rollup rows, %.1f bytes each; %.1f MiB "
        "without either (devices, series, latest values)\n",
        mib(static_cast<double>(stored_bytes)), million,
        mib(static_cast<double>(stored_bytes)) / million,
        mib(static_cast<double>(without_raw)) / million, static_cast<long long>(raw_rows),
        static_cast<double>(stored_bytes - without_raw) /
            static_cast<double>(std::max<std::int64_t>(raw_rows, 1)),
        static_cast<long long>(rollup_rows),
        static_cast<double>(without_raw - without_rollups) /
            static_cast<double>(std::max<std::int64_t>(rollup_rows, 1)),
        mib(static_cast<double>(without_rollups)));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return Soak(argc > 1 ? std::atof(argv[1]) : 33333, argc > 2 ? std::atoi(argv[2]) : 10,
              argc > 3 ? std::atoi(argv[3]) : 100000);
}
