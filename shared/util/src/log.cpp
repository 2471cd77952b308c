#include "ems/util/log.h"

#include <cstdio>
#include <map>
#include <mutex>

#include "ems/domain/time.h"

namespace ems::log {
namespace {

std::mutex mu;
std::string service_name = "ems";
Level min_level = Level::kInfo;

struct Throttle {
  std::chrono::steady_clock::time_point last;
  long suppressed = 0;
};
std::map<std::string, Throttle> throttles;

const char* Name(Level l) {
  switch (l) {
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO";
    case Level::kWarn:
      return "WARN";
    case Level::kError:
      return "ERROR";
  }
  return "INFO";
}

void WriteLocked(Level level, std::string_view message) {
  const auto line = FormatTimestamp(Now()) + " " + Name(level) + " " + service_name + ": " +
                    std::string(message) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

bool Init(std::string service, std::string_view level) {
  std::lock_guard lock(mu);
  service_name = std::move(service);
  if (level == "debug") {
    min_level = Level::kDebug;
  } else if (level == "info") {
    min_level = Level::kInfo;
  } else if (level == "warn") {
    min_level = Level::kWarn;
  } else if (level == "error") {
    min_level = Level::kError;
  } else {
    return false;
  }
  return true;
}

void Write(Level level, std::string_view message) {
  std::lock_guard lock(mu);
  if (level < min_level) return;
  WriteLocked(level, message);
}

void WarnThrottled(const std::string& key, std::string_view message, std::chrono::seconds period) {
  std::lock_guard lock(mu);
  if (Level::kWarn < min_level) return;
  const auto now = std::chrono::steady_clock::now();
  auto [it, fresh] = throttles.try_emplace(key);
  if (!fresh && now - it->second.last < period) {
    ++it->second.suppressed;
    return;
  }
  std::string line(message);
  if (it->second.suppressed > 0) {
    line += " (" + std::to_string(it->second.suppressed) + " more like this since the last line)";
  }
  it->second = Throttle{now, 0};
  WriteLocked(Level::kWarn, line);
}

}  // namespace ems::log
