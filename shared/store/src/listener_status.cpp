#include "ems/store/listener_status.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "ems/codec/json_fields.h"
#include "ems/util/log.h"

namespace ems::store {
namespace {

constexpr std::size_t kFileBytes = 4096;
constexpr std::string_view kPrefix = "listener-", kSuffix = ".status";

std::filesystem::path Folder(const std::string& db_path) {
  const auto parent = std::filesystem::path(db_path).parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

std::optional<Timestamp> OptionalTime(const codec::Json& doc, std::string_view field) {
  const auto t = codec::OptionalTimestamp(doc, field, ErrorCode::kInvalidJson);
  return t ? *t : std::nullopt;
}

}  // namespace

ListenerStatusFile::ListenerStatusFile(const std::string& db_path, const std::string& listener)
    : path_((Folder(db_path) / (std::string(kPrefix) + listener + std::string(kSuffix))).string()) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0 || ::posix_fallocate(fd_, 0, kFileBytes) != 0) {
    throw std::runtime_error("cannot create the listener status file " + path_ + ": " +
                             std::strerror(errno));
  }
}

ListenerStatusFile::~ListenerStatusFile() {
  if (fd_ >= 0) ::close(fd_);
}

void ListenerStatusFile::Write(const ListenerStatus& s) {
  codec::Json doc = {{"listener", s.listener},
                     {"updated_at", FormatTimestamp(s.updated_at)},
                     {"queue_messages", s.queue_messages},
                     {"queue_bytes", s.queue_bytes}};
  if (s.storage_error_since) {
    doc["storage_error_since"] = FormatTimestamp(*s.storage_error_since);
    doc["storage_error"] = s.storage_error.substr(0, 1000);
  }
  auto text = doc.dump(-1, ' ', false, codec::Json::error_handler_t::replace);
  text.resize(kFileBytes, ' ');  // JSON allows trailing blanks; the file keeps its size
  if (::pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    log::WarnThrottled("status-file", "cannot write " + path_ + ": " + std::strerror(errno));
  }
}

std::vector<ListenerStatus> ReadListenerStatuses(const std::string& db_path) {
  std::vector<ListenerStatus> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(Folder(db_path), ec)) {
    const auto name = entry.path().filename().string();
    if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const auto doc = codec::ParseObject(text.str(), kFileBytes);
    if (!doc) continue;
    try {
      ListenerStatus s;
      s.listener = doc->value("listener", "");
      const auto updated = OptionalTime(*doc, "updated_at");
      if (s.listener.empty() || !updated) continue;
      s.updated_at = *updated;
      s.storage_error_since = OptionalTime(*doc, "storage_error_since");
      s.storage_error = doc->value("storage_error", "");
      s.queue_messages = doc->value("queue_messages", std::int64_t{0});
      s.queue_bytes = doc->value("queue_bytes", std::int64_t{0});
      out.push_back(std::move(s));
    } catch (const codec::Json::exception&) {
      continue;  // a file of another shape: not ours to report
    }
  }
  std::sort(out.begin(), out.end(), [](const ListenerStatus& a, const ListenerStatus& b) {
    return a.listener < b.listener;
  });
  return out;
}

}  // namespace ems::store
