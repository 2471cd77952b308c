#include "api/html.h"
#include "api/routes/routes.h"

namespace ems::api {
namespace {

// `node`, or what its "$ref" ("#/components/...") names in `doc`.
const Json& Resolved(const Json& doc, const Json& node) {
  const auto ref = node.find("$ref");
  if (ref == node.end()) return node;
  return doc.at(Json::json_pointer(ref->get<std::string>().substr(1)));
}

// /docs: the OpenAPI document rendered on the server, so it needs no script or remote asset.
std::string DocsPage(const Json& doc) {
  // Styled by the dashboard's stylesheet: the security headers allow no inline style.
  std::string html =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ems API</title>"
      "<link rel=\"stylesheet\" href=\"/static/app.css\"><link rel=\"icon\" "
      "href=\"/static/favicon.svg\"></head><body class=\"docs\">";
  html += "<h1>" + Escape(doc["info"].value("title", "ems API")) + " " +
          Escape(doc["info"].value("version", "")) + "</h1><p>" +
          Escape(doc["info"].value("description", "")) +
          "</p><p>Machine-readable: <a href=\"/openapi.json\">/openapi.json</a></p>";
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      html += "<section><span class=\"m\">" + Escape(method) + "</span><code>" + Escape(path) +
              "</code><p>" + Escape(op.value("summary", "")) + "</p>";
      if (op.contains("parameters")) {
        html += "<ul>";
        for (const auto& ref : op["parameters"]) {
          const Json& p = Resolved(doc, ref);
          html += "<li><code>" + Escape(p.value("name", "")) + "</code> (" +
                  Escape(p.value("in", "")) + ") " + Escape(p.value("description", "")) + "</li>";
        }
        html += "</ul>";
      }
      html += "<ul>";
      for (const auto& [status, ref] : op.at("responses").items()) {
        html += "<li>" + Escape(status) + ": " +
                Escape(Resolved(doc, ref).value("description", "")) + "</li>";
      }
      html += "</ul></section>";
    }
  }
  return html + "</body></html>";
}

void Health(ApiContext& ctx, const httplib::Request&, httplib::Response& res) {
  try {
    const int version = ctx.Store().SchemaVersion();
    SendJson(res, 200, {{"status", "ok"}, {"database", "ok"}, {"schema_version", version}});
  } catch (const std::exception&) {
    SendError(res, 503, "The database is not reachable.");
  }
}

void OpenApi(ApiContext&, const httplib::Request&, httplib::Response& res) {
  SendJson(res, 200, OpenApiDocument());
}

void Docs(ApiContext&, const httplib::Request&, httplib::Response& res) {
  res.set_content(DocsPage(OpenApiDocument()), "text/html; charset=utf-8");
}

}  // namespace

void RegisterSystemRoutes(Router& router) {
  router.GetPublic("/health", Health);
  router.GetPublic("/openapi.json", OpenApi);
  router.GetPublic("/docs", Docs);
}

}  // namespace ems::api
