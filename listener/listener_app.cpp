#include "listener/listener_app.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "ems/store/database.h"
#include "ems/store/store.h"
#include "ems/util/log.h"

namespace ems::listener {
namespace {

// Derived state (summaries, schedules) buffered while the broker is away; each is a retained
// "latest value" of a few hundred bytes, so this bounds the buffer to a few MiB.
constexpr int kMaxBufferedDerived = 10000;

std::string Seconds(Timestamp since, Timestamp now) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now - since).count()) +
         " s";
}

}  // namespace

std::vector<config::Option> ListenerOptions() {
  auto options = config::CommonOptions("ems-listener", "ems-listener");
  for (auto& o : config::StoredDataOptions()) options.push_back(std::move(o));
  options.push_back({"EMS_RAW_RETENTION_DAYS", "90",
                     "raw telemetry older than this is pruned; rollups are kept"});
  options.push_back(
      {"EMS_LISTENER_SHARED", "0",
       "1 = subscribe through $share/ems-listeners/... so N listeners split the stream"});
  options.push_back({"EMS_LISTENER_INBOX_DIR", "",
                     "inbox journal folder (default: beside the database, per client id)"});
  options.push_back({"EMS_LISTENER_SYNC", "off",
                     "off = survives a crash of any process; always = also power loss (each "
                     "message msync'ed, SQLite synchronous=FULL)"});
  for (auto& o : config::HomeAssistantOptions()) options.push_back(std::move(o));
  options.push_back(config::MetricsOption("127.0.0.1:9101"));
  return options;
}

ListenerApp::ListenerApp(const config::Settings& settings, FaultHooks faults)
    : mqtt_settings_(mqtt::ConnectionFromSettings(settings, "listener")),
      db_path_(settings.Get("EMS_DB_PATH")),
      shared_subscription_(settings.GetBool("EMS_LISTENER_SHARED")),
      received_(metrics_.GetCounter("ems_ingest_received_total",
                                    "Messages applied: stored, duplicates and rejected.")),
      stored_(metrics_.GetCounter("ems_ingest_stored_total", "Messages stored.")),
      duplicates_(metrics_.GetCounter("ems_ingest_duplicates_total",
                                      "Messages already stored (redeliveries, replays).")),
      latency_(metrics_.GetHistogram("ems_ingest_latency_seconds",
                                     "From a stored reading's ts to the commit that stored it.",
                                     metrics::DurationBuckets())),
      last_message_(metrics_.GetGauge("ems_ingest_last_message_timestamp_seconds",
                                      "Arrival time of the last message applied, Unix seconds.")) {
  const auto sync = settings.Get("EMS_LISTENER_SYNC");
  if (sync != "off" && sync != "always") {
    throw config::ConfigError("EMS_LISTENER_SYNC", "must be off or always, got '" + sync + "'.");
  }
  sync_ = sync == "always" ? Inbox::Sync::kAlways : Inbox::Sync::kOff;
  ingest_options_.prefix = mqtt_settings_.prefix;
  ingest_options_.default_currency = settings.GetCurrency("EMS_DEFAULT_CURRENCY");
  ingest_options_.listener_id = mqtt_settings_.client_id;
  ingest_options_.shared = shared_subscription_;
  if (faults.max_queue_bytes > 0) max_queue_bytes_ = faults.max_queue_bytes;
  ingest_options_.faults = std::move(faults);
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
  // Open (and migrate) here so a bad EMS_DB_PATH or EMS_DB_URL fails at start with a clear line.
  store_ = store::OpenStore(
      store::DatabaseOf(settings),
      {.sync_every_commit = sync_ == Inbox::Sync::kAlways, .cache_mib = kWriterCacheMib});
  ingestor_ = std::make_unique<Ingestor>(*store_, ingest_options_);
  inbox_ = std::make_unique<Inbox>(inbox_dir, sync_);
  status_file_ = std::make_unique<store::ListenerStatusFile>(db_path_, mqtt_settings_.client_id);
  status_.listener = mqtt_settings_.client_id;
  ingest_options_.home_assistant = mqtt::HaSettingsFrom(settings);
  if (ingest_options_.home_assistant) {
    ha_status_topic_ = mqtt::HaStatusTopic(*ingest_options_.home_assistant);
  }

  metrics::AddBuildInfo(metrics_, "ems-listener");
  metrics::AddProcessMetrics(metrics_);
  metrics_.AddCallback("ems_listener_queue_bytes",
                       "Bytes of messages taken in and not yet stored (at most 64 MiB).",
                       metrics::Type::kGauge, [this] {
                         std::lock_guard lock(mu_);
                         return static_cast<double>(queue_bytes_);
                       });
  metrics_.AddCallback(
      "ems_listener_inbox_bytes", "Bytes of the inbox journal's segments not yet released.",
      metrics::Type::kGauge, [this] { return static_cast<double>(inbox_->HeldBytes()); });
  metrics_.AddCallback("ems_storage_error", "1 while storage fails (disk full, read-only, I/O).",
                       metrics::Type::kGauge, [this] {
                         std::lock_guard lock(mu_);
                         return status_.storage_error_since ? 1.0 : 0.0;
                       });
  metrics_server_ = metrics::ServeMetrics(metrics_, settings);
}

void ListenerApp::CountIngest(const BatchEffects& effects) {
  const auto& c = effects.counts;
  received_.Inc(static_cast<double>(c.received));
  stored_.Inc(static_cast<double>(c.stored));
  duplicates_.Inc(static_cast<double>(c.duplicates));
  for (const auto& [reason, n] : c.rejected_by_reason) {
    metrics_
        .GetCounter("ems_ingest_rejected_total", "Messages dead-lettered, by reason.",
                    {{"reason", reason}})
        .Inc(static_cast<double>(n));
  }
  if (c.last_message_at) {
    last_message_.Set(static_cast<double>(ToMillis(*c.last_message_at)) / 1000.0);
  }
  const auto now = Now();
  for (const auto ts : effects.readings) {
    latency_.Observe(std::max(0.0, std::chrono::duration<double>(now - ts).count()));
  }
}

ListenerApp::~ListenerApp() {
  {
    std::lock_guard lock(mu_);
    closing_ = stopping_ = true;
  }
  has_work_.notify_all();
  has_room_.notify_all();
  if (writer_.joinable()) writer_.join();
  StopDerivedPublisher();
}

void ListenerApp::Subscribe() {
  const auto& p = mqtt_settings_.prefix;
  const std::string share = shared_subscription_ ? "$share/ems-listeners/" : "";
  // Discovery and tariffs are never shared (docs/contract.md §9): every listener stores each
  // (idempotent, a few a device), so a device's meta reaches a listener before any telemetry of
  // it published later (one client's messages keep their order), and retained ones reach every
  // listener on brokers that send no retained messages to shared subscriptions (MQTT 5 allows
  // that; Mosquitto 2.0 sends them).
  for (const auto& f : {p + "/sites/+/devices/+/meta", p + "/sites/+/tariff"}) {
    client_->subscribe(f, 1);  // not waited: Paho's thread
  }
  for (const auto& f : {p + "/sites/+/devices/+/telemetry", p + "/sites/+/devices/+/sessions",
                        p + "/contracts/events", std::string("charger/+/connector/+/session/+")}) {
    client_->subscribe(share + f, 1);
  }
  // Every listener hears Home Assistant come online (not shared): each republishes its configs.
  if (!ha_status_topic_.empty()) client_->subscribe(ha_status_topic_, 1);
}

bool ListenerApp::Stopping() {
  if (replaying_ && *stop_) return true;
  std::lock_guard lock(mu_);
  return stopping_;
}

void ListenerApp::SetStorageError(std::optional<std::string> error) {
  const auto now = Now();
  {
    std::lock_guard lock(mu_);
    if (error.has_value() == status_.storage_error_since.has_value()) return;
    if (error) {
      log::Error(
          "storage is failing; not taking new messages until it works again (they stay "
          "in the broker and the inbox): " +
          *error);
      status_.storage_error_since = now;
      status_.storage_error = *error;
    } else {
      log::Info("storage works again after " + Seconds(*status_.storage_error_since, now) +
                "; taking messages again");
      status_.storage_error_since.reset();
      status_.storage_error.clear();
    }
    status_written_ = Timestamp{};  // write the change at once
  }
  WriteStatus();
}

void ListenerApp::WriteStatus() {
  store::ListenerStatus status;
  {
    std::lock_guard lock(mu_);
    const auto now = Now();
    if (now - status_written_ < std::chrono::seconds(1)) return;
    status_written_ = now;
    status_.updated_at = now;
    status_.queue_messages = static_cast<std::int64_t>(queue_.size());
    status_.queue_bytes = static_cast<std::int64_t>(queue_bytes_);
    status = status_;
  }
  status_file_->Write(status);
}

void ListenerApp::OnMessage(::mqtt::const_message_ptr msg) {
  // Runs on Paho's receive thread; the PUBACK goes out when this returns, so the record must be
  // in the inbox file first. Waiting for room in the queue throttles the broker, not memory.
  if (!ha_status_topic_.empty() && msg->get_topic() == ha_status_topic_) {
    if (msg->get_payload() == "online") ha_online_ = true;  // nothing to store
    return;
  }
  const std::size_t size =
      sizeof(InboxRecord) + msg->get_topic().size() + msg->get_payload().size();
  {
    std::unique_lock lock(mu_);
    has_room_.wait(lock, [&] {
      return queue_bytes_ + size <= max_queue_bytes_ || queue_bytes_ == 0 || closing_;
    });
  }
  std::optional<InboxRecord> record;
  for (bool failing = false; !record;) {
    try {
      record = inbox_->Append(Now(), msg->get_topic(), msg->get_payload(), msg->is_duplicate());
      if (failing) SetStorageError(std::nullopt);
    } catch (const std::exception& e) {
      // Nothing is acknowledged that is not durable: wait here (the broker keeps the rest)
      // until the inbox can be written again.
      failing = true;
      SetStorageError(std::string("the inbox cannot be written: ") + e.what());
      std::unique_lock lock(mu_);
      if (closing_) {
        log::Error(
            "stopping with a message that could not be made durable; it is not "
            "acknowledged, so the broker delivers it again");
        std::_Exit(3);
      }
      has_room_.wait_for(lock, std::chrono::seconds(1), [&] { return closing_; });
    }
  }
  if (ingest_options_.faults.after_append) ingest_options_.faults.after_append(*record);
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    queue_bytes_ += record->bytes();
    queue_.push_back(std::move(*record));
    // The writer waits for the first message, or lingers for a group (WriterLoop).
    wake = queue_.size() == 1 || queue_.size() == kGroupMessages;
  }
  if (wake) has_work_.notify_one();
}

bool ListenerApp::Durably(const std::function<void()>& apply) {
  auto backoff = std::chrono::milliseconds(100);
  while (true) {
    try {
      apply();
      SetStorageError(std::nullopt);
      return true;
    } catch (const store::StorageFault& e) {
      SetStorageError(e.what());
    }
    for (auto waited = std::chrono::milliseconds(0); waited < backoff;
         waited += std::chrono::milliseconds(50)) {
      if (Stopping()) return false;
      WriteStatus();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

bool ListenerApp::ApplyMarked(const std::vector<InboxRecord>& batch, int attempt,
                              BatchEffects& effects) {
  if (!Durably([&] {
        inbox_->MarkApplying({batch.front().seq, batch.back().seq, attempt});
        effects = ingestor_->ApplyBatch(batch);
      })) {
    return false;
  }
  CountIngest(effects);
  return true;
}

bool ListenerApp::Recover() {
  const auto plan = PlanRecovery(inbox_->Applying(), ingestor_->Checkpoint());
  int attempt = plan.first_attempt;
  std::size_t replayed = 0;
  BatchEffects effects;  // every site's derived state is republished after start anyway
  const bool done = inbox_->Replay(
      ingestor_->Checkpoint(), kMaxBatchBytes, kMaxBatch, [&](std::vector<InboxRecord>&& batch) {
        replayed += batch.size();
        std::vector<InboxRecord> run;  // records applied together, as a normal batch
        const auto flush = [&] {
          const bool ok = run.empty() || ApplyMarked(run, 1, effects);
          run.clear();
          return ok;
        };
        for (auto& r : batch) {
          if (plan.quarantine == r.seq) {
            log::Error("message " + std::to_string(r.seq) + " on " + r.topic +
                       " stopped the listener twice while it was applied; it is set aside as a "
                       "dead letter (poison)");
            if (!flush() || !Durably([&] { ingestor_->Quarantine(r); })) return false;
          } else if (r.seq <= plan.one_by_one_until) {
            if (!flush() || !ApplyMarked({r}, std::exchange(attempt, 1), effects)) return false;
          } else {
            run.push_back(std::move(r));
          }
        }
        return flush();
      });
  if (replayed > 0) log::Info("replayed " + std::to_string(replayed) + " inbox messages");
  if (done) inbox_->Release(ingestor_->Checkpoint());
  return done;
}

void ListenerApp::WriterLoop() {
  auto derived = MakeDerivedPublishers(
      *store_, ingest_options_, [this](const std::string& topic, const std::string& payload) {
        PublishDerived(topic, payload);
      });
  if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kWriterNice) != 0) {
    log::Warn(std::string("cannot lower the writer thread's priority: ") + std::strerror(errno));
  }
  bool draining = false;  // the last batch was a group: a backlog is being drained
  auto ticked = std::chrono::steady_clock::time_point{};
  while (true) {
    std::vector<InboxRecord> batch;
    std::size_t batch_bytes = 0;
    {
      std::unique_lock lock(mu_);
      has_work_.wait_for(lock, kTickPeriod, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty() && stopping_) return;
      if (draining && queue_.size() < kGroupMessages) {
        has_work_.wait_for(lock, kLinger,
                           [&] { return queue_.size() >= kGroupMessages || stopping_; });
      }
      while (!queue_.empty() && batch.size() < kMaxBatch && batch_bytes < kMaxBatchBytes) {
        batch_bytes += queue_.front().bytes();
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      draining = batch.size() >= kGroupMessages;
    }
    BatchEffects effects;
    if (!batch.empty()) {
      // Stopping while storage fails: the batch and the queue stay in the inbox for next time.
      if (!ApplyMarked(batch, 1, effects)) return;
      inbox_->Release(ingestor_->Checkpoint());
      {
        // Counted until stored, so a failing storage fills the queue and stops the intake.
        std::lock_guard lock(mu_);
        queue_bytes_ -= batch_bytes;
      }
      has_room_.notify_all();
      log::Debug("applied " + std::to_string(batch.size()) + " messages");
    }
    try {
      if (!batch.empty()) {
        for (auto& d : derived) d->AfterCommit(effects, Now());
      }
      if (ha_online_.exchange(false)) {
        for (auto& d : derived) d->Republish(Now());
      }
      if (const auto t = std::chrono::steady_clock::now(); t - ticked >= kTickPeriod) {
        ticked = t;  // at most once a kTickPeriod, each within its kTickBudget (derived.h)
        for (auto& d : derived) d->Tick(Now());
      }
    } catch (const std::exception& e) {
      // Derived state is recomputed from stored data at the next change or tick.
      log::WarnThrottled("derived", std::string("cannot compute derived state: ") + e.what());
    }
    WriteStatus();
  }
}

void ListenerApp::PublishDerived(const std::string& topic, const std::string& payload) {
  {
    std::lock_guard lock(derived_mu_);
    derived_.insert_or_assign(topic, payload);
  }
  has_derived_.notify_one();
}

void ListenerApp::DerivedPublisherLoop() {
  std::unique_lock lock(derived_mu_);
  while (true) {
    has_derived_.wait(lock, [&] { return !derived_.empty() || derived_stopping_; });
    if (derived_.empty()) return;
    const auto batch = std::exchange(derived_, {});
    lock.unlock();
    for (const auto& [topic, payload] : batch) outbox_->Publish(topic, payload, true);
    // Until the broker has acknowledged these, newer values replace older ones per topic in
    // derived_: bounded memory however long the broker is away.
    while (!outbox_->WaitUntilAtMost(0, std::chrono::milliseconds(200))) {
      std::lock_guard stopping(derived_mu_);
      if (derived_stopping_) break;
    }
    lock.lock();
  }
}

void ListenerApp::StopDerivedPublisher() {
  {
    std::lock_guard lock(derived_mu_);
    derived_stopping_ = true;
  }
  has_derived_.notify_all();
  if (derived_publisher_.joinable()) derived_publisher_.join();
}

void ListenerApp::Run(const std::atomic<bool>& stop) {
  stop_ = &stop;
  WriteStatus();
  replaying_ = true;
  const bool recovered = Recover();
  replaying_ = false;
  if (!recovered) {
    log::Info("stopped during the start-up replay; the rest is applied at the next start");
    return;
  }
  // Derived state published while the broker is away is buffered and sent on reconnect.
  client_ = mqtt::MakeClient(mqtt_settings_, "", kMaxBufferedDerived);
  outbox_ = std::make_unique<mqtt::Outbox>(*client_, kMaxBufferedDerived);
  derived_publisher_ = std::thread([this] { DerivedPublisherLoop(); });
  writer_ = std::thread([this] { WriterLoop(); });
  client_->set_message_callback([this](::mqtt::const_message_ptr m) { OnMessage(std::move(m)); });
  if (mqtt::ConnectWithRetry(*client_, mqtt_settings_, *outbox_, stop, [this] { Subscribe(); })) {
    log::Info("listening on " + mqtt_settings_.uri);
    while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    {
      std::lock_guard lock(mu_);
      closing_ = true;  // a callback waiting for room takes its message, so Paho can close
    }
    has_room_.notify_all();
    mqtt::DisconnectCleanly(*client_, mqtt_settings_, *outbox_);
  }
  {
    std::lock_guard lock(mu_);
    closing_ = stopping_ = true;
  }
  has_work_.notify_all();
  has_room_.notify_all();
  writer_.join();
  StopDerivedPublisher();
  std::lock_guard lock(mu_);
  if (queue_bytes_ == 0) {
    log::Info("stopped; every received message is stored");
  } else {
    log::Warn(
        "stopped with messages not yet stored (storage failing); they are in the inbox "
        "and are applied at the next start");
  }
}

}  // namespace ems::listener
