// ems-listener: MQTT in, SQLite out (SPEC §1, §4.4).
//
//   Paho thread:   message -> Inbox::Append (one write(), durable) -> queue -> return (PUBACK)
//   writer thread: queue -> Ingestor::ApplyBatch (one transaction, checkpoint) -> Inbox::Release
//
// At start the inbox records after the stored checkpoint are applied before connecting. On
// stop the MQTT connection is closed first (no new messages), then the queue is drained and
// committed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "ems/config/settings.h"
#include "ems/mqtt/client.h"
#include "listener/inbox.h"
#include "listener/ingestor.h"

namespace ems::listener {

std::vector<config::Option> ListenerOptions();

class ListenerApp {
 public:
  // Throws config::ConfigError or std::runtime_error for unusable settings.
  explicit ListenerApp(const config::Settings& settings);
  ~ListenerApp();

  // Runs until `stop` becomes true.
  void Run(const std::atomic<bool>& stop);

 private:
  void OnMessage(::mqtt::const_message_ptr msg);
  void WriterLoop();
  void Subscribe();

  static constexpr std::size_t kMaxQueued = 50000;
  static constexpr std::size_t kMaxBatch = 5000;

  mqtt::ConnectionSettings mqtt_settings_;
  std::string db_path_;
  bool shared_subscription_;
  IngestOptions ingest_options_;
  std::unique_ptr<Inbox> inbox_;
  std::unique_ptr<::mqtt::async_client> client_;

  std::mutex mu_;
  std::condition_variable has_work_, has_room_;
  std::deque<InboxRecord> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace ems::listener
