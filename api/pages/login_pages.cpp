// Signing in and out (docs/contract.md §5, §7).
//
// - GET / : the sites of a signed-in user (site_pages.cpp), else the login form.
// - GET /login[?next=/path]: the login form. It sets a random `ems_login` cookie the form's CSRF
//   token is bound to (login CSRF: another site cannot sign a browser into its own account).
// - POST /login (username, password, csrf, next): the JSON login's rules (LogIn: throttle, 429;
//   wrong pair, 401 with the form again); success sets the `ems_session` cookie (the token,
//   HttpOnly, SameSite=Lax, Secure behind HTTPS, as long as the token lives) and returns to
//   `next` (303).
// - POST /logout (csrf): clears the cookie, 303 to the login form. The token itself stays valid
//   until it expires (tokens are stateless; a password change ends them all).
#include "api/html.h"
#include "api/pages/page.h"
#include "api/pages/pages.h"
#include "api/routes/login.h"
#include "ems/auth/token.h"

namespace ems::api::pages {
namespace {

std::string CookieAttributes(const httplib::Request& req, std::chrono::seconds max_age) {
  return "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age.count()) +
         (OverHttps(req) ? "; Secure" : "");
}

void SendLoginForm(ApiContext& ctx, const httplib::Request& req, httplib::Response& res, int status,
                   const std::string& error) {
  auto binding = CookieValue(req, "ems_login");
  if (binding.empty() || binding.size() > 64) {
    binding = auth::RandomToken();
    res.set_header("Set-Cookie",
                   "ems_login=" + binding + CookieAttributes(req, std::chrono::hours(24)));
  }
  const auto next = LocalPath(req.get_param_value("next"), "/");
  std::string body = "<section class=\"login\"><h1>Sign in</h1>";
  if (!error.empty()) body += "<p class=\"error\">" + Escape(error) + "</p>";
  body += "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"csrf\" value=\"" +
          CsrfToken(ctx, "login\n" + binding) + "\"><input type=\"hidden\" name=\"next\" value=\"" +
          Escape(next) +
          "\"><label>Username <input name=\"username\" autocomplete=\"username\" required "
          "value=\"" +
          Escape(req.get_param_value("username")) +
          "\"></label><label>Password <input name=\"password\" type=\"password\" "
          "autocomplete=\"current-password\" required></label><button type=\"submit\">Sign "
          "in</button></form></section>";
  SendUncached(ctx, req, res, nullptr, status, {"Sign in", body, false});
}

void Index(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (const auto caller = Authenticate(ctx, req)) {
    SitesIndex(ctx, req, res, *caller);
  } else {
    SendLoginForm(ctx, req, res, 200, "");
  }
}

void LoginForm(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (Authenticate(ctx, req)) return Redirect(res, LocalPath(req.get_param_value("next"), "/"));
  SendLoginForm(ctx, req, res, 200, "");
}

void LoginPost(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const auto binding = CookieValue(req, "ems_login");
  if (binding.empty() ||
      !auth::SameSecret(req.get_param_value("csrf"), CsrfToken(ctx, "login\n" + binding))) {
    return SendLoginForm(ctx, req, res, 403,
                         "This form has expired or did not come from this site; try again.");
  }
  try {
    const auto login = LogIn(ctx, req.get_param_value("username"), req.get_param_value("password"),
                             ClientAddress(req));
    res.set_header("Set-Cookie",
                   "ems_session=" + login.issued.token + CookieAttributes(req, ctx.token_ttl));
    Redirect(res, LocalPath(req.get_param_value("next"), "/"));
  } catch (const RouteFailure& f) {
    SendLoginForm(ctx, req, res, HttpStatus(f.reject.code), f.reject.message);
  }
}

void Logout(ApiContext&, const httplib::Request& req, httplib::Response& res, const Principal&) {
  res.set_header("Set-Cookie", "ems_session=" + CookieAttributes(req, std::chrono::seconds(0)));
  Redirect(res, "/login");
}

}  // namespace

void RegisterLoginPages(Router& router) {
  Anyone(router, "GET", "/", Index);
  Anyone(router, "GET", "/login", LoginForm);
  Anyone(router, "POST", "/login", LoginPost);
  SignedIn(router, "POST", "/logout", Logout);
}

}  // namespace ems::api::pages
