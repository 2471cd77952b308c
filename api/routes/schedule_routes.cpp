// EV charging schedules (SPEC §6.6): read the schedule of an EV, replace it (manual slots or a
// planned goal), pause / resume / override it, and set whether the EV is at home.
//
// Every change runs as one BEGIN IMMEDIATE read-modify-write, re-plans a planned schedule at
// once from the site's stored tariff (as the listener does when soc, at_home or the tariff
// change), and after the commit publishes the new view retained on
// `{p}/sites/{site}/devices/{ev}/schedule`, the same body the answer carries.
//
// EV inputs, as the listener's schedule publisher reads them: soc = latest `soc_pct` / 100
// clamped to 0–1 (0 when never reported); at home = device state `at_home` (true when never
// reported). A device the caller may not see answers 404 like an unknown one; a device that is
// not an `ev` answers 404 "Device x is not an EV." (it has no charging schedule).
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <functional>

#include "api/routes/routes.h"
#include "ems/codec/schedule_codec.h"
#include "ems/domain/charging_schedule.h"
#include "ems/domain/device.h"
#include "ems/mqtt/topics.h"
#include "ems/store/device_repository.h"
#include "ems/store/ev_loader.h"
#include "ems/store/schedule_repository.h"
#include "ems/store/telemetry_repository.h"

namespace ems::api {
namespace {

constexpr const char* kScheduleRoute = R"(/api/v1/devices/([^/]+)/charging-schedule)";

using Ev = store::StoredEv;

// The visible `ev` device `id` with its soc and presence; HttpError 404 otherwise.
Ev LoadEv(SQLite::Database& db, const std::string& id, const Principal& p) {
  store::DeviceRepository devices(db);
  store::TelemetryRepository telemetry(db);
  auto ev = store::LoadEv(devices, telemetry, id);
  if (!ev || !p.CanSee(ev->device.site_id)) {
    throw HttpError{404, ev ? "Device " + id + " not found." : ev.error().message};
  }
  return std::move(*ev);
}

ChargingSchedule Replan(ChargingSchedule schedule, const Ev& ev, store::ScheduleRepository& repo,
                        Timestamp now) {
  if (!schedule.goal) return schedule;
  const auto tariff = repo.GetTariff(ev.device.site_id);
  return ems::Replan(std::move(schedule), ev.state, ev.params, tariff ? &*tariff : nullptr, now);
}

Json View(const Ev& ev, const ChargingSchedule& schedule, Timestamp now) {
  return codec::EncodeScheduleView(ViewSchedule(ev.device.id, schedule, ev.state, ev.params, now));
}

// A schedule change: `change` gets the EV and its stored schedule (default when none) and
// returns the new one, or throws HttpError (the transaction then rolls back). The result is
// re-planned, stored, published and answered.
using Change = std::function<ChargingSchedule(Ev& ev, ChargingSchedule schedule, Timestamp now,
                                              SQLite::Database& db)>;

void ApplyChange(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                 const Principal& p, const Change& change) {
  const auto id = PathId(req, 1);
  auto& db = ctx.Db();
  const auto now = Now();
  Json view;
  std::string topic;
  {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto ev = LoadEv(db, id, p);
    store::ScheduleRepository schedules(db);
    auto schedule = change(ev, schedules.Get(id).value_or(ChargingSchedule{}), now, db);
    schedule = Replan(std::move(schedule), ev, schedules, now);
    schedules.Put(id, schedule, now);
    tx.commit();
    view = View(ev, schedule, now);
    topic = mqtt::ScheduleTopic(ctx.topic_prefix, ev.device.site_id, id);
  }
  ctx.publish_retained(topic, view.dump());
  SendJson(res, 200, view);
}

// PUT /devices/{ev}/state: sets only `at_home` in the stored device state (other keys, such as
// `mode`, stay); going away ends a running override. Answers {"device_id", "is_at_home",
// "state"} and publishes the EV's schedule view.
void PutAtHome(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
               const Principal& p) {
  const auto id = PathId(req, 1);
  auto& db = ctx.Db();
  const auto now = Now();
  Json answer, view;
  std::string topic;
  {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto ev = LoadEv(db, id, p);
    const auto body = BodyObject(req);
    const auto at_home = codec::RequiredBool(body, "is_at_home", "invalid_state");
    if (!at_home) ThrowReject(at_home.error());
    // The device repository has no single-key state update; json_set keeps the other keys.
    SQLite::Statement update(db,
                             "UPDATE devices SET state = json_set(CASE WHEN json_type(state) = "
                             "'object' THEN state ELSE '{}' END, '$.at_home', json(?)) "
                             "WHERE id = ?");
    update.bind(1, *at_home ? "true" : "false");
    update.bind(2, id);
    update.exec();
    if (!ev.device.state.is_object()) ev.device.state = Json::object();
    ev.device.state["at_home"] = *at_home;
    ev.state.is_at_home = *at_home;

    store::ScheduleRepository schedules(db);
    const auto stored = schedules.Get(id);
    auto schedule = ApplyAtHome(stored.value_or(ChargingSchedule{}), *at_home);
    schedule = Replan(std::move(schedule), ev, schedules, now);
    if (stored) {
      schedules.Put(id, schedule, now);  // an EV without a schedule is not given one
    }
    tx.commit();
    answer = {{"device_id", id}, {"is_at_home", *at_home}, {"state", ev.device.state}};
    view = View(ev, schedule, now);
    topic = mqtt::ScheduleTopic(ctx.topic_prefix, ev.device.site_id, id);
  }
  ctx.publish_retained(topic, view.dump());
  SendJson(res, 200, answer);
}

}  // namespace

void RegisterScheduleRoutes(Router& router, ApiContext& ctx) {
  const std::string route = kScheduleRoute;

  router.Get(route, Authed(ctx, Access::kAnyUser,
                           [&ctx](const httplib::Request& req, httplib::Response& res,
                                  const Principal& p) {
                             const auto id = PathId(req, 1);
                             auto& db = ctx.Db();
                             const auto now = Now();
                             SQLite::Transaction snapshot(db);  // one consistent read
                             const auto ev = LoadEv(db, id, p);
                             store::ScheduleRepository schedules(db);
                             const auto schedule = schedules.Get(id).value_or(ChargingSchedule{});
                             snapshot.commit();
                             SendJson(res, 200, View(ev, schedule, now));
                           }));

  // Changing a schedule needs admin until technician and viewer roles get their rules.
  router.Put(
      route,
      Authed(ctx, Access::kAdmin,
             [&ctx](const httplib::Request& req, httplib::Response& res, const Principal& p) {
               ApplyChange(ctx, req, res, p,
                           [&req](Ev&, ChargingSchedule schedule, Timestamp, SQLite::Database&) {
                             const auto body = BodyObject(req);
                             const auto request = codec::DecodeScheduleRequestJson(body);
                             if (!request) ThrowReject(request.error());
                             return ApplyScheduleRequest(std::move(schedule), *request);
                           });
             }));

  router.Post(
      route + "/pause",
      Authed(ctx, Access::kAdmin,
             [&ctx](const httplib::Request& req, httplib::Response& res, const Principal& p) {
               ApplyChange(
                   ctx, req, res, p,
                   [](Ev& ev, ChargingSchedule schedule, Timestamp now, SQLite::Database& db) {
                     store::DeviceRepository devices(db);
                     const auto tz = devices.SiteTimezone(ev.device.site_id).value_or("UTC");
                     return Pause(std::move(schedule), now, tz);
                   });
             }));

  router.Post(
      route + "/resume",
      Authed(ctx, Access::kAdmin,
             [&ctx](const httplib::Request& req, httplib::Response& res, const Principal& p) {
               ApplyChange(ctx, req, res, p,
                           [](Ev&, ChargingSchedule schedule, Timestamp, SQLite::Database&) {
                             return Resume(std::move(schedule));
                           });
             }));

  router.Post(
      route + "/override",
      Authed(ctx, Access::kAdmin,
             [&ctx](const httplib::Request& req, httplib::Response& res, const Principal& p) {
               ApplyChange(ctx, req, res, p,
                           [](Ev& ev, ChargingSchedule schedule, Timestamp now, SQLite::Database&) {
                             auto started =
                                 StartOverride(std::move(schedule), now, ev.state.is_at_home);
                             if (!started) ThrowReject(started.error());  // 409 when away
                             return std::move(*started);
                           });
             }));

  // Presence as a user reports it (telemetry `state.at_home` reports it too; the later write
  // wins).
  router.Put(R"(/api/v1/devices/([^/]+)/state)",
             Authed(ctx, Access::kAdmin,
                    [&ctx](const httplib::Request& req, httplib::Response& res,
                           const Principal& p) { PutAtHome(ctx, req, res, p); }));
}

}  // namespace ems::api
