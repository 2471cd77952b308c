// EV charging schedules as derived state (docs/contract.md §6.6, §4.3): after each committed batch,
// recomputes the schedule of every EV the batch touched and publishes its view retained on
// `{p}/sites/{site}/devices/{ev}/schedule`.
//
// Which EVs: every `ev` device in effects.devices (its soc, at_home, state or meta changed;
// other device types are skipped), plus every EV with a planned schedule on a site in
// effects.tariff_sites. For each it:
//   - ends a running override when the EV is away (ApplyAtHome(false): "going away ends the
//     override");
//   - re-plans a planned schedule (PlanCharging from the stored soc, goal, pause and the site's
//     stored tariff, with `now`) and stores the plan;
//   - publishes ViewSchedule as EncodeScheduleView — the same body GET
//     /api/v1/devices/{ev}/charging-schedule answers.
// EVs without a stored schedule publish the default view (manual, no slots), so the topic
// exists for every EV whose soc is reported.
//
// The reads and writes of one call run in one write transaction; publishing happens only
// after it committed. A payload identical to the last one this publisher sent for the same EV
// is not sent again (most telemetry changes nothing a subscriber sees). Storage failures are
// logged and swallowed: the batch is already committed and the next change recomputes.
//
// EV inputs, as the API reads them: soc = latest `soc_pct` / 100 clamped to 0–1 (0 when never
// reported); at home = device state `at_home` (true when never reported).
//
// With options.shared, an EV settles kSettle after its last recomputation here (derived.h): Tick
// recomputes and publishes it once more.
//
// Writer thread only, with the writer's Store (see derived.h).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "listener/derived/derived.h"

namespace ems::listener {

class ScheduleDerivedPublisher : public DerivedPublisher {
 public:
  ScheduleDerivedPublisher(store::Store& store, const IngestOptions& options, PublishFn publish);

  void AfterCommit(const BatchEffects& effects, Timestamp now) override;
  void Tick(Timestamp now) override;

 private:
  // Recomputes `targets` (EVs among devices) in one write transaction and publishes each view
  // that differs from the last one sent, or every view when `settle`.
  void RecomputeAll(const std::set<std::string>& targets, Timestamp now, bool settle);
  struct Publication {
    std::string device_id;
    std::string topic;
    std::string payload;
  };
  // Recomputes and stores one device's schedule; nothing when it is not an EV (or is gone).
  std::optional<Publication> Recompute(const std::string& device_id, Timestamp now);

  store::Store& store_;
  std::string prefix_;
  PublishFn publish_;
  std::unordered_map<std::string, std::string> last_payload_;  // device id → last sent
  bool shared_;
  std::map<std::string, Timestamp> settle_at_;  // shared: EV → when to publish it once more
};

}  // namespace ems::listener
