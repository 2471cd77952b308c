#include "listener/listener_app.h"

#include <filesystem>

#include "ems/store/database.h"
#include "ems/util/log.h"
#include "listener/derived/derived.h"

namespace ems::listener {

std::vector<config::Option> ListenerOptions() {
  auto options = config::CommonOptions("ems-listener", "ems-listener");
  options.push_back(
      {"EMS_DEFAULT_CURRENCY", "EUR", "currency of sessions whose payload names none"});
  options.push_back({"EMS_STALE_AFTER_S", "30",
                     "a device whose latest telemetry is older counts as stale in summaries"});
  options.push_back({"EMS_RAW_RETENTION_DAYS", "90",
                     "raw telemetry older than this is pruned; rollups are kept"});
  options.push_back(
      {"EMS_LISTENER_SHARED", "0",
       "1 = subscribe through $share/ems-listeners/... so N listeners split the stream"});
  options.push_back({"EMS_LISTENER_INBOX_DIR", "",
                     "inbox journal folder (default: beside the database, per client id)"});
  return options;
}

ListenerApp::ListenerApp(const config::Settings& settings)
    : mqtt_settings_(mqtt::ConnectionFromSettings(settings, "listener")),
      db_path_(settings.Get("EMS_DB_PATH")),
      shared_subscription_(settings.GetBool("EMS_LISTENER_SHARED")) {
  ingest_options_.prefix = mqtt_settings_.prefix;
  ingest_options_.default_currency = settings.Get("EMS_DEFAULT_CURRENCY");
  if (ingest_options_.default_currency.size() != 3) {
    throw config::ConfigError("EMS_DEFAULT_CURRENCY", "must be a three-letter code such as EUR.");
  }
  ingest_options_.listener_id = mqtt_settings_.client_id;
  ingest_options_.stale_after =
      std::chrono::seconds(settings.GetInt("EMS_STALE_AFTER_S", 1, 86400));
  ingest_options_.raw_retention_days =
      static_cast<int>(settings.GetInt("EMS_RAW_RETENTION_DAYS", 1, 36500));
  auto inbox_dir = settings.Get("EMS_LISTENER_INBOX_DIR");
  if (inbox_dir.empty()) {
    const auto parent = std::filesystem::path(db_path_).parent_path();
    inbox_dir = (parent.empty() ? std::filesystem::path(".") : parent).string() + "/inbox-" +
                mqtt_settings_.client_id;
  }
  // Open (and migrate) once here so a bad EMS_DB_PATH fails at start with a clear line.
  store::OpenDatabase(db_path_);
  inbox_ = std::make_unique<Inbox>(inbox_dir);
}

ListenerApp::~ListenerApp() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  has_work_.notify_all();
  has_room_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void ListenerApp::Subscribe() {
  const auto& p = mqtt_settings_.prefix;
  const std::string share = shared_subscription_ ? "$share/ems-listeners/" : "";
  const std::vector<std::string> filters = {
      p + "/sites/+/devices/+/meta",     p + "/sites/+/devices/+/telemetry",
      p + "/sites/+/devices/+/sessions", p + "/sites/+/tariff",
      p + "/contracts/events",           "charger/+/connector/+/session/+"};
  for (const auto& f : filters) client_->subscribe(share + f, 1);  // not waited: Paho's thread
}

void ListenerApp::OnMessage(::mqtt::const_message_ptr msg) {
  // Runs on Paho's receive thread; the PUBACK goes out when this returns, so the record must be
  // in the inbox file first. Waiting for room in the queue throttles the broker, not memory.
  try {
    std::unique_lock lock(mu_);
    has_room_.wait(lock, [&] { return queue_.size() < kMaxQueued || stopping_; });
    const auto arrival = Now();
    const auto seq = inbox_->Append(arrival, msg->get_topic(), msg->to_string());
    queue_.push_back(InboxRecord{seq, arrival, msg->get_topic(), msg->to_string()});
    lock.unlock();
    has_work_.notify_one();
  } catch (const std::exception& e) {
    // The inbox is not writable (disk full?): nothing is safe to acknowledge. Stop hard so the
    // broker redelivers to the next run; a supervisor restarts us.
    log::Error(std::string("cannot make a message durable, exiting: ") + e.what());
    std::_Exit(3);
  }
}

void ListenerApp::WriterLoop() {
  auto db = store::OpenDatabase(db_path_);
  Ingestor ingestor(*db, ingest_options_);
  auto derived = MakeDerivedPublishers(
      *db, ingest_options_, [this](const std::string& topic, const std::string& payload) {
        try {
          client_->publish(topic, payload.data(), payload.size(), 1, true);
        } catch (const ::mqtt::exception& e) {
          log::WarnThrottled("derived-publish",
                             std::string("cannot publish derived state: ") + e.what());
        }
      });
  while (true) {
    std::vector<InboxRecord> batch;
    {
      std::unique_lock lock(mu_);
      has_work_.wait_for(lock, kTickPeriod, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty() && stopping_) return;
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    has_room_.notify_all();
    try {
      if (!batch.empty()) {
        const auto effects = ingestor.ApplyBatch(batch, Now());
        inbox_->Release(batch.back().seq);
        log::Debug("applied " + std::to_string(batch.size()) + " messages");
        for (auto& d : derived) d->AfterCommit(effects, Now());
      }
      for (auto& d : derived) d->Tick(Now());
    } catch (const std::exception& e) {
      // The records stay in the inbox and are applied at the next start.
      log::Error(std::string("cannot store a batch, exiting: ") + e.what());
      std::_Exit(4);
    }
  }
}

void ListenerApp::Run(const std::atomic<bool>& stop) {
  {
    auto db = store::OpenDatabase(db_path_);
    Ingestor ingestor(*db, ingest_options_);
    const auto pending = inbox_->ReadAfter(ingestor.Checkpoint());
    if (!pending.empty()) {
      log::Info("replaying " + std::to_string(pending.size()) + " inbox messages not yet stored");
      for (std::size_t i = 0; i < pending.size(); i += kMaxBatch) {
        const auto end = std::min(pending.size(), i + kMaxBatch);
        ingestor.ApplyBatch({pending.begin() + i, pending.begin() + end}, Now());
      }
      inbox_->Release(pending.back().seq);
    }
  }
  // Derived state published while the broker is away is buffered and sent on reconnect.
  client_ = mqtt::MakeClient(mqtt_settings_, "", 100000);
  writer_ = std::thread([this] { WriterLoop(); });
  client_->set_message_callback([this](::mqtt::const_message_ptr m) { OnMessage(std::move(m)); });
  if (mqtt::ConnectWithRetry(*client_, mqtt_settings_, stop, [this] { Subscribe(); })) {
    log::Info("listening on " + mqtt_settings_.uri);
    while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    mqtt::DisconnectCleanly(*client_, mqtt_settings_);
  }
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  has_work_.notify_all();
  has_room_.notify_all();
  writer_.join();
  log::Info("stopped; every received message is stored");
}

}  // namespace ems::listener
