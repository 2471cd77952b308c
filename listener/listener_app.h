// ems-listener: MQTT in, SQLite out (docs/contract.md §1, §4.4).
//
//   Paho thread:   message -> Inbox::Append (one write(), durable) -> queue -> return (PUBACK)
//   writer thread: queue -> mark "applying" -> Ingestor::ApplyBatch (one transaction,
//                  checkpoint) -> Inbox::Release -> derived state
//
// At start the inbox records after the stored checkpoint are applied before connecting; a
// record that crashed the process twice is quarantined (see inbox.h). Memory is bounded in
// bytes: the queue holds at most kMaxQueueBytes (the Paho thread waits for room, so the broker
// keeps the rest), and batches and replay hold at most kMaxBatchBytes.
//
// When storage fails (disk full, read-only, I/O error) the writer keeps its batch and retries
// with back-off; the queue fills and the listener stops taking messages; the condition is logged
// once and shown in the status file (GET /api/v1/ingest/stats); it clears by itself. On stop the
// MQTT connection is closed first (no new messages), then the queue is drained and committed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "ems/config/settings.h"
#include "ems/metrics/metrics.h"
#include "ems/mqtt/client.h"
#include "ems/store/listener_status.h"
#include "listener/derived/derived.h"
#include "listener/inbox.h"
#include "listener/ingestor.h"

namespace ems::listener {

std::vector<config::Option> ListenerOptions();

class ListenerApp {
 public:
  static constexpr std::size_t kMaxQueueBytes = 64 << 20;
  // A write transaction holds up to kMaxBatch messages or kMaxBatchBytes of them. What a commit
  // costs grows with the rows and pages it touches (latest values, rollup buckets, the pages
  // written to the WAL), not with its messages, so a backlog is stored in transactions as large
  // as these (the effect is measured in BENCHMARKS.md). Live traffic makes small batches all the
  // same.
  static constexpr std::size_t kMaxBatchBytes = 16 << 20;
  static constexpr std::size_t kMaxBatch = 50000;
  // Group commit while a backlog drains: after a batch of kGroupMessages or more, the writer waits
  // up to kLinger for the next kGroupMessages, so the backlog is stored in large transactions
  // instead of a few messages each (whose per-commit work takes the cores the broker and the
  // receive thread need). Live traffic, a few messages a batch, is stored without waiting.
  static constexpr std::size_t kGroupMessages = 256;
  static constexpr std::chrono::milliseconds kLinger{2};
  // The writer thread's niceness. The receive thread makes each message durable and
  // acknowledges it; when the cores are short (a backlog drains beside the broker), it goes
  // first, and the writer stores what has been taken in (bounded by kMaxQueueBytes) with the
  // time left, instead of both slowing down together.
  static constexpr int kWriterNice = 10;
  // The writer's SQLite page cache: a batch of the simulator's mix (telemetry of ~120 devices
  // and their rollups) dirties more than SQLite's default 2 MiB, which spilled into the WAL
  // before each commit and wrote them again at it (the gain and its memory: BENCHMARKS.md).
  static constexpr int kWriterCacheMib = 16;

  // Throws config::ConfigError or std::runtime_error for unusable settings. `faults`: fault
  // injection for tests only.
  explicit ListenerApp(const config::Settings& settings, FaultHooks faults = {});
  ~ListenerApp();

  // Runs until `stop` becomes true.
  void Run(const std::atomic<bool>& stop);

 private:
  void OnMessage(::mqtt::const_message_ptr msg);
  void Subscribe();
  // Applies the inbox records the previous run did not commit; false if stopped first.
  bool Recover();
  void WriterLoop();
  // Runs `apply` (which stores something and may throw store::StorageFault) until it succeeds;
  // while storage fails, retries with back-off. Returns false if the process stops first.
  bool Durably(const std::function<void()>& apply);
  // Applies `batch` marked as `attempt` (poison quarantine), durably.
  bool ApplyMarked(const std::vector<InboxRecord>& batch, int attempt, BatchEffects& effects);
  // Publishes the derived state the writer hands over (PublishDerived), until told to stop.
  void DerivedPublisherLoop();
  void PublishDerived(const std::string& topic, const std::string& payload);
  void StopDerivedPublisher();
  // Counts an applied batch in the ingest metrics (docs/contract.md §8).
  void CountIngest(const BatchEffects& effects);
  void SetStorageError(std::optional<std::string> error);
  void WriteStatus();
  bool Stopping();

  mqtt::ConnectionSettings mqtt_settings_;
  std::string db_path_;
  bool shared_subscription_;
  Inbox::Sync sync_;
  IngestOptions ingest_options_;
  std::unique_ptr<Inbox> inbox_;
  std::unique_ptr<store::Store> store_;  // the writer's
  std::unique_ptr<Ingestor> ingestor_;
  std::unique_ptr<store::ListenerStatusFile> status_file_;
  std::unique_ptr<::mqtt::async_client> client_;
  std::unique_ptr<mqtt::Outbox> outbox_;  // every publish of client_ (after it: destroyed first)
  const std::atomic<bool>* stop_ = nullptr;
  std::atomic<bool> replaying_{false};  // Run is in the start-up replay: *stop_ stops it

  std::mutex mu_;
  std::condition_variable has_work_, has_room_;
  std::deque<InboxRecord> queue_;
  std::size_t queue_bytes_ = 0;
  std::size_t max_queue_bytes_ = kMaxQueueBytes;
  bool closing_ = false;          // the MQTT connection is being closed: take what still arrives
  bool stopping_ = false;         // the writer drains the queue and ends
  store::ListenerStatus status_;  // storage error and queue, guarded by mu_
  Timestamp status_written_{};
  std::thread writer_;

  // Derived state on its way to the broker, the newest per topic (each is a retained latest
  // value). The writer never calls Paho itself: a Paho call can wait for Paho's receive thread,
  // which waits for the writer while the queue is full (OnMessage), and neither would move again.
  std::mutex derived_mu_;
  std::condition_variable has_derived_;
  std::map<std::string, std::string> derived_;  // topic -> payload
  bool derived_stopping_ = false;
  std::thread derived_publisher_;

  std::string ha_status_topic_;         // empty when Home Assistant discovery is off
  std::atomic<bool> ha_online_{false};  // Home Assistant said "online": republish its configs

  // Prometheus metrics (docs/monitoring.md); the server is the last member, so it stops first.
  metrics::Registry metrics_;
  metrics::Counter& received_;
  metrics::Counter& stored_;
  metrics::Counter& duplicates_;
  metrics::Histogram& latency_;
  metrics::Gauge& last_message_;
  std::unique_ptr<metrics::Server> metrics_server_;
};

}  // namespace ems::listener
