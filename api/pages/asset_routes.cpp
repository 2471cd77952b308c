// GET /static/{name} (the files of api/pages/static/, compiled in) and GET /favicon.ico (the
// icon, for browsers that ask there). An hour of caching, then revalidated by ETag.
#include "api/pages/assets.h"
#include "api/pages/page.h"
#include "api/pages/pages.h"

namespace ems::api::pages {
namespace {

void SendAsset(const httplib::Request& req, httplib::Response& res, std::string_view name) {
  for (const auto& asset : Assets()) {
    if (asset.name == name) {
      SendCached(req, res, std::string(asset.body), std::string(asset.content_type),
                 "public, max-age=3600");
      return;
    }
  }
  Fail(ErrorCode::kNotFound, "No such file.");
}

void StaticFile(ApiContext&, const httplib::Request& req, httplib::Response& res) {
  SendAsset(req, res, req.matches[1].str());
}

void Favicon(ApiContext&, const httplib::Request& req, httplib::Response& res) {
  SendAsset(req, res, "favicon.svg");
}

}  // namespace

void RegisterAssets(Router& router) {
  Anyone(router, "GET", R"(/static/([a-z0-9.-]+))", StaticFile);
  Anyone(router, "GET", "/favicon.ico", Favicon);
}

}  // namespace ems::api::pages
