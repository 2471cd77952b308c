// Home Assistant discovery as derived state (docs/contract.md §4.6, ems/mqtt/home_assistant.h): the
// retained configs of every device's metrics with a known unit and energy counters, and of every
// site's energy figures, built from what is stored.
//
// Which metrics: those the device's type reports (TypicalMetrics) and any other it has reported
// (its stored latest values), when their unit is known.
//
// When: every device a batch touched is checked at most once a minute (kRecheck): a new metric,
// a new name or a device created since shows within a minute of its next message. At
// construction, and when Home Assistant announces `online` on its status topic (Republish),
// every stored device is checked and every config published again. A config identical to the
// last one sent is not sent again within kResend. A deleted device or site publishes nothing: the
// API clears its configs. The listener does not see that, so a site deleted and created again
// under the same id gets its configs back within kResend, its devices' at once (a device gone at
// its check has its configs forgotten).
//
// Writer thread only, with the writer's Store (see derived.h).
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>

#include "ems/mqtt/home_assistant.h"
#include "listener/derived/derived.h"

namespace ems::listener {

class HomeAssistantPublisher : public DerivedPublisher {
 public:
  static constexpr std::chrono::seconds kRecheck{60};  // per device
  static constexpr std::chrono::hours kResend{1};      // an unchanged config, at most

  // options.home_assistant must be set.
  HomeAssistantPublisher(store::Store& store, const IngestOptions& options, PublishFn publish);

  void AfterCommit(const BatchEffects& effects, Timestamp now) override;
  void Tick(Timestamp now) override;
  void Republish(Timestamp now) override;

 private:
  // Every stored device becomes due for a check now.
  void CheckAll();
  // Publishes the configs of one device (and of its site) that differ from what was sent.
  void Check(const std::string& device_id, Timestamp now);
  void Send(const mqtt::HaConfig& config, Timestamp now);

  store::Store& store_;
  mqtt::HaSettings settings_;
  PublishFn publish_;
  std::set<std::string> pending_;                // devices to check
  std::string cursor_;                           // where the last Tick stopped (VisitWithinBudget)
  std::map<std::string, Timestamp> checked_at_;  // device → its last check
  struct Sent {
    std::string payload;
    Timestamp at;
  };
  std::map<std::string, Sent> sent_;  // config topic → last payload sent
};

}  // namespace ems::listener
