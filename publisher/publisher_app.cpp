#include "publisher/publisher_app.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "ems/util/log.h"
#include "publisher/sim_clock.h"

namespace ems::publisher {

std::vector<config::Option> PublisherOptions() {
  auto options = config::CommonOptions("ems-publisher", "ems-publisher");
  options.push_back({"EMS_PUBLISHER_SITES", "3", "simulated homes (plus one charging hub)"});
  options.push_back({"EMS_PUBLISHER_HUB_STATIONS", "4",
                     "public charging stations at the charging hub (0 = no hub)"});
  options.push_back({"EMS_PUBLISHER_INTERVAL_S", "5", "telemetry period per device (s)"});
  options.push_back({"EMS_PUBLISHER_SESSION_INTERVAL_S", "60",
                     "period of the active updates of a charging session in progress (s)"});
  options.push_back({"EMS_PUBLISHER_SPEED", "1",
                     "above 1: replays the last day this many times faster than real time, then "
                     "runs with the wall clock"});
  options.push_back({"EMS_PUBLISHER_SEED", "1", "random seed of the simulation"});
  options.push_back({"EMS_PUBLISHER_BACKFILL", "",
                     "publish this much history (e.g. 30d, 12h) as fast as possible, then exit",
                     false, "backfill"});
  options.push_back({"EMS_PUBLISHER_PERSIST_DIR", "",
                     "undelivered messages and the simulation state, kept across restarts "
                     "(default: beside the database)"});
  options.push_back(config::MetricsOption("127.0.0.1:9103"));
  return options;
}

std::optional<std::chrono::seconds> ParseDuration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  std::int64_t n = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
  if (ec != std::errc() || ptr != text.data() + text.size() - 1 || n <= 0) return std::nullopt;
  switch (text.back()) {
    case 'd':
      return std::chrono::seconds(n * 86400);
    case 'h':
      return std::chrono::seconds(n * 3600);
    case 'm':
      return std::chrono::seconds(n * 60);
    case 's':
      return std::chrono::seconds(n);
  }
  return std::nullopt;
}

PublisherApp::PublisherApp(const config::Settings& s)
    : settings_(s),
      mqtt_settings_(mqtt::ConnectionFromSettings(s, "publisher")),
      speed_(s.GetDouble("EMS_PUBLISHER_SPEED", 1, 1e6)) {
  fleet_config_.sites = static_cast<int>(s.GetInt("EMS_PUBLISHER_SITES", 1, 10000));
  fleet_config_.hub_stations = static_cast<int>(s.GetInt("EMS_PUBLISHER_HUB_STATIONS", 0, 100));
  fleet_config_.telemetry_interval =
      std::chrono::seconds(s.GetInt("EMS_PUBLISHER_INTERVAL_S", 1, 86400));
  fleet_config_.session_interval =
      std::chrono::seconds(s.GetInt("EMS_PUBLISHER_SESSION_INTERVAL_S", 1, 86400 * 7));
  fleet_config_.seed = static_cast<std::uint64_t>(s.GetInt("EMS_PUBLISHER_SEED", 0, 1ll << 62));
  fleet_config_.prefix = mqtt_settings_.prefix;
  if (const auto& b = s.Get("EMS_PUBLISHER_BACKFILL"); !b.empty()) {
    backfill_ = ParseDuration(b);
    if (!backfill_ || *backfill_ > std::chrono::hours(24 * 400)) {
      throw config::ConfigError("EMS_PUBLISHER_BACKFILL",
                                "must be a duration like 30d, 12h or 90m, at most 400d.");
    }
  }
  persist_dir_ = s.Get("EMS_PUBLISHER_PERSIST_DIR");
  if (persist_dir_.empty()) {
    const auto parent = std::filesystem::path(s.Get("EMS_DB_PATH")).parent_path();
    persist_dir_ = (parent.empty() ? std::filesystem::path(".") : parent).string() + "/mqtt-" +
                   mqtt_settings_.client_id;
  }
  state_path_ = persist_dir_ + "/simulation-state.json";
}

void PublisherApp::Run(const std::atomic<bool>& stop) {
  metrics::AddBuildInfo(metrics_, "ems-publisher");
  metrics::AddProcessMetrics(metrics_);
  const auto metrics_server = metrics::ServeMetrics(metrics_, settings_);
  if (backfill_) {
    RunBackfill(stop);
  } else {
    RunLive(stop);
  }
}

namespace {

// Schedules arriving on Paho's thread, for the simulation's thread.
class ScheduleInbox {
 public:
  struct Message {
    std::string topic;
    std::string payload;
    Timestamp received;
  };
  void Push(Message m) {
    std::lock_guard lock(mu_);
    items_.push_back(std::move(m));
  }
  std::vector<Message> Take() {
    std::lock_guard lock(mu_);
    return std::exchange(items_, {});
  }

 private:
  std::mutex mu_;
  std::vector<Message> items_;
};

// Publishes through an mqtt::Outbox keeping at most `window` messages queued or unacknowledged,
// so the broker sets the pace of a replay; stops waiting when `stop` is set (what is not
// acknowledged stays in Paho's buffer). With `window` 1 the messages arrive in order.
class PacedPublisher {
 public:
  PacedPublisher(::mqtt::async_client& client, std::size_t window, const std::atomic<bool>& stop)
      : outbox_(client, window + kStatusRoom, window), window_(window), stop_(stop) {}

  void Publish(const sim::OutMessage& m) {
    Settle(window_ - 1);
    if (outbox_.Publish(m.topic, m.payload, m.retained)) ++published_;
  }

  void Drain() { Settle(0); }

  std::int64_t published() const { return published_; }
  mqtt::Outbox& outbox() { return outbox_; }

  // Before the simulation state is saved: Paho (and its file persistence) holds every message
  // published so far, so a restart from the saved state skips none.
  void HandOver() { outbox_.WaitUntilHandedOver(std::chrono::seconds(5)); }

 private:
  static constexpr std::size_t kStatusRoom = 8;  // the status messages ConnectWithRetry queues

  void Settle(std::size_t keep) {
    while (!stop_ && !outbox_.WaitUntilAtMost(keep, std::chrono::milliseconds(100))) {
    }
  }

  mqtt::Outbox outbox_;
  std::size_t window_;
  const std::atomic<bool>& stop_;
  std::int64_t published_ = 0;
};

}  // namespace

sim::Fleet PublisherApp::LoadOrStart(Timestamp wall_now, Timestamp fresh_start) const {
  if (std::ifstream in(state_path_); in) {
    std::stringstream text;
    text << in.rdbuf();
    auto restored = sim::Fleet::Restore(fleet_config_, text.str());
    if (restored && restored->time() <= wall_now) {
      log::Info("continuing the simulation saved at " + FormatTimestamp(restored->time()));
      return std::move(*restored);
    }
    log::Warn("starting a new simulation: " +
              (restored ? std::string("the saved state is stamped in the future.")
                        : restored.error().message));
  }
  return sim::Fleet(fleet_config_, fresh_start);
}

void PublisherApp::SaveState(const sim::Fleet& fleet) const {
  std::error_code ec;
  std::filesystem::create_directories(persist_dir_, ec);
  const std::string tmp = state_path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << fleet.Snapshot();
    if (!out) {
      log::WarnThrottled("state", "cannot write the simulation state to " + tmp);
      return;
    }
  }
  std::filesystem::rename(tmp, state_path_, ec);  // atomic: a crash leaves the old or the new
  if (ec) log::WarnThrottled("state", "cannot save the simulation state: " + ec.message());
}

void PublisherApp::RunLive(const std::atomic<bool>& stop) {
  // Up to a day of telemetry for a small fleet is buffered while the broker is away.
  auto client = mqtt::MakeClient(mqtt_settings_, persist_dir_, 200000);
  const Timestamp wall_start = Now();
  sim::Fleet fleet = LoadOrStart(wall_start, FreshStart(wall_start, speed_));
  const SimClock clock(fleet.time(), wall_start, speed_);
  ScheduleInbox inbox;
  client->set_message_callback([&inbox](::mqtt::const_message_ptr m) {
    inbox.Push({m->get_topic(), m->to_string(), Now()});
  });
  const auto topics = ::mqtt::string_collection::create(fleet.ScheduleTopics());
  const ::mqtt::iasync_client::qos_collection qos(topics->size(), 1);
  // One message unacknowledged at a time (mqtt::Outbox says why); with the file persistence this
  // costs nothing (a replay is faster, not slower).
  PacedPublisher out(*client, 1, stop);
  // Subscribing again on every connection makes the broker resend the retained schedules.
  if (!mqtt::ConnectWithRetry(*client, mqtt_settings_, out.outbox(), stop,
                              [&client, &topics, &qos] { client->subscribe(topics, qos); })) {
    return;
  }
  for (const auto& m : fleet.Discovery()) out.Publish(m);
  if (fleet.time() < wall_start) {
    log::Info("replaying the simulation from " + FormatTimestamp(fleet.time()) + " up to now");
  }
  log::Info("publishing for " + std::to_string(fleet_config_.sites) + " homes at speed " +
            std::to_string(speed_));
  auto follow_schedules = [&] {
    for (auto& m : inbox.Take()) {
      if (!fleet.FollowSchedule(m.topic, m.payload, m.received)) {
        log::WarnThrottled("schedule", "ignoring an unreadable schedule on " + m.topic);
      }
    }
  };
  Timestamp reached = fleet.time();
  auto last_save = std::chrono::steady_clock::now();
  while (!stop) {
    follow_schedules();
    // A replay goes a simulated minute at a time: bounded memory, schedules picked up between.
    const Timestamp target = clock.At(Now());
    while (reached < target && !stop) {
      reached = std::min(target, reached + std::chrono::minutes(1));
      for (const auto& m : fleet.Advance(reached)) out.Publish(m);
      follow_schedules();
    }
    if (std::chrono::steady_clock::now() - last_save >= std::chrono::seconds(5)) {
      out.HandOver();
      SaveState(fleet);
      last_save = std::chrono::steady_clock::now();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  out.HandOver();
  SaveState(fleet);
  log::Info("published " + std::to_string(out.published()) + " messages");
  mqtt::DisconnectCleanly(*client, mqtt_settings_, out.outbox());
}

void PublisherApp::RunBackfill(const std::atomic<bool>& stop) {
  auto client = mqtt::MakeClient(mqtt_settings_, "", 100000);
  const Timestamp end = Now();
  const Timestamp start = end - std::chrono::duration_cast<Millis>(*backfill_);
  sim::Fleet fleet(fleet_config_, start);
  PacedPublisher out(*client, 500, stop);
  if (!mqtt::ConnectWithRetry(*client, mqtt_settings_, out.outbox(), stop)) return;
  for (const auto& m : fleet.Discovery()) out.Publish(m);

  const auto wall_start = std::chrono::steady_clock::now();
  auto last_progress = wall_start;
  const auto step = std::chrono::duration_cast<Millis>(fleet_config_.telemetry_interval);
  for (Timestamp t = start; t <= end && !stop; t += step) {
    for (const auto& m : fleet.Advance(t)) out.Publish(m);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_progress >= std::chrono::seconds(1) || t + step > end) {
      last_progress = now;
      const double secs = std::chrono::duration<double>(now - wall_start).count();
      const double days = std::chrono::duration<double>(t - start).count() / 86400.0;
      const double total = std::chrono::duration<double>(*backfill_).count() / 86400.0;
      const auto published = static_cast<double>(out.published());
      std::fprintf(stderr, "\rbackfill: %.1f of %.0f days, %.0f messages, %.0f msg/s   ", days,
                   total, published, secs > 0 ? published / secs : 0.0);
    }
  }
  out.Drain();
  std::fprintf(stderr, "\n");
  SaveState(fleet);  // a live run continues from here
  log::Info("backfill done: " + std::to_string(out.published()) + " messages");
  mqtt::DisconnectCleanly(*client, mqtt_settings_, out.outbox());
}

}  // namespace ems::publisher
