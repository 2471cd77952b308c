// The sites a user may see (GET /, signed in) and one site (GET /sites/{site}), docs/contract.md
// §7.
//
// /sites/{site}: the energy flow now (ComputeEnergySummary over the stored latest readings, as
// GET /api/v1/sites/{site}/energy/summary answers it; app.js refreshes it from there, without
// JavaScript the page reloads every minute), power over the last 24 hours per device type
// (15-minute averages of each device's power_w, summed per type), energy per local day over the
// last 30 days (TelemetryReader::EnergySeries at 1d, as the energy series route), the site's
// prices today and tomorrow (when it has any, as GET /api/v1/sites/{site}/tariff), the devices
// with their latest values and staleness, the ten newest charging sessions, and the schedules of
// its EVs with their buttons. A site the caller may not see answers 404, as in the JSON API.
#include <algorithm>
#include <map>

#include "api/html.h"
#include "api/pages/chart.h"
#include "api/pages/page.h"
#include "api/pages/pages.h"
#include "api/routes/lookup.h"
#include "ems/domain/energy.h"

namespace ems::api::pages {
namespace {

// The figures of one summary, marked for app.js to refresh (data-field: the summary's member).
std::string Figures(const EnergySummary& s) {
  return "<div class=\"figures\"><div class=\"fig\"><span class=\"label\">Produced</span><span "
         "class=\"value\" data-field=\"produced_w\">" +
         Power(s.produced_w) +
         "</span></div><div class=\"fig\"><span class=\"label\">Consumed</span><span "
         "class=\"value\" data-field=\"consumed_w\">" +
         Power(s.consumed_w) +
         "</span></div><div class=\"fig\"><span class=\"label\">Grid (+ export, − import)</span>"
         "<span class=\"value\" data-field=\"net_w\">" +
         Power(s.net_w) + "</span></div></div>";
}

std::string SiteRow(const store::Site& site, const EnergySummary* s) {
  const std::string url = "/sites/" + site.id;
  std::string row = "<tr data-summary=\"/api/v1" + url + "/energy/summary\"><td><a href=\"" + url +
                    "\">" + Escape(site.name) + "</a></td><td>" + Escape(site.timezone) +
                    "</td><td class=\"num\">" + std::to_string(site.device_count) + "</td>";
  for (const char* field : {"produced_w", "consumed_w", "net_w"}) {
    const double w = !s                ? 0
                     : field[0] == 'p' ? s->produced_w
                     : field[0] == 'c' ? s->consumed_w
                                       : s->net_w;
    row += "<td class=\"num\" data-field=\"" + std::string(field) + "\">" + Power(w) + "</td>";
  }
  return row + "</tr>";
}

std::string TypeName(DeviceType type) {
  std::string name(ToString(type));
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

std::string FlowSection(const store::Site& site, const EnergySummary& s,
                        const std::map<std::string, std::string>& names) {
  std::string out = "<section class=\"flow\" data-summary=\"/api/v1/sites/" + site.id +
                    "/energy/summary\"><h2>Energy flow now</h2>" + Figures(s);
  if (!s.storage.empty()) {
    out += "<ul class=\"storage\">";
    for (const auto& st : s.storage) {
      const auto name = names.find(st.device_id);
      out += "<li>" + Escape(name == names.end() ? st.device_id : name->second) + " (" +
             TypeName(st.type) + "): <span class=\"value\" data-soc=\"" + st.device_id + "\">" +
             (st.soc_pct ? chart::FormatNumber(*st.soc_pct) + "%" : std::string("no recent soc")) +
             "</span>" + (st.capacity_wh ? " of " + Energy(*st.capacity_wh) : "") + "</li>";
    }
    out += "</ul>";
  }
  return out + "<p class=\"note\"><span data-field=\"devices_reporting\">" +
         std::to_string(s.devices_reporting) +
         "</span> devices reporting, <span data-field=\"devices_stale\">" +
         std::to_string(s.devices_stale) + "</span> stale.</p></section>";
}

std::string PowerChart(store::Store& store, const store::Site& site,
                       const std::vector<store::ListedDevice>& devices, Timestamp now) {
  const auto to = NextBucketStart(now, Interval::k15m, "UTC");
  const auto from = to - std::chrono::hours(24);
  std::vector<store::SeriesKey> keys;
  for (const auto& d : devices) {
    keys.push_back({d.device.id, std::string(kPowerMetric), site.timezone});
  }
  std::map<DeviceType, std::map<Timestamp, double>> by_type;
  if (!keys.empty()) {
    const auto series =
        ValueOrFail(store.Readings().Series(keys, {from, to, Interval::k15m, Agg::kAvg}));
    for (std::size_t i = 0; i < series.size(); ++i) {
      auto& sums = by_type[devices[i].device.type];
      for (const auto& p : series[i]) sums[p.ts] += p.value;
    }
  }
  chart::TimeChart c{"Power by device type, last 24 hours (15-minute averages)",
                     "W",
                     from,
                     to,
                     site.timezone,
                     std::chrono::minutes(30),
                     {}};
  for (const auto& [type, sums] : by_type) {
    if (sums.empty()) continue;
    chart::Line line{TypeName(type), {}};
    for (const auto& [ts, w] : sums) line.points.push_back({ts, w});
    c.lines.push_back(std::move(line));
  }
  return RenderTimeChart(c);
}

std::string EnergyChart(store::Store& store, const store::Site& site, Timestamp now) {
  // The local midnight 29 days before today's: half a day past 29 × 24 h lands inside that day
  // whatever DST did in between.
  const auto today = LocalPeriodStart(now, CalendarUnit::kDay, site.timezone);
  const auto from =
      LocalPeriodStart(today - std::chrono::hours(29 * 24 - 12), CalendarUnit::kDay, site.timezone);
  const auto buckets =
      ValueOrFail(store.Readings().EnergySeries(site.id, site.timezone, from, now, Interval::k1d));
  chart::DailyChart c{"Energy per day, last 30 days", "Wh", site.timezone, {}};
  chart::Line produced{"produced", {}}, consumed{"consumed", {}};
  for (const auto& b : buckets) {
    produced.points.push_back({b.ts, b.produced_wh});
    consumed.points.push_back({b.ts, b.consumed_wh});
  }
  c.series = {std::move(produced), std::move(consumed)};
  return RenderDailyChart(c);
}

// The site's prices with validity (docs/contract.md §4.1) today and tomorrow, one step per price,
// so quarter-hour and hourly prices are drawn exactly as long as each holds; nothing without
// prices.
std::string PriceChart(store::Store& store, const store::Site& site, Timestamp now) {
  const auto from = LocalPeriodStart(now, CalendarUnit::kDay, site.timezone);
  const auto tomorrow =
      LocalPeriodStart(from + std::chrono::hours(36), CalendarUnit::kDay, site.timezone);
  const auto to =
      LocalPeriodStart(tomorrow + std::chrono::hours(36), CalendarUnit::kDay, site.timezone);
  const auto tariff = store.Tariffs().Get(site.id, from, to);
  if (!tariff || tariff->prices.empty()) return "";
  chart::Line line{"price", {}};
  for (const auto& p : tariff->prices) {
    line.points.push_back({std::max(p.start, from), p.price_per_kwh});
    line.points.push_back({std::min(p.end, to), p.price_per_kwh});
  }
  return RenderTimeChart(chart::TimeChart{"Energy price, today and tomorrow",
                                          tariff->currency + "/kWh",
                                          from,
                                          to,
                                          site.timezone,
                                          std::chrono::hours(24),
                                          {std::move(line)}});
}

}  // namespace

// The devices table of a site's page and of the fleet page.
std::string DeviceTable(const std::vector<store::ListedDevice>& devices, const std::string& tz,
                        Timestamp now, std::chrono::seconds stale_after, bool with_site) {
  std::string out = "<table class=\"devices\"><thead><tr><th>Device</th>";
  if (with_site) out += "<th>Site</th>";
  out +=
      "<th>Type</th><th class=\"num\">Power</th><th>Other values</th><th>Last reading</th>"
      "<th>Status</th></tr></thead><tbody>";
  for (const auto& [device, latest] : devices) {
    std::string power = "—", others;
    std::optional<Timestamp> newest;
    for (const auto& m : latest) {
      if (!newest || m.ts > *newest) newest = m.ts;
      if (m.name == kPowerMetric) {
        power = Power(m.value);
        continue;
      }
      const auto unit = MetricUnit(m.name);
      if (!others.empty()) others += ", ";
      others += Escape(m.name) + " " + chart::FormatNumber(m.value);
      if (unit) others.append(" ").append(Escape(*unit));
    }
    const bool fresh = newest && now - *newest <= stale_after;
    out += "<tr class=\"" + std::string(fresh ? "fresh" : "stale") + "\"><td><a href=\"/devices/" +
           device.id + "\">" + Escape(device.name) + "</a></td>";
    if (with_site) {
      out +=
          "<td><a href=\"/sites/" + device.site_id + "\">" + Escape(device.site_id) + "</a></td>";
    }
    out += "<td>" + TypeName(device.type) + "</td><td class=\"num\">" + power + "</td><td>" +
           others + "</td><td>" + (newest ? LocalTime(*newest, tz) : std::string("never")) +
           "</td><td>" + (fresh ? "live" : "stale") + "</td></tr>";
  }
  return out + "</tbody></table>";
}

// The newest sessions of a filter, as a table.
std::string SessionTable(const std::vector<ChargingSession>& sessions, const std::string& tz) {
  if (sessions.empty()) return "<p class=\"note\">No charging sessions yet.</p>";
  std::string out =
      "<table class=\"sessions\"><thead><tr><th>Station</th><th>Connector</th><th>Vehicle</th>"
      "<th>Started</th><th>Ended</th><th class=\"num\">Energy</th><th class=\"num\">Cost</th>"
      "</tr></thead><tbody>";
  for (const auto& s : sessions) {
    out += "<tr><td><a href=\"/stations/" + s.station_id + "\">" + Escape(s.station_id) +
           "</a></td><td>" + (s.connector ? std::to_string(*s.connector) : "—") + "</td><td>" +
           Escape(s.vehicle_id.value_or("—")) + "</td><td>" + LocalTime(s.started_at, tz) +
           "</td><td>" + (s.ended_at ? LocalTime(*s.ended_at, tz) : std::string("charging")) +
           "</td><td class=\"num\">" + chart::FormatNumber(s.energy_kwh) +
           " kWh</td><td class=\"num\">" +
           (s.cost ? chart::FormatNumber(*s.cost) + " " + Escape(s.currency) : std::string("—")) +
           "</td></tr>";
  }
  return out + "</tbody></table>";
}

void SitesIndex(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                const Principal& caller) {
  auto& store = ctx.Store();
  const auto now = Now();
  const auto [sites, readings] = InSnapshot(store, [&] {
    return std::pair{store.Sites().List(caller.visibility(), "", 1000).items,
                     store.Readings().VisibleSiteReadings(caller.visibility())};
  });
  std::map<std::string, EnergySummary> summaries;
  for (const auto& s : readings) {
    summaries.emplace(s.site_id, ComputeEnergySummary(s.site_id, s.devices, now, ctx.stale_after));
  }
  std::vector<EnergySummary> all;
  for (const auto& [id, s] : summaries) all.push_back(s);
  std::string body =
      "<h1>Sites</h1><section class=\"flow\" data-summary=\"/api/v1/energy/summary\">"
      "<h2>All your sites now</h2>" +
      Figures(SumEnergySummaries(all, now).total) + "</section>";
  if (sites.empty()) {
    body += "<p class=\"note\">No site is assigned to you yet; an admin assigns sites.</p>";
  } else {
    body +=
        "<table class=\"sites\"><thead><tr><th>Site</th><th>Time zone</th><th class=\"num\">"
        "Devices</th><th class=\"num\">Produced</th><th class=\"num\">Consumed</th><th "
        "class=\"num\">Grid</th></tr></thead><tbody>";
    for (const auto& site : sites) {
      const auto s = summaries.find(site.id);
      body += SiteRow(site, s == summaries.end() ? nullptr : &s->second);
    }
    body += "</tbody></table>";
  }
  SendPage(ctx, req, res, &caller, {"Sites", body, true});
}

namespace {

void SitePage(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
              const Principal& caller) {
  const auto id = PathId(req, 1);
  auto& store = ctx.Store();
  const auto now = Now();
  const auto page = ReadVisible(
      store, [&] { return VisibleSite(store, id, caller); },
      [&](const store::Site& site) {
        const auto devices =
            store.Devices().List({caller.visibility(), site.id, std::nullopt}, "", 1000).items;
        std::map<std::string, std::string> names;
        for (const auto& d : devices) names.emplace(d.device.id, d.device.name);
        const auto summary = ComputeEnergySummary(site.id, store.Readings().SiteReadings(site.id),
                                                  now, ctx.stale_after);
        store::SessionFilter sessions;
        sessions.site_id = site.id;
        sessions.visibility = caller.visibility();
        const std::string back = "/sites/" + site.id;
        std::string evs;
        for (const auto& d : devices) {
          if (d.device.type == DeviceType::kEv) {
            evs += EvSchedule(ctx, req, store, caller, d.device.id, site.timezone, now, back);
          }
        }
        std::string body =
            "<h1>" + Escape(site.name) + "</h1><p class=\"note\">Site " + Escape(site.id) +
            ", times in " + Escape(site.timezone) + ".</p>" + FlowSection(site, summary, names) +
            "<section class=\"charts\"><h2>Power and energy</h2>" +
            PowerChart(store, site, devices, now) + EnergyChart(store, site, now) +
            PriceChart(store, site, now) + "</section><section><h2>Devices</h2>" +
            DeviceTable(devices, site.timezone, now, ctx.stale_after, false) +
            "</section><section><h2>Recent charging sessions</h2>" +
            SessionTable(store.Sessions().List(sessions, 10, std::nullopt).items, site.timezone) +
            "</section>";
        if (!evs.empty()) body += "<section><h2>EV charging schedules</h2>" + evs + "</section>";
        return Page{site.name, std::move(body), true};
      });
  SendPage(ctx, req, res, &caller, page);
}

}  // namespace

void RegisterSitePages(Router& router) { SignedIn(router, "GET", R"(/sites/([^/]+))", SitePage); }

}  // namespace ems::api::pages
