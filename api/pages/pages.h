// The dashboard (docs/contract.md §7, docs/dashboard.md): server-rendered HTML pages, one file per
// family, registered apart from the JSON API (Router::Page). Every page reads through the same
// store calls and visibility as the JSON routes (api/routes/lookup.h), so what a user may see is
// identical: what they may not see answers 404.
#pragma once

#include <string>
#include <vector>

#include "api/http.h"

namespace ems::api::pages {

void RegisterLoginPages(Router& router);   // /, /login, /logout
void RegisterSitePages(Router& router);    // /sites/{site} (and the site list of /)
void RegisterDevicePages(Router& router);  // /devices/{device}, /fleet, /stations/{station}
void RegisterEvForms(Router& router);      // the EV schedule buttons (POST)
void RegisterAssets(Router& router);       // /static/*, /favicon.ico: compiled in

// The page of `/` for a signed-in user: the sites they may see with their live figures.
void SitesIndex(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                const Principal& caller);

// Shared pieces of the pages, as HTML.
// The devices with their latest values and whether each is live (a reading within stale_after).
std::string DeviceTable(const std::vector<store::ListedDevice>& devices, const std::string& tz,
                        Timestamp now, std::chrono::seconds stale_after, bool with_site);
// Charging sessions, newest first.
std::string SessionTable(const std::vector<ChargingSession>& sessions, const std::string& tz);
// The schedule of the EV `ev_id` (read in the caller's transaction, as the schedule route reads
// it) with its slots, projection and, for a caller allowed to operate it, its buttons, which
// return to `back`.
std::string EvSchedule(const ApiContext& ctx, const httplib::Request& req, store::Store& store,
                       const Principal& caller, const std::string& ev_id, const std::string& tz,
                       Timestamp now, const std::string& back);

inline void RegisterPages(Router& router) {
  RegisterLoginPages(router);
  RegisterSitePages(router);
  RegisterDevicePages(router);
  RegisterEvForms(router);
  RegisterAssets(router);
}

}  // namespace ems::api::pages
