// EV charging schedules (docs/contract.md §6.6): read the schedule of an EV, replace it (manual
// slots or a planned goal), pause / resume / override it, and set whether the EV is at home.
//
// Every change runs as one write transaction (read-modify-write), re-plans a planned schedule at
// once from the site's stored tariff (as the listener does when soc, at_home or the tariff
// change), and after the commit publishes the new view retained on
// `{p}/sites/{site}/devices/{ev}/schedule`, the same body the answer carries.
//
// EV inputs, as the listener's schedule publisher reads them: soc = latest `soc_pct` / 100
// clamped to 0–1 (0 when never reported); at home = device state `at_home` (true when never
// reported). A device the caller may not see answers 404 like an unknown one; a device that is
// not an `ev` answers 404 "Device x is not an EV." (it has no charging schedule).
//
// Who: every user of the EV's site reads and operates its schedule (SiteAction::kOperateEvs):
// viewers and technicians are the site's households and drivers (docs/contract.md §5).
#include <functional>

#include "api/routes/ev_commands.h"
#include "api/routes/lookup.h"
#include "api/routes/routes.h"
#include "ems/codec/schedule_codec.h"
#include "ems/domain/charging_schedule.h"
#include "ems/mqtt/topics.h"
#include "ems/store/ev_loader.h"

namespace ems::api {
namespace {

constexpr const char* kScheduleRoute = R"(/api/v1/devices/([^/]+)/charging-schedule)";

using Ev = store::StoredEv;

ChargingSchedule Replan(ChargingSchedule schedule, const Ev& ev, store::Store& store,
                        Timestamp now) {
  if (ModeOf(schedule) == ScheduleMode::kManual) return schedule;
  const auto tariff = store.Tariffs().Get(ev.device.site_id, now, Timestamp::max());
  return ems::Replan(std::move(schedule), ev.state, ev.params, tariff ? &*tariff : nullptr, now,
                     store.Sites().Timezone(ev.device.site_id).value_or("UTC"));
}

Json View(const Ev& ev, const ChargingSchedule& schedule, Timestamp now) {
  return codec::EncodeScheduleView(ViewSchedule(ev.device.id, schedule, ev.state, ev.params, now));
}

// A schedule change: gets the EV and its stored schedule (default when none) and returns the new
// one, or fails (the transaction then rolls back). The result is re-planned, stored, published
// and returned as the view.
using Change = std::function<ChargingSchedule(const Ev& ev, ChargingSchedule schedule,
                                              Timestamp now, store::Store& store)>;

Json ApplyChange(ApiContext& ctx, const Principal& caller, const std::string& id,
                 const Change& change) {
  auto& store = ctx.Store();
  const auto now = Now();
  auto [view, topic] = ChangeVisible(
      store, caller, SiteAction::kOperateEvs, [&] { return VisibleEv(store, id, caller); },
      [&](const Ev& ev) {
        auto schedule =
            change(ev, store.Schedules().Get(id).value_or(ChargingSchedule{}), now, store);
        schedule = Replan(std::move(schedule), ev, store, now);
        store.Schedules().Put(id, schedule, now);
        return std::pair{View(ev, schedule, now),
                         mqtt::ScheduleTopic(ctx.topic_prefix, ev.device.site_id, id)};
      });
  ctx.publish_retained(topic, view.dump());
  return view;
}

void GetSchedule(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                 const Principal& caller) {
  const auto id = PathId(req, 1);
  auto& store = ctx.Store();
  const auto now = Now();
  SendJson(res, 200,
           ReadVisible(
               store, [&] { return VisibleEv(store, id, caller); },
               [&](const Ev& ev) {
                 return View(ev, store.Schedules().Get(id).value_or(ChargingSchedule{}), now);
               }));
}

void PutSchedule(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                 const Principal& caller) {
  SendJson(res, 200,
           ApplyChange(ctx, caller, PathId(req, 1),
                       [&req](const Ev&, ChargingSchedule schedule, Timestamp, store::Store&) {
                         const auto request =
                             ValueOrFail(codec::DecodeScheduleRequestJson(BodyObject(req)));
                         return ApplyScheduleRequest(std::move(schedule), request);
                       }));
}

template <EvCommand command>
void CommandRoute(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller) {
  SendJson(res, 200, RunEvCommand(ctx, caller, PathId(req, 1), command));
}

// PUT /devices/{ev}/state: sets only `at_home` in the stored device state (other keys, such as
// `mode`, stay); going away ends a running override. Answers {"device_id", "is_at_home",
// "state"} and publishes the EV's schedule view. Telemetry `state.at_home` reports presence too;
// the later write wins.
void PutAtHome(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
               const Principal& caller) {
  const auto id = PathId(req, 1);
  VisibleEv(ctx.Store(), id, caller);  // an unknown or hidden EV is a 404 before its body is read
  const bool at_home =
      ValueOrFail(codec::RequiredBool(BodyObject(req), "is_at_home", ErrorCode::kInvalidState));
  SendJson(res, 200, SetEvAtHome(ctx, caller, id, at_home));
}

}  // namespace

Json RunEvCommand(ApiContext& ctx, const Principal& caller, const std::string& id,
                  EvCommand command) {
  return ApplyChange(
      ctx, caller, id,
      [command](const Ev& ev, ChargingSchedule schedule, Timestamp now, store::Store& store) {
        switch (command) {
          case EvCommand::kPause:
            return Pause(std::move(schedule), now,
                         store.Sites().Timezone(ev.device.site_id).value_or("UTC"));
          case EvCommand::kResume:
            return Resume(std::move(schedule));
          case EvCommand::kOverride:
            break;
        }
        // kConflict (409) when the EV is away.
        return ValueOrFail(StartOverride(std::move(schedule), now, ev.state.is_at_home));
      });
}

Json SetEvAtHome(ApiContext& ctx, const Principal& caller, const std::string& id, bool at_home) {
  auto& store = ctx.Store();
  const auto now = Now();
  auto [answer, view, topic] = ChangeVisible(
      store, caller, SiteAction::kOperateEvs, [&] { return VisibleEv(store, id, caller); },
      [&](Ev ev) {
        store.Devices().SetAtHome(id, at_home);
        if (!ev.device.state.is_object()) ev.device.state = Json::object();
        ev.device.state["at_home"] = at_home;
        ev.state.is_at_home = at_home;
        const auto stored = store.Schedules().Get(id);
        auto schedule = ApplyAtHome(stored.value_or(ChargingSchedule{}), at_home);
        schedule = Replan(std::move(schedule), ev, store, now);
        if (stored) store.Schedules().Put(id, schedule, now);  // an EV without one gets none
        return std::tuple{
            Json{{"device_id", id}, {"is_at_home", at_home}, {"state", ev.device.state}},
            View(ev, schedule, now), mqtt::ScheduleTopic(ctx.topic_prefix, ev.device.site_id, id)};
      });
  ctx.publish_retained(topic, view.dump());
  return answer;
}

void RegisterScheduleRoutes(Router& router) {
  const std::string route = kScheduleRoute;
  router.Get(route, Access::kAnyUser, GetSchedule);
  router.Put(route, Access::kAnyUser, PutSchedule);
  router.Post(route + "/pause", Access::kAnyUser, CommandRoute<EvCommand::kPause>);
  router.Post(route + "/resume", Access::kAnyUser, CommandRoute<EvCommand::kResume>);
  router.Post(route + "/override", Access::kAnyUser, CommandRoute<EvCommand::kOverride>);
  router.Put(R"(/api/v1/devices/([^/]+)/state)", Access::kAnyUser, PutAtHome);
}

}  // namespace ems::api
