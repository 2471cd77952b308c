// What every ingest handler shares. A handler uses the repositories of one payload family from
// the writer's Store (built once, statements prepared once), decodes a message with the pure
// codecs, applies it inside the writer's open transaction and says whether it stored something
// new. A Reject becomes a dead letter; handlers never begin transactions.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ems/domain/result.h"
#include "ems/mqtt/home_assistant.h"
#include "ems/store/ingest_repository.h"
#include "listener/inbox.h"

namespace ems::listener {

// Fault injection for the fault tests (tests/fault/crashing_listener.cpp); empty in ems-listener.
struct FaultHooks {
  std::function<void(const InboxRecord&)> after_append;  // Paho's thread, before the PUBACK
  std::function<void(const InboxRecord&)> before_apply;  // writer thread, before each record
  std::size_t max_queue_bytes = 0;  // a smaller queue than ListenerApp::kMaxQueueBytes, if set
};

struct IngestOptions {
  std::string prefix = "ems/v1";
  std::string default_currency = "EUR";
  std::string listener_id = "ems-listener";  // the inbox checkpoint's key
  std::chrono::seconds stale_after{30};      // EMS_STALE_AFTER_S
  int raw_retention_days = 90;               // EMS_RAW_RETENTION_DAYS
  // EMS_HA_DISCOVERY, EMS_HA_PREFIX: none when discovery is off.
  std::optional<mqtt::HaSettings> home_assistant = mqtt::HaSettings{};
  // EMS_LISTENER_SHARED: other listeners store the same sites, so derived state is read from the
  // store each time and settled after a site goes quiet (listener/derived/derived.h).
  bool shared = false;
  FaultHooks faults;
};

enum class Outcome { kStored, kDuplicate };

// What a batch changed, for the derived-state publishers that run after the commit.
struct BatchEffects {
  std::set<std::string> sites;         // sites whose devices, telemetry or sessions changed
  std::set<std::string> devices;       // devices whose telemetry, state or meta changed
  std::set<std::string> tariff_sites;  // sites whose tariff changed
  std::vector<Timestamp> readings;     // the ts of each telemetry message stored (ingest latency)
  store::IngestCounts counts;          // of this batch
};

}  // namespace ems::listener
