#include "listener/inbox.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace ems::listener {
namespace {

// Record: u32 body length | u64 checksum of body | body
// body:   i64 seq | i64 arrival ms | u32 topic length | topic | payload
constexpr std::size_t kHeader = 4 + 8;

std::uint64_t Checksum(const char* data, std::size_t n) {  // FNV-1a, enough to spot torn tails
  std::uint64_t h = 1469598103934665603ull;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 1099511628211ull;
  }
  return h;
}

template <class T>
void Put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <class T>
T Get(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

[[noreturn]] void Fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

}  // namespace

Inbox::Inbox(std::string dir) : dir_(std::move(dir)) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw std::runtime_error("cannot create the inbox folder " + dir_ + ": " + ec.message());
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    const auto name = entry.path().filename().string();
    if (name.rfind("inbox-", 0) != 0 || entry.path().extension() != ".log") continue;
    segments_[std::stoll(name.substr(6))] = entry.path().string();
  }
}

Inbox::~Inbox() {
  if (fd_ >= 0) ::close(fd_);
}

std::vector<InboxRecord> Inbox::ReadAfter(std::int64_t after_seq) {
  std::lock_guard lock(mu_);
  std::vector<InboxRecord> out;
  std::int64_t last_seq = after_seq;
  for (const auto& [first, path] : segments_) {
    std::ifstream in(path, std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t pos = 0;
    while (pos + kHeader <= data.size()) {
      const auto len = Get<std::uint32_t>(data.data() + pos);
      if (len < 20 || pos + kHeader + len > data.size()) break;
      const char* body = data.data() + pos + kHeader;
      if (Get<std::uint64_t>(data.data() + pos + 4) != Checksum(body, len)) break;
      const auto seq = Get<std::int64_t>(body);
      const auto topic_len = Get<std::uint32_t>(body + 16);
      if (20 + topic_len > len) break;
      if (seq > after_seq) {
        out.push_back(InboxRecord{seq, FromMillis(Get<std::int64_t>(body + 8)),
                                  std::string(body + 20, topic_len),
                                  std::string(body + 20 + topic_len, len - 20 - topic_len)});
      }
      last_seq = std::max(last_seq, seq);
      pos += kHeader + len;
    }
  }
  next_seq_ = last_seq + 1;
  return out;
}

void Inbox::OpenSegment(std::int64_t first_seq) {
  if (fd_ >= 0) ::close(fd_);
  const auto path = dir_ + "/inbox-" + std::to_string(first_seq) + ".log";
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) Fail("cannot open " + path);
  segments_[first_seq] = path;
  segment_bytes_ = 0;
}

std::int64_t Inbox::Append(Timestamp arrival, const std::string& topic,
                           const std::string& payload) {
  std::lock_guard lock(mu_);
  if (fd_ < 0 || segment_bytes_ >= kSegmentBytes) OpenSegment(next_seq_);
  const std::int64_t seq = next_seq_;
  std::string body;
  body.reserve(20 + topic.size() + payload.size());
  Put<std::int64_t>(body, seq);
  Put<std::int64_t>(body, ToMillis(arrival));
  Put<std::uint32_t>(body, static_cast<std::uint32_t>(topic.size()));
  body += topic;
  body += payload;
  std::string record;
  record.reserve(kHeader + body.size());
  Put<std::uint32_t>(record, static_cast<std::uint32_t>(body.size()));
  Put<std::uint64_t>(record, Checksum(body.data(), body.size()));
  record += body;
  std::size_t written = 0;
  while (written < record.size()) {
    const auto n = ::write(fd_, record.data() + written, record.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      Fail("cannot append to the inbox");
    }
    written += static_cast<std::size_t>(n);
  }
  segment_bytes_ += static_cast<std::int64_t>(record.size());
  ++next_seq_;
  return seq;
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

}  // namespace ems::listener
