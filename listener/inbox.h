// The listener's inbox: an append-only journal of received MQTT messages that makes each one
// durable before Paho sends its PUBACK (docs/architecture.md, write path: Paho acknowledges when
// the message callback returns). A record is copied into the segment's shared file mapping, which
// is the kernel's page cache: it survives a SIGKILL of the process like a write() that returned,
// without a system call per message; the same durability class as SQLite's WAL at
// synchronous=NORMAL. With Sync::kAlways each append is also msync'ed and survives power loss.
//
// Records carry a sequence number. The writer thread applies them to SQLite in batches and
// stores the last applied sequence in the same transaction, so at start-up the records after
// that checkpoint are replayed; idempotent storage absorbs any overlap.
//
// Files in the folder:
//   inbox-<first seq>.log   segments, rotated at kSegmentBytes; a fresh one at every start, so a
//                           torn tail (power loss) never sits in front of newer records. Space is
//                           allocated ahead of the records and cut off at close; a killed
//                           process leaves it as zeros, where readers stop. Deleted once all of
//                           their records are applied.
//   applying                which records the writer is applying right now (poison quarantine,
//                           see ApplyingMark).
// Anything else is ignored with a warning.
//
// Append() is called from one thread (Paho's), the rest from another (the writer); all public
// members are thread-safe with respect to each other.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ems/domain/time.h"

namespace ems::listener {

struct InboxRecord {
  std::int64_t seq = 0;
  Timestamp arrival;
  std::string topic;
  std::string payload;
  // An MQTT redelivery (DUP flag) of a message this inbox already holds: counted, not applied.
  bool redelivered = false;

  // What the record holds in memory, for byte limits.
  std::size_t bytes() const { return sizeof(InboxRecord) + topic.size() + payload.size(); }
};

// The records the writer is applying: one batch [first, last], or a single record
// (first == last) on its `attempt`-th try after a crash. Written before the apply begins, so
// after a crash the next start knows which records were in flight.
struct ApplyingMark {
  std::int64_t first = 0;
  std::int64_t last = 0;
  int attempt = 1;
  bool operator==(const ApplyingMark&) const = default;
};

// What the start-up replay does with the records after `checkpoint`, given the mark the previous
// run left (poison quarantine, docs/contract.md §4.4). A record that was being applied alone when
// the process died, twice, is quarantined; after a crash during a batch, the uncommitted records of
// that batch are applied one at a time, so the next crash (if any) names the record.
struct RecoveryPlan {
  std::optional<std::int64_t> quarantine;  // dead-letter this record as "poison", do not apply it
  std::int64_t one_by_one_until = 0;       // records up to here are applied alone, each marked
  int first_attempt = 1;                   // the attempt number of the first of them
  bool operator==(const RecoveryPlan&) const = default;
};
RecoveryPlan PlanRecovery(const std::optional<ApplyingMark>& mark, std::int64_t checkpoint);

class Inbox {
 public:
  enum class Sync { kOff, kAlways };
  static constexpr std::size_t kSegmentBytes = 64u << 20;
  // The segment's file is allocated ahead of its records by this much at a time.
  static constexpr std::size_t kReserveBytes = 1u << 20;
  // Redeliveries are recognised among this many of the most recent records (the broker holds at
  // most max_inflight_messages = 1000 unacknowledged messages per client).
  static constexpr std::size_t kRecentRecords = 4096;

  // Opens (creating) the folder. Throws std::runtime_error when it is not usable.
  Inbox(std::string dir, Sync sync);
  ~Inbox();
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

  // Hands every intact record with seq > after_seq to `apply`, in order, in batches of at most
  // `max_batch_bytes` (InboxRecord::bytes) and `max_batch_records`, so replaying a large backlog
  // holds one batch in memory. A torn or corrupt record is skipped (with a warning) and reading
  // goes on at the next intact one. `apply` returns false to stop the replay (the process is
  // stopping); returns whether it ran to the end. Must run to the end before the first Append.
  bool Replay(std::int64_t after_seq, std::size_t max_batch_bytes, std::size_t max_batch_records,
              const std::function<bool(std::vector<InboxRecord>&&)>& apply);

  // Appends durably (msync'ed with Sync::kAlways); returns the record. A message
  // that carries the MQTT DUP flag and is byte-identical to one of the kRecentRecords most recent
  // records is a redelivery of a message already held: it is recorded as `redelivered`.
  // Throws std::runtime_error on I/O errors (nothing was acknowledged then).
  InboxRecord Append(Timestamp arrival, std::string_view topic, std::string_view payload,
                     bool dup_flag);

  // All records up to `applied_seq` are in SQLite: delete segments that hold nothing newer.
  void Release(std::int64_t applied_seq);
  // The bytes of records the journal holds on disk: its segments not yet released (what
  // ems_listener_inbox_bytes shows).
  std::uint64_t HeldBytes() const;

  // The poison-quarantine mark (see ApplyingMark); a plain pwrite, never synced: it needs to
  // survive the process, not the machine.
  void MarkApplying(const ApplyingMark& mark);
  std::optional<ApplyingMark> Applying() const;

 private:
  // A fresh segment mapped for at least `record_bytes` (kSegmentBytes unless a record is larger).
  void OpenSegment(std::int64_t first_seq, std::size_t record_bytes);
  // Unmaps the open segment and cuts it to its records.
  void CloseSegment();
  // Allocates the open segment's file up to at least `end` bytes, kReserveBytes at a time.
  void Reserve(std::size_t end);
  // Reads records until the end or until `on_record` returns false (then returns false).
  bool ReadSegment(const std::string& path, std::int64_t after_seq, std::int64_t& last_seq,
                   const std::function<bool(InboxRecord&&)>& on_record);
  void Remember(std::uint64_t hash);

  std::string dir_;
  Sync sync_;
  mutable std::mutex mu_;
  bool replayed_ = false;
  int fd_ = -1;  // the open segment, written through map_
  int applying_fd_ = -1;
  char* map_ = nullptr;
  std::size_t map_bytes_ = 0;
  std::size_t segment_bytes_ = 0;   // written
  std::size_t reserved_bytes_ = 0;  // allocated in the file
  std::size_t released_bytes_ = 0;  // dropped from the mapping
  std::int64_t next_seq_ = 1;
  std::map<std::int64_t, std::string> segments_;  // first seq -> path
  // Hashes of the most recent records' topic and payload, a ring whose next slot is recent_next_.
  std::vector<std::uint64_t> recent_;
  std::size_t recent_next_ = 0;
};

}  // namespace ems::listener
