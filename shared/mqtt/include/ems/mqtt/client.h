// Paho MQTT client set-up shared by the three services (docs/contract.md §4.4): MQTT 3.1.1 with a
// fixed client id and clean_session off (the broker keeps the persistent session across restarts),
// automatic reconnect, a retained last will "offline" on {p}/status/{service}, "online"
// published retained on every (re)connect, credentials and TLS from the settings.
//
// MQTT 3.1.1 rather than 5 on purpose: Paho C++ 1.2.0 leaves MQTT 5 connect properties (session
// expiry) dangling when options are copied, and without session expiry an MQTT 5 session dies
// at disconnect.
#pragma once

#include <mqtt/async_client.h>

#include <atomic>
#include <memory>
#include <string>

#include "ems/config/settings.h"
#include "ems/mqtt/outbox.h"

namespace ems::mqtt {

struct ConnectionSettings {
  std::string uri;  // Paho form: tcp://host:port or ssl://host:port
  std::string ca_file;
  std::string username;
  std::string password;
  std::string client_id;
  std::string prefix;
  std::string service;  // "publisher", "listener", "api": the status topic's last level
};

// Reads EMS_MQTT_* and EMS_TOPIC_PREFIX; throws config::ConfigError for an unparsable URL or a
// mqtts:// URL whose CA file is missing.
ConnectionSettings ConnectionFromSettings(const config::Settings& settings, std::string service);

// Translates mqtt:// and mqtts:// (also tcp://, ssl://) to Paho's form; empty when unparsable.
std::string PahoUri(const std::string& url);

// Paho C keeps an in-memory trace of every function entry and protocol packet (each formatted
// with vsnprintf under a process-wide mutex) even when nothing reads it: a fifth of its receive
// thread's time per message here (BENCHMARKS.md). This keeps only errors, unless Paho's own trace
// is asked for (MQTT_C_CLIENT_TRACE, Paho's variable for debugging). Process-wide; MakeClient
// calls it.
void QuietPahoTrace();

// A client that buffers up to `max_buffered` messages while disconnected (also before the first
// connection). `persist_dir` empty = in-memory only; otherwise Paho file persistence there, so
// buffered and in-flight messages survive a restart of the process.
std::unique_ptr<::mqtt::async_client> MakeClient(const ConnectionSettings& cs,
                                                 const std::string& persist_dir, int max_buffered);

// Connects, retrying every second until connected or `stop` becomes true (returns false then).
// Installs a connected handler that publishes "online" on the status topic through `outbox`
// after every (re)connect; call BeforeConnect hooks (subscriptions) through `on_connected` — it
// runs on Paho's thread and must not block on Paho calls.
bool ConnectWithRetry(::mqtt::async_client& client, const ConnectionSettings& cs, Outbox& outbox,
                      const std::atomic<bool>& stop, std::function<void()> on_connected = nullptr);

// Publishes "offline" (retained) through `outbox` and disconnects, waiting up to a few seconds.
void DisconnectCleanly(::mqtt::async_client& client, const ConnectionSettings& cs, Outbox& outbox);

}  // namespace ems::mqtt
