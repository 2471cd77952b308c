// One line per event on stderr: "<UTC time> <LEVEL> <service>: <message>". Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace ems::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Returns false for an unknown level name.
bool Init(std::string service, std::string_view level);

void Write(Level level, std::string_view message);
inline void Debug(std::string_view m) { Write(Level::kDebug, m); }
inline void Info(std::string_view m) { Write(Level::kInfo, m); }
inline void Warn(std::string_view m) { Write(Level::kWarn, m); }
inline void Error(std::string_view m) { Write(Level::kError, m); }

// Logs at warn at most once per `period` for each `key` (e.g. a dead-letter reason), adding how
// many were suppressed since the last line.
void WarnThrottled(const std::string& key, std::string_view message,
                   std::chrono::seconds period = std::chrono::seconds(60));

}  // namespace ems::log
