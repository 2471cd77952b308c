// The listener's inbox: an append-only journal of received MQTT messages that makes each one
// durable with a single write() before Paho sends its PUBACK (DESIGN.md: Paho acknowledges when
// the message callback returns). A write() that returned survives a SIGKILL of the process (it
// is in the kernel's page cache), the same durability class as SQLite's WAL at
// synchronous=NORMAL; only power loss can take back the newest records.
//
// Records carry a sequence number. The writer thread applies them to SQLite in large batches and
// stores the last applied sequence in the same transaction, so at start-up the records after
// that checkpoint are replayed; idempotent storage absorbs any overlap.
//
// Files: <dir>/inbox-<first seq>.log, rotated at kSegmentBytes; a segment is deleted once all of
// its records are applied. Append() is called from one thread (Paho's), Release() from another;
// both are thread-safe with respect to each other.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "ems/domain/time.h"

namespace ems::listener {

struct InboxRecord {
  std::int64_t seq = 0;
  Timestamp arrival;
  std::string topic;
  std::string payload;
};

class Inbox {
 public:
  static constexpr std::int64_t kSegmentBytes = 64ll << 20;

  // Opens (creating) the folder. Throws std::runtime_error when it is not writable.
  explicit Inbox(std::string dir);
  ~Inbox();
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

  // Every intact record with seq > after_seq, in order. A torn or corrupt tail (power loss) ends
  // the read of its segment. Also positions the next sequence number after the last one found.
  std::vector<InboxRecord> ReadAfter(std::int64_t after_seq);

  // Appends with one write(); returns the record's sequence number. Throws on I/O errors.
  std::int64_t Append(Timestamp arrival, const std::string& topic, const std::string& payload);

  // All records up to `applied_seq` are in SQLite: delete segments that hold nothing newer.
  void Release(std::int64_t applied_seq);

 private:
  void OpenSegment(std::int64_t first_seq);

  std::string dir_;
  std::mutex mu_;
  int fd_ = -1;
  std::int64_t segment_bytes_ = 0;
  std::int64_t next_seq_ = 1;
  std::map<std::int64_t, std::string> segments_;  // first seq -> path
};

}  // namespace ems::listener
