#include "listener/derived/schedule_publisher.h"

#include <algorithm>
#include <set>

#include "ems/codec/schedule_codec.h"
#include "ems/mqtt/topics.h"
#include "ems/store/ev_loader.h"
#include "ems/util/log.h"

namespace ems::listener {

ScheduleDerivedPublisher::ScheduleDerivedPublisher(store::Store& store,
                                                   const IngestOptions& options, PublishFn publish)
    : store_(store),
      prefix_(options.prefix),
      publish_(std::move(publish)),
      shared_(options.shared) {}

void ScheduleDerivedPublisher::AfterCommit(const BatchEffects& effects, Timestamp now) {
  if (effects.devices.empty() && effects.tariff_sites.empty()) return;
  std::set<std::string> targets(effects.devices.begin(), effects.devices.end());
  try {
    for (const auto& site : effects.tariff_sites) {
      for (auto& ev : store_.Schedules().PlannedDevicesOfSite(site)) targets.insert(std::move(ev));
    }
  } catch (const std::exception& e) {
    log::WarnThrottled("schedule-recompute",
                       std::string("cannot recompute charging schedules: ") + e.what());
    return;
  }
  RecomputeAll(targets, now, false);
}

void ScheduleDerivedPublisher::Tick(Timestamp now) {
  std::set<std::string> due;
  for (auto it = settle_at_.begin(); it != settle_at_.end();) {
    if (it->second > now) {
      ++it;
      continue;
    }
    due.insert(it->first);
    it = settle_at_.erase(it);
  }
  if (!due.empty()) RecomputeAll(due, now, true);
}

void ScheduleDerivedPublisher::RecomputeAll(const std::set<std::string>& targets, Timestamp now,
                                            bool settle) {
  std::vector<Publication> out;
  try {
    auto tx = store_.Begin(store::TxMode::kWrite);
    for (const auto& device_id : targets) {
      if (auto p = Recompute(device_id, now)) out.push_back(std::move(*p));
    }
    tx.Commit();
  } catch (const std::exception& e) {
    log::WarnThrottled("schedule-recompute",
                       std::string("cannot recompute charging schedules: ") + e.what());
    return;
  }
  for (auto& p : out) {
    if (shared_ && !settle) settle_at_[p.device_id] = now + kSettle;
    auto& last = last_payload_[p.device_id];
    if (last == p.payload && !settle) continue;
    publish_(p.topic, p.payload);
    last = std::move(p.payload);
  }
}

std::optional<ScheduleDerivedPublisher::Publication> ScheduleDerivedPublisher::Recompute(
    const std::string& device_id, Timestamp now) {
  // Most devices a batch touches are not EVs: their type is one indexed lookup, no JSON.
  const auto context = store_.Devices().Context(device_id);
  if (!context || context->type != DeviceType::kEv) return std::nullopt;
  auto ev = store::LoadEv(store_, device_id, store::Visibility::All(), now);
  if (!ev) return std::nullopt;

  auto& schedules = store_.Schedules();
  ChargingSchedule schedule = schedules.Get(device_id).value_or(ChargingSchedule{});
  if (!ev->state.is_at_home && schedule.override_window) {
    schedule = ApplyAtHome(std::move(schedule), false);
    schedules.SetOverride(device_id, std::nullopt, now);
  }
  if (ModeOf(schedule) == ScheduleMode::kPlanned) {
    const auto tariff = store_.Tariffs().Get(ev->device.site_id, now, Timestamp::max());
    schedule = Replan(std::move(schedule), ev->state, ev->params, tariff ? &*tariff : nullptr, now,
                      store_.Sites().Timezone(ev->device.site_id).value_or("UTC"));
    if (schedule.goal && schedule.plan) {
      schedules.PutPlan(device_id, *schedule.goal, *schedule.plan, now);
    }
  }
  const auto view = ViewSchedule(device_id, schedule, ev->state, ev->params, now);
  return Publication{device_id, mqtt::ScheduleTopic(prefix_, ev->device.site_id, device_id),
                     codec::EncodeScheduleView(view).dump()};
}

}  // namespace ems::listener
