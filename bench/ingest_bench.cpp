// Listener ingest against the raw broker, measured in one run (BENCHMARKS.md).
//
// Drain: for each payload family (charging sessions, telemetry, the simulator's real mix) N QoS-1
// messages are queued for a persistent session while its client is away; first a Paho client
// whose callback does nothing drains them (the ceiling the MQTT library and the broker set), then
// the real ems-listener, timed twice from its connection's acknowledgement as the raw drains are:
// until it has acknowledged every message (each durable in its inbox journal first, which is what
// empties the broker's queue), and until every message is committed in SQLite; each ratio is of
// the same run (the stored rate from the listener's process start is printed too). Sessions also
// run with EMS_LISTENER_SYNC=always. The listener's peak resident memory (VmHWM) is read when it
// has drained the mix.
//
// Live (--live): the listener and the API run while a client publishes telemetry at a fixed rate;
// a probe device among them is stamped with the send time, and two pollers see each probe reading
// land in SQLite and in the API's answer: publish -> stored -> visible latency, p50 and p99.
//
// Usage: ingest_bench [messages=100000] [family]  drain (every family, or those whose name
//                                                 contains `family`)
//        ingest_bench --live [rate=5000] [seconds=20]
#include <MQTTAsync.h>
#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
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

#include "ems/mqtt/client.h"
#include "ems/sim/fleet.h"
#include "harness.h"

using ems::FormatTimestamp;
using ems::Timestamp;
using ems::testing::Json;
using ems::testing::SpecSession;
using ems::testing::Stack;
using Clock = std::chrono::steady_clock;
using Messages = std::vector<std::pair<std::string, std::string>>;

namespace {

constexpr int kDevices = 50;

std::string Topic(const std::string& site, const std::string& device, const char* leaf) {
  return std::string(Stack::kPrefix) + "/sites/" + site + "/devices/" + device + "/" + leaf;
}

// A payload family: what must be stored before (discovery), and the N messages to drain.
struct Family {
  std::string name;
  Messages setup;
  Messages messages;
};

Family Sessions(int n, const std::string& run) {
  Family f{"charging sessions", {}, {}};
  for (int i = 0; i < n; ++i) {
    auto session = SpecSession(run + "-" + std::to_string(i));
    session["station_id"] = "st-" + std::to_string(i % kDevices);
    f.messages.emplace_back(
        Topic("site-" + std::to_string(i % 10), "st-" + std::to_string(i % 50), "sessions"),
        session.dump());
  }
  return f;
}

Messages BatteryDiscovery(int devices) {
  Messages out;
  for (int d = 0; d < devices; ++d) {
    out.emplace_back(
        Topic("site-" + std::to_string(d % 10), "bat-" + std::to_string(d), "meta"),
        Json{{"type", "battery"},
             {"name", "Battery " + std::to_string(d)},
             {"properties",
              {{"capacity_wh", 10000}, {"max_charge_w", 5000}, {"max_discharge_w", 5000}}},
             {"site_timezone", "Europe/Berlin"}}
            .dump());
  }
  return out;
}

std::string BatteryTelemetry(Timestamp ts, int i) {
  return Json{{"ts", FormatTimestamp(ts)},
              {"metrics", {{"power_w", -1500.0 + i % 3000}, {"soc_pct", 20 + i % 70}}}}
      .dump();
}

Family Telemetry(int n, Timestamp end) {
  Family f{"telemetry", BatteryDiscovery(kDevices), {}};
  const Timestamp start = end - std::chrono::seconds(5) * (n / kDevices + 1);
  for (int i = 0; i < n; ++i) {
    const int d = i % kDevices;
    f.messages.emplace_back(
        Topic("site-" + std::to_string(d % 10), "bat-" + std::to_string(d), "telemetry"),
        BatteryTelemetry(start + std::chrono::seconds(5) * (i / kDevices), i));
  }
  return f;
}

// What ems-publisher sends, in its proportions: telemetry of every home device, tariffs,
// sessions of the hub and of the wallboxes, from `n` messages' worth of simulated time.
Family Mix(int n, Timestamp end) {
  ems::sim::FleetConfig config;
  config.sites = 20;
  config.telemetry_interval = std::chrono::seconds(5);
  ems::sim::Fleet fleet(config, end - std::chrono::hours(24 * 30));
  Family f{"simulator's mix", {}, {}};
  for (auto& m : fleet.Discovery()) f.setup.emplace_back(m.topic, m.payload);
  for (Timestamp t = fleet.time(); static_cast<int>(f.messages.size()) < n && t < end;) {
    t += std::chrono::minutes(1);
    for (auto& m : fleet.Advance(t)) {
      if (static_cast<int>(f.messages.size()) == n) break;
      if (m.topic.ends_with("/meta")) continue;  // discovery again: setup has it
      f.messages.emplace_back(std::move(m.topic), std::move(m.payload));
    }
  }
  return f;
}

const std::vector<std::string>& Filters() {  // what ems-listener subscribes to
  static const std::vector<std::string> filters = {
      std::string(Stack::kPrefix) + "/sites/+/devices/+/meta",
      std::string(Stack::kPrefix) + "/sites/+/devices/+/telemetry",
      std::string(Stack::kPrefix) + "/sites/+/devices/+/sessions",
      std::string(Stack::kPrefix) + "/sites/+/tariff",
      std::string(Stack::kPrefix) + "/contracts/events",
      "charger/+/connector/+/session/+"};
  return filters;
}

mqtt::connect_options Options(Stack& stack, bool clean) {
  return mqtt::connect_options_builder()  // as ems-listener connects (shared/mqtt/src/client.cpp)
      .mqtt_version(MQTTVERSION_3_1_1)
      .max_inflight(1000)
      .clean_session(clean)
      .user_name("ems-listener")
      .password(stack.password("ems-listener"))
      .finalize();
}

// CPU seconds each thread of a process has used so far, by thread name.
std::map<std::string, double> ThreadCpuSeconds(pid_t pid) {
  std::map<std::string, double> out;
  const std::string task = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& entry : std::filesystem::directory_iterator(task)) {
    std::string name;
    std::getline(std::ifstream(entry.path() / "comm"), name);
    std::ifstream stat(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string skip;
    for (int i = 0; i < 11; ++i) fields >> skip;  // state .. cmajflt
    double utime = 0, stime = 0;
    fields >> utime >> stime;
    out[name] += (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }
  return out;
}

double BrokerCpuSeconds(Stack& stack) {
  double total = 0;
  for (const auto& [thread, cpu] : ThreadCpuSeconds(stack.broker().pid())) total += cpu;
  return total;
}

struct RawResult {
  double rate = 0;
  double receive_us_per_message = 0;  // CPU of the client's Paho receive thread
  double broker_us_per_message = 0;   // CPU of Mosquitto while it drains
};

// Starts a persistent session subscribed to what the listener subscribes to, so that the broker
// queues for `client_id` from here on (with `subscribe` false: ends the session, and nothing is
// queued for it any more).
void Session(Stack& stack, const std::string& client_id, bool subscribe) {
  mqtt::async_client client("tcp://127.0.0.1:" + std::to_string(stack.broker_port()), client_id,
                            nullptr);
  client.connect(Options(stack, !subscribe))->wait();
  if (subscribe) {
    for (const auto& filter : Filters()) client.subscribe(filter, 1)->wait();
  }
  client.disconnect()->wait();
}

// `quiet`: with Paho's in-memory trace at errors only, as ems's services run it
// (mqtt::QuietPahoTrace); otherwise at Paho's default, as a do-nothing client written without
// that setting runs. The level is process-wide and set here each time.
RawResult RawDrain(Stack& stack, const Family& f, bool quiet) {
  if (quiet) {
    ems::mqtt::QuietPahoTrace();
  } else {
    MQTTAsync_setTraceLevel(MQTTASYNC_TRACE_MINIMUM);  // Paho's default
  }
  const std::string uri = "tcp://127.0.0.1:" + std::to_string(stack.broker_port());
  Session(stack, "bench-raw", true);
  stack.PublishAll(f.setup);
  stack.PublishAll(f.messages);
  const long n = static_cast<long>(f.setup.size() + f.messages.size());
  std::atomic<long> got{0};
  mqtt::async_client sub(uri, "bench-raw", nullptr);
  sub.set_message_callback([&](mqtt::const_message_ptr) { ++got; });
  // Timed from the connection's acknowledgement, as the listener is: Paho took ~2 s to connect
  // here with a queue waiting (its polling loop, not the drain).
  const double cpu_before = ThreadCpuSeconds(::getpid())["MQTTAsync_rcv"];
  const double broker_before = BrokerCpuSeconds(stack);
  sub.connect(Options(stack, false))->wait();
  const auto start = Clock::now();
  while (got < n) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = ThreadCpuSeconds(::getpid())["MQTTAsync_rcv"] - cpu_before;
  const double broker = BrokerCpuSeconds(stack) - broker_before;
  sub.disconnect()->wait();
  Session(stack, "bench-raw", false);  // so it does not queue what the listener drains next
  return {static_cast<double>(f.messages.size()) / secs, cpu * 1e6 / static_cast<double>(n),
          broker * 1e6 / static_cast<double>(n)};
}

// The listener's totals (ingest_stats): what it has received, and of that what it stored, found
// duplicate or rejected, so that a figure is never a rate of duplicates or rejections.
struct IngestTotals {
  long received = 0, stored = 0, duplicates = 0, rejected = 0;
};

// The listener's totals, read through one connection kept open: opening the database for each
// poll would cost the listener's cores more than the poll measures.
class ReceivedCounter {
 public:
  explicit ReceivedCounter(const std::string& db_path)
      : db_(db_path, SQLite::OPEN_READONLY),
        query_(db_,
               "SELECT received, stored, duplicates, rejected FROM ingest_stats WHERE id = 1") {
    db_.setBusyTimeout(5000);
  }
  long operator()() { return Totals().received; }
  IngestTotals Totals() {
    query_.reset();
    query_.executeStep();
    return {query_.getColumn(0).getInt64(), query_.getColumn(1).getInt64(),
            query_.getColumn(2).getInt64(), query_.getColumn(3).getInt64()};
  }

 private:
  SQLite::Database db_;
  SQLite::Statement query_;
};

// Bytes of inbox journal written by segments not in `before` (listener/inbox.cpp: a 40-byte
// record header, the topic and the payload per message). The open segment's file is allocated
// ahead of its records and zero past them, so what it holds ends at its last page with data
// (found by bisection: every page of records has some non-zero byte) at its last non-zero byte.
// A segment is deleted only once a newer one exists and its records are applied, long after it
// was last seen whole, so the largest length seen of each is what it held.
class InboxWatch {
 public:
  explicit InboxWatch(std::string dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    for (const auto& e : std::filesystem::directory_iterator(dir_)) seen_[e.path()] = -1;
  }
  std::int64_t Bytes() {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) {
      if (!e.path().filename().string().starts_with("inbox-")) continue;
      auto& seen = seen_.try_emplace(e.path(), 0).first->second;
      if (seen >= 0) seen = std::max(seen, Written(e.path(), seen));
    }
    std::int64_t total = 0;
    for (const auto& [path, size] : seen_) total += std::max<std::int64_t>(size, 0);
    return total;
  }
  static std::int64_t RecordBytes(const Messages& messages) {
    std::int64_t total = 0;
    for (const auto& [topic, payload] : messages) {
      total += 40 + static_cast<std::int64_t>(topic.size() + payload.size());
    }
    return total;
  }

 private:
  static constexpr std::int64_t kPage = 4096;

  // The length of the records in `path`, at least `known`.
  static std::int64_t Written(const std::filesystem::path& path, std::int64_t known) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return known;
    std::string page(kPage, '\0');
    const auto read_page = [&](std::int64_t i) {  // page i's bytes up to the last non-zero one
      const auto n = ::pread(fd, page.data(), kPage, static_cast<off_t>(i * kPage));
      const auto last =
          std::string_view(page.data(), static_cast<std::size_t>(std::max<ssize_t>(n, 0)))
              .find_last_not_of('\0');
      return last == std::string_view::npos ? 0 : static_cast<std::int64_t>(last) + 1;
    };
    std::int64_t lo = known / kPage, hi = (::lseek(fd, 0, SEEK_END) + kPage - 1) / kPage;
    while (lo < hi) {  // the first page without data in [lo, hi)
      const auto mid = lo + (hi - lo) / 2;
      if (read_page(mid) > 0)
        lo = mid + 1;
      else
        hi = mid;
    }
    const auto end = lo == 0 ? 0 : (lo - 1) * kPage + read_page(lo - 1);
    ::close(fd);
    return std::max(known, end);
  }

  std::string dir_;
  std::map<std::filesystem::path, std::int64_t> seen_;  // -1: there before the start
};

// When the listener's connection was acknowledged, from its log line "connected to the broker"
// (the last one, as the listener has run before on this stack).
ems::Timestamp ConnectedAt(const std::string& log) {
  constexpr std::string_view kLine = " connected to the broker";
  const auto at = log.rfind(kLine);
  const auto line = log.rfind('\n', at);
  const auto begin = line == std::string::npos ? 0 : line + 1;
  const auto ts =
      at == std::string::npos
          ? std::nullopt
          : ems::ParseTimestamp(std::string_view(log).substr(begin, log.find(' ', begin) - begin));
  if (!ts) throw std::runtime_error("the listener's log does not say when it connected");
  return *ts;
}

struct Drain {
  // Rates from the connection's acknowledgement, as the raw drains are timed.
  double acknowledged_rate = 0;  // durable in the inbox and acknowledged to the broker
  double rate = 0;               // committed in SQLite
  double rate_from_start = 0;    // committed in SQLite, timed from the process's start
  double connect_s = 0;          // from the process's start to the acknowledgement
  long peak_rss_kib = 0;
  std::map<std::string, double> cpu_us_per_message;  // by listener thread
  double broker_us_per_message = 0;                  // Mosquitto's CPU while the listener drains
  IngestTotals outcome;                              // of this drain's messages
};

Drain ListenerDrain(Stack& stack, const Family& f, const std::string& sync) {
  const std::string inbox = stack.dir() + "/bench-inbox";
  const std::map<std::string, std::string> env = {
      {"EMS_LOG_LEVEL", "info"}, {"EMS_LISTENER_SYNC", sync}, {"EMS_LISTENER_INBOX_DIR", inbox}};
  Session(stack, "ems-listener", true);  // the broker queues for the listener from here on
  stack.StartListener(env);
  ReceivedCounter received(stack.db_path());
  const long setup_done = received() + static_cast<long>(f.setup.size());
  stack.PublishAll(f.setup);  // discovery stored first, as it is in a running system
  while (received() < setup_done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stack.StopListener();
  const auto before = received.Totals();
  stack.PublishAll(f.messages);
  InboxWatch watch(inbox);
  const auto expected_bytes = InboxWatch::RecordBytes(f.messages);
  const auto start = Clock::now();
  const auto start_wall = std::chrono::system_clock::now();
  const double broker_before = BrokerCpuSeconds(stack);
  stack.StartListener(env);
  const long n = static_cast<long>(f.messages.size());
  std::optional<Clock::time_point> acknowledged;
  while (received() < before.received + n) {
    if (!acknowledged && watch.Bytes() >= expected_bytes) acknowledged = Clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const auto stored = Clock::now();
  const auto connected = start + (ConnectedAt(stack.listener().Log()) - start_wall);
  const auto rate = [&](Clock::time_point from, Clock::time_point end) {
    return static_cast<double>(n) / std::chrono::duration<double>(end - from).count();
  };
  const auto after = received.Totals();
  Drain d{rate(connected, acknowledged.value_or(stored)),
          rate(connected, stored),
          rate(start, stored),
          std::chrono::duration<double>(connected - start).count(),
          ems::testing::PeakResidentKiB(stack.listener().pid()),
          {},
          (BrokerCpuSeconds(stack) - broker_before) * 1e6 / static_cast<double>(n),
          {after.received - before.received, after.stored - before.stored,
           after.duplicates - before.duplicates, after.rejected - before.rejected}};
  for (const auto& [thread, cpu] : ThreadCpuSeconds(stack.listener().pid())) {
    d.cpu_us_per_message[thread] = cpu * 1e6 / static_cast<double>(n);
  }
  stack.StopListener();
  // The next family's raw drains must not queue their messages for the listener too: it would
  // find them stored already and count duplicates.
  Session(stack, "ems-listener", false);
  return d;
}

int DrainMode(int n, const std::string& only) {
  Stack stack;
  stack.StartBroker();
  const Timestamp end = ems::Now() - std::chrono::minutes(10);
  std::printf("%-22s %9s %10s %10s %14s %6s %12s %6s %6s %10s %10s\n", "family", "messages",
              "raw msg/s", "raw quiet", "acknowledged/s", "× raw", "stored msg/s", "× raw",
              "× quiet", "connect", "peak RSS");
  const auto report = [&](const Family& f, const std::string& sync = "off") {
    if (f.name.find(only) == std::string::npos) return;
    const auto raw = RawDrain(stack, f, false);
    const auto quiet = RawDrain(stack, f, true);
    const auto listener = ListenerDrain(stack, f, sync);
    std::printf(
        "%-22s %9zu %10.0f %10.0f %14.0f %6.2f %12.0f %6.2f %6.2f %7.0f ms %6.1f MiB   stored from "
        "the start %.2f × raw; CPU/msg:",
        (f.name + (sync == "off" ? "" : ", sync=" + sync)).c_str(), f.messages.size(), raw.rate,
        quiet.rate, listener.acknowledged_rate, listener.acknowledged_rate / raw.rate,
        listener.rate, listener.rate / raw.rate, listener.rate / quiet.rate,
        listener.connect_s * 1000, listener.peak_rss_kib / 1024.0,
        listener.rate_from_start / raw.rate);
    for (const auto& [thread, us] : listener.cpu_us_per_message) {
      if (us >= 0.05) std::printf(" %s %.1f us", thread.c_str(), us);
    }
    std::printf(
        ", broker %.1f us; raw clients' MQTTAsync_rcv %.1f us, quiet %.1f us, broker %.1f us, "
        "quiet %.1f us; stored %ld, duplicates %ld, rejected %ld\n",
        listener.broker_us_per_message, raw.receive_us_per_message, quiet.receive_us_per_message,
        raw.broker_us_per_message, quiet.broker_us_per_message, listener.outcome.stored,
        listener.outcome.duplicates, listener.outcome.rejected);
    std::fflush(stdout);
  };
  report(Sessions(n, "off"));
  report(Sessions(std::min(n, 20000), "always"), "always");
  report(Telemetry(n, end));
  report(Mix(n, end));
  return 0;
}

// --- live ---

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

int LiveMode(int rate, int seconds) {
  Stack stack;
  stack.StartBroker();
  stack.StartListener({{"EMS_LOG_LEVEL", "info"}});
  stack.StartApi({{"EMS_LOG_LEVEL", "warn"}});
  auto discovery = BatteryDiscovery(kDevices);
  discovery.emplace_back(
      Topic("site-0", "probe", "meta"),
      Json{{"type", "battery"},
           {"name", "Probe"},
           {"properties",
            {{"capacity_wh", 10000}, {"max_charge_w", 5000}, {"max_discharge_w", 5000}}}}
          .dump());
  stack.PublishAll(discovery);
  if (!stack.WaitForReceived(static_cast<long>(discovery.size()))) return 1;
  const std::string token = stack.AdminToken();

  std::mutex mu;
  std::map<std::int64_t, Clock::time_point> sent;  // probe ts (ms) -> when it was published
  std::vector<double> stored_ms, visible_ms;
  std::atomic<bool> done{false};
  // One poller reads SQLite (stored), one the API (visible): each records a probe reading the
  // first time it sees it as the latest.
  const auto poll = [&](std::function<std::optional<std::int64_t>()> latest,
                        std::vector<double>& out) {
    std::int64_t seen = 0;
    while (!done) {
      const auto ts = latest();
      const auto now = Clock::now();
      if (ts && *ts != seen) {
        seen = *ts;
        std::lock_guard lock(mu);
        if (const auto it = sent.find(*ts); it != sent.end()) {
          out.push_back(std::chrono::duration<double, std::milli>(now - it->second).count());
        }
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  };
  std::thread db_poller([&] {
    SQLite::Database db(stack.db_path(), SQLite::OPEN_READONLY);
    db.setBusyTimeout(5000);
    SQLite::Statement q(db,
                        "SELECT ts FROM metric_latest WHERE device_id = 'probe' AND "
                        "metric = 'power_w'");
    poll(
        [&]() -> std::optional<std::int64_t> {
          q.reset();
          if (!q.executeStep()) return std::nullopt;
          return q.getColumn(0).getInt64();
        },
        stored_ms);
  });
  std::thread api_poller([&] {
    httplib::Client api("127.0.0.1", stack.api_port());
    api.set_keep_alive(true);
    const httplib::Headers auth = {{"Authorization", "Bearer " + token}};
    poll(
        [&]() -> std::optional<std::int64_t> {
          const auto res = api.Get("/api/v1/devices/probe/metrics", auth);
          if (!res || res->status != 200) return std::nullopt;
          const auto answer = Json::parse(res->body);
          for (const auto& m : answer["items"]) {
            if (m["name"] == "power_w" && m["ts"].is_string()) {  // null until it reports
              return ems::ToMillis(*ems::ParseTimestamp(m["ts"].get<std::string>()));
            }
          }
          return std::nullopt;
        },
        visible_ms);
  });

  // Publish at `rate` messages/s in 1-ms ticks; every 50th message is the probe's.
  const auto start = Clock::now();
  long published = 0;
  std::deque<mqtt::delivery_token_ptr> window;
  mqtt::async_client pub("tcp://127.0.0.1:" + std::to_string(stack.broker_port()), "bench-live",
                         mqtt::create_options_builder().max_buffered_messages(5000).finalize(),
                         nullptr);
  pub.connect(mqtt::connect_options_builder()
                  .clean_session(true)
                  .max_inflight(2000)
                  .user_name("ems-publisher")
                  .password(stack.password("ems-publisher"))
                  .finalize())
      ->wait();
  for (int ms = 0; ms < seconds * 1000; ++ms) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(ms));
    const long due = static_cast<long>(rate) * (ms + 1) / 1000;
    for (; published < due; ++published) {
      const Timestamp now = ems::Now();
      std::string topic, payload;
      if (published % 50 == 0) {
        topic = Topic("site-0", "probe", "telemetry");
        payload = BatteryTelemetry(now, static_cast<int>(published));
        std::lock_guard lock(mu);
        sent[ems::ToMillis(now)] = Clock::now();
      } else {
        const int d = static_cast<int>(published % kDevices);
        topic = Topic("site-" + std::to_string(d % 10), "bat-" + std::to_string(d), "telemetry");
        payload = BatteryTelemetry(now - std::chrono::milliseconds(published % 997),
                                   static_cast<int>(published));
      }
      window.push_back(pub.publish(topic, payload.data(), payload.size(), 1, false));
      if (window.size() > 1500) {
        window.front()->wait();
        window.pop_front();
      }
    }
  }
  for (auto& t : window) t->wait();
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  done = true;
  db_poller.join();
  api_poller.join();
  pub.disconnect()->wait();
  std::printf("live: %ld messages in %.1f s (%.0f msg/s), %zu probe readings\n", published, secs,
              static_cast<double>(published) / secs, sent.size());
  std::printf("publish -> stored in SQLite:     p50 %6.2f ms  p99 %6.2f ms  (%zu seen)\n",
              Percentile(stored_ms, 0.5), Percentile(stored_ms, 0.99), stored_ms.size());
  std::printf("publish -> visible in the API:   p50 %6.2f ms  p99 %6.2f ms  (%zu seen)\n",
              Percentile(visible_ms, 0.5), Percentile(visible_ms, 0.99), visible_ms.size());
  std::printf("listener peak RSS %.1f MiB\n",
              ems::testing::PeakResidentKiB(stack.listener().pid()) / 1024.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--live") {
    return LiveMode(argc > 2 ? std::atoi(argv[2]) : 5000, argc > 3 ? std::atoi(argv[3]) : 20);
  }
  return DrainMode(argc > 1 ? std::atoi(argv[1]) : 100000, argc > 2 ? argv[2] : "");
}
