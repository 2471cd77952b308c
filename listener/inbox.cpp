#include "listener/inbox.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "ems/store/store.h"
#include "ems/util/log.h"

namespace ems::listener {
namespace {

// Record: u32 magic | u32 body length | u64 checksum of body | body
// body:   i64 seq | i64 arrival ms | u32 flags | u32 topic length | topic | payload
// The magic lets a reader find the next record after a torn or corrupt one, and names the
// checksum: XXH3-64 (libxxhash) for the records written now, FNV-1a for those of earlier
// versions, still read after an upgrade. Both begin with kMagicPrefix.
constexpr std::uint32_t kMagic = 0x33534d45;       // "EMS3"
constexpr std::uint32_t kMagicFnv1a = 0x52534d45;  // "EMSR"
constexpr std::string_view kMagicPrefix = "EMS";
constexpr std::size_t kHeader = 4 + 4 + 8;
constexpr std::size_t kBodyFixed = 8 + 8 + 4 + 4;
constexpr std::uint32_t kMaxBody = 256u << 20;  // far above the broker's packet limit
constexpr std::uint32_t kRedelivered = 1;

// Mark file: u32 magic | i32 attempt | i64 first | i64 last | u64 checksum of the 24 bytes before
constexpr std::uint32_t kMarkMagic = 0x4b4d5045;  // "EPMK"
constexpr std::size_t kMarkBytes = 4 + 4 + 8 + 8 + 8;

std::uint64_t Fnv1a(std::string_view data, std::uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// The checksum of a record's body under `magic`; nullopt for a magic that is not a record's.
std::optional<std::uint64_t> BodyChecksum(std::uint32_t magic, std::string_view body) {
  if (magic == kMagic) return XXH3_64bits(body.data(), body.size());
  if (magic == kMagicFnv1a) return Fnv1a(body);
  return std::nullopt;
}

// Kept in memory only (rebuilt from the journal at start), so any good 64-bit hash does: the
// standard library's hashes eight bytes a step, FNV-1a one.
std::uint64_t MessageHash(std::string_view topic, std::string_view payload) {
  const std::hash<std::string_view> hash;
  return hash(topic) ^ (hash(payload) * 0x9e3779b97f4a7c15ull);
}

template <class T>
void Put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <class T>
char* Put(char* out, T v) {
  std::memcpy(out, &v, sizeof v);
  return out + sizeof v;
}

template <class T>
T Get(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// `offset` rounded down to the start of its memory page.
std::size_t PageStart(std::size_t offset) {
  static const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return offset / page * page;
}

[[noreturn]] void Fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

// "inbox-<digits>.log" → the digits; anything else → nullopt.
std::optional<std::int64_t> SegmentFirstSeq(const std::string& name) {
  constexpr std::string_view kPrefix = "inbox-", kSuffix = ".log";
  if (name.size() <= kPrefix.size() + kSuffix.size() || !name.starts_with(kPrefix) ||
      !name.ends_with(kSuffix)) {
    return std::nullopt;
  }
  const char* begin = name.data() + kPrefix.size();
  const char* end = name.data() + name.size() - kSuffix.size();
  std::int64_t seq = 0;
  const auto [ptr, ec] = std::from_chars(begin, end, seq);
  if (ec != std::errc() || ptr != end || seq < 1) return std::nullopt;
  return seq;
}

// Sequential reads of a segment through a window of the file, so a segment is never loaded
// whole: memory is one window (1 MiB or one record, whichever is larger).
class SegmentReader {
 public:
  explicit SegmentReader(const std::string& path)
      : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) Fail("cannot read " + path);
  }
  ~SegmentReader() { ::close(fd_); }

  // Up to `n` bytes of the file from `pos` (fewer only at its end).
  std::string_view Bytes(std::uint64_t pos, std::size_t n) {
    if (pos < start_ || pos > start_ + buf_.size()) {
      buf_.clear();
      start_ = pos;
    } else if (buf_.size() - (pos - start_) < n && !eof_) {
      // Consumed bytes go only before a read: dropping them at every record would move the
      // rest of the buffer each time, quadratic over a segment.
      buf_.erase(0, pos - start_);
      start_ = pos;
    }
    const std::size_t offset = pos - start_;
    while (buf_.size() - offset < n && !eof_) {
      const std::size_t want = std::max<std::size_t>(n - (buf_.size() - offset), 1 << 20);
      const std::size_t old = buf_.size();
      buf_.resize(old + want);
      ssize_t got;
      do {
        got = ::pread(fd_, buf_.data() + old, want, static_cast<off_t>(start_ + old));
      } while (got < 0 && errno == EINTR);
      if (got < 0) Fail("cannot read an inbox segment");
      buf_.resize(old + static_cast<std::size_t>(got));
      eof_ = got == 0;
    }
    return std::string_view(buf_).substr(offset, n);
  }

  // Whether every byte from `pos` to the end of the file is zero: the space a segment's writer
  // reserved ahead of its records and, killed, did not cut off (Inbox::CloseSegment).
  bool AllZerosFrom(std::uint64_t pos) {
    while (true) {
      const auto window = Bytes(pos, 1 << 20);
      if (window.empty()) return true;
      if (window.find_first_not_of('\0') != std::string_view::npos) return false;
      pos += window.size();
    }
  }

  // The position of the next record magic (of either checksum) at or after `pos`, or nullopt at
  // the end of the file.
  std::optional<std::uint64_t> FindMagic(std::uint64_t pos) {
    while (true) {
      const auto window = Bytes(pos, 1 << 20);
      if (window.size() < 4) return std::nullopt;
      for (auto at = window.find(kMagicPrefix);
           at != std::string_view::npos && at + 4 <= window.size();
           at = window.find(kMagicPrefix, at + 1)) {
        const auto magic = Get<std::uint32_t>(window.data() + at);
        if (magic == kMagic || magic == kMagicFnv1a) return pos + at;
      }
      pos += window.size() - 3;
    }
  }

 private:
  int fd_;
  std::string buf_;
  std::uint64_t start_ = 0;
  bool eof_ = false;
};

}  // namespace

RecoveryPlan PlanRecovery(const std::optional<ApplyingMark>& mark, std::int64_t checkpoint) {
  if (!mark || mark->last <= checkpoint) return {};  // what was being applied committed
  if (mark->first != mark->last) return {std::nullopt, mark->last, 1};
  if (mark->attempt >= 2) return {mark->first, 0, 1};
  return {std::nullopt, mark->last, mark->attempt + 1};
}

Inbox::Inbox(std::string dir, Sync sync) : dir_(std::move(dir)), sync_(sync) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw std::runtime_error("cannot create the inbox folder " + dir_ + ": " + ec.message());
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    const auto name = entry.path().filename().string();
    if (name == "applying") continue;
    if (const auto first = SegmentFirstSeq(name); first && entry.is_regular_file()) {
      segments_[*first] = entry.path().string();
    } else {
      log::Warn("ignoring " + entry.path().string() + ": not an inbox file");
    }
  }
  applying_fd_ = ::open((dir_ + "/applying").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (applying_fd_ < 0 || ::posix_fallocate(applying_fd_, 0, kMarkBytes) != 0) {
    Fail("cannot open " + dir_ + "/applying");
  }
  recent_.resize(kRecentRecords);
}

Inbox::~Inbox() {
  CloseSegment();
  if (applying_fd_ >= 0) ::close(applying_fd_);
}

bool Inbox::ReadSegment(const std::string& path, std::int64_t after_seq, std::int64_t& last_seq,
                        const std::function<bool(InboxRecord&&)>& on_record) {
  SegmentReader in(path);
  std::uint64_t pos = 0;
  std::uint64_t skipped = 0;
  while (true) {
    const auto header = in.Bytes(pos, kHeader);
    if (header.empty()) break;
    const std::size_t header_size = header.size();
    std::string_view body;
    bool intact = header_size == kHeader;
    if (intact) {
      const auto magic = Get<std::uint32_t>(header.data());
      const auto len = Get<std::uint32_t>(header.data() + 4);
      const auto checksum = Get<std::uint64_t>(header.data() + 8);
      intact = len >= kBodyFixed && len <= kMaxBody;
      if (intact) {
        body = in.Bytes(pos + kHeader, len);  // `header` is invalid from here on
        intact = body.size() == len && BodyChecksum(magic, body) == checksum &&
                 kBodyFixed + Get<std::uint32_t>(body.data() + 20) <= len;
      }
    }
    if (!intact && in.AllZerosFrom(pos)) break;  // the reserved space after the last record
    if (!intact) {  // torn or corrupt: go on at the next record that checks out
      const auto next = in.FindMagic(pos + 1);
      skipped += (next ? *next : pos + header_size) - pos;
      if (!next) break;
      pos = *next;
      continue;
    }
    InboxRecord r;
    r.seq = Get<std::int64_t>(body.data());
    r.arrival = FromMillis(Get<std::int64_t>(body.data() + 8));
    r.redelivered = (Get<std::uint32_t>(body.data() + 16) & kRedelivered) != 0;
    const auto topic_len = Get<std::uint32_t>(body.data() + 20);
    r.topic.assign(body.data() + kBodyFixed, topic_len);
    r.payload.assign(body.data() + kBodyFixed + topic_len, body.size() - kBodyFixed - topic_len);
    pos += kHeader + body.size();
    last_seq = std::max(last_seq, r.seq);
    Remember(MessageHash(r.topic, r.payload));
    if (r.seq > after_seq && !on_record(std::move(r))) return false;
  }
  if (skipped > 0) {
    log::Warn("skipped " + std::to_string(skipped) + " bytes of torn or corrupt records in " +
              path);
  }
  return true;
}

bool Inbox::Replay(std::int64_t after_seq, std::size_t max_batch_bytes,
                   std::size_t max_batch_records,
                   const std::function<bool(std::vector<InboxRecord>&&)>& apply) {
  std::map<std::int64_t, std::string> segments;
  {
    std::lock_guard lock(mu_);
    segments = segments_;
  }
  std::int64_t last_seq = after_seq;
  std::vector<InboxRecord> batch;
  std::size_t batch_bytes = 0;
  for (const auto& [first, path] : segments) {
    last_seq = std::max(last_seq, first);
    const bool read_all = ReadSegment(path, after_seq, last_seq, [&](InboxRecord&& r) {
      batch_bytes += r.bytes();
      batch.push_back(std::move(r));
      if (batch_bytes < max_batch_bytes && batch.size() < max_batch_records) return true;
      batch_bytes = 0;
      return apply(std::exchange(batch, {}));
    });
    if (!read_all) return false;
  }
  if (!batch.empty() && !apply(std::move(batch))) return false;
  std::lock_guard lock(mu_);
  // Past every record and every segment name, so the next segment is a fresh file.
  next_seq_ = last_seq + 1;
  replayed_ = true;
  return true;
}

void Inbox::OpenSegment(std::int64_t first_seq, std::size_t record_bytes) {
  CloseSegment();
  const auto path = dir_ + "/inbox-" + std::to_string(first_seq) + ".log";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0) Fail("cannot create " + path);
  map_bytes_ = std::max<std::size_t>(kSegmentBytes, record_bytes);
  void* map = ::mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (map == MAP_FAILED) {
    ::close(fd_);
    fd_ = -1;
    Fail("cannot map " + path);
  }
  map_ = static_cast<char*>(map);
  if (sync_ == Sync::kAlways) {
    const int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0 || ::fsync(dir_fd) != 0) Fail("cannot sync the inbox folder " + dir_);
    ::close(dir_fd);
  }
  segments_[first_seq] = path;
  segment_bytes_ = reserved_bytes_ = released_bytes_ = 0;
}

void Inbox::CloseSegment() {
  if (fd_ < 0) return;
  ::munmap(map_, map_bytes_);
  // Cut the reserved space off; if this fails, readers stop at its zeros all the same.
  [[maybe_unused]] const int cut = ::ftruncate(fd_, static_cast<off_t>(segment_bytes_));
  ::close(fd_);
  fd_ = -1;
  map_ = nullptr;
}

void Inbox::Reserve(std::size_t end) {
  if (end <= reserved_bytes_) return;
  // Blocks are allocated before they are written through the mapping: a full disk is an error
  // here (nothing acknowledged, the listener waits), never a SIGBUS at the copy.
  const auto reserved =
      std::min(map_bytes_, (end + kReserveBytes - 1) / kReserveBytes * kReserveBytes);
  if (const int err = ::posix_fallocate(fd_, static_cast<off_t>(reserved_bytes_),
                                        static_cast<off_t>(reserved - reserved_bytes_))) {
    errno = err;
    Fail("cannot append to the inbox");
  }
  // Mapped writable in one call rather than a page fault per page at the copies (Linux 5.14 and
  // later; elsewhere the faults happen as before).
  ::madvise(map_ + reserved_bytes_, reserved - reserved_bytes_, MADV_POPULATE_WRITE);
  reserved_bytes_ = reserved;
  // Written pages are in the page cache (and there until written back): out of this process's
  // resident memory with them, so a segment costs the listener no more memory than write() did.
  const auto written = PageStart(segment_bytes_);
  if (written > released_bytes_) {
    ::madvise(map_ + released_bytes_, written - released_bytes_, MADV_DONTNEED);
    released_bytes_ = written;
  }
}

void Inbox::Remember(std::uint64_t hash) {
  recent_[recent_next_] = hash | 1;  // never 0, which marks an empty slot
  recent_next_ = (recent_next_ + 1) % recent_.size();
}

InboxRecord Inbox::Append(Timestamp arrival, std::string_view topic, std::string_view payload,
                          bool dup_flag) {
  std::lock_guard lock(mu_);
  if (!replayed_) throw std::logic_error("Inbox::Replay must run before the first Append");
  const std::size_t body = kBodyFixed + topic.size() + payload.size();
  const std::size_t size = kHeader + body;
  if (fd_ < 0 || segment_bytes_ + size > map_bytes_) OpenSegment(next_seq_, size);
  Reserve(segment_bytes_ + size);
  const std::uint64_t hash = MessageHash(topic, payload);
  // Only a message with the DUP flag is looked for, so a scan of the few thousand recent hashes
  // costs nothing in the common case.
  const bool redelivered =
      dup_flag && std::find(recent_.begin(), recent_.end(), hash | 1) != recent_.end();
  // Copied into the page cache through the mapping: as durable as a write() (it survives the
  // process) without a system call.
  char* const record = map_ + segment_bytes_;
  char* p = Put<std::uint32_t>(record, kMagic);
  p = Put<std::uint32_t>(p, static_cast<std::uint32_t>(body));
  p += sizeof(std::uint64_t);  // checksum, filled in below
  p = Put<std::int64_t>(p, next_seq_);
  p = Put<std::int64_t>(p, ToMillis(arrival));
  p = Put<std::uint32_t>(p, redelivered ? kRedelivered : 0);
  p = Put<std::uint32_t>(p, static_cast<std::uint32_t>(topic.size()));
  p = std::copy(topic.begin(), topic.end(), p);
  std::copy(payload.begin(), payload.end(), p);
  Put<std::uint64_t>(record + 8, XXH3_64bits(record + kHeader, body));
  if (sync_ == Sync::kAlways) {
    const std::size_t from = PageStart(segment_bytes_);
    if (::msync(map_ + from, segment_bytes_ + size - from, MS_SYNC) != 0) {
      Fail("cannot sync the inbox");
    }
  }
  segment_bytes_ += size;
  Remember(hash);
  return InboxRecord{next_seq_++, arrival, std::string(topic), std::string(payload), redelivered};
}

void Inbox::Release(std::int64_t applied_seq) {
  std::lock_guard lock(mu_);
  // A segment can go when the next one starts at or before applied_seq + 1.
  for (auto it = segments_.begin(); it != segments_.end();) {
    const auto next = std::next(it);
    if (next == segments_.end() || next->first > applied_seq + 1) break;
    std::filesystem::remove(it->second);
    it = segments_.erase(it);
  }
}

std::uint64_t Inbox::HeldBytes() const {
  std::lock_guard lock(mu_);
  std::uint64_t bytes = segment_bytes_;  // the open segment's, whose file is allocated ahead
  for (auto it = segments_.begin(); it != segments_.end() && std::next(it) != segments_.end();
       ++it) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(it->second, ec);
    if (!ec) bytes += size;
  }
  return bytes;
}

void Inbox::MarkApplying(const ApplyingMark& mark) {
  std::string data;
  Put<std::uint32_t>(data, kMarkMagic);
  Put<std::int32_t>(data, mark.attempt);
  Put<std::int64_t>(data, mark.first);
  Put<std::int64_t>(data, mark.last);
  Put<std::uint64_t>(data, Fnv1a(data));
  std::lock_guard lock(mu_);
  if (::pwrite(applying_fd_, data.data(), data.size(), 0) != static_cast<ssize_t>(data.size())) {
    throw store::StorageFault("cannot write " + dir_ + "/applying: " + std::strerror(errno));
  }
}

std::optional<ApplyingMark> Inbox::Applying() const {
  char data[kMarkBytes];
  std::lock_guard lock(mu_);
  if (::pread(applying_fd_, data, kMarkBytes, 0) != static_cast<ssize_t>(kMarkBytes) ||
      Get<std::uint32_t>(data) != kMarkMagic ||
      Get<std::uint64_t>(data + 24) != Fnv1a(std::string_view(data, 24))) {
    return std::nullopt;
  }
  return ApplyingMark{Get<std::int64_t>(data + 8), Get<std::int64_t>(data + 16),
                      Get<std::int32_t>(data + 4)};
}

}  // namespace ems::listener
