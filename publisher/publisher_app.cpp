#include "publisher/publisher_app.h"

#include <charconv>
#include <deque>
#include <filesystem>
#include <thread>

#include "ems/util/log.h"

namespace ems::publisher {

std::vector<config::Option> PublisherOptions() {
  auto options = config::CommonOptions("ems-publisher", "ems-publisher");
  options.push_back({"EMS_PUBLISHER_SITES", "3", "simulated sites"});
  options.push_back({"EMS_PUBLISHER_STATIONS_PER_SITE", "2", "charging stations per site"});
  options.push_back({"EMS_PUBLISHER_INTERVAL_S", "5", "telemetry period per device (s)"});
  options.push_back({"EMS_PUBLISHER_SESSION_INTERVAL_S", "60",
                     "one completed charging session per station per interval (s)"});
  options.push_back({"EMS_PUBLISHER_SPEED", "1", "simulated-clock speed-up (60 = a minute per s)"});
  options.push_back({"EMS_PUBLISHER_SEED", "1", "random seed of the simulation"});
  options.push_back({"EMS_PUBLISHER_BACKFILL", "",
                     "publish this much history (e.g. 30d, 12h) as fast as possible, then exit",
                     false, "backfill"});
  options.push_back({"EMS_PUBLISHER_PERSIST_DIR", "",
                     "where undelivered messages are kept across restarts "
                     "(default: beside the database)"});
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
    : mqtt_settings_(mqtt::ConnectionFromSettings(s, "publisher")),
      speed_(s.GetDouble("EMS_PUBLISHER_SPEED", 0.01, 1e6)) {
  fleet_config_.sites = static_cast<int>(s.GetInt("EMS_PUBLISHER_SITES", 1, 10000));
  fleet_config_.stations_per_site =
      static_cast<int>(s.GetInt("EMS_PUBLISHER_STATIONS_PER_SITE", 0, 100));
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
}

void PublisherApp::Run(const std::atomic<bool>& stop) {
  if (backfill_) {
    RunBackfill(stop);
  } else {
    RunLive(stop);
  }
}

namespace {

void Publish(::mqtt::async_client& client, const sim::OutMessage& m) {
  try {
    client.publish(m.topic, m.payload.data(), m.payload.size(), 1, m.retained);
  } catch (const ::mqtt::exception& e) {
    // The offline buffer is full: the oldest simulated readings are the ones to lose.
    log::WarnThrottled("publish", std::string("cannot buffer a message: ") + e.what());
  }
}

}  // namespace

void PublisherApp::RunLive(const std::atomic<bool>& stop) {
  // Up to a day of telemetry for a small fleet is buffered while the broker is away.
  auto client = mqtt::MakeClient(mqtt_settings_, persist_dir_, 200000);
  const auto wall_start = std::chrono::steady_clock::now();
  const Timestamp sim_start = Now();
  sim::Fleet fleet(fleet_config_, sim_start);
  if (!mqtt::ConnectWithRetry(*client, mqtt_settings_, stop)) return;
  for (const auto& m : fleet.Discovery()) Publish(*client, m);
  log::Info("publishing for " + std::to_string(fleet_config_.sites) + " sites at speed " +
            std::to_string(speed_));
  std::int64_t published = 0;
  while (!stop) {
    const auto elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start);
    const auto sim_now = sim_start + std::chrono::duration_cast<Millis>(elapsed * speed_);
    for (const auto& m : fleet.Advance(sim_now)) {
      Publish(*client, m);
      ++published;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  log::Info("published " + std::to_string(published) + " messages");
  mqtt::DisconnectCleanly(*client, mqtt_settings_);
}

void PublisherApp::RunBackfill(const std::atomic<bool>& stop) {
  auto client = mqtt::MakeClient(mqtt_settings_, "", 100000);
  const Timestamp end = Now();
  const Timestamp start = end - std::chrono::duration_cast<Millis>(*backfill_);
  sim::Fleet fleet(fleet_config_, start);
  if (!mqtt::ConnectWithRetry(*client, mqtt_settings_, stop)) return;
  for (const auto& m : fleet.Discovery()) Publish(*client, m);

  // Keep a bounded window of unacknowledged messages so the broker sets the pace.
  std::deque<::mqtt::delivery_token_ptr> window;
  std::int64_t published = 0;
  const auto wall_start = std::chrono::steady_clock::now();
  auto last_progress = wall_start;
  const auto step = std::chrono::duration_cast<Millis>(fleet_config_.telemetry_interval);
  for (Timestamp t = start; t <= end && !stop; t += step) {
    for (const auto& m : fleet.Advance(t)) {
      window.push_back(client->publish(m.topic, m.payload.data(), m.payload.size(), 1, m.retained));
      ++published;
      if (window.size() >= 500) {
        window.front()->wait();
        window.pop_front();
      }
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_progress >= std::chrono::seconds(1) || t + step > end) {
      last_progress = now;
      const double secs = std::chrono::duration<double>(now - wall_start).count();
      const double days = std::chrono::duration<double>(t - start).count() / 86400.0;
      const double total = std::chrono::duration<double>(*backfill_).count() / 86400.0;
      std::fprintf(stderr, "\rbackfill: %.1f of %.0f days, %lld messages, %.0f msg/s   ", days,
                   total, static_cast<long long>(published), secs > 0 ? published / secs : 0.0);
    }
  }
  for (auto& token : window) token->wait();
  std::fprintf(stderr, "\n");
  log::Info("backfill done: " + std::to_string(published) + " messages");
  mqtt::DisconnectCleanly(*client, mqtt_settings_);
}

}  // namespace ems::publisher
