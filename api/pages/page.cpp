#include "api/pages/page.h"

#include <cmath>
#include <cstdio>

#include "api/html.h"
#include "ems/auth/token.h"

namespace ems::api::pages {
namespace {

std::string Head(const std::string& title, bool live) {
  std::string out =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      Escape(title) +
      " · ems</title><link rel=\"stylesheet\" href=\"/static/app.css\">"
      "<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">"
      "<script src=\"/static/app.js\" defer></script>";
  // Live figures: the script refreshes them; without it the page reloads itself.
  if (live) out += "<noscript><meta http-equiv=\"refresh\" content=\"60\"></noscript>";
  return out + "</head><body>";
}

std::string Nav(const ApiContext& ctx, const httplib::Request& req, const Principal* caller) {
  std::string out = "<header class=\"top\"><a class=\"brand\" href=\"/\">ems</a>";
  if (caller) {
    out += "<nav><a href=\"/\">Sites</a><a href=\"/fleet\">Fleet</a></nav><span class=\"who\">" +
           Escape(caller->username) + " (" + std::string(ToString(caller->role)) +
           ")</span><form method=\"post\" action=\"/logout\" class=\"inline\">" +
           CsrfField(ctx, req) + "<button type=\"submit\">Log out</button></form>";
  }
  return out + "</header>";
}

std::string Document(ApiContext& ctx, const httplib::Request& req, const Principal* caller,
                     const Page& page) {
  return Head(page.title, page.live) + Nav(ctx, req, caller) + "<main>" + page.body +
         "</main></body></html>";
}

// Runs a page handler, answering its failure as an HTML error page.
template <class F>
void AnswerPage(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                const Principal* caller, F&& page) {
  try {
    page();
  } catch (const RouteFailure& f) {
    SendErrorPage(ctx, req, res, caller, HttpStatus(f.reject.code), f.reject.message);
  } catch (const Json::exception&) {
    SendErrorPage(ctx, req, res, caller, 400, "The request has a value of the wrong type.");
  }
}

}  // namespace

void SignedIn(Router& router, const char* method, const std::string& pattern, RouteHandler h) {
  router.Page(
      method, pattern,
      [&ctx = router.context(), h](const httplib::Request& req, httplib::Response& res) {
        const auto caller = Authenticate(ctx, req);
        if (!caller) {
          // A GET comes back here after the login; a form's POST to its page.
          const auto back = req.method == "GET" ? req.target : "/";
          Redirect(res, "/login?next=" + UrlEncode(LocalPath(back, "/")));
          return;
        }
        AnswerPage(ctx, req, res, &*caller, [&] {
          if (req.method == "POST" &&
              !auth::SameSecret(req.get_param_value("csrf"), CsrfToken(ctx, SessionCookie(req)))) {
            Fail(ErrorCode::kForbidden,
                 "This form has expired or did not come from this site; open the page "
                 "again.");
          }
          h(ctx, req, res, *caller);
        });
      });
}

void Anyone(Router& router, const char* method, const std::string& pattern, PublicHandler h) {
  router.Page(method, pattern,
              [&ctx = router.context(), h](const httplib::Request& req, httplib::Response& res) {
                AnswerPage(ctx, req, res, nullptr, [&] { h(ctx, req, res); });
              });
}

void SendPage(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
              const Principal* caller, const Page& page) {
  SendCached(req, res, Document(ctx, req, caller, page), "text/html; charset=utf-8", kRevalidate);
}

void SendErrorPage(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const Principal* caller, int status, const std::string& message) {
  const std::string title = status == 404   ? "Not found"
                            : status == 403 ? "Not allowed"
                            : status == 409 ? "Not possible now"
                                            : "Request refused";
  SendUncached(ctx, req, res, caller, status,
               {title,
                "<h1>" + Escape(title) + "</h1><p class=\"error\">" + Escape(message) +
                    "</p><p><a href=\"/\">Back to the start page</a></p>",
                false});
}

void SendUncached(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal* caller, int status, const Page& page) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(Document(ctx, req, caller, page), "text/html; charset=utf-8");
}

void Redirect(httplib::Response& res, const std::string& path) {
  res.status = 303;
  res.set_header("Location", path);
  res.set_header("Cache-Control", "no-store");
}

std::string LocalPath(const std::string& path, const std::string& fallback) {
  if (path.size() < 1 || path[0] != '/' ||
      (path.size() > 1 && (path[1] == '/' || path[1] == '\\'))) {
    return fallback;
  }
  for (const char c : path) {
    if (static_cast<unsigned char>(c) < 0x20) return fallback;
  }
  return path;
}

std::string CsrfToken(const ApiContext& ctx, const std::string& binding) {
  return auth::Base64UrlEncode(auth::HmacSha256(ctx.jwt_secret, "ems-csrf\n" + binding));
}

std::string CsrfField(const ApiContext& ctx, const httplib::Request& req) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + CsrfToken(ctx, SessionCookie(req)) +
         "\">";
}

std::string ButtonForm(const ApiContext& ctx, const httplib::Request& req,
                       const std::string& action, const std::string& label, const std::string& back,
                       const std::string& extra_fields) {
  return "<form method=\"post\" action=\"" + Escape(action) + "\" class=\"inline\">" +
         CsrfField(ctx, req) + "<input type=\"hidden\" name=\"back\" value=\"" + Escape(back) +
         "\">" + extra_fields + "<button type=\"submit\">" + Escape(label) + "</button></form>";
}

bool OverHttps(const httplib::Request& req) {
  // Set by the edge (edge/nginx.conf.template). A client claiming it falsely only keeps its own
  // cookie off plain HTTP.
  return req.get_header_value("X-Forwarded-Proto") == "https";
}

std::string Power(double watts) {
  char buf[48];
  if (std::abs(watts) >= 1000) {
    std::snprintf(buf, sizeof buf, "%.2f kW", watts / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f W", watts);
  }
  return std::string(buf) == "-0 W" ? "0 W" : buf;
}

std::string Energy(double watt_hours) {
  char buf[48];
  if (std::abs(watt_hours) >= 1000) {
    std::snprintf(buf, sizeof buf, "%.1f kWh", watt_hours / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f Wh", watt_hours);
  }
  return buf;
}

std::string Percent(double fraction) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", fraction * 100);
  return buf;
}

std::string LocalTime(Timestamp t, const std::string& tz) {
  return FormatLocal(t, tz, "%Y-%m-%d %H:%M:%S %Z");
}

}  // namespace ems::api::pages
