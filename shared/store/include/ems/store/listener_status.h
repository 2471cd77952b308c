// What a listener reports that the database cannot hold (docs/contract.md §4.4): whether its
// storage is failing, since when and why, and how much it holds in memory. Each listener keeps one
// small file beside the database, listener-<id>.status, overwritten in place about once a second
// (the file is allocated once at start, so rewriting it needs no new disk space on a full disk);
// the API reads every such file for GET /api/v1/ingest/stats.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ems/domain/time.h"

namespace ems::store {

struct ListenerStatus {
  std::string listener;  // the listener's client id
  Timestamp updated_at;
  std::optional<Timestamp> storage_error_since;  // set while the storage fails
  std::string storage_error;                     // what failed, one sentence
  std::int64_t queue_messages = 0;               // received, durable, not yet stored
  std::int64_t queue_bytes = 0;
};

// Writes one listener's status file. Not thread-safe.
class ListenerStatusFile {
 public:
  // Creates or opens <folder of db_path>/listener-<listener>.status at its full size. Throws
  // std::runtime_error when it cannot.
  ListenerStatusFile(const std::string& db_path, const std::string& listener);
  ~ListenerStatusFile();
  ListenerStatusFile(const ListenerStatusFile&) = delete;
  ListenerStatusFile& operator=(const ListenerStatusFile&) = delete;

  // Overwrites the file; a failure is logged (throttled), never thrown: the status is advisory.
  void Write(const ListenerStatus& status);

 private:
  std::string path_;
  int fd_ = -1;
};

// Every listener status file beside `db_path`, ordered by listener id; unreadable ones skipped.
std::vector<ListenerStatus> ReadListenerStatuses(const std::string& db_path);

}  // namespace ems::store
