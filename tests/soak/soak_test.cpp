// Chaos soak (docs/contract.md §4.4, §8; RELIABILITY.md): the whole product as run.sh runs it
// (broker, listener, API behind the edge, OCPP gateway, publisher at a speed-up) under a load of
// its own while a seeded schedule of overlapping faults kills, freezes and starves every part.
//
// Load: simulated devices publishing telemetry and charging sessions through mqtt::Outbox, with a
// ledger of every message the broker acknowledged (PUBACK); API readers probing /health and a
// series every 100 ms; a logged-in writer changing an EV's schedule.
// Faults: SIGKILL + restart of each service, SIGSTOP/SIGCONT of each (the broker too), broker
// restarts (graceful and SIGKILL), the services' connections to the broker and the edge's to the
// API cut or blackholed (tests/soak/tcp_proxy.h), the database's filesystem full (a tmpfs; root
// only), and a burst of poison with an HTTP flood during a kill.
// Invariants, each printed with its figure: every acknowledged message stored exactly once;
// nothing acknowledged dead-lettered; derived topics converge to what the API reports; each
// service's RSS within its bound; no service died but by the schedule's hand (a sanitizer report
// aborts the service); the API's longest outage per fault kind is printed.
//
// EMS_SOAK_SEED (0 or unset: a random one, printed), EMS_SOAK_SECONDS (60) of faults,
// EMS_SOAK_RATE (40 messages/s of device load), EMS_SOAK_REPORT (a file for the markdown table
// of RELIABILITY.md). Replay a failing run with the seed and seconds it printed.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <numeric>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "ems/mqtt/client.h"
#include "ems/mqtt/outbox.h"
#include "harness.h"
#include "tcp_proxy.h"

namespace ems::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kSite = "soak";
constexpr int kDevices = 24;
constexpr int kLoadClients = 4;

long EnvLong(const char* name, long fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::stol(v) : fallback;
}

double Since(Clock::time_point start, Clock::time_point t = Clock::now()) {
  return std::chrono::duration<double>(t - start).count();
}

std::string Topic(const std::string& device, const std::string& leaf) {
  return std::string(Stack::kPrefix) + "/sites/" + kSite + "/devices/" + device + "/" + leaf;
}

// --- the schedule ---

struct Fault {
  double at = 0;       // seconds after the chaos starts
  std::string kind;    // "kill", "freeze", "broker-restart", "broker-kill", "cut", ...
  std::string target;  // a service, "mqtt" or "api" (a proxy), "disk"
  double seconds = 0;  // how long the fault lasts
  std::string Name() const { return kind + " " + target; }
};

std::vector<Fault> MakeSchedule(std::uint64_t seed, double length, bool disk) {
  std::mt19937_64 rng(seed);
  const auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  const auto pick = [&](const std::vector<std::string>& v) {
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
  };
  const std::vector<std::string> services = {"listener", "api", "ocpp", "publisher"};
  std::vector<std::pair<std::string, int>> kinds = {
      {"kill", 6}, {"freeze", 5},    {"broker-restart", 2},   {"broker-kill", 2},
      {"cut", 3},  {"blackhole", 3}, {"poison-flood-kill", 2}};
  if (disk) kinds.push_back({"disk-full", 2});
  int total = 0;
  for (const auto& k : kinds) total += k.second;
  std::vector<Fault> out;
  // Every kind once early on (a short run still covers each), then at random.
  std::size_t forced = 0;
  for (double t = 2; t < length - 2; t += uniform(1.0, 3.5)) {
    Fault f;
    f.at = t;
    if (forced < kinds.size()) {
      f.kind = kinds[forced++].first;
    } else {
      int r = std::uniform_int_distribution<int>(0, total - 1)(rng);
      for (const auto& k : kinds) {
        if ((r -= k.second) < 0) {
          f.kind = k.first;
          break;
        }
      }
    }
    f.seconds = uniform(1.0, 5.0);
    if (f.kind == "kill" || f.kind == "poison-flood-kill") {
      f.target = f.kind == "kill" ? pick(services) : pick({"listener", "api"});
      f.seconds = uniform(0.2, 2.0);  // down before the supervisor restarts it
    } else if (f.kind == "freeze") {
      f.target = pick({"broker", "listener", "api", "ocpp", "publisher"});
    } else if (f.kind == "broker-restart" || f.kind == "broker-kill") {
      f.target = "broker";
      f.seconds = uniform(0.2, 3.0);
    } else if (f.kind == "cut" || f.kind == "blackhole") {
      f.target = pick({"mqtt", "api"});
    } else {
      f.target = "disk";
    }
    out.push_back(f);
  }
  return out;
}

// --- the ledger of acknowledged messages ---

struct Ledger {
  std::mutex mu;
  std::map<std::pair<std::string, long long>, double> telemetry;  // (device, ts ms) -> ack time
  std::map<std::string, std::pair<double, double>> sessions;      // id -> (energy, ack time)
  std::set<std::pair<std::string, long long>> telemetry_sent;     // published, acked or not
  std::set<std::string> sessions_sent;
  std::atomic<long> acked{0};
  std::atomic<long> refused{0};
};

// Devices of the soak's site, publishing through their own outboxes as the publisher does.
class DeviceLoad {
 public:
  DeviceLoad(Stack& stack, Ledger& ledger, Clock::time_point start, double rate)
      : stack_(stack), ledger_(ledger), start_(start), rate_(rate) {
    for (int c = 0; c < kLoadClients; ++c) {
      auto cs = Settings(c);
      clients_.push_back(mqtt::MakeClient(cs, "", 100000));
      outboxes_.push_back(std::make_unique<mqtt::Outbox>(*clients_.back(), 100000));
      if (!mqtt::ConnectWithRetry(*clients_.back(), cs, *outboxes_.back(), never_)) {
        throw std::runtime_error("the load cannot connect");
      }
    }
    for (int d = 0; d < kDevices; ++d) {
      Json meta = d == 0 ? EvMeta() : SolarMeta();
      meta["site_name"] = "Soak";
      meta["site_timezone"] = "UTC";
      outboxes_[0]->Publish(Topic(Device(d), "meta"), meta.dump(), true);
    }
    outboxes_[0]->WaitUntilAtMost(0, seconds(30));
  }
  ~DeviceLoad() { Stop(); }

  static std::string Device(int d) { return "soak-d" + std::to_string(d); }

  void Start() {
    for (int c = 0; c < kLoadClients; ++c) threads_.emplace_back([this, c] { Run(c); });
  }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
  // Waits until the broker acknowledged everything published (the services are all back).
  bool Drain(seconds timeout) {
    const auto until = Clock::now() + timeout;
    for (auto& o : outboxes_) {
      if (!o->WaitUntilAtMost(0, std::chrono::duration_cast<milliseconds>(until - Clock::now()))) {
        return false;
      }
    }
    return true;
  }
  mqtt::Outbox& outbox(int c) { return *outboxes_[c]; }

 private:
  mqtt::ConnectionSettings Settings(int c) const {
    mqtt::ConnectionSettings cs;
    cs.uri = "tcp://127.0.0.1:" + std::to_string(stack_.broker_port());
    cs.username = "ems-publisher";
    cs.password = stack_.password("ems-publisher");
    cs.client_id = "soak-load-" + std::to_string(c);
    cs.prefix = Stack::kPrefix;
    cs.service = "publisher";
    return cs;
  }

  void Run(int c) {
    const auto period = std::chrono::duration<double>(kLoadClients / rate_);
    // Telemetry of the last day, a second per message and device: never in the future.
    const long long base = std::chrono::duration_cast<milliseconds>(
                               (Now() - std::chrono::hours(24)).time_since_epoch())
                               .count() /
                           1000 * 1000;
    long n = 0;
    auto next = Clock::now();
    while (!stop_) {
      // A device buffers while its broker is away, as the publisher does, up to a bound.
      if (!outboxes_[c]->WaitUntilAtMost(2000, milliseconds(100))) continue;
      const int d = c + kLoadClients * static_cast<int>(n % (kDevices / kLoadClients));
      const auto device = Device(d);
      if (n % 10 == 9) {
        const std::string id = "soak-s" + std::to_string(c) + "-" + std::to_string(n);
        const double energy = static_cast<double>(n % 700) / 10.0 + 0.5;
        {
          std::lock_guard lock(ledger_.mu);
          ledger_.sessions_sent.insert(id);
        }
        outboxes_[c]->Publish(SessionTopic(kSite, "soak-st" + std::to_string(c)),
                              SessionJson(id, "soak-st" + std::to_string(c), "2026-11-21T08:00:00Z",
                                          "completed", energy),
                              false, [this, id, energy](bool ok) {
                                if (!ok) return void(++ledger_.refused);
                                std::lock_guard lock(ledger_.mu);
                                ledger_.sessions[id] = {energy, Since(start_)};
                                ++ledger_.acked;
                              });
      } else {
        const long long ts = base + (n / (kDevices / kLoadClients)) * 1000;
        {
          std::lock_guard lock(ledger_.mu);
          ledger_.telemetry_sent.insert({device, ts});
        }
        const Timestamp at{milliseconds(ts)};
        outboxes_[c]->Publish(
            Topic(device, "telemetry"),
            // The EV (device 0) charges: drawing power is negative (docs/contract.md §4.1).
            TelemetryPayload(
                at, Json{{"power_w", (d == 0 ? -1.0 : 1.0) * static_cast<double>(n % 5000)}}),
            false, [this, device, ts](bool ok) {
              if (!ok) return void(++ledger_.refused);
              std::lock_guard lock(ledger_.mu);
              ledger_.telemetry[{device, ts}] = Since(start_);
              ++ledger_.acked;
            });
      }
      ++n;
      next += std::chrono::duration_cast<Clock::duration>(period);
      std::this_thread::sleep_until(next);
      if (Clock::now() - next > seconds(2)) next = Clock::now();  // after a wait: no burst
    }
  }

  Stack& stack_;
  Ledger& ledger_;
  Clock::time_point start_;
  double rate_;
  const std::atomic<bool> never_{false};
  std::atomic<bool> stop_{false};
  std::vector<std::unique_ptr<::mqtt::async_client>> clients_;
  std::vector<std::unique_ptr<mqtt::Outbox>> outboxes_;
  std::vector<std::thread> threads_;
};

// --- HTTP through the edge ---

struct Probe {
  double at;  // when the request was sent
  bool ok;    // 2xx (a 429 under a flood counts as answered) within a second
};

HttpAnswer Call(int port, const std::string& method, const std::string& path,
                const std::string& token, const std::string& body = "") {
  httplib::Client cli("127.0.0.1", port);
  cli.set_connection_timeout(2);
  cli.set_read_timeout(5);
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  httplib::Result r = method == "GET"   ? cli.Get(path, headers)
                      : method == "PUT" ? cli.Put(path, headers, body, "application/json")
                                        : cli.Post(path, headers, body, "application/json");
  HttpAnswer a;
  if (!r) return a;
  a.status = r->status;
  a.raw = r->body;
  a.body = Json::parse(r->body, nullptr, false);
  return a;
}

// --- the services under a supervisor ---

struct Service {
  std::string name;
  std::mutex mu;                // held by a fault on it; the supervisor skips it meanwhile
  std::function<void()> start;  // starts it (again)
  std::function<Process*()> process;
  int unexpected_exits = 0;
  int refused_start_on_full_disk = 0;  // exited with an error (no signal) while the disk was full
  std::string last_exit_log;
};

long ResidentKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

TEST(SoakTest, OverlappingFaultsUnderLoadLoseAndDoubleNothing) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines reach the log as they happen
  std::uint64_t seed = static_cast<std::uint64_t>(EnvLong("EMS_SOAK_SEED", 0));
  if (seed == 0) seed = std::random_device{}() | 1;
  const double length = static_cast<double>(EnvLong("EMS_SOAK_SECONDS", 60));
  const double rate = static_cast<double>(EnvLong("EMS_SOAK_RATE", 40));
  const bool root = ::geteuid() == 0;
  std::printf(
      "soak seed %llu, %.0f s of faults, %.0f messages/s (replay: EMS_SOAK_SEED=%llu "
      "EMS_SOAK_SECONDS=%.0f)\n",
      static_cast<unsigned long long>(seed), length, rate, static_cast<unsigned long long>(seed),
      length);
  if (!root) std::printf("disk-full faults skipped: mounting a small tmpfs needs root\n");
  const auto schedule = MakeSchedule(seed, length, root);
  for (const auto& f : schedule) {
    std::printf("  at %6.1f s  %-20s for %.1f s\n", f.at, f.Name().c_str(), f.seconds);
  }
  std::fflush(stdout);

  // Autosave every second: a SIGKILLed broker loses at most the last second it had not handed on
  // (docs/architecture.md, Guarantees), the bound this soak checks.
  ::setenv("EMS_BROKER_AUTOSAVE_S", "1", 1);
  Stack stack;
  const auto data = std::filesystem::path(stack.db_path()).parent_path();
  std::filesystem::create_directories(data);
  bool mounted = false;
  if (root) {
    const auto size = "size=" + std::to_string(EnvLong("EMS_SOAK_TMPFS_MB", 256)) + "m";
    mounted = ::mount("tmpfs", data.c_str(), "tmpfs", 0, size.c_str()) == 0;
    if (!mounted) std::printf("disk-full faults skipped: cannot mount a tmpfs\n");
  }
  struct Unmount {  // the services stop before their tmpfs goes, however the test ends
    Stack& stack;
    std::filesystem::path data;
    bool mounted;
    ~Unmount() {
      ::unsetenv("EMS_BROKER_AUTOSAVE_S");
      if (!mounted) return;
      for (auto* p : {&stack.publisher(), &stack.ocpp(), &stack.api(), &stack.listener()}) {
        if (p->Running()) p->Stop(SIGKILL);
      }
      ::umount2(data.c_str(), MNT_DETACH);
    }
  } unmount{stack, data, mounted};
  stack.StartBroker();
  TcpProxy mqtt_proxy(stack.broker_port());
  TcpProxy api_proxy(stack.api_port());
  const std::map<std::string, std::string> via_proxy = {
      {"EMS_MQTT_URL", "mqtt://127.0.0.1:" + std::to_string(mqtt_proxy.port())}};

  std::map<std::string, std::unique_ptr<Service>> services;
  const auto add = [&](const std::string& name, std::function<void()> start,
                       std::function<Process*()> process) {
    auto s = std::make_unique<Service>();
    s->name = name;
    s->start = std::move(start);
    s->process = std::move(process);
    services[name] = std::move(s);
  };
  add(
      "broker", [&] { stack.StartBroker(); }, [&] { return &stack.broker(); });
  add(
      "listener", [&] { stack.StartListener(via_proxy); }, [&] { return &stack.listener(); });
  add(
      "api", [&] { stack.StartApi(via_proxy); }, [&] { return &stack.api(); });
  add(
      "ocpp", [&] { stack.StartOcpp(via_proxy); }, [&] { return &stack.ocpp(); });
  auto publisher_env = via_proxy;
  publisher_env["EMS_PUBLISHER_SPEED"] = "10";
  publisher_env["EMS_PUBLISHER_SITES"] = "2";
  publisher_env["EMS_PUBLISHER_PERSIST_DIR"] = stack.dir() + "/publisher-state";
  add(
      "publisher", [&] { stack.StartPublisher(publisher_env); },
      [&] { return &stack.publisher(); });
  stack.StartListener(via_proxy);
  stack.StartEdge({{"EMS_API_LISTEN", "127.0.0.1:" + std::to_string(api_proxy.port())}});
  stack.StartApi(via_proxy);
  stack.StartOcpp(via_proxy);
  stack.StartPublisher(publisher_env);
  const std::string token = stack.AdminToken();
  const int edge = stack.edge_port();

  const auto start = Clock::now();
  const double start_wall_ms = static_cast<double>(
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  Ledger ledger;
  DeviceLoad load(stack, ledger, start, rate);
  ASSERT_TRUE(WaitFor(
      [&] {
        return Call(edge, "GET", "/api/v1/devices/" + DeviceLoad::Device(0) + "/charging-schedule",
                    token)
                   .status == 200;
      },
      seconds(60)))
      << "the soak's devices were not discovered";
  load.Start();

  // OCPP charge points with their transactions (tests/soak/charge_points.js on ocpp-rpc).
  std::unique_ptr<Process> charge_points;
  const std::string node_dir = EMS_OCPP_NODE_DIR;
  if (std::filesystem::exists(node_dir + "/node_modules/ocpp-rpc")) {
    std::string stations;
    for (int i = 0; i < 4; ++i) {
      const auto id = "soak-cp" + std::to_string(i);
      const auto added =
          stack.EmsApiCommand("charger add " + kSite + " " + id + " --max-power-w 11000");
      ASSERT_EQ(added.code, 0) << added.output;
      stations += (stations.empty() ? "" : ",") + id + ":" + PrintedPassword(added.output);
    }
    charge_points = std::make_unique<Process>(
        std::vector<std::string>{"/usr/bin/env", "node",
                                 stack.SourcePath("tests/soak/charge_points.js")},
        std::map<std::string, std::string>{
            {"PATH", "/usr/local/bin:/usr/bin:/bin"},
            {"NODE_PATH", node_dir + "/node_modules"},
            {"EMS_OCPP_URL", "ws://127.0.0.1:" + std::to_string(stack.ocpp_port()) + "/ocpp"},
            {"EMS_STATIONS", stations}},
        stack.dir(), stack.dir() + "/charge-points.out");
  } else {
    std::printf(
        "OCPP charge points skipped: ocpp-rpc is not installed in %s (ctest -L ocpp "
        "installs it)\n",
        node_dir.c_str());
  }

  std::atomic<double> disk_full_until = -1000;  // when the last disk-full fault ended (or now)
  // The supervisor: a service that died by no fault's hand is counted and started again.
  std::atomic<bool> stop_supervisor = false;
  std::thread supervisor([&] {
    while (!stop_supervisor) {
      for (auto& [name, s] : services) {
        std::unique_lock lock(s->mu, std::try_to_lock);
        if (!lock.owns_lock()) continue;
        if (s->process()->Running()) continue;
        // A service that cannot open its database on a full disk exits with an error and the
        // restart policy starts it again: allowed. A crash (a signal, a sanitizer's abort) is not.
        const int code = s->process()->Wait(milliseconds(0));
        if (code > 0 && code < 128 && Since(start) <= disk_full_until.load() + 2.0) {
          ++s->refused_start_on_full_disk;
          try {
            s->start();
          } catch (const std::exception&) {
          }
          continue;
        }
        ++s->unexpected_exits;
        s->last_exit_log = s->process()->Log();
        std::printf("  %.1f s: %s exited by itself; starting it again\n", Since(start),
                    name.c_str());
        try {
          s->start();
        } catch (const std::exception& e) {
          std::printf("  %s did not start: %s\n", name.c_str(), e.what());
        }
      }
      std::this_thread::sleep_for(milliseconds(200));
    }
  });

  // Readers: /health and a series every 100 ms; each answer is a probe of the API's availability.
  std::mutex probes_mu;
  std::vector<Probe> probes;
  std::atomic<bool> stop_readers = false;
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      const std::string series = "/api/v1/devices/" + DeviceLoad::Device(1 + r) +
                                 "/metrics/power_w/series?interval=raw&from=" +
                                 FormatTimestamp(Now() - std::chrono::hours(25)) +
                                 "&to=" + FormatTimestamp(Now() - std::chrono::hours(23));
      for (long i = 0; !stop_readers; ++i) {
        const double sent = Since(start);
        const auto a =
            i % 2 == 0 ? Call(edge, "GET", "/health", "") : Call(edge, "GET", series, token);
        // Unavailable: no answer, an error, or an answer after more than a second (a blackhole).
        const bool answered = (a.status >= 200 && a.status < 300) || a.status == 429;
        {
          std::lock_guard lock(probes_mu);
          probes.push_back({sent, answered && Since(start) - sent < 1.0});
        }
        std::this_thread::sleep_for(milliseconds(100));
      }
    });
  }
  // The writer: a logged-in user changing the EV's schedule once a second.
  std::atomic<bool> stop_writer = false;
  std::atomic<long> schedule_writes = 0;
  const auto schedule_body = [](long k) {
    const auto from = Now() + std::chrono::hours(1 + k % 20);
    return Json{{"slots",
                 {{{"start", FormatTimestamp(from)},
                   {"end", FormatTimestamp(from + std::chrono::minutes(30))}}}}}
        .dump();
  };
  const std::string schedule_path =
      "/api/v1/devices/" + DeviceLoad::Device(0) + "/charging-schedule";
  std::thread writer([&] {
    for (long k = 0; !stop_writer; ++k) {
      if (Call(edge, "PUT", schedule_path, token, schedule_body(k)).status == 200) {
        ++schedule_writes;
      }
      std::this_thread::sleep_for(seconds(1));
    }
  });

  // A poison client and the flood, for the poison-flood-kill faults.
  std::atomic<long> poison_sent = 0;
  const auto poison_burst = [&] {
    static const std::vector<std::string> kPoison = {
        "not json",
        "{",
        std::string(20000, '[') + std::string(20000, ']'),
        R"({"ts": "yesterday", "metrics": {"power_w": 1}})",
        R"({"metrics": {"power_w": "x"}})",
        "\xff\xfe\xfd"};
    for (int i = 0; i < 60; ++i) {
      load.outbox(0).Publish(Topic("soak-poison", "telemetry"), kPoison[i % kPoison.size()], false);
      ++poison_sent;
    }
  };
  const auto flood = [&](double secs) {
    std::vector<std::thread> t;
    const auto until = Clock::now() + std::chrono::duration<double>(secs);
    for (int i = 0; i < 12; ++i) {
      t.emplace_back([&] {
        while (Clock::now() < until) Call(edge, "GET", "/api/v1/devices?limit=1000", token);
      });
    }
    for (auto& th : t) th.join();
  };

  // Faults, each on a thread of its own: they overlap; two on one target wait for each other.
  struct Done {
    std::string name;
    double began, ended;
    long telemetry_acked_at_end;
    double recovered = -1;  // seconds after `ended`; -1 while not yet
  };
  std::mutex done_mu;
  std::vector<Done> done;
  std::mutex disk_mu, proxy_mqtt_mu, proxy_api_mu;
  const auto run_fault = [&](const Fault& f) {
    std::this_thread::sleep_until(
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(f.at)));
    const auto hold = std::chrono::duration<double>(f.seconds);
    std::unique_lock<std::mutex> lock;
    if (services.contains(f.target)) {
      lock = std::unique_lock(services[f.target]->mu);
    } else if (f.target == "mqtt") {
      lock = std::unique_lock(proxy_mqtt_mu);
    } else if (f.target == "api") {
      lock = std::unique_lock(proxy_api_mu);
    } else {
      lock = std::unique_lock(disk_mu);
    }
    const double began = Since(start);
    const auto restart = [&](Service& s) {
      for (int attempt = 0; attempt < 5; ++attempt) {
        try {
          s.start();
          return;
        } catch (const std::exception& e) {
          std::printf("  %s did not start (%s), again\n", s.name.c_str(), e.what());
        }
      }
    };
    if (f.kind == "kill" || f.kind == "broker-kill" || f.kind == "broker-restart") {
      auto& s = *services[f.target];
      s.process()->Stop(f.kind == "broker-restart" ? SIGTERM : SIGKILL, seconds(30));
      std::this_thread::sleep_for(hold);
      restart(s);
    } else if (f.kind == "freeze") {
      const pid_t pid = services[f.target]->process()->pid();
      ::kill(pid, SIGSTOP);
      std::this_thread::sleep_for(hold);
      ::kill(pid, SIGCONT);
    } else if (f.kind == "cut" || f.kind == "blackhole") {
      auto& proxy = f.target == "mqtt" ? mqtt_proxy : api_proxy;
      f.kind == "cut" ? proxy.Cut() : proxy.Blackhole();
      std::this_thread::sleep_for(hold);
      proxy.Restore();
    } else if (f.kind == "poison-flood-kill") {
      std::thread flooding([&] { flood(f.seconds + 2); });
      poison_burst();
      auto& s = *services[f.target];
      s.process()->Stop(SIGKILL);
      std::this_thread::sleep_for(hold);
      restart(s);
      flooding.join();
    } else if (f.kind == "disk-full" && mounted) {
      const auto filler = data / "filler";
      disk_full_until = 1e9;
      {
        std::ofstream out(filler, std::ios::binary);
        const std::string block(1 << 16, 'f');
        while (out.write(block.data(), block.size())) {
        }
      }
      std::this_thread::sleep_for(hold);
      std::filesystem::remove(filler);
      disk_full_until = Since(start);
    }
    long telemetry_acked = 0;
    {
      std::lock_guard guard(ledger.mu);
      telemetry_acked = static_cast<long>(ledger.telemetry.size());
    }
    std::lock_guard guard(done_mu);
    done.push_back({f.Name(), began, Since(start), telemetry_acked});
  };
  // Stored soak telemetry rows, read as an operator would from the database.
  const auto stored_rows = [&]() -> long {
    try {
      SQLite::Database db(stack.db_path(), SQLite::OPEN_READONLY);
      db.setBusyTimeout(5000);
      SQLite::Statement q(db,
                          "SELECT count(*) FROM telemetry t JOIN series s ON s.id = "
                          "t.series_id WHERE s.device_id >= 'soak-d' AND s.device_id < "
                          "'soak-e' AND s.metric = 'power_w'");
      return q.executeStep() ? q.getColumn(0).getInt64() : -1;
    } catch (const std::exception&) {
      return -1;
    }
  };

  // Recovery of each fault: from its end until the API answers again and ingestion has stored
  // what was acknowledged when it ended (1% slack for what a broker SIGKILL may lose).
  std::atomic<Clock::time_point> rows_steady_since = Clock::now();
  std::atomic<bool> load_drained = false;
  // Once the load has ended: the telemetry the broker acknowledged, all of which should be stored.
  std::atomic<long> acked_telemetry = -1;
  // Stored rows that stay put this long, once the load has ended, are all there will be (less
  // what a broker SIGKILL lost). Longer than the services' longest wait between two reconnection
  // attempts (30 s, shared/mqtt/src/client.cpp): a listener still waiting to reconnect after a
  // cut has stored nothing for that long and is not done.
  constexpr auto kQuiet = seconds(35);
  const auto all_in = [&](long rows) {
    return load_drained &&
           (rows >= acked_telemetry.load() || Clock::now() - rows_steady_since.load() > kQuiet);
  };
  std::atomic<bool> stop_monitor = false;
  std::thread monitor([&] {
    long last_rows = -1;
    while (!stop_monitor) {
      const long rows = stored_rows();
      if (rows != last_rows) {
        last_rows = rows;
        rows_steady_since = Clock::now();
      }
      double last_ok = -1;
      {
        std::lock_guard lock(probes_mu);
        for (auto it = probes.rbegin(); it != probes.rend(); ++it) {
          if (it->ok) {
            last_ok = it->at;
            break;
          }
        }
      }
      const double now = Since(start);
      {
        std::lock_guard lock(done_mu);
        for (auto& d : done) {
          if (d.recovered < 0 && last_ok >= d.ended &&
              (rows >= d.telemetry_acked_at_end - d.telemetry_acked_at_end / 100 || all_in(rows))) {
            d.recovered = now - d.ended;
          }
        }
      }
      std::this_thread::sleep_for(milliseconds(250));
    }
  });
  std::vector<std::thread> faults;
  for (const auto& f : schedule) faults.emplace_back([&, f] { run_fault(f); });
  for (auto& t : faults) t.join();
  const double chaos_end = Since(start);
  std::printf("faults over after %.1f s; %zu injected\n", chaos_end, done.size());

  stop_writer = true;
  writer.join();
  load.Stop();
  if (charge_points) charge_points->Stop(SIGTERM, seconds(60));
  EXPECT_TRUE(load.Drain(seconds(300))) << "the broker never acknowledged some messages";
  {
    std::lock_guard guard(ledger.mu);
    acked_telemetry = static_cast<long>(ledger.telemetry.size());
  }
  load_drained = true;
  const long acked_total = ledger.acked;
  // Settled: every fault recovered from and every acknowledged row stored, or the stored rows
  // still for kQuiet (or 5 minutes passed).
  WaitFor(
      [&] {
        std::lock_guard lock(done_mu);
        return std::all_of(done.begin(), done.end(),
                           [](const Done& d) { return d.recovered >= 0; }) &&
               all_in(stored_rows());
      },
      seconds(300));
  const double settled = Since(start);
  stop_monitor = true;
  monitor.join();
  stop_readers = true;
  for (auto& r : readers) r.join();
  stop_supervisor = true;
  supervisor.join();

  // 1. Every acknowledged message stored exactly once, per family.
  std::map<std::pair<std::string, long long>, int> rows;
  std::map<std::string, std::pair<int, double>> session_rows;
  {
    SQLite::Database db(stack.db_path(), SQLite::OPEN_READONLY);
    db.setBusyTimeout(5000);
    SQLite::Statement t(db,
                        "SELECT s.device_id, t.ts FROM telemetry t JOIN series s ON s.id = "
                        "t.series_id WHERE s.device_id >= 'soak-d' AND s.device_id < "
                        "'soak-e' AND s.metric = 'power_w'");
    while (t.executeStep()) ++rows[{t.getColumn(0).getString(), t.getColumn(1).getInt64()}];
    SQLite::Statement s(db,
                        "SELECT session_id, energy_kwh FROM sessions WHERE session_id LIKE "
                        "'soak-s%'");
    while (s.executeStep()) {
      auto& r = session_rows[s.getColumn(0).getString()];
      ++r.first;
      r.second = s.getColumn(1).getDouble();
    }
  }
  long lost = 0, doubled = 0, unasked = 0, wrong_energy = 0;
  std::vector<double> lost_at;
  for (const auto& [key, at] : ledger.telemetry) {
    const auto it = rows.find(key);
    if (it == rows.end()) {
      ++lost;
      lost_at.push_back(at);
    } else if (it->second > 1) {
      ++doubled;
    }
  }
  for (const auto& [key, n] : rows) {
    if (!ledger.telemetry_sent.contains(key)) ++unasked;
  }
  for (const auto& [id, v] : ledger.sessions) {
    const auto it = session_rows.find(id);
    if (it == session_rows.end()) {
      ++lost;
      lost_at.push_back(v.second);
    } else {
      if (it->second.first > 1) ++doubled;
      if (std::abs(it->second.second - v.first) > 1e-9) ++wrong_energy;
    }
  }
  for (const auto& [id, r] : session_rows) {
    if (!ledger.sessions_sent.contains(id)) ++unasked;
  }
  // The one loss the product allows (docs/architecture.md, Guarantees): what a SIGKILLed broker
  // had acknowledged but not yet saved or handed on, in the second before the kill.
  const auto in_broker_kill_window = [&](double at) {
    return std::any_of(done.begin(), done.end(), [&](const Done& d) {
      return d.name == "broker-kill broker" && at <= d.began + 0.5 && at >= d.began - 2.0;
    });
  };
  long lost_unexplained = 0;
  std::map<long, long> lost_per_second;  // when the unexplained losses had been acknowledged
  for (const double at : lost_at) {
    if (in_broker_kill_window(at)) continue;
    ++lost_unexplained;
    ++lost_per_second[static_cast<long>(at)];
  }
  if (!lost_per_second.empty()) {
    std::printf("lost, by the second of the run they were acknowledged in:");
    for (const auto& [second, n] : lost_per_second) std::printf(" %lds:%ld", second, n);
    std::printf("\n");
  }
  std::printf("ledger: %zu telemetry + %zu sessions acknowledged (%ld refused), %ld stored rows\n",
              ledger.telemetry.size(), ledger.sessions.size(), ledger.refused.load(),
              static_cast<long>(rows.size() + session_rows.size()));
  std::printf(
      "lost: %ld (outside a broker SIGKILL's autosave second: %ld), duplicated: %ld, "
      "stored but never published: %ld, sessions with a wrong energy: %ld\n",
      lost, lost_unexplained, doubled, unasked, wrong_energy);
  EXPECT_EQ(lost_unexplained, 0);
  EXPECT_EQ(doubled, 0);
  EXPECT_EQ(unasked, 0);
  EXPECT_EQ(wrong_energy, 0);
  EXPECT_GT(acked_total, 0);

  // 2. Nothing acknowledged dead-lettered; the poison was.
  long load_dead = 0, poison_dead = 0;
  std::map<std::string, long> dead_reasons;
  {
    SQLite::Database db(stack.db_path(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT topic, reason FROM dead_letters");
    while (q.executeStep()) {
      const auto topic = q.getColumn(0).getString();
      ++dead_reasons[q.getColumn(1).getString()];
      if (topic.find("/soak-poison/") != std::string::npos) {
        ++poison_dead;
      } else if (topic.find("/sites/" + kSite + "/") != std::string::npos) {
        ++load_dead;
      }
    }
  }
  std::printf("dead letters: %ld of the load's messages, %ld of %ld poison; by reason:", load_dead,
              poison_dead, poison_sent.load());
  for (const auto& [reason, n] : dead_reasons) std::printf(" %s=%ld", reason.c_str(), n);
  std::printf("\n");
  EXPECT_EQ(load_dead, 0);
  if (poison_sent > 0) {
    EXPECT_GT(poison_dead, 0);
  }

  // 2b. Every OCPP transaction answered is one completed session with the right energy.
  if (charge_points) {
    struct Answered {
      std::string id;
      double energy;
      double at;  // seconds after the soak's start
    };
    std::vector<Answered> answered;
    std::istringstream out(charge_points->Log());
    for (std::string line; std::getline(out, line);) {
      const auto j = Json::parse(line, nullptr, false);
      if (j.is_object() && j.contains("session_id")) {
        answered.push_back({j["session_id"].get<std::string>(), j["energy_kwh"].get<double>(),
                            (j["at"].get<double>() - start_wall_ms) / 1000.0});
      }
    }
    long missing = 0, missing_unexplained = 0, wrong = 0;
    WaitFor(
        [&] {
          missing = missing_unexplained = wrong = 0;
          SQLite::Database db(stack.db_path(), SQLite::OPEN_READONLY);
          db.setBusyTimeout(5000);
          for (const auto& [id, energy, at] : answered) {
            SQLite::Statement q(db, "SELECT status, energy_kwh FROM sessions WHERE session_id = ?");
            q.bind(1, id);
            if (!q.executeStep()) {
              ++missing;
              if (!in_broker_kill_window(at)) ++missing_unexplained;
            } else if (q.getColumn(0).getString() != "completed" ||
                       std::abs(q.getColumn(1).getDouble() - energy) > 1e-9) {
              ++wrong;
            }
          }
          return missing == 0 && wrong == 0;
        },
        seconds(60));
    std::printf(
        "OCPP: %zu transactions answered; missing sessions %ld (outside a broker "
        "SIGKILL's autosave second: %ld), wrong status or energy %ld\n",
        answered.size(), missing, missing_unexplained, wrong);
    EXPECT_GT(answered.size(), 0u);
    EXPECT_EQ(missing_unexplained, 0);
    EXPECT_EQ(wrong, 0);
  }

  // 3. Derived state converges to what the API reports: the EV's schedule (published by the API)
  // and the site summary (published by the listener), within seconds of the last fault.
  const auto final_schedule = schedule_body(1000);
  ASSERT_EQ(Call(edge, "PUT", schedule_path, token, final_schedule).status, 200);
  const auto api_schedule = Call(edge, "GET", schedule_path, token).body;
  std::vector<std::pair<std::string, std::string>> retained;
  std::mutex retained_mu;
  const auto retained_of = [&](const std::string& topic) {
    std::lock_guard lock(retained_mu);
    for (auto it = retained.rbegin(); it != retained.rend(); ++it) {
      if (it->first == topic) return Json::parse(it->second, nullptr, false);
    }
    return Json();
  };
  const auto sub = stack.Subscribe("ems-publisher", Topic(DeviceLoad::Device(0), "schedule"),
                                   &retained, &retained_mu);
  const auto converge_start = Clock::now();
  const bool schedule_converged = WaitFor(
      [&] {
        const auto r = retained_of(Topic(DeviceLoad::Device(0), "schedule"));
        return r.is_object() && r.contains("slots") && r["slots"] == api_schedule["slots"];
      },
      seconds(30));
  std::printf(
      "derived: the EV's retained schedule %s the API's (%ld writes during the faults) "
      "after %.1f s\n",
      schedule_converged ? "equals" : "DIFFERS FROM", schedule_writes.load(),
      Since(converge_start));
  EXPECT_TRUE(schedule_converged);
  std::vector<std::pair<std::string, std::string>> summaries;
  std::mutex summaries_mu;
  const std::string summary_topic = std::string(Stack::kPrefix) + "/sites/" + kSite + "/summary";
  const auto summary_sub = stack.Subscribe("ems-api", summary_topic, &summaries, &summaries_mu);
  const bool summary_converged = WaitFor(
      [&] {
        Json last;
        {
          std::lock_guard lock(summaries_mu);
          if (summaries.empty()) return false;
          last = Json::parse(summaries.back().second, nullptr, false);
        }
        const auto api = Call(edge, "GET", "/api/v1/sites/" + kSite + "/energy/summary", token);
        return api.status == 200 && last.is_object() &&
               last.value("devices_reporting", -1) == api.body.value("devices_reporting", -2) &&
               last.value("devices_stale", -1) == api.body.value("devices_stale", -2);
      },
      seconds(30));
  std::printf("derived: the site's retained summary %s the API's\n",
              summary_converged ? "agrees with" : "DISAGREES WITH");
  EXPECT_TRUE(summary_converged);

  // 4. Each service back by itself, alive, its memory within bounds; none died unbidden.
  const bool sanitized = std::getenv("ASAN_OPTIONS") != nullptr;
  const long bound_kib = (sanitized ? 1024 : 256) * 1024;
  for (auto& [name, s] : services) {
    const long rss = ResidentKiB(s->process()->pid());
    std::printf(
        "service %-9s running %s, RSS %ld KiB (bound %ld), died unbidden %d times, "
        "refused to start on a full disk %d times\n",
        name.c_str(), s->process()->Running() ? "yes" : "NO", rss, bound_kib, s->unexpected_exits,
        s->refused_start_on_full_disk);
    EXPECT_TRUE(s->process()->Running()) << name;
    EXPECT_LE(rss, bound_kib) << name;
    EXPECT_EQ(s->unexpected_exits, 0) << name << ":\n" << s->last_exit_log;
  }
  // 5. No sanitizer report in any service's log (every run appends to one log per service).
  for (const auto& entry : std::filesystem::directory_iterator(stack.dir())) {
    if (entry.path().extension() != ".log") continue;
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    for (const char* marker :
         {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"}) {
      EXPECT_EQ(text.find(marker), std::string::npos)
          << entry.path() << " has a sanitizer report: " << text.substr(text.find(marker), 4000);
    }
  }

  // 6. Recovery and the API's longest outage per fault kind.
  std::map<std::string, double> longest_outage;
  {
    std::lock_guard lock(probes_mu);
    std::sort(probes.begin(), probes.end(),
              [](const Probe& a, const Probe& b) { return a.at < b.at; });
    double down_since = -1;
    for (const auto& p : probes) {
      if (!p.ok && down_since < 0) down_since = p.at;
      if (p.ok && down_since >= 0) {
        const double outage = p.at - down_since;
        for (const auto& d : done) {
          if (down_since >= d.began - 0.5 && down_since <= d.ended + 5) {
            const auto kind = d.name.substr(0, d.name.find(' '));
            longest_outage[kind] = std::max(longest_outage[kind], outage);
          }
        }
        down_since = -1;
      }
    }
  }
  std::map<std::string, std::vector<double>> by_kind;
  for (const auto& d : done) {
    if (d.recovered >= 0) by_kind[d.name.substr(0, d.name.find(' '))].push_back(d.recovered);
  }
  std::map<std::string, int> injected;
  for (const auto& d : done) ++injected[d.name.substr(0, d.name.find(' '))];
  std::string table =
      "| fault | injected | recovered | recovery p50 (s) | recovery max (s) | API longest "
      "outage (s) |\n| --- | --- | --- | --- | --- | --- |\n";
  for (const auto& [kind, n] : injected) {
    const auto& v = by_kind[kind];
    char line[256];
    std::snprintf(line, sizeof line, "| %s | %d | %zu | %.1f | %.1f | %.1f |\n", kind.c_str(), n,
                  v.size(), Percentile(v, 0.5),
                  v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()), longest_outage[kind]);
    table += line;
  }
  char totals[512];
  std::snprintf(totals, sizeof totals,
                "\nSeed %llu, %.0f s of faults, settled %.0f s after the start; %ld messages "
                "acknowledged, lost %ld (outside a broker SIGKILL's autosave second: %ld), "
                "duplicated %ld; %ld poison dead-lettered, 0 of the load.\n",
                static_cast<unsigned long long>(seed), length, settled, acked_total, lost,
                lost_unexplained, doubled, poison_dead);
  table += totals;
  std::printf("\n%s", table.c_str());
  if (const char* report = std::getenv("EMS_SOAK_REPORT")) std::ofstream(report) << table;
  const std::size_t recovered =
      std::accumulate(by_kind.begin(), by_kind.end(), std::size_t{0},
                      [](std::size_t n, const auto& kv) { return n + kv.second.size(); });
  EXPECT_EQ(recovered, done.size()) << "some faults were never recovered from";
}

}  // namespace
}  // namespace ems::testing
