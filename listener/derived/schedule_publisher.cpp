#include "listener/derived/schedule_publisher.h"

#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <set>

#include "ems/codec/schedule_codec.h"
#include "ems/mqtt/topics.h"
#include "ems/store/ev_loader.h"
#include "ems/util/log.h"

namespace ems::listener {

ScheduleDerivedPublisher::ScheduleDerivedPublisher(SQLite::Database& db,
                                                   const IngestOptions& options, PublishFn publish)
    : db_(db),
      prefix_(options.prefix),
      publish_(std::move(publish)),
      devices_(db),
      telemetry_(db),
      schedules_(db) {}

void ScheduleDerivedPublisher::AfterCommit(const BatchEffects& effects, Timestamp now) {
  if (effects.devices.empty() && effects.tariff_sites.empty()) return;
  std::vector<Publication> out;
  try {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    std::set<std::string> targets(effects.devices.begin(), effects.devices.end());
    for (const auto& site : effects.tariff_sites) {
      for (auto& ev : schedules_.PlannedDevicesOfSite(site)) targets.insert(std::move(ev));
    }
    for (const auto& device_id : targets) {
      if (auto p = Recompute(device_id, now)) out.push_back(std::move(*p));
    }
    tx.commit();
  } catch (const std::exception& e) {
    log::WarnThrottled("schedule-recompute",
                       std::string("cannot recompute charging schedules: ") + e.what());
    return;
  }
  for (auto& p : out) {
    auto& last = last_payload_[p.device_id];
    if (last == p.payload) continue;
    publish_(p.topic, p.payload);
    last = std::move(p.payload);
  }
}

std::optional<ScheduleDerivedPublisher::Publication> ScheduleDerivedPublisher::Recompute(
    const std::string& device_id, Timestamp now) {
  // Most devices a batch touches are not EVs: their type is one indexed lookup, no JSON.
  const auto context = devices_.Context(device_id);
  if (!context || context->type != DeviceType::kEv) return std::nullopt;
  auto ev = store::LoadEv(devices_, telemetry_, device_id);
  if (!ev) return std::nullopt;

  ChargingSchedule schedule = schedules_.Get(device_id).value_or(ChargingSchedule{});
  if (!ev->state.is_at_home && schedule.override_window) {
    schedule = ApplyAtHome(std::move(schedule), false);
    schedules_.SetOverride(device_id, std::nullopt, now);
  }
  if (schedule.goal) {
    const auto tariff = schedules_.GetTariff(ev->device.site_id);
    schedule = Replan(std::move(schedule), ev->state, ev->params, tariff ? &*tariff : nullptr, now);
    schedules_.PutPlan(device_id, *schedule.plan, now);
  }
  const auto view = ViewSchedule(device_id, schedule, ev->state, ev->params, now);
  return Publication{device_id, mqtt::ScheduleTopic(prefix_, ev->device.site_id, device_id),
                     codec::EncodeScheduleView(view).dump()};
}

}  // namespace ems::listener
