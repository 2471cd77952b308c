// The dashboard's page machinery (docs/contract.md §7, docs/dashboard.md): registering a page, the
// session cookie and CSRF tokens, the document around every page, error pages, and the formats
// numbers and times are shown in. The pages themselves are in the files beside this one, one per
// family.
#pragma once

#include <string>

#include "api/http.h"

namespace ems::api::pages {

// A page for signed-in users: without a valid session a GET is redirected (303) to the login
// form, which returns to it; a POST must carry the form's CSRF token (else 403). A failure of
// the handler (Fail: 404 for what the caller may not see, exactly as the JSON API) is answered
// as an HTML error page with the failure's status.
void SignedIn(Router& router, const char* method, const std::string& pattern, RouteHandler h);
// A page anyone may open (login form, assets); failures as HTML error pages.
void Anyone(Router& router, const char* method, const std::string& pattern, PublicHandler h);

struct Page {
  std::string title;  // plain text
  std::string body;   // HTML, every stored string in it escaped
  bool live = false;  // figures that change: without JavaScript the page reloads every minute
};

// The whole document around `page` (stylesheet, script and icon from ems-api itself, the
// navigation with the caller's name and a logout form when `caller` is set), answered with an
// ETag and Cache-Control no-cache (SendCached): an unchanged page costs a 304.
void SendPage(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
              const Principal* caller, const Page& page);
// The same document answered with `status`, never cached (forms with a fresh token, errors).
void SendUncached(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal* caller, int status, const Page& page);
// An error page of `status` saying `message`.
void SendErrorPage(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const Principal* caller, int status, const std::string& message);

// 303 See Other to a path of this site (Post/Redirect/Get).
void Redirect(httplib::Response& res, const std::string& path);
// `path` when it is a path of this site ("/..." but not "//..." or "/\..."), else `fallback`.
std::string LocalPath(const std::string& path, const std::string& fallback);

// The CSRF token of forms answered to this request: HMAC(EMS_JWT_SECRET, the session token),
// or of the login form's `ems_login` cookie before signing in.
std::string CsrfToken(const ApiContext& ctx, const std::string& binding);
// <input type=hidden name=csrf ...> for a form of the signed-in caller.
std::string CsrfField(const ApiContext& ctx, const httplib::Request& req);
// A form POSTing to `action` with one button, and where to return afterwards.
std::string ButtonForm(const ApiContext& ctx, const httplib::Request& req,
                       const std::string& action, const std::string& label, const std::string& back,
                       const std::string& extra_fields = "");

// Secure on the session cookies when the edge says the client came over HTTPS.
bool OverHttps(const httplib::Request& req);

// "1.23 kW", "850 W", "-40 W".
std::string Power(double watts);
// "12.3 kWh", "640 Wh".
std::string Energy(double watt_hours);
// "72%" of a fraction 0–1.
std::string Percent(double fraction);
// "2026-12-07 14:03:05 CET" on the site's clock.
std::string LocalTime(Timestamp t, const std::string& tz);

}  // namespace ems::api::pages
