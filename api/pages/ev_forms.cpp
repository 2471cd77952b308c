// EV charging schedules on the dashboard (docs/contract.md §6.6, §7): the schedule of each EV with
// its slots and projection, and its buttons, HTML forms that POST (with the CSRF token) and return
// to the page they came from (303, Post/Redirect/Get):
//
// - POST /devices/{ev}/schedule/pause | resume | override
// - POST /devices/{ev}/at-home (at_home=1 | 0)
//
// Each runs the very command of the JSON routes (RunEvCommand, SetEvAtHome: same lookup, access
// rule, re-planning and publishing); its failure (404, 403, 409 for an override while away) is
// an HTML error page.
#include "api/html.h"
#include "api/pages/chart.h"
#include "api/pages/page.h"
#include "api/pages/pages.h"
#include "api/routes/ev_commands.h"
#include "api/routes/lookup.h"

namespace ems::api::pages {
namespace {

std::string Row(const std::string& label, const std::string& value) {
  return "<dt>" + label + "</dt><dd>" + value + "</dd>";
}

template <EvCommand command>
void CommandForm(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                 const Principal& caller) {
  const auto id = PathId(req, 1);
  RunEvCommand(ctx, caller, id, command);
  Redirect(res, LocalPath(req.get_param_value("back"), "/devices/" + id));
}

void AtHomeForm(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                const Principal& caller) {
  const auto id = PathId(req, 1);
  const auto value = req.get_param_value("at_home");
  if (value != "1" && value != "0") Fail(ErrorCode::kInvalidState, "Choose at home or away.");
  SetEvAtHome(ctx, caller, id, value == "1");
  Redirect(res, LocalPath(req.get_param_value("back"), "/devices/" + id));
}

}  // namespace

std::string EvSchedule(const ApiContext& ctx, const httplib::Request& req, store::Store& store,
                       const Principal& caller, const std::string& ev_id, const std::string& tz,
                       Timestamp now, const std::string& back) {
  const auto ev = VisibleEv(store, ev_id, caller);
  const auto view = ViewSchedule(ev_id, store.Schedules().Get(ev_id).value_or(ChargingSchedule{}),
                                 ev.state, ev.params, now);
  std::string out = "<article class=\"ev\" id=\"ev-" + ev_id + "\"><h3><a href=\"/devices/" +
                    ev_id + "\">" + Escape(ev.device.name) + "</a></h3><dl class=\"schedule\">";
  out += Row("State of charge", "<span data-ev-field=\"soc\">" + Percent(view.soc) + "</span>");
  out += Row("Projected",
             "<span data-ev-field=\"projected_soc\">" + Percent(view.projected_soc) + "</span>");
  out += Row("Where", view.is_at_home ? "at home" : "away");
  out += Row("Mode", std::string(ToString(view.mode)));
  out += Row("Charging",
             view.paused_until
                 ? "paused until " + LocalTime(*view.paused_until, tz)
                 : (view.override_window ? "now, until " + LocalTime(view.override_window->end, tz)
                                         : std::string("as scheduled")));
  if (view.plan_message) out += Row("Plan", Escape(*view.plan_message));
  if (view.explanation) {
    const PlanExplanation& why = *view.explanation;
    out += Row("Next start", view.next_start ? LocalTime(*view.next_start, tz) : "—");
    out += Row("Expected cost", why.expected_cost ? chart::FormatNumber(*why.expected_cost) + " " +
                                                        Escape(why.currency)
                                                  : std::string("unknown"));
    if (view.expected_soc_at_ready_by) {
      out += Row("At ready-by", Percent(*view.expected_soc_at_ready_by));
    }
    if (!why.reason.empty()) out += Row("Why not", Escape(why.reason));
    out += Row("Charge power", chart::FormatNumber(why.charge_power_w / 1000) + " kW (" +
                                   (why.power_measured ? "measured" : "nominal") + "), " +
                                   Percent(why.efficiency) + " efficiency");
  }
  out += "</dl>";
  if (view.slots.empty()) {
    out += "<p class=\"note\">No charging slots.</p>";
  } else {
    out +=
        "<table class=\"slots\"><thead><tr><th>From</th><th>Until</th><th class=\"num\">Still "
        "adds</th></tr></thead><tbody>";
    for (const auto& s : view.slots) {
      out += "<tr><td>" + LocalTime(s.slot.start, tz) + "</td><td>" + LocalTime(s.slot.end, tz) +
             "</td><td class=\"num\">" + Percent(s.soc_gained) + "</td></tr>";
    }
    out += "</tbody></table>";
  }
  if (Allows(caller.role, SiteAction::kOperateEvs)) {
    const std::string base = "/devices/" + ev_id;
    out += "<div class=\"actions\">";
    out += view.is_paused
               ? ButtonForm(ctx, req, base + "/schedule/resume", "Resume", back)
               : ButtonForm(ctx, req, base + "/schedule/pause", "Pause until midnight", back);
    if (view.is_at_home) {
      out += ButtonForm(ctx, req, base + "/schedule/override", "Charge now for an hour", back);
    }
    out += ButtonForm(ctx, req, base + "/at-home", view.is_at_home ? "Mark away" : "Mark at home",
                      back,
                      "<input type=\"hidden\" name=\"at_home\" value=\"" +
                          std::string(view.is_at_home ? "0" : "1") + "\">");
    out += "</div>";
  }
  return out + "</article>";
}

void RegisterEvForms(Router& router) {
  const std::string base = R"(/devices/([^/]+))";
  SignedIn(router, "POST", base + "/schedule/pause", CommandForm<EvCommand::kPause>);
  SignedIn(router, "POST", base + "/schedule/resume", CommandForm<EvCommand::kResume>);
  SignedIn(router, "POST", base + "/schedule/override", CommandForm<EvCommand::kOverride>);
  SignedIn(router, "POST", base + "/at-home", AtHomeForm);
}

}  // namespace ems::api::pages
