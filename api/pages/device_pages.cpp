// One device (GET /devices/{device}), the fleet (GET /fleet) and one charging station
// (GET /stations/{station}), docs/contract.md §6.2–§6.5, §7.
//
// - /devices/{device}[?interval=15m|1h|1d]: the device, its latest metrics (as
//   GET /api/v1/devices/{device}/metrics), a chart per metric over the last 24 hours at 15m
//   (default), 7 days at 1h or 30 local days at 1d (averages, as the series route answers them),
//   and an EV's schedule with its buttons.
// - /fleet[?type=&site_id=&cursor=]: every device the caller may see, 100 a page, filtered as
//   GET /api/v1/devices filters.
// - /stations/{station}: the station's sessions on sites the caller sees, their totals (as
//   GET /api/v1/stations/{station}/sessions/summary) and the 20 newest.
// What the caller may not see answers 404, as in the JSON API.
#include <set>

#include "api/html.h"
#include "api/pages/chart.h"
#include "api/pages/page.h"
#include "api/pages/pages.h"
#include "api/routes/lookup.h"

namespace ems::api::pages {
namespace {

// The range a device page shows at `interval`, ending with the bucket that holds `now`.
std::pair<Timestamp, Timestamp> RangeOf(Interval interval, Timestamp now, const std::string& tz) {
  if (interval == Interval::k1d) {
    const auto to = NextLocalPeriodStart(now, CalendarUnit::kDay, tz);
    return {LocalPeriodStart(to - std::chrono::hours(30 * 24 - 12), CalendarUnit::kDay, tz), to};
  }
  const auto to = NextBucketStart(now, interval, "UTC");
  return {to - (interval == Interval::k1h ? std::chrono::hours(7 * 24) : std::chrono::hours(24)),
          to};
}

std::string IntervalForm(const std::string& device_id, Interval chosen) {
  std::string out = "<form method=\"get\" action=\"/devices/" + device_id +
                    "\" class=\"filters\"><label>Period <select name=\"interval\">";
  const std::pair<Interval, const char*> choices[] = {{Interval::k15m, "last 24 hours, 15 minutes"},
                                                      {Interval::k1h, "last 7 days, hourly"},
                                                      {Interval::k1d, "last 30 days, daily"}};
  for (const auto& [interval, label] : choices) {
    out += "<option value=\"" + std::string(ToString(interval)) + "\"" +
           (interval == chosen ? " selected" : "") + ">" + label + "</option>";
  }
  return out + "</select></label><button type=\"submit\">Show</button></form>";
}

std::string LatestTable(const std::vector<LatestMetric>& latest, const std::string& tz) {
  if (latest.empty()) return "<p class=\"note\">No readings yet.</p>";
  std::string out =
      "<table class=\"metrics\"><thead><tr><th>Metric</th><th class=\"num\">Value</th><th>Unit"
      "</th><th>Reading time</th></tr></thead><tbody>";
  for (const auto& m : latest) {
    const auto unit = MetricUnit(m.name);
    out += "<tr data-metric=\"" + Escape(m.name) + "\"><td>" + Escape(m.name) +
           "</td><td class=\"num\">" + chart::FormatNumber(m.value) + "</td><td>" +
           Escape(std::string(unit.value_or(""))) + "</td><td>" + LocalTime(m.ts, tz) +
           "</td></tr>";
  }
  return out + "</tbody></table>";
}

std::string JsonList(const Json& object) {
  if (!object.is_object() || object.empty()) return "—";
  std::string out;
  for (const auto& [key, value] : object.items()) {
    if (!out.empty()) out += ", ";
    out += Escape(key) + ": " +
           Escape(value.is_string() ? value.get<std::string>()
                                    : value.dump(-1, ' ', false, Json::error_handler_t::replace));
  }
  return out;
}

void DevicePage(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                const Principal& caller) {
  const auto id = PathId(req, 1);
  const auto interval = QueryInterval(req).value_or(Interval::k15m);
  if (interval != Interval::k15m && interval != Interval::k1h && interval != Interval::k1d) {
    Fail(ErrorCode::kInvalidParameter, "Query parameter 'interval' must be 15m, 1h or 1d.");
  }
  auto& store = ctx.Store();
  const auto now = Now();
  const auto page = ReadVisible(
      store, [&] { return VisibleDevice(store, id, caller); },
      [&](const Device& device) {
        const auto tz = store.Sites().Timezone(device.site_id).value_or("UTC");
        const auto latest = store.Readings().Latest(id);
        const auto [from, to] = RangeOf(interval, now, tz);
        std::set<std::string> metrics;
        for (const auto m : TypicalMetrics(device.type)) metrics.emplace(m);
        for (const auto& m : latest) metrics.insert(m.name);
        std::string charts;
        for (const auto& metric : metrics) {
          chart::Line line{metric, {}};
          for (const auto& p : ValueOrFail(
                   store.Readings().Series({id, metric, tz}, {from, to, interval, Agg::kAvg}))) {
            line.points.push_back({p.ts, p.value});
          }
          charts += chart::RenderTimeChart({metric,
                                            std::string(MetricUnit(metric).value_or("")),
                                            from,
                                            to,
                                            tz,
                                            2 * NominalLength(interval) + std::chrono::hours(2),
                                            {std::move(line)}});
        }
        std::string body =
            "<h1>" + Escape(device.name) + "</h1><dl class=\"facts\"><dt>Id</dt><dd>" +
            Escape(device.id) + "</dd><dt>Type</dt><dd>" + std::string(ToString(device.type)) +
            "</dd><dt>Site</dt><dd><a href=\"/sites/" + device.site_id + "\">" +
            Escape(device.site_id) + "</a></dd><dt>Properties</dt><dd>" +
            JsonList(device.properties) + "</dd><dt>State</dt><dd>" + JsonList(device.state) +
            "</dd><dt>Last seen</dt><dd>" +
            (device.last_seen ? LocalTime(*device.last_seen, tz) : std::string("never")) +
            "</dd></dl><section><h2>Latest values</h2>" + LatestTable(latest, tz) + "</section>";
        if (device.type == DeviceType::kEv) {
          body += "<section><h2>Charging schedule</h2>" +
                  EvSchedule(ctx, req, store, caller, id, tz, now, "/devices/" + id) + "</section>";
        }
        body += "<section class=\"charts\"><h2>Metrics</h2>" + IntervalForm(id, interval) + charts +
                "</section>";
        return Page{device.name, std::move(body), true};
      });
  SendPage(ctx, req, res, &caller, page);
}

void FleetPage(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
               const Principal& caller) {
  // The filter form sends an empty value for "all".
  const auto given = [&](const char* name) { return !req.get_param_value(name).empty(); };
  const store::DeviceFilter filter{
      caller.visibility(), given("site_id") ? QueryId(req, "site_id") : std::nullopt,
      given("type") ? QueryNamed(req, "type", ParseDeviceType, DeviceTypeList()) : std::nullopt};
  const auto after = QueryCursor<std::string>(req).value_or("");
  auto& store = ctx.Store();
  const auto now = Now();
  const auto [sites, page] = InSnapshot(store, [&] {
    return std::pair{store.Sites().List(caller.visibility(), "", 1000).items,
                     store.Devices().List(filter, after, 100)};
  });

  std::string body =
      "<h1>Fleet</h1><form method=\"get\" action=\"/fleet\" class=\"filters\"><label>Type "
      "<select name=\"type\"><option value=\"\">all</option>";
  for (const auto type : AllDeviceTypes()) {
    const std::string name(ToString(type));
    body += "<option value=\"" + name + "\"" + (filter.type == type ? " selected" : "") + ">" +
            name + "</option>";
  }
  body += "</select></label><label>Site <select name=\"site_id\"><option value=\"\">all</option>";
  for (const auto& site : sites) {
    body += "<option value=\"" + site.id + "\"" + (filter.site_id == site.id ? " selected" : "") +
            ">" + Escape(site.name) + "</option>";
  }
  body += "</select></label><button type=\"submit\">Filter</button></form>";
  body += page.items.empty() ? "<p class=\"note\">No devices match.</p>"
                             : "<p class=\"note\">Times in UTC.</p>" +
                                   DeviceTable(page.items, "UTC", now, ctx.stale_after, true);
  if (page.next_cursor) {
    body += "<p><a href=\"/fleet?type=" +
            UrlEncode(filter.type ? std::string(ToString(*filter.type)) : "") +
            "&amp;site_id=" + UrlEncode(filter.site_id.value_or("")) +
            "&amp;cursor=" + UrlEncode(EncodeCursor(CursorPosition(*page.next_cursor))) +
            "\">Next page</a></p>";
  }
  SendPage(ctx, req, res, &caller, {"Fleet", body, true});
}

void StationPage(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                 const Principal& caller) {
  const auto id = PathId(req, 1);
  auto& store = ctx.Store();
  const auto body = ReadVisible(
      store,
      [&] {
        auto station = store.Sessions().GetStation(id, caller.visibility());
        if (!station) Fail(ErrorCode::kNotFound, "Station " + id + " not found.");
        return std::move(*station);
      },
      [&](const store::StationRow& station) {
        const auto tz = store.Sites().Timezone(station.site_id).value_or("UTC");
        const auto sum =
            store.Sessions().Summarize(id, caller.visibility(), std::nullopt, std::nullopt);
        store::SessionFilter filter;
        filter.station_id = id;
        filter.visibility = caller.visibility();
        return "<h1>Charging station " + Escape(id) +
               "</h1><dl class=\"facts\"><dt>Site</dt><dd><a href=\"/sites/" + station.site_id +
               "\">" + Escape(station.site_id) + "</a></dd><dt>Sessions</dt><dd>" +
               std::to_string(sum.sessions) + "</dd><dt>Energy</dt><dd>" +
               chart::FormatNumber(sum.energy_kwh) + " kWh</dd><dt>Cost</dt><dd>" +
               (sum.cost && sum.currency
                    ? chart::FormatNumber(*sum.cost) + " " + Escape(*sum.currency)
                    : std::string("—")) +
               "</dd></dl><section><h2>Newest sessions</h2>" +
               SessionTable(store.Sessions().List(filter, 20, std::nullopt).items, tz) +
               "</section>";
      });
  SendPage(ctx, req, res, &caller, {"Station " + id, body, true});
}

}  // namespace

void RegisterDevicePages(Router& router) {
  SignedIn(router, "GET", R"(/devices/([^/]+))", DevicePage);
  SignedIn(router, "GET", "/fleet", FleetPage);
  SignedIn(router, "GET", R"(/stations/([^/]+))", StationPage);
}

}  // namespace ems::api::pages
